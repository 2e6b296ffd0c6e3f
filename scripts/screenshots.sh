#!/usr/bin/env bash
# Screenshots of the main window with a realistic history and running sessions, light and dark, for looking at
# the UI as a user would. Usage: scripts/screenshots.sh [OUT_DIR] (needs a dev build: cmake --preset dev).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-/tmp/spawnai-screenshots}")
bin=build/dev/bin
shot=../shared/tools/screenshot
mkdir -p "$out"

for theme in light dark; do
    home=$(mktemp -d)
    export XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config
    QT_QPA_PLATFORM=offscreen "$bin/seed_demo"
    "$bin/spawnai" config appearance.theme "$theme" 2>/dev/null
    "$bin/spawnai" config defaults.open-browser false 2>/dev/null
    # Real running sessions, from the CLI: one with hours left, one a few minutes from expiry.
    "$bin/spawnai" deploy resources/examples/notes-python --name "notes board" --ttl 2h >/dev/null 2>&1 &
    long=$!
    "$bin/spawnai" deploy resources/examples/clock-node --name "world clock" --ttl 8m >/dev/null 2>&1 &
    soon=$!
    sleep 2
    "$shot" "$out/main-$theme.png" --wait 4 -- "$bin/spawnai"
    kill -INT $long $soon
    wait $long $soon 2>/dev/null || true
    rm -rf "$home"
done
echo "screenshots in $out"
