#!/usr/bin/env bash
# Runs a command the way the tests need it: a private D-Bus session with an unlocked, throw-away gnome-keyring
# and a throw-away home for SpawnAI's data, so nothing touches the user's own keyring or sessions.
set -euo pipefail

if [[ -z ${SPAWNAI_TEST_SESSION:-} ]]; then
    export SPAWNAI_TEST_SESSION=1
    exec dbus-run-session -- "$0" "$@"
fi

scratch=$(mktemp -d -t spawnai-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{data,config,runtime,cache,keyring}
chmod 700 "$scratch/runtime"
export XDG_RUNTIME_DIR="$scratch/runtime"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache"

# The keyring keeps its own data home so a keyring left by an earlier run (another password) is never reused.
printf %s spawnai-test | XDG_DATA_HOME="$scratch/keyring" \
    gnome-keyring-daemon --unlock --components=secrets >"$scratch/keyring.env"
export XDG_DATA_HOME="$scratch/data"

"$@"
