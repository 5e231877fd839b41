// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QString>

namespace Berth::Engine {

// A process-wide advisory lock on a file (flock). Writers that add content (load, pull, unpack)
// hold it shared so they run side by side; garbage collection holds it exclusive so it never
// deletes a blob or snapshot another process is about to reference. Released on destruction or
// when the process dies, so a killed process never leaves the store locked.
class StoreLock {
public:
    enum class Mode { Shared, Exclusive };

    enum class Blocking { Wait, DontWait };

    // With Blocking::DontWait a lock held by another process is ErrorKind::Unavailable.
    static Result<StoreLock> acquire(const QString &lockFile, Mode mode,
                                     Blocking blocking = Blocking::Wait);

    StoreLock(StoreLock &&other) noexcept;
    StoreLock &operator=(StoreLock &&other) noexcept;
    StoreLock(const StoreLock &) = delete;
    StoreLock &operator=(const StoreLock &) = delete;
    ~StoreLock();

private:
    explicit StoreLock(int fd)
        : m_fd(fd) {}
    int m_fd = -1;
};

} // namespace Berth::Engine
