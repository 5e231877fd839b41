#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Takes screenshots of Berth's pages under Xvfb, on a private store filled with real data, so
# people can look at what the app shows: scripts/screenshots.sh [OUTPUT_DIR]
# The data: the offline starter image (two tags) and demo/webapp:1.0, built on top of it by
# scripts/screenshot-image.py (shared base layer, added and modified files, wasted space), and
# (as root, with runc or crun) real containers: one running that logs on stdout and stderr, one
# that exited, one created, the volumes they use and two nobody uses; and a local docker-registry (behind scripts/slow-proxy.py) for the
# pull box caught half-way and the Registries page.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$here/build/screenshots}
build=${BERTH_BUILD_DIR:-$here/build}
mkdir -p "$out"
work=$(mktemp -d /var/tmp/berth-shots-XXXXXX)
cleanup() {
  # Containers first (they hold mounts in the store), then Xvfb, then the store.
  if [ -x "$build/app/berthctl" ] && [ -d "$work/store" ]; then
    "$build/app/berthctl" ps -aq 2>/dev/null | xargs -r "$build/app/berthctl" rm -f >/dev/null 2>&1 || true
  fi
  kill $(jobs -p) 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export BERTH_ROOT=$work/store
display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
export DISPLAY=$display QT_QPA_PLATFORM=xcb
sleep 1

shot() { # name [seconds]: wait for the window to settle, then grab the screen
  sleep "${2:-2}"
  import -window root "$out/$1.png"
  echo "screenshot: $out/$1.png"
}

app() { # name [berth options...]: start the app, take one screenshot, close it
  local name=$1; shift
  "$build/app/berth" "$@" & local pid=$!
  shot "$name" "${SHOT_WAIT:-3}"
  kill $pid; wait $pid 2>/dev/null || true
}

# 1. First start: an empty store shows the welcome page.
app 01-welcome

# 2. With images: the starter image, a second tag, and a multi-layer image built on it.
"$build/app/berthctl" starter >/dev/null
"$build/app/berthctl" tag berth/busybox:latest localhost:5000/team/tools:1.0 >/dev/null
"$build/app/berthctl" save --format docker -o "$work/starter.tar" berth/busybox:latest
python3 "$here/scripts/screenshot-image.py" "$work/starter.tar" "$work/webapp.tar"
"$build/app/berthctl" load -i "$work/webapp.tar" >/dev/null
export LANG=${SHOT_LANG:-C.UTF-8}
app 02-images

# 3. The layer explorer: the layer that adds the app, a text file previewed.
app 04-explorer --image demo/webapp:1.0 --layer 1 --path /app/config.toml
# ... the last layer: its deletion (wasted space) and modification, a binary refused.
app 05-explorer-deleted --image demo/webapp:1.0 --layer 3 --path /var/cache/build.bin
# ... compared with the starter image it is built on.
app 06-explorer-compare --image demo/webapp:1.0 --layer 3 --path /etc/passwd \
  --compare berth/busybox:latest

# 4. Disk usage: shared and unique bytes, totals.
app 07-disk-usage --page disk

# 5. The same in Korean.
LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 03-images-ko
LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 08-explorer-ko \
  --image demo/webapp:1.0 --layer 1 --path /app/config.toml

# 6. Settings: the interface language and the Docker Engine API socket.
app 19-settings --settings

# 7. Containers (real ones: needs root and runc or crun). A web-like server that logs requests
# on stdout and warnings on stderr, a job that finished, and one only created.
ctl() { "$build/app/berthctl" "$@"; }
if [ "$(id -u)" = 0 ] && ctl run -d --name webapp -m 256m --init -p 127.0.0.1::80 \
    --health-cmd 'test -d /app && echo ok' --health-interval 1s demo/webapp:1.0 sh -c '
    i=0
    while [ $i -lt 400 ]; do
      echo "GET /static/page$((i % 12)).html 200 $((i * 7 % 90 + 3))ms"
      [ $((i % 40)) = 17 ] && echo "warning: slow request to /api/orders ($((i * 13 % 900 + 900))ms)" >&2
      i=$((i + 1))
    done
    while true; do echo "GET /health 200 1ms"; sleep 1; done' >/dev/null; then
  ctl run --name backup-job -v backups:/data berth/busybox:latest sh -c 'echo "backup: 42 files, 3.1 MB"; mkdir -p /data; echo done > /data/state' >/dev/null || true
  ctl create --name scratch -v backups:/restore:ro -v scratch-home:/root localhost:5000/team/tools:1.0 >/dev/null
  # One that changed its own files (no volume): what its Files tab and the layer map show.
  ctl run --name notes-app --network none berth/busybox:latest sh -c '
    mkdir -p /home/ada/notes && echo "buy milk" > /home/ada/notes/today.txt
    echo "ada:x:1000:1000::/home/ada:/bin/sh" >> /etc/passwd; rm /etc/group' >/dev/null || true
  # Volumes nobody uses any more: one with 3 MB left in it, one anonymous.
  ctl run --rm -v old-cache:/cache berth/busybox:latest sh -c 'head -c 3000000 /dev/urandom > /cache/blob' >/dev/null || true
  ctl volume create >/dev/null
  # One whose restart policy keeps trying (mostly waiting out its growing delay: "Restarting").
  ctl run -d --name flaky-db --restart on-failure:30 berth/busybox:latest \
    sh -c 'echo "cannot reach the database" >&2; exit 1' >/dev/null || true
  app 09-containers --page containers
  app 10-run-dialog --run demo/webapp:1.0 \
    --command "sh -c 'echo hello from the demo app; sleep 600'"
  app 11-logs --container webapp --search slow
  app 12-inspect --container webapp --tab inspect
  SHOT_WAIT=10 app 14-stats --container webapp --tab stats
  SHOT_WAIT=6 app 26-terminal --container webapp --tab terminal \
    --type $'ls /app\nuname -sr\necho "6 * 7 = $((6 * 7))"\nps -o pid,args | head -5\n'
  # The layer map: both images on the shared busybox layer, the containers on their images.
  app 28-layer-map --page map
  app 29-files --container notes-app --tab files
  # Its health check: "Running (healthy)" in the list above, the probes here.
  app 31-health --container webapp --tab health
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 30-layer-map-ko --page map
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 13-containers-ko --page containers
  app 24-volumes --page volumes
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 25-volumes-ko --page volumes
else
  echo "screenshots: skipping the containers (needs root and runc or crun)" >&2
fi

# 7. Builds (real ones: needs root and runc or crun). A small site built once from the command
# line, then a copied file changes and the Build page rebuilds it: cached steps, the COPY that
# reran and why, the output. Then a Dockerfile whose RUN fails, shown at its line; and the
# result in the layer explorer's Build tab.
if [ "$(id -u)" = 0 ] && { command -v runc >/dev/null || command -v crun >/dev/null; }; then
  site=$work/site
  mkdir -p "$site"
  cat >"$site/Dockerfile" <<'DOCKERFILE'
# A small static site
FROM berth/busybox:latest
ARG VERSION=1.0
WORKDIR /www
COPY index.html /www/
RUN echo "version $VERSION" > /www/version \
 && ls -l /www
COPY site.conf /etc/site.conf
ENV PORT=8080
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
DOCKERFILE
  echo '<h1>Hello from Berth</h1>' >"$site/index.html"
  echo 'cache = on' >"$site/site.conf"
  ctl build -q -t demo/site:1 "$site" >/dev/null
  echo 'cache = off' >"$site/site.conf"
  app 15-build --build "$site" --build-tag demo/site:2
  broken=$work/broken
  mkdir -p "$broken"
  printf 'FROM berth/busybox:latest\nWORKDIR /app\nRUN echo preparing \\\n && test -f /app/settings.conf\nCMD ["sh"]\n' \
    >"$broken/Dockerfile"
  app 16-build-error --build "$broken" --build-tag demo/broken:1
  app 17-explorer-build --image demo/site:2 --layer 3 --tab build
  echo 'cache = maybe' >"$site/site.conf"
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 18-build-ko --build "$site" --build-tag demo/site:3
else
  echo "screenshots: skipping the builds (needs root and runc or crun)" >&2
fi

# 8. Registries: Debian's docker-registry on 127.0.0.1, behind a proxy that sends 2 MB/s so the
# pull box is caught half-way (plan, total bar with rate and time left, layers); then the
# Registries page: a login checked against the registry and kept in a private keychain, Docker's
# config read too, and the tags of a repository.
if command -v docker-registry >/dev/null; then
  free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  reg_port=$(free_port)
  slow_port=$(free_port)
  mkdir -p "$work/registry"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
    "$work/registry/storage" "$reg_port" >"$work/registry/config.yml"
  docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
  python3 "$here/scripts/slow-proxy.py" "$slow_port" "$reg_port" 2000000 &
  for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$reg_port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  reg=127.0.0.1:$reg_port
  slow=127.0.0.1:$slow_port
  # The starter image with a 24 MB data layer on top, pushed under a few tags and removed here,
  # so pulling it downloads that layer only.
  mkdir -p "$work/dataset"
  head -c 24000000 /dev/urandom >"$work/dataset/samples.bin"
  printf 'FROM berth/busybox:latest\nCOPY samples.bin /opt/dataset/\nCMD ["ls", "-l", "/opt/dataset"]\n' \
    >"$work/dataset/Dockerfile"
  ctl() { "$build/app/berthctl" "$@"; }
  ctl build -q -t "$reg/demo/dataset:2.1" "$work/dataset" >/dev/null
  for tag in 1.0 2.0 latest; do ctl tag "$reg/demo/dataset:2.1" "$reg/demo/dataset:$tag" >/dev/null; done
  for tag in 1.0 2.0 2.1 latest; do ctl push -q "$reg/demo/dataset:$tag" >/dev/null; done
  for tag in 1.0 2.0 2.1 latest; do ctl rmi "$reg/demo/dataset:$tag" >/dev/null; done
  SHOT_WAIT=6 app 20-pull --pull "$slow/demo/dataset:2.1"
  # The Korean one resumes what the first pull (stopped with the app) left in ingest/.
  ctl rmi "$slow/demo/dataset:2.1" >/dev/null 2>&1 || true
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko SHOT_WAIT=3 app 21-pull-ko --pull "$slow/demo/dataset:2.1"
  mkdir -p "$work/docker"
  printf '{"auths":{"https://index.docker.io/v1/":{"auth":"%s"}}}\n' "$(printf 'octocat:token' | base64)" \
    >"$work/docker/config.json"
  export DOCKER_CONFIG=$work/docker
  if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    "$here/tests/support/with-keyring.sh" sh -c '
      printf "s3cret\n" | "$1" login "$2" -u alice --password-stdin >/dev/null
      "$3" --tags "$2/demo/dataset" & pid=$!
      sleep "$4"; import -window root "$5"; kill $pid; wait $pid 2>/dev/null' sh \
      "$build/app/berthctl" "$reg" "$build/app/berth" 6 "$out/22-registries.png" || true
    echo "screenshot: $out/22-registries.png"
  else
    app 22-registries --tags "$reg/demo/dataset"
  fi
  LANG=ko_KR.UTF-8 LC_ALL=ko_KR.UTF-8 LANGUAGE=ko app 23-registries-ko --tags "$reg/demo/dataset"
  unset DOCKER_CONFIG
else
  echo "screenshots: skipping the registries (needs docker-registry)" >&2
fi
