#!/usr/bin/python3
"""The PyTorch reference that TerraSeg's test-time augmentation and ensembles are checked against.

    ensemble_fixture.py models OUT_DIR
        OUT_DIR/models/skewed: a small TorchScript model with the sample model's four classes that reads
            other bands (3, 1) with another normalization and is not symmetric under flips (seeded 3x3 convs);
        OUT_DIR/models/tie-a, tie-b: 1x1 convs whose softmax is the same everywhere, (0.46, 0.10, 0.44) and
            (0.10, 0.47, 0.43): their votes tie wherever weights are equal, and the tie is decided by the mean;
        OUT_DIR/batch.npz: fixed input batches and, for the sample, receptive-field and skewed models, the mean
            softmax over the TTA transforms, its argmax, and the margin between the best class and the
            runner-up (where it is tiny, float noise decides); the same for ensembles of the sample and skewed
            models (for a vote, the margin among the classes with the most votes).
    ensemble_fixture.py scene IMAGE OUT.npz --models DIR... [--weights W...] [--ensemble mean|vote] [--tta MODE]
        the whole image through the models as their model.json says, with TTA and ensemble: class ids, per
        pixel the margin between the best class and the runner-up (where it is tiny, float noise may decide),
        and the weighted mean softmax (K x H x W; one model without TTA: its softmax), what --probabilities writes.

The transforms here are written as PyTorch rotations and flips (torch.rot90, torch.flip), independently of
TerraSeg's transpose-and-flip form; the set is the same, the order of summation is not, which only moves the
last bits. Written for PyTorch 1.13 (Debian's python3-torch).
"""
import argparse
import json
import pathlib

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scripts" / "sample-model"
RECEPTIVE_FIELD = ROOT / "src" / "test" / "resources" / "models" / "receptive-field"
TILE = 24


def transforms(tta):
    """(apply, invert) pairs: flips, or the 4 rotations and the 4 rotations of the mirror image."""
    if tta == "none":
        return [(lambda t: t, lambda t: t)]
    if tta == "flips":  # identity, horizontal, vertical, both: each its own inverse
        flips = [lambda t, d=d: torch.flip(t, d) if d else t for d in ([], [3], [2], [2, 3])]
        return [(f, f) for f in flips]
    pairs = []
    for mirrored in (False, True):
        for k in range(4):
            def apply(t, k=k, m=mirrored):
                return torch.rot90(torch.flip(t, [3]) if m else t, k, [2, 3])

            def invert(t, k=k, m=mirrored):
                t = torch.rot90(t, -k, [2, 3])
                return torch.flip(t, [3]) if m else t
            pairs.append((apply, invert))
    return pairs


def probabilities(model, x, tta):
    """A model's softmax averaged over the transforms, each mapped back."""
    with torch.no_grad():
        ps = [invert(torch.softmax(model(apply(x)), 1)) for apply, invert in transforms(tta)]
    return torch.stack(ps).mean(0)


def combine(models, inputs, weights, tta, ensemble):
    """Class ids (N x H x W), the weighted mean probabilities, and the scores the ids are the argmax of:
    the mean, or for a vote the mean of the classes with the most votes (-1 elsewhere)."""
    ps = [probabilities(m, x, tta) for m, x in zip(models, inputs)]
    w = torch.tensor(weights, dtype=torch.float32)
    mean = sum(p * (wi / w.sum()) for p, wi in zip(ps, w))
    if ensemble == "mean" or len(models) == 1:
        return mean.argmax(1), mean, mean
    k = mean.shape[1]
    votes = sum(torch.nn.functional.one_hot(p.argmax(1), k).permute(0, 3, 1, 2).float() * wi
                for p, wi in zip(ps, w))
    most = (votes - votes.max(1, keepdim=True).values).abs() <= 1e-5 * w.sum()
    scores = torch.where(most, mean, torch.full_like(mean, -1.0))
    return scores.argmax(1), mean, scores


def margin(scores):
    top = scores.topk(2, dim=1).values
    return top[:, 0] - top[:, 1]


def load(directory):
    directory = pathlib.Path(directory)
    spec = json.loads((directory / "model.json").read_text())
    return torch.jit.load(str(directory / spec["weights"])).eval(), spec


def save_model(model, spec, directory):
    directory.mkdir(parents=True, exist_ok=True)
    torch.jit.script(model.eval()).save(str(directory / "model.pt"))
    (directory / "model.json").write_text(json.dumps(spec, indent=2) + "\n")


class Skewed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(20241123)
        self.layers = torch.nn.Sequential(
            torch.nn.Conv2d(2, 6, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(6, 4, 3, padding=1))
        with torch.no_grad():  # logits of a few units: probabilities away from 0 and 1, so weights matter
            self.layers[2].weight.mul_(6)

    def forward(self, x):
        return self.layers(x)


class Constant(torch.nn.Module):
    def __init__(self, probabilities):
        super().__init__()
        self.score = torch.nn.Conv2d(3, len(probabilities), 1)
        with torch.no_grad():
            self.score.weight.zero_()
            self.score.bias.copy_(torch.tensor(probabilities).log())

    def forward(self, x):
        return self.score(x)


def write_models(out):
    sample_spec = json.loads((SAMPLE / "model.json").read_text())
    skewed = dict(sample_spec, name="skewed", input={"bands": [3, 1], "scale": 100.0, "mean": [0.4, 1.1],
                                                     "std": [0.8, 0.5]})
    save_model(Skewed(), skewed, out / "models" / "skewed")
    classes = [{"id": i, "name": n} for i, n in enumerate(["a", "b", "c"])]
    for name, p in [("tie-a", [0.46, 0.10, 0.44]), ("tie-b", [0.10, 0.47, 0.43])]:
        spec = {"name": name, "architecture": "torchscript", "weights": "model.pt", "classes": classes,
                "input": {"bands": [1, 2, 3], "scale": 1.0, "mean": [0, 0, 0], "std": [1, 1, 1]}}
        save_model(Constant(p), spec, out / "models" / name)


def save(arrays, key, ids, mean, scores):
    arrays[key + "-ids"] = ids.to(torch.uint8).numpy()
    arrays[key + "-probabilities"] = mean.numpy()
    arrays[key + "-margin"] = margin(scores).numpy()


def write_batch(out):
    torch.manual_seed(7)
    x3 = torch.randn(2, 3, TILE, TILE)
    x2 = torch.randn(2, 2, TILE, TILE)
    arrays = {"x3": x3.numpy(), "x2": x2.numpy()}
    models = {"sample": (load(SAMPLE)[0], x3), "receptive-field": (load(RECEPTIVE_FIELD)[0], x3),
              "skewed": (load(out / "models" / "skewed")[0], x2)}
    for name, (model, x) in models.items():
        for tta in ("none", "flips", "d4"):
            save(arrays, f"{name}-{tta}", *combine([model], [x], [1.0], tta, "mean"))
    pair = [models["sample"][0], models["skewed"][0]]
    for ensemble, weights, tta in [("mean", [2.0, 1.0], "none"), ("mean", [2.0, 1.0], "flips"),
                                   ("vote", [1.0, 1.0], "none"), ("vote", [1.0, 1.0], "flips"),
                                   ("vote", [2.0, 1.0], "none")]:
        key = f"{ensemble}-{weights[0]:g}-{weights[1]:g}-{tta}"
        save(arrays, key, *combine(pair, [x3, x2], weights, tta, ensemble))
    np.savez(out / "batch.npz", **arrays)


def scene(args):
    from osgeo import gdal
    raw = torch.from_numpy(gdal.Open(args.image).ReadAsArray().astype(np.float32))
    models, inputs = [], []
    for directory in args.models:
        model, spec = load(directory)
        i = spec["input"]
        x = raw[[b - 1 for b in i["bands"]]] / i["scale"]
        x = (x - torch.tensor(i["mean"])[:, None, None]) / torch.tensor(i["std"])[:, None, None]
        models.append(model)
        inputs.append(x[None].float())
    weights = args.weights or [1.0] * len(models)
    ids, mean, scores = combine(models, inputs, weights, args.tta, args.ensemble)
    np.savez(args.out, ids=ids[0].to(torch.uint8).numpy(), margin=margin(scores)[0].numpy(),
             probabilities=mean[0].numpy())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    models = sub.add_parser("models")
    models.add_argument("out")
    s = sub.add_parser("scene")
    s.add_argument("image")
    s.add_argument("out")
    s.add_argument("--models", nargs="+", required=True)
    s.add_argument("--weights", nargs="+", type=float)
    s.add_argument("--ensemble", default="mean", choices=["mean", "vote"])
    s.add_argument("--tta", default="none", choices=["none", "flips", "d4"])
    args = parser.parse_args()
    if args.command == "models":
        out = pathlib.Path(args.out)
        write_models(out)
        write_batch(out)
    else:
        scene(args)


if __name__ == "__main__":
    main()
