// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/puller.h"

#include "engine/content/growingblob.h"
#include "engine/core/filelock.h"
#include "engine/core/waitforall.h"
#include "engine/images/mediatypes.h"
#include "engine/images/resolvedimage.h"
#include "engine/registry/credentialstore.h"
#include "engine/registry/registrycache.h"
#include "engine/snapshots/imageinstaller.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QMutexLocker>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

namespace Berth::Engine {

QByteArray manifestAcceptHeader() {
    return (QStringList{MediaType::OciIndex, MediaType::OciManifest, MediaType::DockerManifestList,
                        MediaType::DockerManifest}
                .join(QStringLiteral(", ")))
        .toLatin1();
}

struct Puller::Resolved {
    PullPlan plan;
    QByteArray manifestJson;
    Manifest manifest;
    ResolvedImage image; // checked once here; the installer takes it as it is
};

Puller::Puller(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
               ImageStore &images, EventJournal *events)
    : m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_events(events) {}

namespace {

struct FetchedManifest {
    QByteArray body;
    QString mediaType;
    Digest digest;
};

Result<FetchedManifest> fetchManifest(RegistryClient &client, const Reference &ref,
                                      const QString &tagOrDigest, const Digest &expected) {
    RegistryClient::Request request;
    request.url = client.url(ref.path() + QStringLiteral("/manifests/") + tagOrDigest);
    request.headers.append({"Accept", manifestAcceptHeader()});
    request.maxBody = kMaxManifestSize;
    auto r = client.send(request);
    if (!r)
        return fail(r.error().withContext(QStringLiteral("manifest")));
    if (r->status == 404)
        return fail(ErrorKind::NotFound, QStringLiteral("manifest for %1 not found: %2")
                                             .arg(ref.familiarString(), r->describe()));
    if (r->status == 401 || r->status == 403)
        return fail(ErrorKind::PermissionDenied,
                    QStringLiteral("access to %1 denied: the repository does not exist or needs "
                                   "\"berthctl login %2\" (%3)")
                        .arg(ref.familiarName(), ref.domain(), r->describe()));
    if (r->status != 200)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("manifest for %1: %2").arg(ref.familiarString(), r->describe()));
    FetchedManifest m;
    m.body = r->body;
    m.digest = Digest::ofData(m.body);
    if (expected.isValid() && m.digest != expected)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("manifest digest mismatch: expected %1, got %2")
                        .arg(expected.toString(), m.digest.toString()));
    if (auto header = Digest::parse(QString::fromLatin1(r->header("Docker-Content-Digest")));
        header && *header != m.digest)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("manifest digest mismatch: the registry says %1, got %2")
                        .arg(header->toString(), m.digest.toString()));
    const QString contentType =
        QString::fromLatin1(r->header("Content-Type")).section(QLatin1Char(';'), 0, 0).trimmed();
    // A specific type that is none of ours is refused whatever the body looks like; only
    // generic ones leave the decision to the document's own mediaType and shape.
    const bool generic = contentType.isEmpty() ||
                         contentType == QLatin1String("application/json") ||
                         contentType == QLatin1String("text/plain") ||
                         contentType == QLatin1String("application/octet-stream");
    if (!generic && !MediaType::isIndex(contentType) && !MediaType::isManifest(contentType) &&
        contentType != MediaType::DockerSchema1 && contentType != MediaType::DockerSchema1Signed)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1: unsupported manifest media type \"%2\" (Berth reads OCI "
                                   "image indexes and manifests and Docker manifest lists and "
                                   "schema 2 manifests)")
                        .arg(ref.familiarString(), contentType.left(200)));
    auto type = detectManifestMediaType(m.body, contentType);
    if (!type)
        return fail(type.error().withContext(ref.familiarString()));
    m.mediaType = *type;
    return m;
}

} // namespace

Result<Puller::Resolved> Puller::resolve(RegistryClient &client, const Reference &reference,
                                         const PullOptions &options) {
    Resolved out;
    out.plan.reference = reference;
    out.plan.platform = options.platform.value_or(Platform::host());
    const QString first =
        reference.digest().isValid() ? reference.digest().toString() : reference.tag();
    auto fetched = fetchManifest(client, reference, first, reference.digest());
    if (!fetched)
        return fail(fetched.error());
    if (MediaType::isIndex(fetched->mediaType)) {
        auto index = ImageIndex::parse(fetched->body, fetched->mediaType);
        if (!index)
            return fail(index.error().withContext(reference.familiarString()));
        auto entry = index->select(out.plan.platform);
        if (!entry) {
            QStringList available;
            for (const Descriptor &d : std::as_const(index->manifests))
                if (d.platform)
                    available.append(d.platform->toString());
            return fail(ErrorKind::NotFound,
                        QStringLiteral("%1 has no image for platform %2 (it has: %3)")
                            .arg(reference.familiarString(), out.plan.platform.toString(),
                                 available.join(QStringLiteral(", "))));
        }
        fetched = fetchManifest(client, reference, entry->digest.toString(), entry->digest);
        if (!fetched)
            return fail(fetched.error());
        if (!MediaType::isManifest(fetched->mediaType))
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("%1: index entry %2 is not an image manifest (%3)")
                    .arg(reference.familiarString(), entry->digest.toString(), fetched->mediaType));
    }
    auto manifest = Manifest::parse(fetched->body, fetched->mediaType);
    if (!manifest)
        return fail(manifest.error().withContext(reference.familiarString()));
    out.manifest = *manifest;
    out.manifestJson = fetched->body;
    out.plan.manifestDigest = fetched->digest;
    out.plan.manifestMediaType = fetched->mediaType;

    // The config is small and tells the diffIDs (and so which snapshots exist).
    const Descriptor &configBlob = manifest->config;
    if (configBlob.size > kMaxConfigSize)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("image config of %1 bytes is too large").arg(configBlob.size));
    if (!m_content.contains(configBlob.digest)) {
        RegistryClient::Request request;
        request.url =
            client.url(reference.path() + QStringLiteral("/blobs/") + configBlob.digest.toString());
        request.maxBody = kMaxConfigSize;
        auto r = client.send(request);
        if (!r)
            return fail(r.error().withContext(QStringLiteral("image config")));
        if (r->status != 200)
            return fail(ErrorKind::Unavailable,
                        QStringLiteral("image config %1: %2")
                            .arg(configBlob.digest.toString(), r->describe()));
        if (auto st = m_content.write(r->body, configBlob.digest); !st)
            return fail(st.error().withContext(QStringLiteral("image config")));
    }
    auto rawConfig = m_content.read(configBlob.digest, kMaxConfigSize);
    if (!rawConfig)
        return fail(rawConfig.error());
    auto image = ResolvedImage::resolve(*manifest, *rawConfig);
    if (!image)
        return fail(image.error());
    out.image = *image;
    QSet<Digest> counted;
    for (const ResolvedLayer &resolved : std::as_const(image->layers)) {
        PullLayerPlan l;
        l.blob = resolved.blob;
        l.diffId = resolved.diffId;
        l.chainId = resolved.chainId;
        l.repeats = resolved.sameAs >= 0;
        l.present = m_content.contains(l.blob.digest);
        l.unpacked = m_snapshots.exists(l.chainId);
        if (!l.present)
            l.partialBytes =
                qMin(l.blob.size, QFileInfo(m_paths.ingest() + QLatin1Char('/') +
                                            l.blob.digest.hex() + QStringLiteral("/data"))
                                      .size());
        out.plan.totalBytes += l.blob.size;
        if (!l.present && !counted.contains(l.blob.digest)) {
            counted.insert(l.blob.digest);
            out.plan.bytesToDownload += l.blob.size - l.partialBytes;
            ++out.plan.layersToDownload;
        }
        out.plan.layers.append(l);
    }
    return out;
}

namespace {

std::shared_ptr<RegistryAuth> authFor(const Reference &reference, const PullOptions &options) {
    Credentials creds;
    if (options.credentials)
        creds = *options.credentials;
    else if (auto found = CredentialStore().lookup(reference.domain()))
        creds = *found;
    return std::make_shared<RegistryAuth>(creds);
}

QStringList pullScopes(const Reference &reference) {
    return {QStringLiteral("repository:%1:pull").arg(reference.path())};
}

} // namespace

Result<PullPlan> Puller::plan(const Reference &reference, const PullOptions &options) {
    auto lock = FileLock::acquire(m_paths.lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return fail(lock.error());
    RegistryClient client(reference.domain(), options.registry, authFor(reference, options));
    client.setScopes(pullScopes(reference));
    client.setCancelFlag(options.cancel);
    auto resolved = resolve(client, reference, options);
    if (!resolved)
        return fail(resolved.error().withContext(
            QStringLiteral("pull %1").arg(reference.familiarString())));
    return resolved->plan;
}

namespace {

// A pull's progress as its transfer threads report it, under one mutex. Reports go out at most
// ~10 times a second, state changes at once; flush() delivers the last throttled one (the
// waiter calls it, so a stalled transfer's last bytes are still shown).
class PullProgressReporter {
public:
    PullProgressReporter(const PullPlan &plan,
                         const std::function<void(const PullProgress &)> &onProgress)
        : m_onProgress(onProgress) {
        m_progress.totalBytes = plan.bytesToDownload;
        for (const PullLayerPlan &l : plan.layers) {
            PullProgress::Layer p;
            p.digest = l.blob.digest;
            p.size = l.blob.size;
            p.done = l.present ? l.blob.size : l.partialBytes;
            p.state =
                l.present ? PullProgress::LayerState::Present : PullProgress::LayerState::Waiting;
            m_progress.layers.append(p);
        }
        m_clock.start();
    }

    // Where this pull's transfer of `digest` starts: what ingest held of it before is not
    // counted as transferred. The lowest offset reported wins.
    void startsAt(const Digest &digest, qint64 offset) {
        QMutexLocker lock(&m_mutex);
        auto it = m_startOffsets.find(digest);
        if (it == m_startOffsets.end())
            m_startOffsets.insert(digest, offset);
        else
            *it = qMin(*it, offset);
    }

    // `done` < 0 leaves the layer's byte count as it is.
    void update(const Digest &digest, qint64 done, PullProgress::LayerState state) {
        QMutexLocker lock(&m_mutex);
        bool changed = false;
        for (PullProgress::Layer &p : m_progress.layers) {
            if (p.digest == digest) {
                changed = changed || p.state != state;
                p.state = state;
                if (done >= 0)
                    p.done = done;
            }
        }
        const qint64 transferred = transferredLocked();
        m_progress.doneBytes = qMin(transferred, m_progress.totalBytes);
        const double seconds = m_clock.elapsed() / 1000.0;
        m_progress.bytesPerSecond = seconds > 0.2 ? transferred / seconds : 0;
        m_progress.etaSeconds =
            m_progress.bytesPerSecond > 0
                ? qint64((m_progress.totalBytes - m_progress.doneBytes) / m_progress.bytesPerSecond)
                : -1;
        if (changed || m_clock.elapsed() - m_lastEmit >= 100)
            emitLocked();
        else
            m_pending = true;
    }

    void flush() {
        QMutexLocker lock(&m_mutex);
        if (m_pending && m_clock.elapsed() - m_lastEmit >= 100)
            emitLocked();
    }

    void enterPhase(PullProgress::Phase phase) {
        QMutexLocker lock(&m_mutex);
        m_progress.phase = phase;
        emitLocked();
    }

private:
    qint64 transferredLocked() const {
        qint64 transferred = 0;
        for (auto it = m_startOffsets.cbegin(); it != m_startOffsets.cend(); ++it) {
            for (const PullProgress::Layer &p : m_progress.layers)
                if (p.digest == it.key()) {
                    transferred += qMax<qint64>(0, p.done - it.value());
                    break;
                }
        }
        return transferred;
    }

    void emitLocked() {
        m_lastEmit = m_clock.elapsed();
        m_pending = false;
        if (m_onProgress)
            m_onProgress(m_progress);
    }

    QMutex m_mutex;
    PullProgress m_progress;
    QHash<Digest, qint64> m_startOffsets;
    const std::function<void(const PullProgress &)> &m_onProgress;
    QElapsedTimer m_clock;
    qint64 m_lastEmit = -1000;
    bool m_pending = false; // a throttled update not yet reported
};

// Unpacks a pull's layers while they download, on a pool of its own: a layer's blob is read as
// it is written (GrowingBlob), so decompressing and writing files overlaps the transfer
// instead of following it. Chain IDs follow from the config's diffIDs, so a layer need not
// wait for the ones below it. A blob several layers share is unpacked once it is verified. The
// installer at the end finds those snapshots in place; one that failed here (a download that
// started over, say) is unpacked again there and reports any error properly. Destruction waits
// for what was started.
class EarlyUnpacker {
public:
    EarlyUnpacker(const PullPlan &plan, ContentStore &content, SnapshotStore &snapshots,
                  int concurrentTransfers)
        : m_plan(plan)
        , m_content(content)
        , m_snapshots(snapshots) {
        m_pool.setMaxThreadCount(qMax(QThread::idealThreadCount(), concurrentTransfers + 1));
    }
    ~EarlyUnpacker() { m_pool.waitForDone(); }

    // Unpacks the one layer made of `blob` as `writer` writes it. False when the blob is not
    // exactly one layer to unpack: then unpackVerified() once it is committed.
    bool follow(const Digest &blob, BlobWriter &writer) {
        const int layer = streamedLayer(blob);
        if (layer < 0)
            return false;
        if (auto growing = writer.follow()) {
            const Digest parent = parentOf(layer);
            const Digest diffId = m_plan.layers[layer].diffId;
            m_pool.start([snapshots = &m_snapshots, source = *growing, parent, diffId] {
                (void)snapshots->unpack(*source, parent, diffId);
            });
        }
        return true;
    }

    // Unpacks every layer made of the verified `blob`.
    void unpackVerified(const Digest &blob) {
        for (int i = 0; i < m_plan.layers.size(); ++i) {
            if (!toUnpack(i, blob))
                continue;
            const QString blobPath = m_content.blobPath(blob);
            const Digest parent = parentOf(i);
            const Digest diffId = m_plan.layers[i].diffId;
            m_pool.start([snapshots = &m_snapshots, blobPath, parent, diffId] {
                (void)snapshots->unpack(blobPath, parent, diffId);
            });
        }
    }

private:
    bool toUnpack(int layer, const Digest &blob) const {
        const PullLayerPlan &l = m_plan.layers[layer];
        return l.blob.digest == blob && !l.unpacked && !l.repeats;
    }
    Digest parentOf(int layer) const {
        return layer > 0 ? m_plan.layers[layer - 1].chainId : Digest();
    }
    // The layer unpacked from `blob` while it downloads; -1 when none or several.
    int streamedLayer(const Digest &blob) const {
        int found = -1;
        for (int i = 0; i < m_plan.layers.size(); ++i) {
            if (!toUnpack(i, blob))
                continue;
            if (found >= 0)
                return -1;
            found = i;
        }
        return found;
    }

    const PullPlan &m_plan;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    QThreadPool m_pool;
};

// The layer blobs a pull fetches: each digest once (a manifest may repeat a layer), not those
// the store has.
QList<Descriptor> blobsToFetch(const PullPlan &plan, PullProgressReporter &progress) {
    QList<Descriptor> todo;
    QSet<Digest> seen;
    for (const PullLayerPlan &l : plan.layers) {
        if (l.present || seen.contains(l.blob.digest))
            continue;
        seen.insert(l.blob.digest);
        todo.append(l.blob);
        progress.startsAt(l.blob.digest, l.partialBytes);
    }
    return todo;
}

// What a pull's transfer threads share; fetch() runs on each of them.
struct LayerFetch {
    const Reference &reference;
    const PullOptions &options;
    std::shared_ptr<RegistryAuth> auth;
    ContentStore &content;
    PullProgressReporter &progress;
    EarlyUnpacker &unpacker;
    std::atomic<bool> &abortAll; // set by the first failure or the caller's cancel

    // Downloads `blob` into the content store (resuming what ingest holds), verified.
    Status fetch(const Descriptor &blob) {
        if (abortAll)
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        auto writer = content.openWriter(blob.digest.hex(), blob.digest, blob.size);
        if (!writer)
            return fail(writer.error());
        if (content.contains(blob.digest)) { // another process finished it meanwhile
            progress.update(blob.digest, blob.size, PullProgress::LayerState::Downloaded);
            return {};
        }
        progress.startsAt(blob.digest, (*writer)->offset());
        progress.update(blob.digest, (*writer)->offset(), PullProgress::LayerState::Downloading);
        const bool streamed = unpacker.follow(blob.digest, **writer);
        RegistryClient client(reference.domain(), options.registry, auth);
        client.setScopes(pullScopes(reference));
        client.setCancelFlag(&abortAll);
        auto st = client.fetchBlob(reference.path(), blob, **writer, [&](qint64 done) {
            progress.update(blob.digest, done, PullProgress::LayerState::Downloading);
        });
        if (!st)
            return failed(blob, -1, st.error());
        progress.update(blob.digest, -1, PullProgress::LayerState::Verifying);
        if (auto committed = (*writer)->commit(); !committed)
            return failed(blob, 0,
                          committed.error().withContext(
                              QStringLiteral("layer %1").arg(blob.digest.toString())));
        progress.update(blob.digest, blob.size, PullProgress::LayerState::Downloaded);
        if (!abortAll && !streamed)
            unpacker.unpackVerified(blob.digest);
        return {};
    }

    Status failed(const Descriptor &blob, qint64 done, const Error &error) {
        progress.update(blob.digest, done, PullProgress::LayerState::Failed);
        abortAll = true;
        return fail(error);
    }
};

// Fetches `todo` over options.registry.concurrentTransfers threads of a pool of its own and
// waits for all of them (core/waitforall.h), passing the caller's cancellation on.
Status fetchAll(const QList<Descriptor> &todo, LayerFetch &fetch) {
    QThreadPool pool;
    pool.setMaxThreadCount(qMax(1, fetch.options.registry.concurrentTransfers));
    QList<QFuture<Status>> futures;
    for (const Descriptor &blob : todo)
        futures.append(QtConcurrent::run(&pool, [&fetch, blob] { return fetch.fetch(blob); }));
    return waitForAll(futures, fetch.options.cancel, fetch.abortAll,
                      [&fetch] { fetch.progress.flush(); });
}

QList<Reference> tagsOf(const Reference &reference) {
    if (reference.tag().isEmpty())
        return {};
    auto tagged = Reference::parse(reference.name() + QLatin1Char(':') + reference.tag());
    return tagged ? QList<Reference>{*tagged} : QList<Reference>{};
}

} // namespace

Result<ImageRecord> Puller::pull(const Reference &reference, const PullOptions &options) {
    const QString what = QStringLiteral("pull %1").arg(reference.familiarString());
    auto lock = FileLock::acquire(m_paths.lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return fail(lock.error().withContext(what));
    auto auth = authFor(reference, options);
    RegistryClient client(reference.domain(), options.registry, auth);
    client.setScopes(pullScopes(reference));
    client.setCancelFlag(options.cancel);
    auto resolved = resolve(client, reference, options);
    if (!resolved)
        return fail(resolved.error().withContext(what));
    const PullPlan &plan = resolved->plan;
    if (options.onPlan)
        options.onPlan(plan);

    PullProgressReporter progress(plan, options.onProgress);
    const QList<Descriptor> todo = blobsToFetch(plan, progress);
    {
        EarlyUnpacker unpacker(plan, m_content, m_snapshots, options.registry.concurrentTransfers);
        std::atomic<bool> abortAll = false;
        LayerFetch fetch{reference, options, auth, m_content, progress, unpacker, abortAll};
        if (auto st = fetchAll(todo, fetch); !st)
            return fail(st.error().withContext(what));
    } // the early unpacks have ended

    RegistryCache cache(m_paths);
    for (const PullLayerPlan &l : plan.layers)
        cache.recordSource(l.blob.digest, reference.name());
    progress.enterPhase(PullProgress::Phase::Unpacking);
    ImageInstaller installer(m_content, m_snapshots, m_images);
    installer.setCancelFlag(options.cancel);
    auto record = installer.install(resolved->image, resolved->manifestJson, tagsOf(reference));
    if (!record)
        return fail(record.error().withContext(what));
    if (m_events)
        m_events->record(QStringLiteral("image"), QStringLiteral("pull"), record->id.toString(),
                         {{QStringLiteral("name"), reference.toString()}});
    progress.enterPhase(PullProgress::Phase::Done);
    return record;
}

} // namespace Berth::Engine
