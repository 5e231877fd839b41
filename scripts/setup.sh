#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Set up a Debian 12 machine for Berth, build it, then start the app or run the tests.
#   scripts/setup.sh app    install what is missing, build, start Berth on the default store
#   scripts/setup.sh test   install what is missing, build, run the whole test suite
#   scripts/setup.sh build  install what is missing and build
# Idempotent and quick when nothing changed: packages are installed only when missing, and the
# build is incremental (ccache).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=${1:-app}
build_dir=${BERTH_BUILD_DIR:-$here/build}

# Everything Berth needs to build, run and test, from Debian's archive.
packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format-14 python3
  # Qt 6 and libraries
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-tools-dev
  qt6-tools-dev-tools qt6-l10n-tools libqt6sql6-sqlite qtkeychain-qt6-dev libgl-dev
  libarchive-dev libgit2-dev libssl-dev zlib1g-dev libsqlite3-dev libcrypt-dev zstd openssl
  # the Terminal tab's terminal emulation
  libvterm-dev
  # compose files (engine/compose)
  libyaml-cpp-dev
  # containers: OCI runtimes, init, the offline starter image, peers for interop tests
  runc crun catatonit tini busybox-static skopeo umoci podman podman-compose uidmap slirp4netns
  containernetworking-plugins docker-registry
  # clients of the Docker Engine API that Berth serves (tests)
  python3-docker
  # the bridge network's NAT rule (iptables) and the network tests' outside namespace (ip)
  iptables iproute2
  # secret service for credentials, and a display for GUI screenshots
  gnome-keyring dbus dbus-x11 libsecret-tools xvfb xauth imagemagick fonts-noto-cjk
)

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

install_missing() {
  local missing=()
  # The docker CLI (a client of Berth's API in tests): Debian ships it only inside docker.io.
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build() {
  if [ ! -f "$build_dir/build.ninja" ]; then
    cmake -S "$here" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_CXX_COMPILER_LAUNCHER=ccache ${BERTH_CMAKE_ARGS:-}
  fi
  cmake --build "$build_dir" --parallel "$(nproc)"
}

install_missing
build

case "$mode" in
  app)
    exec "$build_dir/app/berth" ;;
  test)
    cd "$build_dir"
    exec ctest --output-on-failure --parallel "$(nproc)" ${BERTH_CTEST_ARGS:-} ;;
  build) ;;
  *) echo "usage: $0 app|test|build" >&2; exit 2 ;;
esac
