// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <sys/types.h>

// Rootless Berth: one user namespace (and mount namespace) per user, kept alive by a tiny
// process, the *keeper*, that every Berth program of that user joins first thing in main()
// (podman's "pause process"). Inside it the user is uid 0, ids 1..N are the user's subordinate
// range (/etc/subuid, /etc/subgid, mapped with the setuid newuidmap/newgidmap), overlayfs can be
// mounted, and the mounts of one program (a container's root) are seen by all the others: the
// GUI, berthctl, the API server and every berth-shim (which inherit it from whoever starts
// them).
//
// Lifecycle: the first program of the user to start creates the keeper under a lock
// (<keeper dir>/keeper.lock) and records `PID STARTTIME` in <keeper dir>/keeper; later ones
// check that record against /proc (the same start time, so a reused pid is never joined) and
// join. A killed keeper is created again by the next program; the mounts of the old namespace
// stay with the processes still in it (running containers), which the engine then finds as it
// finds containers whose shim died. The keeper dir is $XDG_RUNTIME_DIR/berth, else
// /tmp/berth-UID (created 0700 and checked to be the user's).
//
// Plain C++ (no Qt, no threads): it must run before QCoreApplication, while the process is
// still single-threaded, as setns(CLONE_NEWUSER) requires.
namespace Berth::Engine::UserNamespace {

enum class Mode {
    HostRoot,    // real root: no user namespace, the root store
    Rootless,    // a normal user inside its keeper's namespace (or another user namespace)
    Unavailable, // a normal user who could not enter one; problem() says why and the fix
};

// Called at the very top of main() of berth and berthctl. Root: nothing. A normal user: joins
// (creating if need be) the keeper's namespaces; on failure the process stays outside and
// problem() tells why. The working directory is kept (by path: the namespace's mounts are a
// copy of the host's). Idempotent: a process already in a user namespace stays where it is.
void enterAtStartup() noexcept;

Mode mode() noexcept;
// Empty unless mode() is Unavailable: what is missing, with the one command that fixes it.
const std::string &problem() noexcept;
// Whether this process is in a user namespace other than the host's.
bool insideUserNamespace() noexcept;
// Whether this process is the host's root (not root inside a user namespace).
inline bool hostRoot() noexcept {
    return mode() == Mode::HostRoot;
}

struct IdRange {
    unsigned long start = 0;
    unsigned long count = 0;
};
// The subordinate range of `user` (name or number) in /etc/subuid or /etc/subgid; count 0 when
// there is none.
IdRange subordinateRange(const char *file, const std::string &user, uid_t uid) noexcept;
// How ids are mapped in this process's user namespace, as "0 1001 1; 1 100000 65536" (or
// empty outside one), for `berthctl info` and error messages.
std::string uidMapText() noexcept;
// The highest container id the mapping holds (0 outside a user namespace: all ids).
unsigned long highestMappedUid() noexcept;
unsigned long highestMappedGid() noexcept;
// The keeper's pid, or 0.
pid_t keeperPid() noexcept;
// The user's runtime directory for Berth ($XDG_RUNTIME_DIR/berth, else /tmp/berth-UID), which
// holds the keeper's record and other short socket paths.
std::string runtimeDirectory() noexcept;
// Runs `child(argument)` in a new process in a session of its own whose parent has already
// exited, so it belongs to no program of the user (the keeper, slirp4netns). `child` must not
// return and may only make async-signal-safe calls (the caller may have threads). Its pid, or
// -1.
pid_t forkDetached(void (*child)(void *), void *argument) noexcept;
// Field 22 of /proc/PID/stat (start time in clock ticks since boot), to recognise a process
// after its pid may have been reused; empty when it is gone.
std::string processStartTime(pid_t pid) noexcept;

} // namespace Berth::Engine::UserNamespace
