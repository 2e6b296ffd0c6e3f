#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages SpawnAI needs to build, run and test, if any are missing.
set -euo pipefail

packages=(
    build-essential cmake ninja-build ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libqt6sql6-sqlite qtkeychain-qt6-dev qt6-qpa-plugins qt6-svg-dev
    bubblewrap python3 nodejs xdg-utils
)
if [[ ${1:-} == --test ]]; then
    packages+=(dbus dbus-x11 gnome-keyring libsecret-tools xvfb xauth procps iproute2)
fi

# Ubuntu 23.10+ lets only programs with an AppArmor "userns" rule create user namespaces, which bubblewrap
# needs for the Local sandbox. Give /usr/bin/bwrap that rule if (and only if) a trial sandbox fails because of it.
allow_bwrap_userns() {
    local restrict=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
    [[ -r $restrict && $(cat "$restrict") == 1 && -x /usr/bin/bwrap ]] || return 0
    /usr/bin/bwrap --unshare-all --ro-bind /usr /usr -- /usr/bin/true 2>/dev/null && return 0
    echo "AppArmor restricts user namespaces here; adding /etc/apparmor.d/spawnai-bwrap so bubblewrap can sandbox apps." >&2
    printf '%s\n' 'abi <abi/4.0>,' 'include <tunables/global>' \
        'profile spawnai-bwrap /usr/bin/bwrap flags=(unconfined) {' '  userns,' '}' |
        "${sudo[@]}" tee /etc/apparmor.d/spawnai-bwrap >/dev/null
    "${sudo[@]}" apparmor_parser -r /etc/apparmor.d/spawnai-bwrap
}

sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)

missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "Installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
allow_bwrap_userns
