#!/usr/bin/env bash
# Benchmark: segment a generated scene end to end on embedded Spark and compare with the pure model time for
# the same tiles (same model, batch and concurrency; no I/O, no Spark). Prints one JSON object.
# usage: scripts/bench-segment.sh [SIZE (default 8192)] [BATCH (default 8)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-8192}"
BATCH="${2:-8}"
source "$ROOT/scripts/bench-segment-scene.sh"
rm -rf "$WORK/out"
start=$(date +%s%N)
scripts/terraseg segment --model "$WORK/model" --input "$WORK/data/images/bench.tif" --output "$WORK/out" \
  --batch "$BATCH" --master 'local[*]' >&2
wall=$(( $(date +%s%N) - start ))
TILES=$(python3 -c "import json; print(json.load(open('$WORK/out/run.json'))['tiles_predicted'])")
TASKS=$(nproc)
MODEL=$(scripts/bench-java io.terraseg.bench.ModelThroughput "$WORK/model" "$TILES" 256 "$BATCH" "$TASKS")
python3 - "$WORK/out/run.json" "$MODEL" "$wall" "$SIZE" "$BATCH" "$TASKS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1])); model = json.loads(sys.argv[2])
print(json.dumps({
    "scene": f"{sys.argv[4]}x{sys.argv[4]}x3 uint8", "tile": run["tile"], "overlap": run["overlap"],
    "batch": int(sys.argv[5]), "tasks": int(sys.argv[6]), "tiles": run["tiles"],
    "end_to_end_seconds": round(run["seconds"], 2), "process_wall_seconds": round(int(sys.argv[3]) / 1e9, 2),
    "tiles_per_second": round(run["tiles_per_second"], 2),
    "model_seconds": model["model_seconds"], "model_ms_per_tile": model["ms_per_tile"],
    "model_share": round(model["model_seconds"] / run["seconds"], 3)}))
PY
