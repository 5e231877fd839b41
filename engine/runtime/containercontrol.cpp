// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containercontrol.h"

#include "engine/core/fileutil.h"
#include "engine/runtime/rootless.h"

#include <QDir>
#include <QFileInfo>
#include <algorithm>
#include <pwd.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

const QString kCgroupRoot = QStringLiteral("/sys/fs/cgroup");

QByteArray readSmall(const QString &path) {
    return readFileLimited(path, 1 << 20).value_or(QByteArray());
}

Status runRuntime(ContainerRuntime &runtime, const QStringList &args) {
    auto rt = runtime.runtime();
    if (!rt)
        return fail(rt.error());
    if (auto out = rt->invoke(args, 60000); !out)
        return fail(out.error());
    return {};
}

qint64 bootTimeSecs() {
    for (const QByteArray &line : readSmall(QStringLiteral("/proc/stat")).split('\n'))
        if (line.startsWith("btime "))
            return line.mid(6).trimmed().toLongLong();
    return 0;
}

QString userName(uint uid) {
    passwd pw{};
    passwd *result = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &result) == 0 && result)
        return QString::fromLocal8Bit(pw.pw_name);
    return QString::number(uid);
}

QString ttyName(qint64 ttyNr) {
    if (ttyNr == 0)
        return QStringLiteral("?");
    const uint major = ::major(dev_t(ttyNr));
    const uint minor = ::minor(dev_t(ttyNr));
    if (major >= 136 && major <= 143)
        return QStringLiteral("pts/%1").arg((major - 136) * 256 + minor);
    if (major == 4)
        return QStringLiteral("tty%1").arg(minor);
    return QStringLiteral("%1:%2").arg(major).arg(minor);
}

} // namespace

bool Cgroups::unified() {
    static const bool v2 = QFileInfo::exists(kCgroupRoot + QStringLiteral("/cgroup.controllers"));
    return v2;
}

QString Cgroups::directory(const QString &cgroupsPath, const QString &controller) {
    if (unified())
        return kCgroupRoot + cgroupsPath;
    return kCgroupRoot + QLatin1Char('/') + controller + cgroupsPath;
}

QList<qint64> Cgroups::processes(const QString &cgroupsPath) {
    QList<qint64> out;
    // v1: every controller's copy lists the same processes; pids is the one runc always joins.
    for (const QString &controller : {QStringLiteral("pids"), QStringLiteral("memory")}) {
        const QString file = directory(cgroupsPath, controller) + QStringLiteral("/cgroup.procs");
        if (!QFileInfo::exists(file))
            continue;
        for (const QByteArray &line : readSmall(file).split('\n'))
            if (const qint64 pid = line.trimmed().toLongLong(); pid > 0)
                out.append(pid);
        break;
    }
    std::sort(out.begin(), out.end());
    return out;
}

QList<qint64> Cgroups::processTree(const QString &proc, qint64 init) {
    QList<qint64> out{init};
    for (qsizetype i = 0; i < out.size() && out.size() < 100000; ++i) {
        const QString tasks = proc + QStringLiteral("/%1/task").arg(out[i]);
        for (const QString &task : QDir(tasks).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
            for (const QByteArray &child :
                 readSmall(tasks + QLatin1Char('/') + task + QStringLiteral("/children"))
                     .simplified()
                     .split(' '))
                if (child.toLongLong() > 0)
                    out.append(child.toLongLong());
    }
    return out;
}

bool ContainerControl::isPaused(ContainerRuntime &runtime, const QString &id) {
    const QString path = runtime.cgroupsPath(id);
    if (Cgroups::unified()) {
        for (const QByteArray &line :
             readSmall(Cgroups::directory(path, QString()) + QStringLiteral("/cgroup.events"))
                 .split('\n'))
            if (line.startsWith("frozen "))
                return line.mid(7).trimmed() == "1";
        return false;
    }
    return readSmall(Cgroups::directory(path, QStringLiteral("freezer")) +
                     QStringLiteral("/freezer.state"))
               .trimmed() == "FROZEN";
}

Status ContainerControl::pause(ContainerRuntime &runtime, const QString &nameOrId) {
    auto record = runtime.getRunning(nameOrId);
    if (!record)
        return fail(record.error());
    if (Rootless::active())
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("pause %1: pausing freezes a container's cgroup, and rootless "
                                   "on a host without a cgroup delegated to the user a container "
                                   "has none")
                        .arg(record->name));
    if (isPaused(runtime, record->id))
        return fail(ErrorKind::Conflict,
                    QStringLiteral("container %1 is already paused").arg(record->name));
    if (auto st = runRuntime(runtime, {QStringLiteral("pause"), record->id}); !st)
        return fail(st.error().withContext(QStringLiteral("pause %1").arg(record->name)));
    runtime.events().record(
        QStringLiteral("container"), QStringLiteral("pause"), record->id,
        {{QStringLiteral("name"), record->name}, {QStringLiteral("image"), record->spec.image}});
    return {};
}

Status ContainerControl::unpause(ContainerRuntime &runtime, const QString &nameOrId) {
    auto record = runtime.get(nameOrId);
    if (!record)
        return fail(record.error());
    if (!record->isRunning() || !isPaused(runtime, record->id))
        return fail(ErrorKind::Conflict,
                    QStringLiteral("container %1 is not paused").arg(record->name));
    if (auto st = runRuntime(runtime, {QStringLiteral("resume"), record->id}); !st)
        return fail(st.error().withContext(QStringLiteral("unpause %1").arg(record->name)));
    runtime.events().record(
        QStringLiteral("container"), QStringLiteral("unpause"), record->id,
        {{QStringLiteral("name"), record->name}, {QStringLiteral("image"), record->spec.image}});
    return {};
}

Result<QList<ContainerProcess>> ContainerControl::processes(ContainerRuntime &runtime,
                                                            const QString &nameOrId) {
    auto record = runtime.getRunning(nameOrId);
    if (!record)
        return fail(record.error());
    const long ticks = ::sysconf(_SC_CLK_TCK);
    const qint64 boot = bootTimeSecs();
    QList<ContainerProcess> out;
    QList<qint64> pids = Rootless::active()
                             ? Cgroups::processTree(QStringLiteral("/proc"), record->pid)
                             : Cgroups::processes(runtime.cgroupsPath(record->id));
    std::sort(pids.begin(), pids.end());
    for (const qint64 pid : std::as_const(pids)) {
        const QString proc = QStringLiteral("/proc/%1").arg(pid);
        const QByteArray stat = readSmall(proc + QStringLiteral("/stat"));
        // "pid (comm) state ppid ..." where comm may hold spaces and parentheses.
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue; // exited meanwhile
        const QByteArray comm = stat.mid(stat.indexOf('(') + 1, close - stat.indexOf('(') - 1);
        const QList<QByteArray> f = stat.mid(close + 2).split(' ');
        // f[0] is field 3 (state): field N is f[N - 3].
        ContainerProcess p;
        p.pid = pid;
        p.ppid = f.value(1).toLongLong();
        p.tty = ttyName(f.value(4).toLongLong());
        p.cpuTimeMs = (f.value(11).toLongLong() + f.value(12).toLongLong()) * 1000 / ticks;
        p.started = QDateTime::fromSecsSinceEpoch(boot + f.value(19).toLongLong() / ticks, Qt::UTC);
        for (const QByteArray &line : readSmall(proc + QStringLiteral("/status")).split('\n'))
            if (line.startsWith("Uid:")) {
                p.uid = line.mid(4).simplified().split(' ').value(0).toUInt();
                break;
            }
        p.user = userName(p.uid);
        QByteArray cmdline = readSmall(proc + QStringLiteral("/cmdline"));
        while (cmdline.endsWith('\0'))
            cmdline.chop(1);
        p.command = cmdline.isEmpty()
                        ? QLatin1Char('[') + QString::fromUtf8(comm) + QLatin1Char(']')
                        : QString::fromUtf8(cmdline.replace('\0', ' '));
        out.append(p);
    }
    return out;
}

} // namespace Berth::Engine
