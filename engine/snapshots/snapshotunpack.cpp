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

} // namespace Berth::Engine
