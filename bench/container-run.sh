#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Starting a container: `berthctl run --rm IMAGE /bin/true` (image present; --network none and
# the default bridge) against bare runc on a prepared bundle (`runc run`) and against
# `podman run --rm --network none`; then the CPU cost of sampling the stats of 50 running
# containers at 1 Hz (the GUI's StatsSampler thread, and the `berthctl stats` stream).
#   bench/container-run.sh            (as root; BERTHCTL=..., BERTH_GUI=..., BENCH_RUNS=15,
#                                      BENCH_DIR=..., BENCH_STATS_SECONDS=30)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
berthctl=${BERTHCTL:-$here/build/app/berthctl}
berth_gui=${BERTH_GUI:-$(dirname "$berthctl")/berth}
runs=${BENCH_RUNS:-15}
stats_seconds=${BENCH_STATS_SECONDS:-30}
base=${BENCH_DIR:-/var/tmp/berth-bench}/container-run
[ "$(id -u)" -eq 0 ] || { echo "bench/container-run.sh: run as root (runc, cgroups)" >&2; exit 1; }
for tool in runc crun unshare podman python3 busybox; do
  command -v "$tool" >/dev/null || { echo "bench/container-run.sh: needs $tool" >&2; exit 1; }
done
[ -x "$berthctl" ] || "$here/scripts/setup.sh" build

# Old output moves aside and is deleted at the very end (mass deletes slow this disk down).
mkdir -p "$base/trash"
for old in "$base"/run-*; do [ -e "$old" ] && mv "$old" "$base/trash/"; done
work="$base/run-$$"
mkdir -p "$work"
export BERTH_ROOT=$work/berth

# podman next to Berth (bench/podman.sh); a short runroot, see there.
podman_runroot=/run/berth-bench-podman-$$
# shellcheck source=bench/podman.sh
. "$here/bench/podman.sh"
podman_setup "$work" "$podman_runroot"

echo "== one busybox image in each tool, a runc bundle from the same files"
busybox_image_in_both "$work" "$berthctl" sh true sleep
rootfs=$work/rootfs
# The older berthctl gets a store of its own: it may not read the newer one's runtime choice.
if [ -n "${BERTHCTL_BASE:-}" ]; then
  BERTH_ROOT=$work/base-store "$BERTHCTL_BASE" import "$work/img.tar" bench/busybox:latest >/dev/null
fi
bundle=$work/bundle; mkdir -p "$bundle"
cp -a "$rootfs" "$bundle/rootfs"
(cd "$bundle" && runc spec)
python3 - "$bundle/config.json" <<'PY'
import json, sys
path = sys.argv[1]
spec = json.load(open(path))
spec["process"]["terminal"] = False
spec["process"]["args"] = ["/bin/true"]
json.dump(spec, open(path, "w"), indent=1)
PY
runc_root=$work/runc-root
crun_root=$work/crun-root
# crun refuses this hybrid cgroup host as it is; in a private mount namespace where the cgroup v2
# hierarchy shows no controllers it runs (the host's mounts are unchanged). Berth does the same.
crun_view=()
if grep -q . /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
  crun_view=(unshare -m --propagation slave sh -c
    'mount --bind /dev/null /sys/fs/cgroup/unified/cgroup.controllers && exec "$0" "$@"')
fi
# The same runtime on the bundle Berth itself generates (Docker's seccomp profile, capabilities,
# masked paths, cgroup limits, /etc files): what Berth adds around the runtime, and nothing else.
config_id=$("$berthctl" run -d --network none --name bench-config bench/busybox sleep 1000)
config_dir=$BERTH_ROOT/containers/$config_id
same=$work/same-bundle; mkdir -p "$same"
cp -a "$rootfs" "$same/rootfs"
cp "$config_dir/config.json" "$config_dir/hosts" "$config_dir/hostname" "$config_dir/resolv.conf" "$same/"
"$berthctl" rm -f bench-config >/dev/null
python3 - "$same" "$config_dir" <<'PY'
import json, sys
bundle, container = sys.argv[1], sys.argv[2]
spec = json.load(open(bundle + "/config.json"))
spec["process"]["args"] = ["/bin/true"]
spec["root"]["path"] = bundle + "/rootfs"
for m in spec["mounts"]:
    if m["source"].startswith(container + "/"):
        m["source"] = bundle + m["source"][len(container):]
spec["linux"]["cgroupsPath"] = "/berth-bench/same-config"
json.dump(spec, open(bundle + "/config.json", "w"))
PY

median() { python3 "$here/bench/benchlib.py" median "$1" "${2:-0}"; }
timed() { # OUT CMD...
  local out=$1; shift
  python3 "$here/bench/benchlib.py" run "$out" -- "$@" </dev/null >/dev/null
}
n=0
run_all() { # one run of each, into files with suffix $1 ("" for the timed ones)
  n=$((n + 1))
  timed "$work/berth-none$1" "$berthctl" run --rm --network none bench/busybox /bin/true
  timed "$work/berth-bridge$1" "$berthctl" run --rm bench/busybox /bin/true
  timed "$work/runc$1" runc --root "$runc_root" run --bundle "$bundle" "bench-$$-$n"
  timed "$work/runc-same$1" runc --root "$runc_root" run --bundle "$same" "bench-same-$$-$n"
  timed "$work/crun$1" "${crun_view[@]}" crun --root "$crun_root" run --bundle "$bundle" "bench-c-$$-$n"
  timed "$work/crun-same$1" "${crun_view[@]}" crun --root "$crun_root" run --bundle "$same" "bench-cs-$$-$n"
  if [ -n "${BERTHCTL_BASE:-}" ]; then
    timed "$work/base-none$1" env BERTH_ROOT="$work/base-store" \
      "$BERTHCTL_BASE" run --rm --network none bench/busybox /bin/true
  fi
  timed "$work/podman$1" podman run --rm --network none localhost/bench/busybox /bin/true
}
echo "== run --rm /bin/true ($runs runs each, interleaved, after a warm-up)"
run_all .warmup
for _ in $(seq 1 "$runs"); do run_all ""; done
kinds="berth-none berth-bridge runc runc-same crun crun-same podman"
[ -n "${BERTHCTL_BASE:-}" ] && kinds="$kinds base-none"
for f in $kinds; do
  if awk '$5 != 0 { bad = 1 } END { exit !bad }' "$work/$f"; then
    echo "bench/container-run.sh: $f failed in some runs (see $work/$f)" >&2; exit 1
  fi
done

gui_pct=n/a; cli_pct=n/a
if [ "$stats_seconds" -gt 0 ]; then
echo "== 50 running containers, stats sampled at 1 Hz for $stats_seconds s"
for i in $(seq 1 50); do
  "$berthctl" run -d --network none --name "s$i" bench/busybox sleep 100000 >/dev/null
done
ticks=$(getconf CLK_TCK)
cpu_ticks() { # PID [TID]: user + system ticks of a process or one of its threads
  local stat=/proc/$1/stat; [ -n "${2:-}" ] && stat=/proc/$1/task/$2/stat
  awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$stat"
}
# The GUI's sampler: the thread named berth-stats in a `berth` on the offscreen platform.
if [ -x "$berth_gui" ]; then
  QT_QPA_PLATFORM=offscreen "$berth_gui" >"$work/gui.log" 2>&1 &
  gui=$!
  tid=
  for _ in $(seq 1 100); do
    for t in /proc/$gui/task/*; do
      [ "$(cat "$t/comm" 2>/dev/null)" = berth-stats ] && tid=${t##*/}
    done
    [ -n "$tid" ] && break; sleep 0.2
  done
  if [ -n "$tid" ]; then
    sleep 3
    before=$(cpu_ticks "$gui" "$tid"); sleep "$stats_seconds"; after=$(cpu_ticks "$gui" "$tid")
    gui_pct=$(python3 -c "print('%.2f' % (($after - $before) / $ticks / $stats_seconds * 100))")
  else
    echo "bench/container-run.sh: no berth-stats thread in the GUI (see $work/gui.log)" >&2
  fi
  kill "$gui"; wait "$gui" 2>/dev/null || true
fi
# The command line's stream (reconciles every container and prints JSON every second).
"$berthctl" stats --format json >/dev/null &
cli=$!
sleep 3
before=$(cpu_ticks "$cli"); sleep "$stats_seconds"; after=$(cpu_ticks "$cli")
cli_pct=$(python3 -c "print('%.2f' % (($after - $before) / $ticks / $stats_seconds * 100))")
kill -INT "$cli"; wait "$cli" 2>/dev/null || true
"$berthctl" rm -f $(seq -f 's%g' 1 50) >/dev/null
fi

bn=$(median "$work/berth-none"); bb=$(median "$work/berth-bridge")
rc=$(median "$work/runc"); rs=$(median "$work/runc-same"); pm=$(median "$work/podman")
cc=$(median "$work/crun"); cs=$(median "$work/crun-same")
bs=nan; [ -n "${BERTHCTL_BASE:-}" ] && bs=$(median "$work/base-none")
cpu() { python3 - "$1" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("%.3f" % statistics.median(float(r[1]) + float(r[2]) for r in rows))
PY
}
python3 - "$bn" "$bb" "$rc" "$rs" "$pm" "$(cpu "$work/berth-none")" "$(cpu "$work/berth-bridge")" \
  "$(cpu "$work/runc")" "$(cpu "$work/runc-same")" "$(cpu "$work/podman")" "$gui_pct" "$cli_pct" \
  "$runs" "$cc" "$cs" "$bs" <<'PY'
import sys
bn, bb, rc, rs, pm, cbn, cbb, crc, crs, cpm = map(float, sys.argv[1:11])
gui, cli, runs = sys.argv[11], sys.argv[12], sys.argv[13]
cc, cs, bs = map(float, sys.argv[14:17])
ms = lambda s: "%.0f ms" % (s * 1000)
print(f"\n== results (median of {runs}; wall, and user+sys CPU of the command: berthctl's own, "
      "its shim and runc are not its children)")
print(f"  berthctl run --rm --network none     {ms(bn):>8}  cpu {ms(cbn)}")
print(f"  berthctl run --rm (bridge)           {ms(bb):>8}  cpu {ms(cbb)}")
print(f"  runc run, Berth's bundle             {ms(rs):>8}  cpu {ms(crs)}")
print(f"  runc run, `runc spec` bundle         {ms(rc):>8}  cpu {ms(crc)}")
print(f"  crun run, Berth's bundle             {ms(cs):>8}")
print(f"  crun run, `runc spec` bundle         {ms(cc):>8}")
print(f"  podman run --rm --network none       {ms(pm):>8}  cpu {ms(cpm)}")
if bs == bs:
    print(f"  BERTHCTL_BASE run --rm --network none {ms(bs):>7}")
print(f"  Berth (none) / runc, same bundle     {bn / rs:.2f}x   target < 1.5x "
      f"(Berth adds {ms(bn - rs)})")
print(f"  Berth (none) / runc, `runc spec`     {bn / rc:.2f}x   target <= 1.0x (no seccomp, fewer mounts)")
print(f"  Berth (none) / crun, `runc spec`     {bn / cc:.2f}x   target <= 2.5x")
print(f"  Berth (none) / crun, same bundle     {bn / cs:.2f}x")
print(f"  Berth (bridge) / runc, same bundle   {bb / rs:.2f}x")
print(f"  Berth (none) / podman                {bn / pm:.2f}x")
print(f"  stats of 50 containers at 1 Hz: GUI sampler thread {gui}% of one core "
      f"(target < 2%), berthctl stats stream {cli}%")
PY
podman rm -fa >/dev/null 2>&1 || true
# runc removes the same-bundle container's cgroup after each run, but not its parent.
for cg in /sys/fs/cgroup/*/berth-bench; do rmdir "$cg" 2>/dev/null || true; done
rm -rf --one-file-system "$podman_runroot"
if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$base/trash"; fi
