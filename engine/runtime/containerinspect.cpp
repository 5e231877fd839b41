// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerinspect.h"

#include "engine/runtime/containercontrol.h"
#include "engine/runtime/ocispec.h"

#include <QJsonArray>

namespace Berth::Engine {

namespace {
QString rfc3339(const QDateTime &t) {
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs)
                       : QStringLiteral("0001-01-01T00:00:00Z");
}

// Docker's "Mounts" of a container.
QJsonArray mountsJson(ContainerRuntime &rt, const ContainerRecord &r) {
    QJsonArray out;
    for (const MountSpec &m : r.spec.mounts) {
        const bool volume = m.type == QLatin1String("volume");
        QJsonObject o{
            {QStringLiteral("Type"), m.type},
            {QStringLiteral("Source"), volume ? rt.volumes().dataPath(m.source) : m.source},
            {QStringLiteral("Destination"), m.destination},
            {QStringLiteral("Mode"), m.readOnly ? QStringLiteral("ro") : QString()},
            {QStringLiteral("RW"), !m.readOnly},
            {QStringLiteral("Propagation"), QStringLiteral("rprivate")}};
        if (volume) {
            o.insert(QStringLiteral("Name"), m.source);
            o.insert(QStringLiteral("Driver"), QStringLiteral("local"));
        }
        out.append(o);
    }
    return out;
}

// {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]}, Docker's shape for both the bindings
// asked for (HostConfig.PortBindings) and the ones in place (NetworkSettings.Ports).
QJsonObject portMap(const QList<PortBinding> &bindings) {
    QJsonObject out;
    for (const PortBinding &b : bindings) {
        QJsonArray list = out.value(b.key()).toArray();
        list.append(QJsonObject{{QStringLiteral("HostIp"), b.hostIp},
                                {QStringLiteral("HostPort"),
                                 b.hostPort > 0 ? QString::number(b.hostPort) : QString()}});
        out.insert(b.key(), list);
    }
    return out;
}

// HostConfig.LogConfig as dockerd shapes it: {Type, Config} with the options given (sizes in
// bytes).
QJsonObject logConfig(const ContainerSpec &spec) {
    QJsonObject options;
    if (spec.logMaxSize > 0)
        options.insert(QStringLiteral("max-size"), QString::number(spec.logMaxSize));
    if (spec.logMaxFiles > 0)
        options.insert(QStringLiteral("max-file"), QString::number(spec.logMaxFiles));
    return QJsonObject{{QStringLiteral("Type"), spec.logDriverName()},
                       {QStringLiteral("Config"), options}};
}

QJsonObject networkSettingsJson(const ContainerRecord &r) {
    const NetworkSettings &n = r.network;
    // Exposed ports that are not published show as null, as in Docker.
    QJsonObject ports = portMap(n.ports);
    if (r.isRunning())
        for (const QString &exposed : r.spec.exposedPorts)
            if (!ports.contains(exposed))
                ports.insert(exposed, QJsonValue::Null);
    QJsonObject networks;
    const QString mode = r.spec.effectiveNetworkMode();
    networks.insert(mode, QJsonObject{{QStringLiteral("IPAddress"), n.ipAddress},
                                      {QStringLiteral("IPPrefixLen"), n.prefixLength},
                                      {QStringLiteral("Gateway"), n.gateway},
                                      {QStringLiteral("MacAddress"), n.macAddress},
                                      {QStringLiteral("NetworkID"), mode}});
    return QJsonObject{
        {QStringLiteral("Bridge"),
         n.ipAddress.isEmpty() ? QString() : QString::fromLatin1(BridgeNetwork::BridgeName)},
        {QStringLiteral("Ports"), ports},
        {QStringLiteral("IPAddress"), n.ipAddress},
        {QStringLiteral("IPPrefixLen"), n.prefixLength},
        {QStringLiteral("Gateway"), n.gateway},
        {QStringLiteral("MacAddress"), n.macAddress},
        {QStringLiteral("Networks"), networks}};
}

// The Ports of a container in a list (docker ps): bound ones, then exposed ones alone.
QJsonArray summaryPorts(const ContainerRecord &r) {
    QJsonArray out;
    QStringList bound;
    for (const PortBinding &b : r.network.ports) {
        out.append(QJsonObject{{QStringLiteral("IP"), b.hostIp},
                               {QStringLiteral("PrivatePort"), b.containerPort},
                               {QStringLiteral("PublicPort"), b.hostPort},
                               {QStringLiteral("Type"), b.protocol}});
        bound.append(b.key());
    }
    for (const QString &exposed : r.spec.exposedPorts)
        if (!bound.contains(exposed))
            out.append(QJsonObject{
                {QStringLiteral("PrivatePort"), exposed.section(QLatin1Char('/'), 0, 0).toInt()},
                {QStringLiteral("Type"), exposed.section(QLatin1Char('/'), 1)}});
    return out;
}

QJsonArray securityOptions(const ContainerSpec &spec) {
    QJsonArray out;
    if (spec.noNewPrivileges)
        out.append(QStringLiteral("no-new-privileges"));
    if (spec.seccompProfile == QLatin1String("unconfined"))
        out.append(QStringLiteral("seccomp=unconfined"));
    else if (!spec.seccompProfile.isEmpty())
        out.append(QStringLiteral("seccomp=") + spec.seccompProfile);
    return out;
}
} // namespace

QJsonObject containerInspectJson(ContainerRuntime &rt, const ContainerRecord &r) {
    const QJsonObject spec = r.spec.toJson();
    const QStringList args =
        r.spec.init ? QStringList{InitPath, QStringLiteral("--")} + r.spec.args() : r.spec.args();
    QJsonObject config{
        {QStringLiteral("Hostname"), r.spec.hostname.isEmpty() ? r.shortId() : r.spec.hostname},
        {QStringLiteral("User"), r.spec.user},
        {QStringLiteral("Env"), spec.value(QStringLiteral("Env"))},
        {QStringLiteral("Cmd"), spec.value(QStringLiteral("Cmd"))},
        {QStringLiteral("Entrypoint"), spec.value(QStringLiteral("Entrypoint"))},
        {QStringLiteral("WorkingDir"), r.spec.workingDir},
        {QStringLiteral("Image"), r.spec.image},
        {QStringLiteral("Labels"), spec.value(QStringLiteral("Labels"))},
        {QStringLiteral("StopSignal"), r.spec.stopSignal},
        {QStringLiteral("Tty"), r.spec.tty},
        {QStringLiteral("OpenStdin"), r.spec.openStdin},
        {QStringLiteral("StdinOnce"), r.spec.stdinOnce},
        {QStringLiteral("AttachStdin"), r.spec.openStdin},
        {QStringLiteral("AttachStdout"), true},
        {QStringLiteral("AttachStderr"), true}};
    QJsonObject exposed;
    for (const QString &p : r.spec.exposedPorts)
        exposed.insert(p, QJsonObject());
    config.insert(QStringLiteral("ExposedPorts"), exposed);
    if (r.spec.stopTimeout >= 0)
        config.insert(QStringLiteral("StopTimeout"), r.spec.stopTimeout);
    if (!r.spec.healthcheck.isEmpty())
        config.insert(QStringLiteral("Healthcheck"), r.spec.healthcheck.toJson());
    if (!r.spec.shell.isEmpty())
        config.insert(QStringLiteral("Shell"), QJsonArray::fromStringList(r.spec.shell));
    // Fields Berth does not apply show what it does (the API refuses other values).
    const QJsonObject hostConfig{
        {QStringLiteral("CgroupnsMode"), QStringLiteral("host")},
        {QStringLiteral("IpcMode"), QStringLiteral("private")},
        {QStringLiteral("PidMode"), QString()},
        {QStringLiteral("UTSMode"), QString()},
        {QStringLiteral("UsernsMode"), QString()},
        {QStringLiteral("ShmSize"), qint64(64) << 20},
        {QStringLiteral("Isolation"), QString()},
        {QStringLiteral("VolumeDriver"), QString()},
        {QStringLiteral("VolumesFrom"), QJsonValue()},
        {QStringLiteral("MemorySwappiness"), QJsonValue()},
        {QStringLiteral("MemoryReservation"), 0},
        {QStringLiteral("OomKillDisable"), false},
        {QStringLiteral("OomScoreAdj"), 0},
        {QStringLiteral("CpuShares"), 0},
        {QStringLiteral("CpusetCpus"), QString()},
        {QStringLiteral("CpusetMems"), QString()},
        {QStringLiteral("CgroupParent"), QString()},
        {QStringLiteral("BlkioWeight"), 0},
        {QStringLiteral("DeviceCgroupRules"), QJsonValue()},
        {QStringLiteral("Devices"), QJsonArray()},
        {QStringLiteral("Dns"), QJsonArray()},
        {QStringLiteral("DnsOptions"), QJsonArray()},
        {QStringLiteral("DnsSearch"), QJsonArray()},
        {QStringLiteral("ExtraHosts"), QJsonValue()},
        {QStringLiteral("GroupAdd"), QJsonValue()},
        {QStringLiteral("Links"), QJsonValue()},
        {QStringLiteral("Ulimits"), QJsonValue()},
        {QStringLiteral("MemorySwap"), r.spec.memory > 0 ? 2 * r.spec.memory : 0},
        {QStringLiteral("AutoRemove"), r.spec.autoRemove},
        {QStringLiteral("Init"), r.spec.init},
        {QStringLiteral("ReadonlyRootfs"), r.spec.readOnly},
        {QStringLiteral("Memory"), r.spec.memory},
        {QStringLiteral("NanoCpus"), r.spec.nanoCpus},
        {QStringLiteral("PidsLimit"), r.spec.pidsLimit},
        {QStringLiteral("CapAdd"), spec.value(QStringLiteral("CapAdd"))},
        {QStringLiteral("CapDrop"), spec.value(QStringLiteral("CapDrop"))},
        {QStringLiteral("NetworkMode"), r.spec.effectiveNetworkMode()},
        {QStringLiteral("PortBindings"), portMap(r.spec.portBindings)},
        {QStringLiteral("PublishAllPorts"), r.spec.publishAll},
        {QStringLiteral("Privileged"), r.spec.privileged},
        {QStringLiteral("SecurityOpt"), securityOptions(r.spec)},
        {QStringLiteral("LogConfig"), logConfig(r.spec)},
        {QStringLiteral("Runtime"), rt.runtime() ? rt.runtime()->name() : QString()},
        {QStringLiteral("CgroupsPath"), rt.cgroupsPath(r.id)},
        {QStringLiteral("RestartPolicy"),
         QJsonObject{
             {QStringLiteral("Name"), r.spec.restartPolicy.nameText()},
             {QStringLiteral("MaximumRetryCount"), r.spec.restartPolicy.maximumRetryCount}}}};
    QJsonObject state{
        {QStringLiteral("Status"), containerStateText(rt, r)},
        {QStringLiteral("Running"), r.isRunning()},
        {QStringLiteral("Paused"), containerStateText(rt, r) == QLatin1String("paused")},
        {QStringLiteral("Restarting"), r.restarting},
        {QStringLiteral("OOMKilled"), r.oomKilled},
        {QStringLiteral("Dead"), false},
        {QStringLiteral("Pid"), r.pid},
        {QStringLiteral("ShimPid"), r.shimPid},
        {QStringLiteral("ExitCode"), r.exitCode},
        {QStringLiteral("Error"), r.error},
        {QStringLiteral("StartedAt"), rfc3339(r.started)},
        {QStringLiteral("FinishedAt"), rfc3339(r.finished)}};
    if (!r.health.isNone())
        state.insert(QStringLiteral("Health"), r.health.toDockerJson());
    return QJsonObject{
        {QStringLiteral("Id"), r.id},
        {QStringLiteral("Created"), rfc3339(r.created)},
        {QStringLiteral("Path"), args.value(0)},
        {QStringLiteral("Args"), QJsonArray::fromStringList(args.mid(1))},
        {QStringLiteral("State"), state},
        {QStringLiteral("Image"), r.imageId.toString()},
        {QStringLiteral("Name"), QLatin1Char('/') + r.name},
        {QStringLiteral("RestartCount"), r.restartCount},
        {QStringLiteral("LogPath"), rt.logPath(r.id)},
        {QStringLiteral("Driver"), QStringLiteral("overlay")},
        {QStringLiteral("GraphDriver"),
         QJsonObject{
             {QStringLiteral("Name"), QStringLiteral("overlay")},
             {QStringLiteral("Data"),
              QJsonObject{{QStringLiteral("LowerDir"), rt.lowerDirs(r).join(QLatin1Char(':'))},
                          {QStringLiteral("UpperDir"), rt.upperDir(r.id)},
                          {QStringLiteral("WorkDir"), rt.directory(r.id) + QStringLiteral("/work")},
                          {QStringLiteral("MergedDir"), rt.rootfs(r.id)}}}}},
        {QStringLiteral("SizeRw"), rt.rwSize(r.id)},
        {QStringLiteral("Mounts"), mountsJson(rt, r)},
        {QStringLiteral("Config"), config},
        {QStringLiteral("HostConfig"), hostConfig},
        {QStringLiteral("NetworkSettings"), networkSettingsJson(r)},
    };
}

QString containerStateText(ContainerRuntime &rt, const ContainerRecord &r) {
    if (r.restarting)
        return QStringLiteral("restarting");
    return r.isRunning() && ContainerControl::isPaused(rt, r.id) ? QStringLiteral("paused")
                                                                 : containerStateName(r.state);
}

QString humanDuration(qint64 seconds) {
    if (seconds < 1)
        return QStringLiteral("Less than a second");
    if (seconds == 1)
        return QStringLiteral("1 second");
    if (seconds < 60)
        return QStringLiteral("%1 seconds").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes == 1)
        return QStringLiteral("About a minute");
    if (minutes < 60)
        return QStringLiteral("%1 minutes").arg(minutes);
    const qint64 hours = qint64(double(seconds) / 3600 + 0.5);
    if (hours == 1)
        return QStringLiteral("About an hour");
    if (hours < 48)
        return QStringLiteral("%1 hours").arg(hours);
    if (hours < 24 * 7 * 2)
        return QStringLiteral("%1 days").arg(hours / 24);
    if (hours < 24 * 30 * 2)
        return QStringLiteral("%1 weeks").arg(hours / 24 / 7);
    if (hours < 24 * 365 * 2)
        return QStringLiteral("%1 months").arg(hours / 24 / 30);
    return QStringLiteral("%1 years").arg(hours / 24 / 365);
}

QString containerStatusText(ContainerRuntime &rt, const ContainerRecord &r, const QDateTime &now) {
    switch (r.state) {
    case ContainerState::Created:
        return QStringLiteral("Created");
    case ContainerState::Running: {
        if (r.restarting) // waiting out the restart policy's delay after an exit
            return QStringLiteral("Restarting (%1) %2 ago")
                .arg(r.exitCode)
                .arg(humanDuration(r.finished.secsTo(now)));
        const QString up = QStringLiteral("Up ") + humanDuration(r.started.secsTo(now));
        if (ContainerControl::isPaused(rt, r.id))
            return up + QStringLiteral(" (Paused)");
        return r.health.isNone() ? up : up + QLatin1Char(' ') + r.health.psSuffix();
    }
    case ContainerState::Exited:
        return QStringLiteral("Exited (%1) %2 ago")
            .arg(r.exitCode)
            .arg(humanDuration(r.finished.secsTo(now)));
    }
    return QString();
}

QJsonObject containerSummaryJson(ContainerRuntime &rt, const ContainerRecord &r, bool withSize) {
    const QStringList args =
        r.spec.init ? QStringList{InitPath, QStringLiteral("--")} + r.spec.args() : r.spec.args();
    QJsonObject labels;
    for (auto it = r.spec.labels.constBegin(); it != r.spec.labels.constEnd(); ++it)
        labels.insert(it.key(), it.value());
    QJsonArray mounts;
    for (const QJsonValue &m : mountsJson(rt, r))
        mounts.append(m);
    QJsonObject o{{QStringLiteral("Id"), r.id},
                  {QStringLiteral("Names"), QJsonArray{QLatin1Char('/') + r.name}},
                  {QStringLiteral("Image"), r.spec.image},
                  {QStringLiteral("ImageID"), r.imageId.toString()},
                  {QStringLiteral("Command"), args.join(QLatin1Char(' '))},
                  {QStringLiteral("Created"), r.created.toSecsSinceEpoch()},
                  {QStringLiteral("Ports"), summaryPorts(r)},
                  {QStringLiteral("Labels"), labels},
                  {QStringLiteral("State"), containerStateText(rt, r)},
                  {QStringLiteral("Status"), containerStatusText(rt, r)},
                  {QStringLiteral("HostConfig"),
                   QJsonObject{{QStringLiteral("NetworkMode"), r.spec.effectiveNetworkMode()}}},
                  {QStringLiteral("NetworkSettings"),
                   QJsonObject{{QStringLiteral("Networks"),
                                networkSettingsJson(r).value(QStringLiteral("Networks"))}}},
                  {QStringLiteral("Mounts"), mounts}};
    if (withSize)
        o.insert(QStringLiteral("SizeRw"), rt.rwSize(r.id));
    return o;
}

} // namespace Berth::Engine
