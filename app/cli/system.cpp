// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl system df / prune: store-wide accounting and housekeeping (system check: check.cpp).
#include "app/cli/command.h"
#include "app/cli/format.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int systemDf(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Show disk usage: images, shared and unique layers, what removing an image frees"));
    const QCommandLineOption verbose({QStringLiteral("v"), QStringLiteral("verbose")},
                                     QStringLiteral("Show per-image usage"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({verbose, format});
    if (int rc = ctx.parse(p, QStringLiteral("system df"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto usage = engine->maintenance().diskUsage();
    if (!usage)
        return ctx.fail(usage.error());
    int active = 0;
    for (const ImageUsage &u : std::as_const(usage->images))
        active += u.containers > 0 ? 1 : 0;
    if (p.value(format) == QLatin1String("json")) {
        QJsonArray images;
        for (const ImageUsage &u : std::as_const(usage->images)) {
            QJsonArray tags;
            for (const QString &t : u.image.tags)
                tags.append(t);
            images.append(QJsonObject{{QStringLiteral("ID"), u.image.id.toString()},
                                      {QStringLiteral("RepoTags"), tags},
                                      {QStringLiteral("Size"), u.image.size},
                                      {QStringLiteral("SharedSize"), u.sharedBytes},
                                      {QStringLiteral("UniqueSize"), u.uniqueBytes},
                                      {QStringLiteral("Containers"), u.containers}});
        }
        const QJsonObject o{{QStringLiteral("Images"), images},
                            {QStringLiteral("LayersSize"), usage->imagesBytes},
                            {QStringLiteral("ReclaimableSize"), usage->reclaimableBytes},
                            {QStringLiteral("BlobsSize"), usage->blobBytes},
                            {QStringLiteral("UnreferencedSize"), usage->unreferencedBytes}};
        ctx.out << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return 0;
    }
    auto percent = [](qint64 part, qint64 whole) {
        return whole > 0 ? QStringLiteral(" (%1%)").arg(part * 100 / whole) : QString();
    };
    printTable(ctx.out,
               {QStringLiteral("TYPE"), QStringLiteral("TOTAL"), QStringLiteral("ACTIVE"),
                QStringLiteral("SIZE"), QStringLiteral("RECLAIMABLE")},
               {{QStringLiteral("Images"), QString::number(usage->images.size()),
                 QString::number(active), humanSize(usage->imagesBytes),
                 humanSize(usage->reclaimableBytes) +
                     percent(usage->reclaimableBytes, usage->imagesBytes)},
                {QStringLiteral("Layer blobs"), QString(), QString(), humanSize(usage->blobBytes),
                 QString()},
                {QStringLiteral("Unreferenced"), QString(), QString(),
                 humanSize(usage->unreferencedBytes), humanSize(usage->unreferencedBytes)}});
    if (p.isSet(verbose)) {
        ctx.out << "\nImages space usage:\n\n";
        QList<QStringList> rows;
        for (const ImageUsage &u : std::as_const(usage->images)) {
            auto ref = u.image.tags.isEmpty()
                           ? std::nullopt
                           : std::optional(*Reference::parse(u.image.tags.first()));
            rows.append({ref ? ref->familiarName() : QStringLiteral("<none>"),
                         ref ? ref->tag() : QStringLiteral("<none>"), u.image.id.shortId(),
                         humanSince(u.image.created), humanSize(u.image.size),
                         humanSize(u.sharedBytes), humanSize(u.uniqueBytes),
                         QString::number(u.containers)});
        }
        printTable(ctx.out,
                   {QStringLiteral("REPOSITORY"), QStringLiteral("TAG"), QStringLiteral("IMAGE ID"),
                    QStringLiteral("CREATED"), QStringLiteral("SIZE"),
                    QStringLiteral("SHARED SIZE"), QStringLiteral("UNIQUE SIZE"),
                    QStringLiteral("CONTAINERS")},
                   rows);
    }
    return 0;
}

// `image prune` and `system prune` (which will also remove stopped containers once they
// exist in the store) share the images part.
int prune(Context &ctx, const QString &command) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Remove dangling images (with -a: all unused images), then the layers, blobs and partial "
        "downloads nothing uses"));
    const QCommandLineOption all(
        {QStringLiteral("a"), QStringLiteral("all")},
        QStringLiteral("Remove all unused images, not just dangling ones"));
    const QCommandLineOption dryRun(QStringLiteral("dry-run"),
                                    QStringLiteral("Only show what would be removed"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Do not prompt (accepted for compatibility)"));
    p.addOptions({all, dryRun, force});
    if (int rc = ctx.parse(p, command, QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const bool preview = p.isSet(dryRun);
    auto report = engine->maintenance().prune(p.isSet(all) ? StoreMaintenance::PruneScope::AllUnused
                                                           : StoreMaintenance::PruneScope::Dangling,
                                              preview ? StoreMaintenance::DryRun::Yes
                                                      : StoreMaintenance::DryRun::No);
    if (!report)
        return ctx.fail(report.error());
    const char *verb = preview ? "Would delete" : "Deleted";
    for (const QString &t : std::as_const(report->untagged))
        ctx.out << (preview ? "Would untag: " : "Untagged: ") << t << '\n';
    for (const Digest &d : std::as_const(report->deletedImages))
        ctx.out << verb << " image: " << d.toString() << '\n';
    for (const Digest &d : std::as_const(report->deletedLayers))
        ctx.out << verb << " layer: " << d.toString() << '\n';
    if (!preview)
        ctx.out << "Deleted blobs: " << report->deletedBlobs.size() << '\n';
    ctx.out << (preview ? "Space that would be reclaimed: " : "Total reclaimed space: ")
            << humanSize(report->reclaimedBytes) << '\n';
    return 0;
}

const bool registered =
    registerCommand({QStringLiteral("system df"), QStringLiteral("Show disk usage"), systemDf}) &&
    registerCommand({QStringLiteral("system prune"), QStringLiteral("Remove unused data"),
                     [](Context &ctx) { return prune(ctx, QStringLiteral("system prune")); }}) &&
    registerCommand({QStringLiteral("image prune"), QStringLiteral("Remove unused images"),
                     [](Context &ctx) { return prune(ctx, QStringLiteral("image prune")); }});

} // namespace
} // namespace Berth::Cli
