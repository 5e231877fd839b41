// SPDX-License-Identifier: GPL-3.0-or-later
// SnapshotStore's unpacking of layer archives, apart from snapshotstore.cpp so that a program
// that only runs containers from snapshots already there does not load libarchive.
#include "engine/snapshots/snapshotstore.h"
#include "engine/snapshots/unpacker.h"

#include "engine/core/fileutil.h"

#include <QDateTime>
#include <QFile>
#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace Berth::Engine {

Result<SnapshotInfo> SnapshotStore::unpack(const QString &blobPath, const Digest &parent,
                                           const Digest &expectedDiffId) {
    return unpackWith(
        [&blobPath](const QString &targetDir) {
            return unpackLayer(blobPath, targetDir, UnpackOptions::forCurrentUser());
        },
        parent, expectedDiffId);
}

Result<SnapshotInfo> SnapshotStore::unpack(GrowingBlob &blob, const Digest &parent,
                                           const Digest &expectedDiffId) {
    return unpackWith(
        [&blob](const QString &targetDir) {
            return unpackLayer(blob, targetDir, UnpackOptions::forCurrentUser());
        },
        parent, expectedDiffId);
}

Result<SnapshotInfo> SnapshotStore::unpackWith(
    const std::function<Result<UnpackResult>(const QString &targetDir)> &unpackInto,
    const Digest &parent, const Digest &expectedDiffId) {
    if (expectedDiffId.isValid()) {
        const Digest chainId = chainIdOf(parent, expectedDiffId);
        if (exists(chainId))
            return info(chainId);
    }
    const QString tmp = m_paths.snapshots() + QLatin1Char('/') + uniqueTempName(tempPrefix());
    const QString tmpFiles = tmp + QStringLiteral("/fs");
    if (auto st = makeDirectories(tmpFiles); !st)
        return fail(st.error());
    auto discard = [&tmp](const Error &e) {
        removeTree(tmp);
        return fail(e);
    };
    auto unpacked = unpackInto(tmpFiles);
    if (!unpacked)
        return discard(unpacked.error());
    if (expectedDiffId.isValid() && unpacked->diffId != expectedDiffId)
        return discard(Error{ErrorKind::Corrupt,
                             QStringLiteral("layer content does not match its diffID: expected "
                                            "%1, got %2")
                                 .arg(expectedDiffId.toString(), unpacked->diffId.toString())});
    SnapshotInfo info;
    info.diffId = unpacked->diffId;
    info.parent = parent;
    info.chainId = chainIdOf(parent, unpacked->diffId);
    info.size = diskUsage(tmpFiles);
    const QString target = m_paths.snapshots() + QLatin1Char('/') + info.chainId.hex();
    if (::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(target).constData()) != 0) {
        // Another process (or an earlier interrupted run) already committed this layer.
        const int err = errno;
        removeTree(tmp);
        if (err != EEXIST && err != ENOTEMPTY)
            return failErrno(QStringLiteral("commit snapshot %1").arg(info.chainId.toString()),
                             err);
    } else {
        fsyncPath(m_paths.snapshots());
    }
    auto q = m_db.exec(QStringLiteral("INSERT OR IGNORE INTO snapshots (chain_id, parent, diff_id, "
                                      "size, created_at) VALUES (?,?,?,?,?)"),
                       {info.chainId.toString(),
                        parent.isValid() ? QVariant(parent.toString()) : QVariant(),
                        info.diffId.toString(), info.size, QDateTime::currentMSecsSinceEpoch()});
    if (!q)
        return fail(q.error().withContext(QStringLiteral("record snapshot")));
    return info;
}

namespace {

// Copies the extended attributes of one open file to another (the overlay's opaque marker,
// capabilities, ACLs).
void copyXattrs(int from, int to) {
    QByteArray names(4096, Qt::Uninitialized);
    const ssize_t n = ::flistxattr(from, names.data(), size_t(names.size()));
    for (qsizetype at = 0; n > 0 && at < n;) {
        const char *name = names.constData() + at;
        QByteArray value(65536, Qt::Uninitialized);
        const ssize_t len = ::fgetxattr(from, name, value.data(), size_t(value.size()));
        if (len >= 0)
            (void)::fsetxattr(to, name, value.constData(), size_t(len), 0);
        at += qsizetype(qstrlen(name)) + 1;
    }
}

// Recreates the directory `from` in the empty directory `to`: directories made anew with their
// owner, mode, xattrs and times; everything else (files, links, whiteout devices) hard-linked.
Status linkTree(int from, int to) {
    const int dup = ::fcntl(from, F_DUPFD_CLOEXEC, 0);
    DIR *d = dup >= 0 ? ::fdopendir(dup) : nullptr;
    if (!d) {
        if (dup >= 0)
            ::close(dup);
        return failErrno(QStringLiteral("read directory"), errno);
    }
    Status result;
    while (struct dirent *e = ::readdir(d)) {
        const char *name = e->d_name;
        if (qstrcmp(name, ".") == 0 || qstrcmp(name, "..") == 0)
            continue;
        struct stat st {};
        if (::fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            result = failErrno(QStringLiteral("stat %1").arg(QFile::decodeName(name)), errno);
            break;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (::linkat(from, name, to, name, 0) != 0) {
                result = failErrno(QStringLiteral("link %1").arg(QFile::decodeName(name)), errno);
                break;
            }
            continue;
        }
        if (::mkdirat(to, name, 0700) != 0) {
            result = failErrno(QStringLiteral("create %1").arg(QFile::decodeName(name)), errno);
            break;
        }
        const int src = ::openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int dst = ::openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (src >= 0 && dst >= 0)
            result = linkTree(src, dst);
        else
            result = failErrno(QStringLiteral("open %1").arg(QFile::decodeName(name)), errno);
        if (result) {
            copyXattrs(src, dst);
            (void)::fchown(dst, st.st_uid, st.st_gid);
            (void)::fchmod(dst, st.st_mode & 07777);
            const struct timespec times[2] = {st.st_atim, st.st_mtim};
            (void)::futimens(dst, times);
        }
        if (src >= 0)
            ::close(src);
        if (dst >= 0)
            ::close(dst);
        if (!result)
            break;
    }
    ::closedir(d);
    return result;
}

} // namespace

Result<SnapshotInfo> SnapshotStore::shareFiles(const Digest &source, const Digest &parent) {
    auto from = info(source);
    if (!from)
        return fail(from.error());
    const Digest diffId = from->diffId;
    const QString sourceFiles = filesPath(source);
    return unpackWith(
        [&](const QString &targetDir) -> Result<UnpackResult> {
            const int src = ::open(QFile::encodeName(sourceFiles).constData(),
                                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            const int dst = ::open(QFile::encodeName(targetDir).constData(),
                                   O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            Status st = src >= 0 && dst >= 0
                            ? linkTree(src, dst)
                            : failErrno(QStringLiteral("open %1").arg(sourceFiles), errno);
            if (st) {
                struct stat root {};
                if (::fstat(src, &root) == 0) {
                    copyXattrs(src, dst);
                    (void)::fchmod(dst, root.st_mode & 07777);
                    (void)::fchown(dst, root.st_uid, root.st_gid);
                }
            }
            if (src >= 0)
                ::close(src);
            if (dst >= 0)
                ::close(dst);
            if (!st)
                return fail(st.error().withContext(
                    QStringLiteral("share the files of layer %1").arg(source.toString())));
            UnpackResult r;
            r.diffId = diffId; // verified when `source` was unpacked
            return r;
        },
        parent, diffId);
}

} // namespace Berth::Engine
