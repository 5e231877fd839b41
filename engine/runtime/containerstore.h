// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"
#include "engine/core/digest.h"
#include "engine/core/result.h"
#include "engine/runtime/healthcheck.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

namespace Berth::Engine {

// A volume or bind mount of a container (Docker's -v / --mount). Volumes are named; `source`
// of a bind mount is an absolute host path.
struct MountSpec {
    QString type;        // "volume" or "bind"
    QString source;      // volume name or host path
    QString destination; // absolute path inside the container
    bool readOnly = false;
    bool anonymous = false; // created for the image's VOLUME; `rm -v` removes it

    QJsonObject toJson() const;
    static MountSpec fromJson(const QJsonObject &o);
};

// A published port (Docker's -p [IP:]HOSTPORT:CONTAINERPORT[/PROTO]). As asked for, hostPort
// 0 means "any free port" and an empty hostIp all IPv4 addresses; as bound while the container
// runs, both are the real ones.
struct PortBinding {
    QString protocol = QStringLiteral("tcp"); // "tcp" or "udp"
    int containerPort = 0;
    QString hostIp;
    int hostPort = 0;

    QString key() const { return QString::number(containerPort) + QLatin1Char('/') + protocol; }
    QJsonObject toJson() const;
    static PortBinding fromJson(const QJsonObject &o);
    friend bool operator==(const PortBinding &, const PortBinding &) = default;
};

// The network of one run of a container (Docker's NetworkSettings): set when it starts, cleared
// when it stops. Empty for --network none and host.
struct NetworkSettings {
    QString network;   // "bridge"
    QString ipAddress; // "10.89.0.5"
    int prefixLength = 0;
    QString gateway;
    QString macAddress;
    QList<PortBinding> ports; // what is bound on the host

    bool isEmpty() const { return ipAddress.isEmpty() && ports.isEmpty(); }
    QJsonObject toJson() const;
    static NetworkSettings fromJson(const QJsonObject &o);
};

// Docker's --restart: whether berth-shim runs the container again when it exits.
struct RestartPolicy {
    enum class Name { No, OnFailure, Always, UnlessStopped };
    Name name = Name::No;
    int maximumRetryCount = 0; // on-failure only; 0 = no limit

    // "no", "on-failure", "on-failure:3", "always", "unless-stopped" (Docker's syntax).
    static Result<RestartPolicy> parse(const QString &text);
    QString nameText() const; // "no", "on-failure", "always", "unless-stopped"
    QString toString() const; // as parse() reads it
    bool isNo() const { return name == Name::No; }
    // Whether a container that stopped with `exitCode` after `restartCount` restarts runs
    // again (not asked when the user stopped it).
    bool restartsAfter(int exitCode, int restartCount) const;
};

// What a container runs and with which limits: the image config merged with the user's
// options at create time (Docker's container "Config" + "HostConfig"). Stored as JSON in the
// containers table, so starting again never needs the image config, only its layers.
struct ContainerSpec {
    QString image;          // what the user typed ("busybox:latest")
    QStringList entrypoint; // resolved: the image's or --entrypoint
    QStringList cmd;        // resolved: the image's or the user's
    QStringList env;        // KEY=VALUE, image first, user overrides
    QString workingDir;     // "" = "/"
    QString user;           // "name", "uid", "uid:gid", "name:group"
    QString hostname;       // "" = the first 12 characters of the ID
    QMap<QString, QString> labels;
    QString stopSignal;      // "" = SIGTERM
    int stopTimeout = -1;    // seconds; -1 = 10
    bool init = false;       // run a tiny init (catatonit/tini) as PID 1
    bool readOnly = false;   // read-only root filesystem
    bool autoRemove = false; // --rm
    bool noNewPrivileges = false;
    qint64 memory = 0;    // bytes, 0 = unlimited
    qint64 nanoCpus = 0;  // 1e9 = one CPU
    qint64 pidsLimit = 0; // 0 = unlimited
    QStringList capAdd;   // CAP_* names or ALL
    QStringList capDrop;
    // Docker's log drivers Berth has: json-file (the shim's JSON lines, rotated) and none
    // (output discarded; `logs` refuses, as dockerd does).
    enum class LogDriver { JsonFile, None };
    LogDriver logDriver = LogDriver::JsonFile;
    qint64 logMaxSize = 0;           // 0 = the default
    int logMaxFiles = 0;             // 0 = the default
    QList<MountSpec> mounts;         // resolved at create: the user's plus anonymous volumes
    QString networkMode;             // "bridge" (also when empty), "host" or "none"
    QList<PortBinding> portBindings; // -p, as asked for
    bool publishAll = false;         // -P: every exposed port on a free host port
    QStringList exposedPorts;        // "80/tcp": the image's ExposedPorts plus --expose
    bool privileged = false;         // all capabilities and devices, no seccomp, no masked paths
    QString seccompProfile;          // "" = Berth's default, "unconfined", or a profile (JSON)
    HealthConfig healthcheck;        // resolved at create: the user's over the image's
    QStringList shell;               // the image's SHELL (for a CMD-SHELL health check)

    QString effectiveNetworkMode() const {
        return networkMode.isEmpty() ? QStringLiteral("bridge") : networkMode;
    }
    bool tty = false;       // -t: a pseudo-terminal as the process's stdio
    bool openStdin = false; // -i: stdin is kept open for attached clients
    bool stdinOnce = false; // the first attached client's end of input ends the container's stdin
    RestartPolicy restartPolicy;

    QStringList args() const { return entrypoint + cmd; }
    // --log-driver / HostConfig.LogConfig.Type: "json-file" (also "") or "none"; others are
    // refused by name.
    Status setLogDriver(const QString &name);
    QString logDriverName() const;
    // --log-opt / HostConfig.LogConfig.Config: max-size (bytes, 1k/1m/1g) and max-file for
    // json-file; any other option, or one for the none driver, is refused by name.
    Status setLogOption(const QString &key, const QString &value);
    QJsonObject toJson() const;
    static ContainerSpec fromJson(const QJsonObject &o);
};

enum class ContainerState { Created, Running, Exited };
QString containerStateName(ContainerState state);

struct ContainerRecord {
    QString id; // 64 hex characters
    QString name;
    Digest imageId;
    ContainerSpec spec;
    ContainerState state = ContainerState::Created;
    qint64 pid = 0;     // the container's init process as the host sees it (while running)
    qint64 shimPid = 0; // its berth-shim
    int exitCode = 0;
    bool oomKilled = false;
    QString error; // why the last start failed, or why it stopped abnormally
    QDateTime created;
    QDateTime started;       // invalid until first started
    QDateTime finished;      // invalid until first exit
    int restartCount = 0;    // restarts by the policy since the container was last started by hand
    bool restarting = false; // waiting to be restarted by its policy (from its shim, not stored)
    NetworkSettings network; // of the current run; empty when not running
    // What its health check says (from its shim's health.json, not stored): status None
    // without a health check. Filled by ContainerRuntime's get() and list().
    HealthState health;

    QString shortId() const { return id.left(12); }
    bool isRunning() const { return state == ContainerState::Running; }
};

// Container metadata: rows of the containers table. Pure bookkeeping; ContainerRuntime owns
// the life cycle and keeps these rows in step with the shims' exit files.
class ContainerStore {
public:
    explicit ContainerStore(Database &db);

    Status add(const ContainerRecord &record); // AlreadyExists when the name is taken
    Result<ContainerRecord> get(const QString &id) const;
    // Resolves a name, a full ID or an unambiguous ID prefix.
    Result<ContainerRecord> resolve(const QString &nameOrId) const;
    QList<ContainerRecord> list() const;
    Status remove(const QString &id);
    Status rename(const QString &id, const QString &newName);

    // Marks the container running (after its shim reported the process started); restartCount
    // is 0 for a start by hand, else the restarts by its policy so far.
    Status setRunning(const QString &id, qint64 pid, qint64 shimPid, const QDateTime &started,
                      const NetworkSettings &network = {}, int restartCount = 0);
    // Records what the shim reported about restarts by the policy: the process and its start
    // (pid 0 while waiting to restart), the restart count and how the run before ended. Only
    // if the row is running and this is newer than what it holds; returns whether this call
    // made the change.
    Result<bool> setRestarted(const QString &id, qint64 pid, const QDateTime &started,
                              int restartCount, int lastExitCode, const QDateTime &lastFinished);
    // Records the end of the run that started at `started`, only if the row is still in that
    // run's Running state. Returns whether this call made the change (so exactly one caller
    // records the "die" event when several processes notice the exit at once).
    // `restartCount` is the shim's final count (the row keeps the higher of both).
    Result<bool> setExited(const QString &id, const QDateTime &started, int exitCode,
                           bool oomKilled, const QDateTime &finished, const QString &error,
                           int restartCount = 0);
    // Records a failed start; the container keeps its previous (not running) state.
    Status setError(const QString &id, const QString &error);

    // Images containers use: image ID -> number of containers.
    QHash<QString, int> imageUseCounts() const;

private:
    Result<QList<ContainerRecord>> query(const QString &where, const QVariantList &bind) const;
    Database &m_db;
};

} // namespace Berth::Engine
