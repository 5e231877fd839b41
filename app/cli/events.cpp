// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl events: the store's events journal, past and live, as `docker events` prints it.
#include "app/cli/command.h"
#include "engine/core/directorywatch.h"
#include "engine/core/eventjournal.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <algorithm>
#include <csignal>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

volatile std::sig_atomic_t g_interrupted = 0;

void onInterrupt(int) {
    g_interrupted = 1;
}

// Docker's time forms: RFC 3339, a Unix timestamp (fractions allowed), or a duration before
// now ("10m", "1h30m", "90s"). Invalid QDateTime when none fits.
QDateTime parseTime(const QString &text, const QDateTime &now) {
    bool isNumber = false;
    const double seconds = text.toDouble(&isNumber);
    if (isNumber)
        return QDateTime::fromMSecsSinceEpoch(qint64(seconds * 1000), Qt::UTC);
    static const QRegularExpression duration(
        QStringLiteral("^(?:(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h))+$"));
    if (duration.match(text).hasMatch()) {
        static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ns|us|ms|s|m|h)"));
        double ms = 0;
        for (auto it = part.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            const double v = m.captured(1).toDouble();
            const QString unit = m.captured(2);
            ms += unit == QLatin1String("h")    ? v * 3600000
                  : unit == QLatin1String("m")  ? v * 60000
                  : unit == QLatin1String("s")  ? v * 1000
                  : unit == QLatin1String("ms") ? v
                  : unit == QLatin1String("us") ? v / 1000
                                                : v / 1000000;
        }
        return now.addMSecs(-qint64(ms));
    }
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    return t.toUTC();
}

int eventsCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Get real time events from the store"));
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("Show all events created since timestamp"),
                                   QStringLiteral("TIME"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("Stream events until this timestamp"),
                                   QStringLiteral("TIME"));
    const QCommandLineOption filter({QStringLiteral("f"), QStringLiteral("filter")},
                                    QStringLiteral("Filter output: type=, event=, container=, "
                                                   "image="),
                                    QStringLiteral("FILTER"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: text or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("text"));
    p.addOptions({since, until, filter, format});
    if (int rc = ctx.parse(p, QStringLiteral("events"), QString()); rc >= 0)
        return rc;
    const bool json = p.value(format) == QLatin1String("json");
    if (!json && p.value(format) != QLatin1String("text"))
        return ctx.usage(
            QStringLiteral("unknown format \"%1\" (use text or json)").arg(p.value(format)));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime sinceTime, untilTime;
    if (p.isSet(since) && !(sinceTime = parseTime(p.value(since), now)).isValid())
        return ctx.usage(QStringLiteral("invalid value for --since: %1").arg(p.value(since)));
    if (p.isSet(until) && !(untilTime = parseTime(p.value(until), now)).isValid())
        return ctx.usage(QStringLiteral("invalid value for --until: %1").arg(p.value(until)));
    EventFilter eventFilter;
    eventFilter.since = sinceTime;
    eventFilter.until = untilTime;
    for (const QString &f : p.values(filter)) {
        const qsizetype eq = f.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return ctx.usage(
                QStringLiteral("bad format of filter (expected name=value): %1").arg(f));
        if (auto added = eventFilter.add(f.left(eq), {f.mid(eq + 1)}); !added)
            return ctx.usage(added.error().message);
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    EventJournal &journal = engine->events();

    auto print = [&](const Event &e) {
        const QJsonObject docker = e.toDockerJson();
        if (json) {
            ctx.out << QJsonDocument(docker).toJson(QJsonDocument::Compact) << '\n';
        } else {
            const QJsonObject attributes = docker.value(QStringLiteral("Actor"))
                                               .toObject()
                                               .value(QStringLiteral("Attributes"))
                                               .toObject();
            QStringList attrs;
            for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it)
                attrs.append(it.key() + QLatin1Char('=') + it.value().toString());
            ctx.out << e.time.toUTC().toString(Qt::ISODateWithMs) << ' ' << e.type << ' '
                    << e.action << ' ' << e.actor;
            if (!attrs.isEmpty())
                ctx.out << " (" << attrs.join(QStringLiteral(", ")) << ')';
            ctx.out << '\n';
        }
        ctx.out.flush();
    };

    // Without --since only what happens from now on, as in Docker.
    qint64 after = sinceTime.isValid() ? 0 : journal.lastId();
    g_interrupted = 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    std::signal(SIGPIPE, SIG_IGN);
    // Every commit to the database (any process's) wakes the loop, as does Ctrl+C (poll is
    // interrupted); once a second it looks again in any case (a signal just before the wait).
    const auto committed = DirectoryWatch::ofFile(engine->paths().database());
    for (;;) {
        auto batch = journal.since(after, 1000);
        if (!batch)
            return ctx.fail(batch.error());
        for (const Event &e : std::as_const(*batch)) {
            after = e.id;
            if (eventFilter.matches(e))
                print(e);
        }
        if (batch->size() == 1000)
            continue;
        if (g_interrupted)
            return 0;
        // Events are recorded after the fact; once past --until, everything up to it is in.
        if (untilTime.isValid() && QDateTime::currentDateTimeUtc() > untilTime)
            return 0;
        const qint64 untilMs =
            untilTime.isValid() ? QDateTime::currentDateTimeUtc().msecsTo(untilTime) + 1 : 1000;
        committed->wait(int(std::clamp<qint64>(untilMs, 0, 1000)));
    }
}

const bool registered = [] {
    registerCommand({QStringLiteral("events"),
                     QStringLiteral("Get real time events from the store"), eventsCmd});
    registerCommand({QStringLiteral("system events"),
                     QStringLiteral("Get real time events from the store"), eventsCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
