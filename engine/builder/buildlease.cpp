// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/buildlease.h"

#include "engine/core/fileutil.h"
#include "engine/images/imagestore.h"
#include "engine/runtime/containerruntime.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cstdio>
#include <utility>
#include <vector>

namespace Berth::Engine {
namespace {

QString leaseDir(const StorePaths &paths) {
    return paths.root() + QStringLiteral("/builds");
}

QString lockPath(const StorePaths &paths, const QString &id) {
    return leaseDir(paths) + QLatin1Char('/') + id + QStringLiteral(".lock");
}

QString recordPath(const StorePaths &paths, const QString &id) {
    return leaseDir(paths) + QLatin1Char('/') + id + QStringLiteral(".json");
}

QList<Digest> recordedImages(const StorePaths &paths, const QString &id) {
    QList<Digest> out;
    const auto data = readFileLimited(recordPath(paths, id), 4 << 20);
    if (!data)
        return out;
    const QJsonArray images =
        QJsonDocument::fromJson(*data).object().value(QStringLiteral("images")).toArray();
    for (const QJsonValue &v : images)
        if (auto d = Digest::parse(v.toString()))
            out.append(*d);
    return out;
}

// The leases in the directory whose lock nobody holds, each with its lock now held by us.
std::vector<std::pair<QString, FileLock>> deadLeases(const StorePaths &paths) {
    std::vector<std::pair<QString, FileLock>> out;
    const QStringList locks =
        QDir(leaseDir(paths)).entryList({QStringLiteral("*.lock")}, QDir::Files);
    for (const QString &name : locks) {
        const QString id = name.chopped(5);
        auto lock =
            FileLock::acquire(lockPath(paths, id), FileLock::Mode::Exclusive, FileLock::Wait::Try);
        if (lock)
            out.emplace_back(id, std::move(*lock));
    }
    return out;
}

BuildLeftover leftoverOf(const QString &id, const StorePaths &paths,
                         const QList<ContainerRecord> &all, ImageStore &images) {
    BuildLeftover l;
    l.build = id;
    for (const ContainerRecord &c : all)
        if (c.spec.labels.value(QLatin1String(BuildLease::Label)) == id)
            l.containers.append(c.id);
    for (const Digest &image : recordedImages(paths, id)) {
        auto rec = images.get(image);
        if (rec && rec->tags.isEmpty())
            l.images.append(image);
    }
    return l;
}

} // namespace

Result<std::unique_ptr<BuildLease>> BuildLease::take(const StorePaths &paths) {
    if (auto st = makeDirectories(leaseDir(paths)); !st)
        return fail(st.error());
    const QString id = QStringLiteral("%1").arg(QRandomGenerator::global()->generate64(), 16, 16,
                                                QLatin1Char('0'));
    // Locked under a name no sweeper looks at, then renamed: a lease is never seen unlocked
    // while its build lives.
    const QString pending = leaseDir(paths) + QStringLiteral("/.") + id + QStringLiteral(".tmp");
    auto lock = FileLock::acquire(pending, FileLock::Mode::Exclusive);
    if (!lock)
        return fail(lock.error());
    if (::rename(QFile::encodeName(pending).constData(),
                 QFile::encodeName(lockPath(paths, id)).constData()) != 0)
        return failErrno(QStringLiteral("create build lease %1").arg(id), errno);
    return std::unique_ptr<BuildLease>(new BuildLease(paths, id, std::move(*lock)));
}

BuildLease::~BuildLease() {
    QFile::remove(recordPath(m_paths, m_id));
    QFile::remove(lockPath(m_paths, m_id));
}

Status BuildLease::save() const {
    QJsonArray images;
    for (const Digest &d : m_images)
        images.append(d.toString());
    return writeFileAtomically(
        recordPath(m_paths, m_id),
        QJsonDocument(QJsonObject{{QStringLiteral("images"), images}}).toJson());
}

Status BuildLease::addImage(const Digest &image) {
    m_images.append(image);
    return save();
}

Status BuildLease::forget(const Digest &image) {
    if (m_images.removeAll(image) == 0)
        return {};
    return save();
}

QList<BuildLeftover> findBuildLeftovers(const StorePaths &paths, ContainerRuntime &containers,
                                        ImageStore &images) {
    QList<BuildLeftover> out;
    const auto dead = deadLeases(paths);
    if (dead.empty())
        return out;
    const QList<ContainerRecord> all = containers.list();
    for (const auto &[id, lock] : dead)
        out.append(leftoverOf(id, paths, all, images));
    return out;
}

Result<QStringList> removeBuildLeftovers(const StorePaths &paths, ContainerRuntime &containers,
                                         ImageStore &images) {
    QStringList removed;
    const auto dead = deadLeases(paths);
    if (dead.empty())
        return removed;
    const QList<ContainerRecord> all = containers.list();
    for (const auto &[id, lock] : dead) {
        const BuildLeftover l = leftoverOf(id, paths, all, images);
        // Containers first: an image a container uses stays.
        for (const QString &c : l.containers) {
            if (auto st = containers.remove(c, ContainerRuntime::Force::Yes); !st)
                return fail(st.error().withContext(QStringLiteral("remove container %1 of "
                                                                  "killed build %2")
                                                       .arg(c, id)));
            removed.append(QStringLiteral("container %1 of killed build %2").arg(c, id));
        }
        for (const Digest &image : l.images) {
            if (auto st = images.remove(image); !st)
                return fail(
                    st.error().withContext(QStringLiteral("remove image %1 of killed build %2")
                                               .arg(image.toString(), id)));
            removed.append(QStringLiteral("image %1 of killed build %2").arg(image.toString(), id));
        }
        QFile::remove(recordPath(paths, id));
        QFile::remove(lockPath(paths, id));
    }
    return removed;
}

QStringList describeBuildLeftovers(const QList<BuildLeftover> &leftovers) {
    QStringList out;
    for (const BuildLeftover &l : leftovers) {
        for (const QString &c : l.containers)
            out.append(QStringLiteral("container %1 of killed build %2 (the next build or "
                                      "system prune removes it)")
                           .arg(c, l.build));
        for (const Digest &image : l.images)
            out.append(QStringLiteral("intermediate image %1 of killed build %2 (the next build "
                                      "or system prune removes it)")
                           .arg(image.toString(), l.build));
        if (l.containers.isEmpty() && l.images.isEmpty())
            out.append(
                QStringLiteral("lease of killed build %1 (nothing left to remove)").arg(l.build));
    }
    return out;
}

} // namespace Berth::Engine
