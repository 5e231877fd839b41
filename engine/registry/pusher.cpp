// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pusher.h"

#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/core/waitforall.h"
#include "engine/images/mediatypes.h"
#include "engine/registry/credentialstore.h"
#include "engine/registry/registrycache.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutex>
#include <QMutexLocker>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <zlib.h>

namespace Berth::Engine {

Pusher::Pusher(const StorePaths &paths, ContentStore &content, ImageStore &images,
               EventJournal *events)
    : m_paths(paths)
    , m_content(content)
    , m_images(images)
    , m_events(events) {}

Result<Descriptor> Pusher::compressedLayer(const Descriptor &blob, const Digest &diffId,
                                           const QString &mediaType,
                                           const std::function<void(qint64)> &progress,
                                           const std::atomic<bool> *cancel) {
    RegistryCache cache(m_paths);
    qint64 size = 0;
    const Digest known = cache.compressedDigest(diffId, &size);
    Descriptor out;
    out.mediaType = mediaType;
    if (known.isValid() && m_content.contains(known)) {
        out.digest = known;
        out.size = m_content.size(known).value_or(size);
        return out;
    }
    QFile in(m_content.blobPath(blob.digest));
    if (!in.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound,
                    QStringLiteral("layer %1: %2").arg(blob.digest.toString(), in.errorString()));
    auto writer = m_content.openWriter(uniqueTempName(QStringLiteral("gzip")));
    if (!writer)
        return fail(writer.error());
    // Fixed level, no name, mtime 0: the same tar always gives the same bytes (for one zlib
    // version), so pushes from any store agree on the digest.
    z_stream z = {};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return fail(ErrorKind::Internal, QStringLiteral("zlib init failed"));
    QByteArray inBuf(1 << 20, Qt::Uninitialized);
    QByteArray outBuf(1 << 20, Qt::Uninitialized);
    Status status;
    qint64 read = 0;
    for (bool finished = false; !finished && status;) {
        if (cancel && cancel->load()) {
            status = fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            break;
        }
        const qint64 n = in.read(inBuf.data(), inBuf.size());
        if (n < 0) {
            status = fail(ErrorKind::Internal, in.errorString());
            break;
        }
        read += n;
        if (progress && n > 0)
            progress(read);
        const int flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
        z.next_in = reinterpret_cast<Bytef *>(inBuf.data());
        z.avail_in = uInt(n);
        int rc = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef *>(outBuf.data());
            z.avail_out = uInt(outBuf.size());
            rc = deflate(&z, flush);
            const qint64 produced = outBuf.size() - z.avail_out;
            if (produced > 0)
                if (auto st = (*writer)->write(outBuf.constData(), produced); !st) {
                    status = st;
                    break;
                }
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        finished = rc == Z_STREAM_END;
    }
    deflateEnd(&z);
    if (!status) {
        (*writer)->abort();
        return fail(status.error().withContext(QStringLiteral("compress layer")));
    }
    auto digest = (*writer)->commit();
    if (!digest)
        return fail(digest.error());
    out.digest = *digest;
    out.size = m_content.size(*digest).value_or(0);
    cache.recordCompressed(diffId, out.digest, out.size);
    return out;
}

namespace {

QUrl withDigest(const QUrl &location, const Digest &digest) {
    QByteArray url = location.toEncoded();
    url += url.contains('?') ? '&' : '?';
    url += "digest=sha256%3A" + digest.hex().toLatin1();
    return QUrl::fromEncoded(url);
}

Result<QUrl> uploadLocation(const HttpResponse &r) {
    const QByteArray location = r.header("Location");
    if (location.isEmpty())
        return fail(ErrorKind::Unavailable, QStringLiteral("the registry sent no upload location"));
    return r.url.resolved(QUrl::fromEncoded(location));
}

Error uploadError(const QString &what, const HttpResponse &r) {
    const ErrorKind kind =
        r.status == 401 || r.status == 403 ? ErrorKind::PermissionDenied : ErrorKind::Unavailable;
    return Error{kind, QStringLiteral("%1: %2").arg(what, r.describe())};
}

} // namespace

namespace {

// One push, step by step: the layers the registry gets gzipped, the blobs sent in parallel
// (each skipped, mounted or uploaded), then the manifest.
class PushRun {
public:
    PushRun(Pusher &pusher, ContentStore &content, RegistryCache &cache, const Reference &target,
            const PushOptions &options)
        : m_pusher(pusher)
        , m_content(content)
        , m_cache(cache)
        , m_target(target)
        , m_options(options) {}

    Status compressLayers(Manifest &manifest, const ImageRecord &image);
    void authenticate();
    Status pushBlobs(const QList<Descriptor> &blobs);
    Result<Digest> putManifest(const Manifest &manifest, const QByteArray &json);
    PushResult &result() { return m_result; }
    void finished();

private:
    void findMountSources(const QList<Descriptor> &blobs);
    void update(const Digest &digest, qint64 done, PushProgress::BlobState state);
    void count(int PushResult::*counter) {
        QMutexLocker locker(&m_mutex);
        ++(m_result.*counter);
    }
    Status pushBlob(const Descriptor &blob);
    // One upload session; nullopt when it ended in a way another attempt may fix (`last`).
    std::optional<Status> uploadOnce(RegistryClient &client, const Descriptor &blob, int attempt,
                                     Status &last);
    // The blob in PATCH chunks from `location` on; the location for the closing PUT, or
    // nullopt when the registry refused a chunk (`last` says how; a new session may work).
    Result<std::optional<QUrl>> uploadChunks(RegistryClient &client, const Descriptor &blob,
                                             QUrl location, Status &last);

    Pusher &m_pusher;
    ContentStore &m_content;
    RegistryCache &m_cache;
    const Reference &m_target;
    const PushOptions &m_options;
    std::shared_ptr<RegistryAuth> m_auth;
    QStringList m_scopes;
    QHash<Digest, QString> m_mountFrom; // blob -> another repository of the registry holding it
    QMutex m_mutex;                     // guards m_progress and m_result
    PushProgress m_progress;
    PushResult m_result;
    QElapsedTimer m_clock;
    std::atomic<bool> m_abortAll = false;
};

bool isUncompressed(const Descriptor &layer) {
    return layer.mediaType == MediaType::OciLayer || layer.mediaType == MediaType::DockerLayer;
}

// Layers stored uncompressed are gzipped (once; kept in the content store) and the manifest
// names the gzip.
Status PushRun::compressLayers(Manifest &manifest, const ImageRecord &image) {
    const bool docker = MediaType::isDockerFamily(manifest.mediaType);
    PushProgress compressing;
    compressing.phase = PushProgress::Phase::Compressing;
    for (const Descriptor &layer : std::as_const(manifest.layers))
        if (isUncompressed(layer))
            compressing.totalBytes += layer.size;
    QElapsedTimer clock;
    clock.start();
    qint64 compressedBefore = 0;
    qint64 lastReport = -1;
    for (int i = 0; i < manifest.layers.size(); ++i) {
        const Descriptor &layer = manifest.layers[i];
        if (!isUncompressed(layer))
            continue;
        auto report = [&](qint64 read) {
            if (!m_options.onProgress)
                return;
            // About ten reports a second, whatever the layer size.
            const qint64 now = clock.elapsed();
            if (lastReport >= 0 && now - lastReport < 100 && read < layer.size)
                return;
            lastReport = now;
            compressing.doneBytes = compressedBefore + read;
            const double seconds = now / 1000.0;
            compressing.bytesPerSecond = seconds > 0.2 ? compressing.doneBytes / seconds : 0;
            compressing.etaSeconds = compressing.bytesPerSecond > 0
                                         ? qint64((compressing.totalBytes - compressing.doneBytes) /
                                                  compressing.bytesPerSecond)
                                         : -1;
            m_options.onProgress(compressing);
        };
        auto gz =
            m_pusher.compressedLayer(layer, image.layers.value(i).diffId,
                                     docker ? MediaType::DockerLayerGzip : MediaType::OciLayerGzip,
                                     report, m_options.cancel);
        if (!gz)
            return fail(gz.error());
        report(layer.size); // also when it was compressed by an earlier push
        compressedBefore += layer.size;
        manifest.layers[i] = *gz;
    }
    return {};
}

void PushRun::authenticate() {
    Credentials creds;
    if (m_options.credentials)
        creds = *m_options.credentials;
    else if (auto found = CredentialStore().lookup(m_target.domain()))
        creds = *found;
    m_auth = std::make_shared<RegistryAuth>(creds);
    m_scopes = {QStringLiteral("repository:%1:pull,push").arg(m_target.path())};
}

// Mount sources: other repositories of the same registry known to hold a blob (the token then
// needs pull access to them too).
void PushRun::findMountSources(const QList<Descriptor> &blobs) {
    for (const Descriptor &b : blobs) {
        for (const QString &repo : m_cache.sources(b.digest)) {
            auto ref = Reference::parseRepository(repo);
            if (ref && ref->domain() == m_target.domain() && ref->path() != m_target.path()) {
                m_mountFrom.insert(b.digest, ref->path());
                const QString scope = QStringLiteral("repository:%1:pull").arg(ref->path());
                if (!m_scopes.contains(scope))
                    m_scopes.append(scope);
                break;
            }
        }
    }
}

void PushRun::update(const Digest &digest, qint64 done, PushProgress::BlobState state) {
    QMutexLocker locker(&m_mutex);
    m_progress.doneBytes = 0;
    for (PushProgress::Blob &b : m_progress.blobs) {
        if (b.digest == digest) {
            b.state = state;
            if (done >= 0)
                b.done = done;
        }
        m_progress.doneBytes += b.done;
    }
    const double seconds = m_clock.elapsed() / 1000.0;
    m_progress.bytesPerSecond = seconds > 0.2 ? m_progress.doneBytes / seconds : 0;
    m_progress.etaSeconds =
        m_progress.bytesPerSecond > 0
            ? qint64((m_progress.totalBytes - m_progress.doneBytes) / m_progress.bytesPerSecond)
            : -1;
    if (m_options.onProgress)
        m_options.onProgress(m_progress);
}

// Every blob on the engine's pool of transfers; the first failure stops the others.
Status PushRun::pushBlobs(const QList<Descriptor> &blobs) {
    findMountSources(blobs);
    for (const Descriptor &b : blobs) {
        m_progress.blobs.append({b.digest, b.size, 0, PushProgress::BlobState::Waiting});
        m_progress.totalBytes += b.size;
    }
    m_clock.start();
    QThreadPool pool;
    pool.setMaxThreadCount(qMax(1, m_options.registry.concurrentTransfers));
    QList<QFuture<Status>> futures;
    for (const Descriptor &b : blobs)
        futures.append(QtConcurrent::run(&pool, [this, b]() -> Status {
            Status st = pushBlob(b);
            if (!st) {
                update(b.digest, -1, PushProgress::BlobState::Failed);
                m_abortAll = true;
                return fail(
                    st.error().withContext(QStringLiteral("blob %1").arg(b.digest.toString())));
            }
            return st;
        }));
    return waitForAll(futures, m_options.cancel, m_abortAll);
}

// One blob: skipped when the registry has it, else mounted or uploaded, with retries.
Status PushRun::pushBlob(const Descriptor &blob) {
    RegistryClient client(m_target.domain(), m_options.registry, m_auth);
    client.setScopes(m_scopes);
    client.setCancelFlag(&m_abortAll);
    RegistryClient::Request head;
    head.method = "HEAD";
    head.url = client.url(m_target.path() + QStringLiteral("/blobs/") + blob.digest.toString());
    auto exists = client.send(head);
    if (!exists)
        return fail(exists.error());
    if (exists->status == 200) {
        update(blob.digest, blob.size, PushProgress::BlobState::Exists);
        count(&PushResult::existing);
        return {};
    }
    if (exists->status == 401 || exists->status == 403)
        return fail(uploadError(QStringLiteral("blob %1").arg(blob.digest.toString()), *exists));
    Status last;
    for (int attempt = 1; attempt <= qMax(1, m_options.registry.maxAttempts); ++attempt) {
        if (m_abortAll)
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        if (auto outcome = uploadOnce(client, blob, attempt, last))
            return *outcome;
        QThread::msleep(quint64(qMin(m_options.registry.initialBackoffMs << (attempt - 1),
                                     m_options.registry.maxBackoffMs)));
    }
    return last;
}

std::optional<Status> PushRun::uploadOnce(RegistryClient &client, const Descriptor &blob,
                                          int attempt, Status &last) {
    RegistryClient::Request start;
    start.method = "POST";
    start.url = client.url(m_target.path() + QStringLiteral("/blobs/uploads/"));
    if (m_mountFrom.contains(blob.digest) && attempt == 1)
        start.url = QUrl(start.url.toString() +
                         QStringLiteral("?mount=%1&from=%2")
                             .arg(blob.digest.toString(), m_mountFrom.value(blob.digest)));
    auto started = client.send(start);
    if (!started)
        return Status(fail(started.error()));
    if (started->status == 201) {
        update(blob.digest, blob.size, PushProgress::BlobState::Mounted);
        count(&PushResult::mounted);
        return Status();
    }
    if (started->status != 202)
        return Status(fail(uploadError(QStringLiteral("start upload"), *started)));
    auto location = uploadLocation(*started);
    if (!location)
        return Status(fail(location.error()));
    update(blob.digest, 0, PushProgress::BlobState::Uploading);
    RegistryClient::Request put;
    put.method = "PUT";
    put.retry = false; // a failed upload session is started over by the caller
    put.headers.append(
        qMakePair(QByteArray("Content-Type"), QByteArray("application/octet-stream")));
    if (m_options.registry.chunkSize > 0 && blob.size > 0) {
        auto end = uploadChunks(client, blob, *location, last);
        if (!end)
            return Status(fail(end.error()));
        if (!*end)
            return std::nullopt;
        location = **end;
    } else {
        put.bodyFile = m_content.blobPath(blob.digest);
        client.setUploadProgress(
            [&](qint64 sent) { update(blob.digest, sent, PushProgress::BlobState::Uploading); });
    }
    put.url = withDigest(*location, blob.digest);
    auto done = client.send(put);
    client.setUploadProgress({});
    if (done && done->status == 201) {
        update(blob.digest, blob.size, PushProgress::BlobState::Pushed);
        count(&PushResult::uploaded);
        return Status();
    }
    last = done ? Status(fail(uploadError(QStringLiteral("upload"), *done)))
                : Status(fail(done.error()));
    if (done && (done->status == 400 || done->status == 401 || done->status == 403))
        return last; // digest refused or no access: retrying will not help
    return std::nullopt;
}

Result<std::optional<QUrl>> PushRun::uploadChunks(RegistryClient &client, const Descriptor &blob,
                                                  QUrl location, Status &last) {
    const QString blobPath = m_content.blobPath(blob.digest);
    QFile file(blobPath);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound,
                    QStringLiteral("%1: %2").arg(blobPath, file.errorString()));
    for (qint64 offset = 0; offset < blob.size;) {
        const QByteArray chunk = file.read(m_options.registry.chunkSize);
        if (chunk.isEmpty())
            return fail(ErrorKind::Corrupt,
                        QStringLiteral("%1 is shorter than its descriptor").arg(blobPath));
        RegistryClient::Request patch;
        patch.method = "PATCH";
        patch.retry = false;
        patch.url = location;
        patch.body = chunk;
        patch.headers = {{"Content-Type", "application/octet-stream"},
                         {"Content-Range", QByteArray::number(offset) + '-' +
                                               QByteArray::number(offset + chunk.size() - 1)}};
        auto sent = client.send(patch);
        if (!sent || sent->status != 202) {
            last = sent ? Status(fail(uploadError(QStringLiteral("upload chunk"), *sent)))
                        : Status(fail(sent.error()));
            return std::optional<QUrl>();
        }
        offset += chunk.size();
        update(blob.digest, offset, PushProgress::BlobState::Uploading);
        auto next = uploadLocation(*sent);
        if (!next)
            return fail(next.error());
        location = *next;
    }
    return std::optional<QUrl>(location);
}

// The manifest under the target's tag (or digest); the registry must store it as sent.
Result<Digest> PushRun::putManifest(const Manifest &manifest, const QByteArray &json) {
    RegistryClient client(m_target.domain(), m_options.registry, m_auth);
    client.setScopes(m_scopes);
    client.setCancelFlag(m_options.cancel);
    const Digest digest = Digest::ofData(json);
    RegistryClient::Request put;
    put.method = "PUT";
    put.url =
        client.url(m_target.path() + QStringLiteral("/manifests/") +
                   (m_target.tag().isEmpty() ? m_target.digest().toString() : m_target.tag()));
    put.headers.append(qMakePair(QByteArray("Content-Type"), manifest.mediaType.toLatin1()));
    put.body = json;
    auto r = client.send(put);
    if (!r)
        return fail(r.error());
    if (r->status != 201)
        return fail(uploadError(QStringLiteral("manifest"), *r));
    if (auto header = Digest::parse(QString::fromLatin1(r->header("Docker-Content-Digest")));
        header && *header != digest)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("the registry stored the manifest as %1, expected %2")
                        .arg(header->toString(), digest.toString()));
    return digest;
}

void PushRun::finished() {
    if (!m_options.onProgress)
        return;
    QMutexLocker locker(&m_mutex);
    m_progress.phase = PushProgress::Phase::Done;
    m_progress.etaSeconds = 0;
    m_options.onProgress(m_progress);
}

} // namespace

Result<PushResult> Pusher::push(const QString &source, const Reference &target,
                                const PushOptions &options) {
    const QString what = QStringLiteral("push %1").arg(target.familiarString());
    // Shared: the gzip blobs written here must not be collected while the push uses them.
    auto lock = FileLock::acquire(m_paths.lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return fail(lock.error().withContext(what));
    auto image = m_images.resolve(source);
    if (!image)
        return fail(image.error().withContext(what));
    auto manifest = m_images.manifest(*image);
    if (!manifest)
        return fail(manifest.error().withContext(what));
    RegistryCache cache(m_paths);
    PushRun run(*this, m_content, cache, target, options);
    if (auto st = run.compressLayers(*manifest, *image); !st)
        return fail(st.error().withContext(what));
    const QByteArray manifestJson = manifest->toJson();
    run.authenticate();
    QList<Descriptor> blobs = manifest->layers;
    blobs.append(manifest->config); // config last among the blobs
    if (auto st = run.pushBlobs(blobs); !st)
        return fail(st.error().withContext(what));
    auto manifestDigest = run.putManifest(*manifest, manifestJson);
    if (!manifestDigest)
        return fail(manifestDigest.error().withContext(what));
    for (const Descriptor &b : std::as_const(blobs))
        cache.recordSource(b.digest, target.name());
    run.finished();
    PushResult result = run.result();
    result.manifestDigest = *manifestDigest;
    result.manifestSize = manifestJson.size();
    if (m_events)
        m_events->record(QStringLiteral("image"), QStringLiteral("push"), image->id.toString(),
                         {{QStringLiteral("name"), target.toString()},
                          {QStringLiteral("digest"), manifestDigest->toString()}});
    return result;
}

} // namespace Berth::Engine
