#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Registry pull benchmark: pull-to-ready (downloaded, verified, unpacked) of the ~400 MB
# 5-layer bench image from a loopback docker-registry with `berthctl pull`, against
# `podman pull` and against `skopeo copy` (download only) + `umoci unpack`; Berth's peak RSS.
# Prints figures and ratios; asserts nothing. See bench/README.md.
#
#   bench/registry-pull.sh
#
# Environment:
#   BENCH_DIR    work dir (default /var/tmp/berth-bench-pull): registry config and storage,
#                podman config, stores, outputs
#   BENCH_IMAGE  the OCI layout to push (default /var/tmp/berth-bench/image, which
#                bench/image-store.sh writes; generated into BENCH_DIR when missing)
#   BERTHCTL     the berthctl to measure (default: <repo>/build/app/berthctl, built if missing)
#   BENCH_RUNS   timed runs per measurement (default 3; the median is reported)
#   BENCH_KEEP   1: keep this run's outputs in BENCH_DIR/runs for inspection
#   BENCH_NICE   niceness of the timed commands (default -10 as root, else 0)
#
# Like image-store.sh, every timed run writes into a new directory and earlier outputs are
# moved aside, never deleted before or between timings; the trash is deleted at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bench_dir=${BENCH_DIR:-/var/tmp/berth-bench-pull}
berthctl=${BERTHCTL:-$repo/build/app/berthctl}
runs=${BENCH_RUNS:-3}
lib=("python3" "$here/benchlib.py")

trash=$bench_dir/trash
out=$bench_dir/runs
stamp_now=$(date +%Y%m%d-%H%M%S)-$$

say() { printf '%s\n' "$*"; }
die() { say "registry-pull: $*" >&2; exit 1; }
trash_it() {
    local p
    mkdir -p "$trash/$stamp_now"
    for p in "$@"; do
        [ -e "$p" ] || continue
        mv "$p" "$trash/$stamp_now/$(basename "$p").$RANDOM$RANDOM"
    done
}

for tool in python3 docker-registry skopeo umoci podman; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh installs it)"
done
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd)

can_drop=0
if [ -w /proc/sys/vm/drop_caches ]; then can_drop=1; fi
if [ "$(id -u)" = 0 ]; then bench_nice=${BENCH_NICE:--10}; else bench_nice=${BENCH_NICE:-0}; fi
prio=(nice -n "$bench_nice")
if [ "$bench_nice" -lt 0 ] && command -v ionice >/dev/null; then prio+=(ionice -c 2 -n 0); fi
drop_caches() {
    sync
    if [ "$can_drop" = 1 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

# --- 1. the image --------------------------------------------------------------------------
version=$("${lib[@]}" version)
layout=${BENCH_IMAGE:-/var/tmp/berth-bench/image}
shared_stamp=$(dirname "$layout")/image.stamp
if [ -f "$layout/index.json" ] && [ -f "$shared_stamp" ] && [ "$(cat "$shared_stamp")" = "$version" ]; then
    say "image: reusing $layout (generator version $version)"
else
    layout=$bench_dir/image
    if [ -f "$layout/index.json" ] && [ "$(cat "$bench_dir/image.stamp" 2>/dev/null)" = "$version" ]; then
        say "image: reusing $layout (generator version $version)"
    else
        say "image: generating $layout (generator version $version)"
        trash_it "$layout" "$layout.tmp"
        "${lib[@]}" mkimage "$layout.tmp"
        mv "$layout.tmp" "$layout"
        sed -i "s|^$layout.tmp/|$layout/|" "$layout/layers.txt"
        echo "$version" >"$bench_dir/image.stamp"
    fi
fi
image_id=$("${lib[@]}" image-id "$layout")
image_bytes=$(du -sb "$layout/blobs" | cut -f1)

# --- berthctl --------------------------------------------------------------------------------
if [ ! -x "$berthctl" ] && [ -z "${BERTHCTL:-}" ]; then
    say "berthctl: $berthctl missing; building it (scripts/setup.sh build)"
    "$repo/scripts/setup.sh" build >/dev/null
fi
[ -x "$berthctl" ] || die "no berthctl at $berthctl"

# --- 2. the registry (loopback, plain HTTP, storage kept between runs of the script) ---------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
registry=127.0.0.1:$port
mkdir -p "$bench_dir/registry"
cat >"$bench_dir/registry/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $bench_dir/registry/storage
http:
  addr: $registry
EOF
docker-registry serve "$bench_dir/registry/config.yml" >"$bench_dir/registry/log" 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break
    python3 -c 'import time; time.sleep(0.1)'
done
curl -fsS "http://$registry/v2/" >/dev/null || die "docker-registry did not start: $(tail -n 5 "$bench_dir/registry/log")"
ref=$registry/bench:latest
say "registry: docker-registry at $registry, pushing bench:latest (skopeo copy)"
skopeo copy -q --dest-tls-verify=false "oci:$layout:bench" "docker://$ref" >/dev/null

# --- podman's configuration: runc, cgroupfs, file events, ulimits within the hard limit -------
# shellcheck source=bench/podman.sh
. "$here/podman.sh"
podman_setup "$bench_dir/podman" "$bench_dir/podman/runroot"
cat >"$bench_dir/podman/registries.conf" <<EOF
unqualified-search-registries = []
EOF
podman_env=(env CONTAINERS_REGISTRIES_CONF="$bench_dir/podman/registries.conf")

trash_it "$out"
mkdir -p "$out"
results=$out/results
mkdir -p "$results"

timed() { # timed NAME LOG CMD...: drops the page cache, runs CMD, appends figures to results/NAME
    local name=$1 log=$2 rc
    shift 2
    drop_caches
    rc=0
    cut -d' ' -f1 /proc/loadavg >>"$results/loadavg"
    "${lib[@]}" run "$results/$name" -- "${prio[@]}" "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
        say "  $name: FAILED (exit $rc), last lines of $log:"
        tail -n 5 "$log" | sed 's/^/    /'
    fi
    return 0
}
last() {
    tail -n 1 "$results/$1" | awk -v load="$(tail -n 1 "$results/loadavg")" '{
        printf "%6.2f s  (user %.2f, sys %.2f, max RSS %d MiB, load avg %s)%s",
            $1, $2, $3, $4 / 1024, load, ($5 != 0 ? ", FAILED" : "") }'
}
ok_runs() { [ -f "$results/$1" ] && awk '$5 != 0 { bad = 1 } END { exit bad }' "$results/$1"; }
median() {
    if [ -f "$results/$1" ] && ok_runs "$1"; then
        "${lib[@]}" median "$results/$1" "${2:-0}"
    else
        echo nan
    fi
}
max_rss_mib() { [ -f "$results/$1" ] && awk '{ if ($4 > m) m = $4 } END { printf "%.0f", m / 1024 }' "$results/$1" || echo nan; }

say
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(findmnt -no FSTYPE -T "$bench_dir" 2>/dev/null || echo '?') at $bench_dir"
say "image:   bench:latest, $(( image_bytes / 1048576 )) MiB of blobs, id $image_id"
if [ "$can_drop" = 1 ]; then
    say "page cache: dropped before every timed run (the registry reads its blobs from disk too)"
else
    say "page cache: NOT dropped (not root): figures are warm-cache figures"
fi
say "runs:    $runs per measurement, median reported, timed commands run as: ${prio[*]}; outputs in $out"
say "berthctl: $berthctl"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min); figures are noisy when this exceeds $(nproc)"

# --- 3. pull to ready ------------------------------------------------------------------------
say
say "== pull $ref to ready (download, verify, unpack) into a fresh store"
for i in $(seq 1 "$runs"); do
    timed berth-pull "$out/berth-$i.log" \
        env BERTH_ROOT="$out/berth-$i" "$berthctl" pull -q "$ref"
    say "  run $i berthctl pull:            $(last berth-pull)"
    timed podman-pull "$out/podman-$i.log" "${podman_env[@]}" podman \
        --root "$out/podman-$i/root" --runroot "$out/podman-$i/runroot" --storage-driver overlay \
        pull -q --tls-verify=false "$ref"
    say "  run $i podman pull:              $(last podman-pull)"
    timed skopeo-umoci "$out/skopeo-$i.log" bash -c \
        'set -e; skopeo copy -q --src-tls-verify=false "docker://$1" "oci:$2:bench"; umoci unpack --image "$2:bench" "$3"' \
        _ "$ref" "$out/skopeo-$i" "$out/umoci-$i"
    say "  run $i skopeo copy + umoci unpack: $(last skopeo-umoci)"
done
if ok_runs berth-pull; then
    got=$(BERTH_ROOT="$out/berth-$runs" "$berthctl" images -q --no-trunc 2>/dev/null | head -n 1)
    say "  berth store of run $runs holds: ${got:-?} (expected $image_id)"
fi

# --- 4. summary --------------------------------------------------------------------------------
b=$(median berth-pull) p=$(median podman-pull) s=$(median skopeo-umoci)
brss=$(max_rss_mib berth-pull) prss=$(max_rss_mib podman-pull) srss=$(max_rss_mib skopeo-umoci)
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "nan") { print "n/a"; exit }
        ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0)
        print ok ? "met" : "MISSED" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
secs() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.2f s", v }'; }
rbp=$(ratio "$b" "$p") rbs=$(ratio "$b" "$s")

say
say "== summary ($(date -u +%Y-%m-%dT%H:%MZ), median of $runs, repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?"))"
printf '%-42s %12s   %-22s %s\n' "measurement" "figure" "target" "verdict"
printf '%-42s %12s   %-22s %s\n' "berthctl pull (to ready)" "$(secs "$b")" "" ""
printf '%-42s %12s   %-22s %s\n' "podman pull" "$(secs "$p")" "" ""
printf '%-42s %12s   %-22s %s\n' "skopeo copy + umoci unpack" "$(secs "$s")" "" ""
printf '%-42s %12s   %-22s %s\n' "ratio pull Berth/podman" "${rbp}x" "<= 0.5x" "$(verdict "$rbp" '<=' 0.5)"
printf '%-42s %12s   %-22s %s\n' "ratio pull Berth/(skopeo+umoci)" "${rbs}x" "(for information)" ""
printf '%-42s %12s   %-22s %s\n' "berthctl pull peak RSS (max of runs)" "${brss} MiB" "< 100 MiB" "$(verdict "$brss" '<' 100)"
printf '%-42s %12s   %-22s %s\n' "podman pull peak RSS" "${prss} MiB" "(for information)" ""
printf '%-42s %12s   %-22s %s\n' "skopeo/umoci peak RSS" "${srss} MiB" "(for information)" ""
[ -f "$results/loadavg" ] && say "load average before the timed runs: $(sort -n "$results/loadavg" | head -n 1) to" \
    "$(sort -n "$results/loadavg" | tail -n 1) on $(nproc) cores"

# --- cleanup (after every timing) --------------------------------------------------------------
kill "$registry_pid" 2>/dev/null || true
wait "$registry_pid" 2>/dev/null || true
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say
    say "outputs kept in $out (moved aside, and deleted, by the next run)"
else
    trash_it "$out"
fi
if [ -d "$trash" ]; then
    say
    say "cleanup: deleting $(du -sh "$trash" | cut -f1) of outputs"
    rm -rf "$trash"
fi
