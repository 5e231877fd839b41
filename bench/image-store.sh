#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Image-store benchmark: `berthctl load` (hash + unpack every layer) against `umoci unpack` and
# plain `tar -xzf` of each layer, and `berthctl analyze` cold and cached, on a generated ~400 MB
# 5-layer OCI image. Prints figures and ratios; asserts nothing. See bench/README.md.
#
#   bench/image-store.sh
#
# Environment:
#   BENCH_DIR   work dir (default /var/tmp/berth-bench): the generated image, stores, outputs
#   BERTHCTL    the berthctl to measure (default: <repo>/build/app/berthctl, built if missing)
#   BENCH_RUNS  timed runs per measurement (default 3; the median is reported)
#   BENCH_KEEP  1: keep this run's outputs (stores, bundles) in BENCH_DIR/runs for inspection
#   BENCH_NICE  niceness of the timed commands (default -10 as root, else 0): every contender
#               gets the same boost, which keeps unrelated load (builds) from skewing figures
#
# Every timed run writes into a new directory; earlier outputs are moved aside (mv), never
# deleted before or between timings: on an ext4 file system without a journal, creating files
# is up to 10x slower for minutes after a mass delete. The trash is deleted at the very end.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
bench_dir=${BENCH_DIR:-/var/tmp/berth-bench}
berthctl=${BERTHCTL:-$repo/build/app/berthctl}
runs=${BENCH_RUNS:-3}
lib=("python3" "$here/benchlib.py")

layout=$bench_dir/image
stamp=$bench_dir/image.stamp
trash=$bench_dir/trash
out=$bench_dir/runs
stamp_now=$(date +%Y%m%d-%H%M%S)-$$

say() { printf '%s\n' "$*"; }
die() { say "image-store: $*" >&2; exit 1; }
trash_it() { # moves paths aside into the trash (instant); deleted at the end of the script
    local p
    mkdir -p "$trash/$stamp_now"
    for p in "$@"; do
        [ -e "$p" ] || continue
        mv "$p" "$trash/$stamp_now/$(basename "$p").$RANDOM$RANDOM"
    done
}

for tool in python3 umoci tar gzip; do
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
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$version" ] && [ -f "$layout/index.json" ]; then
    say "image: reusing $layout (generator version $version)"
else
    say "image: generating $layout (generator version $version)"
    trash_it "$layout" "$layout.tmp" "$stamp"
    "${lib[@]}" mkimage "$layout.tmp"
    mv "$layout.tmp" "$layout"
    # layers.txt names blobs under the temporary path; rewrite it for the final one.
    sed -i "s|^$layout.tmp/|$layout/|" "$layout/layers.txt"
    echo "$version" >"$stamp"
fi
mapfile -t layer_blobs <"$layout/layers.txt"
image_id=$("${lib[@]}" image-id "$layout")
image_bytes=$(du -sb "$layout/blobs" | cut -f1)

# --- berthctl --------------------------------------------------------------------------------
if [ ! -x "$berthctl" ] && [ -z "${BERTHCTL:-}" ]; then
    say "berthctl: $berthctl missing; building it (scripts/setup.sh build)"
    "$repo/scripts/setup.sh" build >/dev/null
fi
have_load=0 have_analyze=0
if [ -x "$berthctl" ]; then
    help=$("$berthctl" --help 2>&1 || true)
    grep -qE '^ +load ' <<<"$help" && have_load=1
    grep -qE '^ +analyze ' <<<"$help" && have_analyze=1
fi
[ "$have_load" = 1 ] || say "berthctl: no 'load' command in $berthctl; Berth's load is not measured"
[ "$have_analyze" = 1 ] || say "berthctl: no 'analyze' command in $berthctl; analyze is not measured"

# Outputs of an earlier run (kept with BENCH_KEEP=1 or left by an interrupted run) go aside.
trash_it "$out"
mkdir -p "$out"
results=$out/results
mkdir -p "$results"

# timed NAME LOG CMD...: drops the page cache, runs CMD, appends its figures to results/NAME.
timed() {
    local name=$1 log=$2
    shift 2
    drop_caches
    timed_nodrop "$name" "$log" "$@"
}
timed_nodrop() {
    local name=$1 log=$2 rc
    shift 2
    rc=0
    cut -d' ' -f1 /proc/loadavg >>"$results/loadavg"
    "${lib[@]}" run "$results/$name" -- "${prio[@]}" "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
        say "  $name: FAILED (exit $rc), last lines of $log:"
        tail -n 5 "$log" | sed 's/^/    /'
    fi
    return 0
}
last() { # the figures of NAME's last run, and the load average before it
    tail -n 1 "$results/$1" | awk -v load="$(tail -n 1 "$results/loadavg")" '{
        printf "%6.2f s  (user %.2f, sys %.2f, max RSS %d MiB, load avg %s)%s",
            $1, $2, $3, $4 / 1024, load, ($5 != 0 ? ", FAILED" : "") }'
}
ok_runs() { [ -f "$results/$1" ] && awk '$5 != 0 { bad = 1 } END { exit bad }' "$results/$1"; }
median() { # median NAME [COLUMN]: wall seconds (column 0) of the successful runs, or "nan"
    if [ -f "$results/$1" ] && ok_runs "$1"; then
        "${lib[@]}" median "$results/$1" "${2:-0}"
    else
        echo nan
    fi
}

say
say "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "$(findmnt -no FSTYPE -T "$bench_dir" 2>/dev/null || echo '?') at $bench_dir"
say "image:   bench:latest, $(( image_bytes / 1048576 )) MiB of blobs, ${#layer_blobs[@]} layers, id $image_id"
if [ "$can_drop" = 1 ]; then
    say "page cache: dropped (sync; echo 3 > /proc/sys/vm/drop_caches) before every timed run unless noted"
else
    say "page cache: NOT dropped (not root): figures are warm-cache figures"
fi
say "runs:    $runs per measurement, median reported, timed commands run as: ${prio[*]}; outputs in $out"
say "berthctl: $berthctl"
say "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min); figures are noisy when this exceeds $(nproc)"

# --- 2. load: berthctl load vs umoci unpack vs tar -xzf ---------------------------------------
say
say "== load (hash + unpack all layers into a fresh store/directory)"
for i in $(seq 1 "$runs"); do
    if [ "$have_load" = 1 ]; then
        timed berth-load "$out/berth-load-$i.log" \
            env BERTH_ROOT="$out/berth-$i" "$berthctl" load -i "$layout"
        say "  run $i berthctl load -i:   $(last berth-load)"
    fi
    timed umoci-unpack "$out/umoci-$i.log" umoci unpack --image "$layout:bench" "$out/umoci-$i"
    say "  run $i umoci unpack:       $(last umoci-unpack)"
    mkdir -p "$out/tar-$i"
    timed tar-xzf "$out/tar-$i.log" bash -c \
        'set -e; d=$1; shift; for f in "$@"; do tar -xzf "$f" -C "$d"; done' _ "$out/tar-$i" \
        "${layer_blobs[@]}"
    say "  run $i tar -xzf (x${#layer_blobs[@]}):     $(last tar-xzf)"
done

# --- 3. analyze: cold (no analysis cache) and cached -------------------------------------------
store=$out/berth-$runs
if [ "$have_analyze" = 1 ] && [ "$have_load" = 1 ] && ok_runs berth-load; then
    say
    say "== analyze bench:latest (store of load run $runs)"
    if ! BERTH_ROOT=$store "$berthctl" inspect bench:latest >/dev/null 2>&1; then
        say "  (the load did not name the image bench:latest; tagging $image_id)"
        BERTH_ROOT=$store "$berthctl" tag "$image_id" bench:latest
    fi
    analyze=(env BERTH_ROOT="$store" "$berthctl" analyze bench:latest --json)
    # Process start-up and store opening, to read the cached figure against.
    for i in $(seq 1 "$runs"); do
        timed_nodrop berth-images "$out/images-$i.log" env BERTH_ROOT="$store" "$berthctl" images
    done
    say "  berthctl images (start-up floor, warm): $(median berth-images) s"
    for i in $(seq 1 "$runs"); do
        trash_it "$store/cache/analysis"
        timed analyze-cold "$out/analyze-cold-$i.json" "${analyze[@]}"
        say "  run $i cold, page cache dropped:  $(last analyze-cold)"
    done
    for i in $(seq 1 "$runs"); do
        trash_it "$store/cache/analysis"
        "${analyze[@]}" >/dev/null 2>&1 || true # warms the page cache (layers, binary, libraries)
        trash_it "$store/cache/analysis"
        timed_nodrop analyze-cold-warm "$out/analyze-coldwarm-$i.json" "${analyze[@]}"
        say "  run $i cold, page cache warm:     $(last analyze-cold-warm)"
    done
    "${analyze[@]}" >/dev/null 2>&1 || true # makes sure the cache is filled
    for i in $(seq 1 "$runs"); do
        timed_nodrop analyze-cached "$out/analyze-cached-$i.json" "${analyze[@]}"
        say "  run $i cached (page cache warm):  $(last analyze-cached)"
    done
    if [ -d "$store/cache/analysis" ]; then
        say "  analysis cache: $(du -sh "$store/cache/analysis" | cut -f1) in $store/cache/analysis"
    else
        say "  analysis cache: $store/cache/analysis does not exist after analyze"
    fi
fi

# --- 4. summary --------------------------------------------------------------------------------
b=$(median berth-load) u=$(median umoci-unpack) t=$(median tar-xzf)
ac=$(median analyze-cold) acw=$(median analyze-cold-warm) ah=$(median analyze-cached)
st=$(median berth-images)
verdict() { # verdict VALUE OP LIMIT
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "nan") { print "n/a"; exit }
        ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 < l + 0)
        print ok ? "met" : "MISSED" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "nan"; else printf "%.2f", a / b }'; }
ms() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.0f ms", v * 1000 }'; }
secs() { awk -v v="$1" 'BEGIN { if (v == "nan") print "nan"; else printf "%.2f s", v }'; }
rbu=$(ratio "$b" "$u") rbt=$(ratio "$b" "$t")

say
say "== summary ($(date -u +%Y-%m-%dT%H:%MZ), median of $runs, repo HEAD $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo "?"))"
printf '%-42s %12s   %-22s %s\n' "measurement" "figure" "target" "verdict"
printf '%-42s %12s   %-22s %s\n' "berthctl load -i (fresh store)" "$(secs "$b")" "" ""
printf '%-42s %12s   %-22s %s\n' "umoci unpack" "$(secs "$u")" "" ""
printf '%-42s %12s   %-22s %s\n' "tar -xzf each layer" "$(secs "$t")" "" ""
printf '%-42s %12s   %-22s %s\n' "ratio load Berth/umoci" "${rbu}x" "<= 0.5x" "$(verdict "$rbu" '<=' 0.5)"
printf '%-42s %12s   %-22s %s\n' "ratio load Berth/tar" "${rbt}x" "(for information)" ""
printf '%-42s %12s   %-22s %s\n' "analyze cold (page cache dropped)" "$(secs "$ac")" "< 2 s" "$(verdict "$ac" '<' 2)"
printf '%-42s %12s   %-22s %s\n' "analyze cold (page cache warm)" "$(secs "$acw")" "< 2 s" "$(verdict "$acw" '<' 2)"
printf '%-42s %12s   %-22s %s\n' "analyze cached" "$(ms "$ah")" "< 100 ms" "$(verdict "$ah" '<' 0.1)"
printf '%-42s %12s   %-22s %s\n' "berthctl images (start-up floor)" "$(ms "$st")" "(for information)" ""
[ -f "$results/loadavg" ] && say "load average before the timed runs: $(sort -n "$results/loadavg" | head -n 1) to" \
    "$(sort -n "$results/loadavg" | tail -n 1) on $(nproc) cores"

# --- cleanup (after every timing) --------------------------------------------------------------
if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say
    say "outputs kept in $out (moved aside, and deleted, by the next run)"
else
    trash_it "$out"
fi
if [ -d "$trash" ]; then
    say
    say "cleanup: deleting $(du -sh "$trash" | cut -f1) of outputs; file creation on this disk is slow" \
        "for a few minutes after a mass delete, so wait before measuring again"
    rm -rf "$trash"
fi
