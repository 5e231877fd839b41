// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl stats: live resource use of containers, with Docker's columns.
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/runtime/containerstats.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <csignal>
#include <poll.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int) {
    g_interrupted = 1;
}

// Binary units with 4 significant digits, as Docker prints memory ("1.445MiB").
QString binarySize(qint64 bytes) {
    static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 5) {
        value /= 1024.0;
        ++unit;
    }
    return QString::number(value, 'g', 4) + QLatin1String(units[unit]);
}

QString percent(double value) {
    return QString::number(value, 'f', 2) + QLatin1Char('%');
}

struct Row {
    QString id;
    QString name;
    ContainerStatsSample sample;
    bool running = false;
};

QJsonObject toJson(const Row &r) {
    const ContainerStatsSample &s = r.sample;
    return QJsonObject{
        {QStringLiteral("BlockIO"),
         QStringLiteral("%1 / %2").arg(humanSize(s.blockRead), humanSize(s.blockWrite))},
        {QStringLiteral("CPUPerc"), percent(s.cpuPercent)},
        {QStringLiteral("Container"), r.id.left(12)},
        {QStringLiteral("ID"), r.id.left(12)},
        {QStringLiteral("MemPerc"), percent(s.memoryPercent())},
        {QStringLiteral("MemUsage"),
         QStringLiteral("%1 / %2").arg(binarySize(s.memoryUsage), binarySize(s.memoryLimit))},
        {QStringLiteral("Name"), r.name},
        {QStringLiteral("NetIO"),
         QStringLiteral("%1 / %2").arg(humanSize(s.networkRx), humanSize(s.networkTx))},
        {QStringLiteral("PIDs"), QString::number(s.pids)},
        // The numbers behind the text, for scripts.
        {QStringLiteral("CPUPercent"), s.cpuPercent},
        {QStringLiteral("MemoryUsageBytes"), s.memoryUsage},
        {QStringLiteral("MemoryLimitBytes"), s.memoryLimit},
        {QStringLiteral("NetRxBytes"), s.networkRx},
        {QStringLiteral("NetTxBytes"), s.networkTx},
        {QStringLiteral("BlockReadBytes"), s.blockRead},
        {QStringLiteral("BlockWriteBytes"), s.blockWrite},
        {QStringLiteral("PidsCurrent"), s.pids},
    };
}

void print(Context &ctx, const QList<Row> &rows, bool json, bool clear) {
    if (json) {
        for (const Row &r : rows)
            ctx.out << QJsonDocument(toJson(r)).toJson(QJsonDocument::Compact) << '\n';
        ctx.out.flush();
        return;
    }
    QList<QStringList> table;
    for (const Row &r : rows) {
        const ContainerStatsSample &s = r.sample;
        if (!r.running) {
            table.append({r.id.left(12), r.name, QStringLiteral("--"), QStringLiteral("-- / --"),
                          QStringLiteral("--"), QStringLiteral("--"), QStringLiteral("--"),
                          QStringLiteral("--")});
            continue;
        }
        table.append(
            {r.id.left(12), r.name, percent(s.cpuPercent),
             QStringLiteral("%1 / %2").arg(binarySize(s.memoryUsage), binarySize(s.memoryLimit)),
             percent(s.memoryPercent()),
             QStringLiteral("%1 / %2").arg(humanSize(s.networkRx), humanSize(s.networkTx)),
             QStringLiteral("%1 / %2").arg(humanSize(s.blockRead), humanSize(s.blockWrite)),
             QString::number(s.pids)});
    }
    if (clear)
        ctx.out << "\x1b[2J\x1b[H";
    printTable(ctx.out,
               {QStringLiteral("CONTAINER ID"), QStringLiteral("NAME"), QStringLiteral("CPU %"),
                QStringLiteral("MEM USAGE / LIMIT"), QStringLiteral("MEM %"),
                QStringLiteral("NET I/O"), QStringLiteral("BLOCK I/O"), QStringLiteral("PIDS")},
               table);
    ctx.out.flush();
}

int statsCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Display a live stream of container(s) resource "
                                               "usage statistics"));
    const QCommandLineOption noStream(QStringLiteral("no-stream"),
                                      QStringLiteral("Disable streaming stats and only pull the "
                                                     "first result"));
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("Show all containers (default shows just "
                                                "running)"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({noStream, all, format});
    if (int rc = ctx.parse(p, QStringLiteral("stats"), QStringLiteral("[CONTAINER...]")); rc >= 0)
        return rc;
    const bool json = p.value(format) == QLatin1String("json");
    if (!json && p.value(format) != QLatin1String("table"))
        return ctx.usage(
            QStringLiteral("unknown format \"%1\" (use table or json)").arg(p.value(format)));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    const QStringList names = p.positionalArguments();
    // Named containers are resolved once (an unknown name is an error, as in Docker).
    QStringList ids;
    for (const QString &n : names) {
        auto r = rt.get(n);
        if (!r)
            return ctx.fail(r.error());
        ids.append(r->id);
    }
    auto selection = [&]() {
        QList<ContainerRecord> out;
        if (ids.isEmpty()) {
            for (const ContainerRecord &r : rt.list())
                if (p.isSet(all) || r.isRunning())
                    out.append(r);
            return out;
        }
        for (const QString &id : std::as_const(ids))
            if (auto r = rt.get(id))
                out.append(*r);
        return out;
    };
    auto rowsFor = [&](const QList<ContainerRecord> &containers,
                       const QList<ContainerStatsSample> &samples) {
        QHash<QString, ContainerStatsSample> byId;
        for (const ContainerStatsSample &s : samples)
            byId.insert(s.id, s);
        QList<Row> rows;
        for (const ContainerRecord &c : containers) {
            Row row{c.id, c.name, byId.value(c.id), byId.contains(c.id)};
            rows.append(row);
        }
        return rows;
    };

    if (p.isSet(noStream)) {
        const QList<ContainerRecord> containers = selection();
        print(ctx, rowsFor(containers, sampleOnce(rt, containers, 1000)), json, false);
        return 0;
    }
    g_interrupted = 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    QHash<QString, ContainerStatsSample> previous;
    bool first = true;
    while (!g_interrupted) {
        const QList<ContainerRecord> containers = selection();
        QList<ContainerStatsSample> samples;
        QHash<QString, ContainerStatsSample> next;
        for (const ContainerRecord &c : containers) {
            if (!c.isRunning())
                continue;
            auto s = ContainerStats::read(c, rt.cgroupsPath(c.id));
            if (!s)
                continue;
            if (auto it = previous.constFind(c.id); it != previous.cend())
                ContainerStats::computeCpu(*s, *it);
            next.insert(c.id, *s);
            samples.append(*s);
        }
        previous = next;
        // The first reading has no CPU % yet: show the screen after the second.
        if (!first)
            print(ctx, rowsFor(containers, samples), json, !json);
        // The sampling interval; Ctrl+C interrupts the wait (poll returns EINTR).
        if (!g_interrupted)
            ::poll(nullptr, 0, first ? 250 : 1000);
        first = false;
    }
    return 0;
}

const bool registered = [] {
    registerCommand({QStringLiteral("stats"),
                     QStringLiteral("Display a live stream of container(s) resource usage "
                                    "statistics"),
                     statsCmd});
    registerCommand({QStringLiteral("container stats"),
                     QStringLiteral("Display a live stream of container(s) resource usage "
                                    "statistics"),
                     statsCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
