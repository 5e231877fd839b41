// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Copying inside container root filesystems without ever following a symlink out of them: for
// `cp` (containerfilesystem.cpp) and for seeding a new volume with the image's content
// (volumes.cpp). Kept apart from containerfilesystem.cpp, whose tar and commit code needs
// libarchive, so that a program that only runs containers does not load it.
#include "engine/core/result.h"

#include <QString>
#include <QStringList>

namespace Berth::Engine {

// Closes a file descriptor at scope exit.
class ScopedFd {
public:
    explicit ScopedFd(int fd = -1)
        : m_fd(fd) {}
    ~ScopedFd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    ScopedFd(const ScopedFd &) = delete;
    ScopedFd &operator=(const ScopedFd &) = delete;
    ScopedFd(ScopedFd &&o) noexcept
        : m_fd(o.m_fd) {
        o.m_fd = -1;
    }
    ScopedFd &operator=(ScopedFd &&o) noexcept {
        if (this != &o) {
            if (m_fd >= 0)
                ::close(m_fd);
            m_fd = o.m_fd;
            o.m_fd = -1;
        }
        return *this;
    }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd;
};

// Opens `path` (absolute inside the container) relative to `rootFd`, as the container would
// see it: symlinks resolve inside the root.
int openInRoot(int rootFd, const QString &path, int flags);

// The names in a directory, sorted, without "." and "..".
QStringList listDir(int dirFd);

enum class Owners { Keep, Drop };

// Copies the entry `srcName` of directory `srcDir` to `dstName` in `dstDir`, recursively, never
// following a symlink on either side. An existing non-directory destination is replaced.
Status copyEntry(int srcDir, const QString &srcName, int dstDir, const QString &dstName,
                 Owners owners);

// Copies what `rootfs` holds at `containerPath` (resolved inside rootfs) into the existing
// directory `target`, keeping owners and modes: how a new volume gets the image's content.
// Nothing to copy (the path is missing or not a directory) is not an error.
Status seedFromRootfs(const QString &rootfs, const QString &containerPath, const QString &target);

} // namespace Berth::Engine
