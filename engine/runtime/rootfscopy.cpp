// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/rootfscopy.h"

#include "engine/core/fileutil.h"

#include <QDir>
#include <QFile>
#include <cerrno>
#include <climits>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {
QByteArray enc(const QString &s) {
    return QFile::encodeName(s);
}
} // namespace

QString cleanInRootPath(const QString &path) {
    QStringList parts;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (!parts.isEmpty())
                parts.removeLast();
            continue;
        }
        parts.append(part);
    }
    return QLatin1Char('/') + parts.join(QLatin1Char('/'));
}

int openInRoot(int rootFd, const QString &path, int flags) {
    QByteArray rel = enc(cleanInRootPath(path)).mid(1);
    if (rel.isEmpty())
        rel = ".";
    struct open_how how {};
    how.flags = quint64(flags | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    return int(::syscall(SYS_openat2, rootFd, rel.constData(), &how, sizeof how));
}

Result<InRootEntry> resolveInRoot(int rootFd, const QString &path) {
    InRootEntry e;
    e.path = cleanInRootPath(path);
    const qsizetype slash = e.path.lastIndexOf(QLatin1Char('/'));
    e.name = e.path.size() == 1 ? QStringLiteral(".") : e.path.mid(slash + 1);
    const QString parent = slash <= 0 ? QStringLiteral("/") : e.path.left(slash);
    Q_ASSERT(e.name != QLatin1String("..") && !e.name.contains(QLatin1Char('/')));
    e.parent = ScopedFd(openInRoot(rootFd, parent, O_RDONLY | O_DIRECTORY));
    if (!e.parent.valid())
        return failErrno(QStringLiteral("open %1").arg(parent), errno);
    return e;
}

QStringList listDir(int dirFd) {
    QStringList out;
    const int dup = ::fcntl(dirFd, F_DUPFD_CLOEXEC, 0);
    if (dup < 0)
        return out;
    DIR *d = ::fdopendir(dup);
    if (!d) {
        ::close(dup);
        return out;
    }
    while (struct dirent *e = ::readdir(d)) {
        if (::strcmp(e->d_name, ".") == 0 || ::strcmp(e->d_name, "..") == 0)
            continue;
        out.append(QFile::decodeName(e->d_name));
    }
    ::closedir(d);
    out.sort();
    return out;
}

Status copyEntry(int srcDir, const QString &srcName, int dstDir, const QString &dstName,
                 Owners owners) {
    const QByteArray s = enc(srcName), d = enc(dstName);
    struct stat st {};
    if (::fstatat(srcDir, s.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return failErrno(QStringLiteral("stat %1").arg(srcName), errno);
    struct stat existing {};
    const bool exists = ::fstatat(dstDir, d.constData(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
    if (exists && !(S_ISDIR(st.st_mode) && S_ISDIR(existing.st_mode)))
        if (::unlinkat(dstDir, d.constData(), S_ISDIR(existing.st_mode) ? AT_REMOVEDIR : 0) != 0)
            return failErrno(QStringLiteral("replace %1").arg(dstName), errno);
    const struct timespec times[2] = {st.st_atim, st.st_mtim};
    auto finish = [&](int fd) {
        if (owners == Owners::Keep)
            (void)::fchownat(dstDir, d.constData(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
        if (fd >= 0) {
            (void)::fchmod(fd, st.st_mode & 07777);
            (void)::futimens(fd, times);
        } else {
            (void)::utimensat(dstDir, d.constData(), times, AT_SYMLINK_NOFOLLOW);
        }
    };
    if (S_ISDIR(st.st_mode)) {
        if (!exists || !S_ISDIR(existing.st_mode))
            if (::mkdirat(dstDir, d.constData(), 0700) != 0)
                return failErrno(QStringLiteral("create directory %1").arg(dstName), errno);
        ScopedFd from(
            ::openat(srcDir, s.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        ScopedFd to(
            ::openat(dstDir, d.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!from.valid() || !to.valid())
            return failErrno(QStringLiteral("open directory %1").arg(srcName), errno);
        for (const QString &child : listDir(from.get()))
            if (auto r = copyEntry(from.get(), child, to.get(), child, owners); !r)
                return r;
        finish(to.get());
        return {};
    }
    if (S_ISREG(st.st_mode)) {
        ScopedFd from(::openat(srcDir, s.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!from.valid())
            return failErrno(QStringLiteral("open %1").arg(srcName), errno);
        ScopedFd to(::openat(dstDir, d.constData(),
                             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!to.valid())
            return failErrno(QStringLiteral("create %1").arg(dstName), errno);
        QByteArray buf(1 << 16, Qt::Uninitialized);
        for (;;) {
            const ssize_t n = ::read(from.get(), buf.data(), size_t(buf.size()));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return failErrno(QStringLiteral("read %1").arg(srcName), errno);
            if (n == 0)
                break;
            if (!writeAll(to.get(), buf.constData(), size_t(n)))
                return failErrno(QStringLiteral("write %1").arg(dstName), errno);
        }
        finish(to.get());
        return {};
    }
    if (S_ISLNK(st.st_mode)) {
        QByteArray target(PATH_MAX, Qt::Uninitialized);
        const ssize_t n = ::readlinkat(srcDir, s.constData(), target.data(), size_t(target.size()));
        if (n < 0)
            return failErrno(QStringLiteral("read link %1").arg(srcName), errno);
        target.truncate(n);
        if (::symlinkat(target.constData(), dstDir, d.constData()) != 0)
            return failErrno(QStringLiteral("create link %1").arg(dstName), errno);
        finish(-1);
        return {};
    }
    // Devices, fifos, sockets.
    if (::mknodat(dstDir, d.constData(), st.st_mode, st.st_rdev) != 0)
        return failErrno(QStringLiteral("create %1").arg(dstName), errno);
    finish(-1);
    return {};
}

Status seedFromRootfs(const QString &rootfs, const QString &containerPath, const QString &target) {
    ScopedFd root(::open(enc(rootfs).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        return failErrno(QStringLiteral("open %1").arg(rootfs), errno);
    ScopedFd src(openInRoot(root.get(), containerPath, O_RDONLY | O_DIRECTORY));
    if (!src.valid())
        return {}; // nothing there (or not a directory): an empty volume
    ScopedFd dst(::open(enc(target).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dst.valid())
        return failErrno(QStringLiteral("open %1").arg(target), errno);
    for (const QString &child : listDir(src.get()))
        if (auto r = copyEntry(src.get(), child, dst.get(), child, Owners::Keep); !r)
            return r;
    struct stat st {};
    if (::fstat(src.get(), &st) == 0) {
        (void)::fchown(dst.get(), st.st_uid, st.st_gid);
        (void)::fchmod(dst.get(), st.st_mode & 07777);
    }
    return {};
}

} // namespace Berth::Engine
