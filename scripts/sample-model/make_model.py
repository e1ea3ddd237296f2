#!/usr/bin/python3
"""Writes TerraSeg's sample TorchScript models; no training, the weights follow from the class colors.

    /usr/bin/python3 scripts/sample-model/make_model.py [--evaluate IMAGE LABELS]

scripts/sample-model/{model.pt,model.json}
    sample-landcover: the four classes of io.terraseg.tools.SampleScene. A 1x1 conv scores each pixel against
    each class color (nearest prototype in the normalized space), then a 5x5 mean of the scores outvotes the
    ~3% of pixels painted in another class's color. Receptive radius 2, well inside the 32-pixel overlap.
src/test/resources/models/receptive-field/
    three 3x3 convs with random (seeded) weights, 5 classes, receptive radius 3, tile 64 / overlap 8: its
    output depends on every pixel within 3 of the centre, so stitching errors show.
src/test/resources/models/wrong-classes/
    the sample model with a model.json listing 3 classes: the class-count mismatch error.
src/test/resources/models/broken/
    a model.json and a model.pt that is not a TorchScript archive: the load error.

Written with PyTorch 1.13 (Debian's python3-torch); DJL's PyTorch 2.5 loads these archives.
"""
import argparse
import json
import pathlib
import shutil

import torch
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
TEST_MODELS = HERE.parent.parent / "src" / "test" / "resources" / "models"

CLASSES = [
    {"id": 0, "name": "water", "color": "#1f78b4"},
    {"id": 1, "name": "vegetation", "color": "#33a02c"},
    {"id": 2, "name": "bare soil", "color": "#b15928"},
    {"id": 3, "name": "built-up", "color": "#a6a6a6"},
]
SCALE = 255.0
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


class NearestPrototype(torch.nn.Module):
    """logit_k = 2 mu_k . x - |mu_k|^2 = |x|^2 - |x - mu_k|^2: argmax is the nearest class color."""

    def __init__(self, prototypes: torch.Tensor):
        super().__init__()
        self.score = torch.nn.Conv2d(prototypes.shape[1], prototypes.shape[0], kernel_size=1)
        with torch.no_grad():
            self.score.weight.copy_(2 * prototypes[:, :, None, None])
            self.score.bias.copy_(-(prototypes ** 2).sum(dim=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Edge pixels average only the neighbours that exist, so tile borders are not biased.
        return F.avg_pool2d(self.score(x), kernel_size=5, stride=1, padding=2, count_include_pad=False)


class ReceptiveField(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(20240611)
        self.layers = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(8, 8, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(8, 5, 3, padding=1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)


def normalized_prototypes() -> torch.Tensor:
    rgb = torch.tensor([[int(c["color"][i:i + 2], 16) for i in (1, 3, 5)] for c in CLASSES], dtype=torch.float64)
    return ((rgb / SCALE - torch.tensor(MEAN, dtype=torch.float64)) / torch.tensor(STD, dtype=torch.float64)).float()


def spec(name, classes, tile_size, overlap):
    return {"name": name, "architecture": "torchscript", "weights": "model.pt", "classes": classes,
            "input": {"bands": [1, 2, 3], "scale": SCALE, "mean": MEAN, "std": STD},
            "tile": {"size": tile_size, "overlap": overlap}}


def save(model: torch.nn.Module, model_spec: dict, directory: pathlib.Path):
    directory.mkdir(parents=True, exist_ok=True)
    scripted = torch.jit.script(model.eval())
    # Any batch size and tile shape: the model is fully convolutional.
    for shape in [(1, 3, 64, 64), (3, 3, 37, 90)]:
        out = scripted(torch.zeros(shape))
        assert out.shape == (shape[0], len(model_spec["classes"]), shape[2], shape[3]), out.shape
    scripted.save(str(directory / "model.pt"))
    write_json(model_spec, directory)


def write_json(model_spec: dict, directory: pathlib.Path):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "model.json").write_text(json.dumps(model_spec, indent=2) + "\n")


def evaluate(model: torch.nn.Module, image: str, labels: str):
    """Per-class IoU and mIoU over the valid pixels of a whole (small) scene, plus a nearest-color baseline."""
    import numpy as np
    from osgeo import gdal

    raw = gdal.Open(image).ReadAsArray().astype(np.float32)
    truth = gdal.Open(labels).ReadAsArray()
    x = (torch.from_numpy(raw) / SCALE - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    with torch.no_grad():
        smoothed = model(x[None])[0]
        per_pixel = model.score(x[None])[0]
    valid = truth != 255
    for name, logits in [("nearest color", per_pixel), ("sample model", smoothed)]:
        predicted = logits.argmax(0).numpy()
        ious = []
        for k in range(len(CLASSES)):
            p, t = (predicted == k) & valid, (truth == k) & valid
            ious.append((p & t).sum() / max(1, (p | t).sum()))
        accuracy = (predicted == truth)[valid].mean()
        print(f"{name}: accuracy {accuracy:.4f}, mIoU {np.mean(ious):.4f}, IoU "
              + ", ".join(f"{c['name']} {iou:.4f}" for c, iou in zip(CLASSES, ious)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluate", nargs=2, metavar=("IMAGE", "LABELS"),
                        help="also report IoU of the sample model on a SampleScene image and its labels")
    args = parser.parse_args()

    sample = NearestPrototype(normalized_prototypes())
    save(sample, spec("sample-landcover", CLASSES, 256, 32), HERE)
    save(ReceptiveField(), spec("receptive-field", CLASSES + [{"id": 4, "name": "other", "color": "#ffff99"}], 64, 8),
         TEST_MODELS / "receptive-field")
    wrong = TEST_MODELS / "wrong-classes"
    write_json(spec("wrong-classes", CLASSES[:3], 256, 32), wrong)
    shutil.copyfile(HERE / "model.pt", wrong / "model.pt")
    broken = TEST_MODELS / "broken"
    write_json(spec("broken", CLASSES, 256, 32), broken)
    (broken / "model.pt").write_bytes(b"this is not a TorchScript archive\n" * 8)

    if args.evaluate:
        evaluate(sample, *args.evaluate)


if __name__ == "__main__":
    main()
