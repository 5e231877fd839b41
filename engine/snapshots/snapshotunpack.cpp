// SPDX-License-Identifier: GPL-3.0-or-later
// SnapshotStore's unpacking of layer archives, apart from snapshotstore.cpp so that a program
// that only runs containers from snapshots already there does not load libarchive.
#include "engine/snapshots/snapshotstore.h"
#include "engine/snapshots/unpacker.h"

namespace Berth::Engine {

Result<SnapshotInfo> SnapshotStore::unpack(const QString &blobPath, const Digest &parent,
                                           const Digest &expectedDiffId) {
    return unpackWith(
        [&blobPath](const QString &targetDir) {
            return unpackLayer(blobPath, targetDir, UnpackOptions::forCurrentUser());
        },
        parent, expectedDiffId);
}

Result<SnapshotInfo> SnapshotStore::unpack(GrowingBlob &blob, const Digest &parent,
                                           const Digest &expectedDiffId) {
    return unpackWith(
        [&blob](const QString &targetDir) {
            return unpackLayer(blob, targetDir, UnpackOptions::forCurrentUser());
        },
        parent, expectedDiffId);
}

} // namespace Berth::Engine
