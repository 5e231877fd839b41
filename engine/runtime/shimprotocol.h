// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The contract between the engine and berth-shim, in plain C++ so the shim needs no Qt.
//
// The engine prepares a container directory (the OCI bundle: config.json + rootfs mounted) and
// starts `berth-shim` detached (posix_spawn in a new session, then the shim forks once and its
// first process exits, so it outlives berthctl and the GUI) with fd 3 as a "sync" pipe. The
// shim:
//   1. takes an exclusive flock on <dir>/shim.lock for its whole life: the lock being free
//      means "no shim" (robust against pid reuse, released by the kernel when it dies);
//   2. listens on <dir>/attach.sock (see "Attach socket" below);
//   3. becomes a child subreaper and runs `<runtime> run --detach`, so the container process
//      ends up as the shim's child and only the shim sees its exit status. Without a terminal
//      the container's stdout/stderr are pipes the shim holds and its stdin is /dev/null, or
//      with --stdin a pipe fed from attached clients. With --terminal the runtime creates a
//      pty in the container and sends its master over --console-socket (a socket in a short
//      private directory in /tmp: sun_path holds 108 bytes); the shim holds the master;
//   4. writes "ok <container pid> <shim pid>\n" or "error <message>\n" to fd 3, closes it,
//      and proxies the published ports it was given (see FirstPortFd) until the last run ends;
//   5. copies the container's output into <dir>/ctr.log as JSON lines
//      {"time":"RFC3339Nano","stream":"stdout|stderr","log":"text\n"}, rotating by size
//      (ctr.log -> ctr.log.1 -> ... ctr.log.<max-files - 1>), and to attached clients;
//   6. when the container exits and its output is drained: reads the cgroup's OOM count, runs
//      `<runtime> delete` and applies the restart policy (--restart no|on-failure|always|
//      unless-stopped, --restart-max N): to restart, it writes <dir>/state.json with
//      "restarting":true, waits Docker's delay (100 ms, doubled after each restart, at most a
//      minute, back to 100 ms after a run of 10 s or more) and runs the container again with
//      the same mounted rootfs, writing state.json (pid, startedAt, restartCount) once it
//      runs. A client's NoRestart request (the engine's stop/kill/rm) disables the policy.
//      With --netns (the network namespace path in config.json, held only by the engine's fd
//      while it starts the container) and a policy, the shim opens that namespace before the
//      first run and, for restarts, points config.json at its own fd: the container comes
//      back with the same address and published ports;
//   7. otherwise unmounts the rootfs and writes <dir>/exit.json atomically:
//      {"exitCode":N,"finishedAt":"RFC3339Nano","oomKilled":bool,"restartCount":N,
//       "error":"why a restart failed, if it did"} — then exits.
// The shim never touches the database: the engine reconciles state.json and exit.json into it
// on its next read of the container (and records the "die" event exactly once). A free
// shim.lock without exit.json means the shim died: the engine kills what is left and reports
// the container exited.
//
// Attach socket: a stream socket at <dir>/attach.sock. Its path may exceed sun_path, so both
// sides bind/connect through a directory fd: "/proc/self/fd/<dirfd>/attach.sock". Messages
// both ways are frames: 1 byte type, 4 bytes payload length (big-endian), the payload.
// A client sends Attach first to receive output (and Hello); control clients (the engine's
// stop) send NoRestart and wait for Ack. With --hold-output (the starter is about to attach:
// `run` in the foreground, `start -a`) the shim keeps the container's output for the first
// Attach instead of dropping it, and does not finish before that client came (at most
// HoldOutputTimeoutMs). Output that attached clients do not read in time stops the shim from
// reading more (the container then blocks on its writes, as with Docker), so nothing is lost.
// When the container exits, every attached client gets Exit (after all output) and is closed.

#include <cstddef>
#include <cstdint>
#include <sched.h>
#include <string>
#include <sys/mount.h>

namespace Berth::Shim {

inline constexpr const char *LockFile = "shim.lock";
inline constexpr const char *ExitFile = "exit.json";
inline constexpr const char *StateFile = "state.json";
inline constexpr const char *LogFile = "ctr.log";
inline constexpr const char *PidFile = "init.pid";
inline constexpr const char *RuntimeLogFile = "runtime.log";
inline constexpr const char *ShimLogFile = "shim.log";
inline constexpr const char *AttachSocket = "attach.sock";
inline constexpr const char *RootfsDir = "rootfs";
inline constexpr int SyncFd = 3;
// Published ports: `--publish PROTO:FD:CONTAINER_IP:CONTAINER_PORT` (repeated) names a listening
// socket the engine bound on the host and passed as fd FD (FirstPortFd, FirstPortFd + 1, ...);
// the shim proxies it to the container's address until the container exits for good.
inline constexpr int FirstPortFd = 4;
// `--hold-lock FD`: the starter's operation lock (op.lock), inherited; the shim closes it once it
// holds shim.lock, so a starter that dies meanwhile never leaves a moment where the run looks
// abandoned (neither lock held) while its shim is still coming up.
inline constexpr int HoldOutputTimeoutMs = 30000;

// `--cgroup-view legacy`: every runtime the shim runs enters enterLegacyCgroupView() first
// (see OciRuntime: crun on a hybrid cgroup host).
inline constexpr const char *LegacyCgroupView = "legacy";
inline constexpr const char *UnifiedControllersFile = "/sys/fs/cgroup/unified/cgroup.controllers";

// On a hybrid cgroup host (v1 controllers, and cgroup v2 at /sys/fs/cgroup/unified with a
// controller of its own, here hugetlb) crun 1.8.1 refuses to run anything. In a private mount
// namespace where that cgroup.controllers reads empty it manages the v1 hierarchies, as runc
// does on this host. Called in a freshly forked child just before it execs the runtime: only
// system calls (async-signal-safe). The namespace is a slave of the caller's (the host's
// mounts, the container's rootfs among them, still reach it; nothing it mounts goes back),
// and it ends with the runtime process: the host's mounts are never changed.
inline bool enterLegacyCgroupView() noexcept {
    return ::unshare(CLONE_NEWNS) == 0 &&
           ::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) == 0 &&
           ::mount("/dev/null", UnifiedControllersFile, nullptr, MS_BIND, nullptr) == 0;
}

enum class Frame : char {
    // client -> shim
    Attach = 'A',     // payload: 1 byte of AttachFlags; answered with Hello, then output
    Stdin = 'i',      // bytes for the container's stdin (AttachStdin clients, --stdin only)
    CloseStdin = 'c', // end of the container's stdin (without a terminal; ignored with one)
    Resize = 'w',     // 4 bytes: rows and columns, 16 bit big-endian each (--terminal only)
    NoRestart = 's',  // the container is being stopped: never restart it; answered with Ack
    // shim -> client
    Hello = 'h',  // 2 bytes: has a terminal (0/1), stdin open (0/1)
    Stdout = 'o', // container output (everything, with a terminal)
    Stderr = 'e',
    Exit = 'x', // exit code in decimal; the connection closes after it
    Ack = 'a',
};

enum AttachFlags : unsigned char {
    AttachStdin = 1, // this client writes the container's stdin
};

inline constexpr size_t FrameHeaderSize = 5;
inline constexpr size_t MaxFramePayload = 1 << 20;

inline std::string encodeFrame(Frame type, const char *data, size_t size) {
    std::string out;
    out.reserve(FrameHeaderSize + size);
    out += char(type);
    for (int shift = 24; shift >= 0; shift -= 8)
        out += char((size >> shift) & 0xff);
    out.append(data, size);
    return out;
}
inline std::string encodeFrame(Frame type, const std::string &payload = std::string()) {
    return encodeFrame(type, payload.data(), payload.size());
}

// Collects bytes from a stream and hands out whole frames.
class FrameReader {
public:
    void feed(const char *data, size_t size) { m_buffer.append(data, size); }
    // The next whole frame, if there is one. False also when the stream is corrupt (a payload
    // above MaxFramePayload): check corrupt() then, and drop the connection.
    bool next(Frame &type, std::string &payload) {
        if (m_buffer.size() - m_pos < FrameHeaderSize)
            return compact();
        size_t size = 0;
        for (size_t i = 1; i < FrameHeaderSize; ++i)
            size = (size << 8) | static_cast<unsigned char>(m_buffer[m_pos + i]);
        if (size > MaxFramePayload) {
            m_corrupt = true;
            return false;
        }
        if (m_buffer.size() - m_pos < FrameHeaderSize + size)
            return compact();
        type = Frame(m_buffer[m_pos]);
        payload.assign(m_buffer, m_pos + FrameHeaderSize, size);
        m_pos += FrameHeaderSize + size;
        return true;
    }
    bool corrupt() const { return m_corrupt; }
    size_t pending() const { return m_buffer.size() - m_pos; }

private:
    bool compact() {
        m_buffer.erase(0, m_pos);
        m_pos = 0;
        return false;
    }
    std::string m_buffer;
    size_t m_pos = 0;
    bool m_corrupt = false;
};

} // namespace Berth::Shim
