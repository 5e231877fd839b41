// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containercontrol.h"
#include "engine/runtime/containerruntime.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace Berth::Test {

// Removes every container of the store when the test ends, passed or failed, so no container,
// mount or cgroup outlives a test (paused ones are thawed first: a frozen process cannot die).
class ContainerCleanup {
public:
    explicit ContainerCleanup(TestStore &store)
        : m_store(store) {}
    ~ContainerCleanup() {
        Engine::ContainerRuntime &rt = m_store.engine().containers();
        for (const Engine::ContainerRecord &c : rt.store().list()) {
            if (Engine::ContainerControl::isPaused(rt, c.id))
                Engine::ContainerControl::unpause(rt, c.id);
            rt.remove(c.id, Engine::ContainerRuntime::Force::Yes);
        }
    }
    ContainerCleanup(const ContainerCleanup &) = delete;
    ContainerCleanup &operator=(const ContainerCleanup &) = delete;

private:
    TestStore &m_store;
};

// Installs "busybox:latest": busybox-static with sh, ls, cat, echo and `applets` linked, PATH=/bin,
// Cmd sh. Check the result with BERTH_VERIFY_OK.
inline Engine::Result<Engine::ImageRecord> installBusyboxImage(TestStore &store,
                                                               const QStringList &applets) {
    LayerBuilder layer = busyboxLayer();
    for (const QString &applet : applets)
        layer.symlink(QStringLiteral("bin/") + applet, QStringLiteral("busybox"));
    ImageFixture img;
    img.layer(layer, LayerBuilder::Compression::Gzip, "ADD busybox /")
        .env({"PATH=/bin"})
        .cmd({"sh"});
    return img.install(store, {"busybox:latest"});
}

// `berthctl inspect NAME`'s document (empty when there is no such container).
inline QJsonObject inspectContainer(const TestStore &store, const QString &name) {
    const ProcessResult r = berthctl(store, {"inspect", name});
    return QJsonDocument::fromJson(r.out).array().first().toObject();
}

// Lines of /proc/self/mountinfo that mention `path` (leaked mounts show up here).
inline QStringList mountsUnder(const QString &path) {
    QFile f(QStringLiteral("/proc/self/mountinfo"));
    QStringList out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.contains(path.toUtf8()))
            out.append(QString::fromUtf8(line));
    return out;
}

// What a container may leave on the host once it is gone or stopped: cgroups under /berth/<id>,
// its veth (vb<id>), an address leased in the bridge network's IPAM, and processes (its shim
// names the ID on its command line; container processes sit in its cgroup). One line each.
inline QStringList hostLeftovers(const QString &id, const QString &containerDir) {
    QStringList out;
    for (const QString &controller :
         QDir(QStringLiteral("/sys/fs/cgroup")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString path = QStringLiteral("/sys/fs/cgroup/%1/berth/%2").arg(controller, id);
        if (QFileInfo::exists(path))
            out.append(QStringLiteral("cgroup ") + path);
    }
    if (QFileInfo::exists(QStringLiteral("/sys/fs/cgroup/berth/") + id))
        out.append(QStringLiteral("cgroup /sys/fs/cgroup/berth/") + id);
    const QString veth = QStringLiteral("vb") + id.left(12);
    if (QFileInfo::exists(QStringLiteral("/sys/class/net/") + veth))
        out.append(QStringLiteral("veth ") + veth);
    const QDir leases(QStringLiteral("/run/berth/network/bridge"));
    for (const QString &lease : leases.entryList(QDir::Files)) {
        QFile f(leases.filePath(lease));
        if (f.open(QIODevice::ReadOnly) && !containerDir.isEmpty() &&
            f.readAll().trimmed() == containerDir.toUtf8())
            out.append(QStringLiteral("address lease ") + lease);
    }
    for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        if (pid.toInt() <= 0)
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        QFile cgroup(QStringLiteral("/proc/%1/cgroup").arg(pid));
        const bool named =
            cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(id.toUtf8());
        const bool inside =
            cgroup.open(QIODevice::ReadOnly) && cgroup.readAll().contains("/berth/" + id.toUtf8());
        // A zombie has ended; only its parent's reaping is pending (a sandbox's PID 1 may
        // never reap the orphans it inherits from a killed shim).
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        const bool zombie =
            status.open(QIODevice::ReadOnly) && status.readAll().contains("\nState:\tZ");
        if ((named || inside) && !zombie)
            out.append(QStringLiteral("process %1").arg(pid));
    }
    return out;
}

} // namespace Berth::Test
