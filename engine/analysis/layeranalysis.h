// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/changekind.h"
#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <memory>
#include <optional>

namespace Berth::Engine {

// One layer to analyse: its unpacked directory (only that layer's changes, whiteouts in overlay
// or OCI form) and what the image says about it.
struct LayerSource {
    QString directory;
    QString createdBy; // from the config history, empty_layer entries skipped
    Digest diffId;     // may be invalid for hand-made layers
    Digest chainId;
    qint64 blobSize = 0; // the layer blob as stored/transferred (compressed)
};

enum class FileType : quint8 { Regular, Directory, Symlink, CharDevice, BlockDevice, Fifo, Socket };
// Why a path disappeared. Whiteout and OpaqueDirectory deletions are listed in the layer's
// changes; the others are consequences (the subtree of a deleted or replaced directory), kept
// for per-path history and the merged tree but not listed.
enum class DeletionCause : quint8 {
    None,
    Whiteout,         // a whiteout named this path
    OpaqueDirectory,  // an ancestor became opaque and this layer did not re-add the path
    AncestorDeleted,  // inside a directory deleted by a whiteout or an opaque directory
    AncestorReplaced, // an ancestor directory was replaced by a non-directory
};

QString fileTypeName(FileType type);       // "file", "dir", "symlink", ...
QString changeKindLetter(ChangeKind kind); // "A", "M", "D"

// A handle to a path of one analysis (every path any layer mentions), for tree views.
using PathId = quint32;
inline constexpr PathId kRootPath = 0;
inline constexpr PathId kNoPath = 0xffffffffu;

// One change of one path in one layer. For Deleted, type/mode/owner/link describe what was
// deleted and `size` counts the apparent bytes of every regular file removed from view (the
// whole subtree of a deleted directory).
struct FileChange {
    PathId pathId = kNoPath;
    QString path; // "/etc/passwd"
    int layer = 0;
    ChangeKind kind = ChangeKind::Added;
    DeletionCause cause = DeletionCause::None;
    FileType type = FileType::Regular;
    quint32 mode = 0; // permission bits (07777)
    quint32 uid = 0;
    quint32 gid = 0;
    qint64 size = 0; // regular files: st_size; others 0
    QString linkTarget;
    bool opaque = false;   // a directory this layer made opaque
    bool hardlink = false; // shares its inode with a path met earlier in the same layer
};

// A path in the merged filesystem at some layer.
struct FileNode {
    PathId id = kNoPath;
    QString name;
    FileType type = FileType::Directory;
    quint32 mode = 0;
    quint32 uid = 0;
    quint32 gid = 0;
    qint64 size = 0;
    QString linkTarget;
    int layer = -1; // the layer that last changed it (-1: the root, which no layer changes)
};

struct LayerSummary {
    int index = 0;
    QString directory;
    QString createdBy;
    Digest diffId;
    Digest chainId;
    qint64 blobSize = 0;
    qint64 size = 0; // bytes of regular files stored in the layer, hardlinked inodes once
    int added = 0;   // listed changes
    int modified = 0;
    int deleted = 0;
    qint64 wastedStored = 0; // bytes this layer stores that the final filesystem cannot reach
    qint64 wastedHiding = 0; // bytes of earlier layers this layer makes unreachable
    qint64 diveSize = 0;     // dive's layer size (sum of tar entry sizes)
};

// A stored copy that the final filesystem cannot reach: stored in `storedLayer`, made
// unreachable (overwritten, deleted directly, by an ancestor deletion or an opaque directory)
// in `hiddenLayer`.
struct WastedCopy {
    QString path;
    int storedLayer = 0;
    int hiddenLayer = 0;
    qint64 bytes = 0;
};

// Byte totals between a storing and a hiding layer.
struct WastedPair {
    int storedLayer = 0;
    int hiddenLayer = 0;
    qint64 bytes = 0;
};

// The result of analysing an image's layers: per-layer changes, the merged tree at any layer,
// per-path history, wasted space (honest and dive's).
//
// Definitions:
// - Honest wasted bytes: the bytes of every regular file stored in layer i (a hardlinked inode
//   once per layer) that no path of the final filesystem reaches, because a later layer j
//   overwrote it, deleted it or an ancestor, replaced an ancestor by a non-directory, or made an
//   ancestor opaque without re-adding it. Attributed to (i, j); a hardlinked inode is wasted only
//   when all its paths are hidden, at the last of their hiding layers.
// - dive's numbers (github.com/wagoodman/dive, filetree/efficiency.go): every leaf entry of every
//   layer tar (files, symlinks, empty directories, whiteouts; a directory holding only the OCI
//   opaque marker is a leaf) is a sighting of its path; its size is the tar size (regular file
//   bytes, 0 for others and for the second link of an inode), except a whiteout whose target is
//   a directory in dive's stack of the earlier layers (which ignores opaque markers): then the sum
//   of that subtree's sizes. Efficiency = sum over paths of the smallest sighting / sum of all
//   sightings (1 when nothing was sighted); wasted bytes = sum of all sightings of paths sighted
//   2+ times; user wasted percent = wasted / sum of dive layer sizes except the first.
//   Difference: dive aborts a layer at a whiteout of a missing path; here it counts as 0 bytes.
//
// Immutable and implicitly shared: copies are cheap, every const method is thread-safe.
class LayerAnalysis {
public:
    LayerAnalysis();

    // Walks the layer directories (bottom first). Synchronous; safe to run on any thread.
    static Result<LayerAnalysis> analyze(const QList<LayerSource> &layers);

    // The cache format: a versioned binary snapshot that loads without re-walking.
    static constexpr quint32 kFormatVersion = 1;
    QByteArray serialize() const;
    static Result<LayerAnalysis> deserialize(const QByteArray &data);
    // Layer directories are not cached (a store can move); a loaded analysis needs them for
    // content comparison.
    void setLayerDirectories(const QStringList &directories);

    int layerCount() const;
    QList<LayerSummary> layers() const;
    LayerSummary layer(int index) const;

    // The changes listed for a layer (Whiteout and OpaqueDirectory deletions, additions and
    // modifications; a directory is Modified only when its mode, owner or opacity changed), in
    // path order.
    QList<FileChange> changes(int layer) const;
    // Every event of one path, bottom to top, including deletions caused by an ancestor.
    QList<FileChange> history(const QString &path) const;

    // The merged tree: kLastLayer means the final filesystem.
    static constexpr int kLastLayer = -1;
    PathId find(const QString &path) const; // kNoPath when no layer mentions it
    QString pathOf(PathId id) const;
    std::optional<FileNode> node(PathId id, int layer = kLastLayer) const;
    std::optional<FileNode> node(const QString &path, int layer = kLastLayer) const;
    // Children present at `layer`, sorted by name.
    QList<PathId> childIds(PathId dir, int layer = kLastLayer) const;
    QList<FileNode> children(const QString &dirPath, int layer = kLastLayer) const;
    // Apparent bytes of the regular files under (or at) `id` at `layer`.
    qint64 subtreeBytes(PathId id, int layer = kLastLayer) const;
    // Number of entries (all types, the root excluded) in the merged tree at `layer`.
    qint64 fileCount(int layer = kLastLayer) const;

    // Totals.
    qint64 imageSize() const;              // sum of layer sizes
    qint64 finalSize() const;              // regular file bytes reachable in the final filesystem
    qint64 wastedBytes() const;            // honest wasted bytes
    QList<WastedPair> wastedPairs() const; // non-zero (stored, hidden) pairs, ordered by layers
    QList<WastedCopy> wastedCopies(int limit = -1) const; // biggest first
    double diveEfficiency() const;
    qint64 diveWastedBytes() const;
    qint64 diveUserSize() const;
    double diveUserWastedPercent() const; // a fraction (0.2 = 20%); +inf when the user size is 0

    // Where a path's current content comes from: the file inside the layer directory.
    QString layerFilePath(const FileNode &node, PathId id) const;

    struct Data;

private:
    explicit LayerAnalysis(std::shared_ptr<const Data> d);
    int resolveLayer(int layer) const;
    FileChange toChange(quint32 changeIndex) const;
    std::shared_ptr<const Data> d;
};

} // namespace Berth::Engine
