// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/fileutil.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSet>
#include <cerrno>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Berth::Engine {

Status makeDirectories(const QString &path) {
    if (QDir().mkpath(path))
        return {};
    return fail(ErrorKind::PermissionDenied,
                QStringLiteral("cannot create directory %1").arg(path));
}

Status fsyncPath(const QString &path) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failErrno(QStringLiteral("open %1").arg(path), errno);
    const int rc = ::fsync(fd);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
        return failErrno(QStringLiteral("fsync %1").arg(path), err);
    return {};
}

Status fsyncDirectoryOf(const QString &path) {
    return fsyncPath(QFileInfo(path).absolutePath());
}

QString uniqueTempName(const QString &prefix) {
    return QStringLiteral("%1-%2-%3")
        .arg(prefix)
        .arg(::getpid())
        .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

bool tempNameOwnerAlive(const QString &name) {
    const QStringList parts = name.split(QLatin1Char('-'));
    if (parts.size() < 3)
        return false;
    bool ok = false;
    const int pid = parts.at(parts.size() - 2).toInt(&ok);
    if (!ok || pid <= 0)
        return false;
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

Status writeFileAtomically(const QString &path, const QByteArray &data, int mode) {
    const QString dir = QFileInfo(path).absolutePath();
    if (auto st = makeDirectories(dir); !st)
        return st;
    const QString tmp = dir + QLatin1Char('/') + uniqueTempName(QStringLiteral(".tmp"));
    const QByteArray tmpName = QFile::encodeName(tmp);
    const int fd = ::open(tmpName.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0)
        return failErrno(QStringLiteral("create %1").arg(tmp), errno);
    qint64 done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmpName.constData());
            return failErrno(QStringLiteral("write %1").arg(path), err);
        }
        done += n;
    }
    if (::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmpName.constData());
        return failErrno(QStringLiteral("fsync %1").arg(path), err);
    }
    ::close(fd);
    if (::rename(tmpName.constData(), QFile::encodeName(path).constData()) != 0) {
        const int err = errno;
        ::unlink(tmpName.constData());
        return failErrno(QStringLiteral("rename %1").arg(path), err);
    }
    return fsyncPath(dir);
}

Result<QByteArray> readFileLimited(const QString &path, qint64 maxSize) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(f.error() == QFileDevice::OpenError && !f.exists()
                        ? ErrorKind::NotFound
                        : ErrorKind::PermissionDenied,
                    QStringLiteral("cannot open %1: %2").arg(path, f.errorString()));
    if (f.size() > maxSize)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1 is too large (%2 bytes, at most %3 allowed)")
                        .arg(path)
                        .arg(f.size())
                        .arg(maxSize));
    QByteArray data = f.read(maxSize + 1);
    if (data.size() > maxSize)
        return fail(ErrorKind::InvalidArgument, QStringLiteral("%1 is too large").arg(path));
    return data;
}

namespace {
int removeEntry(const char *path, const struct stat *, int type, struct FTW *) {
    if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
        return ::rmdir(path) == 0 || errno == ENOENT ? 0 : -1;
    return ::unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

int makeWritable(const char *path, const struct stat *st, int type, struct FTW *) {
    if (type == FTW_D || type == FTW_DNR)
        ::chmod(path, (st->st_mode & 07777) | S_IRWXU);
    return 0;
}
} // namespace

Status removeTree(const QString &path) {
    const QByteArray p = QFile::encodeName(path);
    struct stat st;
    if (::lstat(p.constData(), &st) != 0)
        return errno == ENOENT ? Status{} : failErrno(QStringLiteral("stat %1").arg(path), errno);
    if (!S_ISDIR(st.st_mode)) {
        if (::unlink(p.constData()) != 0)
            return failErrno(QStringLiteral("remove %1").arg(path), errno);
        return {};
    }
    // Root can remove anything; other users first need write permission on every directory.
    if (::geteuid() != 0)
        ::nftw(p.constData(), makeWritable, 64, FTW_PHYS);
    if (::nftw(p.constData(), removeEntry, 64, FTW_PHYS | FTW_DEPTH) != 0)
        return failErrno(QStringLiteral("remove %1").arg(path), errno);
    return {};
}

namespace {
thread_local qint64 t_usage = 0;
thread_local QSet<QPair<quint64, quint64>> *t_seen = nullptr;
// Whether a hardlinked inode was counted already (and from now on is).
bool countedBefore(const struct stat *st) {
    if (st->st_nlink <= 1 || S_ISDIR(st->st_mode))
        return false;
    const QPair<quint64, quint64> key(st->st_dev, st->st_ino);
    if (t_seen->contains(key))
        return true;
    t_seen->insert(key);
    return false;
}
int addUsage(const char *, const struct stat *st, int, struct FTW *) {
    if (!countedBefore(st))
        t_usage += qint64(st->st_blocks) * 512;
    return 0;
}
int addApparentSize(const char *, const struct stat *st, int, struct FTW *) {
    if (!S_ISDIR(st->st_mode) && !countedBefore(st))
        t_usage += qint64(st->st_size);
    return 0;
}
qint64 walkSum(const QString &path,
               int (*add)(const char *, const struct stat *, int, struct FTW *)) {
    QSet<QPair<quint64, quint64>> seen;
    t_seen = &seen;
    t_usage = 0;
    ::nftw(QFile::encodeName(path).constData(), add, 64, FTW_PHYS);
    t_seen = nullptr;
    return t_usage;
}
} // namespace

qint64 diskUsage(const QString &path) {
    return walkSum(path, addUsage);
}

qint64 apparentSize(const QString &path) {
    return walkSum(path, addApparentSize);
}

bool writeAll(int fd, const char *data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                pollfd p{fd, POLLOUT, 0};
                ::poll(&p, 1, 1000);
                continue;
            }
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
}

} // namespace Berth::Engine
