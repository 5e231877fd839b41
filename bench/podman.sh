# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the benchmarks that run podman next to Berth. podman works on this machine only
# with runc, cgroupfs, file events and default ulimits within the hard limit (root has no
# CAP_SYS_RESOURCE), set through CONTAINERS_CONF and CONTAINERS_STORAGE_CONF.
#   podman_setup DIR RUNROOT   write DIR/containers.conf and DIR/storage.conf (graph and tmp
#                              below DIR, runtime state in RUNROOT) and export both variables.
# RUNROOT must stay under 50 characters: the cleanup command conmon runs when a container exits
# refuses a longer one, and `podman run` then waits 20 s for an exit code.
podman_setup() {
  local dir=$1 runroot=$2 nofile nproc
  nofile=$(ulimit -Hn); nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  { [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; } && nproc=32768
  mkdir -p "$dir"
  cat > "$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/podman-events.log"
tmp_dir = "$dir/podman-tmp"
CONF
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
runroot = "$runroot"
graphroot = "$dir/podman-graph"
CONF
  export CONTAINERS_CONF=$dir/containers.conf CONTAINERS_STORAGE_CONF=$dir/storage.conf
}

#   busybox_image_in_both WORK BERTHCTL TOOL...   the same one-layer busybox image (/bin/busybox
#                              and a link per TOOL) as bench/busybox:latest in Berth and in
#                              podman; its files stay in WORK/rootfs, its tar in WORK/img.tar.
busybox_image_in_both() {
  local work=$1 berthctl=$2 tool; shift 2
  local rootfs=$work/rootfs
  mkdir -p "$rootfs/bin" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev" "$rootfs/etc"
  cp "$(command -v busybox)" "$rootfs/bin/busybox"
  for tool in "$@"; do ln -s busybox "$rootfs/bin/$tool"; done
  tar -C "$rootfs" -cf "$work/img.tar" .
  "$berthctl" import "$work/img.tar" bench/busybox:latest >/dev/null
  podman import -q "$work/img.tar" localhost/bench/busybox:latest >/dev/null
}
