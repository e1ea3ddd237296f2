#!/usr/bin/env bash
# Benchmark: what the products around the mask cost. Segments bench-segment.sh's scene (SIZE², 3-band uint8,
# its bench model of four 3x3 convs, default settings on embedded local[*]) three times: a plain run, which
# already writes the COG with its overviews and the preview, a run with --probabilities and one with --vectors.
# Prints one JSON object per run (end-to-end seconds, where task time went, output sizes, polygons) and then
# the extra costs: the write stage's share of the plain run's task time (assembling the COG: overviews,
# header, tiles, preview) and each product run's extra end-to-end time relative to the plain one.
# usage: scripts/bench-outputs.sh [SIZE (default 8192)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-8192}"
source "$ROOT/scripts/bench-segment-scene.sh"
run() { # NAME [OPTIONS...]
  local name="$1"
  shift
  rm -rf "$WORK/outputs-$name"
  scripts/terraseg segment --model "$WORK/model" --input "$WORK/data/images/bench.tif" \
    --output "$WORK/outputs-$name" "$@" >&2
}
run plain
run probabilities --probabilities
run vectors --vectors
python3 - "$WORK" "$SIZE" <<'PY'
import json, os, sys
work, size = sys.argv[1], sys.argv[2]
runs = {}
for name in ("plain", "probabilities", "vectors"):
    out = os.path.join(work, f"outputs-{name}")
    run = json.load(open(os.path.join(out, "run.json")))
    sizes = {f: os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)
             if f.startswith("bench.") and os.path.isfile(os.path.join(out, f))}
    table = os.path.join(out, "polygons.parquet", "bench.parquet")
    if os.path.exists(table):
        sizes["polygons.parquet/bench.parquet"] = os.path.getsize(table)
    runs[name] = run
    print(json.dumps({"run": name, "scene": f"{size}x{size}x3 uint8", "tiles": run["tiles"],
                      "batch": run["batch"], "end_to_end_seconds": round(run["seconds"], 2),
                      "task_seconds": run["task_seconds"], "bytes": sizes,
                      **({"polygons": run["inputs"][0]["polygon_count"]} if name == "vectors" else {})}))
plain = runs["plain"]
print(json.dumps({
    "cog_write_share_of_task_time": round(plain["task_seconds"]["write"] / plain["task_seconds"]["total"], 3),
    "probabilities_extra_end_to_end": round(runs["probabilities"]["seconds"] / plain["seconds"] - 1, 3),
    "vectors_extra_end_to_end": round(runs["vectors"]["seconds"] / plain["seconds"] - 1, 3)}))
PY
