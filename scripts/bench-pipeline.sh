#!/usr/bin/env bash
# Benchmark: the pipeline around the model. Segments a SIZE² 6-band uint8 GeoTIFF (DEFLATE, 256² internal
# tiles, made by GDAL from `terraseg sample`) at tile 512 / overlap 32 with a model that costs almost nothing
# (one 1x1 conv, scripts/bench-model.py WIDTH 0) on one core (taskset -c 0: local[1], one PyTorch thread), then
# reads the same 3-band windows with GDAL on the same core (its block cache on, as a Python script would). Prints one JSON
# object: TerraSeg's tiles/s per core, where its task time went, GDAL's windows/s, and their ratio.
# usage: scripts/bench-pipeline.sh [SIZE (default 7000)] [BATCH (default: TerraSeg's default)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-7000}"
BATCH="${2:-}"
TILE=512
OVERLAP=32
WORK="$ROOT/target/bench-pipeline"
"$ROOT/scripts/setup.sh"
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || mvn -q -B -DskipTests package
mkdir -p "$WORK"
[[ -f "$WORK/model/model.pt" ]] || /usr/bin/python3 scripts/bench-model.py "$WORK/model" 0 >&2
SCENE="$WORK/data/scene-$SIZE.tif"
if [[ ! -f "$SCENE" ]]; then
  scripts/terraseg sample --output "$WORK/sample" --name s --width "$SIZE" --height "$SIZE" >&2
  mkdir -p "$WORK/data"
  gdal_translate -q -b 1 -b 2 -b 3 -b 1 -b 2 -b 3 -co TILED=YES -co BLOCKXSIZE=256 -co BLOCKYSIZE=256 \
    -co COMPRESS=DEFLATE -of GTiff "$WORK/sample/images/s.tif" "$SCENE.tmp"
  mv "$SCENE.tmp" "$SCENE"
  rm -rf "$WORK/sample"
fi
rm -rf "$WORK/out"
taskset -c 0 scripts/terraseg segment --model "$WORK/model" --input "$SCENE" --output "$WORK/out" --tile "$TILE" \
  --overlap "$OVERLAP" ${BATCH:+--batch "$BATCH"} --master 'local[1]' >&2
taskset -c 0 /usr/bin/python3 - "$WORK/out/run.json" "$SCENE" "$TILE" "$OVERLAP" <<'PY'
import json, sys, time
from osgeo import gdal

run = json.load(open(sys.argv[1]))
scene, tile, overlap = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
gdal.UseExceptions()
ds = gdal.Open(scene)
n, m = ds.RasterXSize, ds.RasterYSize
stride = tile - 2 * overlap

def starts(size):  # TileGrid: window start = clamp(core start - overlap, 0, size - tile)
    return [min(max(k * stride - overlap, 0), size - tile) for k in range(-(-size // stride))]

windows = [(x, y) for y in starts(m) for x in starts(n)]
start = time.perf_counter()
for x, y in windows:
    ds.ReadAsArray(x, y, tile, tile, band_list=[1, 2, 3])
gdal_seconds = time.perf_counter() - start
tasks = run["task_seconds"]
per_core = run["tiles"] / tasks["total"]  # one task on one core: tiles per second of task time
print(json.dumps({
    "scene": f"{n}x{m}x6 uint8, DEFLATE, 256x256 blocks", "tile": tile, "overlap": overlap,
    "batch": run.get("batch"), "tiles": run["tiles"], "end_to_end_seconds": round(run["seconds"], 2),
    "task_seconds": {k: round(v, 2) for k, v in tasks.items()},
    "tiles_per_second_per_core": round(per_core, 1),
    "gdal_windows_per_second": round(len(windows) / gdal_seconds, 1),
    "ratio_to_gdal": round(per_core / (len(windows) / gdal_seconds), 3)}))
PY
