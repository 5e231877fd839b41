// SPDX-License-Identifier: GPL-3.0-or-later
// Container endpoints: list, create, inspect, life cycle, wait, logs, stats, top, changes,
// export, rename, prune, attach (output) and resize.
#include "api/server.h"
#include "api/streams.h"
#include "engine/core/directorywatch.h"
#include "engine/operations/filesystemoperations.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/containerinspect.h"
#include "engine/runtime/containerlogs.h"
#include "engine/runtime/containerstats.h"
#include "engine/runtime/ociruntime.h"
#include "engine/runtime/publishedports.h"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace Berth::Api {

using namespace Berth::Engine;

namespace {

Result<ContainerRecord> findContainer(Exchange &x, const QString &nameOrId) {
    auto record = x.engine.containers().get(nameOrId);
    if (!record && record.error().kind == ErrorKind::NotFound)
        return fail(ErrorKind::NotFound, QStringLiteral("No such container: %1").arg(nameOrId));
    return record;
}

Result<ContainerRecord> findContainer(Exchange &x) {
    return findContainer(x, x.params.value(0));
}

// ---- list ----

void listContainers(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    for (const QString &key : filters->keys()) {
        static const QStringList known{QStringLiteral("id"),       QStringLiteral("name"),
                                       QStringLiteral("status"),   QStringLiteral("label"),
                                       QStringLiteral("ancestor"), QStringLiteral("exited"),
                                       QStringLiteral("volume"),   QStringLiteral("before"),
                                       QStringLiteral("since"),    QStringLiteral("health")};
        if (!known.contains(key))
            return x.error(400, QStringLiteral("invalid filter '%1'").arg(key));
    }
    static const QStringList healthValues{QStringLiteral("starting"), QStringLiteral("healthy"),
                                          QStringLiteral("unhealthy"), QStringLiteral("none")};
    for (const QString &v : filters->value(QStringLiteral("health")))
        if (!healthValues.contains(v))
            return x.error(400, QStringLiteral("Unrecognised filter value for health: %1").arg(v));
    const bool all = x.request.flag(QStringLiteral("all"));
    const bool size = x.request.flag(QStringLiteral("size"));
    const int limit = x.request.value(QStringLiteral("limit")).toInt();
    ContainerRuntime &rt = x.engine.containers();
    QList<ContainerRecord> records = rt.list();
    std::sort(
        records.begin(), records.end(),
        [](const ContainerRecord &a, const ContainerRecord &b) { return a.created > b.created; });
    auto any = [&](const QString &key, const std::function<bool(const QString &)> &test) {
        const QStringList wanted = filters->value(key);
        if (wanted.isEmpty())
            return true;
        return std::any_of(wanted.begin(), wanted.end(), test);
    };
    QJsonArray out;
    for (const ContainerRecord &r : std::as_const(records)) {
        const QString state = containerStateText(rt, r);
        const bool statusFiltered = filters->contains(QStringLiteral("status"));
        if (!all && !r.isRunning() && !statusFiltered)
            continue;
        if (!any(QStringLiteral("id"), [&](const QString &v) { return r.id.startsWith(v); }) ||
            !any(QStringLiteral("name"),
                 [&](const QString &v) {
                     return r.name.contains(
                         QRegularExpression(v.startsWith(QLatin1Char('/')) ? v.mid(1) : v));
                 }) ||
            !any(QStringLiteral("status"), [&](const QString &v) { return v == state; }) ||
            !any(QStringLiteral("health"),
                 [&](const QString &v) { return v == healthStatusName(r.health.status); }) ||
            !any(QStringLiteral("exited"),
                 [&](const QString &v) {
                     return r.state == ContainerState::Exited && v.toInt() == r.exitCode;
                 }) ||
            !any(QStringLiteral("ancestor"),
                 [&](const QString &v) {
                     if (r.spec.image == v || r.imageId.toString().startsWith(v) ||
                         r.imageId.toString().mid(7).startsWith(v))
                         return true;
                     auto image = x.engine.images().resolve(v);
                     return image && image->id == r.imageId;
                 }) ||
            !any(QStringLiteral("volume"),
                 [&](const QString &v) {
                     return std::any_of(
                         r.spec.mounts.begin(), r.spec.mounts.end(),
                         [&](const MountSpec &m) { return m.source == v || m.destination == v; });
                 }) ||
            !any(QStringLiteral("label"), [&](const QString &v) {
                const qsizetype eq = v.indexOf(QLatin1Char('='));
                return eq < 0 ? r.spec.labels.contains(v)
                              : r.spec.labels.contains(v.left(eq)) &&
                                    r.spec.labels.value(v.left(eq)) == v.mid(eq + 1);
            }))
            continue;
        out.append(containerSummaryJson(rt, r, size));
        if (limit > 0 && out.size() >= limit)
            break;
    }
    x.json(200, out);
}

// ---- create ----

// A strslice: Docker accepts a string or an array of strings.
std::optional<QStringList> stringList(const QJsonValue &v, bool splitString = false) {
    if (v.isNull() || v.isUndefined())
        return QStringList();
    if (v.isString())
        return splitString ? QStringList{v.toString()} : QStringList{v.toString()};
    if (!v.isArray())
        return std::nullopt;
    QStringList out;
    for (const QJsonValue &item : v.toArray()) {
        if (!item.isString())
            return std::nullopt;
        out << item.toString();
    }
    return out;
}

// HostConfig fields Berth does not apply. dockerd's clients send most of them with their zero
// value (the docker CLI sends nearly all), so a field is refused, with 400 naming it, only
// when it asks for something: never accepted and ignored.
bool asksForNothing(const QJsonValue &v) {
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return true;
    case QJsonValue::Bool:
        return !v.toBool();
    case QJsonValue::Double:
        return v.toDouble() == 0;
    case QJsonValue::String:
        return v.toString().isEmpty();
    case QJsonValue::Array:
        return v.toArray().isEmpty();
    case QJsonValue::Object:
        return v.toObject().isEmpty();
    }
    return false;
}

Status refuseUnapplied(const QJsonObject &host) {
    // Each with the values that mean what Berth does anyway.
    static const QList<std::pair<QLatin1String, QJsonValue>> fields{
        {QLatin1String("BlkioWeight"), {}},
        {QLatin1String("BlkioWeightDevice"), {}},
        {QLatin1String("BlkioDeviceReadBps"), {}},
        {QLatin1String("BlkioDeviceWriteBps"), {}},
        {QLatin1String("BlkioDeviceReadIOps"), {}},
        {QLatin1String("BlkioDeviceWriteIOps"), {}},
        {QLatin1String("CgroupParent"), {}},
        {QLatin1String("CgroupnsMode"), QStringLiteral("host")},
        {QLatin1String("Cgroup"), {}},
        {QLatin1String("ContainerIDFile"), {}},
        {QLatin1String("CpuCount"), {}},
        {QLatin1String("CpuPercent"), {}},
        {QLatin1String("CpuRealtimePeriod"), {}},
        {QLatin1String("CpuRealtimeRuntime"), {}},
        {QLatin1String("CpuShares"), {}},
        {QLatin1String("CpusetCpus"), {}},
        {QLatin1String("CpusetMems"), {}},
        {QLatin1String("DeviceCgroupRules"), {}},
        {QLatin1String("DeviceRequests"), {}},
        {QLatin1String("Devices"), {}},
        {QLatin1String("Dns"), {}},
        {QLatin1String("DnsOptions"), {}},
        {QLatin1String("DnsSearch"), {}},
        {QLatin1String("ExtraHosts"), {}},
        {QLatin1String("GroupAdd"), {}},
        {QLatin1String("IOMaximumBandwidth"), {}},
        {QLatin1String("IOMaximumIOps"), {}},
        {QLatin1String("IpcMode"), QStringLiteral("private")},
        {QLatin1String("Isolation"), QStringLiteral("default")},
        {QLatin1String("KernelMemory"), {}},
        {QLatin1String("KernelMemoryTCP"), {}},
        {QLatin1String("Links"), {}},
        {QLatin1String("MaskedPaths"), {}},
        {QLatin1String("MemoryReservation"), {}},
        {QLatin1String("MemorySwappiness"), -1},
        {QLatin1String("OomKillDisable"), {}},
        {QLatin1String("OomScoreAdj"), {}},
        {QLatin1String("PidMode"), {}},
        {QLatin1String("ReadonlyPaths"), {}},
        {QLatin1String("ShmSize"), qint64(64) << 20},
        {QLatin1String("StorageOpt"), {}},
        {QLatin1String("Sysctls"), {}},
        {QLatin1String("Tmpfs"), {}},
        {QLatin1String("UTSMode"), {}},
        {QLatin1String("Ulimits"), {}},
        {QLatin1String("UsernsMode"), {}},
        {QLatin1String("VolumeDriver"), QStringLiteral("local")},
        {QLatin1String("VolumesFrom"), {}},
        {QLatin1String("Annotations"), {}},
    };
    for (const auto &[field, usual] : fields) {
        const QJsonValue v = host.value(field);
        if (asksForNothing(v) || v == usual ||
            (v.isDouble() && usual.isDouble() && v.toDouble() == usual.toDouble()))
            continue;
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("HostConfig.%1 is not supported by Berth (got %2); leave it "
                                   "unset")
                        .arg(field, QString::fromUtf8(QJsonDocument(QJsonArray{v})
                                                          .toJson(QJsonDocument::Compact)
                                                          .chopped(1)
                                                          .mid(1))));
    }
    return {};
}

// Reading the create request's JSON: a wrong type is a 400 naming the field.
Status badField(const QString &field) {
    return fail(ErrorKind::InvalidArgument,
                QStringLiteral("invalid value for %1 in the request body").arg(field));
}

Status readStrings(const QJsonObject &o, const QString &key, QStringList &target) {
    auto list = stringList(o.value(key));
    if (!list)
        return badField(key);
    target = *list;
    return {};
}

Status readString(const QJsonObject &o, const QString &key, QString &target) {
    const QJsonValue v = o.value(key);
    if (!v.isNull() && !v.isUndefined() && !v.isString())
        return badField(key);
    target = v.toString();
    return {};
}

Status readInteger(const QJsonObject &o, const QString &key, qint64 &target) {
    const QJsonValue v = o.value(key);
    if (v.isNull() || v.isUndefined())
        return {};
    if (!v.isDouble() || v.toDouble() < 0)
        return badField(key);
    target = qint64(v.toDouble());
    return {};
}

Status readBoolean(const QJsonObject &o, const QString &key, bool &target) {
    const QJsonValue v = o.value(key);
    if (v.isNull() || v.isUndefined())
        return {};
    if (!v.isBool())
        return badField(key);
    target = v.toBool();
    return {};
}

#define BERTH_TRY(expr)                                                                            \
    if (auto st = (expr); !st)                                                                     \
        return std::unexpected(st.error());

// The container's Config: image, command, environment, labels, health check.
Status configFrom(const QJsonObject &body, CreateRequest &request) {
    ContainerSpec &s = request.spec;
    BERTH_TRY(readString(body, QStringLiteral("Image"), s.image));
    if (s.image.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("no image given (\"Image\")"));
    BERTH_TRY(readStrings(body, QStringLiteral("Cmd"), s.cmd));
    if (body.contains(QStringLiteral("Entrypoint")) &&
        !body.value(QStringLiteral("Entrypoint")).isNull()) {
        BERTH_TRY(readStrings(body, QStringLiteral("Entrypoint"), s.entrypoint));
        request.entrypointSet = true;
    }
    BERTH_TRY(readStrings(body, QStringLiteral("Env"), s.env));
    BERTH_TRY(readString(body, QStringLiteral("WorkingDir"), s.workingDir));
    BERTH_TRY(readString(body, QStringLiteral("User"), s.user));
    BERTH_TRY(readString(body, QStringLiteral("Hostname"), s.hostname));
    BERTH_TRY(readString(body, QStringLiteral("StopSignal"), s.stopSignal));
    BERTH_TRY(readBoolean(body, QStringLiteral("Tty"), s.tty));
    BERTH_TRY(readBoolean(body, QStringLiteral("OpenStdin"), s.openStdin));
    BERTH_TRY(readBoolean(body, QStringLiteral("StdinOnce"), s.stdinOnce));
    auto health = HealthConfig::fromJson(body.value(QStringLiteral("Healthcheck")));
    if (!health)
        return std::unexpected(health.error());
    s.healthcheck = *health;
    BERTH_TRY(readStrings(body, QStringLiteral("Shell"), s.shell));
    if (const QJsonValue t = body.value(QStringLiteral("StopTimeout")); t.isDouble())
        s.stopTimeout = t.toInt();
    const QJsonValue labels = body.value(QStringLiteral("Labels"));
    if (!labels.isNull() && !labels.isUndefined() && !labels.isObject())
        return badField(QStringLiteral("Labels"));
    const QJsonObject labelObject = labels.toObject();
    for (auto it = labelObject.begin(); it != labelObject.end(); ++it)
        s.labels.insert(it.key(), it->toString());
    return {};
}

Status restartPolicyFrom(const QJsonObject &host, ContainerSpec &s) {
    const QJsonValue policyValue = host.value(QStringLiteral("RestartPolicy"));
    if (!policyValue.isNull() && !policyValue.isUndefined() && !policyValue.isObject())
        return badField(QStringLiteral("RestartPolicy"));
    if (const QJsonObject policy = policyValue.toObject(); !policy.isEmpty()) {
        QString name;
        qint64 retries = 0;
        BERTH_TRY(readString(policy, QStringLiteral("Name"), name));
        BERTH_TRY(readInteger(policy, QStringLiteral("MaximumRetryCount"), retries));
        auto parsed = RestartPolicy::parse(name.isEmpty() ? QStringLiteral("no") : name);
        if (!parsed)
            return std::unexpected(parsed.error());
        if (retries > 0 && parsed->name != RestartPolicy::Name::OnFailure)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("maximum retry count cannot be used with restart policy "
                                       "'%1'")
                            .arg(name));
        parsed->maximumRetryCount = int(retries);
        s.restartPolicy = *parsed;
    }
    return {};
}

Status resourcesFrom(const QJsonObject &host, ContainerSpec &s) {
    BERTH_TRY(readInteger(host, QStringLiteral("Memory"), s.memory));
    // Berth gives a limited container as much swap as memory (Docker's default): MemorySwap
    // (memory plus swap) can only say that.
    qint64 memorySwap = 0;
    BERTH_TRY(readInteger(host, QStringLiteral("MemorySwap"), memorySwap));
    if (memorySwap != 0 && (s.memory == 0 || memorySwap != 2 * s.memory))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("HostConfig.MemorySwap is not supported by Berth except as "
                                   "twice Memory (its default: as much swap as memory)"));
    BERTH_TRY(readInteger(host, QStringLiteral("NanoCpus"), s.nanoCpus));
    qint64 quota = 0, period = 0;
    BERTH_TRY(readInteger(host, QStringLiteral("CpuQuota"), quota));
    BERTH_TRY(readInteger(host, QStringLiteral("CpuPeriod"), period));
    if (quota > 0 && s.nanoCpus == 0)
        s.nanoCpus = quota * 1'000'000'000 / (period > 0 ? period : 100'000);
    if (const QJsonValue pids = host.value(QStringLiteral("PidsLimit")); pids.isDouble())
        s.pidsLimit = std::max<qint64>(0, qint64(pids.toDouble()));
    return {};
}

Status securityFrom(const QJsonObject &host, ContainerSpec &s) {
    BERTH_TRY(readStrings(host, QStringLiteral("CapAdd"), s.capAdd));
    BERTH_TRY(readStrings(host, QStringLiteral("CapDrop"), s.capDrop));
    QStringList securityOpt;
    BERTH_TRY(readStrings(host, QStringLiteral("SecurityOpt"), securityOpt));
    for (const QString &opt : std::as_const(securityOpt)) {
        if (opt.startsWith(QLatin1String("no-new-privileges"))) {
            s.noNewPrivileges = !opt.endsWith(QLatin1String("false"));
        } else if (opt.startsWith(QLatin1String("seccomp=")) ||
                   opt.startsWith(QLatin1String("seccomp:"))) {
            // The docker CLI sends the profile's JSON itself, not its path.
            s.seccompProfile = opt.mid(8);
        } else {
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("unsupported security option: %1").arg(opt));
        }
    }
    BERTH_TRY(readBoolean(host, QStringLiteral("Privileged"), s.privileged));
    return {};
}

// HostConfig.PortBindings and Config.ExposedPorts.
Status portsFrom(const QJsonObject &body, const QJsonObject &host, ContainerSpec &s) {
    // {"80/tcp": [{"HostIp": "", "HostPort": "8080"}]}; an empty HostPort means any port.
    const QJsonObject bindings = host.value(QStringLiteral("PortBindings")).toObject();
    for (auto it = bindings.begin(); it != bindings.end(); ++it) {
        auto keys = parseExposedPorts(it.key());
        if (!keys || keys->size() != 1)
            return badField(QStringLiteral("PortBindings"));
        for (const QJsonValue &v : it->toArray()) {
            const QJsonObject b = v.toObject();
            const QString hostIp = b.value(QStringLiteral("HostIp")).toString();
            const QString hostPort = b.value(QStringLiteral("HostPort")).toString();
            QString text = hostPort + QLatin1Char(':') + keys->first();
            if (!hostIp.isEmpty())
                text.prepend((hostIp.contains(QLatin1Char(':'))
                                  ? QLatin1Char('[') + hostIp + QLatin1Char(']')
                                  : hostIp) +
                             QLatin1Char(':'));
            else if (hostPort.isEmpty())
                text = keys->first();
            auto parsed = parsePublishOption(text);
            if (!parsed)
                return std::unexpected(parsed.error());
            s.portBindings += *parsed;
        }
    }
    const QJsonObject exposed = body.value(QStringLiteral("ExposedPorts")).toObject();
    for (auto it = exposed.begin(); it != exposed.end(); ++it) {
        auto keys = parseExposedPorts(it.key());
        if (!keys)
            return std::unexpected(keys.error());
        s.exposedPorts += *keys;
    }
    return {};
}

Status logConfigFrom(const QJsonObject &host, ContainerSpec &s) {
    const QJsonObject logConfig = host.value(QStringLiteral("LogConfig")).toObject();
    if (auto st = s.setLogDriver(logConfig.value(QStringLiteral("Type")).toString()); !st)
        return std::unexpected(st.error());
    const QJsonObject logOpts = logConfig.value(QStringLiteral("Config")).toObject();
    for (auto it = logOpts.begin(); it != logOpts.end(); ++it)
        if (auto st = s.setLogOption(it.key(), it->toString()); !st)
            return std::unexpected(st.error());
    return {};
}

// HostConfig.Binds and Mounts, then Config.Volumes where neither covers the path.
Status mountsFrom(const QJsonObject &body, const QJsonObject &host, ContainerSpec &s) {
    // Anonymous volumes asked for in the config ("Volumes": {"/data": {}}); added after the
    // binds and mounts below, which replace one on the same path (as dockerd does: docker-py's
    // containers.run(volumes=...) sends every bind in both places).
    QList<MountSpec> configVolumes;
    const QJsonObject volumes = body.value(QStringLiteral("Volumes")).toObject();
    for (auto it = volumes.begin(); it != volumes.end(); ++it) {
        auto m = parseVolumeOption(it.key());
        if (!m)
            return std::unexpected(m.error());
        configVolumes.append(*m);
    }

    QStringList binds;
    BERTH_TRY(readStrings(host, QStringLiteral("Binds"), binds));
    for (const QString &bind : std::as_const(binds)) {
        auto m = parseVolumeOption(bind);
        if (!m)
            return std::unexpected(m.error());
        s.mounts.append(*m);
    }
    for (const QJsonValue &v : host.value(QStringLiteral("Mounts")).toArray()) {
        const QJsonObject o = v.toObject();
        MountSpec m;
        m.type = o.value(QStringLiteral("Type")).toString(QStringLiteral("volume"));
        m.source = o.value(QStringLiteral("Source")).toString();
        m.destination = o.value(QStringLiteral("Target")).toString();
        m.readOnly = o.value(QStringLiteral("ReadOnly")).toBool();
        if (m.type != QLatin1String("volume") && m.type != QLatin1String("bind"))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("mount type %1 is not supported").arg(m.type));
        if (m.destination.isEmpty())
            return fail(ErrorKind::InvalidArgument, QStringLiteral("a mount needs a Target"));
        m.anonymous = m.type == QLatin1String("volume") && m.source.isEmpty();
        s.mounts.append(m);
    }
    for (const MountSpec &m : std::as_const(configVolumes))
        if (std::none_of(s.mounts.cbegin(), s.mounts.cend(), [&](const MountSpec &other) {
                return other.destination == m.destination;
            }))
            s.mounts.append(m);
    return {};
}

Result<CreateRequest> createRequestFrom(const QJsonObject &body, const QString &name) {
    CreateRequest request;
    request.name = name.startsWith(QLatin1Char('/')) ? name.mid(1) : name;
    ContainerSpec &s = request.spec;
    BERTH_TRY(configFrom(body, request));
    const QJsonValue hostValue = body.value(QStringLiteral("HostConfig"));
    if (!hostValue.isNull() && !hostValue.isUndefined() && !hostValue.isObject())
        return std::unexpected(badField(QStringLiteral("HostConfig")).error());
    const QJsonObject host = hostValue.toObject();
    BERTH_TRY(refuseUnapplied(host));
    BERTH_TRY(readBoolean(host, QStringLiteral("AutoRemove"), s.autoRemove));
    BERTH_TRY(restartPolicyFrom(host, s));
    if (const QJsonValue init = host.value(QStringLiteral("Init")); init.isBool())
        s.init = init.toBool();
    BERTH_TRY(readBoolean(host, QStringLiteral("ReadonlyRootfs"), s.readOnly));
    BERTH_TRY(resourcesFrom(host, s));
    BERTH_TRY(securityFrom(host, s));
    BERTH_TRY(readString(host, QStringLiteral("NetworkMode"), s.networkMode));
    BERTH_TRY(readBoolean(host, QStringLiteral("PublishAllPorts"), s.publishAll));
    BERTH_TRY(portsFrom(body, host, s));
    BERTH_TRY(logConfigFrom(host, s));
    BERTH_TRY(mountsFrom(body, host, s));
    return request;
}
#undef BERTH_TRY

void createContainer(Exchange &x) {
    auto body = x.jsonBody();
    if (!body)
        return;
    auto request = createRequestFrom(*body, x.request.value(QStringLiteral("name")));
    if (!request)
        return x.error(request.error());
    if (auto image = x.engine.images().resolve(request->spec.image); !image)
        return x.error(404, QStringLiteral("No such image: %1").arg(request->spec.image));
    // The OCI runtime is the one Berth found working (berthctl info); asking for another is
    // refused rather than ignored.
    const QString runtime = body->value(QStringLiteral("HostConfig"))
                                .toObject()
                                .value(QStringLiteral("Runtime"))
                                .toString();
    if (auto rt = x.engine.containers().runtime();
        !runtime.isEmpty() && (!rt || rt->name() != runtime))
        return x.error(400, QStringLiteral("HostConfig.Runtime %1 is not available: Berth runs "
                                           "containers with %2")
                                .arg(runtime, rt ? rt->name() : QStringLiteral("no runtime")));
    auto record = x.engine.containers().create(*request);
    if (!record) {
        if (record.error().kind == ErrorKind::AlreadyExists)
            return x.error(409, QStringLiteral("Conflict. The container name \"/%1\" is already "
                                               "in use. You have to remove (or rename) that "
                                               "container to be able to reuse that name.")
                                    .arg(request->name));
        return x.error(record.error());
    }
    x.json(201, QJsonObject{{QStringLiteral("Id"), record->id},
                            {QStringLiteral("Warnings"), QJsonArray()}});
}

// ---- inspect, life cycle ----

void inspectContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    QJsonObject o = containerInspectJson(x.engine.containers(), *record);
    if (!x.request.flag(QStringLiteral("size")))
        o.remove(QStringLiteral("SizeRw"));
    x.json(200, o);
}

int timeoutFrom(Exchange &x) {
    bool ok = false;
    const int t = x.request.value(QStringLiteral("t")).toInt(&ok);
    return ok ? t : -1;
}

void startContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (record->isRunning())
        return (void)x.connection.respond(304, {}, {});
    ContainerRuntime::StartOptions options;
    if (x.server.sessionWaiting(record->id))
        options.mode = ContainerRuntime::StartMode::Attached;
    auto started = x.engine.containers().start(record->id, options);
    if (!started)
        return x.error(started.error());
    x.noContent();
}

void stopContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (!record->isRunning())
        return (void)x.connection.respond(304, {}, {});
    if (auto st = x.engine.containers().stop(record->id, timeoutFrom(x)); !st)
        return x.error(st.error());
    x.noContent();
}

void restartContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (auto st = x.engine.containers().restart(record->id, timeoutFrom(x)); !st)
        return x.error(st.error());
    x.noContent();
}

void killContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    QString name = x.request.value(QStringLiteral("signal"));
    int signal = SIGKILL;
    if (!name.isEmpty()) {
        bool numeric = false;
        signal = name.toInt(&numeric);
        if (!numeric)
            signal = signalFromName(name);
        if (signal <= 0)
            return x.error(400, QStringLiteral("Invalid signal: %1").arg(name));
    }
    if (!record->isRunning())
        return x.error(409, QStringLiteral("Cannot kill container: %1: Container %2 is not "
                                           "running")
                                .arg(x.params.value(0), record->id));
    if (auto st = x.engine.containers().kill(record->id, signal); !st)
        return x.error(st.error());
    x.noContent();
}

// POST /commit?container=&repo=&tag=&comment=&author=&changes=&pause=: an image from the
// container's changes. As dockerd, a running container is paused meanwhile unless pause=0.
// Config overrides in the body are refused (the `changes` instructions say the same).
void commitContainer(Exchange &x) {
    auto body = x.jsonBody(true);
    if (!body)
        return;
    for (auto it = body->begin(); it != body->end(); ++it)
        if (!it->isNull())
            return x.error(400, QStringLiteral("commit: the config field %1 is not supported by "
                                               "Berth; use changes=DOCKERFILE-INSTRUCTION")
                                    .arg(it.key()));
    auto record = findContainer(x, x.request.value(QStringLiteral("container")));
    if (!record)
        return x.error(record.error());
    CommitOptions options;
    const QString repo = x.request.value(QStringLiteral("repo"));
    const QString tag = x.request.value(QStringLiteral("tag"));
    if (!repo.isEmpty())
        options.reference = tag.isEmpty() ? repo : repo + QLatin1Char(':') + tag;
    options.message = x.request.value(QStringLiteral("comment"));
    options.author = x.request.value(QStringLiteral("author"));
    for (const auto &[key, value] : x.request.query)
        if (key == QLatin1String("changes") && !value.trimmed().isEmpty())
            options.changes += value.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    ContainerRuntime &rt = x.engine.containers();
    const bool pause = x.request.flag(QStringLiteral("pause"), true) && record->isRunning() &&
                       !ContainerControl::isPaused(rt, record->id);
    if (pause)
        if (auto st = ContainerControl::pause(rt, record->id); !st)
            return x.error(st.error());
    auto image = x.engine.filesystem().commit(record->id, options);
    if (pause)
        (void)ContainerControl::unpause(rt, record->id);
    if (!image)
        return x.error(image.error());
    x.json(201, QJsonObject{{QStringLiteral("Id"), image->id.toString()}});
}

void pauseContainer(Exchange &x, bool pause) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (!record->isRunning())
        return x.error(409, QStringLiteral("Container %1 is not running").arg(record->id));
    const Status st = pause ? ContainerControl::pause(x.engine.containers(), record->id)
                            : ContainerControl::unpause(x.engine.containers(), record->id);
    if (!st)
        return x.error(st.error());
    x.noContent();
}

void removeContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    const bool force = x.request.flag(QStringLiteral("force"));
    if (record->isRunning() && !force)
        return x.error(409, QStringLiteral("You cannot remove a running container %1. Stop the "
                                           "container before attempting removal or force "
                                           "remove")
                                .arg(record->id));
    auto st = x.engine.containers().remove(
        record->id, force ? ContainerRuntime::Force::Yes : ContainerRuntime::Force::No,
        x.request.flag(QStringLiteral("v")) ? ContainerRuntime::RemoveVolumes::Yes
                                            : ContainerRuntime::RemoveVolumes::No);
    if (!st)
        return x.error(st.error());
    x.noContent();
}

void renameContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    const QString name = x.request.value(QStringLiteral("name"));
    if (auto st = x.engine.containers().rename(
            record->id, name.startsWith(QLatin1Char('/')) ? name.mid(1) : name);
        !st)
        return x.error(st.error());
    x.noContent();
}

void pruneContainers(Exchange &x) {
    auto report = x.engine.containers().prune();
    if (!report)
        return x.error(report.error());
    x.json(200, QJsonObject{{QStringLiteral("ContainersDeleted"),
                             report->removed.isEmpty()
                                 ? QJsonValue(QJsonValue::Null)
                                 : QJsonValue(QJsonArray::fromStringList(report->removed))},
                            {QStringLiteral("SpaceReclaimed"), report->reclaimedBytes}});
}

// POST /containers/{id}/wait?condition=not-running|next-exit|removed. The headers go out at
// once (clients start the container after sending this), the result when the condition holds.
void waitContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    const QString condition = x.request.value(QStringLiteral("condition"));
    if (!condition.isEmpty() && condition != QLatin1String("not-running") &&
        condition != QLatin1String("next-exit") && condition != QLatin1String("removed"))
        return x.error(400, QStringLiteral("invalid condition: %1").arg(condition));
    if (!x.connection.beginChunked(200, "application/json"))
        return;
    ContainerRuntime &rt = x.engine.containers();
    const QDateTime since = QDateTime::currentDateTimeUtc();
    const bool nextExit = condition == QLatin1String("next-exit");
    const bool removed = condition == QLatin1String("removed");
    ContainerRecord last = *record;
    QString error;
    // Its start, exit (the shim writes exit.json and lets go of shim.lock) and removal change
    // the container's directory, which wakes the wait; stopping() is looked at every second.
    const DirectoryWatch changed(rt.directory(last.id));
    for (;;) {
        auto now = rt.get(last.id);
        if (!now) {
            if (now.error().kind != ErrorKind::NotFound)
                error = now.error().message;
            break; // removed
        }
        last = *now;
        const bool exitedSince = !last.isRunning() && last.finished.isValid() &&
                                 last.finished >= since.addMSecs(-1000) &&
                                 last.state == ContainerState::Exited;
        const bool done = nextExit ? exitedSince || (record->isRunning() && !last.isRunning())
                                   : !last.isRunning() && (removed ? false : true);
        if (removed && !last.isRunning() && last.state == ContainerState::Exited &&
            last.spec.autoRemove) {
            x.server.waitForAttachers(last.id, 5000);
            (void)rt.remove(last.id, ContainerRuntime::Force::No);
            continue;
        }
        if (done && !(nextExit && last.state == ContainerState::Created))
            break;
        if (x.server.stopping() || x.connection.peerGone())
            return;
        changed.wait(1000, x.connection.fd());
    }
    x.connection.writeChunk(
        QJsonDocument(QJsonObject{{QStringLiteral("StatusCode"), last.exitCode},
                                  {QStringLiteral("Error"),
                                   error.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                   : QJsonValue(QJsonObject{
                                                         {QStringLiteral("Message"), error}})}})
            .toJson(QJsonDocument::Compact) +
        '\n');
    x.connection.endChunked();
}

// ---- logs, attach ----

void logs(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    LogStreamOptions options;
    options.stdoutWanted = x.request.flag(QStringLiteral("stdout"));
    options.stderrWanted = x.request.flag(QStringLiteral("stderr"));
    if (!options.stdoutWanted && !options.stderrWanted)
        return x.error(400, QStringLiteral("Bad parameters: you must choose at least one stream"));
    options.follow = x.request.flag(QStringLiteral("follow"));
    options.timestamps = x.request.flag(QStringLiteral("timestamps"));
    const QString tail = x.request.value(QStringLiteral("tail"));
    if (!tail.isEmpty() && tail != QLatin1String("all")) {
        bool ok = false;
        options.query.tail = tail.toInt(&ok);
        if (!ok || options.query.tail < 0)
            return x.error(400, QStringLiteral("invalid tail: %1").arg(tail));
    }
    for (const auto &[key, target] : {std::pair{QStringLiteral("since"), &options.query.sinceNs},
                                      std::pair{QStringLiteral("until"), &options.query.untilNs}}) {
        const QString text = x.request.value(key);
        if (text.isEmpty() || text == QLatin1String("0"))
            continue;
        auto ns = parseLogTime(text);
        if (!ns)
            return x.error(400, QStringLiteral("invalid %1: %2").arg(key, text));
        *target = *ns;
    }
    if (auto readable = logsReadable(record->spec); !readable)
        return x.error(501, readable.error().message);
    options.tty = isTty(*record);
    if (!x.connection.beginChunked(200, options.tty ? "application/vnd.docker.raw-stream"
                                                    : "application/vnd.docker.multiplexed-stream"))
        return;
    StreamSink sink = [&](const QByteArray &data) { return x.connection.writeChunk(data); };
    streamLogs(x, *record, options, sink);
    x.connection.endChunked();
}

// Output of the container from now on (and its past log with logs=1) until it stops. Stdin
// is forwarded when the runtime offers an attach socket (see streams.h).
void attachContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (!x.request.flag(QStringLiteral("stream")) && !x.request.flag(QStringLiteral("logs")))
        return x.error(400, QStringLiteral("Bad parameters: you must choose at least one stream"));
    attachStreams(x, *record);
}

void resizeContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    bool okH = false, okW = false;
    const int h = x.request.value(QStringLiteral("h")).toInt(&okH);
    const int w = x.request.value(QStringLiteral("w")).toInt(&okW);
    if (!okH || !okW || h <= 0 || w <= 0)
        return x.error(400, QStringLiteral("invalid size: h and w must be positive numbers"));
    if (auto st = resizeTerminal(x, *record, h, w); !st)
        return x.error(st.error());
    x.connection.respond(200, "text/plain", {});
}

// ---- stats, top, changes, export ----

QJsonObject statsJson(const ContainerRecord &r, const ContainerStatsSample &now,
                      const ContainerStatsSample &before) {
    auto cpu = [](const ContainerStatsSample &s) {
        return QJsonObject{
            {QStringLiteral("cpu_usage"),
             QJsonObject{{QStringLiteral("total_usage"), qint64(s.cpuUsageNs)},
                         {QStringLiteral("usage_in_kernelmode"), 0},
                         {QStringLiteral("usage_in_usermode"), qint64(s.cpuUsageNs)}}},
            {QStringLiteral("system_cpu_usage"), qint64(s.systemUsageNs)},
            {QStringLiteral("online_cpus"), s.onlineCpus},
            {QStringLiteral("throttling_data"),
             QJsonObject{{QStringLiteral("periods"), 0},
                         {QStringLiteral("throttled_periods"), 0},
                         {QStringLiteral("throttled_time"), 0}}}};
    };
    auto rfc = [](const QDateTime &t) {
        return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs)
                           : QStringLiteral("0001-01-01T00:00:00Z");
    };
    return QJsonObject{
        {QStringLiteral("read"), rfc(now.read)},
        {QStringLiteral("preread"), rfc(before.read)},
        {QStringLiteral("name"), QLatin1Char('/') + r.name},
        {QStringLiteral("id"), r.id},
        {QStringLiteral("num_procs"), 0},
        {QStringLiteral("pids_stats"), QJsonObject{{QStringLiteral("current"), now.pids}}},
        {QStringLiteral("cpu_stats"), cpu(now)},
        {QStringLiteral("precpu_stats"), cpu(before)},
        {QStringLiteral("memory_stats"), QJsonObject{{QStringLiteral("usage"), now.memoryUsage},
                                                     {QStringLiteral("limit"), now.memoryLimit},
                                                     {QStringLiteral("stats"), QJsonObject()}}},
        {QStringLiteral("blkio_stats"),
         QJsonObject{{QStringLiteral("io_service_bytes_recursive"),
                      QJsonArray{QJsonObject{{QStringLiteral("major"), 0},
                                             {QStringLiteral("minor"), 0},
                                             {QStringLiteral("op"), QStringLiteral("read")},
                                             {QStringLiteral("value"), now.blockRead}},
                                 QJsonObject{{QStringLiteral("major"), 0},
                                             {QStringLiteral("minor"), 0},
                                             {QStringLiteral("op"), QStringLiteral("write")},
                                             {QStringLiteral("value"), now.blockWrite}}}}}},
        {QStringLiteral("networks"),
         QJsonObject{
             {QStringLiteral("eth0"), QJsonObject{{QStringLiteral("rx_bytes"), now.networkRx},
                                                  {QStringLiteral("tx_bytes"), now.networkTx}}}}}};
}

// One second between stats readings (a sampling interval: nothing to wait on but the clock),
// cut short by a client that hangs up; false then.
bool sampleInterval(Exchange &x) {
    pollfd hangUp{x.connection.fd(), 0, 0}; // POLLHUP and POLLERR are always reported
    ::poll(&hangUp, 1, 1000);
    return !x.connection.peerGone();
}

void stats(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    const bool stream = x.request.flag(QStringLiteral("stream"), true);
    const bool oneShot = x.request.flag(QStringLiteral("one-shot"));
    ContainerRuntime &rt = x.engine.containers();
    const QString cgroups = rt.cgroupsPath(record->id);
    if (!x.connection.beginChunked(200, "application/json"))
        return;
    ContainerStatsSample before;
    before.read = QDateTime();
    bool first = true;
    for (;;) {
        auto current = rt.get(record->id);
        ContainerStatsSample now;
        if (current && current->isRunning()) {
            if (auto sample = ContainerStats::read(*current, cgroups))
                now = *sample;
        }
        now.read = QDateTime::currentDateTimeUtc();
        // The first answer of a non-streaming request waits for a second reading so the
        // client can compute CPU % (Docker does the same unless one-shot).
        if (first && !stream && !oneShot && current && current->isRunning()) {
            first = false;
            before = now;
            if (!sampleInterval(x))
                return;
            continue;
        }
        first = false;
        if (!x.connection.writeChunk(
                QJsonDocument(statsJson(current ? *current : *record, now, before))
                    .toJson(QJsonDocument::Compact) +
                '\n'))
            return;
        before = now;
        if (!stream || !current || !current->isRunning() || x.server.stopping())
            break;
        if (!sampleInterval(x))
            return;
    }
    x.connection.endChunked();
}

void top(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (!record->isRunning())
        return x.error(409, QStringLiteral("Container %1 is not running").arg(record->id));
    auto processes = ContainerControl::processes(x.engine.containers(), record->id);
    if (!processes)
        return x.error(processes.error());
    QJsonArray rows;
    for (const ContainerProcess &p : std::as_const(*processes)) {
        const qint64 secs = p.cpuTimeMs / 1000;
        rows.append(QJsonArray{p.user, QString::number(p.pid), QString::number(p.ppid),
                               QStringLiteral("0"),
                               p.started.toLocalTime().toString(QStringLiteral("HH:mm")), p.tty,
                               QStringLiteral("%1:%2:%3")
                                   .arg(secs / 3600, 2, 10, QLatin1Char('0'))
                                   .arg(secs / 60 % 60, 2, 10, QLatin1Char('0'))
                                   .arg(secs % 60, 2, 10, QLatin1Char('0')),
                               p.command});
    }
    x.json(200, QJsonObject{{QStringLiteral("Titles"),
                             QJsonArray{QStringLiteral("UID"), QStringLiteral("PID"),
                                        QStringLiteral("PPID"), QStringLiteral("C"),
                                        QStringLiteral("STIME"), QStringLiteral("TTY"),
                                        QStringLiteral("TIME"), QStringLiteral("CMD")}},
                            {QStringLiteral("Processes"), rows}});
}

void changes(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    auto diff = x.engine.filesystem().diff(record->id);
    if (!diff)
        return x.error(diff.error());
    QJsonArray out;
    for (const ContainerChange &c : std::as_const(*diff))
        out.append(QJsonObject{{QStringLiteral("Path"), c.path},
                               {QStringLiteral("Kind"), c.kind == ChangeKind::Modified ? 0
                                                        : c.kind == ChangeKind::Added  ? 1
                                                                                       : 2}});
    x.json(200, out.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(out));
}

void exportContainer(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    if (!x.connection.beginUntilClose(200, "application/x-tar"))
        return;
    (void)x.engine.filesystem().exportTo(record->id, x.connection.fd());
}

// The X-Docker-Container-Path-Stat header `docker cp` reads: base64 JSON with Go's FileMode
// bits (directory 1<<31, symlink 1<<27).
QByteArray pathStatHeader(const ContainerPathStat &st) {
    quint64 mode = st.permissions;
    if (st.isDir)
        mode |= quint64(1) << 31;
    if (st.isSymlink)
        mode |= quint64(1) << 27;
    const QJsonObject o{{QStringLiteral("name"), st.name},
                        {QStringLiteral("size"), st.size},
                        {QStringLiteral("mode"), qint64(mode)},
                        {QStringLiteral("mtime"), st.mtime.toString(Qt::ISODate)},
                        {QStringLiteral("linkTarget"), st.linkTarget}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact).toBase64();
}

// GET/HEAD/PUT /containers/{id}/archive?path=...: `docker cp` in both directions.
void archive(Exchange &x) {
    auto record = findContainer(x);
    if (!record)
        return x.error(record.error());
    const QString path = x.request.value(QStringLiteral("path"));
    if (path.isEmpty())
        return x.error(400, QStringLiteral("path is required"));
    FilesystemOperations fs = x.engine.filesystem();
    if (x.request.method == "PUT") {
        if (auto dir = fs.statPath(record->id, path); !dir || !dir->isDir)
            return dir ? x.error(
                             400,
                             QStringLiteral("extraction point is not a directory: %1").arg(path))
                       : x.error(404, QStringLiteral("Could not find the file %1 in container %2")
                                          .arg(path, x.params.value(0)));
        Status body;
        const Status extracted = consumeBodyThroughPipe(
            x, qint64(64) << 30, [&](int fd) { return fs.extractArchive(record->id, path, fd); },
            body);
        if (!extracted)
            return x.error(extracted.error().kind == ErrorKind::Internal ? 500 : 400,
                           extracted.error().message);
        if (!body)
            return x.error(400, body.error().message);
        return (void)x.connection.respond(200, {}, {});
    }
    auto st = fs.statPath(record->id, path);
    if (!st)
        return x.error(404, QStringLiteral("Could not find the file %1 in container %2")
                                .arg(path, x.params.value(0)));
    const QByteArray header = pathStatHeader(*st);
    if (x.request.method == "HEAD")
        return (void)x.connection.respond(200, {}, {}, {{"X-Docker-Container-Path-Stat", header}},
                                          true);
    if (!x.connection.beginUntilClose(200, "application/x-tar",
                                      {{"X-Docker-Container-Path-Stat", header}}))
        return;
    (void)fs.archivePath(record->id, path, x.connection.fd());
}

} // namespace

void addContainerRoutes(Router &router) {
    router.add("GET", QStringLiteral("/containers/json"), listContainers);
    router.add("POST", QStringLiteral("/containers/create"), createContainer);
    router.add("POST", QStringLiteral("/commit"), commitContainer);
    router.add("POST", QStringLiteral("/containers/prune"), pruneContainers);
    router.add("GET", QStringLiteral("/containers/{}/json"), inspectContainer);
    router.add("POST", QStringLiteral("/containers/{}/start"), startContainer);
    router.add("POST", QStringLiteral("/containers/{}/stop"), stopContainer);
    router.add("POST", QStringLiteral("/containers/{}/restart"), restartContainer);
    router.add("POST", QStringLiteral("/containers/{}/kill"), killContainer);
    router.add("POST", QStringLiteral("/containers/{}/pause"),
               [](Exchange &x) { pauseContainer(x, true); });
    router.add("POST", QStringLiteral("/containers/{}/unpause"),
               [](Exchange &x) { pauseContainer(x, false); });
    router.add("POST", QStringLiteral("/containers/{}/wait"), waitContainer);
    router.add("DELETE", QStringLiteral("/containers/{}"), removeContainer);
    router.add("POST", QStringLiteral("/containers/{}/rename"), renameContainer);
    router.add("GET", QStringLiteral("/containers/{}/logs"), logs);
    router.add("POST", QStringLiteral("/containers/{}/attach"), attachContainer);
    router.add("POST", QStringLiteral("/containers/{}/resize"), resizeContainer);
    router.add("GET", QStringLiteral("/containers/{}/stats"), stats);
    router.add("GET", QStringLiteral("/containers/{}/top"), top);
    router.add("GET", QStringLiteral("/containers/{}/changes"), changes);
    router.add("GET", QStringLiteral("/containers/{}/export"), exportContainer);
    router.add("GET", QStringLiteral("/containers/{}/archive"), archive);
    router.add("HEAD", QStringLiteral("/containers/{}/archive"), archive);
    router.add("PUT", QStringLiteral("/containers/{}/archive"), archive);
}

} // namespace Berth::Api
