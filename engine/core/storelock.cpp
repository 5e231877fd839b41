// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/storelock.h"

#include <QFile>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <utility>

namespace Berth::Engine {

Result<StoreLock> StoreLock::acquire(const QString &lockFile, Mode mode, Blocking blocking) {
    const int fd =
        ::open(QFile::encodeName(lockFile).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return failErrno(QStringLiteral("open lock %1").arg(lockFile), errno);
    const int operation =
        (mode == Mode::Shared ? LOCK_SH : LOCK_EX) | (blocking == Blocking::DontWait ? LOCK_NB : 0);
    while (::flock(fd, operation) != 0) {
        if (errno == EINTR)
            continue;
        if (errno == EWOULDBLOCK) {
            ::close(fd);
            return fail(ErrorKind::Unavailable,
                        QStringLiteral("the store is busy (another Berth process is using it)"));
        }
        const int err = errno;
        ::close(fd);
        return failErrno(QStringLiteral("lock %1").arg(lockFile), err);
    }
    return StoreLock(fd);
}

StoreLock::StoreLock(StoreLock &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)) {}

StoreLock &StoreLock::operator=(StoreLock &&other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

StoreLock::~StoreLock() {
    if (m_fd >= 0)
        ::close(m_fd);
}

} // namespace Berth::Engine
