// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/images/imagestore.h"
#include "engine/images/resolvedimage.h"
#include "engine/snapshots/snapshotstore.h"

#include <QByteArray>
#include <atomic>
#include <functional>

namespace Berth::Engine {

// Progress of an install, per layer (index into the manifest's layers).
struct InstallProgress {
    int layer = 0;
    int layerCount = 0;
    enum class State { Unpacking, Done, AlreadyPresent } state = State::Unpacking;
};

// The last step of every way an image enters the store (load, import, pull, build, commit):
// the manifest's config and layer blobs are already in the content store; this unpacks the
// layers that are not snapshots yet (in parallel: chain IDs follow from the config's diffIDs,
// so layers do not wait for each other; a layer listed again shares the files of its first
// snapshot), verifies every diffID, stores the manifest and records the image with its tags in
// one transaction. The image is resolved (checked, layer cap) by ResolvedImage.
//
// Order matters for crash safety: blobs, then snapshots, then the manifest blob, then the
// metadata row. A crash at any point leaves unreferenced blobs/snapshots (garbage collection
// removes them) but never a recorded image with missing parts.
class ImageInstaller {
public:
    ImageInstaller(ContentStore &content, SnapshotStore &snapshots, ImageStore &images);

    void setParallelism(int threads) { m_parallelism = threads; }
    void setProgressHandler(std::function<void(const InstallProgress &)> handler) {
        m_progress = std::move(handler);
    }
    void setCancelFlag(const std::atomic<bool> *cancel) { m_cancel = cancel; }

    // `manifestJson` is stored as is (its digest is the image's manifest digest).
    Result<ImageRecord> install(const QByteArray &manifestJson, const QList<Reference> &tags);
    // The same for an image its caller already resolved from `manifestJson`.
    Result<ImageRecord> install(const ResolvedImage &image, const QByteArray &manifestJson,
                                const QList<Reference> &tags);

private:
    Status makeSnapshots(const ResolvedImage &image);

    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    int m_parallelism = 0; // 0: one per core
    std::function<void(const InstallProgress &)> m_progress;
    const std::atomic<bool> *m_cancel = nullptr;
};

} // namespace Berth::Engine
