// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshots/snapshotstore.h"

#include "engine/core/fileutil.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <cstdio>

namespace Berth::Engine {

SnapshotStore::SnapshotStore(const StorePaths &paths, Database &db)
    : m_paths(paths)
    , m_db(db) {}

Status SnapshotStore::init() {
    if (auto st = makeDirectories(m_paths.snapshots()); !st)
        return st;
    const QStringList entries =
        QDir(m_paths.snapshots()).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &name : entries) {
        if (name.startsWith(tempPrefix()) && !tempNameOwnerAlive(name))
            removeTree(m_paths.snapshots() + QLatin1Char('/') + name);
    }
    return {};
}

QString SnapshotStore::filesPath(const Digest &chainId) const {
    return m_paths.snapshots() + QLatin1Char('/') + chainId.hex() + QStringLiteral("/fs");
}

bool SnapshotStore::exists(const Digest &chainId) const {
    if (!QFileInfo(filesPath(chainId)).isDir())
        return false;
    auto q = m_db.exec(QStringLiteral("SELECT 1 FROM snapshots WHERE chain_id = ?"),
                       {chainId.toString()});
    return q && q->next();
}

Result<SnapshotInfo> SnapshotStore::info(const Digest &chainId) const {
    auto q =
        m_db.exec(QStringLiteral("SELECT parent, diff_id, size FROM snapshots WHERE chain_id = ?"),
                  {chainId.toString()});
    if (!q)
        return fail(q.error());
    if (!q->next())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("no snapshot for layer %1").arg(chainId.toString()));
    SnapshotInfo s;
    s.chainId = chainId;
    s.parent = Digest::parse(q->value(0).toString()).value_or(Digest());
    s.diffId = Digest::parse(q->value(1).toString()).value_or(Digest());
    s.size = q->value(2).toLongLong();
    return s;
}

QList<SnapshotInfo> SnapshotStore::list() const {
    QList<SnapshotInfo> out;
    auto q = m_db.exec(QStringLiteral("SELECT chain_id, parent, diff_id, size FROM snapshots"));
    while (q && q->next()) {
        SnapshotInfo s;
        s.chainId = Digest::parse(q->value(0).toString()).value_or(Digest());
        s.parent = Digest::parse(q->value(1).toString()).value_or(Digest());
        s.diffId = Digest::parse(q->value(2).toString()).value_or(Digest());
        s.size = q->value(3).toLongLong();
        out.append(s);
    }
    return out;
}

Status SnapshotStore::remove(const Digest &chainId) {
    // Forget the row first: a snapshot directory without a row is garbage that init() or a
    // later prune can delete, a row without a directory would be a broken store.
    auto q =
        m_db.exec(QStringLiteral("DELETE FROM snapshots WHERE chain_id = ?"), {chainId.toString()});
    if (!q)
        return fail(q.error());
    const QString dir = m_paths.snapshots() + QLatin1Char('/') + chainId.hex();
    // Rename aside first so a half-deleted tree is never mistaken for a snapshot.
    const QString doomed = m_paths.snapshots() + QLatin1Char('/') + uniqueTempName(tempPrefix());
    if (::rename(QFile::encodeName(dir).constData(), QFile::encodeName(doomed).constData()) != 0)
        return errno == ENOENT ? Status{} : failErrno(QStringLiteral("remove snapshot"), errno);
    return removeTree(doomed);
}

} // namespace Berth::Engine
