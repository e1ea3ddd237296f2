#!/usr/bin/env bash
# Builds this machine's stand-in Spark distribution, SPARK_HOME (default target/spark-home): jars/ from
# scripts/spark-dist/pom.xml (Spark 4.0.1 for Scala 2.13 with Hadoop 3.4.1's client jars, from Maven Central),
# a RELEASE file as a distribution has (Spark's launcher finds the jars by jars/ alone and reads RELEASE only to
# find the examples) and conf/spark-env.sh, which binds every Spark process of this machine to loopback.
# Spark's launcher also needs SPARK_SCALA_VERSION, which scripts/spark-class exports as bin/load-spark-env.sh does.
# Does nothing when it is up to date. Usage: scripts/spark-dist/build.sh [SPARK_HOME]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
HOME_DIR="${1:-$ROOT/target/spark-home}"
if [[ -f "$HOME_DIR/RELEASE" && "$HOME_DIR/RELEASE" -nt "$HERE/pom.xml" && "$HOME_DIR/RELEASE" -nt "${BASH_SOURCE[0]}" ]]; then
  exit 0
fi
echo "spark-dist: building the stand-in Spark distribution in $HOME_DIR" >&2
mkdir -p "$HOME_DIR/conf"
rm -rf "$HOME_DIR/jars" "$HOME_DIR/RELEASE"
HOME_DIR="$(cd "$HOME_DIR" && pwd)"
mvn -B -q -f "$HERE/pom.xml" -Dspark.home.dir="$HOME_DIR" package >&2
cat >"$HOME_DIR/conf/spark-env.sh" <<'ENV'
# Sourced by scripts/spark-class, as a distribution's bin/load-spark-env.sh sources it: this machine's Spark
# (spark-submit, Master, Workers, and the drivers and executors they launch) binds loopback only.
SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
ENV
echo "Spark 4.0.1 (Scala 2.13, Hadoop 3.4.1 client): a stand-in assembled from Maven Central by scripts/spark-dist" \
  > "$HOME_DIR/RELEASE"
