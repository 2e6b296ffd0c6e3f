#!/usr/bin/env bash
# Installs what is missing, builds SpawnAI and opens its window. Arguments go to spawnai: ./run.sh --help
# lists the command-line commands (./run.sh deploy PATH, ./run.sh list, ...).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
exec build/release/bin/spawnai "$@"
