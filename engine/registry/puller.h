// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/eventjournal.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/images/manifest.h"
#include "engine/images/reference.h"
#include "engine/registry/registryclient.h"
#include "engine/snapshots/snapshotstore.h"

#include <atomic>
#include <functional>
#include <optional>

namespace Berth::Engine {

// What a pull will do, known before any layer is transferred.
struct PullLayerPlan {
    Descriptor blob;
    Digest diffId;
    Digest chainId;
    bool present = false;    // the blob is in the content store: not downloaded
    bool unpacked = false;   // its snapshot exists: not unpacked again
    bool repeats = false;    // the same layer as one below: its snapshot shares that one's files
    qint64 partialBytes = 0; // held in ingest/ from an interrupted pull: resumed from there
};

struct PullPlan {
    Reference reference;
    Digest manifestDigest;
    QString manifestMediaType;
    Platform platform;
    QList<PullLayerPlan> layers;
    qint64 totalBytes = 0;      // all layer blobs
    qint64 bytesToDownload = 0; // what is neither present nor held partially
    int layersToDownload = 0;
};

struct PullProgress {
    enum class Phase { Downloading, Unpacking, Done };
    enum class LayerState { Waiting, Present, Downloading, Verifying, Downloaded, Failed };
    struct Layer {
        Digest digest;
        qint64 size = 0;
        qint64 done = 0;
        LayerState state = LayerState::Waiting;
    };
    Phase phase = Phase::Downloading;
    QList<Layer> layers;
    qint64 totalBytes = 0; // bytes to transfer in this pull
    qint64 doneBytes = 0;  // transferred so far
    double bytesPerSecond = 0;
    qint64 etaSeconds = -1; // -1 while unknown
};

struct PullOptions {
    RegistryOptions registry = RegistryOptions::fromEnvironment();
    std::optional<Platform> platform;       // default: the host's
    std::optional<Credentials> credentials; // default: CredentialStore lookup
    const std::atomic<bool> *cancel = nullptr;
    // Called once, after the plan is made and before transfers start.
    std::function<void(const PullPlan &)> onPlan;
    // Called from transfer threads (serialised), at most ~10 times a second plus state changes.
    std::function<void(const PullProgress &)> onProgress;
};

// Pulls an image from a registry into the store: resolve the reference to a manifest
// (negotiating all four manifest media types; an index is resolved to the platform), fetch
// the config, plan, download the missing layers concurrently straight into the content
// store's ingest (verified on the fly, resumable), then ImageInstaller unpacks and records the
// image with its tag. Holds the store lock shared from the first blob to the last metadata
// write, so garbage collection never removes what the pull is about to reference.
//
// Blocking: run it on a worker thread (Engine::async()); it creates its own transfer threads,
// each with its own RegistryClient. Cancelling (options.cancel) returns ErrorKind::Cancelled
// and leaves partial blobs in ingest/ for the next pull to resume.
class Puller {
public:
    Puller(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
           ImageStore &images, EventJournal *events = nullptr);

    Result<PullPlan> plan(const Reference &reference, const PullOptions &options = {});
    Result<ImageRecord> pull(const Reference &reference, const PullOptions &options = {});

private:
    struct Resolved;
    Result<Resolved> resolve(RegistryClient &client, const Reference &reference,
                             const PullOptions &options);

    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    EventJournal *m_events;
};

// The Accept header for manifests: OCI and Docker, index and image manifest.
QByteArray manifestAcceptHeader();

} // namespace Berth::Engine
