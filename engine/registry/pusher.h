// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/eventjournal.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/images/reference.h"
#include "engine/registry/registryclient.h"

#include <atomic>
#include <functional>
#include <optional>

namespace Berth::Engine {

struct PushProgress {
    // Compressing: layers stored uncompressed are gzipped for the registry first (blobs is
    // empty, the byte counts are the uncompressed bytes to read). Uploading: per blob.
    enum class Phase { Compressing, Uploading, Done };
    enum class BlobState { Waiting, Exists, Mounted, Uploading, Pushed, Failed };
    struct Blob {
        Digest digest;
        qint64 size = 0;
        qint64 done = 0;
        BlobState state = BlobState::Waiting;
    };
    Phase phase = Phase::Uploading;
    QList<Blob> blobs;     // layers, then the config
    qint64 totalBytes = 0; // of the current phase
    qint64 doneBytes = 0;
    double bytesPerSecond = 0;
    qint64 etaSeconds = -1; // -1 while unknown
};

struct PushResult {
    Digest manifestDigest; // of the manifest as pushed (differs from the local one when
                           // uncompressed layers were gzipped for the registry)
    qint64 manifestSize = 0;
    int uploaded = 0; // blobs sent
    int existing = 0; // blobs the registry had
    int mounted = 0;  // blobs mounted from another repository
};

struct PushOptions {
    RegistryOptions registry = RegistryOptions::fromEnvironment();
    std::optional<Credentials> credentials; // default: CredentialStore lookup
    const std::atomic<bool> *cancel = nullptr;
    std::function<void(const PushProgress &)> onProgress; // serialised, from transfer threads
};

// Pushes an image of the store to a registry: blobs the registry already has are skipped
// (HEAD), blobs known to live in another repository of the same registry are mounted, the
// rest are uploaded (monolithic PUT, or PATCH chunks when options.registry.chunkSize > 0),
// config last among the blobs, then the manifest under the reference's tag.
//
// Layers stored uncompressed (images from load or import) are pushed as deterministic gzip
// (no timestamp, fixed level), kept in the content store and remembered by diffID in the
// registry cache, so pushing again sends nothing and two stores produce the same digests.
//
// Blocking, like Puller: run it on a worker thread.
class Pusher {
public:
    Pusher(const StorePaths &paths, ContentStore &content, ImageStore &images,
           EventJournal *events = nullptr);

    // `source` is what the user typed for a local image; `target` where it goes (its tag, or
    // "latest"; a digest-only target pushes by digest).
    Result<PushResult> push(const QString &source, const Reference &target,
                            const PushOptions &options = {});

    // The deterministic gzip of an uncompressed layer blob, stored in the content store.
    // `progress` gets the uncompressed bytes read so far; `cancel` stops it (Cancelled).
    Result<Descriptor> compressedLayer(const Descriptor &blob, const Digest &diffId,
                                       const QString &mediaType,
                                       const std::function<void(qint64)> &progress = {},
                                       const std::atomic<bool> *cancel = nullptr);

private:
    StorePaths m_paths;
    ContentStore &m_content;
    ImageStore &m_images;
    EventJournal *m_events;
};

} // namespace Berth::Engine
