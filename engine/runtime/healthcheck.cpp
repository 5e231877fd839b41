// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/healthcheck.h"

#include "engine/core/eventjournal.h"
#include "engine/core/fileutil.h"
#include "engine/runtime/containerexec.h"
#include "engine/runtime/healthprotocol.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

QString fileIn(const QString &dir, const char *name) {
    return dir + QLatin1Char('/') + QLatin1String(name);
}

QString rfc3339Nano(const QDateTime &t) {
    return t.toUTC().toString(Qt::ISODateWithMs);
}

} // namespace

bool HealthConfig::isEmpty() const {
    return test.isEmpty() && interval == 0 && timeout == 0 && startPeriod == 0 &&
           startInterval == 0 && retries == 0;
}

bool HealthConfig::runsProbe() const {
    return !test.isEmpty() &&
           (test.first() == QLatin1String("CMD") || test.first() == QLatin1String("CMD-SHELL"));
}

Status HealthConfig::validate() const {
    if (!test.isEmpty()) {
        const QString kind = test.first();
        if (kind == QLatin1String("NONE")) {
            if (test.size() != 1)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("healthcheck: NONE takes no arguments"));
        } else if (kind == QLatin1String("CMD") || kind == QLatin1String("CMD-SHELL")) {
            if (test.size() < 2 || test.at(1).isEmpty())
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("healthcheck: %1 needs a command").arg(kind));
            if (kind == QLatin1String("CMD-SHELL") && test.size() != 2)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("healthcheck: CMD-SHELL takes one command string"));
        } else {
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("healthcheck: the test must start with NONE, CMD or "
                                       "CMD-SHELL, not \"%1\"")
                            .arg(kind));
        }
    }
    const std::pair<const char *, qint64> durations[] = {{"interval", interval},
                                                         {"timeout", timeout},
                                                         {"start period", startPeriod},
                                                         {"start interval", startInterval}};
    for (const auto &[name, value] : durations) {
        if (value < 0)
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("healthcheck: the %1 cannot be negative").arg(QLatin1String(name)));
        if (value > 0 && value < MinimumDuration)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("healthcheck: the %1 cannot be less than 1ms")
                            .arg(QLatin1String(name)));
    }
    if (retries < 0)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("healthcheck: retries cannot be negative"));
    return {};
}

HealthConfig HealthConfig::mergedOver(const HealthConfig &image) const {
    HealthConfig out = *this;
    if (out.test.isEmpty())
        out.test = image.test;
    if (out.interval == 0)
        out.interval = image.interval;
    if (out.timeout == 0)
        out.timeout = image.timeout;
    if (out.startPeriod == 0)
        out.startPeriod = image.startPeriod;
    if (out.startInterval == 0)
        out.startInterval = image.startInterval;
    if (out.retries == 0)
        out.retries = image.retries;
    return out;
}

QStringList HealthConfig::probeCommand(const QStringList &shell) const {
    if (!runsProbe())
        return {};
    if (test.first() == QLatin1String("CMD"))
        return test.mid(1);
    return (shell.isEmpty() ? QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c")}
                            : shell) +
           test.mid(1);
}

QJsonObject HealthConfig::toJson() const {
    QJsonObject o;
    if (!test.isEmpty())
        o.insert(QStringLiteral("Test"), QJsonArray::fromStringList(test));
    const std::pair<QString, qint64> fields[] = {{QStringLiteral("Interval"), interval},
                                                 {QStringLiteral("Timeout"), timeout},
                                                 {QStringLiteral("StartPeriod"), startPeriod},
                                                 {QStringLiteral("StartInterval"), startInterval}};
    for (const auto &[key, value] : fields)
        if (value != 0)
            o.insert(key, value);
    if (retries != 0)
        o.insert(QStringLiteral("Retries"), retries);
    return o;
}

Result<HealthConfig> HealthConfig::fromJson(const QJsonValue &value) {
    HealthConfig c;
    if (value.isNull() || value.isUndefined())
        return c;
    if (!value.isObject())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("Healthcheck: expected an object"));
    const QJsonObject o = value.toObject();
    const QJsonValue test = o.value(QStringLiteral("Test"));
    if (!test.isNull() && !test.isUndefined()) {
        if (!test.isArray())
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("Healthcheck.Test: expected an array of strings"));
        for (const QJsonValue &v : test.toArray()) {
            if (!v.isString())
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("Healthcheck.Test: expected an array of strings"));
            c.test.append(v.toString());
        }
    }
    auto number = [&o](const char *key, qint64 &into) -> Status {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isNull() || v.isUndefined())
            return {};
        if (!v.isDouble())
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("Healthcheck.%1: expected a number").arg(QLatin1String(key)));
        into = v.toInteger(qint64(v.toDouble()));
        return {};
    };
    qint64 retries = 0;
    for (const auto &[key, field] : {std::pair<const char *, qint64 *>{"Interval", &c.interval},
                                     {"Timeout", &c.timeout},
                                     {"StartPeriod", &c.startPeriod},
                                     {"StartInterval", &c.startInterval},
                                     {"Retries", &retries}})
        if (auto st = number(key, *field); !st)
            return fail(st.error());
    c.retries = int(std::clamp<qint64>(retries, -1, qint64(1) << 30));
    if (auto st = c.validate(); !st)
        return fail(st.error());
    return c;
}

QString healthStatusName(HealthStatus status) {
    switch (status) {
    case HealthStatus::Starting:
        return QStringLiteral("starting");
    case HealthStatus::Healthy:
        return QStringLiteral("healthy");
    case HealthStatus::Unhealthy:
        return QStringLiteral("unhealthy");
    case HealthStatus::None:
        break;
    }
    return QStringLiteral("none");
}

namespace {

HealthStatus statusFromName(const QString &name) {
    if (name == QLatin1String("starting"))
        return HealthStatus::Starting;
    if (name == QLatin1String("healthy"))
        return HealthStatus::Healthy;
    if (name == QLatin1String("unhealthy"))
        return HealthStatus::Unhealthy;
    return HealthStatus::None;
}

} // namespace

QJsonObject HealthState::toDockerJson() const {
    QJsonArray entries;
    for (const HealthProbeResult &r : log)
        entries.append(QJsonObject{{QStringLiteral("Start"), rfc3339Nano(r.start)},
                                   {QStringLiteral("End"), rfc3339Nano(r.end)},
                                   {QStringLiteral("ExitCode"), r.exitCode},
                                   {QStringLiteral("Output"), r.output}});
    return QJsonObject{{QStringLiteral("Status"), healthStatusName(status)},
                       {QStringLiteral("FailingStreak"), failingStreak},
                       {QStringLiteral("Log"), entries}};
}

QString HealthState::psSuffix() const {
    switch (status) {
    case HealthStatus::Starting:
        return QStringLiteral("(health: starting)");
    case HealthStatus::Healthy:
        return QStringLiteral("(healthy)");
    case HealthStatus::Unhealthy:
        return QStringLiteral("(unhealthy)");
    case HealthStatus::None:
        break;
    }
    return {};
}

namespace HealthFiles {

Result<QStringList> prepare(const QString &containerDir, const HealthConfig &config,
                            const QStringList &shell, const QJsonObject &containerProcess) {
    const QString processFile = fileIn(containerDir, Shim::HealthProcessFile);
    if (!config.runsProbe()) {
        QFile::remove(processFile);
        return QStringList();
    }
    ExecRequest probe;
    probe.cmd = config.probeCommand(shell);
    // The container's own user, environment and working directory, as Docker's probes.
    auto process = ContainerExec::processSpec(containerProcess, probe, QString());
    if (!process)
        return fail(process.error().withContext(QStringLiteral("health check")));
    if (auto st = writeFileAtomically(processFile, QJsonDocument(*process).toJson()); !st)
        return fail(st.error());
    auto orDefault = [](qint64 value, qint64 fallback) { return value > 0 ? value : fallback; };
    return QStringList{
        QStringLiteral("--health-process"),
        processFile,
        QStringLiteral("--health-interval"),
        QString::number(orDefault(config.interval, HealthConfig::DefaultInterval)),
        QStringLiteral("--health-timeout"),
        QString::number(orDefault(config.timeout, HealthConfig::DefaultTimeout)),
        QStringLiteral("--health-start-period"),
        QString::number(qMax<qint64>(0, config.startPeriod)),
        QStringLiteral("--health-start-interval"),
        QString::number(orDefault(config.startInterval, HealthConfig::DefaultStartInterval)),
        QStringLiteral("--health-retries"),
        QString::number(config.retries > 0 ? config.retries : HealthConfig::DefaultRetries)};
}

void clear(const QString &containerDir) {
    for (const char *name : {Shim::HealthFile, Shim::HealthReportedFile, Shim::HealthPidFile,
                             Shim::HealthRuntimeLogFile})
        QFile::remove(fileIn(containerDir, name));
}

namespace {

QJsonObject readHealthFile(const QString &containerDir) {
    auto data = readFileLimited(fileIn(containerDir, Shim::HealthFile), 1 << 20);
    if (!data)
        return {};
    return QJsonDocument::fromJson(*data).object();
}

} // namespace

HealthState read(const QString &containerDir, const HealthConfig &config, bool running) {
    HealthState state;
    if (!config.runsProbe())
        return state;
    const QJsonObject o = readHealthFile(containerDir);
    if (o.isEmpty()) {
        if (running)
            state.status = HealthStatus::Starting;
        return state;
    }
    state.status = running ? statusFromName(o.value(QStringLiteral("Status")).toString())
                           : HealthStatus::Unhealthy;
    if (state.status == HealthStatus::None)
        state.status = HealthStatus::Starting;
    state.failingStreak = o.value(QStringLiteral("FailingStreak")).toInt();
    for (const QJsonValue &v : o.value(QStringLiteral("Log")).toArray()) {
        const QJsonObject e = v.toObject();
        HealthProbeResult r;
        r.start =
            QDateTime::fromString(e.value(QStringLiteral("Start")).toString(), Qt::ISODateWithMs);
        r.end = QDateTime::fromString(e.value(QStringLiteral("End")).toString(), Qt::ISODateWithMs);
        r.exitCode = e.value(QStringLiteral("ExitCode")).toInt();
        r.output = e.value(QStringLiteral("Output")).toString();
        state.log.append(r);
    }
    return state;
}

void recordEvents(const QString &containerDir, EventJournal &events, const QString &id,
                  const QJsonObject &attributes) {
    const QJsonArray changes =
        readHealthFile(containerDir).value(QStringLiteral("Changes")).toArray();
    if (changes.isEmpty())
        return;
    const qint64 newest = changes.last().toObject().value(QStringLiteral("Seq")).toInteger();
    const QByteArray reportedPath =
        QFile::encodeName(fileIn(containerDir, Shim::HealthReportedFile));
    const int fd = ::open(reportedPath.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    // One reader at a time: whoever holds the lock records what the file does not name yet.
    if (::flock(fd, LOCK_EX) == 0) {
        char buf[32] = {};
        const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
        const qint64 reported = n > 0 ? QByteArray(buf, int(n)).trimmed().toLongLong() : 0;
        if (newest > reported) {
            for (const QJsonValue &v : changes) {
                const QJsonObject change = v.toObject();
                if (change.value(QStringLiteral("Seq")).toInteger() <= reported)
                    continue;
                events.record(QStringLiteral("container"),
                              QStringLiteral("health_status: ") +
                                  change.value(QStringLiteral("Status")).toString(),
                              id, attributes);
            }
            const QByteArray text = QByteArray::number(newest) + '\n';
            if (::ftruncate(fd, 0) == 0 &&
                ::pwrite(fd, text.constData(), size_t(text.size()), 0) < 0) {
                // Not written: the next reader records these changes again; nothing better to do.
            }
        }
    }
    ::close(fd);
}

} // namespace HealthFiles

} // namespace Berth::Engine
