// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/imagestore.h"

#include "engine/images/mediatypes.h"

#include <QRegularExpression>
#include <QSqlError>

namespace Berth::Engine {

namespace {
// Runs one statement inside a transaction's connection.
Status execIn(QSqlDatabase &db, const QString &sql, const QVariantList &bind) {
    auto q = Database::execOn(db, sql, bind);
    if (!q)
        return fail(q.error().withContext(QStringLiteral("update image metadata")));
    return {};
}
} // namespace

ImageStore::ImageStore(Database &db, ContentStore &content)
    : m_db(db)
    , m_content(content) {}

Status ImageStore::add(const ImageRecord &image, const QList<Reference> &tags) {
    return m_db.transaction([&](QSqlDatabase &db) -> Status {
        QSqlQuery exists(db);
        exists.prepare(QStringLiteral("SELECT 1 FROM images WHERE id = ?"));
        exists.addBindValue(image.id.toString());
        if (!exists.exec())
            return fail(sqlError(QStringLiteral("look up image"), exists));
        if (!exists.next()) {
            if (auto st = execIn(
                    db,
                    QStringLiteral("INSERT INTO images (id, manifest_digest, "
                                   "manifest_media_type, created, os, architecture, "
                                   "size, added_at) VALUES (?,?,?,?,?,?,?,?)"),
                    {image.id.toString(), image.manifestDigest.toString(), image.manifestMediaType,
                     image.created.toUTC().toString(Qt::ISODateWithMs), image.os,
                     image.architecture, image.size, QDateTime::currentMSecsSinceEpoch()});
                !st)
                return st;
            for (int i = 0; i < image.layers.size(); ++i) {
                const LayerRecord &l = image.layers[i];
                if (auto st =
                        execIn(db,
                               QStringLiteral("INSERT INTO image_layers (image_id, position, "
                                              "diff_id, chain_id, blob_digest, "
                                              "blob_media_type, blob_size) VALUES "
                                              "(?,?,?,?,?,?,?)"),
                               {image.id.toString(), i, l.diffId.toString(), l.chainId.toString(),
                                l.blob.digest.toString(), l.blob.mediaType, l.blob.size});
                    !st)
                    return st;
            }
        }
        for (const Reference &ref : tags)
            if (auto st = execIn(db,
                                 QStringLiteral("INSERT OR REPLACE INTO tags (reference, image_id) "
                                                "VALUES (?, ?)"),
                                 {ref.toString(), image.id.toString()});
                !st)
                return st;
        return {};
    });
}

Result<QList<ImageRecord>> ImageStore::query(const QString &where, const QVariantList &bind) const {
    auto q = m_db.exec(QStringLiteral("SELECT id, manifest_digest, manifest_media_type, created, "
                                      "os, architecture, size, added_at FROM images ") +
                           where + QStringLiteral(" ORDER BY added_at DESC, id"),
                       bind);
    if (!q)
        return fail(q.error());
    QList<ImageRecord> images;
    QHash<QString, int> index;
    while (q->next()) {
        ImageRecord r;
        r.id = Digest::parse(q->value(0).toString()).value_or(Digest());
        r.manifestDigest = Digest::parse(q->value(1).toString()).value_or(Digest());
        r.manifestMediaType = q->value(2).toString();
        r.created = QDateTime::fromString(q->value(3).toString(), Qt::ISODateWithMs);
        r.os = q->value(4).toString();
        r.architecture = q->value(5).toString();
        r.size = q->value(6).toLongLong();
        r.addedAt = QDateTime::fromMSecsSinceEpoch(q->value(7).toLongLong());
        index.insert(r.id.toString(), images.size());
        images.append(r);
    }
    if (images.isEmpty())
        return images;
    // Layers and tags for the selected images (all of them for a listing: one query each).
    const bool single = images.size() == 1;
    const QString filter = single ? QStringLiteral(" WHERE image_id = ?") : QString();
    const QVariantList filterBind =
        single ? QVariantList{images.first().id.toString()} : QVariantList{};
    auto layers = m_db.exec(QStringLiteral("SELECT image_id, diff_id, chain_id, blob_digest, "
                                           "blob_media_type, blob_size FROM image_layers") +
                                filter + QStringLiteral(" ORDER BY image_id, position"),
                            filterBind);
    if (!layers)
        return fail(layers.error());
    while (layers->next()) {
        const auto it = index.constFind(layers->value(0).toString());
        if (it == index.constEnd())
            continue;
        LayerRecord l;
        l.diffId = Digest::parse(layers->value(1).toString()).value_or(Digest());
        l.chainId = Digest::parse(layers->value(2).toString()).value_or(Digest());
        l.blob.digest = Digest::parse(layers->value(3).toString()).value_or(Digest());
        l.blob.mediaType = layers->value(4).toString();
        l.blob.size = layers->value(5).toLongLong();
        images[*it].layers.append(l);
    }
    auto tags = m_db.exec(QStringLiteral("SELECT image_id, reference FROM tags") + filter +
                              QStringLiteral(" ORDER BY reference"),
                          filterBind);
    if (!tags)
        return fail(tags.error());
    while (tags->next()) {
        const auto it = index.constFind(tags->value(0).toString());
        if (it != index.constEnd())
            images[*it].tags.append(tags->value(1).toString());
    }
    return images;
}

Result<ImageRecord> ImageStore::get(const Digest &id) const {
    auto r = query(QStringLiteral("WHERE id = ?"), {id.toString()});
    if (!r)
        return fail(r.error());
    if (r->isEmpty())
        return fail(ErrorKind::NotFound, QStringLiteral("no such image: %1").arg(id.toString()));
    return r->first();
}

QList<ImageRecord> ImageStore::list() const {
    return query(QString(), {}).value_or(QList<ImageRecord>());
}

Result<ImageRecord> ImageStore::resolve(const QString &nameOrId) const {
    static const QRegularExpression hexPrefix(QStringLiteral("^(sha256:)?([a-f0-9]{4,64})$"));
    const QRegularExpressionMatch m = hexPrefix.match(nameOrId);
    if (m.hasMatch()) {
        // IDs win over names that happen to look hexadecimal, as in Docker only for full IDs;
        // a short hex string is tried as a tag first.
        const QString hex = m.captured(2);
        if (hex.size() == 64)
            return get(Digest::fromHex(hex));
        if (m.captured(1).isEmpty()) {
            if (auto ref = Reference::parse(nameOrId)) {
                auto q = m_db.exec(QStringLiteral("SELECT image_id FROM tags WHERE reference = ?"),
                                   {ref->toString()});
                if (q && q->next())
                    return get(*Digest::parse(q->value(0).toString()));
            }
        }
        auto q = m_db.exec(QStringLiteral("SELECT id FROM images WHERE id LIKE ? LIMIT 2"),
                           {QStringLiteral("sha256:") + hex + QLatin1Char('%')});
        if (!q)
            return fail(q.error());
        QStringList found;
        while (q->next())
            found.append(q->value(0).toString());
        if (found.size() == 1)
            return get(*Digest::parse(found.first()));
        if (found.size() > 1)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("image ID prefix %1 is ambiguous").arg(nameOrId));
        return fail(ErrorKind::NotFound, QStringLiteral("no such image: %1").arg(nameOrId));
    }
    auto ref = Reference::parse(nameOrId);
    if (!ref)
        return fail(ref.error());
    if (ref->digest().isValid()) {
        // name@digest: the digest is the manifest digest.
        auto q = m_db.exec(QStringLiteral("SELECT id FROM images WHERE manifest_digest = ?"),
                           {ref->digest().toString()});
        if (q && q->next())
            return get(*Digest::parse(q->value(0).toString()));
        return fail(ErrorKind::NotFound, QStringLiteral("no such image: %1").arg(nameOrId));
    }
    auto q = m_db.exec(QStringLiteral("SELECT image_id FROM tags WHERE reference = ?"),
                       {ref->toString()});
    if (!q)
        return fail(q.error());
    if (!q->next())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("no such image: %1").arg(ref->familiarString()));
    return get(*Digest::parse(q->value(0).toString()));
}

Status ImageStore::tag(const Digest &id, const Reference &reference) {
    if (reference.digest().isValid())
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("cannot tag with a digest reference: %1").arg(reference.toString()));
    return m_db.transaction([&](QSqlDatabase &db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT 1 FROM images WHERE id = ?"));
        q.addBindValue(id.toString());
        if (!q.exec() || !q.next())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("no such image: %1").arg(id.toString()));
        return execIn(
            db, QStringLiteral("INSERT OR REPLACE INTO tags (reference, image_id) VALUES (?, ?)"),
            {reference.toString(), id.toString()});
    });
}

Status ImageStore::untag(const Reference &reference) {
    return m_db.transaction([&](QSqlDatabase &db) -> Status {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("DELETE FROM tags WHERE reference = ?"));
        q.addBindValue(reference.toString());
        if (!q.exec())
            return fail(sqlError(QStringLiteral("untag"), q));
        if (q.numRowsAffected() == 0)
            return fail(ErrorKind::NotFound,
                        QStringLiteral("no such tag: %1").arg(reference.familiarString()));
        return {};
    });
}

Status ImageStore::remove(const Digest &id) {
    return m_db.transaction([&](QSqlDatabase &db) -> Status {
        for (const char *sql :
             {"DELETE FROM tags WHERE image_id = ?", "DELETE FROM image_layers WHERE image_id = ?",
              "DELETE FROM images WHERE id = ?"})
            if (auto st = execIn(db, QString::fromLatin1(sql), {id.toString()}); !st)
                return st;
        return {};
    });
}

Result<Manifest> ImageStore::manifest(const ImageRecord &image) const {
    auto data = m_content.read(image.manifestDigest, kMaxManifestSize);
    if (!data)
        return fail(data.error());
    return Manifest::parse(*data, image.manifestMediaType);
}

Result<QByteArray> ImageStore::rawConfig(const ImageRecord &image) const {
    return m_content.read(image.id, kMaxConfigSize);
}

Result<ImageConfig> ImageStore::config(const ImageRecord &image) const {
    auto data = rawConfig(image);
    if (!data)
        return fail(data.error());
    return ImageConfig::parse(*data);
}

QHash<QString, int> ImageStore::chainIdUseCounts() const {
    QHash<QString, int> counts;
    auto q = m_db.exec(QStringLiteral("SELECT chain_id, COUNT(DISTINCT image_id) FROM image_layers "
                                      "GROUP BY chain_id"));
    while (q && q->next())
        counts.insert(q->value(0).toString(), q->value(1).toInt());
    return counts;
}

} // namespace Berth::Engine
