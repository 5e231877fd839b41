// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/registrycache.h"

#include "engine/core/fileutil.h"

namespace Berth::Engine {

RegistryCache::RegistryCache(const StorePaths &paths)
    : m_dir(paths.cache() + QStringLiteral("/registry")) {}

void RegistryCache::recordSource(const Digest &blob, const QString &repository) {
    QStringList known = sources(blob);
    if (known.contains(repository))
        return;
    known.prepend(repository); // most recent first
    while (known.size() > 8)
        known.removeLast();
    const QString dir = m_dir + QStringLiteral("/sources");
    if (makeDirectories(dir))
        (void)writeFileAtomically(dir + QLatin1Char('/') + blob.hex(),
                                  known.join(QLatin1Char('\n')).toUtf8());
}

QStringList RegistryCache::sources(const Digest &blob) const {
    auto data = readFileLimited(m_dir + QStringLiteral("/sources/") + blob.hex(), 64 * 1024);
    if (!data)
        return {};
    return QString::fromUtf8(*data).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

void RegistryCache::recordCompressed(const Digest &diffId, const Digest &gzipDigest,
                                     qint64 gzipSize) {
    const QString dir = m_dir + QStringLiteral("/gzip");
    if (makeDirectories(dir))
        (void)writeFileAtomically(
            dir + QLatin1Char('/') + diffId.hex(),
            (gzipDigest.toString() + QLatin1Char(' ') + QString::number(gzipSize)).toUtf8());
}

Digest RegistryCache::compressedDigest(const Digest &diffId, qint64 *size) const {
    auto data = readFileLimited(m_dir + QStringLiteral("/gzip/") + diffId.hex(), 1024);
    if (!data)
        return {};
    const QList<QByteArray> parts = data->trimmed().split(' ');
    auto d = Digest::parse(QString::fromLatin1(parts.value(0)));
    if (!d)
        return {};
    if (size)
        *size = parts.value(1).toLongLong();
    return *d;
}

} // namespace Berth::Engine
