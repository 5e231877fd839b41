// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pusher.h"

#include "engine/core/fileutil.h"
#include "engine/core/storelock.h"
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

Result<PushResult> Pusher::push(const QString &source, const Reference &target,
                                const PushOptions &options) {
    const QString what = QStringLiteral("push %1").arg(target.familiarString());
    // Shared: the gzip blobs written here must not be collected while the push uses them.
    auto lock = StoreLock::acquire(m_paths.lockFile(), StoreLock::Mode::Shared);
    if (!lock)
        return fail(lock.error().withContext(what));
    auto image = m_images.resolve(source);
    if (!image)
        return fail(image.error().withContext(what));
    auto manifest = m_images.manifest(*image);
    if (!manifest)
        return fail(manifest.error().withContext(what));
    const bool docker = MediaType::isDockerFamily(manifest->mediaType);
    auto isUncompressed = [](const Descriptor &layer) {
        return layer.mediaType == MediaType::OciLayer || layer.mediaType == MediaType::DockerLayer;
    };
    PushProgress compressing;
    compressing.phase = PushProgress::Phase::Compressing;
    for (const Descriptor &layer : std::as_const(manifest->layers))
        if (isUncompressed(layer))
            compressing.totalBytes += layer.size;
    QElapsedTimer compressClock;
    compressClock.start();
    qint64 compressedBefore = 0;
    qint64 lastReport = -1;
    for (int i = 0; i < manifest->layers.size(); ++i) {
        const Descriptor &layer = manifest->layers[i];
        if (!isUncompressed(layer))
            continue;
        auto report = [&](qint64 read) {
            if (!options.onProgress)
                return;
            // About ten reports a second, whatever the layer size.
            const qint64 now = compressClock.elapsed();
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
            options.onProgress(compressing);
        };
        auto gz = compressedLayer(layer, image->layers.value(i).diffId,
                                  docker ? MediaType::DockerLayerGzip : MediaType::OciLayerGzip,
                                  report, options.cancel);
        if (!gz)
            return fail(gz.error().withContext(what));
        report(layer.size); // also when it was compressed by an earlier push
        compressedBefore += layer.size;
        manifest->layers[i] = *gz;
    }
    const QByteArray manifestJson = manifest->toJson();

    Credentials creds;
    if (options.credentials)
        creds = *options.credentials;
    else if (auto found = CredentialStore().lookup(target.domain()))
        creds = *found;
    auto auth = std::make_shared<RegistryAuth>(creds);
    RegistryCache cache(m_paths);

    QList<Descriptor> blobs = manifest->layers;
    blobs.append(manifest->config);
    // Mount sources: other repositories of the same registry known to hold a blob.
    QHash<Digest, QString> mountFrom;
    QStringList scopes{QStringLiteral("repository:%1:pull,push").arg(target.path())};
    for (const Descriptor &b : std::as_const(blobs)) {
        for (const QString &repo : cache.sources(b.digest)) {
            auto ref = Reference::parseRepository(repo);
            if (ref && ref->domain() == target.domain() && ref->path() != target.path()) {
                mountFrom.insert(b.digest, ref->path());
                const QString scope = QStringLiteral("repository:%1:pull").arg(ref->path());
                if (!scopes.contains(scope))
                    scopes.append(scope);
                break;
            }
        }
    }

    QMutex mutex;
    PushProgress progress;
    PushResult result;
    for (const Descriptor &b : std::as_const(blobs)) {
        progress.blobs.append({b.digest, b.size, 0, PushProgress::BlobState::Waiting});
        progress.totalBytes += b.size;
    }
    QElapsedTimer clock;
    clock.start();
    auto update = [&](const Digest &digest, qint64 done, PushProgress::BlobState state) {
        QMutexLocker locker(&mutex);
        progress.doneBytes = 0;
        for (PushProgress::Blob &b : progress.blobs) {
            if (b.digest == digest) {
                b.state = state;
                if (done >= 0)
                    b.done = done;
            }
            progress.doneBytes += b.done;
        }
        const double seconds = clock.elapsed() / 1000.0;
        progress.bytesPerSecond = seconds > 0.2 ? progress.doneBytes / seconds : 0;
        progress.etaSeconds =
            progress.bytesPerSecond > 0
                ? qint64((progress.totalBytes - progress.doneBytes) / progress.bytesPerSecond)
                : -1;
        if (options.onProgress)
            options.onProgress(progress);
    };

    std::atomic<bool> abortAll = false;
    auto pushBlob = [&](const Descriptor &blob) -> Status {
        RegistryClient client(target.domain(), options.registry, auth);
        client.setScopes(scopes);
        client.setCancelFlag(&abortAll);
        const QString repo = target.path();
        RegistryClient::Request head;
        head.method = "HEAD";
        head.url = client.url(repo + QStringLiteral("/blobs/") + blob.digest.toString());
        auto exists = client.send(head);
        if (!exists)
            return fail(exists.error());
        if (exists->status == 200) {
            update(blob.digest, blob.size, PushProgress::BlobState::Exists);
            QMutexLocker locker(&mutex);
            ++result.existing;
            return {};
        }
        if (exists->status == 401 || exists->status == 403)
            return fail(
                uploadError(QStringLiteral("blob %1").arg(blob.digest.toString()), *exists));
        const QString blobPath = m_content.blobPath(blob.digest);
        Status last;
        for (int attempt = 1; attempt <= qMax(1, options.registry.maxAttempts); ++attempt) {
            if (abortAll)
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            RegistryClient::Request start;
            start.method = "POST";
            start.url = client.url(repo + QStringLiteral("/blobs/uploads/"));
            if (mountFrom.contains(blob.digest) && attempt == 1)
                start.url = QUrl(start.url.toString() +
                                 QStringLiteral("?mount=%1&from=%2")
                                     .arg(blob.digest.toString(), mountFrom.value(blob.digest)));
            auto started = client.send(start);
            if (!started)
                return fail(started.error());
            if (started->status == 201) {
                update(blob.digest, blob.size, PushProgress::BlobState::Mounted);
                QMutexLocker locker(&mutex);
                ++result.mounted;
                return {};
            }
            if (started->status != 202)
                return fail(uploadError(QStringLiteral("start upload"), *started));
            auto location = uploadLocation(*started);
            if (!location)
                return fail(location.error());
            update(blob.digest, 0, PushProgress::BlobState::Uploading);
            RegistryClient::Request put;
            put.method = "PUT";
            put.retry = false; // a failed upload session is started over below
            put.headers.append(
                qMakePair(QByteArray("Content-Type"), QByteArray("application/octet-stream")));
            if (options.registry.chunkSize > 0 && blob.size > 0) {
                QFile file(blobPath);
                if (!file.open(QIODevice::ReadOnly))
                    return fail(ErrorKind::NotFound,
                                QStringLiteral("%1: %2").arg(blobPath, file.errorString()));
                bool failed = false;
                for (qint64 offset = 0; offset < blob.size;) {
                    const QByteArray chunk = file.read(options.registry.chunkSize);
                    if (chunk.isEmpty())
                        return fail(
                            ErrorKind::Corrupt,
                            QStringLiteral("%1 is shorter than its descriptor").arg(blobPath));
                    RegistryClient::Request patch;
                    patch.method = "PATCH";
                    patch.retry = false;
                    patch.url = *location;
                    patch.body = chunk;
                    patch.headers = {
                        {"Content-Type", "application/octet-stream"},
                        {"Content-Range", QByteArray::number(offset) + '-' +
                                              QByteArray::number(offset + chunk.size() - 1)}};
                    auto sent = client.send(patch);
                    if (!sent || sent->status != 202) {
                        last =
                            sent ? Status(fail(uploadError(QStringLiteral("upload chunk"), *sent)))
                                 : Status(fail(sent.error()));
                        failed = true;
                        break;
                    }
                    offset += chunk.size();
                    update(blob.digest, offset, PushProgress::BlobState::Uploading);
                    auto next = uploadLocation(*sent);
                    if (!next)
                        return fail(next.error());
                    location = *next;
                }
                if (failed)
                    continue;
            } else {
                put.bodyFile = blobPath;
                client.setUploadProgress([&](qint64 sent) {
                    update(blob.digest, sent, PushProgress::BlobState::Uploading);
                });
            }
            put.url = withDigest(*location, blob.digest);
            auto done = client.send(put);
            client.setUploadProgress({});
            if (done && done->status == 201) {
                update(blob.digest, blob.size, PushProgress::BlobState::Pushed);
                QMutexLocker locker(&mutex);
                ++result.uploaded;
                return {};
            }
            last = done ? Status(fail(uploadError(QStringLiteral("upload"), *done)))
                        : Status(fail(done.error()));
            if (done && (done->status == 400 || done->status == 401 || done->status == 403))
                break; // digest refused or no access: retrying will not help
            QThread::msleep(quint64(qMin(options.registry.initialBackoffMs << (attempt - 1),
                                         options.registry.maxBackoffMs)));
        }
        return last;
    };

    QThreadPool pool;
    pool.setMaxThreadCount(qMax(1, options.registry.concurrentTransfers));
    QList<QFuture<Status>> futures;
    for (const Descriptor &b : std::as_const(blobs))
        futures.append(QtConcurrent::run(&pool, [&, b]() -> Status {
            Status st = pushBlob(b);
            if (!st) {
                update(b.digest, -1, PushProgress::BlobState::Failed);
                abortAll = true;
                return fail(
                    st.error().withContext(QStringLiteral("blob %1").arg(b.digest.toString())));
            }
            return st;
        }));
    for (;;) {
        bool running = false;
        for (const QFuture<Status> &f : std::as_const(futures))
            running = running || !f.isFinished();
        if (!running)
            break;
        if (options.cancel && options.cancel->load())
            abortAll = true;
        QThread::msleep(20);
    }
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

    RegistryClient client(target.domain(), options.registry, auth);
    client.setScopes(scopes);
    client.setCancelFlag(options.cancel);
    const Digest manifestDigest = Digest::ofData(manifestJson);
    RegistryClient::Request put;
    put.method = "PUT";
    put.url = client.url(target.path() + QStringLiteral("/manifests/") +
                         (target.tag().isEmpty() ? target.digest().toString() : target.tag()));
    put.headers.append(qMakePair(QByteArray("Content-Type"), manifest->mediaType.toLatin1()));
    put.body = manifestJson;
    auto r = client.send(put);
    if (!r)
        return fail(r.error().withContext(what));
    if (r->status != 201)
        return fail(uploadError(QStringLiteral("manifest"), *r).withContext(what));
    if (auto header = Digest::parse(QString::fromLatin1(r->header("Docker-Content-Digest")));
        header && *header != manifestDigest)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("%1: the registry stored the manifest as %2, expected %3")
                        .arg(what, header->toString(), manifestDigest.toString()));
    for (const Descriptor &b : std::as_const(blobs))
        cache.recordSource(b.digest, target.name());
    if (options.onProgress) {
        QMutexLocker locker(&mutex);
        progress.phase = PushProgress::Phase::Done;
        progress.etaSeconds = 0;
        options.onProgress(progress);
    }
    result.manifestDigest = manifestDigest;
    result.manifestSize = manifestJson.size();
    if (m_events)
        m_events->record(QStringLiteral("image"), QStringLiteral("push"), image->id.toString(),
                         {{QStringLiteral("name"), target.toString()},
                          {QStringLiteral("digest"), manifestDigest.toString()}});
    return result;
}

} // namespace Berth::Engine
