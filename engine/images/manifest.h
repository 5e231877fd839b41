// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

namespace Berth::Engine {

// Manifests and configs are small; anything bigger than this is refused before parsing so a
// hostile registry or archive cannot exhaust memory.
inline constexpr qint64 kMaxManifestSize = 4 * 1024 * 1024;
inline constexpr qint64 kMaxConfigSize = 8 * 1024 * 1024;

struct Platform {
    QString os;
    QString architecture;
    QString variant;
    QString osVersion;

    QString toString() const; // "linux/arm64/v8"
    static Result<Platform> parse(const QString &text);
    static Platform host();
    // Whether this platform can run on `wanted` (same os/arch; a missing variant matches).
    bool matches(const Platform &wanted) const;
    QJsonObject toJson() const;
    static Platform fromJson(const QJsonObject &o);
};

// An OCI content descriptor: what a blob is, its digest and size.
struct Descriptor {
    QString mediaType;
    Digest digest;
    qint64 size = 0;
    std::optional<Platform> platform;
    QJsonObject annotations;
    QStringList urls;

    QJsonObject toJson() const;
    static Result<Descriptor> fromJson(const QJsonObject &o);
};

// An image manifest, OCI (application/vnd.oci.image.manifest.v1+json) or Docker schema 2.
struct Manifest {
    QString mediaType;
    Descriptor config;
    QList<Descriptor> layers;
    QJsonObject annotations;

    // Parses and validates. `mediaTypeHint` (a Content-Type header or an index entry) is used
    // when the document itself does not say; a document that contradicts it is refused.
    static Result<Manifest> parse(const QByteArray &json, const QString &mediaTypeHint = {});
    QByteArray toJson() const;
};

// An image index (OCI) or manifest list (Docker): one manifest per platform.
struct ImageIndex {
    QString mediaType;
    QList<Descriptor> manifests;
    QJsonObject annotations;

    static Result<ImageIndex> parse(const QByteArray &json, const QString &mediaTypeHint = {});
    QByteArray toJson() const;
    // The entry for `platform`, preferring an exact variant match.
    std::optional<Descriptor> select(const Platform &platform) const;
};

// Reads the "mediaType" a manifest-like document declares, or guesses it from its fields
// (OCI allows the field to be absent). Returns an error for schema 1 and unknown documents.
Result<QString> detectManifestMediaType(const QByteArray &json, const QString &mediaTypeHint = {});

} // namespace Berth::Engine
