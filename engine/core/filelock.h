// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QString>
#include <sys/types.h>

namespace Berth::Engine {

// The engine's one file lock: an advisory flock(2) on a file, across processes. Used for the
// store (store.lock: writers shared, garbage collection exclusive), a container's operations
// (op.lock), build leases, a blob's ingest and the host-wide network state.
//
// Contract:
// - A FileLock holds its lock from a successful acquire() until it is destroyed, moved from, or
//   turned into its descriptor (intoDescriptor()); the kernel also releases it when the process
//   dies, however it dies, so a killed process never leaves a file locked.
// - Shared locks coexist; an Exclusive one excludes every other holder, in this process too:
//   each acquire() opens the file anew, and flock locks belong to the open file, not the process.
// - No timeouts, by design. Wait::Block waits as long as the holder holds (EINTR is retried): a
//   lock is held for one operation, which ends or dies with its process. A caller that must not
//   wait uses Wait::Try, which fails at once with ErrorKind::Unavailable when the lock is held.
// - acquire() creates the file (with createMode) when missing; a FileLock never removes or
//   truncates it. A caller
//   that removes or renames a lock file while others may wait on it makes them check with
//   isStillAt() that the file they locked is still the one at the path.
class FileLock {
public:
    enum class Mode { Shared, Exclusive };
    enum class Wait { Block, Try };

    static Result<FileLock> acquire(const QString &path, Mode mode, Wait wait = Wait::Block,
                                    mode_t createMode = 0644);
    // As acquire(), on a file that must exist already (ErrorKind::NotFound if not): for waiting
    // on a lock someone else creates, without leaving a file behind in a directory being removed.
    static Result<FileLock> acquireExisting(const QString &path, Mode mode,
                                            Wait wait = Wait::Block);
    // Whether `mode` could not be taken on `path` right now, i.e. someone holds a conflicting
    // lock. Takes nothing that lasts and creates nothing: a missing file is not busy. Probing
    // with Mode::Shared sees only exclusive holders, so concurrent probes never see each other.
    static bool isBusy(const QString &path, Mode mode);

    FileLock(FileLock &&other) noexcept;
    FileLock &operator=(FileLock &&other) noexcept;
    FileLock(const FileLock &) = delete;
    FileLock &operator=(const FileLock &) = delete;
    ~FileLock();

    // The open file that holds the lock (read-write from acquire(), read-only from
    // acquireExisting()); valid while this object holds it.
    int descriptor() const { return m_fd; }
    // Whether the file this lock holds is still the one at `path` (not renamed or replaced).
    bool isStillAt(const QString &path) const;
    // Hands the descriptor, and with it the lock, to the caller, who closes it to release.
    int intoDescriptor() &&;

private:
    static Result<FileLock> lockOpened(const QString &path, int fd, int operation);
    explicit FileLock(int fd)
        : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace Berth::Engine
