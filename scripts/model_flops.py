#!/usr/bin/python3
"""Multiply-adds of the PyTorch reference networks, to check the Java counter that BenchModels uses.

Counts with forward hooks on one forward pass of scripts/architecture_reference.py's networks, by the rules of
io.terraseg.model.arch.Counts.multiplyAdds: Conv2d = output elements x in_channels / groups x kernel area;
ConvTranspose2d = input elements x out_channels / groups x kernel area; Linear = output elements x in_features;
EncNet's Encoding = 2 x HW x K x C; no bias, BN, activation, pooling, interpolation or softmax. A Linear that the
forward pass does not call (EncNet's selayer) is not counted here; the Java walk counts it (512 x classes).

Besides the reference's CONFIGS it builds FastFCN's baselines as BenchModels does (a torchvision
ResNet-50 dilated to output stride 8 under the same fcn, enc or psp head, no JPU), and `resnet50`:
torchvision's ResNet-50 without its fc layer, CountsTest's whole-network case (`--tile 224 resnet50`).

Usage: model_flops.py [--tile N] [--classes K] [NAME ...]   (default: tile 512, 6 classes, every name)
Prints one JSON line per network: name, tile, macs (exact), gmacs, gflops (= 2 x MACs / 1e9). The bench needs
none of this; run it with /usr/bin/python3 (Debian's PyTorch 1.13) when the Java counter or a network changes.
"""
import argparse
import json
import os
import sys

import torch
from torch import nn
from torchvision.models import resnet50
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.fcn import FCNHead

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import architecture_reference as ref  # noqa: E402


class DilatedFcn(nn.Module):
    """FastFCN's baseline: the head on a backbone dilated to output stride 8 (BenchModels.DilatedFcn)."""

    def __init__(self, head, num_classes):
        super().__init__()
        backbone = resnet50(weights=None, replace_stride_with_dilation=[False, True, True])
        self.backbone = IntermediateLayerGetter(backbone, {"layer4": "c5"})
        self.head = {"fcn": FCNHead, "enc": ref.EncHead, "psp": ref.PspHead}[head](2048, num_classes)
        if head == "enc":
            # The reference's EncHead opens with a 3x3 conv where no JPU is below it.
            self.head.conv5 = ref.conv_bn_relu(2048, 512, 3)

    def forward(self, x):
        return self.head(self.backbone(x)["c5"])


def resnet50_features(_):
    model = resnet50(weights=None)
    model.fc = nn.Identity()
    return model


NETWORKS = {name: make for name, (_, make) in ref.CONFIGS.items()}
NETWORKS["dilatedfcn-resnet50-os8-fcn"] = lambda k: DilatedFcn("fcn", k)
NETWORKS["dilatedfcn-resnet50-os8-enc"] = lambda k: DilatedFcn("enc", k)
NETWORKS["dilatedfcn-resnet50-os8-psp"] = lambda k: DilatedFcn("psp", k)
NETWORKS["resnet50"] = resnet50_features


def multiply_adds(model, x):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += output.numel() * module.in_channels // module.groups * k
        elif isinstance(module, nn.ConvTranspose2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total += inputs[0].numel() * module.out_channels // module.groups * k
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features
        elif isinstance(module, ref.Encoding):
            total += 2 * inputs[0].numel() * module.codewords.shape[0]

    counted = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, ref.Encoding)
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, counted)]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("names", nargs="*", default=list(NETWORKS))
    args = parser.parse_args()
    for name in args.names:
        model = NETWORKS[name](args.classes).eval()
        macs = multiply_adds(model, torch.zeros(1, ref.IN_CHANNELS, args.tile, args.tile))
        print(json.dumps({"name": name, "tile": args.tile, "macs": macs, "gmacs": round(macs / 1e9, 3),
                          "gflops": round(2 * macs / 1e9, 3)}), flush=True)


if __name__ == "__main__":
    main()
