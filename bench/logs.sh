#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Reading a big log: `berthctl logs` of a container that printed 200,000 lines (`seq`) against
# `podman logs` of the same container in podman, and `cat` of Berth's log file (the disk's
# floor); with --tail 10, and with -t. Optionally a second berthctl on the same store (the one
# before a change), timed in the same runs.
#   bench/logs.sh            (as root; BERTHCTL=..., BERTHCTL_BASE=..., BENCH_RUNS=7,
#                             BENCH_LINES=200000, BENCH_DIR=...)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
berthctl=${BERTHCTL:-$here/build/app/berthctl}
base_berthctl=${BERTHCTL_BASE:-}
runs=${BENCH_RUNS:-7}
lines=${BENCH_LINES:-200000}
base=${BENCH_DIR:-/var/tmp/berth-bench}/logs
[ "$(id -u)" -eq 0 ] || { echo "bench/logs.sh: run as root (runc, cgroups)" >&2; exit 1; }
for tool in runc podman python3 busybox strace; do
  command -v "$tool" >/dev/null || { echo "bench/logs.sh: needs $tool" >&2; exit 1; }
done
[ -x "$berthctl" ] || "$here/scripts/setup.sh" build

mkdir -p "$base/trash"
for old in "$base"/run-*; do [ -e "$old" ] && mv "$old" "$base/trash/"; done
work="$base/run-$$"
mkdir -p "$work"
export BERTH_ROOT=$work/store
podman_runroot=/run/berth-bench-podman-$$
# shellcheck source=bench/podman.sh
. "$here/bench/podman.sh"
podman_setup "$work" "$podman_runroot"

echo "== one busybox image in each tool; a container printing $lines lines in each"
busybox_image_in_both "$work" "$berthctl" sh seq
id=$("$berthctl" run -d --network none --name talker bench/busybox seq 1 "$lines")
"$berthctl" wait talker >/dev/null
podman run -d --network none --log-driver k8s-file --name talker \
  localhost/bench/busybox seq 1 "$lines" >/dev/null
podman wait talker >/dev/null
log=$BERTH_ROOT/containers/$id/ctr.log
[ "$("$berthctl" logs talker | wc -l)" -eq "$lines" ] || { echo "bench/logs.sh: berthctl logs lost lines" >&2; exit 1; }
[ "$(podman logs talker | wc -l)" -eq "$lines" ] || { echo "bench/logs.sh: podman logs lost lines" >&2; exit 1; }
echo "   Berth's log: $(stat -c %s "$log") bytes"

median() { python3 "$here/bench/benchlib.py" median "$1" "${2:-0}"; }
timed() { # OUT CMD... (output to /dev/null)
  local out=$1; shift
  python3 "$here/bench/benchlib.py" run "$out" -- "$@" </dev/null >/dev/null 2>&1
}
kinds="berth podman cat berth-tail podman-tail berth-t podman-t"
[ -n "$base_berthctl" ] && kinds="$kinds base base-tail base-t"
run_all() { # SUFFIX
  timed "$work/berth$1" "$berthctl" logs talker
  timed "$work/podman$1" podman logs talker
  timed "$work/cat$1" cat "$log"
  timed "$work/berth-tail$1" "$berthctl" logs --tail 10 talker
  timed "$work/podman-tail$1" podman logs --tail 10 talker
  timed "$work/berth-t$1" "$berthctl" logs -t talker
  timed "$work/podman-t$1" podman logs -t talker
  if [ -n "$base_berthctl" ]; then
    timed "$work/base$1" "$base_berthctl" logs talker
    timed "$work/base-tail$1" "$base_berthctl" logs --tail 10 talker
    timed "$work/base-t$1" "$base_berthctl" logs -t talker
  fi
}
echo "== logs ($runs runs each, interleaved, after a warm-up; page cache warm)"
run_all .warmup
for _ in $(seq 1 "$runs"); do run_all ""; done
for f in $kinds; do
  if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$work/$f"; then
    echo "bench/logs.sh: $f failed in some runs (see $work/$f)" >&2; exit 1
  fi
done

syscalls() { # CMD...: total system calls, writes, stats
  strace -f -c -o "$work/strace.txt" "$@" >/dev/null 2>&1
  awk '$NF == "total" { t = $4 } $NF == "write" { w = $4 } $NF ~ /stat/ { s += $4 }
       END { printf "%d calls, %d writes, %d stat calls\n", t, w, s }' "$work/strace.txt"
}
echo "== system calls of one run (strace -f -c, output to /dev/null)"
echo "   berthctl logs:        $(syscalls "$berthctl" logs talker)"
[ -n "$base_berthctl" ] && echo "   berthctl logs (base): $(syscalls "$base_berthctl" logs talker)"
echo "   podman logs:          $(syscalls podman logs talker)"

args=()
for f in $kinds; do args+=("$f" "$(median "$work/$f")" "$(median "$work/$f" 1)" "$(median "$work/$f" 2)"); done
python3 - "$runs" "$lines" "${args[@]}" <<'PY'
import sys
runs, lines = sys.argv[1], int(sys.argv[2])
rest = sys.argv[3:]
m = {rest[i]: tuple(map(float, rest[i + 1:i + 4])) for i in range(0, len(rest), 4)}
ms = lambda s: "%.0f ms" % (s * 1000)
print(f"\n== results (median of {runs}; wall, and user+sys CPU)")
labels = {"berth": "berthctl logs", "base": "berthctl logs (base)", "podman": "podman logs",
          "cat": "cat ctr.log", "berth-tail": "berthctl logs --tail 10",
          "base-tail": "berthctl logs --tail 10 (base)", "podman-tail": "podman logs --tail 10",
          "berth-t": "berthctl logs -t", "base-t": "berthctl logs -t (base)",
          "podman-t": "podman logs -t"}
for k, label in labels.items():
    if k in m:
        w, u, s = m[k]
        print(f"  {label:<34} {ms(w):>8}  cpu {ms(u + s)}")
print(f"  logs Berth / podman                {m['berth'][0] / m['podman'][0]:.2f}x   "
      "target <= 0.2x (goal 0.1x)")
print(f"  logs -t Berth / podman             {m['berth-t'][0] / m['podman-t'][0]:.2f}x")
print(f"  logs --tail 10 Berth / podman      {m['berth-tail'][0] / m['podman-tail'][0]:.2f}x")
if "base" in m:
    print(f"  logs Berth / base                  {m['berth'][0] / m['base'][0]:.2f}x")
PY
podman rm -fa >/dev/null 2>&1 || true
"$berthctl" rm -f talker >/dev/null
rm -rf --one-file-system "$podman_runroot"
if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$base/trash"; fi
