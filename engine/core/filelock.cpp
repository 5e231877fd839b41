// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/filelock.h"

#include <QFile>
#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace Berth::Engine {

namespace {

int operationOf(FileLock::Mode mode, FileLock::Wait wait) {
    return (mode == FileLock::Mode::Shared ? LOCK_SH : LOCK_EX) |
           (wait == FileLock::Wait::Try ? LOCK_NB : 0);
}

// flock, with EINTR retried; 0 or errno.
int lockRetrying(int fd, int operation) {
    while (::flock(fd, operation) != 0) {
        if (errno != EINTR)
            return errno;
    }
    return 0;
}

} // namespace

Result<FileLock> FileLock::acquire(const QString &path, Mode mode, Wait wait, mode_t createMode) {
    return lockOpened(
        path, ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, createMode),
        operationOf(mode, wait));
}

Result<FileLock> FileLock::acquireExisting(const QString &path, Mode mode, Wait wait) {
    return lockOpened(path, ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC),
                      operationOf(mode, wait));
}

Result<FileLock> FileLock::lockOpened(const QString &path, int fd, int operation) {
    if (fd < 0)
        return failErrno(QStringLiteral("open lock %1").arg(path), errno);
    const int err = lockRetrying(fd, operation);
    if (err == 0)
        return FileLock(fd);
    ::close(fd);
    if (err == EWOULDBLOCK)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("%1 is locked by another process").arg(path));
    return failErrno(QStringLiteral("lock %1").arg(path), err);
}

bool FileLock::isBusy(const QString &path, Mode mode) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool busy = lockRetrying(fd, operationOf(mode, Wait::Try)) == EWOULDBLOCK;
    ::close(fd);
    return busy;
}

FileLock::FileLock(FileLock &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)) {}

FileLock &FileLock::operator=(FileLock &&other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

FileLock::~FileLock() {
    if (m_fd >= 0)
        ::close(m_fd);
}

bool FileLock::isStillAt(const QString &path) const {
    struct stat held {
    }, current{};
    return m_fd >= 0 && ::fstat(m_fd, &held) == 0 &&
           ::stat(QFile::encodeName(path).constData(), &current) == 0 &&
           held.st_ino == current.st_ino && held.st_dev == current.st_dev;
}

int FileLock::intoDescriptor() && {
    return std::exchange(m_fd, -1);
}

} // namespace Berth::Engine
