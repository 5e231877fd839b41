// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/archive/archivestores.h"
#include "engine/images/imagestore.h"

#include <QList>
#include <QString>
#include <atomic>

namespace Berth::Engine {

struct LoadedImage {
    ImageRecord image;
    QList<Reference> tags; // empty: the image was loaded untagged
};

// Loads images from the archives the usual tools write:
//  - docker-archive tarballs (`docker save`, `podman save`, `skopeo copy docker-archive:`):
//    manifest.json + config + layers (plain tar or gzip), including Docker 25's
//    blobs/sha256 + manifest.json + index.json form;
//  - OCI image layouts, as a directory or a tar (optionally gzip-compressed), with nested
//    indexes (depth 2) resolved to the host platform.
//
// An archive is read once, as a stream (it may be stdin): the few small JSON documents are kept
// in memory (each at most 8 MiB; larger ones are refused before being read), every other member
// is streamed into the content store and hashed on the way. Every blob an image references is
// verified against its digest before anything is installed, and installation (ImageInstaller)
// records an image only when all of it is in place, so a bad archive records nothing.
// Holds the store's shared write lock for the whole load so garbage collection never removes
// blobs a load is about to reference. Blobs of a failed load stay until garbage collection.
class ImageLoader {
public:
    explicit ImageLoader(ArchiveStores stores);

    void setProgressHandler(ArchiveProgressHandler handler) { m_progress = std::move(handler); }
    void setCancelFlag(const std::atomic<bool> *cancel) { m_cancel = cancel; }

    // A tar file (plain or compressed) or an OCI layout directory.
    Result<QList<LoadedImage>> loadPath(const QString &path);
    // A tar stream from `fd` (not closed); `name` names it in messages ("stdin").
    Result<QList<LoadedImage>> loadStream(int fd, const QString &name);

private:
    class Source;
    class TarSource;
    class DirectorySource;
    Result<QList<LoadedImage>> load(Source &source, const QString &name);

    ArchiveStores m_stores;
    ArchiveProgressHandler m_progress;
    const std::atomic<bool> *m_cancel = nullptr;
};

} // namespace Berth::Engine
