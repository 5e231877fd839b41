// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/directorywatch.h"

#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {
constexpr int kWithoutInotifyMs = 100;
}

DirectoryWatch::DirectoryWatch(const QString &directory)
    : m_fd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    if (m_fd >= 0 &&
        ::inotify_add_watch(m_fd, QFile::encodeName(directory).constData(),
                            IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE) < 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

std::unique_ptr<DirectoryWatch> DirectoryWatch::ofFile(const QString &file) {
    return std::make_unique<DirectoryWatch>(QFileInfo(file).path());
}

DirectoryWatch::~DirectoryWatch() {
    if (m_fd >= 0)
        ::close(m_fd);
}

DirectoryWatch::Woke DirectoryWatch::wait(int timeoutMs, int hangUpFd) const {
    // No events asked of hangUpFd: poll reports POLLHUP and POLLERR in any case, and nothing
    // else (neither data nor a peer that only shut its writing half).
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {hangUpFd, 0, 0}};
    int timeout = timeoutMs;
    if (m_fd < 0)
        timeout = timeoutMs < 0 ? kWithoutInotifyMs : qMin(timeoutMs, kWithoutInotifyMs);
    // poll ignores entries with a negative descriptor.
    const int n = ::poll(fds, 2, timeout);
    if (n < 0)
        return errno == EINTR ? Woke::Interrupted : Woke::TimedOut;
    if (n == 0)
        return m_fd < 0 ? Woke::Changed : Woke::TimedOut; // without inotify: look again
    if (fds[1].revents & (POLLHUP | POLLERR))
        return Woke::HungUp;
    char buffer[4096];
    while (::read(m_fd, buffer, sizeof buffer) > 0) {
    }
    return Woke::Changed;
}

} // namespace Berth::Engine
