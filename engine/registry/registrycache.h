// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/storepaths.h"

#include <QStringList>

namespace Berth::Engine {

// Small facts about registries kept under <store>/cache/registry, one file per key, written
// atomically; losing them costs only time (a recompression, an upload instead of a mount):
// - which repositories (domain/path) are known to hold a blob, so a push can mount it from
//   there instead of uploading it;
// - the digest of the deterministic gzip of an uncompressed layer (by diffID), so a second
//   push finds the registry already has it without compressing again.
class RegistryCache {
public:
    explicit RegistryCache(const StorePaths &paths);

    void recordSource(const Digest &blob, const QString &repository);
    QStringList sources(const Digest &blob) const;

    void recordCompressed(const Digest &diffId, const Digest &gzipDigest, qint64 gzipSize);
    // Invalid digest when unknown.
    Digest compressedDigest(const Digest &diffId, qint64 *size = nullptr) const;

private:
    QString m_dir;
};

} // namespace Berth::Engine
