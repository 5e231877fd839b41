// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/manifest.h"

#include "engine/images/mediatypes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSysInfo>

namespace Berth::Engine {

namespace {
Result<QJsonObject> parseObject(const QByteArray &json, const QString &what) {
    if (json.size() > kMaxManifestSize)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1 is too large (%2 bytes)").arg(what).arg(json.size()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError)
        return fail(ErrorKind::Corrupt, QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                                            .arg(what, err.errorString())
                                            .arg(err.offset));
    if (!doc.isObject())
        return fail(ErrorKind::Corrupt, QStringLiteral("%1 is not a JSON object").arg(what));
    return doc.object();
}
} // namespace

QString Platform::toString() const {
    QString s = os + QLatin1Char('/') + architecture;
    if (!variant.isEmpty())
        s += QLatin1Char('/') + variant;
    return s;
}

Result<Platform> Platform::parse(const QString &text) {
    const QStringList parts = text.split(QLatin1Char('/'));
    if (parts.size() < 2 || parts.size() > 3 || parts[0].isEmpty() || parts[1].isEmpty())
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("invalid platform \"%1\": expected os/arch[/variant]").arg(text));
    Platform p;
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3)
        p.variant = parts[2];
    return p;
}

Platform Platform::host() {
    Platform p;
    p.os = QStringLiteral("linux");
    const QString cpu = QSysInfo::currentCpuArchitecture();
    if (cpu == QLatin1String("x86_64"))
        p.architecture = QStringLiteral("amd64");
    else if (cpu == QLatin1String("arm64")) {
        p.architecture = QStringLiteral("arm64");
        p.variant = QStringLiteral("v8");
    } else if (cpu == QLatin1String("i386"))
        p.architecture = QStringLiteral("386");
    else
        p.architecture = cpu;
    return p;
}

bool Platform::matches(const Platform &wanted) const {
    if (os != wanted.os || architecture != wanted.architecture)
        return false;
    return wanted.variant.isEmpty() || variant.isEmpty() || variant == wanted.variant;
}

QJsonObject Platform::toJson() const {
    QJsonObject o{{QStringLiteral("os"), os}, {QStringLiteral("architecture"), architecture}};
    if (!variant.isEmpty())
        o.insert(QStringLiteral("variant"), variant);
    if (!osVersion.isEmpty())
        o.insert(QStringLiteral("os.version"), osVersion);
    return o;
}

Platform Platform::fromJson(const QJsonObject &o) {
    Platform p;
    p.os = o.value(QStringLiteral("os")).toString();
    p.architecture = o.value(QStringLiteral("architecture")).toString();
    p.variant = o.value(QStringLiteral("variant")).toString();
    p.osVersion = o.value(QStringLiteral("os.version")).toString();
    return p;
}

QJsonObject Descriptor::toJson() const {
    QJsonObject o{{QStringLiteral("mediaType"), mediaType},
                  {QStringLiteral("digest"), digest.toString()},
                  {QStringLiteral("size"), size}};
    if (platform)
        o.insert(QStringLiteral("platform"), platform->toJson());
    if (!annotations.isEmpty())
        o.insert(QStringLiteral("annotations"), annotations);
    if (!urls.isEmpty())
        o.insert(QStringLiteral("urls"), QJsonArray::fromStringList(urls));
    return o;
}

Result<Descriptor> Descriptor::fromJson(const QJsonObject &o) {
    Descriptor d;
    d.mediaType = o.value(QStringLiteral("mediaType")).toString();
    auto digest = Digest::parse(o.value(QStringLiteral("digest")).toString());
    if (!digest)
        return fail(ErrorKind::Corrupt, QStringLiteral("descriptor: ") + digest.error().message);
    d.digest = *digest;
    const QJsonValue size = o.value(QStringLiteral("size"));
    if (!size.isDouble() || size.toDouble() < 0 || size.toDouble() > 1e15)
        return fail(
            ErrorKind::Corrupt,
            QStringLiteral("descriptor %1: missing or invalid size").arg(d.digest.toString()));
    d.size = qint64(size.toDouble());
    if (o.contains(QStringLiteral("platform")))
        d.platform = Platform::fromJson(o.value(QStringLiteral("platform")).toObject());
    d.annotations = o.value(QStringLiteral("annotations")).toObject();
    for (const QJsonValue &u : o.value(QStringLiteral("urls")).toArray())
        d.urls.append(u.toString());
    return d;
}

Result<QString> detectManifestMediaType(const QByteArray &json, const QString &mediaTypeHint) {
    auto obj = parseObject(json, QStringLiteral("manifest"));
    if (!obj)
        return fail(obj.error());
    const int schemaVersion = obj->value(QStringLiteral("schemaVersion")).toInt();
    QString declared = obj->value(QStringLiteral("mediaType")).toString();
    const QString hint = mediaTypeHint.section(QLatin1Char(';'), 0, 0).trimmed();
    if (schemaVersion == 1 || declared == MediaType::DockerSchema1 ||
        declared == MediaType::DockerSchema1Signed || hint == MediaType::DockerSchema1 ||
        hint == MediaType::DockerSchema1Signed)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("Docker image manifest schema 1 is deprecated and not "
                                   "supported; ask the publisher to push the image again with a "
                                   "current tool"));
    if (schemaVersion != 2)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("unsupported manifest schemaVersion %1").arg(schemaVersion));
    if (declared.isEmpty()) {
        if (MediaType::isIndex(hint) || MediaType::isManifest(hint))
            declared = hint;
        else if (obj->contains(QStringLiteral("manifests")))
            declared = MediaType::OciIndex;
        else if (obj->contains(QStringLiteral("config")) && obj->contains(QStringLiteral("layers")))
            declared = MediaType::OciManifest;
    }
    if (!MediaType::isIndex(declared) && !MediaType::isManifest(declared))
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("unsupported manifest media type \"%1\"").arg(declared.left(200)));
    if (!hint.isEmpty() && (MediaType::isIndex(hint) || MediaType::isManifest(hint)) &&
        hint != declared)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("manifest declares media type %1 but was served as %2")
                        .arg(declared, hint));
    return declared;
}

Result<Manifest> Manifest::parse(const QByteArray &json, const QString &mediaTypeHint) {
    auto type = detectManifestMediaType(json, mediaTypeHint);
    if (!type)
        return fail(type.error());
    if (!MediaType::isManifest(*type))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("expected an image manifest, got %1").arg(*type));
    const QJsonObject obj = *parseObject(json, QStringLiteral("manifest"));
    Manifest m;
    m.mediaType = *type;
    auto config = Descriptor::fromJson(obj.value(QStringLiteral("config")).toObject());
    if (!config)
        return fail(config.error().withContext(QStringLiteral("manifest config")));
    m.config = *config;
    const QJsonValue layers = obj.value(QStringLiteral("layers"));
    if (!layers.isArray())
        return fail(ErrorKind::Corrupt, QStringLiteral("manifest has no layers array"));
    for (const QJsonValue &v : layers.toArray()) {
        auto layer = Descriptor::fromJson(v.toObject());
        if (!layer)
            return fail(layer.error().withContext(QStringLiteral("manifest layer")));
        m.layers.append(*layer);
    }
    m.annotations = obj.value(QStringLiteral("annotations")).toObject();
    return m;
}

QByteArray Manifest::toJson() const {
    QJsonArray layerArray;
    for (const Descriptor &d : layers)
        layerArray.append(d.toJson());
    QJsonObject o{{QStringLiteral("schemaVersion"), 2},
                  {QStringLiteral("mediaType"), mediaType},
                  {QStringLiteral("config"), config.toJson()},
                  {QStringLiteral("layers"), layerArray}};
    if (!annotations.isEmpty())
        o.insert(QStringLiteral("annotations"), annotations);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Result<ImageIndex> ImageIndex::parse(const QByteArray &json, const QString &mediaTypeHint) {
    auto type = detectManifestMediaType(json, mediaTypeHint);
    if (!type)
        return fail(type.error());
    if (!MediaType::isIndex(*type))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("expected an image index, got %1").arg(*type));
    const QJsonObject obj = *parseObject(json, QStringLiteral("index"));
    ImageIndex idx;
    idx.mediaType = *type;
    for (const QJsonValue &v : obj.value(QStringLiteral("manifests")).toArray()) {
        auto d = Descriptor::fromJson(v.toObject());
        if (!d)
            return fail(d.error().withContext(QStringLiteral("index entry")));
        idx.manifests.append(*d);
    }
    idx.annotations = obj.value(QStringLiteral("annotations")).toObject();
    return idx;
}

QByteArray ImageIndex::toJson() const {
    QJsonArray arr;
    for (const Descriptor &d : manifests)
        arr.append(d.toJson());
    QJsonObject o{{QStringLiteral("schemaVersion"), 2},
                  {QStringLiteral("mediaType"), mediaType},
                  {QStringLiteral("manifests"), arr}};
    if (!annotations.isEmpty())
        o.insert(QStringLiteral("annotations"), annotations);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<Descriptor> ImageIndex::select(const Platform &platform) const {
    std::optional<Descriptor> loose;
    for (const Descriptor &d : manifests) {
        if (!d.platform || !MediaType::isManifest(d.mediaType))
            continue;
        if (!d.platform->matches(platform))
            continue;
        if (d.platform->variant == platform.variant)
            return d;
        if (!loose)
            loose = d;
    }
    return loose;
}

} // namespace Berth::Engine
