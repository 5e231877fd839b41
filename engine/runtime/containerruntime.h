// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"
#include "engine/core/eventjournal.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/runtime/bridgenetwork.h"
#include "engine/runtime/containerstore.h"
#include "engine/runtime/ociruntime.h"
#include "engine/runtime/volumes.h"
#include "engine/snapshots/snapshotstore.h"

#include <QMutex>
#include <functional>
#include <optional>

namespace Berth::Engine {

// What the user asked for at create time. `spec` holds only the user's options; create()
// merges them with the image config (an empty cmd means the image's, entrypoint applies only
// when entrypointSet, as with `docker run --entrypoint`).
struct CreateRequest {
    QString name; // "" = a generated one
    ContainerSpec spec;
    bool entrypointSet = false;
};

// A published port handed to berth-shim: its listening socket and where to forward.
struct ProxiedPort {
    int fd = -1;
    QString protocol;
    QString containerIp;
    int containerPort = 0;
};

struct PruneReport {
    QStringList removed; // container IDs
    qint64 reclaimedBytes = 0;
};

// Containers: an image's layers plus one read-write layer, run by an OCI runtime under a
// berth-shim (see shimprotocol.h). On disk, per container, under containers/<id>/:
//   diff/ (the read-write layer, overlay upperdir), work/ (overlay workdir), rootfs/ (the
//   overlay mount while running), config.json (the OCI bundle), hosts, hostname, resolv.conf,
//   ctr.log (+ rotated ctr.log.N), exit.json, shim.lock, init.pid, network.lease (the bridge
//   network's address while it holds one; see BridgeNetwork).
// The rootfs is mounted by start() in the host's mount namespace and unmounted when the
// container stops (by the shim, and again by whoever reconciles), so a stopped container
// holds no mount; its diff/ keeps its data until remove().
//
// Every read (get/list/wait) first reconciles running containers with their shims: an exit
// file becomes state "exited" with its exit code (the "die" event is recorded once, by the
// process whose conditional update wins); a shim that died without one gets its container
// killed and reported exited with code 255, so nothing stays "running" forever.
// Operations on one container are serialised across processes by a lock file in its
// directory; the methods are synchronous and thread-safe (the GUI calls them via
// Engine::async).
class ContainerRuntime {
public:
    ContainerRuntime(const StorePaths &paths, Database &db, ImageStore &images,
                     SnapshotStore &snapshots, EventJournal &events);

    ContainerStore &store() { return m_store; }
    VolumeStore &volumes() { return m_volumes; }
    EventJournal &events() { return m_events; }

    Result<ContainerRecord> create(const CreateRequest &request);
    // Starts a created or stopped container (with its read-write layer); running: no-op.
    Result<ContainerRecord> start(const QString &nameOrId);
    // Sends the stop signal (the image's StopSignal or SIGTERM), waits up to `timeoutSecs`
    // (-1: the container's --stop-timeout, else 10), then SIGKILL. Not running: no-op.
    Status stop(const QString &nameOrId, int timeoutSecs = -1);
    Status restart(const QString &nameOrId, int timeoutSecs = -1);
    Status kill(const QString &nameOrId, int signal);
    enum class Force { No, Yes };
    // Removes the container and its read-write layer. A running one needs Force (then it is
    // killed first), as in Docker. Its volumes stay; with RemoveVolumes::Yes (`rm -v`) its
    // anonymous volumes go too.
    Status remove(const QString &nameOrId, Force force);
    enum class RemoveVolumes { No, Yes };
    Status remove(const QString &nameOrId, Force force, RemoveVolumes volumes);
    // Runs `work` with the container's merged filesystem at rootfs(id): a running container's
    // own mount, or a temporary mount of a stopped one. Holds the container's operation lock,
    // so it does not start or stop meanwhile.
    Status withRootfs(const QString &nameOrId,
                      const std::function<Status(const ContainerRecord &, const QString &)> &work);
    Status rename(const QString &nameOrId, const QString &newName);
    // Blocks until the container is not running; returns its exit code.
    Result<int> wait(const QString &nameOrId);
    // Removes every stopped container.
    Result<PruneReport> prune();

    // Reconciled views. list() also removes exited --rm containers (no daemon removes them
    // the moment they exit; the next look does).
    Result<ContainerRecord> get(const QString &nameOrId);
    QList<ContainerRecord> list();

    QString directory(const QString &id) const;
    QString logPath(const QString &id) const;
    QString upperDir(const QString &id) const;
    QString rootfs(const QString &id) const;
    QStringList lowerDirs(const ContainerRecord &container) const; // top layer first
    qint64 rwSize(const QString &id) const; // bytes the container wrote (its diff/)

    // The OCI runtime in use (probed once per process and cached in the runtime root).
    Result<OciRuntime> runtime();
    QString cgroupsPath(const QString &id) const { return QStringLiteral("/berth/") + id; }

    static bool isValidName(const QString &name);

private:
    ContainerRecord reconcile(const ContainerRecord &record);
    Result<ContainerRecord> startLocked(const ContainerRecord &record);
    Status removeLocked(const ContainerRecord &record, Force force);
    Status mountRootfs(const ContainerRecord &record);
    Status unmountRootfs(const QString &id) const;
    Result<QPair<qint64, qint64>> spawnShim(const ContainerRecord &record, const OciRuntime &rt,
                                            const QList<ProxiedPort> &ports);
    // Frees the network of a container that does not run, unless another thread or process
    // is operating on it (that one cleans up).
    void releaseNetworkIfIdle(const QString &id);
    bool shimAlive(const QString &id) const;
    bool waitForShim(const QString &id, int timeoutMs) const;
    QString generateName() const;

    StorePaths m_paths;
    Database &m_db;
    ImageStore &m_images;
    SnapshotStore &m_snapshots;
    EventJournal &m_events;
    ContainerStore m_store;
    VolumeStore m_volumes;
    BridgeNetwork m_network;
    QMutex m_runtimeMutex;
    std::optional<OciRuntime> m_runtime;
};

} // namespace Berth::Engine
