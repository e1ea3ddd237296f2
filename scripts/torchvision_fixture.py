#!/usr/bin/python3
"""Writes the PyTorch reference that io.terraseg.model.arch's deeplabv3 is checked against.

torchvision's deeplabv3_resnet50(num_classes=K, aux_loss=False) with seeded random weights, and BN
running statistics that differ from the batch statistics (so that inference mode is what gets tested),
saved as safetensors with its full state dict, plus a random input and the model's eval-mode logits.

Usage: torchvision_fixture.py OUT_DIR [--classes K] [--height H] [--width W] [--seed S]
Writes OUT_DIR/model.safetensors, OUT_DIR/fixture.safetensors (input, logits), OUT_DIR/fixture.json.
The safetensors format is written by safetensors_io.py (struct+json: Debian has no python3-safetensors).
"""
import argparse
import json
import os

import torch
from torchvision.models.segmentation import deeplabv3_resnet50

from safetensors_io import write_safetensors

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--classes", type=int, default=5)
    ap.add_argument("--height", type=int, default=67)
    ap.add_argument("--width", type=int, default=61)
    ap.add_argument("--seed", type=int, default=20240517)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.manual_seed(args.seed)

    model = deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=args.classes, aux_loss=False)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
        # Calibrate running statistics on random batches so activations stay in range through 50 layers,
        # then perturb them so that they, not the batch statistics, decide the eval-mode output.
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        for _ in range(3):
            model(torch.randn(4, 3, 64, 64))
        for bn in bns:
            bn.running_mean.add_(torch.randn_like(bn.running_mean) * 0.1 * bn.running_var.sqrt())
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.7, 1.4))
    model.eval()

    x = torch.randn(1, 3, args.height, args.width)
    with torch.no_grad():
        logits = model(x)["out"]

    write_safetensors(os.path.join(args.out_dir, "model.safetensors"), model.state_dict())
    write_safetensors(os.path.join(args.out_dir, "fixture.safetensors"), {"input": x, "logits": logits})
    info = {
        "torch": torch.__version__,
        "num_classes": args.classes,
        "params": sum(p.numel() for p in model.parameters()),
        "tensors": len(model.state_dict()),
        "logits_abs_max": float(logits.abs().max()),
    }
    with open(os.path.join(args.out_dir, "fixture.json"), "w") as f:
        json.dump(info, f)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
