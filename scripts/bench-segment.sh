#!/usr/bin/env bash
# Benchmark: segment a generated scene end to end on embedded Spark and compare with the pure model time for
# the same tiles (same model, batch and concurrency; no I/O, no Spark). Prints one JSON object.
# The two sides are timed in alternating rounds and the share is the median of the rounds' shares: the same
# work's time can vary from run to run (the pure-model side took 9.3 to 16.6 s here while glibc's arenas faulted
# activations in again; README, Benchmarks, "Page faults"), and a share from two runs minutes apart follows that.
# usage: scripts/bench-segment.sh [SIZE (default 8192)] [BATCH (default 8)] [ROUNDS (default 3)]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SIZE="${1:-8192}"
BATCH="${2:-8}"
ROUNDS="${3:-3}"
source "$ROOT/scripts/bench-segment-scene.sh"
TASKS=$(nproc)
RESULTS="$WORK/rounds.jsonl"
: > "$RESULTS"
for ((round = 1; round <= ROUNDS; round++)); do
  rm -rf "$WORK/out"
  start=$(date +%s%N)
  scripts/terraseg segment --model "$WORK/model" --input "$WORK/data/images/bench.tif" --output "$WORK/out" \
    --batch "$BATCH" --master 'local[*]' >&2
  wall=$(( $(date +%s%N) - start ))
  TILES=$(python3 -c "import json; print(json.load(open('$WORK/out/run.json'))['tiles_predicted'])")
  MODEL=$(scripts/bench-java io.terraseg.bench.ModelThroughput "$WORK/model" "$TILES" 256 "$BATCH" "$TASKS")
  python3 - "$WORK/out/run.json" "$MODEL" "$wall" "$TASKS" >> "$RESULTS" <<'PY'
import json, sys
run = json.load(open(sys.argv[1])); model = json.loads(sys.argv[2]); tasks = int(sys.argv[4])
print(json.dumps({
    "tiles": run["tiles"], "end_to_end_seconds": run["seconds"], "process_wall_seconds": int(sys.argv[3]) / 1e9,
    "tiles_per_second": run["tiles_per_second"], "model_seconds": model["model_seconds"],
    "model_ms_per_tile": model["ms_per_tile"], "model_share": model["model_seconds"] / run["seconds"],
    # The same run's own model stage, per task slot: immune to drift between runs, but it counts the model
    # slowed by the threads beside it (read-ahead, mask) as model time.
    "in_run_model_share": run["task_seconds"]["model"] / tasks / run["seconds"]}))
PY
done
python3 - "$RESULTS" "$SIZE" "$BATCH" "$TASKS" "$WORK/out/run.json" <<'PY'
import json, statistics, sys
rounds = [json.loads(line) for line in open(sys.argv[1])]
run = json.load(open(sys.argv[5]))
median = lambda key: statistics.median(r[key] for r in rounds)
print(json.dumps({
    "scene": f"{sys.argv[2]}x{sys.argv[2]}x3 uint8", "tile": run["tile"], "overlap": run["overlap"],
    "batch": int(sys.argv[3]), "tasks": int(sys.argv[4]), "tiles": run["tiles"], "rounds": len(rounds),
    "end_to_end_seconds": round(median("end_to_end_seconds"), 2),
    "process_wall_seconds": round(median("process_wall_seconds"), 2),
    "tiles_per_second": round(median("tiles_per_second"), 2),
    "model_seconds": round(median("model_seconds"), 3), "model_ms_per_tile": round(median("model_ms_per_tile"), 2),
    "model_share": round(median("model_share"), 3),
    "model_share_rounds": [round(r["model_share"], 3) for r in rounds],
    "in_run_model_share": round(median("in_run_model_share"), 3)}))
PY
