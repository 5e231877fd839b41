// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerstore.h"
#include "engine/core/textvalues.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Berth::Engine {

namespace {
QJsonArray toArray(const QStringList &list) {
    return QJsonArray::fromStringList(list);
}

QStringList fromArray(const QJsonValue &v) {
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out.append(e.toString());
    return out;
}

qint64 toNs(const QDateTime &t) {
    return t.isValid() ? t.toMSecsSinceEpoch() * 1000000LL : 0;
}
QDateTime fromNs(qint64 ns) {
    return ns > 0 ? QDateTime::fromMSecsSinceEpoch(ns / 1000000LL, Qt::UTC) : QDateTime();
}

const QString kColumns = QStringLiteral(
    "id, name, image_id, config, state, pid, shim_pid, exit_code, oom_killed, error, "
    "restart_count, created_at, started_at, finished_at, network");
} // namespace

QJsonObject PortBinding::toJson() const {
    return QJsonObject{{QStringLiteral("Protocol"), protocol},
                       {QStringLiteral("ContainerPort"), containerPort},
                       {QStringLiteral("HostIp"), hostIp},
                       {QStringLiteral("HostPort"), hostPort}};
}

PortBinding PortBinding::fromJson(const QJsonObject &o) {
    PortBinding p;
    p.protocol = o.value(QStringLiteral("Protocol")).toString(QStringLiteral("tcp"));
    p.containerPort = o.value(QStringLiteral("ContainerPort")).toInt();
    p.hostIp = o.value(QStringLiteral("HostIp")).toString();
    p.hostPort = o.value(QStringLiteral("HostPort")).toInt();
    return p;
}

QJsonObject NetworkSettings::toJson() const {
    QJsonArray portsJson;
    for (const PortBinding &p : ports)
        portsJson.append(p.toJson());
    return QJsonObject{
        {QStringLiteral("Network"), network},          {QStringLiteral("IPAddress"), ipAddress},
        {QStringLiteral("IPPrefixLen"), prefixLength}, {QStringLiteral("Gateway"), gateway},
        {QStringLiteral("MacAddress"), macAddress},    {QStringLiteral("Ports"), portsJson}};
}

NetworkSettings NetworkSettings::fromJson(const QJsonObject &o) {
    NetworkSettings n;
    n.network = o.value(QStringLiteral("Network")).toString();
    n.ipAddress = o.value(QStringLiteral("IPAddress")).toString();
    n.prefixLength = o.value(QStringLiteral("IPPrefixLen")).toInt();
    n.gateway = o.value(QStringLiteral("Gateway")).toString();
    n.macAddress = o.value(QStringLiteral("MacAddress")).toString();
    for (const QJsonValue &p : o.value(QStringLiteral("Ports")).toArray())
        n.ports.append(PortBinding::fromJson(p.toObject()));
    return n;
}

Status ContainerSpec::setLogDriver(const QString &name) {
    if (name.isEmpty() || name == QLatin1String("json-file"))
        logDriver = LogDriver::JsonFile;
    else if (name == QLatin1String("none"))
        logDriver = LogDriver::None;
    else
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("log driver %1 is not supported (json-file or none)").arg(name));
    return {};
}

QString ContainerSpec::logDriverName() const {
    return logDriver == LogDriver::None ? QStringLiteral("none") : QStringLiteral("json-file");
}

Status ContainerSpec::setLogOption(const QString &key, const QString &value) {
    if (logDriver == LogDriver::None)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("log option %1: the none log driver takes no options").arg(key));
    if (key == QLatin1String("max-size")) {
        const qint64 bytes = parseByteSize(value, SizeUnits::Binary);
        if (bytes <= 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("log option max-size: %1 is not a size").arg(value));
        logMaxSize = bytes;
        return {};
    }
    if (key == QLatin1String("max-file")) {
        bool ok = false;
        const int files = value.toInt(&ok);
        if (!ok || files < 1)
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("log option max-file: %1 is not a positive number").arg(value));
        logMaxFiles = files;
        return {};
    }
    return fail(ErrorKind::InvalidArgument,
                QStringLiteral("log option %1 is not supported (max-size, max-file)").arg(key));
}

QJsonObject ContainerSpec::toJson() const {
    QJsonObject labelsJson;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelsJson.insert(it.key(), it.value());
    QJsonObject o{
        {QStringLiteral("Image"), image},
        {QStringLiteral("Entrypoint"), toArray(entrypoint)},
        {QStringLiteral("Cmd"), toArray(cmd)},
        {QStringLiteral("Env"), toArray(env)},
        {QStringLiteral("WorkingDir"), workingDir},
        {QStringLiteral("User"), user},
        {QStringLiteral("Hostname"), hostname},
        {QStringLiteral("Labels"), labelsJson},
        {QStringLiteral("StopSignal"), stopSignal},
        {QStringLiteral("StopTimeout"), stopTimeout},
        {QStringLiteral("Init"), init},
        {QStringLiteral("ReadonlyRootfs"), readOnly},
        {QStringLiteral("AutoRemove"), autoRemove},
        {QStringLiteral("NoNewPrivileges"), noNewPrivileges},
        {QStringLiteral("Memory"), memory},
        {QStringLiteral("NanoCpus"), nanoCpus},
        {QStringLiteral("PidsLimit"), pidsLimit},
        {QStringLiteral("CapAdd"), toArray(capAdd)},
        {QStringLiteral("CapDrop"), toArray(capDrop)},
        {QStringLiteral("LogDriver"), logDriverName()},
        {QStringLiteral("LogMaxSize"), logMaxSize},
        {QStringLiteral("LogMaxFiles"), logMaxFiles},
        {QStringLiteral("Tty"), tty},
        {QStringLiteral("OpenStdin"), openStdin},
        {QStringLiteral("StdinOnce"), stdinOnce},
        {QStringLiteral("RestartPolicy"),
         QJsonObject{{QStringLiteral("Name"), restartPolicy.nameText()},
                     {QStringLiteral("MaximumRetryCount"), restartPolicy.maximumRetryCount}}},
    };
    QJsonArray mountsJson;
    for (const MountSpec &m : mounts)
        mountsJson.append(m.toJson());
    if (!mountsJson.isEmpty())
        o.insert(QStringLiteral("Mounts"), mountsJson);
    if (!networkMode.isEmpty())
        o.insert(QStringLiteral("NetworkMode"), networkMode);
    QJsonArray portsJson;
    for (const PortBinding &p : portBindings)
        portsJson.append(p.toJson());
    if (!portsJson.isEmpty())
        o.insert(QStringLiteral("PortBindings"), portsJson);
    if (publishAll)
        o.insert(QStringLiteral("PublishAllPorts"), true);
    if (!exposedPorts.isEmpty())
        o.insert(QStringLiteral("ExposedPorts"), toArray(exposedPorts));
    if (privileged)
        o.insert(QStringLiteral("Privileged"), true);
    if (!seccompProfile.isEmpty())
        o.insert(QStringLiteral("SeccompProfile"), seccompProfile);
    if (!healthcheck.isEmpty())
        o.insert(QStringLiteral("Healthcheck"), healthcheck.toJson());
    if (!shell.isEmpty())
        o.insert(QStringLiteral("Shell"), toArray(shell));
    return o;
}

ContainerSpec ContainerSpec::fromJson(const QJsonObject &o) {
    ContainerSpec s;
    s.image = o.value(QStringLiteral("Image")).toString();
    s.entrypoint = fromArray(o.value(QStringLiteral("Entrypoint")));
    s.cmd = fromArray(o.value(QStringLiteral("Cmd")));
    s.env = fromArray(o.value(QStringLiteral("Env")));
    s.workingDir = o.value(QStringLiteral("WorkingDir")).toString();
    s.user = o.value(QStringLiteral("User")).toString();
    s.hostname = o.value(QStringLiteral("Hostname")).toString();
    const QJsonObject labels = o.value(QStringLiteral("Labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        s.labels.insert(it.key(), it.value().toString());
    s.stopSignal = o.value(QStringLiteral("StopSignal")).toString();
    s.stopTimeout = o.value(QStringLiteral("StopTimeout")).toInt(-1);
    s.init = o.value(QStringLiteral("Init")).toBool();
    s.readOnly = o.value(QStringLiteral("ReadonlyRootfs")).toBool();
    s.autoRemove = o.value(QStringLiteral("AutoRemove")).toBool();
    s.noNewPrivileges = o.value(QStringLiteral("NoNewPrivileges")).toBool();
    s.memory = o.value(QStringLiteral("Memory")).toInteger();
    s.nanoCpus = o.value(QStringLiteral("NanoCpus")).toInteger();
    s.pidsLimit = o.value(QStringLiteral("PidsLimit")).toInteger();
    s.capAdd = fromArray(o.value(QStringLiteral("CapAdd")));
    s.capDrop = fromArray(o.value(QStringLiteral("CapDrop")));
    if (o.value(QStringLiteral("LogDriver")).toString() == QLatin1String("none"))
        s.logDriver = LogDriver::None;
    s.logMaxSize = o.value(QStringLiteral("LogMaxSize")).toInteger();
    s.logMaxFiles = o.value(QStringLiteral("LogMaxFiles")).toInt();
    for (const QJsonValue &m : o.value(QStringLiteral("Mounts")).toArray())
        s.mounts.append(MountSpec::fromJson(m.toObject()));
    s.networkMode = o.value(QStringLiteral("NetworkMode")).toString();
    for (const QJsonValue &p : o.value(QStringLiteral("PortBindings")).toArray())
        s.portBindings.append(PortBinding::fromJson(p.toObject()));
    s.publishAll = o.value(QStringLiteral("PublishAllPorts")).toBool();
    s.exposedPorts = fromArray(o.value(QStringLiteral("ExposedPorts")));
    s.privileged = o.value(QStringLiteral("Privileged")).toBool();
    s.seccompProfile = o.value(QStringLiteral("SeccompProfile")).toString();
    s.healthcheck =
        HealthConfig::fromJson(o.value(QStringLiteral("Healthcheck"))).value_or(HealthConfig());
    s.shell = fromArray(o.value(QStringLiteral("Shell")));
    s.tty = o.value(QStringLiteral("Tty")).toBool();
    s.openStdin = o.value(QStringLiteral("OpenStdin")).toBool();
    s.stdinOnce = o.value(QStringLiteral("StdinOnce")).toBool();
    const QJsonObject policy = o.value(QStringLiteral("RestartPolicy")).toObject();
    s.restartPolicy = RestartPolicy::parse(policy.value(QStringLiteral("Name")).toString())
                          .value_or(RestartPolicy());
    s.restartPolicy.maximumRetryCount = policy.value(QStringLiteral("MaximumRetryCount")).toInt();
    return s;
}

Result<RestartPolicy> RestartPolicy::parse(const QString &text) {
    RestartPolicy p;
    const QString name = text.section(QLatin1Char(':'), 0, 0);
    const QString count = text.section(QLatin1Char(':'), 1);
    if (name.isEmpty() || name == QLatin1String("no"))
        p.name = Name::No;
    else if (name == QLatin1String("on-failure"))
        p.name = Name::OnFailure;
    else if (name == QLatin1String("always"))
        p.name = Name::Always;
    else if (name == QLatin1String("unless-stopped"))
        p.name = Name::UnlessStopped;
    else
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid restart policy: %1 (use no, on-failure[:N], always or "
                                   "unless-stopped)")
                        .arg(text));
    if (text.contains(QLatin1Char(':'))) {
        bool ok = false;
        p.maximumRetryCount = count.toInt(&ok);
        if (p.name != Name::OnFailure)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid restart policy: maximum retry count can only be "
                                       "used with 'on-failure'"));
        if (!ok || p.maximumRetryCount < 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid restart policy: maximum retry count must be a "
                                       "number of 0 or more: %1")
                            .arg(text));
    }
    return p;
}

QString RestartPolicy::nameText() const {
    switch (name) {
    case Name::No:
        return QStringLiteral("no");
    case Name::OnFailure:
        return QStringLiteral("on-failure");
    case Name::Always:
        return QStringLiteral("always");
    case Name::UnlessStopped:
        return QStringLiteral("unless-stopped");
    }
    return QStringLiteral("no");
}

QString RestartPolicy::toString() const {
    if (name == Name::OnFailure && maximumRetryCount > 0)
        return nameText() + QLatin1Char(':') + QString::number(maximumRetryCount);
    return nameText();
}

bool RestartPolicy::restartsAfter(int exitCode, int restartCount) const {
    switch (name) {
    case Name::No:
        return false;
    case Name::Always:
    case Name::UnlessStopped:
        return true;
    case Name::OnFailure:
        return exitCode != 0 && (maximumRetryCount <= 0 || restartCount < maximumRetryCount);
    }
    return false;
}

QString containerStateName(ContainerState state) {
    switch (state) {
    case ContainerState::Created:
        return QStringLiteral("created");
    case ContainerState::Running:
        return QStringLiteral("running");
    case ContainerState::Exited:
        return QStringLiteral("exited");
    }
    return QStringLiteral("unknown");
}

static ContainerState stateFromName(const QString &name) {
    if (name == QLatin1String("running"))
        return ContainerState::Running;
    if (name == QLatin1String("exited"))
        return ContainerState::Exited;
    return ContainerState::Created;
}

ContainerStore::ContainerStore(Database &db)
    : m_db(db) {}

Status ContainerStore::add(const ContainerRecord &r) {
    auto q = m_db.exec(
        QStringLiteral("INSERT INTO containers (id, name, image_id, config, state, created_at) "
                       "VALUES (?,?,?,?,?,?)"),
        {r.id, r.name, r.imageId.toString(),
         QString::fromUtf8(QJsonDocument(r.spec.toJson()).toJson(QJsonDocument::Compact)),
         containerStateName(r.state), toNs(r.created)});
    if (!q) {
        if (q.error().kind == ErrorKind::AlreadyExists)
            return fail(ErrorKind::AlreadyExists,
                        QStringLiteral("the container name \"/%1\" is already in use").arg(r.name));
        return fail(q.error().withContext(QStringLiteral("create container %1").arg(r.name)));
    }
    return {};
}

Result<QList<ContainerRecord>> ContainerStore::query(const QString &where,
                                                     const QVariantList &bind) const {
    auto q = m_db.exec(QStringLiteral("SELECT %1 FROM containers %2 ORDER BY created_at DESC")
                           .arg(kColumns, where),
                       bind);
    if (!q)
        return fail(q.error());
    QList<ContainerRecord> out;
    while (q->next()) {
        ContainerRecord r;
        r.id = q->value(0).toString();
        r.name = q->value(1).toString();
        r.imageId = Digest::parse(q->value(2).toString()).value_or(Digest());
        r.spec = ContainerSpec::fromJson(
            QJsonDocument::fromJson(q->value(3).toString().toUtf8()).object());
        r.state = stateFromName(q->value(4).toString());
        r.pid = q->value(5).toLongLong();
        r.shimPid = q->value(6).toLongLong();
        r.exitCode = q->value(7).toInt();
        r.oomKilled = q->value(8).toInt() != 0;
        r.error = q->value(9).toString();
        r.restartCount = q->value(10).toInt();
        r.created = fromNs(q->value(11).toLongLong());
        r.started = fromNs(q->value(12).toLongLong());
        r.finished = fromNs(q->value(13).toLongLong());
        r.network = NetworkSettings::fromJson(
            QJsonDocument::fromJson(q->value(14).toString().toUtf8()).object());
        out.append(r);
    }
    return out;
}

Result<ContainerRecord> ContainerStore::get(const QString &id) const {
    auto rows = query(QStringLiteral("WHERE id = ?"), {id});
    if (!rows)
        return fail(rows.error());
    if (rows->isEmpty())
        return fail(ErrorKind::NotFound, QStringLiteral("no such container: %1").arg(id));
    return rows->first();
}

Result<ContainerRecord> ContainerStore::resolve(const QString &nameOrId) const {
    const QString key = nameOrId.startsWith(QLatin1Char('/')) ? nameOrId.mid(1) : nameOrId;
    if (key.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("empty container name"));
    auto rows = query(QStringLiteral("WHERE name = ? OR id = ?"), {key, key});
    if (!rows)
        return fail(rows.error());
    if (!rows->isEmpty())
        return rows->first();
    static const QRegularExpression hex(QStringLiteral("^[0-9a-f]{1,64}$"));
    if (hex.match(key).hasMatch()) {
        // Prefixes are compared with a range, which uses the primary key index.
        auto byPrefix =
            query(QStringLiteral("WHERE id >= ? AND id < ?"), {key, key + QStringLiteral("g")});
        if (!byPrefix)
            return fail(byPrefix.error());
        if (byPrefix->size() == 1)
            return byPrefix->first();
        if (byPrefix->size() > 1)
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("multiple containers found with provided prefix: %1").arg(key));
    }
    return fail(ErrorKind::NotFound, QStringLiteral("no such container: %1").arg(nameOrId));
}

QList<ContainerRecord> ContainerStore::list() const {
    return query(QString(), {}).value_or(QList<ContainerRecord>());
}

Status ContainerStore::remove(const QString &id) {
    auto q = m_db.exec(QStringLiteral("DELETE FROM containers WHERE id = ?"), {id});
    if (!q)
        return fail(q.error());
    return {};
}

Status ContainerStore::rename(const QString &id, const QString &newName) {
    auto q =
        m_db.exec(QStringLiteral("UPDATE containers SET name = ? WHERE id = ?"), {newName, id});
    if (!q) {
        if (q.error().kind == ErrorKind::AlreadyExists)
            return fail(
                ErrorKind::AlreadyExists,
                QStringLiteral("the container name \"/%1\" is already in use").arg(newName));
        return fail(q.error());
    }
    return {};
}

Status ContainerStore::setRunning(const QString &id, qint64 pid, qint64 shimPid,
                                  const QDateTime &started, const NetworkSettings &network,
                                  int restartCount) {
    const QString networkJson =
        network.isEmpty()
            ? QStringLiteral("{}")
            : QString::fromUtf8(QJsonDocument(network.toJson()).toJson(QJsonDocument::Compact));
    auto q = m_db.exec(
        QStringLiteral("UPDATE containers SET state = 'running', pid = ?, shim_pid = ?, "
                       "started_at = ?, exit_code = 0, oom_killed = 0, error = '', network = ?, "
                       "restart_count = ? WHERE id = ?"),
        {pid, shimPid, toNs(started), networkJson, restartCount, id});
    if (!q)
        return fail(q.error());
    return {};
}

Result<bool> ContainerStore::setRestarted(const QString &id, qint64 pid, const QDateTime &started,
                                          int restartCount, int lastExitCode,
                                          const QDateTime &lastFinished) {
    // Newer only, ordered by (restart count, start, end): a run that ended (state.json says
    // "restarting", same count and start), then the next run (count + 1).
    auto q = m_db.exec(
        QStringLiteral("UPDATE containers SET pid = ?, started_at = ?, restart_count = ?, "
                       "exit_code = ?, finished_at = ? WHERE id = ? AND state = 'running' AND "
                       "(restart_count < ? OR (restart_count = ? AND (started_at < ? OR "
                       "(started_at = ? AND finished_at < ?))))"),
        {pid, toNs(started), restartCount, lastExitCode, toNs(lastFinished), id, restartCount,
         restartCount, toNs(started), toNs(started), toNs(lastFinished)});
    if (!q)
        return fail(q.error());
    return q->numRowsAffected() > 0;
}

Result<bool> ContainerStore::setExited(const QString &id, const QDateTime &started, int exitCode,
                                       bool oomKilled, const QDateTime &finished,
                                       const QString &error, int restartCount) {
    auto q = m_db.exec(
        QStringLiteral("UPDATE containers SET state = 'exited', pid = 0, "
                       "shim_pid = 0, network = '{}', exit_code = ?, oom_killed = ?, "
                       "finished_at = ?, error = COALESCE(?, ''), restart_count = "
                       "MAX(restart_count, ?) WHERE id = ? AND state = 'running' "
                       "AND started_at = ?"),
        {exitCode, oomKilled ? 1 : 0, toNs(finished), error, restartCount, id, toNs(started)});
    if (!q)
        return fail(q.error());
    return q->numRowsAffected() > 0;
}

Status ContainerStore::setError(const QString &id, const QString &error) {
    auto q = m_db.exec(QStringLiteral("UPDATE containers SET error = COALESCE(?, '') WHERE id = ?"),
                       {error, id});
    if (!q)
        return fail(q.error());
    return {};
}

QHash<QString, int> ContainerStore::imageUseCounts() const {
    QHash<QString, int> out;
    auto q =
        m_db.exec(QStringLiteral("SELECT image_id, COUNT(*) FROM containers GROUP BY image_id"));
    if (!q)
        return out;
    while (q->next())
        out.insert(q->value(0).toString(), q->value(1).toInt());
    return out;
}

} // namespace Berth::Engine
