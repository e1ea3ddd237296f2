#!/usr/bin/python3
"""Writes the numerical PyTorch reference for configurations of architecture_reference.py's CONFIGS.

For each NAME the network is built by architecture_reference.CONFIGS[NAME] (nothing is redefined here) with
random weights seeded from the name, BN affine parameters randomized, and running statistics calibrated on
random batches and then perturbed, so that they and not the batch statistics decide the eval-mode output
(a network that wrongly used batch statistics would give other logits). In eval mode it runs on the input
crop (ArchitectureEquivalenceTest writes a window of a TerraSeg sample scene, normalized as the sample
model does).

Usage: architecture_fixture.py --list                       prints the CONFIGS names, one a line
       architecture_fixture.py OUT_DIR INPUT NAME... [--classes K]
INPUT is a safetensors file holding `input` (1 x C x H x W float32). Writes, for each NAME,
OUT_DIR/NAME/model.safetensors (the full state dict), OUT_DIR/NAME/fixture.safetensors (input, logits) and
OUT_DIR/NAME/fixture.json (architecture, backbone, output_stride, head, in_channels, num_classes, parameters,
logits statistics), the JSON last. Run with /usr/bin/python3 (Debian's PyTorch 1.13 and torchvision 0.14).
"""
import argparse
import json
import os
import zlib

import torch
from torch import nn

from architecture_reference import CONFIGS, Encoding
from safetensors_io import read_safetensors, write_safetensors

CALIBRATION_BATCHES = 3
CALIBRATION_BATCH = 4


def logits_of(model, x):
    out = model(x)
    return out["out"] if isinstance(out, dict) else out  # torchvision's models return a dict


def randomize(model, height, width, channels):
    """BN scales around 1 and shifts around 0; Encoding layers moved where their assignments are soft;
    running statistics measured on random batches (which keeps activations in range through 50 layers),
    then moved off them by a tenth of a standard deviation and scaled by 0.7-1.4."""
    def batch():
        return torch.randn(CALIBRATION_BATCH, channels, height, width)

    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
        calibrate(model, bns, batch)
        encodings = [m for m in model.modules() if isinstance(m, Encoding)]
        if encodings:
            soften(model, encodings, batch())
            calibrate(model, bns, batch)  # the layers after the encodings see other values now
        for bn in bns:
            bn.running_mean.add_(torch.randn_like(bn.running_mean) * 0.1 * bn.running_var.sqrt())
            bn.running_var.mul_(torch.empty_like(bn.running_var).uniform_(0.7, 1.4))
    model.eval()


def calibrate(model, bns, batch):
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # a cumulative average over the calibration batches
    model.train()
    for _ in range(CALIBRATION_BATCHES):
        logits_of(model, batch())


def soften(model, encodings, x):
    """With the reference's initial ranges (codewords within +-1/128, smoothing factors in (-1, 0)) every
    feature is assigned to the same codeword, the one with the smallest |s_k|, and the codewords' own
    values barely matter: a test would not see most of the layer. Codewords are set to features of the
    layer's input, with noise, and the smoothing factors to 0.25-1 over the spread of the distances, so
    that each feature spreads its weight over a few codewords."""
    inputs = {}
    hooks = [m.register_forward_hook(lambda m, i, o: inputs.__setitem__(m, i[0])) for m in encodings]
    model.eval()
    logits_of(model, x)
    for h in hooks:
        h.remove()
    for m in encodings:
        features = inputs[m].flatten(2).transpose(1, 2).reshape(-1, m.codewords.shape[1])
        picked = features[torch.randperm(features.shape[0])[:m.codewords.shape[0]]]
        m.codewords.copy_(picked + 0.1 * features.std() * torch.randn_like(picked))
        spread = torch.cdist(features, m.codewords).pow(2).std(1).mean()
        m.scale.copy_(-torch.empty_like(m.scale).uniform_(0.25, 1) / spread)


def write_fixture(name, x, num_classes, out_dir):
    (architecture, backbone, output_stride, head), make = CONFIGS[name]
    torch.manual_seed(zlib.crc32(name.encode()))  # each fixture the same whichever others are made with it
    model = make(num_classes)
    randomize(model, x.shape[2], x.shape[3], x.shape[1])
    with torch.no_grad():
        logits = logits_of(model, x)
    assert logits.shape == (1, num_classes) + tuple(x.shape[2:]), (name, logits.shape)

    target = os.path.join(out_dir, name)
    os.makedirs(target, exist_ok=True)
    json_path = os.path.join(target, "fixture.json")
    if os.path.exists(json_path):
        os.remove(json_path)  # until the weights and logits below are complete, the fixture is missing
    write_safetensors(os.path.join(target, "model.safetensors"), model.state_dict())
    write_safetensors(os.path.join(target, "fixture.safetensors"), {"input": x, "logits": logits})
    info = {
        "name": name,
        "architecture": architecture,
        "backbone": backbone,
        "output_stride": output_stride,
        "head": head,
        "in_channels": x.shape[1],
        "num_classes": num_classes,
        "parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "torch": torch.__version__,
        "logits_abs_max": float(logits.abs().max()),
        "logits_std": float(logits.std()),
    }
    with open(json_path + ".tmp", "w") as f:
        json.dump(info, f, indent=1)
    os.replace(json_path + ".tmp", json_path)
    print(json.dumps(info))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true", help="print the CONFIGS names and exit")
    ap.add_argument("out_dir", nargs="?")
    ap.add_argument("input", nargs="?")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--classes", type=int, default=4)
    args = ap.parse_args()
    if args.list:
        print("\n".join(CONFIGS))
        return
    if not args.names:
        ap.error("need OUT_DIR INPUT NAME...")
    unknown = [n for n in args.names if n not in CONFIGS]
    if unknown:
        ap.error(f"not in CONFIGS: {', '.join(unknown)}")
    x = read_safetensors(args.input)["input"]
    for name in args.names:
        write_fixture(name, x, args.classes, args.out_dir)


if __name__ == "__main__":
    main()
