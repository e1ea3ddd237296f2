#!/usr/bin/env bash
# The test command: installs what is missing (scripts/setup.sh), then builds and runs every test (mvn verify),
# then the cluster stage (scripts/test-cluster.sh: a Spark standalone cluster and HDFS on this machine).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
mvn -B verify "$@"
scripts/test-cluster.sh
