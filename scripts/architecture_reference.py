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
    deeplabv3plus-xception65-os16 The same DeepLabv3+ head on the aligned Xception-65 (Chen et al. 2018, Sec. 3.2,
    deeplabv3plus-xception65-os8  Fig. 4) as timm's xception65 (timm/models/xception_aligned.py) lays it out and
                                names it, written here (Debian has no timm): stem (3x3/2 conv 32, 3x3 conv 64, each
                                BN+ReLU), 21 blocks of three separable convs = entry flow (3 blocks, 128/256/728,
                                each ending in a stride-2 separable conv where Xception had max pooling, 1x1 conv
                                shortcut), middle flow (16 blocks of 728, identity shortcut), exit flow (728/1024/
                                1024 strided with a 1x1 shortcut, then 1536/1536/2048 without shortcut). BN eps 1e-3
                                (timm's, from DeepLab's TF checkpoints). As in DeepLab's TF xception_65 and timm,
                                blocks 0-19 put a ReLU before each separable conv and BN (no ReLU) after its
                                depthwise half; only the last block has BN+ReLU after both halves. Output stride:
                                a block whose stride would pass it keeps stride 1 and the blocks after it dilate
                                by that stride (exit flow dilated 2 at OS 16; middle flow 2, exit 2 then 4 at OS 8).
                                Low-level features: block 1's activations before its strided conv (timm's feature
                                tap blocks.1.stack.act3), 256 channels at stride 4. timm's head.fc is left out.
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
    fcn8s-vgg16                 FCN (Long et al. 2015, Fig. 3) on torchvision's vgg16().features with its max
    fcn16s-vgg16                pools rounding up (ceil_mode, as Caffe's pooling and the paper's nets); fc6 a 7x7
    fcn32s-vgg16                conv 512->4096 padded by 3 and fc7 a 1x1 conv 4096->4096, each ReLU + dropout 0.5;
                                1x1 scores (score_fr on fc7, score_pool4, score_pool3); bias-free transposed convs
                                (kernel 2f, stride f) initialized bilinearly, named as the Caffe nets and their
                                PyTorch ports name them (upscore2, upscore_pool4, upscore8 / upscore16 / upscore).
                                TerraSeg's tile rule in place of the paper's 100-px input padding: an upsampled map
                                is cropped at f/2 to the size of the map it meets, which aligns pixel centres, so
                                any input size gives logits of exactly that size.

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
from collections import OrderedDict

import torch
from torch import nn
from torch.nn import functional as F
from torchvision.models import resnet50, vgg16
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


XCEPTION_BN_EPS = 1e-3


class ConvNormAct(nn.Module):
    """timm's ConvNormAct (names conv, bn): conv, BN, and ReLU unless it is a shortcut."""

    def __init__(self, inp, out, kernel, stride, act=True):
        super().__init__()
        self.conv = nn.Conv2d(inp, out, kernel, stride, padding=kernel // 2, bias=False)
        self.bn = nn.BatchNorm2d(out, eps=XCEPTION_BN_EPS)
        self.act = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class XceptionSeparable(nn.Module):
    """timm's SeparableConv2d: depthwise 3x3 (strided or atrous), BN, pointwise 1x1, BN; ReLU after each BN if act."""

    def __init__(self, inp, out, stride, dilation, act):
        super().__init__()
        self.conv_dw = nn.Conv2d(inp, inp, 3, stride, padding=dilation, dilation=dilation, groups=inp, bias=False)
        self.bn_dw = nn.BatchNorm2d(inp, eps=XCEPTION_BN_EPS)
        self.act_dw = nn.ReLU() if act else nn.Identity()
        self.conv_pw = nn.Conv2d(inp, out, 1, bias=False)
        self.bn_pw = nn.BatchNorm2d(out, eps=XCEPTION_BN_EPS)
        self.act_pw = nn.ReLU() if act else nn.Identity()

    def forward(self, x):
        return self.act_pw(self.bn_pw(self.conv_pw(self.act_dw(self.bn_dw(self.conv_dw(x))))))


class XceptionModule(nn.Module):
    """timm's XceptionModule: stack = three separable convs (the last one strided), each after a ReLU
    (start_with_relu) or with ReLUs inside; plus the input, through a 1x1 conv + BN shortcut when the shape changes."""

    def __init__(self, inp, outs, stride, dilation, start_with_relu=True, skip=True):
        super().__init__()
        layers, chs = [], inp
        for i, out in enumerate(outs, start=1):
            if start_with_relu:
                layers.append((f"act{i}", nn.ReLU()))
            layers.append((f"conv{i}", XceptionSeparable(
                chs, out, stride if i == 3 else 1, dilation, act=not start_with_relu)))
            chs = out
        self.stack = nn.Sequential(OrderedDict(layers))
        self.skip = skip
        self.shortcut = None
        if skip and (inp != outs[-1] or stride != 1):
            self.shortcut = ConvNormAct(inp, outs[-1], 1, stride, act=False)

    def forward(self, x):
        y = self.stack(x)
        if not self.skip:
            return y
        return y + (x if self.shortcut is None else self.shortcut(x))


class Xception65(nn.Module):
    """timm's xception65 without head.fc; forward returns the stride-4 features ("low") and the last block's ("out")."""

    LOW_LEVEL_BLOCK = 1

    def __init__(self, output_stride, in_channels=IN_CHANNELS):
        super().__init__()
        self.stem = nn.Sequential(ConvNormAct(in_channels, 32, 3, 2), ConvNormAct(32, 64, 3, 1))
        entry = [(64, [128] * 3, 2, {}), (128, [256] * 3, 2, {}), (256, [728] * 3, 2, {})]
        middle = [(728, [728] * 3, 1, {})] * 16
        exit_ = [(728, [728, 1024, 1024], 2, {}), (1024, [1536, 1536, 2048], 1, dict(start_with_relu=False, skip=False))]
        stride, dilation, blocks = 2, 1, []
        for inp, outs, block_stride, options in entry + middle + exit_:
            block_dilation = dilation
            if stride * block_stride > output_stride:
                dilation *= block_stride
                block_stride = 1
            else:
                stride *= block_stride
            blocks.append(XceptionModule(inp, outs, block_stride, block_dilation, **options))
        self.blocks = nn.Sequential(*blocks)
        self.blocks[self.LOW_LEVEL_BLOCK].stack.act3.register_forward_hook(self._tap)

    def _tap(self, module, inputs, output):
        self._low = output

    def forward(self, x):
        out = self.blocks(self.stem(x))
        return {"low": self._low, "out": out}


class DeepLabV3Plus(nn.Module):
    LOW_LEVEL = 48
    CHANNELS = 256

    def __init__(self, output_stride, num_classes, backbone="resnet50"):
        super().__init__()
        # Both backbones give 256 channels at stride 4 ("low") and 2048 at the output stride ("out").
        if backbone == "xception65":
            self.backbone = Xception65(output_stride)
        else:
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


def bilinear_kernel(channels, factor):
    """The paper's initialization of a x`factor` transposed conv (Caffe's bilinear filler): each class to itself
    with the separable tent (1 - |i - c| / f)(1 - |j - c| / f), c = f - 0.5, over a 2f kernel."""
    tent = 1 - (torch.arange(2 * factor, dtype=torch.float64) - (factor - 0.5)).abs() / factor
    weight = torch.zeros(channels, channels, 2 * factor, 2 * factor)
    weight[range(channels), range(channels)] = torch.outer(tent, tent).float()
    return weight


class Fcn(nn.Module):
    def __init__(self, stride, num_classes):
        super().__init__()
        self.stride = stride
        self.features = vgg16(weights=None).features
        for layer in self.features:
            if isinstance(layer, nn.MaxPool2d):
                layer.ceil_mode = True
        self.fc6 = nn.Conv2d(512, 4096, 7, padding=3)
        self.fc7 = nn.Conv2d(4096, 4096, 1)
        self.score_fr = nn.Conv2d(4096, num_classes, 1)
        if stride <= 16:
            self.score_pool4 = nn.Conv2d(512, num_classes, 1)
            self.upscore2 = self.upsampling(num_classes, 2)
        if stride == 8:
            self.score_pool3 = nn.Conv2d(256, num_classes, 1)
            self.upscore_pool4 = self.upsampling(num_classes, 2)
        self.final = "upscore" if stride == 32 else f"upscore{stride}"
        setattr(self, self.final, self.upsampling(num_classes, stride))

    @staticmethod
    def upsampling(channels, factor):
        up = nn.ConvTranspose2d(channels, channels, 2 * factor, stride=factor, bias=False)
        with torch.no_grad():
            up.weight.copy_(bilinear_kernel(channels, factor))
        return up

    @staticmethod
    def upsample(up, x, like):
        """x upsampled by `up` and cropped at f/2 to like's height and width."""
        o = up.stride[0] // 2
        return up(x)[:, :, o:o + like.shape[2], o:o + like.shape[3]]

    def forward(self, x):
        pools = []
        h = x
        for layer in self.features:
            h = layer(h)
            if isinstance(layer, nn.MaxPool2d):
                pools.append(h)
        pool3, pool4, pool5 = pools[2:]
        h = F.dropout(F.relu(self.fc6(pool5)), 0.5, self.training)
        h = F.dropout(F.relu(self.fc7(h)), 0.5, self.training)
        score = self.score_fr(h)
        if self.stride <= 16:
            score = self.upsample(self.upscore2, score, pool4) + self.score_pool4(pool4)
        if self.stride == 8:
            score = self.upsample(self.upscore_pool4, score, pool3) + self.score_pool3(pool3)
        return self.upsample(getattr(self, self.final), score, x)


CONFIGS = {
    "deeplabv3-resnet50-os8": (("deeplabv3", "resnet50", 8, None), lambda k: deeplabv3_resnet50(
        weights=None, weights_backbone=None, num_classes=k, aux_loss=False)),
    "deeplabv3plus-resnet50-os16": (("deeplabv3plus", "resnet50", 16, None), lambda k: DeepLabV3Plus(16, k)),
    "deeplabv3plus-resnet50-os8": (("deeplabv3plus", "resnet50", 8, None), lambda k: DeepLabV3Plus(8, k)),
    "deeplabv3plus-xception65-os16": (("deeplabv3plus", "xception65", 16, None),
                                      lambda k: DeepLabV3Plus(16, k, "xception65")),
    "deeplabv3plus-xception65-os8": (("deeplabv3plus", "xception65", 8, None),
                                     lambda k: DeepLabV3Plus(8, k, "xception65")),
    "fastfcn-resnet50-aspp": (("fastfcn", "resnet50", None, "aspp"), lambda k: FastFcn("aspp", k)),
    "fastfcn-resnet50-fcn": (("fastfcn", "resnet50", None, "fcn"), lambda k: FastFcn("fcn", k)),
    "fastfcn-resnet50-enc": (("fastfcn", "resnet50", None, "enc"), lambda k: FastFcn("enc", k)),
    "fastfcn-resnet50-psp": (("fastfcn", "resnet50", None, "psp"), lambda k: FastFcn("psp", k)),
    "fcn8s-vgg16": (("fcn8s", "vgg16", None, None), lambda k: Fcn(8, k)),
    "fcn16s-vgg16": (("fcn16s", "vgg16", None, None), lambda k: Fcn(16, k)),
    "fcn32s-vgg16": (("fcn32s", "vgg16", None, None), lambda k: Fcn(32, k)),
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
