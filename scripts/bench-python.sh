#!/usr/bin/env bash
# Benchmark: TerraSeg against the plain Python sliding window a user would otherwise write (GDAL windows,
# the same TorchScript model in PyTorch, batches of 8, the same tiling and core stitching, a DEFLATE GeoTIFF
# mask written by GDAL). Scene: SIZE² 6-band uint8 (scripts/bench-pipeline.sh's, DEFLATE, 256² blocks);
# model: an FCN with a 15-px receptive field (seven 3x3 convs of 16 channels, scripts/bench-model.py 16 6);
# tile 256 / overlap 16. TerraSeg runs with its defaults (no --batch) on local[*]; Python with PyTorch's
# default threads. Prints one JSON object with both wall times (process start to mask written) and the ratio.
# usage: scripts/bench-python.sh [SIZE (default 7000)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-7000}"
WORK="$ROOT/target/bench-python"
"$ROOT/scripts/setup.sh"
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || mvn -q -B -DskipTests package
source "$ROOT/scripts/bench-cds.sh"
mkdir -p "$WORK"
[[ -f "$WORK/model/model.pt" ]] || /usr/bin/python3 scripts/bench-model.py "$WORK/model" 16 6 >&2
SCENE="$ROOT/target/bench-pipeline/data/scene-$SIZE.tif"
if [[ ! -f "$SCENE" ]]; then
  mkdir -p "$(dirname "$SCENE")"
  scripts/terraseg sample --output "$WORK/sample" --name s --width "$SIZE" --height "$SIZE" >&2
  gdal_translate -q -b 1 -b 2 -b 3 -b 1 -b 2 -b 3 -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256 \
    -co COMPRESS=DEFLATE -of GTiff "$WORK/sample/images/s.tif" "$SCENE.tmp"
  mv "$SCENE.tmp" "$SCENE"
  rm -rf "$WORK/sample"
fi
rm -rf "$WORK/out" "$WORK/python.mask.tif"
start=$(date +%s%N)
scripts/terraseg segment --model "$WORK/model" --input "$SCENE" --output "$WORK/out" --tile 256 --overlap 16 \
  --master 'local[*]' >&2
terraseg_ns=$(( $(date +%s%N) - start ))
start=$(date +%s%N)
/usr/bin/python3 - "$WORK/model" "$SCENE" "$WORK/python.mask.tif" <<'PY'
import json, sys
import numpy as np
import torch
from osgeo import gdal

model_dir, scene, out = sys.argv[1:4]
spec = json.load(open(f"{model_dir}/model.json"))
model = torch.jit.load(f"{model_dir}/model.pt").eval()
bands = spec["input"]["bands"]
scale = spec["input"]["scale"]
mean = np.array(spec["input"]["mean"], np.float32)[:, None, None]
std = np.array(spec["input"]["std"], np.float32)[:, None, None]
tile, overlap, batch = 256, 16, 8
stride = tile - 2 * overlap
gdal.UseExceptions()
ds = gdal.Open(scene)
w, h = ds.RasterXSize, ds.RasterYSize
mask = np.full((h, w), 255, np.uint8)

def cores(n):
    for k in range(-(-n // stride)):
        c0 = k * stride
        yield c0, min(c0 + stride, n) - c0, min(max(c0 - overlap, 0), n - tile)

jobs = [(cx, cw, wx, cy, ch, wy) for cy, ch, wy in cores(h) for cx, cw, wx in cores(w)]
with torch.no_grad():
    for i in range(0, len(jobs), batch):
        part = jobs[i:i + batch]
        x = np.stack([ds.ReadAsArray(wx, wy, tile, tile, band_list=bands).astype(np.float32)
                      for _, _, wx, _, _, wy in part])
        x = (x / scale - mean) / std
        classes = model(torch.from_numpy(x)).argmax(1).numpy().astype(np.uint8)
        for (cx, cw, wx, cy, ch, wy), c in zip(part, classes):
            mask[cy:cy + ch, cx:cx + cw] = c[cy - wy:cy - wy + ch, cx - wx:cx - wx + cw]
drv = gdal.GetDriverByName("GTiff")
dst = drv.Create(out, w, h, 1, gdal.GDT_Byte, ["TILED=YES", "COMPRESS=DEFLATE"])
dst.SetGeoTransform(ds.GetGeoTransform())
dst.SetProjection(ds.GetProjection())
dst.GetRasterBand(1).SetNoDataValue(255)
dst.GetRasterBand(1).WriteArray(mask)
dst = None
PY
python_ns=$(( $(date +%s%N) - start ))
/usr/bin/python3 - "$WORK/out/run.json" "$terraseg_ns" "$python_ns" "$WORK/out/scene-$SIZE.mask.tif" "$WORK/python.mask.tif" <<'PY'
import json, sys
import numpy as np
from osgeo import gdal
run = json.load(open(sys.argv[1]))
t, p = int(sys.argv[2]) / 1e9, int(sys.argv[3]) / 1e9
a = gdal.Open(sys.argv[4]).ReadAsArray(); b = gdal.Open(sys.argv[5]).ReadAsArray()
print(json.dumps({"scene": f"{a.shape[1]}x{a.shape[0]}x6 uint8", "tile": 256, "overlap": 16,
                  "terraseg_batch": run.get("batch"), "python_batch": 8, "tiles": run["tiles"],
                  "terraseg_seconds": round(t, 1), "python_seconds": round(p, 1), "ratio": round(t / p, 3),
                  "terraseg_task_seconds": {k: round(v, 1) for k, v in run["task_seconds"].items()},
                  "masks_agree": round(float((a == b).mean()), 6)}))
PY
