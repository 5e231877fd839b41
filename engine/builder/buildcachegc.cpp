// SPDX-License-Identifier: GPL-3.0-or-later
// The build cache's garbage collection, which every Engine registers with StoreMaintenance:
// apart from buildcache.cpp (which hashes cache keys) so that programs that never build do not
// load OpenSSL for it.
#include "engine/builder/buildcache.h"

#include "engine/core/fileutil.h"
#include "engine/images/imageconfig.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Berth::Engine {

namespace {
constexpr qint64 kMaxEntrySize = 64 << 20; // as buildcache.cpp reads them
}

qint64 BuildCache::collectGarbage(const StorePaths &paths, const ContentStore &content,
                                  const QSet<Digest> &liveImages) {
    const QString dir = paths.cache() + QStringLiteral("/build");
    qint64 freed = 0;
    auto remove = [&](const QString &path) {
        const qint64 size = QFileInfo(path).size();
        if (QFile::remove(path))
            freed += size;
    };
    const QDir provenance(dir + QStringLiteral("/provenance"));
    for (const QString &name : provenance.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        auto id = Digest::parse(QStringLiteral("sha256:") + name.chopped(5));
        if (!id || !liveImages.contains(*id))
            remove(provenance.filePath(name));
    }
    QSet<QString> liveKeys;
    const QDir entries(dir);
    for (const QString &name : entries.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        const QString path = entries.filePath(name);
        auto data = readFileLimited(path, kMaxEntrySize);
        bool live = data.has_value();
        if (live)
            for (const QJsonValue &v : QJsonDocument::fromJson(*data)
                                           .object()
                                           .value(QStringLiteral("layers"))
                                           .toArray()) {
                auto blob =
                    Descriptor::fromJson(v.toObject().value(QStringLiteral("blob")).toObject());
                if (!blob || !content.contains(blob->digest)) {
                    live = false;
                    break;
                }
            }
        if (live)
            liveKeys.insert(QStringLiteral("sha256:") + name.chopped(5));
        else
            remove(path);
    }
    const QDir steps(dir + QStringLiteral("/steps"));
    for (const QString &name : steps.entryList({QStringLiteral("*.json")}, QDir::Files)) {
        auto data = readFileLimited(steps.filePath(name), kMaxEntrySize);
        const QJsonObject o = data ? QJsonDocument::fromJson(*data).object() : QJsonObject();
        const QString context = o.value(QStringLiteral("context")).toString();
        const bool contextGone =
            context.startsWith(QLatin1Char('/')) && !QFileInfo::exists(context);
        if (!liveKeys.contains(o.value(QStringLiteral("key")).toString()) || contextGone)
            remove(steps.filePath(name));
    }
    return freed;
}

} // namespace Berth::Engine
