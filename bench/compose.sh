#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# A 5-service busybox project (a chain of depends_on, httpd in each, a published port on the
# last): `berthctl compose up -d --wait` and `compose down` against podman-compose with podman
# (rootful) on the same machine, in the same run, interleaved. Health checks are not in Berth
# yet, so the project has none (the issue's figure wants one service waiting on another's
# health, interval 1 s: add it here when they land).
#   bench/compose.sh            (as root; BERTHCTL=..., BENCH_RUNS=10, BENCH_DIR=...,
#                                PODMAN_COMPOSE=podman-compose)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
berthctl=${BERTHCTL:-$here/build/app/berthctl}
runs=${BENCH_RUNS:-10}
podman_compose=${PODMAN_COMPOSE:-podman-compose}
base=${BENCH_DIR:-/var/tmp/berth-bench}/compose
[ "$(id -u)" -eq 0 ] || { echo "bench/compose.sh: run as root (runc, cgroups)" >&2; exit 1; }
for tool in podman python3 busybox "$podman_compose"; do
  command -v "$tool" >/dev/null || { echo "bench/compose.sh: needs $tool" >&2; exit 1; }
done
[ -x "$berthctl" ] || "$here/scripts/setup.sh" build

mkdir -p "$base/trash"
for old in "$base"/run-*; do [ -e "$old" ] && mv "$old" "$base/trash/"; done
work="$base/run-$$"
mkdir -p "$work/project"
export BERTH_ROOT=$work/berth
podman_runroot=/run/berth-bench-pc-$$
# shellcheck source=bench/podman.sh
. "$here/bench/podman.sh"
podman_setup "$work" "$podman_runroot"

echo "== one busybox image in each tool"
busybox_image_in_both "$work" "$berthctl" sh httpd sleep
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])')
write_project() { # IMAGE
  {
    echo "services:"
    for i in 1 2 3 4 5; do
      echo "  s$i:"
      echo "    image: $1"
      echo "    command: [httpd, -f, -p, \"80\"]"
      [ "$i" -gt 1 ] && echo "    depends_on: [s$((i - 1))]"
    done
    echo "    ports: [\"$port:80\"]"
  } > "$work/project/compose.yaml"
}

median() { python3 "$here/bench/benchlib.py" median "$1" "${2:-0}"; }
timed() { # OUT CMD...
  local out=$1; shift
  python3 "$here/bench/benchlib.py" run "$out" -- "$@" </dev/null >/dev/null
}
cd "$work/project"
run_all() { # one up and one down of each, into files with suffix $1
  write_project bench/busybox
  timed "$work/berth-up$1" "$berthctl" compose -p benchb up -d --wait
  timed "$work/berth-down$1" "$berthctl" compose -p benchb down
  write_project localhost/bench/busybox
  timed "$work/podman-up$1" "$podman_compose" -p benchp up -d
  timed "$work/podman-down$1" "$podman_compose" -p benchp down
}
echo "== compose up -d (--wait) and down of 5 services ($runs runs each, interleaved, after a warm-up)"
run_all .warmup
for _ in $(seq 1 "$runs"); do run_all ""; done
for f in berth-up berth-down podman-up podman-down; do
  if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$work/$f"; then
    echo "bench/compose.sh: $f failed in some runs (see $work/$f)" >&2; exit 1
  fi
done
for what in up down; do
  b=$(median "$work/berth-$what"); p=$(median "$work/podman-$what")
  printf '%-5s berthctl %6.3f s   podman-compose %6.3f s   ratio %.2fx\n' "$what" "$b" "$p" \
    "$(python3 -c "print($b / $p)")"
done
echo "(shared 2-core machine: other work ran at the same time)"
rm -rf "$base/trash" "$podman_runroot"
