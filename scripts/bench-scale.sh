#!/usr/bin/env bash
# Benchmark: does a run scale with the number of scenes? Segments N copies of a 512² scene for each N in
# SCENES (default "250 1000 2000") and one big scene (BIG² px, default 8192) on embedded local[*] Spark with
# the sample model (256/32 tiles), then re-runs the largest N, which finds every scene complete. Prints one
# JSON object per run: scenes/s, tiles/s, the driver JVM's peak heap after GC (the embedded driver also runs
# the tasks, so this bounds what the driver holds), and the number of Spark jobs (from Spark's event log).
# usage: scripts/bench-scale.sh [SCENES] [BIG]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SCENES="${1:-250 1000 2000}"
BIG="${2:-8192}"
WORK="$ROOT/target/bench-scale"
[[ -f target/terraseg.jar && -f target/classpath.txt ]] || mvn -q -B -DskipTests package
source "$ROOT/scripts/bench-cds.sh"
mkdir -p "$WORK"
[[ -f "$WORK/one/images/one.tif" ]] || scripts/terraseg sample --output "$WORK/one" --name one --width 512 --height 512 >&2
[[ -f "$WORK/big/images/big.tif" && "$(cat "$WORK/big/size" 2>/dev/null)" == "$BIG" ]] || {
  scripts/terraseg sample --output "$WORK/big" --name big --width "$BIG" --height "$BIG" >&2
  echo "$BIG" > "$WORK/big/size"
}

# run LABEL INPUT_DIR OUT_DIR [extra segment options...]: one JSON line.
run() {
  local label="$1" input="$2" out="$3"; shift 3
  local events="$WORK/events-$label" gclog="$WORK/gc-$label.log"
  rm -rf "$events" && mkdir -p "$events"
  printf 'spark.eventLog.enabled=true\nspark.eventLog.compress=false\nspark.eventLog.rolling.enabled=false\nspark.eventLog.dir=file://%s\n' "$events" > "$WORK/spark-$label.properties"
  local start end
  start=$(date +%s%N)
  TERRASEG_JAVA_OPTS="-Xlog:gc:file=$gclog" scripts/terraseg segment --model scripts/sample-model \
    --input "$input" --output "$out" --master 'local[*]' --spark-conf "$WORK/spark-$label.properties" "$@" >&2
  end=$(date +%s%N)
  python3 - "$label" "$out/run.json" "$gclog" "$events" "$(( end - start ))" <<'PY'
import glob, json, os, re, sys
label, run_json, gclog, events, wall = sys.argv[1:]
run = json.load(open(run_json))
after = [int(m.group(1)) for m in re.finditer(r"->(\d+)M\(\d+M\)", open(gclog).read())]
jobs = sum(open(f, errors="replace").read().count('"Event":"SparkListenerJobStart"')
           for f in glob.glob(events + "/**/*", recursive=True) if os.path.isfile(f))
seconds = run["seconds"]
print(json.dumps({
    "run": label, "scenes": len(run["inputs"]), "done": run["done"], "skipped": run["skipped"],
    "tiles": run["tiles"], "seconds": round(seconds, 2), "process_wall_seconds": round(int(wall) / 1e9, 2),
    "scenes_per_second": round(len(run["inputs"]) / seconds, 2), "tiles_per_second": round(run["tiles_per_second"], 1),
    "driver_peak_heap_after_gc_mb": max(after) if after else None, "gc_count": len(after), "spark_jobs": jobs}))
PY
}

for n in $SCENES; do
  dir="$WORK/scenes-$n"
  if [[ ! -d "$dir" || $(ls "$dir" | wc -l) -ne $n ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    for i in $(seq -w 1 "$n"); do ln "$WORK/one/images/one.tif" "$dir/s$i.tif"; done
  fi
  rm -rf "$WORK/out-$n"
  run "small-x$n" "$dir" "$WORK/out-$n"
done
last=$(echo $SCENES | awk '{print $NF}')
run "rerun-small-x$last" "$WORK/scenes-$last" "$WORK/out-$last"
rm -rf "$WORK/out-big"
run "big-${BIG}" "$WORK/big/images/big.tif" "$WORK/out-big"
