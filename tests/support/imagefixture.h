// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/images/imagestore.h"
#include "engine/images/manifest.h"
#include "tests/support/layerbuilder.h"
#include "tests/support/testsupport.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMap>
#include <QPair>
#include <QString>
#include <QStringList>

namespace Berth::Test {

// Builds test images from layers and config fields, deterministically (fixed timestamps, no
// gzip timestamps), and writes them the ways images travel: an OCI image layout directory, a
// docker-archive tarball, or straight into a TestStore's engine.
//
//   ImageFixture img;
//   img.layer(LayerBuilder().dir("etc").file("etc/hello", "hi"), LayerBuilder::Compression::Gzip,
//             "COPY hello /etc/hello")
//      .emptyLayerHistory("CMD [\"sh\"]")
//      .cmd({"sh"});
//   img.writeOciLayout(dir, "latest");          // or writeDockerArchive(file, {"x:1"})
//   auto record = img.install(store, {"x:1"});  // ImageRecord in store.engine()
//
// diffIDs are the sha256 of each uncompressed layer tar; the image ID is the config digest.
class ImageFixture {
public:
    using Compression = LayerBuilder::Compression;
    enum class ManifestFormat { Oci, Docker };

    struct Blob {
        Engine::Descriptor descriptor;
        QByteArray data;
    };

    ImageFixture();

    // Appends a layer; `createdBy` becomes its history entry (default "layer N").
    ImageFixture &layer(const LayerBuilder &layer, Compression compression = Compression::None,
                        const QString &createdBy = {});
    // Appends a layer from raw (uncompressed) tar bytes.
    ImageFixture &layerTar(const QByteArray &tar, Compression compression = Compression::None,
                           const QString &createdBy = {});
    // Appends a history entry with empty_layer: true (ENV, CMD... steps).
    ImageFixture &emptyLayerHistory(const QString &createdBy);

    ImageFixture &cmd(const QStringList &cmd);
    ImageFixture &entrypoint(const QStringList &entrypoint);
    ImageFixture &env(const QStringList &env);
    ImageFixture &workingDir(const QString &dir);
    ImageFixture &volumes(const QStringList &volumes);    // the config's Volumes (VOLUME)
    ImageFixture &exposedPorts(const QStringList &ports); // "80/tcp" (EXPOSE)
    ImageFixture &user(const QString &user);
    ImageFixture &label(const QString &key, const QString &value);
    ImageFixture &platform(const QString &os, const QString &architecture,
                           const QString &variant = {}); // default: the host's
    ImageFixture &created(const QDateTime &created);     // default: 2024-01-01T00:00:00Z
    ImageFixture &manifestFormat(ManifestFormat format); // default: OCI

    // What the image is made of.
    QList<Engine::Digest> diffIds() const;
    QByteArray configJson() const;
    Engine::Digest id() const; // config digest = Docker's image ID
    QList<Blob> layerBlobs() const;
    QByteArray manifestJson() const;
    Engine::Digest manifestDigest() const;
    int layerCount() const { return int(m_layers.size()); }

    // Writes (or adds to) an OCI image layout: oci-layout, blobs/sha256/..., and an index.json
    // entry for this image's manifest annotated with org.opencontainers.image.ref.name =
    // `refName` (none when empty). An existing index.json keeps its entries, so several images
    // can share one layout. Returns false on I/O failure.
    bool writeOciLayout(const QString &dir,
                        const QString &refName = QStringLiteral("latest")) const;

    // Writes a docker-archive tarball (what `docker save` writes): manifest.json with
    // Config/RepoTags/Layers, <config-hex>.json, and one file per layer (as built: compressed
    // layers stay compressed), plus `repositories`.
    bool writeDockerArchive(const QString &file, const QStringList &repoTags = {}) const;
    // Several images in one docker-archive (shared layers are written once).
    static bool writeDockerArchive(const QString &file,
                                   const QList<QPair<const ImageFixture *, QStringList>> &images);

    // Stores the config, layer blobs and manifest in the store's content store and installs the
    // image (ImageInstaller) with `tags` (user-typed references like "busybox:latest").
    Engine::Result<Engine::ImageRecord> install(TestStore &store,
                                                const QStringList &tags = {}) const;

private:
    struct Layer {
        QByteArray tar;
        Compression compression = Compression::None;
    };
    struct History {
        QString createdBy;
        bool emptyLayer = false;
    };
    QList<Layer> m_layers;
    QList<History> m_history;
    Engine::ContainerConfig m_config;
    QString m_os;
    QString m_architecture;
    QString m_variant;
    QDateTime m_created;
    ManifestFormat m_format = ManifestFormat::Oci;
};

// Compresses bytes as a single stream (gzip without a timestamp, so output is reproducible).
QByteArray compressBytes(const QByteArray &data, LayerBuilder::Compression compression);
// The uncompressed bytes of a gzip/zstd/plain stream.
QByteArray decompressBytes(const QByteArray &data);

// A tar (ustar/pax) of regular files, in the given order, for building outer archives by hand.
QByteArray tarOf(const QList<QPair<QString, QByteArray>> &files);

// A LayerBuilder with the host's static busybox as /bin/busybox and a few applet symlinks
// (sh, ls, cat, echo), plus /etc/passwd. Returns an empty builder when /bin/busybox is missing.
LayerBuilder busyboxLayer();

} // namespace Berth::Test
