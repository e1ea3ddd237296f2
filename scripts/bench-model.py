"""Writes the benchmark's TorchScript model: the sample model's classes and input, with a convolutional trunk
heavy enough (tens of ms per 256x256 tile on a CPU core) that the model dominates, as real networks do.

usage: /usr/bin/python3 scripts/bench-model.py OUT_DIR [WIDTH] [DEPTH]   (WIDTH 0: one 1x1 conv)
"""
import json
import sys
from pathlib import Path

import torch

out = Path(sys.argv[1])
width = int(sys.argv[2]) if len(sys.argv) > 2 else 32
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 3
out.mkdir(parents=True, exist_ok=True)
sample = json.loads((Path(__file__).parent / "sample-model" / "model.json").read_text())

torch.manual_seed(0)
if width == 0:
    # WIDTH 0: a single 1x1 conv, a model that costs almost nothing, to measure the pipeline around it.
    layers = [torch.nn.Conv2d(3, len(sample["classes"]), 1)]
else:
    layers = [torch.nn.Conv2d(3, width, 3, padding=1), torch.nn.ReLU()]
    for _ in range(depth):
        layers += [torch.nn.Conv2d(width, width, 3, padding=1), torch.nn.ReLU()]
    layers += [torch.nn.Conv2d(width, len(sample["classes"]), 1)]
model = torch.jit.script(torch.nn.Sequential(*layers).eval())
model.save(str(out / "model.pt"))
spec = dict(sample, name="bench-1x1" if width == 0 else f"bench-conv{width}x{depth}")
(out / "model.json").write_text(json.dumps(spec, indent=2))
print(f"wrote {out}/model.pt ({sum(p.numel() for p in model.parameters())} parameters)")
