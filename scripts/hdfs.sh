#!/usr/bin/env bash
# A real HDFS on this machine, loopback only: a NameNode and a DataNode (Hadoop 3.4.1's MiniDFSCluster, started by
# Hadoop's own MiniHadoopClusterManager from hadoop-client-minicluster) in one background JVM, ports chosen by the
# system. Its class path comes from scripts/hdfs/pom.xml (built on first use into target/hdfs/).
#
#   scripts/hdfs.sh start   formats and starts it, waits until it accepts a write, prints hdfs://127.0.0.1:PORT last
#                           (if it is already running, prints its URL again)
#   scripts/hdfs.sh stop    stops it and deletes its data (idempotent)
#   scripts/hdfs.sh url     prints the URL of the running one
#
# State (pid, log, data, the running cluster's configuration conf.xml, and conf/core-site.xml, a client
# configuration to use as HADOOP_CONF_DIR) lives in $TERRASEG_CLUSTER_DIR/hdfs, default target/cluster/hdfs.
# HDFS_MEMORY: the JVM's heap (1g); HDFS_START_TIMEOUT: seconds to wait (120).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${TERRASEG_CLUSTER_DIR:-$ROOT/target/cluster}/hdfs"
CLASSPATH_FILE="$ROOT/target/hdfs/classpath.txt"
MAIN=org.apache.hadoop.mapreduce.MiniHadoopClusterManager
START_TIMEOUT="${HDFS_START_TIMEOUT:-120}"

log() { echo "hdfs: $*" >&2; }

# shellcheck source=scripts/daemons.sh
. "$ROOT/scripts/daemons.sh"

classpath() {
  if [[ ! -f "$CLASSPATH_FILE" || "$ROOT/scripts/hdfs/pom.xml" -nt "$CLASSPATH_FILE" ]]; then
    log "resolving the mini cluster's class path (scripts/hdfs/pom.xml)"
    mvn -B -q -f "$ROOT/scripts/hdfs/pom.xml" -Dhdfs.classpath.file="$CLASSPATH_FILE" package >&2
  fi
  cat "$CLASSPATH_FILE"
}

# Hadoop's FsShell (it insists on a core-site.xml on its class path: conf/), its chatter kept in the log.
fs_shell() {
  java -Xmx256m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$STATE/conf:$(classpath)" \
    org.apache.hadoop.fs.FsShell "$@" 2>>"$STATE/hdfs.log"
}

start() {
  if running_pid "$STATE/pid" "$MAIN" >/dev/null; then
    log "already running (pid $(cat "$STATE/pid"))"
    cat "$STATE/url"
    return
  fi
  local cp
  cp="$(classpath)"
  rm -rf "$STATE"
  mkdir -p "$STATE"
  # test.build.data is where MiniDFSCluster keeps the NameNode's and DataNode's directories. The manager writes the
  # running cluster's configuration to conf.xml once NameNode and DataNode are up.
  (cd "$STATE" && exec nohup java -Xmx"${HDFS_MEMORY:-1g}" -Djava.net.preferIPv4Stack=true \
    -Dtest.build.data="$STATE/data" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -Dorg.slf4j.simpleLogger.log.org.apache.hadoop.mapreduce.MiniHadoopClusterManager=info \
    -Dorg.slf4j.simpleLogger.showDateTime=true \
    -cp "$cp" "$MAIN" -nomr -format -datanodes 1 -nnport 0 -nnhttpport 0 -writeConfig "$STATE/conf.xml" \
    >"$STATE/hdfs.log" 2>&1 </dev/null) &
  echo $! >"$STATE/pid"
  log "starting NameNode + DataNode (pid $!, log $STATE/hdfs.log)"

  local deadline=$((SECONDS + START_TIMEOUT)) port=""
  while [[ -z "$port" ]]; do
    if ! running_pid "$STATE/pid" "$MAIN" >/dev/null; then
      log "failed to start; the end of $STATE/hdfs.log:"
      tail -n 30 "$STATE/hdfs.log" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "not up after ${START_TIMEOUT}s; see $STATE/hdfs.log"
      stop
      exit 1
    fi
    sleep 1
    if grep -q '</configuration>' "$STATE/conf.xml" 2>/dev/null; then
      port="$(grep -o '<name>fs.defaultFS</name><value>hdfs://[^<]*' "$STATE/conf.xml" | sed 's/.*://')"
    fi
  done
  local url="hdfs://127.0.0.1:$port"
  # A client configuration (HADOOP_CONF_DIR) for tools that want one, such as Hadoop's FsShell.
  mkdir -p "$STATE/conf"
  cat >"$STATE/conf/core-site.xml" <<XML
<?xml version="1.0"?>
<configuration>
  <property><name>fs.defaultFS</name><value>$url</value></property>
  <property><name>dfs.replication</name><value>1</value></property>
</configuration>
XML
  # Up means a client can write a file: NameNode out of safe mode, DataNode registered and taking blocks.
  until echo probe | fs_shell -put -f - "$url/.terraseg-probe" && fs_shell -rm -skipTrash "$url/.terraseg-probe" >/dev/null; do
    if ((SECONDS > deadline)); then
      log "$url does not accept writes after ${START_TIMEOUT}s; see $STATE/hdfs.log"
      stop
      exit 1
    fi
    sleep 2
  done
  echo "$url" >"$STATE/url"
  log "up: $url (NameNode and DataNode on 127.0.0.1)"
  echo "$url"
}

stop() {
  local pid
  if pid="$(running_pid "$STATE/pid" "$MAIN")"; then
    terminate "$pid" hdfs
  fi
  rm -f "$STATE/pid" "$STATE/url"
  rm -rf "$STATE/data"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  url) [[ -f "$STATE/url" ]] && running_pid "$STATE/pid" "$MAIN" >/dev/null && cat "$STATE/url" || { log "not running"; exit 1; } ;;
  *) echo "usage: scripts/hdfs.sh start|stop|url" >&2; exit 2 ;;
esac
