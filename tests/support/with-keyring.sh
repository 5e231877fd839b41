#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command in a private D-Bus session with an unlocked gnome-keyring (a Secret Service
# for QtKeychain), with HOME and the XDG dirs in a fresh temporary directory:
#   tests/support/with-keyring.sh COMMAND [ARG...]
set -eu
base=$(mktemp -d "${TMPDIR:-/tmp}/berth-keyring-XXXXXX")
trap 'rm -rf "$base"' EXIT
mkdir -p "$base/home" "$base/config" "$base/data" "$base/cache" "$base/run"
chmod 700 "$base/run"
export HOME="$base/home" XDG_CONFIG_HOME="$base/config" XDG_DATA_HOME="$base/data" \
    XDG_CACHE_HOME="$base/cache" XDG_RUNTIME_DIR="$base/run"
unset DBUS_SESSION_BUS_ADDRESS
dbus-run-session -- sh -c 'printf %s berth | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "$@"' sh "$@"
