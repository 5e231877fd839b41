// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerruntime.h"

#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/core/textvalues.h"
#include "engine/runtime/healthcheck.h"
#include "engine/runtime/ocispec.h"
#include "engine/runtime/overlaymount.h"
#include "engine/runtime/publishedports.h"
#include "engine/runtime/rootless.h"
#include "engine/runtime/seccompprofile.h"
#include "engine/runtime/shimprotocol.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QSysInfo>
#include <QThread>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

constexpr qint64 kDefaultLogMaxSize = 100LL * 1000 * 1000;
constexpr int kDefaultLogMaxFiles = 3;
constexpr int kDefaultStopTimeout = 10;
constexpr int kKillWaitMs = 10000;
// The none log driver keeps only what attached clients may still be reading (attach follows
// the log): one file of 1 MiB, overwritten; `logs` refuses (logsReadable).
constexpr qint64 kNoneLogMaxSize = 1 << 20;

qint64 logMaxSize(const ContainerSpec &spec) {
    if (spec.logDriver == ContainerSpec::LogDriver::None)
        return kNoneLogMaxSize;
    return spec.logMaxSize > 0 ? spec.logMaxSize : kDefaultLogMaxSize;
}

int logMaxFiles(const ContainerSpec &spec) {
    if (spec.logDriver == ContainerSpec::LogDriver::None)
        return 1;
    return spec.logMaxFiles > 0 ? spec.logMaxFiles : kDefaultLogMaxFiles;
}
// The network of the run being started (NetworkSettings), in the container directory.
constexpr const char *kNetworkFile = "network.json";
// The shim reports within the runtime's start time; this only guards against a hung runtime.
constexpr int kShimStartTimeoutMs = 120000;

QString fileIn(const QString &dir, const char *name) {
    return dir + QLatin1Char('/') + QLatin1String(name);
}

// A file of the run's bundle (hosts, hostname, resolv.conf, config.json, network.json), replaced
// atomically but not synced: every start writes them again, and a host that goes down takes
// the run with it. (Two fsyncs per file cost about 50 ms per start on a slow disk.)
Status writeRunFile(const QString &path, const QByteArray &data) {
    const QString tmp =
        QFileInfo(path).absolutePath() + QLatin1Char('/') + uniqueTempName(QStringLiteral(".tmp"));
    QFile f(tmp);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return fail(ErrorKind::Internal, QStringLiteral("create %1: %2").arg(tmp, f.errorString()));
    if (f.write(data) != data.size() || !f.flush()) {
        const QString why = f.errorString();
        f.remove();
        return fail(ErrorKind::Internal, QStringLiteral("write %1: %2").arg(path, why));
    }
    f.close();
    if (::rename(QFile::encodeName(tmp).constData(), QFile::encodeName(path).constData()) != 0) {
        const int err = errno;
        QFile::remove(tmp);
        return failErrno(QStringLiteral("rename %1").arg(path), err);
    }
    return {};
}

// A container's op.lock (an exclusive FileLock), held while one operation changes it. The op
// locks this thread holds are known (path -> descriptor), so code running under one does not
// take it again (that would wait for itself: each FileLock opens the file anew) and start can
// hand the descriptor to the shim. An op.lock that cannot be opened is not held (held()).
thread_local QHash<QString, int> t_heldLocks;

class OpLock {
public:
    explicit OpLock(const QString &path, FileLock::Wait wait = FileLock::Wait::Block)
        : m_path(path) {
        auto lock = FileLock::acquire(path, FileLock::Mode::Exclusive, wait);
        if (!lock)
            return;
        m_lock.emplace(std::move(*lock));
        t_heldLocks.insert(m_path, m_lock->descriptor());
    }
    ~OpLock() {
        if (m_lock)
            t_heldLocks.remove(m_path);
    }
    bool held() const { return m_lock.has_value(); }
    static bool heldByThisThread(const QString &path) { return t_heldLocks.contains(path); }
    // The descriptor holding `path`'s lock in this thread, -1 when none.
    static int descriptor(const QString &path) { return t_heldLocks.value(path, -1); }
    OpLock(const OpLock &) = delete;
    OpLock &operator=(const OpLock &) = delete;

private:
    QString m_path;
    std::optional<FileLock> m_lock;
};

bool isMountPoint(const QString &path) {
    struct stat self {
    }, parent{};
    const QByteArray p = QFile::encodeName(path);
    if (::lstat(p.constData(), &self) != 0)
        return false;
    if (::lstat((p + "/..").constData(), &parent) != 0)
        return false;
    return self.st_dev != parent.st_dev;
}

QString randomHex(int bytes) {
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return QString::fromLatin1(raw.toHex());
}

QString findInitBinary() {
    const QString forced = qEnvironmentVariable("BERTH_INIT");
    if (!forced.isEmpty())
        return QFileInfo(forced).isExecutable() ? forced : QString();
    // Must be static: the image may have no libc at all.
    for (const char *candidate : {"/usr/bin/catatonit", "/usr/libexec/podman/catatonit",
                                  "/usr/bin/tini-static", "/usr/sbin/tini-static"}) {
        const QString path = QString::fromLatin1(candidate);
        if (QFileInfo(path).isExecutable())
            return path;
    }
    return QString();
}

QString findShim() {
    const QString forced = qEnvironmentVariable("BERTH_SHIM");
    if (!forced.isEmpty())
        return forced;
    QStringList candidates;
    if (QCoreApplication::instance()) {
        const QString dir = QCoreApplication::applicationDirPath();
        candidates << dir + QStringLiteral("/berth-shim")
                   << dir + QStringLiteral("/../shim/berth-shim")
                   << dir + QStringLiteral("/../libexec/berth/berth-shim");
    }
    candidates << QStringLiteral(BERTH_SHIM_INSTALL_PATH) << QStringLiteral(BERTH_SHIM_BUILD_PATH);
    for (const QString &c : std::as_const(candidates))
        if (QFileInfo(c).isExecutable())
            return QFileInfo(c).canonicalFilePath();
    return QString();
}

} // namespace

ContainerRuntime::ContainerRuntime(const StorePaths &paths, Database &db, ImageStore &images,
                                   SnapshotStore &snapshots, EventJournal &events)
    : m_paths(paths)
    , m_db(db)
    , m_images(images)
    , m_snapshots(snapshots)
    , m_events(events)
    , m_store(db)
    , m_volumes(paths, db, m_store)
    , m_network() {}

QString ContainerRuntime::directory(const QString &id) const {
    return m_paths.containers() + QLatin1Char('/') + id;
}
QString ContainerRuntime::logPath(const QString &id) const {
    return fileIn(directory(id), Shim::LogFile);
}
QString ContainerRuntime::upperDir(const QString &id) const {
    return directory(id) + QStringLiteral("/diff");
}
QString ContainerRuntime::rootfs(const QString &id) const {
    return fileIn(directory(id), Shim::RootfsDir);
}

QStringList ContainerRuntime::lowerDirs(const ContainerRecord &container) const {
    QStringList out;
    auto image = m_images.get(container.imageId);
    if (!image)
        return out;
    for (qsizetype i = image->layers.size() - 1; i >= 0; --i)
        out.append(m_snapshots.filesPath(image->layers[i].chainId));
    return out;
}

qint64 ContainerRuntime::rwSize(const QString &id) const {
    return QFileInfo::exists(upperDir(id)) ? apparentSize(upperDir(id)) : 0;
}

bool ContainerRuntime::isValidName(const QString &name) {
    static const QRegularExpression re(QStringLiteral("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"));
    return name.size() <= 128 && re.match(name).hasMatch();
}

QString ContainerRuntime::generateName() const {
    static const char *const adjectives[] = {
        "brave", "calm",  "eager", "fancy", "gentle", "happy",  "jolly", "keen",  "lucid",
        "merry", "nifty", "proud", "quiet", "sharp",  "tender", "vivid", "witty", "zealous"};
    static const char *const names[] = {"babbage", "curie",   "darwin",  "euler",    "fermi",
                                        "gauss",   "hopper",  "kepler",  "lovelace", "noether",
                                        "pascal",  "ritchie", "shannon", "turing",   "wozniak"};
    auto *rng = QRandomGenerator::global();
    for (int attempt = 0;; ++attempt) {
        QString name = QStringLiteral("%1_%2").arg(
            QLatin1String(adjectives[rng->bounded(int(std::size(adjectives)))]),
            QLatin1String(names[rng->bounded(int(std::size(names)))]));
        if (attempt > 5)
            name += QString::number(rng->bounded(1000));
        // Free, or the database fails: then adding the container reports the real error.
        if (!m_store.resolve(name))
            return name;
    }
}

Result<OciRuntime> ContainerRuntime::runtime() {
    QMutexLocker locker(&m_runtimeMutex);
    if (!m_runtime) {
        auto rt = OciRuntime::detect(m_paths);
        if (!rt)
            return fail(rt.error());
        m_runtime = *rt;
    }
    return *m_runtime;
}

Result<ContainerRecord> ContainerRuntime::create(const CreateRequest &request) {
    const ContainerSpec &req = request.spec;
    if (!request.name.isEmpty() && !isValidName(request.name))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid container name \"%1\", only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed")
                        .arg(request.name));
    auto image = m_images.resolve(req.image);
    if (!image)
        return fail(image.error());
    auto config = m_images.config(*image);
    if (!config)
        return fail(config.error().withContext(QStringLiteral("image %1").arg(req.image)));
    const ContainerConfig ic = config->config();

    ContainerSpec spec = req;
    spec.entrypoint = request.entrypointSet ? req.entrypoint : ic.entrypoint;
    spec.entrypoint.removeAll(QString());
    spec.cmd = !req.cmd.isEmpty() ? req.cmd : (request.entrypointSet ? QStringList() : ic.cmd);
    spec.env = mergeEnvironment(ic.env, req.env);
    spec.workingDir = req.workingDir.isEmpty() ? ic.workingDir : req.workingDir;
    spec.user = req.user.isEmpty() ? ic.user : req.user;
    spec.stopSignal = req.stopSignal.isEmpty() ? ic.stopSignal : req.stopSignal;
    spec.labels = ic.labels;
    for (auto it = req.labels.cbegin(); it != req.labels.cend(); ++it)
        spec.labels.insert(it.key(), it.value());
    if (spec.args().isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("no command specified (the image has no Entrypoint or Cmd)"));
    if (!spec.stopSignal.isEmpty() && signalFromName(spec.stopSignal) < 0)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid stop signal: %1").arg(spec.stopSignal));
    if (auto caps = effectiveCapabilities(spec.capAdd, spec.capDrop); !caps)
        return fail(caps.error());
    if (auto st = Rootless::checkSpec(spec); !st)
        return fail(st.error());
    if (spec.memory > 0 && spec.memory < 6 * 1024 * 1024)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("minimum memory limit allowed is 6MB"));
    if (!spec.workingDir.isEmpty() && !spec.workingDir.startsWith(QLatin1Char('/')))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("the working directory '%1' is invalid, it needs to be an "
                                   "absolute path")
                        .arg(spec.workingDir));
    if (spec.autoRemove && !spec.restartPolicy.isNo())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("conflicting options: --restart and --rm (a container removed "
                                   "when it exits cannot be restarted)"));
    if (spec.init && findInitBinary().isEmpty())
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("--init needs catatonit or tini-static installed on the host "
                                   "(or BERTH_INIT pointing at a static init)"));
    if (spec.networkMode == QLatin1String("default"))
        spec.networkMode = QStringLiteral("bridge");
    const QString network = spec.effectiveNetworkMode();
    if (network != QLatin1String("bridge") && network != QLatin1String("host") &&
        network != QLatin1String("none"))
        return fail(ErrorKind::NotFound,
                    QStringLiteral("network %1 not found (use bridge, host or none)").arg(network));
    if (network != QLatin1String("bridge") && !spec.portBindings.isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("published ports need the bridge network (with --network "
                                   "host the container's ports are the host's already)"));
    spec.exposedPorts = ic.exposedPorts;
    for (const QString &p : req.exposedPorts)
        if (!spec.exposedPorts.contains(p))
            spec.exposedPorts.append(p);
    for (const PortBinding &b : std::as_const(spec.portBindings))
        if (!spec.exposedPorts.contains(b.key()))
            spec.exposedPorts.append(b.key());
    const QJsonObject imageConfig = config->json().value(QStringLiteral("config")).toObject();
    // An image's broken HEALTHCHECK is ignored rather than making the image unusable.
    spec.healthcheck = req.healthcheck.mergedOver(
        HealthConfig::fromJson(imageConfig.value(QStringLiteral("Healthcheck")))
            .value_or(HealthConfig()));
    if (auto st = spec.healthcheck.validate(); !st)
        return fail(st.error());
    if (spec.shell.isEmpty())
        for (const QJsonValue &v : imageConfig.value(QStringLiteral("Shell")).toArray())
            spec.shell.append(v.toString());
    if (!spec.seccompProfile.isEmpty() && spec.seccompProfile != QLatin1String("unconfined")) {
        const QJsonObject profile = QJsonDocument::fromJson(spec.seccompProfile.toUtf8()).object();
        if (auto converted = ociSeccomp(profile, {}); !converted)
            return fail(converted.error().withContext(QStringLiteral("seccomp profile")));
    }

    auto mounts = m_volumes.prepareMounts(req.mounts, ic.volumes);
    if (!mounts)
        return fail(mounts.error());
    spec.mounts = *mounts;

    ContainerRecord record;
    record.id = randomHex(32);
    record.name = request.name.isEmpty() ? generateName() : request.name;
    record.imageId = image->id;
    record.spec = spec;
    record.state = ContainerState::Created;
    record.created = QDateTime::currentDateTimeUtc();
    const QString dir = directory(record.id);
    // The row first: a creator killed in between leaves a container that start completes and
    // rm removes, never a directory nobody knows.
    if (auto st = m_store.add(record); !st)
        return fail(st.error());
    for (const QString &d : {upperDir(record.id), dir + QStringLiteral("/work"), rootfs(record.id)})
        if (auto st = makeDirectories(d); !st) {
            m_store.remove(record.id);
            removeTree(dir);
            return fail(st.error().withContext(QStringLiteral("create container")));
        }
    m_events.record(QStringLiteral("container"), QStringLiteral("create"), record.id,
                    {{QStringLiteral("name"), record.name}, {QStringLiteral("image"), spec.image}});
    return record;
}

Status ContainerRuntime::mountRootfs(const ContainerRecord &record) {
    const QString target = rootfs(record.id);
    if (isMountPoint(target))
        return {}; // left over from a run whose shim could not unmount; same layers
    QStringList lowers = lowerDirs(record);
    if (lowers.isEmpty()) {
        // An image without layers: overlayfs still needs one lower directory.
        const QString empty = directory(record.id) + QStringLiteral("/empty");
        if (auto st = makeDirectories(empty); !st)
            return st;
        lowers.append(empty);
    }
    for (const QString &l : std::as_const(lowers))
        if (!QFileInfo(l).isDir())
            return fail(ErrorKind::Corrupt,
                        QStringLiteral("layer directory %1 of the container's image is missing "
                                       "(see `berthctl system check`)")
                            .arg(l));
    for (const QString &d :
         {upperDir(record.id), directory(record.id) + QStringLiteral("/work"), target})
        if (auto st = makeDirectories(d); !st)
            return st;
    OverlayLayout layout;
    layout.lowers = lowers;
    layout.upper = upperDir(record.id);
    layout.work = directory(record.id) + QStringLiteral("/work");
    // A --rm container's writes are thrown away when it ends, so its overlay need not be
    // synced to disk at unmount (Podman does the same): "volatile" saves milliseconds per run.
    // Overlayfs leaves a marker that refuses a second volatile mount of the same upper dir.
    if (record.spec.autoRemove) {
        QDir(layout.work + QStringLiteral("/work/incompat")).removeRecursively();
        layout.sync = OverlayLayout::Sync::Volatile;
    }
    return mountOverlay(layout, target);
}

Status ContainerRuntime::unmountRootfs(const QString &id) const {
    const QString target = rootfs(id);
    const QByteArray p = QFile::encodeName(target);
    for (int i = 0; i < 16 && isMountPoint(target); ++i) {
        if (::umount2(p.constData(), 0) != 0 && errno == EBUSY)
            ::umount2(p.constData(), MNT_DETACH);
    }
    if (isMountPoint(target))
        return fail(ErrorKind::Conflict, QStringLiteral("cannot unmount %1").arg(target));
    return {};
}

bool ContainerRuntime::shimAlive(const QString &id) const {
    return FileLock::isBusy(fileIn(directory(id), Shim::LockFile), FileLock::Mode::Shared);
}

bool ContainerRuntime::waitForShim(const QString &id, int timeoutMs) const {
    QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer::Forever : QDeadlineTimer(timeoutMs));
    // A shim that is ending is usually gone within a millisecond or two: poll fast first.
    unsigned long pauseUs = 250;
    while (shimAlive(id)) {
        if (deadline.hasExpired())
            return false;
        ::usleep(useconds_t(pauseUs));
        pauseUs = qMin<unsigned long>(pauseUs * 2, 20000);
    }
    return true;
}

Result<QPair<qint64, qint64>>
ContainerRuntime::spawnShim(const ContainerRecord &record, const OciRuntime &rt,
                            const QList<ProxiedPort> &ports, StartMode mode, int restartCount,
                            const QString &netnsPath, int operationLockFd,
                            const QStringList &healthArgs) {
    const QString shim = findShim();
    if (shim.isEmpty())
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("berth-shim not found (set BERTH_SHIM or install it next to "
                                   "berthctl)"));
    const ContainerSpec &spec = record.spec;
    QStringList args{
        shim,
        QStringLiteral("--id"),
        record.id,
        QStringLiteral("--bundle"),
        directory(record.id),
        QStringLiteral("--runtime"),
        rt.path(),
        QStringLiteral("--runtime-root"),
        rt.stateRoot(),
        QStringLiteral("--cgroup"),
        cgroupsPath(record.id),
        QStringLiteral("--log-max-size"),
        QString::number(logMaxSize(spec)),
        QStringLiteral("--log-max-files"),
        QString::number(logMaxFiles(spec)),
        QStringLiteral("--restart"),
        spec.restartPolicy.nameText(),
        QStringLiteral("--restart-max"),
        QString::number(spec.restartPolicy.maximumRetryCount),
        QStringLiteral("--restart-count"),
        QString::number(restartCount),
    };
    // The listening sockets become the shim's fds FirstPortFd, FirstPortFd + 1, ... They are
    // first copied above that range, so moving them into place cannot overwrite one another.
    const int portCount = int(ports.size());
    std::vector<int> portFds;
    auto closePortFds = [&portFds] {
        for (int fd : portFds)
            ::close(fd);
    };
    for (int i = 0; i < portCount; ++i) {
        const int fd = ::fcntl(ports[i].fd, F_DUPFD_CLOEXEC, Shim::FirstPortFd + portCount);
        if (fd < 0) {
            const int err = errno;
            closePortFds();
            return failErrno(QStringLiteral("dup"), err);
        }
        portFds.push_back(fd);
        args << QStringLiteral("--publish")
             << QStringLiteral("%1:%2:%3:%4")
                    .arg(ports[i].protocol)
                    .arg(Shim::FirstPortFd + i)
                    .arg(ports[i].containerIp)
                    .arg(ports[i].containerPort);
    }
    if (spec.tty)
        args << QStringLiteral("--terminal");
    if (spec.openStdin)
        args << QStringLiteral("--stdin");
    if (mode == StartMode::Attached)
        args << QStringLiteral("--hold-output");
    if (spec.autoRemove)
        args << QStringLiteral("--transient");
    if (rt.cgroupView() == CgroupView::Legacy)
        args << QStringLiteral("--cgroup-view") << QString::fromLatin1(Shim::LegacyCgroupView);
    // The shim keeps the namespace for restarts by the policy (see shimprotocol.h).
    if (!netnsPath.isEmpty())
        args << QStringLiteral("--netns") << netnsPath;
    args << healthArgs;
    // The operation lock goes with the shim until it holds its own lock: should this process
    // die meanwhile, nobody takes the half-started run for leftovers and cleans it away.
    const int lockTarget = Shim::FirstPortFd + portCount;
    if (operationLockFd >= 0) {
        const int fd = ::fcntl(operationLockFd, F_DUPFD_CLOEXEC, lockTarget + 1);
        if (fd < 0) {
            const int err = errno;
            closePortFds();
            return failErrno(QStringLiteral("dup"), err);
        }
        portFds.push_back(fd); // closed with them; moved to lockTarget in the child
        args << QStringLiteral("--hold-lock") << QString::number(lockTarget);
    }
    QList<QByteArray> storage;
    for (const QString &a : args)
        storage.append(QFile::encodeName(a));
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const QByteArray shimLog = QFile::encodeName(fileIn(directory(record.id), Shim::ShimLogFile));

    int sync[2];
    if (::pipe2(sync, O_CLOEXEC) != 0) {
        const int err = errno;
        closePortFds();
        return failErrno(QStringLiteral("pipe"), err);
    }
    // dup2 onto itself would keep close-on-exec: give the write end another number first.
    if (sync[1] == Shim::SyncFd) {
        const int moved = ::fcntl(sync[1], F_DUPFD_CLOEXEC, Shim::SyncFd + 1);
        ::close(sync[1]);
        sync[1] = moved;
    }
    // posix_spawn (vfork-like: no copy of this process's page tables, unlike fork) in a new
    // session; berth-shim then forks once and leaves (see its main), so that it outlives
    // berthctl, the GUI and their sessions. Its fds: /dev/null, shim.log twice, the sync pipe,
    // then the listening sockets and the operation lock from FirstPortFd on, in order.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDWR, 0);
    posix_spawn_file_actions_addopen(&actions, 1, shimLog.constData(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_adddup2(&actions, sync[1], Shim::SyncFd);
    for (size_t i = 0; i < portFds.size(); ++i)
        posix_spawn_file_actions_adddup2(&actions, portFds[i], Shim::FirstPortFd + int(i));
    posix_spawn_file_actions_addclosefrom_np(&actions, Shim::FirstPortFd + int(portFds.size()));
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
    pid_t child = -1;
    const int spawned = ::posix_spawn(&child, argv[0], &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (spawned != 0) {
        ::close(sync[0]);
        ::close(sync[1]);
        closePortFds();
        return failErrno(QStringLiteral("start %1").arg(shim), spawned);
    }
    ::close(sync[1]);
    closePortFds();
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    QByteArray reply;
    QDeadlineTimer deadline(kShimStartTimeoutMs);
    for (;;) {
        pollfd pfd{sync[0], POLLIN, 0};
        const int ready = ::poll(&pfd, 1, int(qMax<qint64>(0, deadline.remainingTime())));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            break;
        char buf[4096];
        const ssize_t n = ::read(sync[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        reply.append(buf, n);
    }
    ::close(sync[0]);
    reply = reply.trimmed();
    if (reply.startsWith("ok ")) {
        const QList<QByteArray> parts = reply.mid(3).split(' ');
        return qMakePair(parts.value(0).toLongLong(), parts.value(1).toLongLong());
    }
    if (reply.startsWith("error "))
        return fail(ErrorKind::Internal, QString::fromUtf8(reply.mid(6)));
    return fail(
        ErrorKind::Internal,
        reply.isEmpty()
            ? QStringLiteral("berth-shim did not report (see %1)").arg(QString::fromUtf8(shimLog))
            : QString::fromUtf8(reply));
}

Result<ContainerRecord> ContainerRuntime::start(const QString &nameOrId,
                                                const StartOptions &options) {
    auto found = m_store.resolve(nameOrId);
    if (!found)
        return fail(found.error());
    OpLock lock(fileIn(directory(found->id), "op.lock"));
    auto current = m_store.get(found->id);
    if (!current)
        return fail(current.error());
    const ContainerRecord record = reconcile(*current);
    if (record.isRunning())
        return record;
    auto started = startLocked(record, options, 0);
    if (!started) {
        m_store.setError(record.id, started.error().message);
        return fail(
            started.error().withContext(QStringLiteral("start container %1").arg(record.name)));
    }
    return started;
}

Result<ContainerRecord> ContainerRuntime::startLocked(const ContainerRecord &record,
                                                      const StartOptions &options,
                                                      int restartCount) {
    auto rt = runtime();
    if (!rt)
        return fail(rt.error());
    if (!m_images.get(record.imageId))
        return fail(
            ErrorKind::NotFound,
            QStringLiteral("the container's image %1 is gone").arg(record.imageId.shortId()));
    const QString dir = directory(record.id);
    // What a previous run left: its exit status, runtime state and network.
    QFile::remove(fileIn(dir, Shim::ExitFile));
    QFile::remove(fileIn(dir, Shim::StateFile));
    QFile::remove(fileIn(dir, Shim::PidFile));
    // A new shim numbers its health changes from 1 again.
    HealthFiles::clear(dir);
    rt->forceDelete(record.id);
    if (auto st = m_network.release(dir); !st)
        return fail(st.error());
    if (auto st = mountRootfs(record); !st)
        return fail(st.error());
    auto cleanup = [&](const Error &e) -> Result<ContainerRecord> {
        m_network.release(dir);
        QFile::remove(fileIn(dir, kNetworkFile));
        unmountRootfs(record.id);
        return fail(e);
    };
    auto user = resolveUser(rootfs(record.id), record.spec.user);
    if (!user)
        return cleanup(user.error());
    const QString network = record.spec.effectiveNetworkMode();
    const bool hostNetwork = network == QLatin1String("host");
    // With the host's network the container shares its name too, as in Docker.
    const QString hostname = !record.spec.hostname.isEmpty() ? record.spec.hostname
                             : hostNetwork                   ? QSysInfo::machineHostName()
                                                             : record.shortId();
    SpecContext ctx;
    ctx.id = record.id;
    ctx.hostname = hostname;
    ctx.hostsFile = dir + QStringLiteral("/hosts");
    ctx.hostnameFile = dir + QStringLiteral("/hostname");
    ctx.resolvConfFile = dir + QStringLiteral("/resolv.conf");
    ctx.initBinary = record.spec.init ? findInitBinary() : QString();
    ctx.cgroupsPath = cgroupsPath(record.id);
    ctx.user = *user;
    ctx.hostNetwork = hostNetwork;
    BridgeNetwork::Attachment attachment;
    PortListeners listeners;
    QList<PortBinding> forwardedPorts; // rootless: by slirp4netns
    if (network == QLatin1String("bridge")) {
        auto attached = m_network.attach(record.id, dir);
        if (!attached)
            return cleanup(attached.error());
        attachment = std::move(*attached);
        ctx.networkNamespacePath = attachment.namespacePath();
        auto bound = PortListeners::bind(requestedPorts(record.spec));
        if (!bound)
            return cleanup(bound.error());
        listeners = std::move(*bound);
        // Rootless: slirp4netns listens itself (the shim's proxy cannot reach the namespace).
        if (Rootless::active()) {
            forwardedPorts = listeners.bound();
            listeners.close();
            if (auto st = m_network.publish(dir, forwardedPorts); !st)
                return cleanup(st.error());
        }
    }
    const QByteArray hostResolv =
        readFileLimited(QStringLiteral("/etc/resolv.conf"), 1 << 20).value_or(QByteArray());
    // The host's own files for its network; loopback name servers are unreachable otherwise.
    const QByteArray hosts = hostNetwork
                                 ? readFileLimited(QStringLiteral("/etc/hosts"), 1 << 20)
                                       .value_or(hostsFileContent(hostname))
                                 : hostsFileContent(hostname, attachment.settings().ipAddress);
    for (const auto &[path, content] :
         {std::pair{ctx.hostsFile, hosts}, std::pair{ctx.hostnameFile, hostname.toUtf8() + '\n'},
          std::pair{ctx.resolvConfFile, hostNetwork ? hostResolv : resolvConfContent(hostResolv)}})
        if (auto st = writeRunFile(path, content); !st)
            return cleanup(st.error());
    auto mounts = m_volumes.hostMounts(record.spec.mounts, rootfs(record.id));
    if (!mounts)
        return cleanup(mounts.error());
    ctx.mounts = *mounts;
    auto spec = buildOciSpec(record.spec, ctx);
    if (!spec)
        return cleanup(spec.error());
    if (record.spec.tty && options.consoleRows > 0 && options.consoleColumns > 0) {
        QJsonObject process = spec->value(QStringLiteral("process")).toObject();
        process.insert(QStringLiteral("consoleSize"),
                       QJsonObject{{QStringLiteral("height"), options.consoleRows},
                                   {QStringLiteral("width"), options.consoleColumns}});
        spec->insert(QStringLiteral("process"), process);
    }
    if (auto st = writeRunFile(dir + QStringLiteral("/config.json"), QJsonDocument(*spec).toJson());
        !st)
        return cleanup(st.error());
    auto healthArgs = HealthFiles::prepare(dir, record.spec.healthcheck, record.spec.shell,
                                           spec->value(QStringLiteral("process")).toObject());
    if (!healthArgs)
        return cleanup(healthArgs.error());
    NetworkSettings settings = attachment.settings();
    settings.ports = Rootless::active() ? forwardedPorts : listeners.bound();
    // For whoever adopts the run should this process die before it records it.
    if (!settings.isEmpty())
        if (auto st =
                writeRunFile(fileIn(dir, kNetworkFile), QJsonDocument(settings.toJson()).toJson());
            !st)
            return cleanup(st.error());
    const QDateTime startedAt = QDateTime::currentDateTimeUtc();
    QList<ProxiedPort> proxied;
    for (qsizetype i = 0; i < listeners.bound().size(); ++i)
        proxied.append(ProxiedPort{listeners.fds().at(i), listeners.bound().at(i).protocol,
                                   attachment.settings().ipAddress,
                                   listeners.bound().at(i).containerPort});
    auto pids =
        spawnShim(record, *rt, proxied, options.mode, restartCount, ctx.networkNamespacePath,
                  OpLock::descriptor(fileIn(dir, "op.lock")), *healthArgs);
    if (!pids) {
        rt->forceDelete(record.id);
        return cleanup(pids.error());
    }
    // The container holds its namespace now, the shim the listening sockets.
    attachment.closeNamespace();
    listeners.close();
    if (auto st = m_store.setRunning(record.id, pids->first, pids->second, startedAt, settings,
                                     restartCount);
        !st)
        return fail(st.error());
    m_events.record(
        QStringLiteral("container"), QStringLiteral("start"), record.id,
        {{QStringLiteral("name"), record.name}, {QStringLiteral("image"), record.spec.image}});
    auto updated = m_store.get(record.id);
    if (!updated)
        return fail(updated.error());
    return withHealth(reconcile(*updated));
}

void ContainerRuntime::releaseLeftoversIfIdle(const QString &id) {
    const QString dir = directory(id);
    if (!BridgeNetwork::holdsLease(dir) && !isMountPoint(rootfs(id)))
        return;
    auto release = [&] {
        // A shim that still runs owns its run's mount and network; it ends them itself.
        if (shimAlive(id))
            return;
        m_network.release(dir);
        QFile::remove(fileIn(dir, kNetworkFile));
        unmountRootfs(id);
    };
    const QString opLock = fileIn(dir, "op.lock");
    if (OpLock::heldByThisThread(opLock))
        return release();
    // Someone starting or stopping it meanwhile owns what it holds; they clean up.
    OpLock lock(opLock, FileLock::Wait::Try);
    if (!lock.held())
        return;
    auto now = m_store.get(id);
    if (!now || !now->isRunning())
        release();
}

ContainerRecord ContainerRuntime::reconcile(const ContainerRecord &record, bool *restartDue) {
    const QString dir = directory(record.id);
    const QString exitFile = fileIn(dir, Shim::ExitFile);
    if (record.state != ContainerState::Running) {
        // A start whose caller died after the shim came up but before the database knew.
        if (QFileInfo::exists(fileIn(dir, Shim::LockFile)) && shimAlive(record.id) &&
            !QFileInfo::exists(exitFile)) {
            const qint64 pid = readFileLimited(fileIn(dir, Shim::PidFile), 64)
                                   .value_or("0")
                                   .trimmed()
                                   .toLongLong();
            const QDateTime started = QFileInfo(fileIn(dir, Shim::PidFile)).lastModified().toUTC();
            // Its network as the starter recorded it before starting the shim.
            const NetworkSettings network = NetworkSettings::fromJson(
                QJsonDocument::fromJson(
                    readFileLimited(fileIn(dir, kNetworkFile), 1 << 20).value_or(QByteArray()))
                    .object());
            if (m_store.setRunning(record.id, pid, 0, started, network))
                if (auto r = m_store.get(record.id))
                    return reconcile(*r);
        }
        releaseLeftoversIfIdle(record.id);
        return record;
    }
    // Restarts by the policy since the row was written moved its run's start and count.
    const ContainerRecord current = applyShimState(record);
    int exitCode = 0;
    bool oom = false;
    QDateTime finished;
    QString error;
    int restartCount = 0;
    bool shimDied = false;
    auto readExit = [&]() {
        auto data = readFileLimited(exitFile, 65536);
        if (!data)
            return false;
        const QJsonObject o = QJsonDocument::fromJson(*data).object();
        exitCode = o.value(QStringLiteral("exitCode")).toInt(255);
        oom = o.value(QStringLiteral("oomKilled")).toBool();
        restartCount = o.value(QStringLiteral("restartCount")).toInt();
        error = o.value(QStringLiteral("error")).toString();
        finished = QDateTime::fromString(o.value(QStringLiteral("finishedAt")).toString(),
                                         Qt::ISODateWithMs);
        if (!finished.isValid())
            finished = QDateTime::currentDateTimeUtc();
        return true;
    };
    bool done = readExit();
    if (!done && !shimAlive(record.id)) {
        // The shim writes exit.json before it releases its lock: look once more.
        done = readExit();
        if (!done) {
            // The monitor died (killed, OOM, crash): nobody can report the exit status, so
            // stop what is left rather than let the container run unobserved.
            if (auto rt = runtime())
                rt->forceDelete(record.id);
            exitCode = 255;
            finished = QDateTime::currentDateTimeUtc();
            error = QStringLiteral("berth-shim (the container's monitor) exited unexpectedly; "
                                   "the container was stopped");
            restartCount = current.restartCount;
            shimDied = true;
            done = true;
        }
    }
    if (!done)
        return current;
    unmountRootfs(record.id);
    auto changed =
        m_store.setExited(record.id, current.started, exitCode, oom, finished, error, restartCount);
    if (changed && *changed) {
        // Docker's order: "oom" when the kernel's OOM killer ended it, then "die".
        if (oom)
            m_events.record(QStringLiteral("container"), QStringLiteral("oom"), record.id,
                            {{QStringLiteral("name"), record.name},
                             {QStringLiteral("image"), record.spec.image}});
        m_events.record(QStringLiteral("container"), QStringLiteral("die"), record.id,
                        {{QStringLiteral("name"), record.name},
                         {QStringLiteral("image"), record.spec.image},
                         {QStringLiteral("exitCode"), exitCode},
                         {QStringLiteral("oomKilled"), oom}});
        // Nobody was left to apply the policy: whoever noticed does (see restartByPolicy).
        if (shimDied && restartDue &&
            record.spec.restartPolicy.restartsAfter(exitCode, current.restartCount))
            *restartDue = true;
    }
    releaseLeftoversIfIdle(record.id);
    return m_store.get(record.id).value_or(record);
}

// What the shim of a running container reports about restarts by its policy (state.json).
ContainerRecord ContainerRuntime::applyShimState(const ContainerRecord &record) {
    if (record.spec.restartPolicy.isNo())
        return record;
    auto data = readFileLimited(fileIn(directory(record.id), Shim::StateFile), 65536);
    if (!data)
        return record;
    const QJsonObject o = QJsonDocument::fromJson(*data).object();
    const int count = o.value(QStringLiteral("restartCount")).toInt();
    const qint64 pid = o.value(QStringLiteral("pid")).toInteger();
    const QDateTime started =
        QDateTime::fromString(o.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    const QDateTime finished =
        QDateTime::fromString(o.value(QStringLiteral("finishedAt")).toString(), Qt::ISODateWithMs);
    const int lastExit = o.value(QStringLiteral("exitCode")).toInt();
    ContainerRecord out = record;
    const bool ended =
        finished.isValid() && (!record.finished.isValid() || finished > record.finished);
    const bool newer =
        started.isValid() && (count > record.restartCount ||
                              (count == record.restartCount &&
                               (started > record.started || (started == record.started && ended))));
    if (newer) {
        auto changed = m_store.setRestarted(record.id, pid, started, count, lastExit,
                                            finished.isValid() ? finished : record.finished);
        if (changed && *changed) {
            if (ended)
                m_events.record(QStringLiteral("container"), QStringLiteral("die"), record.id,
                                {{QStringLiteral("name"), record.name},
                                 {QStringLiteral("image"), record.spec.image},
                                 {QStringLiteral("exitCode"), lastExit}});
            if (pid > 0 && pid != record.pid)
                m_events.record(QStringLiteral("container"), QStringLiteral("start"), record.id,
                                {{QStringLiteral("name"), record.name},
                                 {QStringLiteral("image"), record.spec.image}});
        }
        out = m_store.get(record.id).value_or(record);
    }
    out.restarting = o.value(QStringLiteral("restarting")).toBool();
    return out;
}

Result<ContainerRecord> ContainerRuntime::restartByPolicy(const ContainerRecord &exited) {
    OpLock lock(fileIn(directory(exited.id), "op.lock"));
    auto current = m_store.get(exited.id);
    if (!current)
        return fail(current.error());
    // Someone else started, stopped or removed it meanwhile: theirs is the last word.
    if (current->state != ContainerState::Exited || current->finished != exited.finished)
        return reconcile(*current);
    auto started = startLocked(*current, StartOptions{}, current->restartCount + 1);
    if (!started) {
        m_store.setError(
            current->id,
            QStringLiteral("restart by policy failed: %1").arg(started.error().message));
        return m_store.get(current->id);
    }
    return started;
}

void ContainerRuntime::restoreAfterBoot() {
    const QByteArray bootId =
        readFileLimited(QStringLiteral("/proc/sys/kernel/random/boot_id"), 256)
            .value_or(QByteArray())
            .trimmed();
    const QString marker = m_paths.runtimeRoot() + QStringLiteral("/boot-id");
    if (bootId.isEmpty() || readFileLimited(marker, 256).value_or(QByteArray()).trimmed() == bootId)
        return;
    if (!makeDirectories(m_paths.runtimeRoot()) || !writeFileAtomically(marker, bootId + '\n'))
        return; // cannot remember this boot: better not restore on every open
    // list() reconciles every container: those whose shim went down with the host are
    // reported exited and restarted per their policy.
    for (const ContainerRecord &r : list())
        if (r.state == ContainerState::Exited && r.started.isValid() &&
            r.spec.restartPolicy.name == RestartPolicy::Name::Always)
            restartByPolicy(r);
}

Result<int> ContainerRuntime::connectToShim(const QString &id) const {
    // Through the directory's fd: the socket's path may be longer than sun_path holds.
    const int dir =
        ::open(QFile::encodeName(directory(id)).constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return failErrno(QStringLiteral("open the container directory"), errno);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir,
                  Shim::AttachSocket);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int err = 0;
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0)
        err = errno;
    ::close(dir);
    if (err != 0) {
        if (fd >= 0)
            ::close(fd);
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("cannot reach the container's berth-shim: %1")
                        .arg(QString::fromLocal8Bit(std::strerror(err))));
    }
    return fd;
}

void ContainerRuntime::disableRestart(const QString &id) const {
    auto fd = connectToShim(id);
    if (!fd)
        return; // no shim: nothing can restart it
    const std::string frame = Shim::encodeFrame(Shim::Frame::NoRestart);
    if (::send(*fd, frame.data(), frame.size(), MSG_NOSIGNAL) == ssize_t(frame.size())) {
        // The shim answers at once; the bound only guards against a hung one.
        Shim::FrameReader reader;
        QDeadlineTimer deadline(10000);
        Shim::Frame type;
        std::string payload;
        bool acked = false;
        while (!acked && !deadline.hasExpired()) {
            pollfd p{*fd, POLLIN, 0};
            if (::poll(&p, 1, int(qMax<qint64>(1, deadline.remainingTime()))) <= 0)
                continue;
            char buf[4096];
            const ssize_t n = ::read(*fd, buf, sizeof buf);
            if (n <= 0)
                break;
            reader.feed(buf, size_t(n));
            while (reader.next(type, payload))
                acked = acked || type == Shim::Frame::Ack;
        }
    }
    ::close(*fd);
}

ContainerRecord ContainerRuntime::withHealth(ContainerRecord record) {
    if (!record.spec.healthcheck.runsProbe())
        return record;
    const QString dir = directory(record.id);
    HealthFiles::recordEvents(
        dir, m_events, record.id,
        {{QStringLiteral("name"), record.name}, {QStringLiteral("image"), record.spec.image}});
    record.health = HealthFiles::read(dir, record.spec.healthcheck, record.isRunning());
    return record;
}

Result<ContainerRecord> ContainerRuntime::getRunning(const QString &nameOrId) {
    auto record = get(nameOrId);
    if (record && !record->isRunning())
        return fail(ErrorKind::Conflict,
                    QStringLiteral("container %1 is not running").arg(record->name));
    return record;
}

Result<ContainerRecord> ContainerRuntime::get(const QString &nameOrId) {
    auto r = m_store.resolve(nameOrId);
    if (!r)
        return fail(r.error());
    bool restartDue = false;
    const ContainerRecord now = reconcile(*r, &restartDue);
    if (restartDue)
        return restartByPolicy(now);
    return withHealth(now);
}

QList<ContainerRecord> ContainerRuntime::list() {
    QList<ContainerRecord> out;
    for (const ContainerRecord &r : m_store.list()) {
        bool restartDue = false;
        ContainerRecord now = reconcile(r, &restartDue);
        if (restartDue)
            now = restartByPolicy(now).value_or(now);
        if (now.spec.autoRemove && now.state == ContainerState::Exited) {
            if (remove(now.id, Force::No))
                continue;
        }
        out.append(withHealth(now));
    }
    return out;
}

Status ContainerRuntime::stop(const QString &nameOrId, int timeoutSecs) {
    auto found = m_store.resolve(nameOrId);
    if (!found)
        return fail(found.error());
    OpLock lock(fileIn(directory(found->id), "op.lock"));
    auto current = m_store.get(found->id);
    if (!current)
        return fail(current.error());
    const ContainerRecord record = reconcile(*current);
    if (!record.isRunning())
        return {};
    auto rt = runtime();
    if (!rt)
        return fail(rt.error());
    const int sig =
        record.spec.stopSignal.isEmpty() ? SIGTERM : signalFromName(record.spec.stopSignal);
    const int timeout = timeoutSecs >= 0               ? timeoutSecs
                        : record.spec.stopTimeout >= 0 ? record.spec.stopTimeout
                                                       : kDefaultStopTimeout;
    disableRestart(record.id);
    // PID 1 ignores signals it has no handler for (busybox sh does), hence the KILL after.
    if (auto st = rt->kill(record.id, sig); !st && st.error().kind != ErrorKind::NotFound)
        return fail(st.error());
    if (!waitForShim(record.id, timeout * 1000)) {
        if (auto st = rt->kill(record.id, SIGKILL); !st && st.error().kind != ErrorKind::NotFound)
            return fail(st.error());
        if (!waitForShim(record.id, 60000))
            rt->forceDelete(record.id);
    }
    reconcile(record);
    m_events.record(QStringLiteral("container"), QStringLiteral("stop"), record.id,
                    {{QStringLiteral("name"), record.name}});
    return {};
}

Status ContainerRuntime::restart(const QString &nameOrId, int timeoutSecs) {
    if (auto st = stop(nameOrId, timeoutSecs); !st)
        return st;
    auto r = start(nameOrId);
    if (!r)
        return fail(r.error());
    m_events.record(QStringLiteral("container"), QStringLiteral("restart"), r->id,
                    {{QStringLiteral("name"), r->name}});
    return {};
}

Status ContainerRuntime::kill(const QString &nameOrId, int signal) {
    auto record = get(nameOrId);
    if (!record)
        return fail(record.error());
    if (!record->isRunning())
        return fail(
            ErrorKind::Conflict,
            QStringLiteral("cannot kill container %1: container is not running").arg(record->name));
    auto rt = runtime();
    if (!rt)
        return fail(rt.error());
    const int stopSignal =
        record->spec.stopSignal.isEmpty() ? SIGTERM : signalFromName(record->spec.stopSignal);
    if (signal == SIGKILL || signal == SIGTERM || signal == SIGINT || signal == SIGQUIT ||
        signal == stopSignal)
        disableRestart(record->id);
    if (auto st = rt->kill(record->id, signal); !st)
        return fail(st.error());
    m_events.record(QStringLiteral("container"), QStringLiteral("kill"), record->id,
                    {{QStringLiteral("name"), record->name}, {QStringLiteral("signal"), signal}});
    // SIGKILL cannot be caught: as dockerd does, return once the container has stopped, so a
    // `kill && rm` script finds it exited. Its shim records the exit at once; one still there
    // after kKillWaitMs is an error the caller sees.
    if (signal == SIGKILL) {
        if (!waitForShim(record->id, kKillWaitMs))
            return fail(ErrorKind::Unavailable,
                        QStringLiteral("container %1 was sent SIGKILL but has not stopped "
                                       "after %2 s")
                            .arg(record->name)
                            .arg(kKillWaitMs / 1000));
        get(record->id);
    }
    return {};
}

Status ContainerRuntime::remove(const QString &nameOrId, Force force) {
    return remove(nameOrId, force, RemoveVolumes::No);
}

Status ContainerRuntime::remove(const QString &nameOrId, Force force, RemoveVolumes volumes) {
    auto found = m_store.resolve(nameOrId);
    if (!found)
        return fail(found.error());
    const QString dir = directory(found->id);
    {
        OpLock lock(fileIn(dir, "op.lock"));
        auto current = m_store.get(found->id);
        if (!current)
            return fail(current.error()); // removed meanwhile by another process
        if (auto st = removeLocked(reconcile(*current), force); !st)
            return st;
    }
    // The lock file goes last, so a waiter finds the row gone rather than a half removal.
    removeTree(dir);
    if (volumes == RemoveVolumes::Yes)
        for (const MountSpec &m : found->spec.mounts)
            if (m.type == QLatin1String("volume") && m.anonymous)
                if (auto st = m_volumes.remove(m.source);
                    !st && st.error().kind != ErrorKind::NotFound)
                    return st; // in use by another container: it stays, as in Docker
    return {};
}

Status ContainerRuntime::withRootfs(
    const QString &nameOrId,
    const std::function<Status(const ContainerRecord &, const QString &)> &work) {
    auto found = m_store.resolve(nameOrId);
    if (!found)
        return fail(found.error());
    OpLock lock(fileIn(directory(found->id), "op.lock"));
    auto current = m_store.get(found->id);
    if (!current)
        return fail(current.error());
    const ContainerRecord record = reconcile(*current);
    if (record.isRunning() && isMountPoint(rootfs(record.id)))
        return work(record, rootfs(record.id));
    if (auto st = mountRootfs(record); !st)
        return st;
    Status result = work(record, rootfs(record.id));
    if (auto st = unmountRootfs(record.id); !st && result)
        return st;
    return result;
}

Status ContainerRuntime::removeLocked(const ContainerRecord &record, Force force) {
    if (record.isRunning()) {
        if (force == Force::No)
            return fail(ErrorKind::Conflict,
                        QStringLiteral("cannot remove container \"%1\": container is running: "
                                       "stop the container before removing or force remove")
                            .arg(record.name));
        auto rt = runtime();
        if (!rt)
            return fail(rt.error());
        disableRestart(record.id);
        rt->kill(record.id, SIGKILL);
        if (!waitForShim(record.id, 60000))
            rt->forceDelete(record.id);
        reconcile(record);
    }
    if (auto rt = runtime())
        rt->forceDelete(record.id);
    // A shim that wrote exit.json is about to exit; give it the moment it needs.
    waitForShim(record.id, 10000);
    if (shimAlive(record.id))
        return fail(ErrorKind::Conflict,
                    QStringLiteral("cannot remove container \"%1\": its berth-shim is still "
                                   "running")
                        .arg(record.name));
    if (auto st = m_network.release(directory(record.id)); !st)
        return fail(st.error().withContext(QStringLiteral("remove container %1").arg(record.name)));
    // Never remove files through a mounted rootfs.
    if (auto st = unmountRootfs(record.id); !st)
        return fail(st.error().withContext(QStringLiteral("remove container %1").arg(record.name)));
    const QString dir = directory(record.id);
    const QDir d(dir);
    for (const QString &entry :
         d.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System)) {
        if (entry == QLatin1String("op.lock"))
            continue;
        if (auto st = removeTree(dir + QLatin1Char('/') + entry); !st)
            return fail(
                st.error().withContext(QStringLiteral("remove container %1").arg(record.name)));
    }
    if (auto st = m_store.remove(record.id); !st)
        return st;
    m_events.record(
        QStringLiteral("container"), QStringLiteral("destroy"), record.id,
        {{QStringLiteral("name"), record.name}, {QStringLiteral("image"), record.spec.image}});
    return {};
}

Status ContainerRuntime::rename(const QString &nameOrId, const QString &newName) {
    if (!isValidName(newName))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid container name \"%1\"").arg(newName));
    auto record = m_store.resolve(nameOrId);
    if (!record)
        return fail(record.error());
    if (auto st = m_store.rename(record->id, newName); !st)
        return st;
    m_events.record(QStringLiteral("container"), QStringLiteral("rename"), record->id,
                    {{QStringLiteral("name"), newName}, {QStringLiteral("oldName"), record->name}});
    return {};
}

Result<int> ContainerRuntime::wait(const QString &nameOrId) {
    for (;;) {
        auto record = get(nameOrId);
        if (!record)
            return fail(record.error());
        if (!record->isRunning())
            return record->exitCode;
        // Blocks until the shim releases its lock, i.e. exits.
        if (!FileLock::acquireExisting(fileIn(directory(record->id), Shim::LockFile),
                                       FileLock::Mode::Shared))
            QThread::msleep(50);
    }
}

Result<PruneReport> ContainerRuntime::prune() {
    PruneReport report;
    for (const ContainerRecord &r : list()) {
        if (r.isRunning())
            continue;
        const qint64 size = rwSize(r.id);
        if (auto st = remove(r.id, Force::No); !st) {
            if (st.error().kind == ErrorKind::NotFound)
                continue;
            return fail(st.error());
        }
        report.removed.append(r.id);
        report.reclaimedBytes += size;
    }
    return report;
}

} // namespace Berth::Engine
