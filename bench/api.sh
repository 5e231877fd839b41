#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The Docker Engine API under load: `docker ps -a` with 100 containers and `docker images` with
# 200 images against `berthctl serve`, next to `podman ps -a` / `podman images` on the same
# counts; then /_ping latency while 20 clients stream `logs -f` and `stats`.
#   bench/api.sh                      (as root; BERTHCTL=..., BENCH_RUNS=10, BENCH_DIR=...)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
berthctl=${BERTHCTL:-$here/build/app/berthctl}
runs=${BENCH_RUNS:-10}
base=${BENCH_DIR:-/var/tmp/berth-bench}/api
[ "$(id -u)" -eq 0 ] || { echo "bench/api.sh: run as root (podman's rootful store, runc)" >&2; exit 1; }
for tool in docker podman python3 busybox; do
  command -v "$tool" >/dev/null || { echo "bench/api.sh: needs $tool" >&2; exit 1; }
done
[ -x "$berthctl" ] || "$here/scripts/setup.sh" build

# Old output moves aside and is deleted at the very end (mass deletes slow this disk down).
mkdir -p "$base/trash"
for old in "$base"/run-*; do [ -e "$old" ] && mv "$old" "$base/trash/"; done
work="$base/run-$$"
mkdir -p "$work"
export BERTH_ROOT=$work/berth
socket=$work/berth.sock

# podman next to Berth (bench/podman.sh).
# shellcheck source=bench/podman.sh
. "$here/bench/podman.sh"
podman_setup "$work" "$work/podman-run"

echo "== populating both stores: 200 images, 100 containers"
"$berthctl" starter >/dev/null
rootfs=$work/rootfs; mkdir -p "$rootfs/bin"; cp "$(command -v busybox)" "$rootfs/bin/busybox"
ln -s busybox "$rootfs/bin/sh"
for i in $(seq 1 200); do
  echo "$i" > "$rootfs/id"
  tar -C "$rootfs" -cf "$work/img.tar" .
  "$berthctl" import "$work/img.tar" "bench/img$i:latest" >/dev/null
  podman import -q "$work/img.tar" "localhost/bench/img$i:latest" >/dev/null
done
for i in $(seq 1 100); do
  "$berthctl" create --name "c$i" bench/img1 /bin/sh -c true >/dev/null
  podman create -q --name "c$i" --network none localhost/bench/img1 /bin/sh -c true >/dev/null
done

"$berthctl" serve --socket "$socket" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$socket" ] && break; sleep 0.1; done
export DOCKER_HOST=unix://$socket DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG"

median() { python3 "$here/bench/benchlib.py" median "$1" 0; }
timed() { # OUT CMD...: runs CMD `runs` times, interleaved by the caller
  local out=$1; shift
  python3 "$here/bench/benchlib.py" run "$out" -- "$@" >/dev/null
}
echo "== listing ($runs runs each, interleaved)"
docker ps -a >/dev/null; podman ps -a >/dev/null; docker images >/dev/null; podman images >/dev/null
for _ in $(seq 1 "$runs"); do
  timed "$work/docker-ps" docker ps -a
  timed "$work/podman-ps" podman ps -a
  timed "$work/docker-images" docker images
  timed "$work/podman-images" podman images
done
rows_ps=$(docker ps -a -q | wc -l); rows_images=$(docker images -q | wc -l)

echo "== /_ping while 20 clients stream logs -f and stats"
for i in $(seq 1 4); do
  "$berthctl" run -d --name "s$i" berth/busybox sh -c 'while true; do echo line; sleep 0.05; done' >/dev/null
done
streams=()
for i in $(seq 1 10); do
  docker logs -f "s$(( (i % 4) + 1 ))" >/dev/null 2>&1 & streams+=($!)
  docker stats "s$(( (i % 4) + 1 ))" >/dev/null 2>&1 & streams+=($!)
done
sleep 2
ping_stats=$(python3 - "$socket" <<'PY'
import socket, sys, time
path = sys.argv[1]
lat = []
for _ in range(300):
    t = time.perf_counter()
    s = socket.socket(socket.AF_UNIX); s.connect(path)
    s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n")
    data = b""
    while b"OK" not in data:
        chunk = s.recv(4096)
        if not chunk: break
        data += chunk
    s.close()
    lat.append((time.perf_counter() - t) * 1000)
    time.sleep(0.01)
lat.sort()
print("%.2f %.2f %.2f" % (lat[len(lat) // 2], lat[int(len(lat) * 0.99)], lat[-1]))
PY
)
kill -9 "${streams[@]}" 2>/dev/null || true  # docker stats ignores TERM
wait "${streams[@]}" 2>/dev/null || true
"$berthctl" rm -f s1 s2 s3 s4 >/dev/null

read -r p50 p99 pmax <<<"$ping_stats"
dps=$(median "$work/docker-ps"); pps=$(median "$work/podman-ps")
dim=$(median "$work/docker-images"); pim=$(median "$work/podman-images")
ratio() { python3 -c "print('%.2f' % ($1 / $2))"; }
echo
echo "| measurement (median of $runs)                    | Berth (docker CLI) | podman | ratio |"
echo "|---------------------------------------------------|--------------------|--------|-------|"
printf "| ps -a, %3d containers                             | %6.3f s            | %6.3f s | %s× |\n" "$rows_ps" "$dps" "$pps" "$(ratio "$dps" "$pps")"
printf "| images, %3d images                                | %6.3f s            | %6.3f s | %s× |\n" "$rows_images" "$dim" "$pim" "$(ratio "$dim" "$pim")"
echo
echo "/_ping with 20 streaming clients: p50 ${p50} ms, p99 ${p99} ms, max ${pmax} ms (target: p99 < 20 ms)"
echo "targets: Berth faster than podman on both listings"

podman rm -af >/dev/null 2>&1 || true
podman rmi -af >/dev/null 2>&1 || true
kill $server 2>/dev/null || true; wait $server 2>/dev/null || true
trap - EXIT
rm -rf "$base/trash"
[ "${BENCH_KEEP:-0}" = 1 ] || mv "$work" "$base/trash-$$" && rm -rf "$base/trash-$$"
