#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The desktop app's figures against issue 5's targets (there is no peer GUI to run next to it):
#   a. launch to the first painted window with 200 images and 100 containers in the store
#   b. idle CPU of the app with 20 running containers (Images page, Containers page)
#   c. Logs tab on a 1,000,000-line log: time to open, resident memory
#   d. layer explorer on the 20k-file bench image (bench/image-store.sh's): first paint, filter
# The app measures itself only where an outside observer cannot (BERTH_BENCH, app/benchprobe.h).
#   bench/gui.sh                   (as root; BERTH_BUILD_DIR=..., BENCH_RUNS=5, BENCH_DIR=...)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BERTH_BUILD_DIR:-$here/build}
berthctl=$build/app/berthctl
berth=$build/app/berth
runs=${BENCH_RUNS:-5}
bench_dir=${BENCH_DIR:-/var/tmp/berth-bench}
base=$bench_dir/gui
lib=(python3 "$here/bench/benchlib.py")
[ "$(id -u)" -eq 0 ] || { echo "bench/gui.sh: run as root (containers need runc)" >&2; exit 1; }
for tool in Xvfb python3 busybox; do
  command -v "$tool" >/dev/null || { echo "bench/gui.sh: needs $tool" >&2; exit 1; }
done
[ -x "$berth" ] && [ -x "$berthctl" ] || BERTH_BUILD_DIR=$build "$here/scripts/setup.sh" build

# Old output moves aside and is deleted at the very end (mass deletes slow this disk down).
mkdir -p "$base/trash"
for old in "$base"/run-*; do [ -e "$old" ] && mv "$old" "$base/trash/"; done
work="$base/run-$$"
mkdir -p "$work"
export BERTH_ROOT=$work/berth
# The app's settings in the work dir: nothing from the user's (an enabled API, a language).
export XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache
display=:$((200 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display QT_QPA_PLATFORM=xcb
cleanup() {
  "$berthctl" ps -aq 2>/dev/null | xargs -r "$berthctl" rm -f >/dev/null 2>&1 || true
  kill "$xvfb" 2>/dev/null || true
}
trap cleanup EXIT
sleep 1
ctl() { "$berthctl" "$@"; }

echo "== populating the store: 200 images, 100 containers"
ctl starter >/dev/null
rootfs=$work/rootfs; mkdir -p "$rootfs/bin"; cp "$(command -v busybox)" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
for i in $(seq 1 200); do
  echo "$i" > "$rootfs/id"
  tar -C "$rootfs" -cf "$work/img.tar" .
  ctl import "$work/img.tar" "bench/img$i:latest" >/dev/null
done
for i in $(seq 1 100); do
  ctl create --name "c$i" bench/img1 /bin/sh -c true >/dev/null
done

echo "== a. launch to first paint ($runs runs)"
BERTH_BENCH=first-paint "${lib[@]}" probe "$work/first-paint" -- "$berth" >/dev/null  # warm-up
: > "$work/first-paint"
for _ in $(seq 1 "$runs"); do
  BERTH_BENCH=first-paint "${lib[@]}" probe "$work/first-paint" -- "$berth"
done

echo "== b. idle CPU with 20 running containers (30 s per page)"
for i in $(seq 1 20); do
  ctl run -d --name "r$i" bench/img1 /bin/busybox sleep 100000 >/dev/null
done
idle_cpu() { # [berth options]: % of a core over 30 s, once the window shows its data
  local fifo=$work/idle.fifo
  rm -f "$fifo"; mkfifo "$fifo"
  BERTH_BENCH=idle "$berth" "$@" >"$fifo" & local pid=$!
  read -r _ <"$fifo"
  sleep 5
  "${lib[@]}" cpu "$pid" 30
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
cpu_images=$(idle_cpu)
cpu_containers=$(idle_cpu --page containers)
ctl rm -f $(seq -f 'r%g' 1 20) >/dev/null

echo "== c. Logs tab on a 1,000,000-line log"
ctl run -d --name biglog bench/img1 /bin/busybox seq 1 1000000 >/dev/null
ctl wait biglog >/dev/null
log=$(ctl inspect biglog | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["LogPath"])')
log_lines=$(wc -l <"$log")
for _ in $(seq 1 "$runs"); do
  BERTH_BENCH=logs:biglog "${lib[@]}" probe "$work/logs" -- "$berth"
done

echo "== d. layer explorer on the 20k-file bench image"
layout=$bench_dir/image
stamp=$bench_dir/image.stamp
if ! { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$("${lib[@]}" version)" ] && [ -f "$layout/index.json" ]; }; then
  echo "bench/gui.sh: the bench image is missing; bench/image-store.sh generates it" >&2
  "${lib[@]}" mkimage "$layout.tmp"
  mv "$layout.tmp" "$layout"
  sed -i "s|^$layout.tmp/|$layout/|" "$layout/layers.txt"
  "${lib[@]}" version >"$stamp"
fi
ctl load -i "$layout" >/dev/null
# The first opening analyzes the image (cold); later ones read the analysis cache.
BERTH_BENCH=explorer:bench:latest "${lib[@]}" probe "$work/explorer-cold" -- "$berth"
for _ in $(seq 1 "$runs"); do
  BERTH_BENCH=explorer:bench:latest "${lib[@]}" probe "$work/explorer" -- "$berth"
done

v() { "${lib[@]}" value "$@"; }
mib() { python3 -c "print('%.0f' % (float('$1') / 1048576))"; }
echo
echo "| measurement (median of $runs)                                   | figure    | target     |"
echo "|----------------------------------------------------------------|-----------|------------|"
printf "| a. launch to first painted window (200 images, 100 containers) | %6s ms | < 300 ms   |\n" "$(v "$work/first-paint" first-paint)"
printf "|    launch to the window painted with the image list            | %6s ms |            |\n" "$(v "$work/first-paint" data-paint)"
printf "| b. idle CPU, 20 running containers, Images page                | %6s %%  | < 1%%       |\n" "$cpu_images"
printf "|    idle CPU, 20 running containers, Containers page            | %6s %%  | < 1%%       |\n" "$cpu_containers"
printf "| c. Logs tab, %7d lines: open to painted (all indexed)       | %6s ms | < 500 ms   |\n" "$log_lines" "$(v "$work/logs" logs-open)"
printf "|    app memory (RSS) with it open                               | %6s MiB | < 250 MiB  |\n" "$(mib "$(v "$work/logs" rss)")"
printf "| d. layer explorer, 20k files: first paint, analysis cold       | %6s ms | < 1000 ms  |\n" "$(v "$work/explorer-cold" explorer-paint)"
printf "|    first paint, analysis cached                                | %6s ms | < 1000 ms  |\n" "$(v "$work/explorer" explorer-paint)"
printf "|    filter by name (%5s rows shown)                           | %6s ms | < 100 ms   |\n" "$(v "$work/explorer" filter-rows)" "$(v "$work/explorer" filter)"

cleanup
trap - EXIT
rm -rf "$base/trash"
[ "${BENCH_KEEP:-0}" = 1 ] || { mv "$work" "$base/trash-$$" && rm -rf "$base/trash-$$"; }
