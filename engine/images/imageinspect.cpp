// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/imageinspect.h"

#include "engine/images/reference.h"

#include <QJsonArray>

namespace Berth::Engine {

QJsonObject imageInspectJson(ImageStore &images, const ImageRecord &image) {
    QJsonArray repoTags;
    QJsonArray repoDigests;
    for (const QString &t : image.tags) {
        auto ref = Reference::parse(t);
        repoTags.append(ref ? ref->familiarString() : t);
        if (ref)
            repoDigests.append(ref->familiarName() + QLatin1Char('@') +
                               image.manifestDigest.toString());
    }
    QJsonArray layers;
    for (const LayerRecord &l : image.layers)
        layers.append(l.diffId.toString());
    QJsonObject o{
        {QStringLiteral("Id"), image.id.toString()},
        {QStringLiteral("RepoTags"), repoTags},
        {QStringLiteral("RepoDigests"), repoDigests},
        {QStringLiteral("Created"), image.created.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("Architecture"), image.architecture},
        {QStringLiteral("Os"), image.os},
        {QStringLiteral("Size"), image.size},
        {QStringLiteral("RootFS"), QJsonObject{{QStringLiteral("Type"), QStringLiteral("layers")},
                                               {QStringLiteral("Layers"), layers}}},
        {QStringLiteral("Manifest"),
         QJsonObject{{QStringLiteral("Digest"), image.manifestDigest.toString()},
                     {QStringLiteral("MediaType"), image.manifestMediaType}}}};
    if (auto config = images.config(image)) {
        const QJsonObject json = config->json();
        o.insert(QStringLiteral("Config"), json.value(QStringLiteral("config")));
        o.insert(QStringLiteral("Author"), json.value(QStringLiteral("author")).toString());
        if (json.contains(QStringLiteral("variant")))
            o.insert(QStringLiteral("Variant"), json.value(QStringLiteral("variant")));
    }
    return o;
}

QJsonObject imageSummaryJson(const ImageRecord &image, qint64 sharedSize, int containers) {
    QJsonArray repoTags;
    QJsonArray repoDigests;
    for (const QString &t : image.tags) {
        auto ref = Reference::parse(t);
        repoTags.append(ref ? ref->familiarString() : t);
        const QString digest = (ref ? ref->familiarName() : t.section(QLatin1Char(':'), 0, 0)) +
                               QLatin1Char('@') + image.manifestDigest.toString();
        if (image.manifestDigest.isValid() && !repoDigests.contains(digest))
            repoDigests.append(digest);
    }
    return QJsonObject{{QStringLiteral("Id"), image.id.toString()},
                       {QStringLiteral("ParentId"), QString()},
                       {QStringLiteral("RepoTags"), repoTags},
                       {QStringLiteral("RepoDigests"), repoDigests},
                       {QStringLiteral("Created"), image.created.toSecsSinceEpoch()},
                       {QStringLiteral("Size"), image.size},
                       {QStringLiteral("VirtualSize"), image.size},
                       {QStringLiteral("SharedSize"), sharedSize},
                       {QStringLiteral("Labels"), QJsonObject()},
                       {QStringLiteral("Containers"), containers}};
}

} // namespace Berth::Engine
