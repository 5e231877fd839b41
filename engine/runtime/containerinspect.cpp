// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerinspect.h"

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
        {QStringLiteral("StopSignal"), r.spec.stopSignal}};
    if (r.spec.stopTimeout >= 0)
        config.insert(QStringLiteral("StopTimeout"), r.spec.stopTimeout);
    const QJsonObject hostConfig{
        {QStringLiteral("AutoRemove"), r.spec.autoRemove},
        {QStringLiteral("Init"), r.spec.init},
        {QStringLiteral("ReadonlyRootfs"), r.spec.readOnly},
        {QStringLiteral("Memory"), r.spec.memory},
        {QStringLiteral("NanoCpus"), r.spec.nanoCpus},
        {QStringLiteral("PidsLimit"), r.spec.pidsLimit},
        {QStringLiteral("CapAdd"), spec.value(QStringLiteral("CapAdd"))},
        {QStringLiteral("CapDrop"), spec.value(QStringLiteral("CapDrop"))},
        {QStringLiteral("NetworkMode"), QStringLiteral("none")},
        {QStringLiteral("SecurityOpt"),
         r.spec.noNewPrivileges ? QJsonArray{QStringLiteral("no-new-privileges")} : QJsonArray()},
        {QStringLiteral("LogConfig"),
         QJsonObject{{QStringLiteral("Type"), QStringLiteral("json-file")},
                     {QStringLiteral("MaxSize"), r.spec.logMaxSize},
                     {QStringLiteral("MaxFile"), r.spec.logMaxFiles}}},
        {QStringLiteral("Runtime"), rt.runtime() ? rt.runtime()->name() : QString()},
        {QStringLiteral("CgroupsPath"), rt.cgroupsPath(r.id)}};
    return QJsonObject{
        {QStringLiteral("Id"), r.id},
        {QStringLiteral("Created"), rfc3339(r.created)},
        {QStringLiteral("Path"), args.value(0)},
        {QStringLiteral("Args"), QJsonArray::fromStringList(args.mid(1))},
        {QStringLiteral("State"),
         QJsonObject{{QStringLiteral("Status"), containerStateName(r.state)},
                     {QStringLiteral("Running"), r.isRunning()},
                     {QStringLiteral("Paused"), false},
                     {QStringLiteral("Restarting"), false},
                     {QStringLiteral("OOMKilled"), r.oomKilled},
                     {QStringLiteral("Dead"), false},
                     {QStringLiteral("Pid"), r.pid},
                     {QStringLiteral("ShimPid"), r.shimPid},
                     {QStringLiteral("ExitCode"), r.exitCode},
                     {QStringLiteral("Error"), r.error},
                     {QStringLiteral("StartedAt"), rfc3339(r.started)},
                     {QStringLiteral("FinishedAt"), rfc3339(r.finished)}}},
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
    };
}

} // namespace Berth::Engine
