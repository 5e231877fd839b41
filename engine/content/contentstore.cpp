// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/content/contentstore.h"

#include "engine/content/growingblob.h"
#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Berth::Engine {

ContentStore::ContentStore(const StorePaths &paths)
    : m_paths(paths) {}

Status ContentStore::init() {
    if (auto st = makeDirectories(m_paths.blobs()); !st)
        return st;
    return makeDirectories(m_paths.ingest());
}

QString ContentStore::blobPath(const Digest &digest) const {
    return m_paths.blobs() + QLatin1Char('/') + digest.hex();
}

bool ContentStore::contains(const Digest &digest) const {
    return digest.isValid() && QFileInfo::exists(blobPath(digest));
}

Result<qint64> ContentStore::size(const Digest &digest) const {
    QFileInfo fi(blobPath(digest));
    if (!fi.exists())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("blob %1 not found").arg(digest.toString()));
    return fi.size();
}

Result<QByteArray> ContentStore::read(const Digest &digest, qint64 maxSize) const {
    auto data = readFileLimited(blobPath(digest), maxSize);
    if (!data)
        return fail(
            data.error().kind == ErrorKind::NotFound
                ? Error{ErrorKind::NotFound,
                        QStringLiteral("blob %1 not found").arg(digest.toString())}
                : data.error().withContext(QStringLiteral("blob %1").arg(digest.toString())));
    return data;
}

QList<Digest> ContentStore::list() const {
    QList<Digest> out;
    const QStringList names = QDir(m_paths.blobs()).entryList(QDir::Files);
    for (const QString &name : names)
        if (auto d = Digest::parse(QStringLiteral("sha256:") + name))
            out.append(*d);
    return out;
}

Status ContentStore::remove(const Digest &digest) {
    if (::unlink(QFile::encodeName(blobPath(digest)).constData()) != 0 && errno != ENOENT)
        return failErrno(QStringLiteral("remove blob %1").arg(digest.toString()), errno);
    return {};
}

qint64 ContentStore::cleanIngest() {
    qint64 freed = 0;
    const QStringList refs = QDir(m_paths.ingest()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &ref : refs) {
        const QString dir = m_paths.ingest() + QLatin1Char('/') + ref;
        const QString data = dir + QStringLiteral("/data");
        // A writer holds the lock while it works; skip ingests that are in use.
        if (FileLock::isBusy(data, FileLock::Mode::Shared))
            continue;
        freed += QFileInfo(data).size();
        removeTree(dir);
    }
    return freed;
}

} // namespace Berth::Engine
