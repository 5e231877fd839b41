#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Build benchmark: the same Dockerfile (FROM the starter image, three RUNs, COPY of a 5 MB file,
# ENV, CMD) built by `berthctl build` and by `podman build`, cold (fresh store holding only the
# base image) and fully cached (the same build again on that store). Prints figures and ratios;
# asserts nothing. See bench/README.md.
#
#   bench/build.sh
#
# Environment:
#   BENCH_DIR    work dir (default /var/tmp/berth-bench-build): context, podman config, stores
#   BERTHCTL     the berthctl to measure (default: <repo>/build/app/berthctl, built if missing)
#   BENCH_RUNS   cold + cached pairs per tool (default 3; the median is reported)
#   BENCH_KEEP   1: keep this run's stores in BENCH_DIR/runs for inspection
#   BENCH_NICE   niceness of the timed commands (default -10 as root, else 0)
#
# Both tools run their RUN steps with runc on overlayfs and without a network (Berth's build
# containers have none; podman gets --network=none). Like the other benchmarks, every run
# writes into a new directory and earlier outputs are moved aside, never deleted before or
# between timings; the trash is deleted at the end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bench_dir=${BENCH_DIR:-/var/tmp/berth-bench-build}
berthctl=${BERTHCTL:-$repo/build/app/berthctl}
runs=${BENCH_RUNS:-3}
lib=("python3" "$here/benchlib.py")

trash=$bench_dir/trash
out=$bench_dir/runs
stamp_now=$(date +%Y%m%d-%H%M%S)-$$

say() { printf '%s\n' "$*"; }
die() { say "build: $*" >&2; exit 1; }
trash_it() {
    local p
    mkdir -p "$trash/$stamp_now"
    for p in "$@"; do
        [ -e "$p" ] || continue
        mv "$p" "$trash/$stamp_now/$(basename "$p").$RANDOM$RANDOM"
    done
}

for tool in python3 podman runc; do
    command -v "$tool" >/dev/null || die "$tool is missing (scripts/setup.sh installs it)"
done
[ "$(id -u)" = 0 ] || die "run it as root (both tools build with rootful runc on overlayfs)"
mkdir -p "$bench_dir"
bench_dir=$(cd "$bench_dir" && pwd)

can_drop=0
if [ -w /proc/sys/vm/drop_caches ]; then can_drop=1; fi
bench_nice=${BENCH_NICE:--10}
prio=(nice -n "$bench_nice")
if [ "$bench_nice" -lt 0 ] && command -v ionice >/dev/null; then prio+=(ionice -c 2 -n 0); fi
drop_caches() {
    sync
    if [ "$can_drop" = 1 ]; then echo 3 >/proc/sys/vm/drop_caches; fi
}

# --- berthctl --------------------------------------------------------------------------------
if [ ! -x "$berthctl" ] && [ -z "${BERTHCTL:-}" ]; then
    say "berthctl: $berthctl missing; building it (scripts/setup.sh build)"
    "$repo/scripts/setup.sh" build >/dev/null
fi
[ -x "$berthctl" ] || die "no berthctl at $berthctl"

# --- 1. the context and the base image ---------------------------------------------------------
ctx=$bench_dir/context
mkdir -p "$ctx"
# 5 MiB of seeded pseudo-random bytes: the same file (and cache keys) on every machine.
python3 -c 'import random, sys; random.seed(20261128); sys.stdout.buffer.write(random.randbytes(5 << 20))' \
    >"$ctx/payload.bin"
cat >"$ctx/Dockerfile" <<'EOF'
FROM docker.io/berth/busybox:latest
RUN mkdir -p /app/data && seq 1 20000 > /app/data/lines.txt
COPY payload.bin /app/payload.bin
RUN sha256sum /app/payload.bin > /app/payload.sha256
ENV APP_MODE=bench
RUN echo "$APP_MODE" > /app/mode && ls -l /app > /app/listing
CMD ["cat", "/app/mode"]
EOF
base_store=$bench_dir/base-store
if ! BERTH_ROOT=$base_store "$berthctl" images -q berth/busybox:latest 2>/dev/null | grep -q .; then
    trash_it "$base_store"
    BERTH_ROOT=$base_store "$berthctl" starter >/dev/null
fi
base_id=$(BERTH_ROOT=$base_store "$berthctl" images -q --no-trunc berth/busybox:latest | head -n 1)
base_id=${base_id#sha256:}
base_tar=$bench_dir/starter.tar
BERTH_ROOT=$base_store "$berthctl" save -o "$base_tar.tmp" berth/busybox:latest
mv "$base_tar.tmp" "$base_tar"

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

say
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(findmnt -no FSTYPE -T "$bench_dir" 2>/dev/null || echo '?') at $bench_dir"
say "build:   $(grep -c . "$ctx/Dockerfile") instructions (3 RUN, COPY of 5 MiB, ENV, CMD) FROM the starter image"
if [ "$can_drop" = 1 ]; then
    say "page cache: dropped before every timed run"
else
    say "page cache: NOT dropped: figures are warm-cache figures"
fi
say "runs:    $runs cold + cached pairs per tool, median reported, timed commands run as: ${prio[*]}"
say "berthctl: $berthctl"
say "podman:   $(podman --version)"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min); figures are noisy when this exceeds $(nproc)"

# --- 2. cold and cached builds, interleaved ------------------------------------------------------
say
say "== build the Dockerfile into a store that holds only the base image (cold), then again (cached)"
for i in $(seq 1 "$runs"); do
    store=$out/berth-$i
    BERTH_ROOT=$store "$berthctl" load -q -i "$base_tar" >/dev/null
    timed berth-cold "$out/berth-cold-$i.log" \
        env BERTH_ROOT="$store" "$berthctl" build -q -t bench-build:1 "$ctx"
    say "  run $i berthctl build, cold:    $(last berth-cold)"
    timed berth-cached "$out/berth-cached-$i.log" \
        env BERTH_ROOT="$store" "$berthctl" build -q -t bench-build:1 "$ctx"
    say "  run $i berthctl build, cached:  $(last berth-cached)"

    proot=(--root "$out/podman-$i/root" --runroot "$out/podman-$i/runroot" --storage-driver overlay)
    # podman names what it loads from a docker-archive localhost/...: give it the docker.io name
    # the Dockerfile uses, as a pull would have.
    "${podman_env[@]}" podman "${proot[@]}" load -q -i "$base_tar" >/dev/null
    "${podman_env[@]}" podman "${proot[@]}" tag "$base_id" docker.io/berth/busybox:latest
    timed podman-cold "$out/podman-cold-$i.log" "${podman_env[@]}" podman "${proot[@]}" \
        build -q --layers --network=none -t bench-build:1 "$ctx"
    say "  run $i podman build, cold:      $(last podman-cold)"
    timed podman-cached "$out/podman-cached-$i.log" "${podman_env[@]}" podman "${proot[@]}" \
        build -q --layers --network=none -t bench-build:1 "$ctx"
    say "  run $i podman build, cached:    $(last podman-cached)"
done
# Both images say the same thing (and Berth's cached build made the same image as its cold one).
b_says=$(BERTH_ROOT="$out/berth-$runs" "$berthctl" run --rm bench-build:1 2>&1 || true)
p_says=$("${podman_env[@]}" podman --root "$out/podman-$runs/root" --runroot "$out/podman-$runs/runroot" \
    --storage-driver overlay run --rm --network=none localhost/bench-build:1 2>&1 || true)
say "  the images print: berth \"$b_says\", podman \"$p_says\" (expected \"bench\")"
b_cold_id=$(tail -n 1 "$out/berth-cold-$runs.log") b_cached_id=$(tail -n 1 "$out/berth-cached-$runs.log")
say "  berth image ID cold ${b_cold_id:7:12}, cached ${b_cached_id:7:12}" \
    "($([ "$b_cold_id" = "$b_cached_id" ] && echo same || echo DIFFERENT))"

# --- 3. summary --------------------------------------------------------------------------------
bc=$(median berth-cold) bk=$(median berth-cached) pc=$(median podman-cold) pk=$(median podman-cached)
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "nan") { print "n/a"; exit }
        ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0)
        print ok ? "met" : "MISSED" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
secs() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.2f s", v }'; }
rc=$(ratio "$bc" "$pc") rk=$(ratio "$bk" "$pk")

say
say "== summary ($(date -u +%Y-%m-%dT%H:%MZ), median of $runs, repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?"))"
printf '%-42s %12s   %-22s %s\n' "measurement" "figure" "target" "verdict"
printf '%-42s %12s   %-22s %s\n' "berthctl build, cold" "$(secs "$bc")" "" ""
printf '%-42s %12s   %-22s %s\n' "podman build, cold" "$(secs "$pc")" "" ""
printf '%-42s %12s   %-22s %s\n' "berthctl build, cached" "$(secs "$bk")" "" ""
printf '%-42s %12s   %-22s %s\n' "podman build, cached" "$(secs "$pk")" "" ""
printf '%-42s %12s   %-22s %s\n' "ratio cold Berth/podman" "${rc}x" "< 0.7x" "$(verdict "$rc" '<' 0.7)"
printf '%-42s %12s   %-22s %s\n' "ratio cached Berth/podman" "${rk}x" "< 0.3x" "$(verdict "$rk" '<' 0.3)"
say "CPU (user + sys of the command and the children it waited for, median): berth cold $(awk -v u="$(median berth-cold 1)" -v s="$(median berth-cold 2)" 'BEGIN { printf "%.2f", u + s }') s," \
    "podman cold $(awk -v u="$(median podman-cold 1)" -v s="$(median podman-cold 2)" 'BEGIN { printf "%.2f", u + s }') s;" \
    "berth cached $(awk -v u="$(median berth-cached 1)" -v s="$(median berth-cached 2)" 'BEGIN { printf "%.2f", u + s }') s," \
    "podman cached $(awk -v u="$(median podman-cached 1)" -v s="$(median podman-cached 2)" 'BEGIN { printf "%.2f", u + s }') s"
[ -f "$results/loadavg" ] && say "load average before the timed runs: $(sort -n "$results/loadavg" | head -n 1) to" \
    "$(sort -n "$results/loadavg" | tail -n 1) on $(nproc) cores"

# --- cleanup (after every timing) --------------------------------------------------------------
# podman's overlay driver leaves its graphroot bind-mounted on itself.
{ findmnt -rn -o TARGET | grep "^$out/" || true; } | sort -r | while read -r m; do umount "$m" || true; done
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
