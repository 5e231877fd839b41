// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Berth::Engine::MediaType {

// OCI image spec
inline const QString OciIndex = QStringLiteral("application/vnd.oci.image.index.v1+json");
inline const QString OciManifest = QStringLiteral("application/vnd.oci.image.manifest.v1+json");
inline const QString OciConfig = QStringLiteral("application/vnd.oci.image.config.v1+json");
inline const QString OciLayer = QStringLiteral("application/vnd.oci.image.layer.v1.tar");
inline const QString OciLayerGzip = QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip");
inline const QString OciLayerZstd = QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd");
inline const QString OciLayerNondistributableGzip =
    QStringLiteral("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip");

// Docker image manifest v2 schema 2
inline const QString DockerManifestList =
    QStringLiteral("application/vnd.docker.distribution.manifest.list.v2+json");
inline const QString DockerManifest =
    QStringLiteral("application/vnd.docker.distribution.manifest.v2+json");
inline const QString DockerConfig =
    QStringLiteral("application/vnd.docker.container.image.v1+json");
inline const QString DockerLayer = QStringLiteral("application/vnd.docker.image.rootfs.diff.tar");
inline const QString DockerLayerGzip =
    QStringLiteral("application/vnd.docker.image.rootfs.diff.tar.gzip");
inline const QString DockerLayerForeignGzip =
    QStringLiteral("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip");
inline const QString DockerSchema1 =
    QStringLiteral("application/vnd.docker.distribution.manifest.v1+json");
inline const QString DockerSchema1Signed =
    QStringLiteral("application/vnd.docker.distribution.manifest.v1+prettyjws");

inline bool isIndex(const QString &t) {
    return t == OciIndex || t == DockerManifestList;
}
inline bool isManifest(const QString &t) {
    return t == OciManifest || t == DockerManifest;
}
inline bool isDockerFamily(const QString &t) {
    return t.startsWith(QLatin1String("application/vnd.docker."));
}
inline bool isLayer(const QString &t) {
    return t.startsWith(QLatin1String("application/vnd.oci.image.layer.")) ||
           t.startsWith(QLatin1String("application/vnd.docker.image.rootfs."));
}

} // namespace Berth::Engine::MediaType
