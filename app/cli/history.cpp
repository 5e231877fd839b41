// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl history: an image's steps, with the Dockerfile line and cache use of each for images
// Berth built (berthctl-full only: it reads the build cache, whose code hashes cache keys).
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/operations/buildoperations.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int history(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Show the history of an image: one line per step, newest first"));
    const QCommandLineOption noTrunc(QStringLiteral("no-trunc"),
                                     QStringLiteral("Don't truncate output"));
    const QCommandLineOption human({QStringLiteral("H"), QStringLiteral("human")},
                                   QStringLiteral("Print sizes and dates in human readable format"),
                                   QStringLiteral("BOOL"), QStringLiteral("true"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only show layer IDs"));
    p.addOptions({noTrunc, human, format, quiet});
    if (int rc = ctx.parse(p, QStringLiteral("history"), QStringLiteral("IMAGE"), 1); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto image = engine->images().resolve(p.positionalArguments().first());
    if (!image)
        return ctx.fail(image.error());
    auto config = engine->images().config(*image);
    if (!config)
        return ctx.fail(config.error());
    QList<HistoryEntry> entries = config->history();
    // Images without history (some imports) still have layers: show one line each.
    if (entries.isEmpty())
        for (int i = 0; i < image->layers.size(); ++i)
            entries.append(HistoryEntry{});
    // An image Berth built also says which Dockerfile line made each step and whether it came
    // from the cache (or why it ran).
    QHash<int, BuildStepRecord> built;
    if (auto provenance = engine->builds().provenance(image->id))
        for (const BuildStepRecord &r : std::as_const(provenance->steps))
            if (r.historyIndex >= 0)
                built.insert(r.historyIndex, r);
    struct Line {
        QString id;
        HistoryEntry entry;
        qint64 size = 0;
        int layer = -1;
        std::optional<BuildStepRecord> step;
    };
    QList<Line> lines;
    int layerIndex = 0;
    for (const HistoryEntry &h : std::as_const(entries)) {
        const int index = int(&h - entries.constData());
        Line line{QStringLiteral("<missing>"), h, 0, -1, std::nullopt};
        if (built.contains(index))
            line.step = built.value(index);
        if (!h.emptyLayer && layerIndex < image->layers.size()) {
            line.layer = layerIndex;
            if (auto info = engine->images().layer(image->layers[layerIndex].chainId))
                line.size = info->size;
            ++layerIndex;
        }
        lines.prepend(line);
    }
    if (!lines.isEmpty())
        lines.first().id = shortOrFull(image->id, p.isSet(noTrunc));
    const bool humanReadable = p.value(human) != QLatin1String("false");
    if (p.isSet(quiet)) {
        for (const Line &l : std::as_const(lines))
            ctx.out << l.id << '\n';
        return 0;
    }
    if (p.value(format) == QLatin1String("json")) {
        for (const Line &l : std::as_const(lines)) {
            QJsonObject o{
                {QStringLiteral("ID"), l.id},
                {QStringLiteral("CreatedAt"), l.entry.created.toUTC().toString(Qt::ISODate)},
                {QStringLiteral("CreatedSince"), humanSince(l.entry.created)},
                {QStringLiteral("CreatedBy"), l.entry.createdBy},
                {QStringLiteral("Size"), humanSize(l.size)},
                {QStringLiteral("SizeBytes"), l.size},
                {QStringLiteral("EmptyLayer"), l.entry.emptyLayer},
                {QStringLiteral("Comment"), l.entry.comment}};
            if (l.layer >= 0) {
                o.insert(QStringLiteral("Layer"), l.layer);
                o.insert(QStringLiteral("DiffID"), image->layers[l.layer].diffId.toString());
            }
            if (l.step) {
                o.insert(QStringLiteral("DockerfileLine"), l.step->firstLine);
                o.insert(QStringLiteral("DockerfileEndLine"), l.step->lastLine);
                o.insert(QStringLiteral("OnBuildTrigger"), l.step->trigger);
                o.insert(QStringLiteral("Cached"), l.step->cached);
                o.insert(QStringLiteral("RanBecause"),
                         QJsonArray::fromStringList(l.step->reasonTexts()));
            }
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << '\n';
        }
        return 0;
    }
    QList<QStringList> table;
    for (const Line &l : std::as_const(lines)) {
        QString createdBy = l.entry.createdBy;
        if (!p.isSet(noTrunc) && createdBy.size() > 45)
            createdBy = createdBy.left(44) + QStringLiteral("…");
        QStringList row{l.id,
                        humanReadable ? humanSince(l.entry.created)
                                      : l.entry.created.toUTC().toString(Qt::ISODate),
                        createdBy, humanReadable ? humanSize(l.size) : QString::number(l.size),
                        l.entry.comment};
        if (!built.isEmpty()) {
            QString where, cache;
            if (l.step) {
                const BuildStepRecord &r = *l.step;
                where = r.firstLine == 0 ? QStringLiteral("--label")
                        : r.lastLine > r.firstLine
                            ? QStringLiteral("%1-%2").arg(r.firstLine).arg(r.lastLine)
                            : QString::number(r.firstLine);
                if (r.trigger)
                    where += QStringLiteral(" ONBUILD");
                cache = r.cached
                            ? QStringLiteral("cached")
                            : QStringLiteral("ran: ") + r.reasonTexts().join(QStringLiteral("; "));
                if (!p.isSet(noTrunc) && cache.size() > 40)
                    cache = cache.left(39) + QStringLiteral("…");
            }
            row << where << cache;
        }
        table.append(row);
    }
    QStringList headers{QStringLiteral("IMAGE"), QStringLiteral("CREATED"),
                        QStringLiteral("CREATED BY"), QStringLiteral("SIZE"),
                        QStringLiteral("COMMENT")};
    if (!built.isEmpty())
        headers << QStringLiteral("LINE") << QStringLiteral("BUILD CACHE");
    printTable(ctx.out, headers, table);
    return 0;
}

const bool registered =
    registerCommand({QStringLiteral("history"),
                     QStringLiteral("Show the history of an image (and for images Berth built, "
                                    "the Dockerfile line and cache use of each step)"),
                     history}) &&
    registerCommand(
        {QStringLiteral("image history"), QStringLiteral("Show the history of an image"), history});

} // namespace
} // namespace Berth::Cli
