// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl images, tag, rmi, inspect, history: the image store, with Docker's output.
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "app/cli/inspect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int images(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List images"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only show image IDs"));
    const QCommandLineOption noTrunc(QStringLiteral("no-trunc"),
                                     QStringLiteral("Don't truncate output"));
    const QCommandLineOption digests(QStringLiteral("digests"), QStringLiteral("Show digests"));
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("Show all images (accepted for compatibility)"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({quiet, noTrunc, digests, all, format});
    if (int rc = ctx.parse(p, QStringLiteral("images"), QStringLiteral("[REPOSITORY[:TAG]]"));
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const QString filter = p.positionalArguments().value(0);
    std::optional<Reference> filterRef;
    if (!filter.isEmpty()) {
        auto r = filter.contains(QLatin1Char(':')) ? Reference::parse(filter)
                                                   : Reference::parseRepository(filter);
        if (!r)
            return ctx.fail(r.error());
        filterRef = *r;
    }
    struct Row {
        QString repository, tag, reference;
        ImageRecord image;
    };
    QList<Row> rows;
    for (const ImageRecord &image : engine->images().list()) {
        if (image.tags.isEmpty()) {
            if (!filterRef)
                rows.append({QStringLiteral("<none>"), QStringLiteral("<none>"), QString(), image});
            continue;
        }
        for (const QString &tag : image.tags) {
            auto ref = Reference::parse(tag);
            if (!ref)
                continue;
            if (filterRef && (ref->name() != filterRef->name() ||
                              (!filterRef->tag().isEmpty() && ref->tag() != filterRef->tag())))
                continue;
            rows.append({ref->familiarName(), ref->tag(), tag, image});
        }
    }
    if (p.isSet(quiet)) {
        QSet<QString> seen;
        for (const Row &r : rows)
            if (!seen.contains(r.image.id.toString())) {
                seen.insert(r.image.id.toString());
                ctx.out << shortOrFull(r.image.id, p.isSet(noTrunc)) << '\n';
            }
        return 0;
    }
    if (p.value(format) == QLatin1String("json")) {
        for (const Row &r : rows) {
            const QJsonObject o{
                {QStringLiteral("Repository"), r.repository},
                {QStringLiteral("Tag"), r.tag},
                {QStringLiteral("ID"), shortOrFull(r.image.id, p.isSet(noTrunc))},
                {QStringLiteral("Digest"), r.image.manifestDigest.toString()},
                {QStringLiteral("CreatedAt"), r.image.created.toUTC().toString(Qt::ISODate)},
                {QStringLiteral("CreatedSince"), humanSince(r.image.created)},
                {QStringLiteral("Size"), humanSize(r.image.size)},
                {QStringLiteral("SizeBytes"), r.image.size},
            };
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << '\n';
        }
        return 0;
    }
    if (p.value(format) != QLatin1String("table"))
        return ctx.usage(
            QStringLiteral("unknown format \"%1\" (use table or json)").arg(p.value(format)));
    QStringList header{QStringLiteral("REPOSITORY"), QStringLiteral("TAG")};
    if (p.isSet(digests))
        header << QStringLiteral("DIGEST");
    header << QStringLiteral("IMAGE ID") << QStringLiteral("CREATED") << QStringLiteral("SIZE");
    QList<QStringList> table;
    for (const Row &r : rows) {
        QStringList line{r.repository, r.tag};
        if (p.isSet(digests))
            line << r.image.manifestDigest.toString();
        line << shortOrFull(r.image.id, p.isSet(noTrunc)) << humanSince(r.image.created)
             << humanSize(r.image.size);
        table.append(line);
    }
    printTable(ctx.out, header, table);
    return 0;
}

int tag(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"));
    if (int rc = ctx.parse(p, QStringLiteral("tag"),
                           QStringLiteral("SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"), 2);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto image = engine->images().resolve(p.positionalArguments()[0]);
    if (!image)
        return ctx.fail(image.error());
    auto target = Reference::parse(p.positionalArguments()[1]);
    if (!target)
        return ctx.fail(target.error());
    if (auto st = engine->images().tag(image->id, *target); !st)
        return ctx.fail(st.error());
    engine->events().record(QStringLiteral("image"), QStringLiteral("tag"), image->id.toString(),
                            {{QStringLiteral("name"), target->toString()}});
    return 0;
}

int rmi(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Remove one or more images; layers other images use are kept"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Force removal of the image"));
    p.addOption(force);
    if (int rc = ctx.parse(p, QStringLiteral("rmi"), QStringLiteral("IMAGE [IMAGE...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    int exitCode = 0;
    for (const QString &name : p.positionalArguments()) {
        auto report = engine->maintenance().removeImage(
            name, p.isSet(force) ? StoreMaintenance::Force::Yes : StoreMaintenance::Force::No);
        if (!report) {
            exitCode = ctx.fail(report.error());
            continue;
        }
        for (const QString &t : std::as_const(report->untagged))
            ctx.out << "Untagged: " << t << '\n';
        for (const Digest &d : std::as_const(report->deletedImages))
            ctx.out << "Deleted: " << d.toString() << '\n';
        if (report->reclaimedBytes > 0)
            ctx.out << "Freed: " << humanSize(report->reclaimedBytes) << " ("
                    << report->deletedLayers.size() << " layers no other image uses)\n";
    }
    return exitCode;
}

int inspect(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Display detailed information on containers or images"));
    const QCommandLineOption type(QStringLiteral("type"),
                                  QStringLiteral("Only look for this kind: container or image"),
                                  QStringLiteral("TYPE"));
    p.addOption(type);
    if (int rc = ctx.parse(p, QStringLiteral("inspect"), QStringLiteral("NAME|ID [NAME|ID...]"), 1);
        rc >= 0)
        return rc;
    const QString only = p.value(type);
    if (!only.isEmpty() && only != QLatin1String("container") && only != QLatin1String("image"))
        return ctx.usage(QStringLiteral("unknown type \"%1\" (use container or image)").arg(only));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    QJsonArray out;
    int exitCode = 0;
    for (const QString &name : p.positionalArguments()) {
        // Like docker: a container of that name wins over an image of that name.
        if (only != QLatin1String("image")) {
            if (auto container = engine->containers().get(name)) {
                out.append(inspectContainer(*engine, *container));
                continue;
            }
        }
        if (only != QLatin1String("container")) {
            if (auto image = engine->images().resolve(name)) {
                out.append(inspectImage(*engine, *image));
                continue;
            }
        }
        exitCode =
            ctx.fail(Error{ErrorKind::NotFound, QStringLiteral("no such object: %1").arg(name)});
    }
    ctx.out << prettyJson(out) << '\n';
    return exitCode;
}

const bool registered =
    registerCommand({QStringLiteral("images"), QStringLiteral("List images"), images}) &&
    registerCommand({QStringLiteral("image ls"), QStringLiteral("List images"), images}) &&
    registerCommand(
        {QStringLiteral("tag"), QStringLiteral("Create a tag that refers to an image"), tag}) &&
    registerCommand(
        {QStringLiteral("rmi"), QStringLiteral("Remove images (shared layers stay)"), rmi}) &&
    registerCommand(
        {QStringLiteral("image rm"), QStringLiteral("Remove images (shared layers stay)"), rmi}) &&
    registerCommand({QStringLiteral("inspect"),
                     QStringLiteral("Show detailed information on containers or images"),
                     inspect}) &&
    registerCommand({QStringLiteral("image inspect"),
                     QStringLiteral("Show detailed information on images"), [](Context &ctx) {
                         ctx.args.prepend(QStringLiteral("--type=image"));
                         return inspect(ctx);
                     }});

} // namespace
QJsonObject inspectImage(Engine::Engine &engine, const ImageRecord &image) {
    return engine.images().inspectJson(image);
}

} // namespace Berth::Cli
