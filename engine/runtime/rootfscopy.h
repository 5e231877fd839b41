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

// Paths inside a root (a container's rootfs or read-write layer, an image's layer): the one
// resolver every caller that names a file inside a root goes through (cp both ways, the
// archive endpoint, diff, commit, volume seeding). The contract:
// - cleanInRootPath gives the path as the container sees it: absolute, "." and ".." taken
//   lexically, ".." at the root staying at the root (as for the container's own processes).
//   Its components are never "." or "..".
// - openInRoot opens it relative to `rootFd` with openat2(RESOLVE_IN_ROOT): symlinks, also
//   absolute ones, resolve inside the root; magic links are refused.
// - resolveInRoot splits it into its parent directory (opened as above) and its last name, for
//   the callers that must not follow the last component (fstatat/openat with NOFOLLOW on
//   `name`). The name is never ".." and has no '/'; the root itself is (root, ".").
// Nothing here ever names the root's parent: that is the container's host-side directory
// (config.json, the log, the shim's state).
QString cleanInRootPath(const QString &path);
int openInRoot(int rootFd, const QString &path, int flags);

struct InRootEntry {
    ScopedFd parent;
    QString name; // "." for the root itself
    QString path; // cleanInRootPath of what was asked
    bool isRoot() const { return name == QLatin1String("."); }
};
Result<InRootEntry> resolveInRoot(int rootFd, const QString &path);

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
