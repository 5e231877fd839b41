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
//   ctr.log (+ rotated ctr.log.N), exit.json, state.json (restarts), attach.sock, shim.lock,
//   init.pid, network.lease (the bridge network's address while it holds one; see
//   BridgeNetwork), network.json (the run's network, for a reconcile that adopts a run whose
//   starter died), health-process.json, health.json, health.reported (the health check, see
//   HealthFiles).
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
    // How start() runs the container. Attached: the caller attaches right after
    // (ContainerAttach), so the shim keeps the container's first output for it instead of
    // dropping it (`run` in the foreground, `start -a`).
    enum class StartMode { Detached, Attached };
    struct StartOptions {
        StartMode mode = StartMode::Detached;
        // With -t: the terminal's size from the first moment (the caller's window), so a
        // program that asks at once does not see 0x0 before the attach's resize arrives.
        int consoleRows = 0;
        int consoleColumns = 0;
    };
    // Starts a created or stopped container (with its read-write layer); running: no-op. A
    // start by hand resets the restart count.
    Result<ContainerRecord> start(const QString &nameOrId, const StartOptions &options);
    Result<ContainerRecord> start(const QString &nameOrId) { return start(nameOrId, {}); }
    // Sends the stop signal (the image's StopSignal or SIGTERM), waits up to `timeoutSecs`
    // (-1: the container's --stop-timeout, else 10), then SIGKILL. Not running: no-op. The
    // restart policy does not undo it: the shim is told first not to restart.
    Status stop(const QString &nameOrId, int timeoutSecs = -1);
    Status restart(const QString &nameOrId, int timeoutSecs = -1);
    // Sends `signal` to the container's main process. A signal that ends it (KILL, TERM, INT,
    // QUIT or its stop signal) also disables its restart policy until the next start, as
    // `docker kill` does; others (HUP, USR1...) leave the policy in place. SIGKILL returns
    // once the container has stopped (as dockerd's kill does), so it can be removed at once.
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
    // the moment they exit; the next look does). A container whose shim died (killed, or the
    // host went down) and whose restart policy asks for it is started again by the look that
    // notices.
    Result<ContainerRecord> get(const QString &nameOrId);
    // get(), and Conflict ("container NAME is not running") unless it runs: for operations
    // that need its processes (exec, attach, pause, top).
    Result<ContainerRecord> getRunning(const QString &nameOrId);
    QList<ContainerRecord> list();

    // Berth has no daemon that starts with the host. Instead, the first Engine::open after the
    // host booted (a boot ID differing from the one recorded in the runtime state directory)
    // calls this: containers that were running when the host went down come back per their
    // policy (always, unless-stopped, on-failure within its count), and `always` containers
    // stopped by hand start too, as Docker does when its daemon starts. Cheap otherwise.
    void restoreAfterBoot();

    // A connection to the container's shim's attach socket (see shimprotocol.h); the caller
    // owns the fd. Unavailable when no shim listens (the container is not running).
    Result<int> connectToShim(const QString &id) const;

    QString directory(const QString &id) const;
    QString logPath(const QString &id) const;
    QString upperDir(const QString &id) const;
    QString rootfs(const QString &id) const;
    QStringList lowerDirs(const ContainerRecord &container) const; // top layer first
    // Bytes the container wrote (its diff/), as Docker's SizeRw: file sizes, not disk blocks.
    qint64 rwSize(const QString &id) const;

    // The OCI runtime in use (probed once per process and cached in the runtime root).
    Result<OciRuntime> runtime();
    QString cgroupsPath(const QString &id) const { return QStringLiteral("/berth/") + id; }

    static bool isValidName(const QString &name);

private:
    // Brings the row in step with the shim's state.json/exit.json. `restartDue` (if given) is
    // set when the shim died and the container's policy wants it started again: the caller,
    // holding no operation lock, then calls restartByPolicy().
    ContainerRecord reconcile(const ContainerRecord &record, bool *restartDue = nullptr);
    ContainerRecord applyShimState(const ContainerRecord &record);
    // The record with its health (HealthFiles::read), after recording the health_status
    // events its shim's changes call for.
    ContainerRecord withHealth(ContainerRecord record);
    Result<ContainerRecord> restartByPolicy(const ContainerRecord &exited);
    Result<ContainerRecord> startLocked(const ContainerRecord &record, const StartOptions &options,
                                        int restartCount);
    Status removeLocked(const ContainerRecord &record, Force force);
    Status mountRootfs(const ContainerRecord &record);
    Status unmountRootfs(const QString &id) const;
    Result<QPair<qint64, qint64>> spawnShim(const ContainerRecord &record, const OciRuntime &rt,
                                            const QList<ProxiedPort> &ports, StartMode mode,
                                            int restartCount, const QString &netnsPath,
                                            int operationLockFd, const QStringList &healthArgs);
    // Frees what a run of a container that no longer runs may have left (its network, its
    // rootfs mount: a starter killed before its shim took over), unless another thread or
    // process is operating on it (that one cleans up).
    void releaseLeftoversIfIdle(const QString &id);
    // Tells the shim not to restart the container (stop, fatal kill, rm -f) and waits for it
    // to acknowledge, so its policy cannot race the signal that follows.
    void disableRestart(const QString &id) const;
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
