#!/usr/bin/env bash
# Inference speed of the built-in architectures (io.terraseg.model.arch), one JSON line per configuration,
# then FastFCN's claim as measured ratios (JPU at output stride 32 vs dilated backbone at 8, same head).
# Options go to BenchModels: --tile N (512) --batch N (1) --runs N (5) --warmup N (1) --device cpu|gpu
# --only NAME,... The defaults take about 1 minute on 2 idle CPU cores (7 GB RSS: all ten models stay loaded);
# timing is round-robin over the configurations, so load from other processes spreads over all of them and the
# ratios are steadier than the absolute times.
# Threads: TERRASEG_JAVA_OPTS="-Dai.djl.pytorch.num_threads=N".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ ! -f target/terraseg.jar || ! -d target/lib ]]; then
  echo "bench-models: building..." >&2
  mvn -q -B -DskipTests package >&2
fi
# Maven's resolution order where the build records it (a lib/* wildcard has no defined order).
if [[ -f target/classpath.txt ]]; then CP="target/terraseg.jar:$(cat target/classpath.txt)"; else CP='target/terraseg.jar:target/lib/*'; fi
JVM_OPTS=()
[[ -f conf/jvm-options ]] && JVM_OPTS+=("@conf/jvm-options")
exec java "${JVM_OPTS[@]}" -Dai.djl.offline=true ${TERRASEG_JAVA_OPTS:-} -cp "$CP" io.terraseg.model.arch.BenchModels "$@"
