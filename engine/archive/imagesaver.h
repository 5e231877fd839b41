// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/archive/archivestores.h"

#include <QStringList>

namespace Berth::Engine {

enum class ArchiveFormat {
    // `docker save` format: manifest.json, <config-hex>.json, <diffID-hex>/layer.tar
    // (uncompressed), repositories. Read by docker/podman load and skopeo docker-archive:.
    DockerArchive,
    // An OCI image layout in a tar (skopeo oci-archive:, or untar for oci:/umoci).
    OciArchive,
};

// Writes images to an archive other tools read.
//
// Images are named as users type them (reference, ID or ID prefix). A reference names the tag
// recorded in the archive; an image named by ID is written untagged (as `docker save` does).
// Layers shared by several images are written once. In the OCI format blobs are written as
// stored, except that an image with a Docker-media-type manifest gets an equivalent OCI
// manifest (same config and layer blobs, OCI media types; so a different manifest digest but
// the same image ID), because OCI tools such as umoci accept only OCI manifests.
//
// saveToFile() writes a temporary file next to the target and renames it into place once
// complete and fsynced, so a failure (disk full, bad layer) never leaves a half archive.
class ImageSaver {
public:
    explicit ImageSaver(ArchiveStores stores);

    void setProgressHandler(ArchiveProgressHandler handler) { m_progress = std::move(handler); }

    Status saveToFile(const QStringList &names, ArchiveFormat format, const QString &path);
    // Streams the archive to `fd` (stdout, a pipe); not closed.
    Status saveToFd(const QStringList &names, ArchiveFormat format, int fd);

private:
    Status write(const QStringList &names, ArchiveFormat format, int fd);

    ArchiveStores m_stores;
    ArchiveProgressHandler m_progress;
};

} // namespace Berth::Engine
