#!/usr/bin/python3
"""Writes the PyTorch reference that io.terraseg.model.arch's networks are checked against, name by name.

For each built-in configuration (3 input bands, 21 classes) the PyTorch network is built and its state dict
written as tensor name -> shape (BN's num_batches_tracked left out: TerraSeg ignores it), with the number of
trainable parameters. No weights: ArchitecturesTest compares TerraSeg's names, shapes and count with these.

    deeplabv3-resnet50-os8      torchvision's deeplabv3_resnet50(num_classes=21, aux_loss=False), untouched.
    deeplabv3plus-resnet50-os16 DeepLabv3+ (Chen et al. 2018, Fig. 2 and Sec. 3.2) as mmsegmentation's
    deeplabv3plus-resnet50-os8  DepthwiseSeparableASPPHead lays it out, on torchvision parts: a torchvision
                                ResNet-50 dilated to the output stride; torchvision's ASPP (names convs.*,
                                project.*) with its three atrous branches depthwise-separable (depthwise 3x3, BN,
                                ReLU, pointwise 1x1, BN, ReLU) and the projection's dropout 0.1; the decoder's
                                48-channel 1x1 projection of the stride-4 features (low_level), two separable
                                3x3 convs of 256 (decoder) and a 1x1 classifier. The ASPP projection is the
                                papers' 1x1 conv, where mmsegmentation's bottleneck is 3x3.
    fastfcn-resnet50-aspp       FastFCN (Wu et al. 2019, Fig. 4): a torchvision ResNet-50 at output stride 32,
    fastfcn-resnet50-fcn        the JPU with the FastFCN reference code's module names (conv5/conv4/conv3,
                                dilation1-4 = SeparableConv2d(conv1, bn, pointwise), BN, ReLU), then
                                torchvision's DeepLabHead (aspp) or torchvision's FCNHead (fcn: 3x3 conv to
                                in/4 channels, BN, ReLU, dropout 0.1, 1x1 classifier; the FastFCN reference's
                                FCNHead has the same layers, wrapped in a `conv5` Sequential).
    fastfcn-resnet50-enc        the same JPU under the FastFCN reference's EncHead, written after its code with
                                its module names: conv5 (1x1 conv to 512, BN, ReLU: 1x1 because a JPU is below
                                it), encmodule.encoding (1x1 conv, BN, ReLU, Encoding with 32 codewords and
                                scales, BatchNorm1d, ReLU, mean over codewords), encmodule.fc (Linear, sigmoid;
                                the map becomes x * (1 + gamma)), encmodule.selayer (SE-loss Linear, in the
                                state dict, not in the logits), conv6 (Dropout2d 0.1, 1x1 classifier).
    fastfcn-resnet50-psp        the same JPU under the reference's PSPHead: conv5 = Sequential(PyramidPooling
                                (adaptive average pooling to 1, 2, 3, 6 bins, conv1-4 = 1x1 conv to in/4, BN,
                                ReLU, bilinear upsampling with align_corners=True as the reference's up_kwargs,
                                concatenated after the input), 3x3 conv to in/4, BN, ReLU, Dropout2d 0.1, 1x1
                                classifier).

Each network also runs one forward pass here, so a reference whose layers do not fit together fails.

Usage: architecture_reference.py [OUT_DIR]   (default: src/test/resources/architectures)
Writes OUT_DIR/NAME.json for each NAME above: architecture, backbone, output_stride, head, in_channels,
num_classes, parameters, script_sha256 (ArchitecturesTest refuses a reference older than this script),
tensors {name: shape}. Run it with /usr/bin/python3 (Debian's PyTorch 1.13 and torchvision 0.14) after
changing this script, and commit what it writes.
"""
import hashlib
import json
import os
import sys

import torch
from torch import nn
from torch.nn import functional as F
from torchvision.models import resnet50
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation import deeplabv3_resnet50
from torchvision.models.segmentation.deeplabv3 import ASPP, DeepLabHead
from torchvision.models.segmentation.fcn import FCNHead

IN_CHANNELS = 3
NUM_CLASSES = 21
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.normpath(os.path.join(HERE, "..", "src", "test", "resources", "architectures"))


def separable(inp, out, dilation):
    """DeepLabv3+'s atrous separable conv, ReLU after both halves as mmsegmentation's default."""
    return nn.Sequential(
        nn.Conv2d(inp, inp, 3, padding=dilation, dilation=dilation, groups=inp, bias=False),
        nn.BatchNorm2d(inp),
        nn.ReLU(),
        nn.Conv2d(inp, out, 1, bias=False),
        nn.BatchNorm2d(out),
        nn.ReLU(),
    )


def conv_bn_relu(inp, out, kernel):
    return nn.Sequential(nn.Conv2d(inp, out, kernel, padding=kernel // 2, bias=False), nn.BatchNorm2d(out), nn.ReLU())


class DeepLabV3Plus(nn.Module):
    LOW_LEVEL = 48
    CHANNELS = 256

    def __init__(self, output_stride, num_classes):
        super().__init__()
        dilate = [False, output_stride == 8, True]
        self.backbone = IntermediateLayerGetter(
            resnet50(weights=None, replace_stride_with_dilation=dilate), {"layer1": "low", "layer4": "out"})
        rates = [6, 12, 18] if output_stride == 16 else [12, 24, 36]
        self.aspp = ASPP(2048, rates, self.CHANNELS)
        for i, rate in enumerate(rates, start=1):
            self.aspp.convs[i] = separable(2048, self.CHANNELS, rate)
        self.aspp.project[3] = nn.Dropout(0.1)
        self.low_level = conv_bn_relu(256, self.LOW_LEVEL, 1)
        self.decoder = nn.Sequential(
            separable(self.CHANNELS + self.LOW_LEVEL, self.CHANNELS, 1), separable(self.CHANNELS, self.CHANNELS, 1))
        self.classifier = nn.Conv2d(self.CHANNELS, num_classes, 1)

    def forward(self, x):
        features = self.backbone(x)
        low = self.low_level(features["low"])
        context = F.interpolate(self.aspp(features["out"]), size=low.shape[-2:], mode="bilinear", align_corners=False)
        logits = self.classifier(self.decoder(torch.cat([context, low], 1)))
        return F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)


class SeparableConv2d(nn.Module):
    """The FastFCN reference's separable conv: depthwise, BN, pointwise, with no ReLU between them."""

    def __init__(self, inp, out, dilation):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, inp, 3, padding=dilation, dilation=dilation, groups=inp, bias=False)
        self.bn = nn.BatchNorm2d(inp)
        self.pointwise = nn.Conv2d(inp, out, 1, bias=False)

    def forward(self, x):
        return self.pointwise(self.bn(self.conv1(x)))


class Jpu(nn.Module):
    WIDTH = 512

    def __init__(self, stage_channels):
        super().__init__()
        w = self.WIDTH
        self.conv5 = conv_bn_relu(stage_channels[2], w, 3)
        self.conv4 = conv_bn_relu(stage_channels[1], w, 3)
        self.conv3 = conv_bn_relu(stage_channels[0], w, 3)
        for i, d in enumerate([1, 2, 4, 8], start=1):
            setattr(self, f"dilation{i}", nn.Sequential(SeparableConv2d(3 * w, w, d), nn.BatchNorm2d(w), nn.ReLU()))

    def forward(self, c3, c4, c5):
        s3 = self.conv3(c3)
        size = s3.shape[-2:]
        s4 = F.interpolate(self.conv4(c4), size=size, mode="bilinear", align_corners=False)
        s5 = F.interpolate(self.conv5(c5), size=size, mode="bilinear", align_corners=False)
        joint = torch.cat([s5, s4, s3], 1)
        return torch.cat([getattr(self, f"dilation{i}")(joint) for i in range(1, 5)], 1)


class Encoding(nn.Module):
    """EncNet's Encoding layer as the reference's encoding.nn.Encoding computes it, residuals spelled out:
    a_ik = softmax_k(s_k |x_i - d_k|^2), e_k = sum_i a_ik (x_i - d_k). N x C x H x W in, N x K x C out."""

    def __init__(self, channels, codes):
        super().__init__()
        bound = (codes * channels) ** -0.5
        self.codewords = nn.Parameter(torch.empty(codes, channels).uniform_(-bound, bound))
        self.scale = nn.Parameter(torch.empty(codes).uniform_(-1, 0))

    def forward(self, x):
        features = x.flatten(2).transpose(1, 2)  # N x HW x C
        residuals = features.unsqueeze(2) - self.codewords  # N x HW x K x C
        assignment = F.softmax(self.scale * residuals.pow(2).sum(3), dim=2)
        return (assignment.unsqueeze(3) * residuals).sum(1)


class Mean(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return x.mean(self.dim)


class EncModule(nn.Module):
    """Context Encoding Module: context vector -> channel attention gamma, x * (1 + gamma); selayer is the
    SE-loss branch (training only)."""

    def __init__(self, channels, num_classes, codes=32):
        super().__init__()
        self.encoding = nn.Sequential(
            nn.Conv2d(channels, channels, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(),
            Encoding(channels, codes), nn.BatchNorm1d(codes), nn.ReLU(), Mean(1))
        self.fc = nn.Sequential(nn.Linear(channels, channels), nn.Sigmoid())
        self.selayer = nn.Linear(channels, num_classes)

    def forward(self, x):
        gamma = self.fc(self.encoding(x))
        return F.relu(x + x * gamma[:, :, None, None])


class EncHead(nn.Module):
    """The FastFCN reference's EncHead with a JPU below it (so conv5 is 1x1), without the SE output."""

    def __init__(self, in_channels, num_classes):
        super().__init__()
        self.conv5 = conv_bn_relu(in_channels, 512, 1)
        self.encmodule = EncModule(512, num_classes)
        self.conv6 = nn.Sequential(nn.Dropout2d(0.1), nn.Conv2d(512, num_classes, 1))

    def forward(self, x):
        return self.conv6(self.encmodule(self.conv5(x)))


class PyramidPooling(nn.Module):
    """PSPNet's pyramid pooling as the FastFCN reference builds it, upsampling with its align_corners=True."""

    BINS = (1, 2, 3, 6)

    def __init__(self, channels):
        super().__init__()
        for i, bins in enumerate(self.BINS, start=1):
            setattr(self, f"pool{i}", nn.AdaptiveAvgPool2d(bins))
            setattr(self, f"conv{i}", conv_bn_relu(channels, channels // 4, 1))

    def forward(self, x):
        levels = [x]
        for i in range(1, len(self.BINS) + 1):
            level = getattr(self, f"conv{i}")(getattr(self, f"pool{i}")(x))
            levels.append(F.interpolate(level, size=x.shape[-2:], mode="bilinear", align_corners=True))
        return torch.cat(levels, 1)


class PspHead(nn.Module):
    def __init__(self, in_channels, num_classes):
        super().__init__()
        inter = in_channels // 4
        self.conv5 = nn.Sequential(
            PyramidPooling(in_channels), nn.Conv2d(2 * in_channels, inter, 3, padding=1, bias=False),
            nn.BatchNorm2d(inter), nn.ReLU(), nn.Dropout2d(0.1), nn.Conv2d(inter, num_classes, 1))

    def forward(self, x):
        return self.conv5(x)


class FastFcn(nn.Module):
    HEADS = {"aspp": DeepLabHead, "fcn": FCNHead, "enc": EncHead, "psp": PspHead}

    def __init__(self, head, num_classes):
        super().__init__()
        self.backbone = IntermediateLayerGetter(resnet50(weights=None), {"layer2": "c3", "layer3": "c4", "layer4": "c5"})
        self.jpu = Jpu([512, 1024, 2048])
        self.head = self.HEADS[head](4 * Jpu.WIDTH, num_classes)

    def forward(self, x):
        f = self.backbone(x)
        logits = self.head(self.jpu(f["c3"], f["c4"], f["c5"]))
        return F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)


CONFIGS = {
    "deeplabv3-resnet50-os8": (("deeplabv3", "resnet50", 8, None), lambda k: deeplabv3_resnet50(
        weights=None, weights_backbone=None, num_classes=k, aux_loss=False)),
    "deeplabv3plus-resnet50-os16": (("deeplabv3plus", "resnet50", 16, None), lambda k: DeepLabV3Plus(16, k)),
    "deeplabv3plus-resnet50-os8": (("deeplabv3plus", "resnet50", 8, None), lambda k: DeepLabV3Plus(8, k)),
    "fastfcn-resnet50-aspp": (("fastfcn", "resnet50", None, "aspp"), lambda k: FastFcn("aspp", k)),
    "fastfcn-resnet50-fcn": (("fastfcn", "resnet50", None, "fcn"), lambda k: FastFcn("fcn", k)),
    "fastfcn-resnet50-enc": (("fastfcn", "resnet50", None, "enc"), lambda k: FastFcn("enc", k)),
    "fastfcn-resnet50-psp": (("fastfcn", "resnet50", None, "psp"), lambda k: FastFcn("psp", k)),
}


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    with open(__file__, "rb") as f:
        script_sha256 = hashlib.sha256(f.read()).hexdigest()
    torch.manual_seed(0)
    for name, ((architecture, backbone, output_stride, head), make) in CONFIGS.items():
        model = make(NUM_CLASSES).eval()
        x = torch.randn(1, IN_CHANNELS, 67, 61)
        with torch.no_grad():
            logits = model(x)
        logits = logits["out"] if isinstance(logits, dict) else logits  # torchvision's models return a dict
        assert logits.shape == (1, NUM_CLASSES, 67, 61), (name, logits.shape)
        tensors = {k: list(v.shape) for k, v in model.state_dict().items() if not k.endswith(".num_batches_tracked")}
        info = {
            "architecture": architecture,
            "backbone": backbone,
            "output_stride": output_stride,
            "head": head,
            "in_channels": IN_CHANNELS,
            "num_classes": NUM_CLASSES,
            "parameters": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "torch": torch.__version__,
            "script_sha256": script_sha256,
            "tensors": tensors,
        }
        path = os.path.join(out_dir, name + ".json")
        with open(path, "w") as f:
            # One tensor a line: diffs of a regenerated reference read as the layers that changed.
            fields = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in info.items() if k != "tensors"]
            shapes = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in tensors.items()]
            f.write("{\n" + ",\n".join(fields) + ',\n "tensors": {\n' + ",\n".join(shapes) + "\n }\n}\n")
        print(f"{path}: {len(tensors)} tensors, {info['parameters']} parameters")


if __name__ == "__main__":
    main()
