// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl volume create, ls, inspect, rm, prune: named volumes, with Docker's output.
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/operations/volumeoperations.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

QJsonObject volumeJson(const VolumeRecord &v) {
    QJsonObject labels;
    for (auto it = v.labels.cbegin(); it != v.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return QJsonObject{{QStringLiteral("CreatedAt"), v.created.toUTC().toString(Qt::ISODate)},
                       {QStringLiteral("Driver"), QStringLiteral("local")},
                       {QStringLiteral("Labels"), labels},
                       {QStringLiteral("Mountpoint"), v.mountpoint},
                       {QStringLiteral("Name"), v.name},
                       {QStringLiteral("Options"), QJsonObject()},
                       {QStringLiteral("Scope"), QStringLiteral("local")},
                       {QStringLiteral("Anonymous"), v.anonymous}};
}

int createCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Create a volume"));
    const QCommandLineOption label(QStringLiteral("label"),
                                   QStringLiteral("Set metadata for a volume"),
                                   QStringLiteral("KEY=VALUE"));
    p.addOption(label);
    if (int rc = ctx.parse(p, QStringLiteral("volume create"), QStringLiteral("[VOLUME]")); rc >= 0)
        return rc;
    if (p.positionalArguments().size() > 1)
        return ctx.usage(QStringLiteral("\"berthctl volume create\" requires at most 1 argument."));
    QMap<QString, QString> labels;
    for (const QString &l : p.values(label))
        labels.insert(l.section(QLatin1Char('='), 0, 0), l.section(QLatin1Char('='), 1));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const QString name = p.positionalArguments().value(0);
    auto v = engine->volumes().create(name, labels,
                                      name.isEmpty() ? VolumeOperations::Kind::Anonymous
                                                     : VolumeOperations::Kind::Named);
    if (!v)
        return ctx.fail(v.error());
    ctx.out << v->name << '\n';
    return 0;
}

int lsCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List volumes"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only display volume names"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({quiet, format});
    if (int rc = ctx.parse(p, QStringLiteral("volume ls"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const QList<VolumeRecord> volumes = engine->volumes().list();
    if (p.isSet(quiet)) {
        for (const VolumeRecord &v : volumes)
            ctx.out << v.name << '\n';
        return 0;
    }
    if (p.value(format) == QLatin1String("json")) {
        for (const VolumeRecord &v : volumes)
            ctx.out << QJsonDocument(volumeJson(v)).toJson(QJsonDocument::Compact) << '\n';
        return 0;
    }
    QList<QStringList> rows;
    for (const VolumeRecord &v : volumes)
        rows.append({QStringLiteral("local"), v.name});
    printTable(ctx.out, {QStringLiteral("DRIVER"), QStringLiteral("VOLUME NAME")}, rows);
    return 0;
}

int inspectCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Display detailed information on volumes"));
    if (int rc =
            ctx.parse(p, QStringLiteral("volume inspect"), QStringLiteral("VOLUME [VOLUME...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    QJsonArray out;
    int rc = 0;
    for (const QString &name : p.positionalArguments()) {
        auto v = engine->volumes().get(name);
        if (!v) {
            rc = ctx.fail(v.error());
            continue;
        }
        out.append(volumeJson(*v));
    }
    ctx.out << prettyJson(out) << '\n';
    return rc;
}

int rmCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Remove one or more volumes (not while a container "
                                               "uses them)"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Do not fail for a volume that does not exist"));
    p.addOption(force);
    if (int rc = ctx.parse(p, QStringLiteral("volume rm"), QStringLiteral("VOLUME [VOLUME...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    int rc = 0;
    for (const QString &name : p.positionalArguments()) {
        if (auto st = engine->volumes().remove(name); !st) {
            if (p.isSet(force) && st.error().kind == ErrorKind::NotFound)
                continue;
            rc = ctx.fail(st.error());
            continue;
        }
        ctx.out << name << '\n';
    }
    return rc;
}

int pruneCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Remove unused anonymous volumes (all unused "
                                               "volumes with --all)"));
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("Remove all unused volumes, not just anonymous "
                                                "ones"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Do not prompt for confirmation"));
    p.addOptions({all, force});
    if (int rc = ctx.parse(p, QStringLiteral("volume prune"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto report = engine->volumes().prune(p.isSet(all) ? VolumeOperations::PruneScope::AllUnused
                                                       : VolumeOperations::PruneScope::Anonymous);
    if (!report)
        return ctx.fail(report.error());
    if (!report->names.isEmpty()) {
        ctx.out << "Deleted Volumes:\n";
        for (const QString &n : std::as_const(report->names))
            ctx.out << n << '\n';
        ctx.out << '\n';
    }
    ctx.out << "Total reclaimed space: " << humanSize(report->bytes) << '\n';
    return 0;
}

const bool registered =
    registerCommand(
        {QStringLiteral("volume create"), QStringLiteral("Create a volume"), createCmd}) &&
    registerCommand({QStringLiteral("volume ls"), QStringLiteral("List volumes"), lsCmd}) &&
    registerCommand({QStringLiteral("volume inspect"),
                     QStringLiteral("Display detailed information on volumes"), inspectCmd}) &&
    registerCommand(
        {QStringLiteral("volume rm"), QStringLiteral("Remove one or more volumes"), rmCmd}) &&
    registerCommand(
        {QStringLiteral("volume prune"), QStringLiteral("Remove unused volumes"), pruneCmd});

} // namespace
} // namespace Berth::Cli
