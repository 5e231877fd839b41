// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The contract between the engine and berth-shim, in plain C++ so the shim needs no Qt.
//
// The engine prepares a container directory (the OCI bundle: config.json + rootfs mounted) and
// starts `berth-shim` detached (double fork + setsid, so it outlives berthctl and the GUI) with
// fd 3 as a "sync" pipe. The shim:
//   1. takes an exclusive flock on <dir>/shim.lock for its whole life: the lock being free
//      means "no shim" (robust against pid reuse, released by the kernel when it dies);
//   2. becomes a child subreaper and runs `<runtime> run --detach`, giving the container pipes
//      it holds as stdout/stderr (stdin is /dev/null), so the container process ends up as the
//      shim's child and only the shim sees its exit status;
//   3. writes "ok <container pid> <shim pid>\n" or "error <message>\n" to fd 3, closes it,
//      and proxies the published ports it was given (see FirstPortFd);
//   4. copies the container's output into <dir>/ctr.log as JSON lines
//      {"time":"RFC3339Nano","stream":"stdout|stderr","log":"text\n"}, rotating by size
//      (ctr.log -> ctr.log.1 -> ... ctr.log.<max-files - 1>);
//   5. when the container exits and its pipes are drained: reads the cgroup's OOM count, runs
//      `<runtime> delete`, unmounts the rootfs, and writes <dir>/exit.json atomically:
//      {"exitCode":N,"finishedAt":"RFC3339Nano","oomKilled":bool} — then exits.
// The shim never touches the database: the engine reconciles exit.json into it on its next
// read of the container (and records the "die" event exactly once). A free shim.lock without
// exit.json means the shim died: the engine kills what is left and reports the container exited.

namespace Berth::Shim {

inline constexpr const char *LockFile = "shim.lock";
inline constexpr const char *ExitFile = "exit.json";
inline constexpr const char *LogFile = "ctr.log";
inline constexpr const char *PidFile = "init.pid";
inline constexpr const char *RuntimeLogFile = "runtime.log";
inline constexpr const char *ShimLogFile = "shim.log";
inline constexpr const char *RootfsDir = "rootfs";
inline constexpr int SyncFd = 3;
// Published ports: `--publish PROTO:FD:CONTAINER_IP:CONTAINER_PORT` (repeated) names a listening
// socket the engine bound on the host and passed as fd FD (FirstPortFd, FirstPortFd + 1, ...);
// the shim proxies it to the container's address until the container exits.
inline constexpr int FirstPortFd = 4;

} // namespace Berth::Shim
