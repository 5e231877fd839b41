// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerruntime.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace Berth::Engine {

// Where a container's cgroup files are. cgroup v1 (and the hybrid layout, where the
// controllers are still v1) has one hierarchy per controller: /sys/fs/cgroup/<controller>
// <cgroupsPath>; pure v2 one tree: /sys/fs/cgroup<cgroupsPath>.
class Cgroups {
public:
    static bool unified(); // pure cgroup v2 (cgroup.controllers at the root)
    // The directory holding `controller`'s files (v1) or the container's v2 directory.
    static QString directory(const QString &cgroupsPath, const QString &controller);
    // PIDs of the processes in the container's cgroup.
    static QList<qint64> processes(const QString &cgroupsPath);
    // Rootless containers have no cgroup of their own: their processes are the init and its
    // descendants (each thread's /proc children file), in that order. `proc` is "/proc".
    static QList<qint64> processTree(const QString &proc, qint64 init);
};

// One process of a container, as `top` shows it (read from the host's /proc).
struct ContainerProcess {
    qint64 pid = 0; // as the host sees it
    qint64 ppid = 0;
    uint uid = 0;
    QString user; // the host's name for uid, else the number
    QDateTime started;
    qint64 cpuTimeMs = 0; // user + system
    QString tty;          // "pts/0", "?"
    QString command;      // the command line, or [comm] when it has none
};

// Pause, unpause and the process list of running containers: what needs the container's
// cgroup rather than its life cycle. pause/unpause use the OCI runtime (`pause`/`resume`,
// the freezer) and record "pause"/"unpause" events; the paused state lives in the freezer
// itself (no database column), so every process sees it at once and a reboot clears it.
class ContainerControl {
public:
    static bool isPaused(ContainerRuntime &runtime, const QString &id);
    static Status pause(ContainerRuntime &runtime, const QString &nameOrId);
    static Status unpause(ContainerRuntime &runtime, const QString &nameOrId);
    // The processes in the container's cgroup, sorted by PID.
    static Result<QList<ContainerProcess>> processes(ContainerRuntime &runtime,
                                                     const QString &nameOrId);
};

} // namespace Berth::Engine
