// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QString>
#include <atomic>

namespace Berth::Engine {

class GrowingBlob;

struct UnpackOptions {
    // Write overlayfs whiteouts (0:0 char devices, trusted.overlay.opaque) instead of keeping
    // the OCI .wh. files. Needs root (CAP_MKNOD, trusted xattrs).
    bool overlayWhiteouts = false;
    // Create device nodes and FIFOs from the archive; needs root. When false they are skipped.
    bool allowDevices = false;
    // chown entries to the uid/gid in the archive; needs root. When false files belong to the
    // current user.
    bool preserveOwnership = false;
    // Cancelled when set to true by another thread; the unpack stops with ErrorKind::Cancelled.
    const std::atomic<bool> *cancel = nullptr;

    // What this process may do: everything when root, nothing needing privileges otherwise.
    static UnpackOptions forCurrentUser();
};

struct UnpackResult {
    Digest diffId; // sha256 of the uncompressed tar stream
    qint64 uncompressedSize = 0;
    qint64 entries = 0;
};

// Unpacks one layer archive (tar; gzip, zstd or uncompressed, detected from the content) into
// `targetDir`, which must exist and be empty. Hashes the uncompressed stream for the diffID.
//
// Safe with untrusted archives: nothing is written outside targetDir — `..` components,
// absolute paths, symlinks (including symlinked parent directories created earlier by the same
// archive) and hardlinks that point outside are refused with an error naming the entry; device
// nodes only with allowDevices. A corrupt or truncated archive is an error. On error the
// caller discards targetDir (SnapshotStore does).
// Ownership, modes, mtimes, xattrs, hardlinks and symlinks are preserved.
Result<UnpackResult> unpackLayer(const QString &archivePath, const QString &targetDir,
                                 const UnpackOptions &options);
// The same from a blob still being downloaded: it waits for the bytes, and fails when the
// download is abandoned (the caller unpacks the blob afterwards instead).
Result<UnpackResult> unpackLayer(GrowingBlob &archive, const QString &targetDir,
                                 const UnpackOptions &options);

} // namespace Berth::Engine
