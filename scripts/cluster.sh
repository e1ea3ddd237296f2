#!/usr/bin/env bash
# A Spark standalone cluster on this machine, loopback only: one Master and two Workers, each its own background
# JVM started the way a distribution's sbin/start-master.sh and sbin/start-worker.sh start them (Spark's launcher,
# through scripts/spark-class, from SPARK_HOME: default target/spark-home, the stand-in distribution built by
# scripts/spark-dist/build.sh). Ports are chosen by the system. SPARK_START_TIMEOUT: seconds to wait (120).
#
#   scripts/cluster.sh start   starts them, waits until both workers have registered, prints spark://127.0.0.1:PORT
#                              last (if the cluster is already running, prints its URL again)
#   scripts/cluster.sh stop    stops workers (and the executors and drivers they run) and master (idempotent)
#   scripts/cluster.sh url     prints the URL of the running master
#
# State (pid files, logs, the workers' work directories with executor and driver logs, Spark's local dirs) lives
# in $TERRASEG_CLUSTER_DIR/spark, default target/cluster/spark. Each worker offers SPARK_WORKER_CORES (default 2)
# cores and SPARK_WORKER_MEMORY (default 2g) to applications; in cluster deploy mode the driver takes its share
# of one worker (spark.driver.cores, spark.driver.memory).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${TERRASEG_CLUSTER_DIR:-$ROOT/target/cluster}/spark"
WORKERS=2
START_TIMEOUT="${SPARK_START_TIMEOUT:-120}"
export SPARK_HOME="${SPARK_HOME:-$ROOT/target/spark-home}"
# Every Spark process here (master, workers, the executors and drivers the workers launch) binds loopback.
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_LOCAL_DIRS="$STATE/local"

log() { echo "cluster: $*" >&2; }

# shellcheck source=scripts/daemons.sh
. "$ROOT/scripts/daemons.sh"

MASTER=org.apache.spark.deploy.master.Master
WORKER=org.apache.spark.deploy.worker.Worker

# Starts a daemon in the background with its output in NAME.log and its pid in NAME.pid.
daemon() {
  local name="$1"
  shift
  nohup "$ROOT/scripts/spark-class" "$@" >"$STATE/$name.log" 2>&1 </dev/null &
  echo $! >"$STATE/$name.pid"
}

fail() {
  log "$1; the end of $2:"
  tail -n 30 "$2" >&2
  stop
  exit 1
}

start() {
  if [[ -f "$STATE/url" ]] && running_pid "$STATE/master.pid" "$MASTER" >/dev/null; then
    log "already running"
    cat "$STATE/url"
    return
  fi
  stop 2>/dev/null
  if [[ "$SPARK_HOME" == "$ROOT/target/spark-home" ]]; then
    "$ROOT/scripts/spark-dist/build.sh" "$SPARK_HOME"
  fi
  rm -rf "$STATE"
  mkdir -p "$STATE/local"

  daemon master "$MASTER" --host 127.0.0.1 --port 0 --webui-port 0
  local deadline=$((SECONDS + START_TIMEOUT)) url=""
  until url="$(grep -o 'Starting Spark master at spark://[^ ]*' "$STATE/master.log" 2>/dev/null | sed 's/.* at //')" \
      && [[ -n "$url" ]]; do
    running_pid "$STATE/master.pid" "$MASTER" >/dev/null || fail "the master did not start" "$STATE/master.log"
    ((SECONDS < deadline)) || fail "the master did not start in ${START_TIMEOUT}s" "$STATE/master.log"
    sleep 0.5
  done
  log "master $url (pid $(cat "$STATE/master.pid"), log $STATE/master.log)"

  for i in $(seq 1 "$WORKERS"); do
    mkdir -p "$STATE/worker-$i"
    daemon "worker-$i" "$WORKER" --host 127.0.0.1 --port 0 --webui-port 0 \
      --cores "${SPARK_WORKER_CORES:-2}" --memory "${SPARK_WORKER_MEMORY:-2g}" --work-dir "$STATE/worker-$i" "$url"
  done
  for i in $(seq 1 "$WORKERS"); do
    until grep -q 'Successfully registered with master' "$STATE/worker-$i.log" 2>/dev/null; do
      running_pid "$STATE/worker-$i.pid" "$WORKER" >/dev/null \
        || fail "worker $i did not start" "$STATE/worker-$i.log"
      ((SECONDS < deadline)) || fail "worker $i did not register in ${START_TIMEOUT}s" "$STATE/worker-$i.log"
      sleep 0.5
    done
    log "worker $i registered (pid $(cat "$STATE/worker-$i.pid"), log $STATE/worker-$i.log)"
  done
  local registered
  registered="$(grep -c 'Registering worker' "$STATE/master.log")"
  [[ "$registered" == "$WORKERS" ]] || fail "the master registered $registered workers, not $WORKERS" "$STATE/master.log"
  echo "$url" >"$STATE/url"
  echo "$url"
}

# SIGTERM, then SIGKILL after 20 s. A Worker kills the executors and drivers it runs as it stops.
stop_daemon() {
  local name="$1" class="$2" pid
  if pid="$(running_pid "$STATE/$name.pid" "$class")"; then
    terminate "$pid" "$name"
  fi
  rm -f "$STATE/$name.pid"
}

stop() {
  for i in $(seq 1 "$WORKERS"); do
    stop_daemon "worker-$i" "$WORKER"
  done
  stop_daemon master "$MASTER"
  rm -f "$STATE/url"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [[ -f "$STATE/url" ]] && running_pid "$STATE/master.pid" "$MASTER" >/dev/null && cat "$STATE/url" \
    || { log "not running"; exit 1; } ;;
  *) echo "usage: scripts/cluster.sh start|stop|url" >&2; exit 2 ;;
esac
