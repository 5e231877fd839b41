// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/eventjournal.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/snapshots/snapshotstore.h"

#include <QList>
#include <QSet>
#include <QStringList>
#include <functional>

namespace Berth::Engine {

// What removing images or collecting garbage did (or, for a preview, would do).
struct RemovalReport {
    QStringList untagged;  // familiar references
    QStringList keptNames; // rmi of one name among several: the names the image keeps
    QList<Digest> deletedImages;
    QList<Digest> deletedLayers; // chain IDs of snapshots removed
    QList<Digest> deletedBlobs;
    qint64 reclaimedBytes = 0;
};

struct ImageUsage {
    ImageRecord image;
    qint64 sharedBytes = 0; // in layers other images use too
    qint64 uniqueBytes = 0; // in layers only this image uses: what removing it frees
    int containers = 0;
};

struct DiskUsage {
    QList<ImageUsage> images;
    qint64 imagesBytes = 0;       // every layer counted once
    qint64 reclaimableBytes = 0;  // layers used only by dangling (untagged) images
    qint64 blobBytes = 0;         // content store (compressed layers, manifests, configs)
    qint64 unreferencedBytes = 0; // blobs, snapshots and ingest data no image references
};

struct CheckReport {
    QStringList problems; // metadata that does not match the files: the store is broken
    QStringList notes;    // leftovers that garbage collection will remove: harmless
    bool ok() const { return problems.isEmpty(); }
};

// Store-wide operations that span images, blobs and snapshots: removing images (Docker's rmi
// semantics), garbage collection, disk usage, prune and the consistency check.
//
// Garbage collection deletes only what no image references, and only while it holds the store
// lock exclusively, so it never races a load or pull in another process (those hold it shared
// from their first blob to their last metadata write).
class StoreMaintenance {
public:
    StoreMaintenance(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
                     ImageStore &images, EventJournal &events);

    enum class Force { No, Yes };
    enum class DryRun { No, Yes };
    // `docker rmi` semantics: a reference with other tags left only untags; an image ID with
    // several tags needs Force; then the image is forgotten and what only it used is freed.
    // With DryRun::Yes nothing changes: the report (or the refusal) says what would happen,
    // reclaimedBytes counting the layers and layer blobs no other image uses.
    Result<RemovalReport> removeImage(const QString &nameOrId, Force force,
                                      DryRun dryRun = DryRun::No);

    enum class PruneScope { Dangling, AllUnused };
    // Removes dangling (untagged) images, or with AllUnused every image no container uses,
    // then collects garbage. With DryRun::Yes only reports what would go.
    Result<RemovalReport> prune(PruneScope scope, DryRun dryRun);

    enum class Wait { No, Yes };
    // Frees blobs and snapshots no image references. With Wait::No it gives up at once (and
    // reports nothing) when another process is adding content; the next collection frees it.
    Result<RemovalReport> collectGarbage(Wait wait);

    Result<DiskUsage> diskUsage() const;
    CheckReport check() const;

    // Image ID -> how many containers use it (the runtime sits above this layer, so the engine
    // facade wires it in). An image in use is never deleted: rmi needs Force and then only
    // untags it, prune skips it, so its layers stay for garbage collection too.
    using ImageUsers = std::function<QHash<QString, int>()>;
    void setImageUsers(ImageUsers users) { m_imageUsers = std::move(users); }

    // Side data kept beside images by layers above this one (build provenance and cache):
    // called by garbage collection, under its exclusive lock, after blobs and snapshots went,
    // with the IDs of the images that remain; returns the bytes it freed.
    using SideDataCollector = std::function<qint64(const QSet<Digest> &liveImages)>;
    void addSideDataCollector(SideDataCollector collector) {
        m_sideData.append(std::move(collector));
    }

    // Leftovers of work whose process was killed, owned by layers above this one (a killed
    // build's containers and intermediate images, see builder/buildlease.h): `describe` names
    // them for check's notes; `remove` removes them and returns what it removed; garbage
    // collection (prune, check --repair) calls it first.
    struct LeftoverOwner {
        std::function<QStringList()> describe;
        std::function<Result<QStringList>()> remove;
    };
    void addLeftoverOwner(LeftoverOwner owner) { m_leftovers.append(std::move(owner)); }

private:
    // What removing `doomed` would free: the layers no other image uses, with their blobs.
    void countFreed(const QList<ImageRecord> &doomed, RemovalReport &report) const;
    Result<RemovalReport> collectGarbageLocked();

    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    EventJournal &m_events;
    ImageUsers m_imageUsers;
    QList<SideDataCollector> m_sideData;
    QList<LeftoverOwner> m_leftovers;
};

} // namespace Berth::Engine
