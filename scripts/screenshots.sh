#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Takes screenshots of Berth's pages under Xvfb, on a private store filled with real data, so
# people can look at what the app shows: scripts/screenshots.sh [OUTPUT_DIR]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$here/build/screenshots}
build=${BERTH_BUILD_DIR:-$here/build}
mkdir -p "$out"
work=$(mktemp -d /var/tmp/berth-shots-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
export BERTH_ROOT=$work/store
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
export DISPLAY=$display QT_QPA_PLATFORM=xcb
sleep 1

shot() { # name: wait for the window to settle, then grab the screen
  sleep "${2:-2}"
  import -window root "$out/$1.png"
  echo "screenshot: $out/$1.png"
}

# 1. First start: an empty store shows the welcome page.
"$build/app/berth" & app=$!
shot 01-welcome
kill $app; wait $app 2>/dev/null || true

# 2. With images: the starter image, and a second tag.
"$build/app/berthctl" starter >/dev/null
"$build/app/berthctl" tag berth/busybox:latest localhost:5000/team/tools:1.0 >/dev/null
LANG=${SHOT_LANG:-C.UTF-8} "$build/app/berth" & app=$!
shot 02-images
kill $app; wait $app 2>/dev/null || true

# 3. The same in Korean.
LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko "$build/app/berth" & app=$!
shot 03-images-ko
kill $app; wait $app 2>/dev/null || true
