#!/usr/bin/env bash
# Benchmark: does an executor's memory depend on the scene's size? Segments one scene of each SIZE² px (made by
# `terraseg sample`, with labels, so the confusion-matrix path runs too) with the launcher's defaults (embedded
# local[*] Spark, the sample model, tile 512 / overlap 64) and prints one JSON object per scene with the peak
# RSS of the whole process (GNU time's maximum resident set size), then one with the ratio of the largest to
# the smallest. The issue's goal: a 30000² scene within 1.3× of a 1000² one.
# usage: scripts/bench-memory.sh [SIZES (default "1000 30000")]   (a 30000² scene takes ~2.3 GB and minutes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZES="${1:-1000 30000}"
WORK="$ROOT/target/bench-memory"
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || mvn -q -B -DskipTests package
source "$ROOT/scripts/bench-cds.sh"
mkdir -p "$WORK"
results=()
for size in $SIZES; do
  data="$WORK/$size"
  [[ -f "$data/images/s.tif" ]] || {
    rm -rf "$data"
    scripts/terraseg sample --output "$data" --name s --width "$size" --height "$size" >&2
  }
  rm -rf "$WORK/out-$size"
  /usr/bin/time -f '%M %e' -o "$WORK/time-$size" scripts/terraseg segment --model scripts/sample-model \
    --input "$data/images" --labels "$data/labels" --output "$WORK/out-$size" --tile 512 --overlap 64 >&2
  read -r kb wall < "$WORK/time-$size"
  line=$(python3 - "$size" "$kb" "$wall" "$WORK/out-$size/run.json" "$WORK/out-$size/metrics.json" <<'PY'
import json, os, sys
size, kb, wall, run_json, metrics = sys.argv[1:]
run = json.load(open(run_json))
m = json.load(open(metrics)) if os.path.exists(metrics) else {}
print(json.dumps({"scene": f"{size}x{size}", "tiles": run["tiles"], "peak_rss_mb": round(int(kb) / 1024),
                  "wall_seconds": float(wall), "miou": m.get("miou")}))
PY
)
  echo "$line"
  results+=("$line")
done
python3 - "${results[@]}" <<'PY'
import json, sys
runs = [json.loads(a) for a in sys.argv[1:]]
if len(runs) > 1:
    print(json.dumps({"largest": runs[-1]["scene"], "smallest": runs[0]["scene"],
                      "peak_rss_ratio": round(runs[-1]["peak_rss_mb"] / runs[0]["peak_rss_mb"], 2)}))
PY
