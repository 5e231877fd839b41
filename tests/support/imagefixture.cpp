// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/imagefixture.h"
#include "engine/enginestores.h"

#include "engine/images/imageconfig.h"
#include "engine/images/mediatypes.h"
#include "engine/snapshots/imageinstaller.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <archive.h>
#include <archive_entry.h>

namespace Berth::Test {

using namespace Berth::Engine;

namespace {

la_ssize_t appendToByteArray(struct archive *, void *client, const void *buffer, size_t length) {
    static_cast<QByteArray *>(client)->append(static_cast<const char *>(buffer), qsizetype(length));
    return la_ssize_t(length);
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QString layerMediaType(LayerBuilder::Compression c, ImageFixture::ManifestFormat format) {
    const bool oci = format == ImageFixture::ManifestFormat::Oci;
    switch (c) {
    case LayerBuilder::Compression::Gzip:
        return oci ? MediaType::OciLayerGzip : MediaType::DockerLayerGzip;
    case LayerBuilder::Compression::Zstd:
        return MediaType::OciLayerZstd; // Docker has no zstd media type
    case LayerBuilder::Compression::None:
    case LayerBuilder::Compression::Bzip2: // no layer media type: only for plain archives
    case LayerBuilder::Compression::Xz:
        break;
    }
    return oci ? MediaType::OciLayer : MediaType::DockerLayer;
}

} // namespace

QByteArray compressBytes(const QByteArray &data, LayerBuilder::Compression compression) {
    if (compression == LayerBuilder::Compression::None)
        return data;
    QByteArray out;
    struct archive *a = archive_write_new();
    archive_write_set_format_raw(a);
    if (compression == LayerBuilder::Compression::Gzip) {
        archive_write_add_filter_gzip(a);
        archive_write_set_filter_option(a, "gzip", "timestamp", nullptr); // reproducible
    } else if (compression == LayerBuilder::Compression::Bzip2) {
        archive_write_add_filter_bzip2(a);
    } else if (compression == LayerBuilder::Compression::Xz) {
        archive_write_add_filter_xz(a);
    } else {
        archive_write_add_filter_zstd(a);
    }
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, appendToByteArray, nullptr);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, "data");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_size(e, data.size());
    archive_write_header(a, e);
    archive_write_data(a, data.constData(), size_t(data.size()));
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

QByteArray decompressBytes(const QByteArray &data) {
    QByteArray out;
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e = nullptr;
    if (archive_read_open_memory(a, data.constData(), size_t(data.size())) == ARCHIVE_OK &&
        archive_read_next_header(a, &e) == ARCHIVE_OK) {
        char buf[65536];
        la_ssize_t n;
        while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
            out.append(buf, n);
    }
    archive_read_free(a);
    return out;
}

QByteArray tarOf(const QList<QPair<QString, QByteArray>> &files) {
    QByteArray out;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(a, &out, nullptr, appendToByteArray, nullptr);
    for (const auto &f : files) {
        struct archive_entry *e = archive_entry_new();
        const QByteArray path = f.first.toUtf8();
        archive_entry_set_pathname(e, path.constData());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_mtime(e, 1704067200, 0);
        archive_entry_set_size(e, f.second.size());
        archive_write_header(a, e);
        if (!f.second.isEmpty())
            archive_write_data(a, f.second.constData(), size_t(f.second.size()));
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

LayerBuilder busyboxLayer() {
    LayerBuilder b;
    QFile f(QStringLiteral("/bin/busybox"));
    if (!f.open(QIODevice::ReadOnly))
        return b;
    b.dir(QStringLiteral("bin"))
        .file(QStringLiteral("bin/busybox"), f.readAll(), 0755)
        .symlink(QStringLiteral("bin/sh"), QStringLiteral("busybox"))
        .symlink(QStringLiteral("bin/ls"), QStringLiteral("busybox"))
        .symlink(QStringLiteral("bin/cat"), QStringLiteral("busybox"))
        .symlink(QStringLiteral("bin/echo"), QStringLiteral("busybox"))
        .dir(QStringLiteral("etc"))
        .file(QStringLiteral("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n")
        .dir(QStringLiteral("tmp"), 01777);
    return b;
}

ImageFixture::ImageFixture() {
    const Platform host = Platform::host();
    m_os = host.os;
    m_architecture = host.architecture;
    m_variant = host.variant;
    m_created = QDateTime(QDate(2024, 1, 1), QTime(0, 0), Qt::UTC);
}

ImageFixture &ImageFixture::layer(const LayerBuilder &layer, Compression compression,
                                  const QString &createdBy) {
    return layerTar(layer.build(), compression, createdBy);
}

ImageFixture &ImageFixture::layerTar(const QByteArray &tar, Compression compression,
                                     const QString &createdBy) {
    m_layers.append({tar, compression});
    m_history.append(
        {createdBy.isEmpty() ? QStringLiteral("layer %1").arg(m_layers.size()) : createdBy, false});
    return *this;
}

ImageFixture &ImageFixture::emptyLayerHistory(const QString &createdBy) {
    m_history.append({createdBy, true});
    return *this;
}

ImageFixture &ImageFixture::cmd(const QStringList &cmd) {
    m_config.cmd = cmd;
    return *this;
}

ImageFixture &ImageFixture::entrypoint(const QStringList &entrypoint) {
    m_config.entrypoint = entrypoint;
    return *this;
}

ImageFixture &ImageFixture::env(const QStringList &env) {
    m_config.env = env;
    return *this;
}

ImageFixture &ImageFixture::volumes(const QStringList &volumes) {
    m_config.volumes = volumes;
    return *this;
}

ImageFixture &ImageFixture::exposedPorts(const QStringList &ports) {
    m_config.exposedPorts = ports;
    return *this;
}

ImageFixture &ImageFixture::workingDir(const QString &dir) {
    m_config.workingDir = dir;
    return *this;
}

ImageFixture &ImageFixture::user(const QString &user) {
    m_config.user = user;
    return *this;
}

ImageFixture &ImageFixture::label(const QString &key, const QString &value) {
    m_config.labels.insert(key, value);
    return *this;
}

ImageFixture &ImageFixture::platform(const QString &os, const QString &architecture,
                                     const QString &variant) {
    m_os = os;
    m_architecture = architecture;
    m_variant = variant;
    return *this;
}

ImageFixture &ImageFixture::created(const QDateTime &created) {
    m_created = created;
    return *this;
}

ImageFixture &ImageFixture::manifestFormat(ManifestFormat format) {
    m_format = format;
    return *this;
}

QList<Digest> ImageFixture::diffIds() const {
    QList<Digest> out;
    for (const Layer &l : m_layers)
        out.append(Digest::ofData(l.tar));
    return out;
}

QByteArray ImageFixture::configJson() const {
    auto config = ImageConfig::parse(R"({"rootfs":{"type":"layers","diff_ids":[]}})");
    Q_ASSERT(config);
    config->setCreated(m_created);
    config->setPlatform(m_os, m_architecture, m_variant);
    config->setDiffIds(diffIds());
    QList<HistoryEntry> history;
    for (const History &h : m_history) {
        HistoryEntry e;
        e.created = m_created;
        e.createdBy = h.createdBy;
        e.emptyLayer = h.emptyLayer;
        history.append(e);
    }
    config->setHistory(history);
    config->setConfig(m_config);
    return config->toJson();
}

Digest ImageFixture::id() const {
    return Digest::ofData(configJson());
}

QList<ImageFixture::Blob> ImageFixture::layerBlobs() const {
    QList<Blob> out;
    for (const Layer &l : m_layers) {
        Blob b;
        b.data = compressBytes(l.tar, l.compression);
        b.descriptor.mediaType = layerMediaType(l.compression, m_format);
        b.descriptor.digest = Digest::ofData(b.data);
        b.descriptor.size = b.data.size();
        out.append(b);
    }
    return out;
}

QByteArray ImageFixture::manifestJson() const {
    const bool oci = m_format == ManifestFormat::Oci;
    Manifest m;
    m.mediaType = oci ? MediaType::OciManifest : MediaType::DockerManifest;
    const QByteArray config = configJson();
    m.config.mediaType = oci ? MediaType::OciConfig : MediaType::DockerConfig;
    m.config.digest = Digest::ofData(config);
    m.config.size = config.size();
    for (const Blob &b : layerBlobs())
        m.layers.append(b.descriptor);
    return m.toJson();
}

Digest ImageFixture::manifestDigest() const {
    return Digest::ofData(manifestJson());
}

bool ImageFixture::writeOciLayout(const QString &dir, const QString &refName) const {
    const QString blobs = dir + QStringLiteral("/blobs/sha256");
    if (!QDir().mkpath(blobs))
        return false;
    auto putBlob = [&](const QByteArray &data) {
        return writeFile(blobs + QLatin1Char('/') + Digest::ofData(data).hex(), data);
    };
    const QByteArray config = configJson();
    const QByteArray manifest = manifestJson();
    if (!putBlob(config) || !putBlob(manifest))
        return false;
    for (const Blob &b : layerBlobs())
        if (!putBlob(b.data))
            return false;
    if (!writeFile(dir + QStringLiteral("/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})"))
        return false;

    QJsonObject index{{QStringLiteral("schemaVersion"), 2},
                      {QStringLiteral("mediaType"), MediaType::OciIndex},
                      {QStringLiteral("manifests"), QJsonArray()}};
    QFile existing(dir + QStringLiteral("/index.json"));
    if (existing.open(QIODevice::ReadOnly))
        index = QJsonDocument::fromJson(existing.readAll()).object();
    existing.close();
    QJsonArray manifests = index.value(QStringLiteral("manifests")).toArray();
    Descriptor d;
    d.mediaType =
        m_format == ManifestFormat::Oci ? MediaType::OciManifest : MediaType::DockerManifest;
    d.digest = Digest::ofData(manifest);
    d.size = manifest.size();
    if (!refName.isEmpty()) {
        // A ref.name is unique in a layout: a new image with the same name replaces the old.
        for (qsizetype i = manifests.size() - 1; i >= 0; --i)
            if (manifests[i]
                    .toObject()
                    .value(QStringLiteral("annotations"))
                    .toObject()
                    .value(QStringLiteral("org.opencontainers.image.ref.name"))
                    .toString() == refName)
                manifests.removeAt(i);
        d.annotations.insert(QStringLiteral("org.opencontainers.image.ref.name"), refName);
    }
    manifests.append(d.toJson());
    index.insert(QStringLiteral("manifests"), manifests);
    return writeFile(dir + QStringLiteral("/index.json"), QJsonDocument(index).toJson());
}

bool ImageFixture::writeDockerArchive(const QString &file, const QStringList &repoTags) const {
    return writeDockerArchive(file, {{this, repoTags}});
}

bool ImageFixture::writeDockerArchive(
    const QString &file, const QList<QPair<const ImageFixture *, QStringList>> &images) {
    QList<QPair<QString, QByteArray>> members;
    QSet<QString> written;
    QJsonArray manifest;
    QJsonObject repositories;
    for (const auto &[image, tags] : images) {
        const QByteArray config = image->configJson();
        const QString configName = Digest::ofData(config).hex() + QStringLiteral(".json");
        if (!written.contains(configName)) {
            members.append({configName, config});
            written.insert(configName);
        }
        QJsonArray layers;
        const QList<Blob> blobs = image->layerBlobs();
        const QList<Digest> diffIds = image->diffIds();
        QString top;
        for (int i = 0; i < blobs.size(); ++i) {
            // Uncompressed layers as `docker save` names them; compressed ones as skopeo does.
            const QString name = image->m_layers[i].compression == Compression::None
                                     ? diffIds[i].hex() + QStringLiteral("/layer.tar")
                                     : blobs[i].descriptor.digest.hex() + QStringLiteral(".tar");
            if (!written.contains(name)) {
                members.append({name, blobs[i].data});
                written.insert(name);
            }
            layers.append(name);
            top = diffIds[i].hex();
        }
        QJsonObject entry{{QStringLiteral("Config"), configName},
                          {QStringLiteral("RepoTags"), QJsonArray::fromStringList(tags)},
                          {QStringLiteral("Layers"), layers}};
        manifest.append(entry);
        for (const QString &tag : tags) {
            const qsizetype colon = tag.lastIndexOf(QLatin1Char(':'));
            const QString repo = colon > 0 ? tag.left(colon) : tag;
            const QString t = colon > 0 ? tag.mid(colon + 1) : QStringLiteral("latest");
            QJsonObject r = repositories.value(repo).toObject();
            r.insert(t, top);
            repositories.insert(repo, r);
        }
    }
    members.append({QStringLiteral("manifest.json"), QJsonDocument(manifest).toJson()});
    if (!repositories.isEmpty())
        members.append({QStringLiteral("repositories"), QJsonDocument(repositories).toJson()});
    return writeFile(file, tarOf(members));
}

Result<ImageRecord> ImageFixture::install(TestStore &store, const QStringList &tags) const {
    Engine::Engine &engine = store.engine();
    auto lock = EngineStores(engine).lockForWriting();
    if (!lock)
        return fail(lock.error());
    if (auto d = EngineStores(engine).content().write(configJson()); !d)
        return fail(d.error());
    for (const Blob &b : layerBlobs())
        if (auto d = EngineStores(engine).content().write(b.data, b.descriptor.digest); !d)
            return fail(d.error());
    QList<Reference> refs;
    for (const QString &t : tags) {
        auto r = Reference::parse(t);
        if (!r)
            return fail(r.error());
        refs.append(*r);
    }
    ImageInstaller installer(EngineStores(engine).content(), EngineStores(engine).snapshots(),
                             EngineStores(engine).images());
    return installer.install(manifestJson(), refs);
}

} // namespace Berth::Test
