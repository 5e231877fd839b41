// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"
#include "engine/core/digest.h"
#include "engine/core/result.h"
#include "engine/core/storepaths.h"
#include "engine/snapshots/unpacker.h"

#include <QList>
#include <QString>
#include <functional>

namespace Berth::Engine {

struct SnapshotInfo {
    Digest chainId;
    Digest parent; // invalid for a base layer
    Digest diffId;
    qint64 size = 0; // bytes on disk of this layer's own files
};

// Committed, read-only snapshots: one directory per layer, keyed by chain ID, holding only that
// layer's changes (snapshots/<chain-hex>/fs), ready to be stacked as overlayfs lower dirs.
// Whiteouts are stored in overlay form when root (0:0 character devices, the
// trusted.overlay.opaque xattr) and in OCI form (.wh.<name>, .wh..wh..opq) otherwise; see
// whiteouts.h for helpers that read either.
//
// Guarantees: a snapshot directory appears (by rename) only once it is completely unpacked and
// its diffID verified; a failed or interrupted unpack leaves nothing but a temporary directory,
// which is removed once its process is gone. Concurrent unpacks of the same layer by several
// processes are safe: one wins, the others discard their copy.
class SnapshotStore {
public:
    SnapshotStore(const StorePaths &paths, Database &db);

    Status init(); // creates directories, removes temporaries of dead processes

    // Unpacks a layer blob (a tar, optionally gzip/zstd compressed; detected from content) as
    // the snapshot on top of `parent`. When `expectedDiffId` is valid and the snapshot already
    // exists, returns at once without reading the blob; otherwise the uncompressed stream is
    // hashed while unpacked and must match. Safe against hostile archives (see unpacker.h).
    Result<SnapshotInfo> unpack(const QString &blobPath, const Digest &parent,
                                const Digest &expectedDiffId);
    // The same from a blob still being downloaded (see GrowingBlob): the layer is unpacked as
    // its bytes arrive. Fails, leaving nothing, when the download is abandoned.
    Result<SnapshotInfo> unpack(GrowingBlob &blob, const Digest &parent,
                                const Digest &expectedDiffId);

    // The snapshot of the layer `source` (an existing snapshot) again, on top of `parent`: an
    // image that lists the same layer more than once. Its files are hard links to the
    // source's (directories are made anew), so the layer's data is on disk once.
    Result<SnapshotInfo> shareFiles(const Digest &source, const Digest &parent);

    bool exists(const Digest &chainId) const;
    Result<SnapshotInfo> info(const Digest &chainId) const;
    QList<SnapshotInfo> list() const;
    // The directory holding the layer's files (the overlay lower dir).
    QString filesPath(const Digest &chainId) const;
    // Removes a snapshot (its directory and its row). The caller makes sure nothing uses it.
    Status remove(const Digest &chainId);

private:
    // Unfinished layers are directories named uniqueTempName(tempPrefix()).
    static QString tempPrefix() { return QStringLiteral("tmp"); }
    Result<SnapshotInfo>
    unpackWith(const std::function<Result<UnpackResult>(const QString &targetDir)> &unpackInto,
               const Digest &parent, const Digest &expectedDiffId);

    StorePaths m_paths;
    Database &m_db;
};

} // namespace Berth::Engine
