#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages SpawnAI needs to build, run and test, if any are missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qtkeychain-qt6-dev qt6-qpa-plugins
    bubblewrap python3 nodejs xdg-utils
)
if [[ ${1:-} == --test ]]; then
    packages+=(dbus dbus-x11 gnome-keyring libsecret-tools xvfb xauth procps iproute2)
fi

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "Installing: ${missing[*]}" >&2
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
