#!/usr/bin/env bash
# Installs what is missing, builds SpawnAI and runs it. Arguments go to spawnai (see ./run.sh --help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
if [[ $# -eq 0 ]]; then
    set -- deploy resources/examples/pomodoro --open
fi
exec build/release/bin/spawnai "$@"
