// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/archive/imagesaver.h"

#include "engine/archive/archiveio.h"
#include "engine/core/fileutil.h"
#include "engine/images/mediatypes.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

constexpr qint64 kChunk = 1 << 20;

struct SavedImage {
    ImageRecord record;
    Manifest manifest;
    QByteArray config;
    QList<Reference> tags; // what the user named
};

TarWriter::Meta fileMeta() {
    return TarWriter::Meta{0644, 0, 0, 0};
}
TarWriter::Meta dirMeta() {
    return TarWriter::Meta{0755, 0, 0, 0};
}

QString ociMediaType(const QString &docker) {
    if (docker == MediaType::DockerLayer)
        return MediaType::OciLayer;
    if (docker == MediaType::DockerLayerGzip)
        return MediaType::OciLayerGzip;
    if (docker == MediaType::DockerLayerForeignGzip)
        return MediaType::OciLayerNondistributableGzip;
    if (docker == MediaType::DockerConfig)
        return MediaType::OciConfig;
    return docker;
}

// Copies a whole stored blob into the current tar entry.
Status copyBlob(TarWriter &tar, const QString &path, const ArchiveProgressHandler &progress,
                const QString &item, qint64 total) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("open %1: %2").arg(path, f.errorString()));
    QByteArray buf(kChunk, Qt::Uninitialized);
    qint64 done = 0;
    for (;;) {
        const qint64 n = f.read(buf.data(), buf.size());
        if (n < 0)
            return fail(ErrorKind::Unavailable,
                        QStringLiteral("read %1: %2").arg(path, f.errorString()));
        if (n == 0)
            break;
        if (auto st = tar.writeData(buf.constData(), n); !st)
            return st;
        done += n;
        if (progress)
            progress({item, done, total});
    }
    if (done != total)
        return fail(ErrorKind::Corrupt, QStringLiteral("%1 changed while being saved").arg(path));
    return {};
}

// Size and diffID of a compressed layer's tar, for the entry header that precedes the data.
Result<QPair<qint64, Digest>> measureDecompressed(const QString &path) {
    auto reader = DecompressingReader::openFile(path);
    if (!reader)
        return fail(reader.error());
    QByteArray buf(kChunk, Qt::Uninitialized);
    Sha256 hash;
    qint64 size = 0;
    for (;;) {
        auto n = (*reader)->read(buf.data(), buf.size());
        if (!n)
            return fail(n.error());
        if (*n == 0)
            break;
        hash.add(buf.constData(), *n);
        size += *n;
    }
    return qMakePair(size, hash.finish());
}

} // namespace

ImageSaver::ImageSaver(ArchiveStores stores)
    : m_stores(stores) {}

Status ImageSaver::saveToFile(const QStringList &names, ArchiveFormat format, const QString &path) {
    const QFileInfo target(path);
    const QString tmp =
        target.absolutePath() + QLatin1Char('/') +
        uniqueTempName(QStringLiteral(".") + target.fileName() + QStringLiteral(".tmp"));
    const QByteArray tmpName = QFile::encodeName(tmp);
    const int fd = ::open(tmpName.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return failErrno(QStringLiteral("save %1: create").arg(path), errno);
    auto discard = [&](const Error &e) {
        ::close(fd);
        ::unlink(tmpName.constData());
        return fail(e.withContext(QStringLiteral("save %1").arg(path)));
    };
    if (auto st = write(names, format, fd); !st)
        return discard(st.error());
    if (::fsync(fd) != 0)
        return discard(
            Error{errorKindFromErrno(errno),
                  QStringLiteral("fsync: %1").arg(QString::fromLocal8Bit(strerror(errno)))});
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmpName.constData());
        return failErrno(QStringLiteral("save %1: close").arg(path), err);
    }
    if (::rename(tmpName.constData(), QFile::encodeName(path).constData()) != 0) {
        const int err = errno;
        ::unlink(tmpName.constData());
        return failErrno(QStringLiteral("save %1: rename").arg(path), err);
    }
    fsyncDirectoryOf(path);
    return {};
}

Status ImageSaver::saveToFd(const QStringList &names, ArchiveFormat format, int fd) {
    if (auto st = write(names, format, fd); !st)
        return fail(st.error().withContext(QStringLiteral("save")));
    return {};
}

Status ImageSaver::write(const QStringList &names, ArchiveFormat format, int fd) {
    if (names.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("no images given"));
    QList<SavedImage> images;
    for (const QString &name : names) {
        auto record = m_stores.images.resolve(name);
        if (!record)
            return fail(record.error());
        auto manifest = m_stores.images.manifest(*record);
        if (!manifest)
            return fail(manifest.error().withContext(name));
        auto config = m_stores.images.rawConfig(*record);
        if (!config)
            return fail(config.error().withContext(name));
        Reference tag;
        bool tagged = false;
        if (auto ref = Reference::parse(name); ref && record->tags.contains(ref->toString())) {
            tag = *ref;
            tagged = true;
        }
        auto same = std::find_if(images.begin(), images.end(),
                                 [&](const SavedImage &s) { return s.record.id == record->id; });
        if (same == images.end()) {
            images.append({*record, *manifest, *config, {}});
            same = images.end() - 1;
        }
        if (tagged && !same->tags.contains(tag))
            same->tags.append(tag);
    }

    TarWriter tar([fd](const char *data, qint64 size) { return writeAllToFd(fd, data, size); });
    QSet<QString> written;

    if (format == ArchiveFormat::DockerArchive) {
        QJsonArray manifestJson;
        QJsonObject repositories;
        for (const SavedImage &image : std::as_const(images)) {
            const QString configName = image.record.id.hex() + QStringLiteral(".json");
            QJsonArray layerNames;
            for (int i = 0; i < image.record.layers.size(); ++i) {
                const LayerRecord &layer = image.record.layers[i];
                const QString dir = layer.diffId.hex();
                const QString name = dir + QStringLiteral("/layer.tar");
                layerNames.append(name);
                if (written.contains(name))
                    continue;
                written.insert(name);
                const QString blobPath = m_stores.content.blobPath(layer.blob.digest);
                auto compression = detectFileCompression(blobPath);
                if (!compression)
                    return fail(compression.error());
                const QString item = QStringLiteral("layer %1").arg(layer.diffId.toString());
                if (auto st = tar.addDirectory(dir, dirMeta()); !st)
                    return st;
                if (*compression == Compression::None) {
                    auto size = m_stores.content.size(layer.blob.digest);
                    if (!size)
                        return fail(size.error().withContext(item));
                    if (auto st = tar.beginFile(name, *size, fileMeta()); !st)
                        return st;
                    if (auto st = copyBlob(tar, blobPath, m_progress, item, *size); !st)
                        return fail(st.error().withContext(item));
                    continue;
                }
                // docker-archive layers are plain tars: decompress, measuring first because the
                // tar header (size) precedes the data.
                auto measured = measureDecompressed(blobPath);
                if (!measured)
                    return fail(measured.error().withContext(item));
                if (measured->second != layer.diffId)
                    return fail(
                        ErrorKind::Corrupt,
                        QStringLiteral("%1: blob %2 does not decompress to its diffID "
                                       "(got %3)")
                            .arg(item, layer.blob.digest.toString(), measured->second.toString()));
                if (auto st = tar.beginFile(name, measured->first, fileMeta()); !st)
                    return st;
                auto reader = DecompressingReader::openFile(blobPath);
                if (!reader)
                    return fail(reader.error().withContext(item));
                QByteArray buf(kChunk, Qt::Uninitialized);
                qint64 done = 0;
                for (;;) {
                    auto n = (*reader)->read(buf.data(), buf.size());
                    if (!n)
                        return fail(n.error().withContext(item));
                    if (*n == 0)
                        break;
                    if (auto st = tar.writeData(buf.constData(), *n); !st)
                        return st;
                    done += *n;
                    if (m_progress)
                        m_progress({item, done, measured->first});
                }
            }
            if (!written.contains(configName)) {
                written.insert(configName);
                if (auto st = tar.addFile(configName, image.config, fileMeta()); !st)
                    return st;
            }
            QJsonArray repoTags;
            for (const Reference &r : image.tags) {
                repoTags.append(r.familiarString());
                QJsonObject repo = repositories.value(r.familiarName()).toObject();
                repo.insert(r.tag(), image.record.layers.isEmpty()
                                         ? QString()
                                         : image.record.layers.last().diffId.hex());
                repositories.insert(r.familiarName(), repo);
            }
            manifestJson.append(QJsonObject{
                {QStringLiteral("Config"), configName},
                {QStringLiteral("RepoTags"),
                 repoTags.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(repoTags)},
                {QStringLiteral("Layers"), layerNames}});
        }
        if (auto st =
                tar.addFile(QStringLiteral("manifest.json"),
                            QJsonDocument(manifestJson).toJson(QJsonDocument::Compact), fileMeta());
            !st)
            return st;
        if (!repositories.isEmpty())
            if (auto st = tar.addFile(QStringLiteral("repositories"),
                                      QJsonDocument(repositories).toJson(QJsonDocument::Compact),
                                      fileMeta());
                !st)
                return st;
        return tar.finish();
    }

    // OCI image layout.
    if (auto st = tar.addFile(QStringLiteral("oci-layout"),
                              QByteArrayLiteral(R"({"imageLayoutVersion":"1.0.0"})"), fileMeta());
        !st)
        return st;
    for (const QString &dir : {QStringLiteral("blobs"), QStringLiteral("blobs/sha256")})
        if (auto st = tar.addDirectory(dir, dirMeta()); !st)
            return st;
    auto addBlob = [&](const Digest &digest, const QByteArray *inMemory) -> Status {
        const QString name = QStringLiteral("blobs/sha256/") + digest.hex();
        if (written.contains(name))
            return {};
        written.insert(name);
        if (inMemory)
            return tar.addFile(name, *inMemory, fileMeta());
        auto size = m_stores.content.size(digest);
        if (!size)
            return fail(size.error());
        if (auto st = tar.beginFile(name, *size, fileMeta()); !st)
            return st;
        return copyBlob(tar, m_stores.content.blobPath(digest), m_progress,
                        QStringLiteral("blob %1").arg(digest.toString()), *size);
    };
    QJsonArray indexEntries;
    for (const SavedImage &image : std::as_const(images)) {
        Manifest manifest = image.manifest;
        if (MediaType::isDockerFamily(manifest.mediaType)) {
            manifest.mediaType = MediaType::OciManifest;
            manifest.config.mediaType = ociMediaType(manifest.config.mediaType);
            for (Descriptor &l : manifest.layers)
                l.mediaType = ociMediaType(l.mediaType);
        }
        for (const Descriptor &l : std::as_const(manifest.layers))
            if (auto st = addBlob(l.digest, nullptr); !st)
                return fail(
                    st.error().withContext(QStringLiteral("layer %1").arg(l.digest.toString())));
        if (auto st = addBlob(image.record.id, &image.config); !st)
            return st;
        QByteArray manifestJson;
        if (manifest.mediaType == image.manifest.mediaType) {
            // Unchanged: keep the stored bytes so the manifest digest stays the same.
            auto raw = m_stores.content.read(image.record.manifestDigest, kMaxManifestSize);
            if (!raw)
                return fail(raw.error());
            manifestJson = *raw;
        } else {
            manifestJson = manifest.toJson();
        }
        const Digest manifestDigest = Digest::ofData(manifestJson);
        if (auto st = addBlob(manifestDigest, &manifestJson); !st)
            return st;
        Descriptor d;
        d.mediaType = MediaType::OciManifest;
        d.digest = manifestDigest;
        d.size = manifestJson.size();
        if (image.tags.isEmpty()) {
            indexEntries.append(d.toJson());
            continue;
        }
        for (const Reference &r : image.tags) {
            Descriptor named = d;
            named.annotations.insert(QStringLiteral("io.containerd.image.name"), r.toString());
            named.annotations.insert(QStringLiteral("org.opencontainers.image.ref.name"), r.tag());
            indexEntries.append(named.toJson());
        }
    }
    const QJsonObject index{{QStringLiteral("schemaVersion"), 2},
                            {QStringLiteral("mediaType"), MediaType::OciIndex},
                            {QStringLiteral("manifests"), indexEntries}};
    if (auto st = tar.addFile(QStringLiteral("index.json"),
                              QJsonDocument(index).toJson(QJsonDocument::Compact), fileMeta());
        !st)
        return st;
    return tar.finish();
}

} // namespace Berth::Engine
