#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors and runs every test. Arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh --test
cmake --preset ci
cmake --build --preset ci
exec scripts/test-session.sh ctest --preset ci "$@"
