#!/usr/bin/env bash
# The test command: installs what is missing (scripts/setup.sh), then builds and runs every test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
cd "$ROOT"
mvn -B verify "$@"
