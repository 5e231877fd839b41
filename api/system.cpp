// SPDX-License-Identifier: GPL-3.0-or-later
// System endpoints: _ping, version, info, events, system/df.
#include "api/server.h"
#include "engine/images/imageinspect.h"
#include "engine/runtime/containerinspect.h"
#include "engine/runtime/containerlogs.h"

#include <QFile>
#include <QSysInfo>
#include <QThread>

#include <sys/utsname.h>
#include <unistd.h>

namespace Berth::Api {

using namespace Berth::Engine;

namespace {

void ping(Exchange &x) {
    // Builder-Version 1: Docker clients use the classic build API, which Berth serves.
    x.connection.respond(200, "text/plain; charset=utf-8", "OK",
                         {{"Builder-Version", "1"},
                          {"Cache-Control", "no-cache, no-store, must-revalidate"},
                          {"Pragma", "no-cache"}},
                         x.request.method == "HEAD");
}

QString kernelVersion() {
    utsname u{};
    return ::uname(&u) == 0 ? QString::fromLatin1(u.release) : QString();
}

QString goArch() {
    const QString arch = QSysInfo::currentCpuArchitecture();
    return arch == QLatin1String("x86_64")  ? QStringLiteral("amd64")
           : arch == QLatin1String("arm64") ? QStringLiteral("arm64")
                                            : arch;
}

void version(Exchange &x) {
    const QString engineVersion = QStringLiteral(BERTH_VERSION);
    const QJsonObject details{
        {QStringLiteral("ApiVersion"), QString::fromLatin1(currentApiVersion)},
        {QStringLiteral("MinAPIVersion"), QString::fromLatin1(minimumApiVersion)},
        {QStringLiteral("Os"), QStringLiteral("linux")},
        {QStringLiteral("Arch"), goArch()},
        {QStringLiteral("KernelVersion"), kernelVersion()}};
    QJsonArray components{QJsonObject{{QStringLiteral("Name"), QStringLiteral("Engine")},
                                      {QStringLiteral("Version"), engineVersion},
                                      {QStringLiteral("Details"), details}}};
    if (auto rt = x.engine.containers().runtime())
        components.append(QJsonObject{{QStringLiteral("Name"), rt->name()},
                                      {QStringLiteral("Version"), rt->version()}});
    x.json(200,
           QJsonObject{{QStringLiteral("Platform"),
                        QJsonObject{{QStringLiteral("Name"), QStringLiteral("Berth Engine")}}},
                       {QStringLiteral("Components"), components},
                       {QStringLiteral("Version"), engineVersion},
                       {QStringLiteral("ApiVersion"), QString::fromLatin1(currentApiVersion)},
                       {QStringLiteral("MinAPIVersion"), QString::fromLatin1(minimumApiVersion)},
                       {QStringLiteral("GitCommit"), QString()},
                       {QStringLiteral("GoVersion"),
                        QStringLiteral("Qt ") + QString::fromLatin1(qVersion())},
                       {QStringLiteral("Os"), QStringLiteral("linux")},
                       {QStringLiteral("Arch"), goArch()},
                       {QStringLiteral("KernelVersion"), kernelVersion()}});
}

qint64 memTotal() {
    QFile f(QStringLiteral("/proc/meminfo"));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray first = f.readLine().simplified(); // "MemTotal: 123 kB"
    return first.split(' ').value(1).toLongLong() * 1024;
}

QString osName() {
    QFile f(QStringLiteral("/etc/os-release"));
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : f.readAll().split('\n'))
            if (line.startsWith("PRETTY_NAME="))
                return QString::fromUtf8(line.mid(12)).remove(QLatin1Char('"'));
    }
    return QSysInfo::prettyProductName();
}

void info(Exchange &x) {
    ContainerRuntime &rt = x.engine.containers();
    int running = 0, paused = 0, stopped = 0;
    const QList<ContainerRecord> all = rt.list();
    for (const ContainerRecord &r : all) {
        const QString state = containerStateText(rt, r);
        running += state == QLatin1String("running");
        paused += state == QLatin1String("paused");
        stopped += !r.isRunning();
    }
    QJsonObject runtimes;
    QString defaultRuntime;
    QJsonArray warnings;
    if (auto runtime = rt.runtime()) {
        defaultRuntime = runtime->name();
        runtimes.insert(runtime->name(), QJsonObject{{QStringLiteral("path"), runtime->path()}});
        for (const RuntimeRefusal &r : runtime->refused())
            warnings.append(QStringLiteral("WARNING: %1 is not used: %2").arg(r.name, r.reason));
    } else {
        warnings.append(QStringLiteral("WARNING: no OCI runtime works: ") +
                        runtime.error().message);
    }
    const bool unified = QFile::exists(QStringLiteral("/sys/fs/cgroup/cgroup.controllers"));
    x.json(
        200,
        QJsonObject{
            {QStringLiteral("ID"), QStringLiteral("berth")},
            {QStringLiteral("Debug"), false},
            {QStringLiteral("Containers"), all.size()},
            {QStringLiteral("ContainersRunning"), running},
            {QStringLiteral("ContainersPaused"), paused},
            {QStringLiteral("ContainersStopped"), stopped},
            {QStringLiteral("Images"), x.engine.images().list().size()},
            {QStringLiteral("Driver"), QStringLiteral("overlay")},
            {QStringLiteral("DriverStatus"),
             QJsonArray{QJsonArray{QStringLiteral("Backing Filesystem"), QStringLiteral("extfs")}}},
            {QStringLiteral("Plugins"),
             QJsonObject{{QStringLiteral("Volume"), QJsonArray{QStringLiteral("local")}},
                         {QStringLiteral("Network"),
                          QJsonArray{QStringLiteral("bridge"), QStringLiteral("host"),
                                     QStringLiteral("none")}},
                         {QStringLiteral("Log"),
                          QJsonArray{QStringLiteral("json-file"), QStringLiteral("none")}}}},
            {QStringLiteral("MemoryLimit"), true},
            {QStringLiteral("CpuCfsPeriod"), true},
            {QStringLiteral("CpuCfsQuota"), true},
            {QStringLiteral("PidsLimit"), true},
            {QStringLiteral("OomKillDisable"), false},
            {QStringLiteral("NFd"), 0},
            {QStringLiteral("NGoroutines"), 0},
            {QStringLiteral("SystemTime"),
             QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
            {QStringLiteral("LoggingDriver"), QStringLiteral("json-file")},
            {QStringLiteral("CgroupDriver"), QStringLiteral("cgroupfs")},
            {QStringLiteral("CgroupVersion"), unified ? QStringLiteral("2") : QStringLiteral("1")},
            {QStringLiteral("KernelVersion"), kernelVersion()},
            {QStringLiteral("OperatingSystem"), osName()},
            {QStringLiteral("OSType"), QStringLiteral("linux")},
            {QStringLiteral("Architecture"), QSysInfo::currentCpuArchitecture()},
            {QStringLiteral("NCPU"), QThread::idealThreadCount()},
            {QStringLiteral("MemTotal"), memTotal()},
            {QStringLiteral("IndexServerAddress"), QStringLiteral("https://index.docker.io/v1/")},
            {QStringLiteral("DockerRootDir"), x.engine.paths().root()},
            {QStringLiteral("Name"), QSysInfo::machineHostName()},
            {QStringLiteral("Labels"), QJsonArray()},
            {QStringLiteral("ExperimentalBuild"), false},
            {QStringLiteral("ServerVersion"), QStringLiteral(BERTH_VERSION)},
            {QStringLiteral("Runtimes"), runtimes},
            {QStringLiteral("DefaultRuntime"), defaultRuntime},
            {QStringLiteral("LiveRestoreEnabled"), true},
            {QStringLiteral("Isolation"), QString()},
            {QStringLiteral("InitBinary"), QStringLiteral("catatonit")},
            {QStringLiteral("SecurityOptions"),
             QJsonArray{QStringLiteral("name=seccomp,profile=builtin")}},
            {QStringLiteral("Swarm"),
             QJsonObject{{QStringLiteral("LocalNodeState"), QStringLiteral("inactive")}}},
            {QStringLiteral("Warnings"), warnings}});
}

// Past events (with `since`), then live ones until `until` or the client leaves. Docker
// streams one JSON object per event without chunk boundaries mattering.
void events(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    EventFilter filter;
    for (auto it = filters->cbegin(); it != filters->cend(); ++it) {
        if (auto added = filter.add(it.key(), it.value()); !added)
            return x.error(added.error());
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (const auto &[key, target] : {std::pair{QStringLiteral("since"), &filter.since},
                                      std::pair{QStringLiteral("until"), &filter.until}}) {
        const QString text = x.request.value(key);
        if (text.isEmpty())
            continue;
        auto ns = parseLogTime(text, now);
        if (!ns)
            return x.error(400, QStringLiteral("invalid %1: %2").arg(key, text));
        *target = QDateTime::fromMSecsSinceEpoch(*ns / 1000000, Qt::UTC);
    }
    EventJournal &journal = x.engine.events();
    qint64 after = filter.since.isValid() ? 0 : journal.lastId();
    if (!x.connection.beginChunked(200, "application/json"))
        return;
    for (;;) {
        auto batch = journal.since(after, 1000);
        if (!batch)
            break;
        QByteArray out;
        for (const Event &e : std::as_const(*batch)) {
            after = e.id;
            if (filter.matches(e))
                out += QJsonDocument(e.toDockerJson()).toJson(QJsonDocument::Compact) + '\n';
        }
        if (!x.connection.writeChunk(out))
            return;
        if (batch->size() == 1000)
            continue;
        if (filter.until.isValid() && QDateTime::currentDateTimeUtc() > filter.until)
            break;
        if (x.server.stopping() || x.connection.peerGone())
            break;
        QThread::msleep(200);
    }
    x.connection.endChunked();
}

void diskUsage(Exchange &x) {
    auto usage = x.engine.maintenance().diskUsage();
    if (!usage)
        return x.error(usage.error());
    ContainerRuntime &rt = x.engine.containers();
    QJsonArray images;
    for (const ImageUsage &u : std::as_const(usage->images))
        images.append(imageSummaryJson(u.image, u.sharedBytes, u.containers));
    QJsonArray containers;
    for (const ContainerRecord &r : rt.list()) {
        QJsonObject c = containerSummaryJson(rt, r, true);
        if (auto image = x.engine.images().get(r.imageId))
            c.insert(QStringLiteral("SizeRootFs"), image->size + rt.rwSize(r.id));
        containers.append(c);
    }
    QJsonArray volumes;
    VolumeStore &vs = rt.volumes();
    for (const VolumeRecord &v : vs.list()) {
        volumes.append(
            QJsonObject{{QStringLiteral("Name"), v.name},
                        {QStringLiteral("Driver"), QStringLiteral("local")},
                        {QStringLiteral("Mountpoint"), v.mountpoint},
                        {QStringLiteral("Scope"), QStringLiteral("local")},
                        {QStringLiteral("UsageData"),
                         QJsonObject{{QStringLiteral("Size"), vs.size(v.name)},
                                     {QStringLiteral("RefCount"), vs.users(v.name).size()}}}});
    }
    x.json(200, QJsonObject{{QStringLiteral("LayersSize"), usage->imagesBytes},
                            {QStringLiteral("Images"), images},
                            {QStringLiteral("Containers"), containers},
                            {QStringLiteral("Volumes"), volumes},
                            {QStringLiteral("BuildCache"), QJsonArray()}});
}

// Swarm endpoints: Berth is never part of a swarm. dockerd answers 503 on a node that is not a
// manager, and clients (the docker CLI, docker-py) take that as "no swarm" rather than failing.
void notASwarmManager(Exchange &x) {
    x.error(503, QStringLiteral("This node is not a swarm manager. Berth runs containers on this "
                                "machine only and cannot join a swarm."));
}

} // namespace

void addSystemRoutes(Router &router) {
    for (const char *area : {"swarm", "services", "nodes", "tasks", "secrets", "configs"}) {
        const QString base = QLatin1Char('/') + QLatin1String(area);
        for (const char *method : {"GET", "POST", "DELETE"}) {
            router.add(method, base, notASwarmManager);
            router.add(method, base + QStringLiteral("/{*}"), notASwarmManager);
        }
    }
    router.add("GET", QStringLiteral("/_ping"), ping);
    router.add("HEAD", QStringLiteral("/_ping"), ping);
    router.add("GET", QStringLiteral("/version"), version);
    router.add("GET", QStringLiteral("/info"), info);
    router.add("GET", QStringLiteral("/events"), events);
    router.add("GET", QStringLiteral("/system/df"), diskUsage);
}

} // namespace Berth::Api
