#!/usr/bin/env bash
# The cluster test stage: TerraSeg on a real Spark standalone cluster reading from and writing to a real HDFS, all
# on this machine (loopback only), submitted the way the README says, and checked against a local run.
#
#  1. builds target/terraseg-cluster.jar (mvn -Pcluster), the stand-in Spark distribution (target/spark-home) and
#     the mini HDFS class path;
#  2. starts HDFS (scripts/hdfs.sh) and a Master with two Workers (scripts/cluster.sh), and stops both on exit;
#  3. makes sample scenes with labels (scripts/terraseg sample) and copies them to HDFS with Hadoop's FsShell;
#  4. runs segment --vectors with scripts/spark-submit in client deploy mode (driver here) and in cluster deploy
#     mode (driver on a worker, the jar read from HDFS), inputs, labels and outputs on HDFS;
#  5. runs the same segment locally (scripts/terraseg --master local[2], meanwhile) and compares each NAME.mask.tif,
#     NAME.polygons.fgb and polygons.parquet/NAME.parquet byte for byte and metrics.json's confusion_matrix.
# Prints PASS/FAIL per check and the stage's wall time; exits 1 if any check failed.
# State and logs: $TERRASEG_CLUSTER_DIR (default target/cluster-test): hdfs/, spark/ (master, workers, the drivers'
# and executors' logs under spark/worker-N/), test/ (data, outputs, submit logs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STARTED=$SECONDS
export TERRASEG_CLUSTER_DIR="${TERRASEG_CLUSTER_DIR:-$ROOT/target/cluster-test}"
export SPARK_HOME="$ROOT/target/spark-home"
export SPARK_LOCAL_IP=127.0.0.1
WORK="$TERRASEG_CLUSTER_DIR/test"
export TERRASEG_LOG="$WORK/terraseg.log"
SCENES=(river field coast)
TILE=(--tile 256 --overlap 32)
DRIVER_TIMEOUT=240

say() { echo "test-cluster: [$((SECONDS - STARTED)) s] $*"; }
failed=0
pass() { say "PASS $*"; }
fail() { say "FAIL $*"; failed=$((failed + 1)); }

hdfs_start="" cluster_start="" local_run=""
finish() {
  local status=$?
  set +e
  [[ -n "$local_run" ]] && kill -0 "$local_run" 2>/dev/null && kill "$local_run"
  # A start still under way (the stage failed early) ends by itself within its timeout; then stop what it started.
  for pid in $hdfs_start $cluster_start; do wait "$pid" 2>/dev/null; done
  scripts/cluster.sh stop
  scripts/hdfs.sh stop
  # Logs stay; the copies of the 150 MB application jar in each driver's and executor's directory go.
  find "$TERRASEG_CLUSTER_DIR/spark" -name '*.jar' -delete 2>/dev/null
  if ((status != 0 && failed == 0)); then
    say "FAIL the stage stopped early (exit $status); logs under $TERRASEG_CLUSTER_DIR"
  fi
  say "elapsed $((SECONDS - STARTED)) s"
}
trap finish EXIT

# ---- build --------------------------------------------------------------------------------------------------
say "building target/terraseg-cluster.jar and the stand-in Spark distribution"
mvn -B -q -Pcluster -DskipTests package
scripts/spark-dist/build.sh "$SPARK_HOME"

# ---- start HDFS and the cluster (side by side); meanwhile make the sample scenes and start the local run -------
rm -rf "$WORK"
mkdir -p "$WORK"
scripts/hdfs.sh start >"$WORK/hdfs-url" &
hdfs_start=$!
scripts/cluster.sh start >"$WORK/master-url" &
cluster_start=$!
for i in "${!SCENES[@]}"; do
  scripts/terraseg sample --output "$WORK/data" --name "${SCENES[$i]}" --width 600 --height 400 --seed $((i + 7)) \
    >>"$WORK/sample.log" 2>&1
done
# The reference: the same segment run locally, side by side with the cluster runs.
scripts/terraseg segment --model scripts/sample-model --input "$WORK/data/images" --labels "$WORK/data/labels" \
  --output "$WORK/out-local" "${TILE[@]}" --vectors --master 'local[2]' >"$WORK/local.log" 2>&1 &
local_run=$!
wait "$hdfs_start" || { say "FAIL HDFS did not start"; exit 1; }
wait "$cluster_start" || { say "FAIL the Spark cluster did not start"; exit 1; }
HDFS="$(tail -n 1 "$WORK/hdfs-url")"
MASTER="$(tail -n 1 "$WORK/master-url")"
say "HDFS $HDFS, Spark master $MASTER"

# Hadoop's own shell over the distribution's Hadoop client jars; the core-site.xml hdfs.sh wrote names the cluster.
fs() {
  java -cp "$TERRASEG_CLUSTER_DIR/hdfs/conf:$SPARK_HOME/jars/*" org.apache.hadoop.fs.FsShell "$@" 2>>"$WORK/fs.log"
}
DIR="$HDFS/terraseg-test"
fs -mkdir -p "$DIR"
# In cluster deploy mode the application jar must be readable from whichever worker gets the driver: HDFS.
fs -put "$WORK/data/images" "$WORK/data/labels" target/terraseg-cluster.jar "$DIR/"

# ---- the README's recipe ------------------------------------------------------------------------------------
# The driver JVM gets TerraSeg's JVM options (Spark's Java 17 --add-opens, headless AWT, offline DJL): in client
# mode Spark's launcher adds the module options itself, but a driver that a Worker launches in cluster mode gets
# only what spark.driver.extraJavaOptions says. Executors get Spark's module options from the driver's
# SparkContext and need only offline DJL and headless AWT on top.
JVM_OPTIONS="$(grep -v '^#' conf/jvm-options | tr '\n' ' ')"
submit() {
  local mode="$1" jar="$2"
  timeout "$DRIVER_TIMEOUT" scripts/spark-submit --master "$MASTER" --deploy-mode "$mode" \
    --class io.terraseg.cli.Main \
    --total-executor-cores 2 --executor-cores 1 --executor-memory 1g \
    --conf "spark.driver.extraJavaOptions=$JVM_OPTIONS" \
    --conf "spark.executor.extraJavaOptions=-Djava.awt.headless=true -Dai.djl.offline=true" \
    "$jar" segment --model "$ROOT/scripts/sample-model" \
    --input "$DIR/images" --labels "$DIR/labels" --output "$DIR/out-$mode" "${TILE[@]}" --vectors
}

say "client deploy mode"
if submit client target/terraseg-cluster.jar >"$WORK/submit-client.log" 2>&1; then
  pass "client: spark-submit exited 0"
else
  fail "client: spark-submit exited $? (log $WORK/submit-client.log):"
  grep -E '^terraseg: error|Exception' "$WORK/submit-client.log" | head -n 5 || true
fi

say "cluster deploy mode"
driver=""
if submit cluster "$DIR/terraseg-cluster.jar" >"$WORK/submit-cluster.log" 2>&1; then
  driver="$(grep -o 'Driver successfully submitted as driver-[0-9-]*' "$WORK/submit-cluster.log" | sed 's/.* as //')"
fi
if [[ -z "$driver" ]]; then
  fail "cluster: the driver was not submitted (log $WORK/submit-cluster.log)"
else
  say "driver $driver submitted; waiting for it to end (at most ${DRIVER_TIMEOUT}s)"
  # A Worker logs how its driver ended: "exited successfully" (exit 0), "exited with failure", "failed with
  # unrecoverable exception" or "was killed".
  deadline=$((SECONDS + DRIVER_TIMEOUT))
  outcome=""
  until outcome="$(grep -ho "Driver $driver [a-z ]*" "$TERRASEG_CLUSTER_DIR"/spark/worker-*.log \
      | grep -E 'exited|failed|killed' | head -n 1)" && [[ -n "$outcome" ]]; do
    if ((SECONDS > deadline)); then
      outcome="still running after ${DRIVER_TIMEOUT}s"
      scripts/spark-submit --master "$MASTER" --kill "$driver" >>"$WORK/submit-cluster.log" 2>&1 || true
      break
    fi
    sleep 2
  done
  driver_log="$(ls "$TERRASEG_CLUSTER_DIR"/spark/worker-*/"$driver"/stderr 2>/dev/null | head -n 1 || true)"
  if [[ "$outcome" == "Driver $driver exited successfully" ]]; then
    pass "cluster: driver $driver on a worker exited successfully"
  else
    fail "cluster: driver $driver: ${outcome:-no outcome} (log ${driver_log:-not found})"
    [[ -n "$driver_log" ]] && { grep -E '^terraseg: error|Exception' "$driver_log" | head -n 5 || true; }
  fi
fi

# ---- the comparison with the local run ----------------------------------------------------------------------
if wait "$local_run"; then
  pass "local: terraseg segment --master 'local[2]' exited 0"
else
  fail "local: terraseg segment failed (log $WORK/local.log):"
  tail -n 3 "$WORK/local.log"
fi

PYTHON="$(command -v /usr/bin/python3 || command -v python3)"
confusion() {
  "$PYTHON" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))["confusion_matrix"]))' "$1"
}
# Everything before the footer (the data pages) byte for byte, and footers of the same size: parquet-mr lists a
# column chunk's encodings in hash-set order, which differs from one JVM to the next.
same_parquet_data() {
  "$PYTHON" - "$1" "$2" <<'PY'
import struct, sys
a, b = (open(f, "rb").read() for f in sys.argv[1:])
footer = lambda d: struct.unpack("<i", d[-8:-4])[0]
sys.exit(0 if len(a) == len(b) and footer(a) == footer(b) and a[:len(a) - 8 - footer(a)] == b[:len(b) - 8 - footer(b)] else 1)
PY
}
for mode in client cluster; do
  out="$WORK/out-$mode"
  rm -rf "$out"
  if ! fs -get "$DIR/out-$mode" "$out"; then
    fail "$mode: no output directory $DIR/out-$mode on HDFS"
    continue
  fi
  if [[ -f "$out/_SUCCESS" ]]; then pass "$mode: _SUCCESS on HDFS"; else fail "$mode: no _SUCCESS on HDFS"; fi
  for scene in "${SCENES[@]}"; do
    if cmp -s "$WORK/out-local/$scene.mask.tif" "$out/$scene.mask.tif"; then
      pass "$mode: $scene.mask.tif equals the local run's byte for byte"
    else
      fail "$mode: $scene.mask.tif differs from the local run's (or is missing)"
    fi
    # The polygons, made on HDFS by an executor: the same bytes as the local run's.
    if cmp -s "$WORK/out-local/$scene.polygons.fgb" "$out/$scene.polygons.fgb"; then
      pass "$mode: $scene.polygons.fgb equals the local run's byte for byte"
    else
      fail "$mode: $scene.polygons.fgb differs from the local run's (or is missing)"
    fi
    if same_parquet_data "$WORK/out-local/polygons.parquet/$scene.parquet" "$out/polygons.parquet/$scene.parquet"
    then
      pass "$mode: polygons.parquet/$scene.parquet has the local run's data pages byte for byte"
    else
      fail "$mode: polygons.parquet/$scene.parquet differs from the local run's (or is missing)"
    fi
  done
  if [[ -f "$out/metrics.json" && -f "$WORK/out-local/metrics.json" ]] \
      && [[ "$(confusion "$out/metrics.json")" == "$(confusion "$WORK/out-local/metrics.json")" ]]; then
    pass "$mode: metrics.json confusion_matrix equals the local run's"
  else
    fail "$mode: metrics.json confusion_matrix differs from the local run's (or is missing)"
  fi
done

if ((failed)); then
  say "$failed check(s) FAILED; logs under $TERRASEG_CLUSTER_DIR"
  exit 1
fi
say "all checks passed"
