// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/maintenance/storemaintenance.h"

#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/images/imageconfig.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace Berth::Engine {

StoreMaintenance::StoreMaintenance(const StorePaths &paths, ContentStore &content,
                                   SnapshotStore &snapshots, ImageStore &images,
                                   EventJournal &events)
    : m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_events(events) {}

Result<RemovalReport> StoreMaintenance::removeImage(const QString &nameOrId, Force force,
                                                    DryRun dryRun) {
    auto image = m_images.resolve(nameOrId);
    if (!image)
        return fail(image.error());
    RemovalReport report;
    auto ref = Reference::parse(nameOrId);
    const bool byName = ref && image->tags.contains(ref->toString());
    if (byName && image->tags.size() > 1) {
        // Other names still use the image: only this name goes.
        report.untagged.append(ref->familiarString());
        for (const QString &tag : std::as_const(image->tags))
            if (auto r = Reference::parse(tag); r && tag != ref->toString())
                report.keptNames.append(r->familiarString());
        if (dryRun == DryRun::Yes)
            return report;
        if (auto st = m_images.untag(*ref); !st)
            return fail(st.error());
        m_events.record(QStringLiteral("image"), QStringLiteral("untag"), image->id.toString(),
                        {{QStringLiteral("name"), ref->toString()}});
        return report;
    }
    if (const int users = m_imageUsers ? m_imageUsers().value(image->id.toString()) : 0;
        users > 0) {
        if (force == Force::No)
            return fail(ErrorKind::Conflict,
                        QStringLiteral("conflict: unable to remove %1 (must force) - image is "
                                       "being used by %2 container(s)")
                            .arg(byName ? nameOrId : image->id.shortId())
                            .arg(users));
        // Forced: the names go, the image stays (dangling) for as long as containers use it.
        for (const QString &tag : std::as_const(image->tags)) {
            auto r = Reference::parse(tag);
            if (!r)
                continue;
            report.untagged.append(r->familiarString());
            if (dryRun == DryRun::Yes)
                continue;
            if (auto st = m_images.untag(*r); !st)
                return fail(st.error());
            m_events.record(QStringLiteral("image"), QStringLiteral("untag"), image->id.toString(),
                            {{QStringLiteral("name"), tag}});
        }
        return report;
    }
    if (!byName && image->tags.size() > 1 && force == Force::No)
        return fail(ErrorKind::Conflict,
                    QStringLiteral("conflict: unable to delete %1 (must be forced) - image is "
                                   "referenced in multiple repositories")
                        .arg(image->id.shortId()));
    if (dryRun == DryRun::Yes) {
        for (const QString &tag : std::as_const(image->tags)) {
            auto r = Reference::parse(tag);
            report.untagged.append(r ? r->familiarString() : tag);
        }
        report.deletedImages.append(image->id);
        countFreed({*image}, report);
        return report;
    }
    if (auto st = m_images.remove(image->id); !st)
        return fail(st.error());
    for (const QString &tag : std::as_const(image->tags)) {
        auto r = Reference::parse(tag);
        report.untagged.append(r ? r->familiarString() : tag);
        m_events.record(QStringLiteral("image"), QStringLiteral("untag"), image->id.toString(),
                        {{QStringLiteral("name"), tag}});
    }
    report.deletedImages.append(image->id);
    m_events.record(QStringLiteral("image"), QStringLiteral("delete"), image->id.toString());
    auto gc = collectGarbage(Wait::No);
    if (gc) {
        report.deletedLayers = gc->deletedLayers;
        report.deletedBlobs = gc->deletedBlobs;
        report.reclaimedBytes = gc->reclaimedBytes;
    }
    return report;
}

Result<RemovalReport> StoreMaintenance::prune(PruneScope scope, DryRun dryRun) {
    RemovalReport report;
    const QList<ImageRecord> images = m_images.list();
    const QHash<QString, int> users = m_imageUsers ? m_imageUsers() : QHash<QString, int>();
    QList<ImageRecord> doomed;
    for (const ImageRecord &image : images) {
        if (users.value(image.id.toString()) > 0)
            continue;
        if (scope == PruneScope::AllUnused || image.tags.isEmpty())
            doomed.append(image);
    }
    if (dryRun == DryRun::Yes) {
        for (const ImageRecord &image : std::as_const(doomed)) {
            report.deletedImages.append(image.id);
            for (const QString &t : image.tags)
                report.untagged.append(t);
        }
        countFreed(doomed, report);
        return report;
    }
    for (const ImageRecord &image : std::as_const(doomed)) {
        if (auto st = m_images.remove(image.id); !st)
            return fail(st.error());
        report.deletedImages.append(image.id);
        for (const QString &t : image.tags)
            report.untagged.append(t);
        m_events.record(QStringLiteral("image"), QStringLiteral("delete"), image.id.toString());
    }
    auto gc = collectGarbage(Wait::Yes);
    if (!gc)
        return fail(gc.error());
    report.deletedLayers = gc->deletedLayers;
    report.deletedBlobs = gc->deletedBlobs;
    report.reclaimedBytes = gc->reclaimedBytes;
    m_events.record(QStringLiteral("image"), QStringLiteral("prune"), QString(),
                    {{QStringLiteral("reclaimed"), report.reclaimedBytes}});
    return report;
}

void StoreMaintenance::countFreed(const QList<ImageRecord> &doomed, RemovalReport &report) const {
    // Use counts are per image (a chain ID twice in one image counts once).
    QHash<QString, int> uses = m_images.chainIdUseCounts();
    for (const ImageRecord &image : doomed) {
        QSet<QString> seen;
        for (const LayerRecord &layer : image.layers)
            if (const QString key = layer.chainId.toString(); !seen.contains(key)) {
                seen.insert(key);
                uses[key] -= 1;
            }
    }
    QSet<QString> counted;
    for (const ImageRecord &image : doomed)
        for (const LayerRecord &layer : image.layers) {
            const QString key = layer.chainId.toString();
            if (uses.value(key) == 0 && !counted.contains(key)) {
                counted.insert(key);
                report.deletedLayers.append(layer.chainId);
                if (auto info = m_snapshots.info(layer.chainId))
                    report.reclaimedBytes += info->size;
                report.reclaimedBytes += layer.blob.size;
            }
        }
}

Result<RemovalReport> StoreMaintenance::collectGarbage(Wait wait) {
    // Killed work's leftovers first: what they free is then garbage too.
    for (const LeftoverOwner &owner : std::as_const(m_leftovers))
        if (auto removed = owner.remove(); !removed)
            return fail(removed.error());
    auto lock = FileLock::acquire(m_paths.lockFile(), FileLock::Mode::Exclusive,
                                  wait == Wait::Yes ? FileLock::Wait::Block : FileLock::Wait::Try);
    if (!lock) {
        if (wait == Wait::No && lock.error().kind == ErrorKind::Unavailable)
            return RemovalReport{};
        return fail(lock.error());
    }
    return collectGarbageLocked();
}

Result<RemovalReport> StoreMaintenance::collectGarbageLocked() {
    RemovalReport report;
    QSet<Digest> liveBlobs;
    QSet<Digest> liveLayers;
    QSet<Digest> liveImages;
    for (const ImageRecord &image : m_images.list()) {
        liveImages.insert(image.id);
        liveBlobs.insert(image.id);
        liveBlobs.insert(image.manifestDigest);
        for (const LayerRecord &layer : image.layers) {
            liveBlobs.insert(layer.blob.digest);
            liveLayers.insert(layer.chainId);
        }
    }
    // Snapshots: rows nobody references, then directories without a row (interrupted commits).
    for (const SnapshotInfo &s : m_snapshots.list()) {
        if (liveLayers.contains(s.chainId))
            continue;
        if (auto st = m_snapshots.remove(s.chainId); !st)
            return fail(st.error());
        report.deletedLayers.append(s.chainId);
        report.reclaimedBytes += s.size;
    }
    const QStringList dirs =
        QDir(m_paths.snapshots()).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &name : dirs) {
        auto chain = Digest::parse(QStringLiteral("sha256:") + name);
        const bool orphan = chain ? !liveLayers.contains(*chain) && !m_snapshots.exists(*chain)
                                  : !tempNameOwnerAlive(name);
        if (!orphan)
            continue;
        const QString path = m_paths.snapshots() + QLatin1Char('/') + name;
        report.reclaimedBytes += Engine::diskUsage(path);
        removeTree(path);
    }
    for (const Digest &blob : m_content.list()) {
        if (liveBlobs.contains(blob))
            continue;
        report.reclaimedBytes += m_content.size(blob).value_or(0);
        if (auto st = m_content.remove(blob); !st)
            return fail(st.error());
        report.deletedBlobs.append(blob);
    }
    report.reclaimedBytes += m_content.cleanIngest();
    for (const SideDataCollector &collect : std::as_const(m_sideData))
        report.reclaimedBytes += collect(liveImages);
    return report;
}

Result<DiskUsage> StoreMaintenance::diskUsage() const {
    DiskUsage usage;
    const QList<ImageRecord> images = m_images.list();
    const QHash<QString, int> uses = m_images.chainIdUseCounts();
    QHash<QString, qint64> layerSizes;
    for (const SnapshotInfo &s : m_snapshots.list())
        layerSizes.insert(s.chainId.toString(), s.size);
    QSet<QString> counted;
    QHash<QString, bool> onlyDangling; // chain ID -> used by dangling images only
    const QHash<QString, int> users = m_imageUsers ? m_imageUsers() : QHash<QString, int>();
    for (const ImageRecord &image : images) {
        ImageUsage u;
        u.image = image;
        u.containers = users.value(image.id.toString());
        for (const LayerRecord &layer : image.layers) {
            const QString key = layer.chainId.toString();
            const qint64 size = layerSizes.value(key);
            if (uses.value(key) > 1)
                u.sharedBytes += size;
            else
                u.uniqueBytes += size;
            if (!counted.contains(key)) {
                counted.insert(key);
                usage.imagesBytes += size;
            }
            const bool dangling = image.tags.isEmpty();
            onlyDangling[key] = onlyDangling.value(key, true) && dangling;
        }
        usage.images.append(u);
    }
    for (auto it = onlyDangling.cbegin(); it != onlyDangling.cend(); ++it)
        if (it.value())
            usage.reclaimableBytes += layerSizes.value(it.key());
    QSet<Digest> liveBlobs;
    for (const ImageRecord &image : images) {
        liveBlobs.insert(image.id);
        liveBlobs.insert(image.manifestDigest);
        for (const LayerRecord &layer : image.layers)
            liveBlobs.insert(layer.blob.digest);
    }
    for (const Digest &blob : m_content.list()) {
        const qint64 size = m_content.size(blob).value_or(0);
        usage.blobBytes += size;
        if (!liveBlobs.contains(blob))
            usage.unreferencedBytes += size;
    }
    for (auto it = layerSizes.cbegin(); it != layerSizes.cend(); ++it)
        if (!counted.contains(it.key()))
            usage.unreferencedBytes += it.value();
    return usage;
}

} // namespace Berth::Engine
