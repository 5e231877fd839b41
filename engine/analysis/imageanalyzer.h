// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/snapshots/snapshotstore.h"

#include <QHash>

namespace Berth::Engine {

// One path that differs between two final filesystems.
struct FileDifference {
    enum Aspect : quint8 {
        Type = 1,
        Size = 2,
        Mode = 4,
        Owner = 8,
        LinkTarget = 16,
        Content = 32,
    };
    QString path;
    ChangeKind kind = ChangeKind::Modified; // Deleted: only in base
    quint8 aspects = 0;                     // for Modified: which Aspect bits differ
    std::optional<FileNode> base;           // absent for Added
    std::optional<FileNode> other;          // absent for Deleted
};

QString aspectNames(quint8 aspects); // "type,size,..."

// How two images relate: layers they share, where they diverge, how their final filesystems
// differ and what a pull would transfer.
struct ImageComparison {
    int sharedLayers = 0;  // leading layers with equal chain IDs
    int divergeIndex = -1; // == sharedLayers, or -1 when the layer stacks are identical
    // `other` relative to `base`, in path order; every path of an added or removed subtree.
    QList<FileDifference> differences;
    // Blob bytes of other's layers whose diffIDs base lacks (pulling other when base is present),
    // and the reverse. A diffID several layers share counts once.
    qint64 bytesToPullOther = 0;
    qint64 bytesToPullBase = 0;
};

// Compares two analyses. Regular files of equal size whose current copies come from different
// layers (different diffIDs, or different directories for hand-made layers) are compared by
// SHA-256 of their content, read from the layer directories; when a file cannot be read it
// counts as different.
ImageComparison compareAnalyses(const LayerAnalysis &base, const LayerAnalysis &other);

// Shared vs unique bytes of one image's layers: a layer used by one image only is unique.
struct LayerSharing {
    qint64 sharedBytes = 0;
    qint64 uniqueBytes = 0;
    QList<int> useCounts; // per layer: images using its chain ID
};
// `useCounts` as ImageStore::chainIdUseCounts() returns it (keys "sha256:<chain>");
// `layerSizes` per layer (SnapshotInfo::size).
LayerSharing layerSharing(const ImageRecord &image, const QHash<QString, int> &useCounts,
                          const QList<qint64> &layerSizes);

// Analyses images of a store, caching each result under <store>/cache/analysis/<image-id-hex>
// (images are immutable, so the image ID and LayerAnalysis::kFormatVersion identify a result).
// A cache that is missing, stale or damaged is recomputed and replaced atomically; concurrent
// analyses of the same image in several processes are harmless (last rename wins, same bytes).
// Synchronous and thread-safe: the facade runs it on its pool.
class ImageAnalyzer {
public:
    ImageAnalyzer(const StorePaths &paths, ImageStore &images, SnapshotStore &snapshots);

    // The layer directories and metadata of an image (created_by from the config's history,
    // empty_layer entries skipped).
    Result<QList<LayerSource>> layerSources(const ImageRecord &image) const;
    Result<LayerAnalysis> analyze(const ImageRecord &image) const;
    QString cachePath(const Digest &imageId) const;

    Result<ImageComparison> compare(const ImageRecord &base, const ImageRecord &other) const;
    LayerSharing sharing(const ImageRecord &image) const;

private:
    StorePaths m_paths;
    ImageStore &m_images;
    SnapshotStore &m_snapshots;
};

} // namespace Berth::Engine
