// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/puller.h"

#include "engine/content/growingblob.h"
#include "engine/core/filelock.h"
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

Result<ImageRecord> Puller::pull(const Reference &reference, const PullOptions &options) {
    const QString what = QStringLiteral("pull %1").arg(reference.familiarString());
    auto lock = FileLock::acquire(m_paths.lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return fail(lock.error().withContext(what));
    auto auth = authFor(reference, options);
    std::atomic<bool> abortAll = false;
    RegistryClient client(reference.domain(), options.registry, auth);
    client.setScopes(pullScopes(reference));
    client.setCancelFlag(options.cancel);
    auto resolved = resolve(client, reference, options);
    if (!resolved)
        return fail(resolved.error().withContext(what));
    const PullPlan &plan = resolved->plan;
    if (options.onPlan)
        options.onPlan(plan);

    // Progress, shared by the transfer threads.
    QMutex progressMutex;
    PullProgress progress;
    progress.totalBytes = plan.bytesToDownload;
    QHash<Digest, qint64> startOffsets;
    for (const PullLayerPlan &l : plan.layers) {
        PullProgress::Layer p;
        p.digest = l.blob.digest;
        p.size = l.blob.size;
        p.done = l.present ? l.blob.size : l.partialBytes;
        p.state = l.present ? PullProgress::LayerState::Present : PullProgress::LayerState::Waiting;
        progress.layers.append(p);
    }
    QElapsedTimer clock;
    clock.start();
    qint64 lastEmit = -1000;
    bool pendingEmit = false; // a throttled update not yet reported
    auto update = [&](const Digest &digest, qint64 done, PullProgress::LayerState state) {
        QMutexLocker lock(&progressMutex);
        bool changed = false;
        qint64 transferred = 0;
        for (PullProgress::Layer &p : progress.layers) {
            if (p.digest == digest) {
                changed = changed || p.state != state;
                p.state = state;
                if (done >= 0)
                    p.done = done;
            }
        }
        for (auto it = startOffsets.cbegin(); it != startOffsets.cend(); ++it) {
            for (const PullProgress::Layer &p : std::as_const(progress.layers))
                if (p.digest == it.key()) {
                    transferred += qMax<qint64>(0, p.done - it.value());
                    break;
                }
        }
        progress.doneBytes = qMin(transferred, progress.totalBytes);
        const double seconds = clock.elapsed() / 1000.0;
        progress.bytesPerSecond = seconds > 0.2 ? transferred / seconds : 0;
        progress.etaSeconds =
            progress.bytesPerSecond > 0
                ? qint64((progress.totalBytes - progress.doneBytes) / progress.bytesPerSecond)
                : -1;
        if (options.onProgress && (changed || clock.elapsed() - lastEmit >= 100)) {
            lastEmit = clock.elapsed();
            pendingEmit = false;
            options.onProgress(progress);
        } else {
            pendingEmit = true;
        }
    };

    // Layers to fetch, each digest once (a manifest may repeat a layer).
    QList<Descriptor> todo;
    QSet<Digest> seen;
    for (const PullLayerPlan &l : plan.layers) {
        if (l.present || seen.contains(l.blob.digest))
            continue;
        seen.insert(l.blob.digest);
        todo.append(l.blob);
        startOffsets.insert(l.blob.digest, l.partialBytes);
    }
    // Layers are unpacked while they download: a layer's blob is read as it is written (see
    // GrowingBlob), so decompressing and writing files overlaps the transfer instead of
    // following it. Chain IDs follow from the config's diffIDs, so a layer need not wait for
    // the ones below it. A blob several layers share is unpacked once it is verified. The
    // installer at the end finds those snapshots in place; one that failed here (a download
    // that started over, say) is unpacked again there and reports any error properly.
    QThreadPool unpackPool;
    unpackPool.setMaxThreadCount(
        qMax(QThread::idealThreadCount(), options.registry.concurrentTransfers + 1));
    // The layer unpacked from `blobDigest` while it downloads; -1 when none or several.
    auto streamedLayer = [&](const Digest &blobDigest) {
        int found = -1;
        for (int i = 0; i < plan.layers.size(); ++i) {
            const PullLayerPlan &layer = plan.layers[i];
            if (layer.blob.digest != blobDigest || layer.unpacked || layer.repeats)
                continue;
            if (found >= 0)
                return -1;
            found = i;
        }
        return found;
    };
    auto unpackEarly = [&](const Digest &blobDigest) {
        for (int i = 0; i < plan.layers.size(); ++i) {
            const PullLayerPlan &layer = plan.layers[i];
            if (layer.blob.digest != blobDigest || layer.unpacked || layer.repeats)
                continue;
            const Digest parent = i > 0 ? plan.layers[i - 1].chainId : Digest();
            const QString blobPath = m_content.blobPath(blobDigest);
            const Digest diffId = layer.diffId;
            unpackPool.start([this, blobPath, parent, diffId] {
                (void)m_snapshots.unpack(blobPath, parent, diffId);
            });
        }
    };
    QThreadPool pool;
    pool.setMaxThreadCount(qMax(1, options.registry.concurrentTransfers));
    QList<QFuture<Status>> futures;
    for (const Descriptor &blob : std::as_const(todo)) {
        futures.append(QtConcurrent::run(&pool, [&, blob]() -> Status {
            if (abortAll)
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            auto writer = m_content.openWriter(blob.digest.hex(), blob.digest, blob.size);
            if (!writer)
                return fail(writer.error());
            if (m_content.contains(blob.digest)) { // another process finished it meanwhile
                update(blob.digest, blob.size, PullProgress::LayerState::Downloaded);
                return {};
            }
            {
                QMutexLocker lock(&progressMutex);
                // What the writer holds now is where this pull's transfer starts.
                startOffsets[blob.digest] =
                    qMin(startOffsets.value(blob.digest), (*writer)->offset());
            }
            update(blob.digest, (*writer)->offset(), PullProgress::LayerState::Downloading);
            const int streamed = streamedLayer(blob.digest);
            if (streamed >= 0) {
                if (auto growing = (*writer)->follow()) {
                    const Digest parent =
                        streamed > 0 ? plan.layers[streamed - 1].chainId : Digest();
                    const Digest diffId = plan.layers[streamed].diffId;
                    unpackPool.start([this, source = *growing, parent, diffId] {
                        (void)m_snapshots.unpack(*source, parent, diffId);
                    });
                }
            }
            RegistryClient layerClient(reference.domain(), options.registry, auth);
            layerClient.setScopes(pullScopes(reference));
            layerClient.setCancelFlag(&abortAll);
            auto st = layerClient.fetchBlob(reference.path(), blob, **writer, [&](qint64 done) {
                update(blob.digest, done, PullProgress::LayerState::Downloading);
            });
            if (!st) {
                update(blob.digest, -1, PullProgress::LayerState::Failed);
                abortAll = true;
                return st;
            }
            update(blob.digest, -1, PullProgress::LayerState::Verifying);
            auto committed = (*writer)->commit();
            if (!committed) {
                update(blob.digest, 0, PullProgress::LayerState::Failed);
                abortAll = true;
                return fail(committed.error().withContext(
                    QStringLiteral("layer %1").arg(blob.digest.toString())));
            }
            update(blob.digest, blob.size, PullProgress::LayerState::Downloaded);
            if (!abortAll && streamed < 0)
                unpackEarly(blob.digest);
            return {};
        }));
    }
    // Wait, passing the caller's cancellation to the transfers.
    for (;;) {
        bool running = false;
        for (const QFuture<Status> &f : std::as_const(futures))
            running = running || !f.isFinished();
        if (!running)
            break;
        if (options.cancel && options.cancel->load())
            abortAll = true;
        {
            // The last update before a quiet spell (a stalled transfer) is not lost.
            QMutexLocker lock(&progressMutex);
            if (pendingEmit && options.onProgress && clock.elapsed() - lastEmit >= 100) {
                lastEmit = clock.elapsed();
                pendingEmit = false;
                options.onProgress(progress);
            }
        }
        QThread::msleep(20);
    }
    unpackPool.waitForDone();
    std::optional<Error> error;
    for (const QFuture<Status> &f : std::as_const(futures)) {
        const Status st = f.result();
        if (!st && (!error || error->kind == ErrorKind::Cancelled))
            error = st.error();
    }
    if (options.cancel && options.cancel->load())
        error = Error{ErrorKind::Cancelled, QStringLiteral("cancelled")};
    if (error)
        return fail(error->withContext(what));

    RegistryCache cache(m_paths);
    for (const PullLayerPlan &l : plan.layers)
        cache.recordSource(l.blob.digest, reference.name());

    {
        QMutexLocker lock(&progressMutex);
        progress.phase = PullProgress::Phase::Unpacking;
        if (options.onProgress)
            options.onProgress(progress);
    }
    ImageInstaller installer(m_content, m_snapshots, m_images);
    installer.setCancelFlag(options.cancel);
    QList<Reference> tags;
    if (!reference.tag().isEmpty()) {
        auto tagged = Reference::parse(reference.name() + QLatin1Char(':') + reference.tag());
        if (tagged)
            tags.append(*tagged);
    }
    auto record = installer.install(resolved->image, resolved->manifestJson, tags);
    if (!record)
        return fail(record.error().withContext(what));
    if (m_events)
        m_events->record(QStringLiteral("image"), QStringLiteral("pull"), record->id.toString(),
                         {{QStringLiteral("name"), reference.toString()}});
    {
        QMutexLocker lock(&progressMutex);
        progress.phase = PullProgress::Phase::Done;
        if (options.onProgress)
            options.onProgress(progress);
    }
    return record;
}

} // namespace Berth::Engine
