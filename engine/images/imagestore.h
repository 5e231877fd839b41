// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/database.h"
#include "engine/images/imageconfig.h"
#include "engine/images/manifest.h"
#include "engine/images/reference.h"

#include <QDateTime>
#include <QList>

namespace Berth::Engine {

struct LayerRecord {
    Digest diffId;   // sha256 of the uncompressed tar
    Digest chainId;  // identity of the layer stack up to this layer (the snapshot key)
    Descriptor blob; // the layer as stored in the content store (compressed or not)
};

struct ImageRecord {
    Digest id; // the config digest (Docker's image ID)
    Digest manifestDigest;
    QString manifestMediaType;
    QDateTime created;
    QString os;
    QString architecture;
    qint64 size = 0; // unpacked bytes of all layers
    QDateTime addedAt;
    QList<LayerRecord> layers;
    QStringList tags; // fully qualified references

    Digest topChainId() const { return layers.isEmpty() ? Digest() : layers.last().chainId; }
};

// Image metadata: which images exist (config digest + manifest kept in the content store),
// their layer stacks and their tags. Images are immutable: add() records one whose blobs and
// snapshots are already in place, remove() forgets it; nothing else changes an image.
// Every change is one SQLite transaction, so other processes see all of it or nothing.
// Freeing blobs and snapshots no image references any more is garbage collection's job.
class ImageStore {
public:
    ImageStore(Database &db, ContentStore &content);

    // Records the image (idempotent) and points each of `tags` at it, moving a tag that named
    // another image (which may leave that one dangling, as in Docker).
    Status add(const ImageRecord &image, const QList<Reference> &tags);

    Result<ImageRecord> get(const Digest &id) const;
    // Resolves what a user typed: a reference ("busybox", "x:1", "r@sha256:..."), a full image
    // ID ("sha256:..."), or an unambiguous ID prefix of at least 4 hex characters.
    Result<ImageRecord> resolve(const QString &nameOrId) const;
    QList<ImageRecord> list() const;

    Status tag(const Digest &id, const Reference &reference);
    // Removes a tag; NotFound when no such tag.
    Status untag(const Reference &reference);
    // Forgets the image and all its tags.
    Status remove(const Digest &id);

    Result<Manifest> manifest(const ImageRecord &image) const;
    Result<ImageConfig> config(const ImageRecord &image) const;
    Result<QByteArray> rawConfig(const ImageRecord &image) const;

    // How many images use each layer (by chain ID) — for shared/unique accounting.
    QHash<QString, int> chainIdUseCounts() const;

private:
    Result<QList<ImageRecord>> query(const QString &where, const QVariantList &bind) const;

    Database &m_db;
    ContentStore &m_content;
};

} // namespace Berth::Engine
