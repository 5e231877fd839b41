// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/ociruntime.h"

#include "engine/core/fileutil.h"
#include "engine/core/usernamespace.h"
#include "engine/runtime/rootless.h"
#include "engine/runtime/shimprotocol.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <climits>
#include <csignal>
#include <unistd.h>

namespace Berth::Engine {

namespace {

const QStringList kSearchPath{QStringLiteral("/usr/local/sbin"), QStringLiteral("/usr/local/bin"),
                              QStringLiteral("/usr/sbin"),       QStringLiteral("/usr/bin"),
                              QStringLiteral("/sbin"),           QStringLiteral("/bin")};

QString findExecutable(const QString &nameOrPath) {
    if (nameOrPath.contains(QLatin1Char('/')))
        return QFileInfo(nameOrPath).isExecutable() ? QFileInfo(nameOrPath).absoluteFilePath()
                                                    : QString();
    QString found = QStandardPaths::findExecutable(nameOrPath);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(nameOrPath, kSearchPath);
    return found;
}

struct ProcessOutput {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

ProcessOutput runProcess(const QString &program, const QStringList &args, int timeoutMs,
                         CgroupView view = CgroupView::Host) {
    QProcess p;
    p.setStandardInputFile(QProcess::nullDevice());
    if (view == CgroupView::Legacy)
        p.setChildProcessModifier([] {
            if (!Shim::enterLegacyCgroupView()) {
                static const char message[] = "cannot enter a private mount namespace\n";
                (void)!::write(STDERR_FILENO, message, sizeof message - 1);
                ::_exit(127);
            }
        });
    p.start(program, args);
    ProcessOutput r;
    if (!p.waitForStarted(timeoutMs)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// The runtime's own words for why it failed: the last line of its stderr.
QString lastLine(const QByteArray &text) {
    const QList<QByteArray> lines = text.trimmed().split('\n');
    QString line = QString::fromUtf8(lines.isEmpty() ? QByteArray() : lines.last()).trimmed();
    return line.isEmpty() ? QStringLiteral("failed without a message") : line;
}

// A container with the host's /usr (and the /bin, /lib... that point into it) read-only,
// running /usr/bin/true: enough to exercise namespaces, cgroups and pivot_root like a real one.
QJsonObject probeSpec(const QString &cgroupsPath) {
    QJsonArray mounts{QJsonObject{{QStringLiteral("destination"), QStringLiteral("/proc")},
                                  {QStringLiteral("type"), QStringLiteral("proc")},
                                  {QStringLiteral("source"), QStringLiteral("proc")}},
                      QJsonObject{{QStringLiteral("destination"), QStringLiteral("/usr")},
                                  {QStringLiteral("type"), QStringLiteral("bind")},
                                  {QStringLiteral("source"), QStringLiteral("/usr")},
                                  {QStringLiteral("options"),
                                   QJsonArray{QStringLiteral("rbind"), QStringLiteral("ro")}}}};
    for (const char *dir : {"/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"}) {
        const QFileInfo info(QString::fromLatin1(dir));
        if (info.exists() && !info.isSymLink() && info.isDir())
            mounts.append(QJsonObject{{QStringLiteral("destination"), info.filePath()},
                                      {QStringLiteral("type"), QStringLiteral("bind")},
                                      {QStringLiteral("source"), info.filePath()},
                                      {QStringLiteral("options"),
                                       QJsonArray{QStringLiteral("rbind"), QStringLiteral("ro")}}});
    }
    QJsonArray namespaces;
    for (const char *ns : {"pid", "mount", "ipc", "uts", "network"})
        namespaces.append(QJsonObject{{QStringLiteral("type"), QString::fromLatin1(ns)}});
    return QJsonObject{
        {QStringLiteral("ociVersion"), QStringLiteral("1.0.2")},
        {QStringLiteral("process"),
         QJsonObject{{QStringLiteral("terminal"), false},
                     {QStringLiteral("user"),
                      QJsonObject{{QStringLiteral("uid"), 0}, {QStringLiteral("gid"), 0}}},
                     {QStringLiteral("args"), QJsonArray{QStringLiteral("/usr/bin/true")}},
                     {QStringLiteral("env"), QJsonArray{QStringLiteral("PATH=/usr/bin:/bin")}},
                     {QStringLiteral("cwd"), QStringLiteral("/")}}},
        {QStringLiteral("root"), QJsonObject{{QStringLiteral("path"), QStringLiteral("rootfs")},
                                             {QStringLiteral("readonly"), false}}},
        {QStringLiteral("hostname"), QStringLiteral("berth-probe")},
        {QStringLiteral("mounts"), mounts},
        {QStringLiteral("linux"), QJsonObject{{QStringLiteral("namespaces"), namespaces},
                                              {QStringLiteral("cgroupsPath"), cgroupsPath}}}};
}

// Runs the probe container; an empty string means the runtime works.
QString probe(const QString &runtime, const QString &workDir, CgroupView view) {
    const QString name = uniqueTempName(QStringLiteral("berth-probe"));
    const QString bundle = workDir + QLatin1Char('/') + name;
    // crun (unlike runc) wants the mount points of /dev and /proc to exist.
    if (!makeDirectories(bundle + QStringLiteral("/rootfs/dev")) ||
        !makeDirectories(bundle + QStringLiteral("/rootfs/proc")))
        return QStringLiteral("cannot create the probe bundle in %1").arg(workDir);
    // /bin, /lib... that are symlinks into /usr (merged /usr) are recreated as such.
    for (const char *dir : {"/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin"}) {
        char target[PATH_MAX];
        const ssize_t n = ::readlink(dir, target, sizeof target - 1);
        if (n > 0) {
            target[n] = 0;
            const QByteArray link = QFile::encodeName(bundle + QStringLiteral("/rootfs")) + dir;
            if (::symlink(target, link.constData()) != 0)
                return QStringLiteral("cannot create the probe bundle in %1").arg(workDir);
        }
    }
    const QString cgroup = QStringLiteral("/berth/") + name;
    QJsonObject spec = probeSpec(cgroup);
    if (Rootless::active())
        Rootless::adaptSpec(spec, false);
    writeFileAtomically(bundle + QStringLiteral("/config.json"),
                        QJsonDocument(spec).toJson(QJsonDocument::Compact));
    const ProcessOutput r =
        runProcess(runtime,
                   {QStringLiteral("--root"), bundle + QStringLiteral("/state"),
                    QStringLiteral("run"), QStringLiteral("--bundle"), bundle, name},
                   30000, view);
    // A runtime that failed half-way may have left its state and cgroup behind.
    if (r.exitCode != 0)
        runProcess(runtime,
                   {QStringLiteral("--root"), bundle + QStringLiteral("/state"),
                    QStringLiteral("delete"), QStringLiteral("--force"), name},
                   30000, view);
    removeTree(bundle);
    if (r.exitCode == 0)
        return QString();
    return lastLine(r.err.isEmpty() ? r.out : r.err);
}

// A hybrid host: cgroup v2 at /sys/fs/cgroup/unified with controllers of its own.
bool hybridCgroups() {
    return !readFileLimited(QString::fromLatin1(Shim::UnifiedControllersFile), 4096)
                .value_or(QByteArray())
                .trimmed()
                .isEmpty();
}

// Bumped when what is cached changes: an older cache is probed again.
constexpr int kCacheVersion = 2;

QString viewName(CgroupView view) {
    return view == CgroupView::Legacy ? QString::fromLatin1(Shim::LegacyCgroupView)
                                      : QStringLiteral("host");
}

} // namespace

Result<OciRuntime> OciRuntime::detect(const StorePaths &paths) {
    if (UserNamespace::mode() == UserNamespace::Mode::Unavailable)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("no usable OCI runtime: %1")
                        .arg(QString::fromStdString(UserNamespace::problem())));
    const QString forced = qEnvironmentVariable("BERTH_RUNTIME");
    const QString cacheFile = paths.runtimeRoot() + QStringLiteral("/runtime.json");
    if (auto st = makeDirectories(paths.runtimeRoot()); !st)
        return fail(st.error());

    OciRuntime rt;
    // The cached choice holds while the forced runtime is the same and the binary is there.
    if (auto cached = readFileLimited(cacheFile, 65536)) {
        const QJsonObject o = QJsonDocument::fromJson(*cached).object();
        const QString path = o.value(QStringLiteral("path")).toString();
        if (o.value(QStringLiteral("cache")).toInt() == kCacheVersion &&
            o.value(QStringLiteral("forced")).toString() == forced && !path.isEmpty() &&
            QFileInfo(path).isExecutable()) {
            rt.m_name = o.value(QStringLiteral("name")).toString();
            rt.m_path = path;
            rt.m_version = o.value(QStringLiteral("version")).toString();
            rt.m_cgroupView =
                o.value(QStringLiteral("cgroupView")).toString() == viewName(CgroupView::Legacy)
                    ? CgroupView::Legacy
                    : CgroupView::Host;
            rt.m_reason = o.value(QStringLiteral("reason")).toString();
            for (const QJsonValue &v : o.value(QStringLiteral("refused")).toArray())
                rt.m_refused.append({v.toObject().value(QStringLiteral("name")).toString(),
                                     v.toObject().value(QStringLiteral("reason")).toString()});
            rt.m_stateRoot = paths.runtimeRoot() + QLatin1Char('/') + rt.m_name;
            return rt;
        }
    }

    const QStringList candidates = forced.isEmpty()
                                       ? QStringList{QStringLiteral("crun"), QStringLiteral("runc")}
                                       : QStringList{forced};
    for (const QString &candidate : candidates) {
        const QString name = QFileInfo(candidate).fileName();
        const QString path = findExecutable(candidate);
        if (path.isEmpty()) {
            rt.m_refused.append({name, QStringLiteral("not installed")});
            continue;
        }
        const ProcessOutput version = runProcess(path, {QStringLiteral("--version")}, 10000);
        if (version.exitCode != 0) {
            rt.m_refused.append(
                {name,
                 QStringLiteral("`%1 --version` failed: %2").arg(path, lastLine(version.err))});
            continue;
        }
        QString refusal = probe(path, paths.runtimeRoot(), CgroupView::Host);
        if (!refusal.isEmpty() && hybridCgroups()) {
            const QString legacy = probe(path, paths.runtimeRoot(), CgroupView::Legacy);
            if (legacy.isEmpty()) {
                rt.m_cgroupView = CgroupView::Legacy;
                rt.m_reason =
                    QStringLiteral("in a private mount namespace where %1 is empty: as the "
                                   "host is, it refuses to run (\"%2\")")
                        .arg(QString::fromLatin1(Shim::UnifiedControllersFile), refusal);
                refusal.clear();
            } else {
                refusal += QStringLiteral(" (and in a private mount namespace: %1)").arg(legacy);
            }
        }
        if (!refusal.isEmpty()) {
            rt.m_refused.append({name, refusal});
            continue;
        }
        rt.m_name = name;
        rt.m_path = path;
        rt.m_version = QString::fromUtf8(version.out.split('\n').value(0)).trimmed();
        const QString why =
            !forced.isEmpty() ? QStringLiteral("BERTH_RUNTIME asks for it")
            : candidate == candidates.first()
                ? QStringLiteral("preferred: it starts containers faster")
                : QStringLiteral("the fallback: %1 is not usable here").arg(candidates.first());
        rt.m_reason = rt.m_reason.isEmpty() ? why : why + QStringLiteral("; ") + rt.m_reason;
        break;
    }
    if (rt.m_path.isEmpty()) {
        QStringList why;
        for (const RuntimeRefusal &r : std::as_const(rt.m_refused))
            why.append(QStringLiteral("%1: %2").arg(r.name, r.reason));
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("no usable OCI runtime (install crun or runc; BERTH_RUNTIME "
                                   "picks one): %1")
                        .arg(why.join(QStringLiteral("; "))));
    }
    rt.m_stateRoot = paths.runtimeRoot() + QLatin1Char('/') + rt.m_name;
    QJsonArray refused;
    for (const RuntimeRefusal &r : std::as_const(rt.m_refused))
        refused.append(
            QJsonObject{{QStringLiteral("name"), r.name}, {QStringLiteral("reason"), r.reason}});
    writeFileAtomically(
        cacheFile,
        QJsonDocument(QJsonObject{{QStringLiteral("cache"), kCacheVersion},
                                  {QStringLiteral("forced"), forced},
                                  {QStringLiteral("name"), rt.m_name},
                                  {QStringLiteral("path"), rt.m_path},
                                  {QStringLiteral("version"), rt.m_version},
                                  {QStringLiteral("cgroupView"), viewName(rt.m_cgroupView)},
                                  {QStringLiteral("reason"), rt.m_reason},
                                  {QStringLiteral("refused"), refused}})
            .toJson());
    return rt;
}

Result<QByteArray> OciRuntime::invoke(const QStringList &args, int timeoutMs) const {
    const ProcessOutput r = runProcess(
        m_path, QStringList{QStringLiteral("--root"), m_stateRoot} + args, timeoutMs, m_cgroupView);
    if (r.exitCode != 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 %2: %3").arg(m_name, args.value(0), lastLine(r.err)));
    return r.out;
}

Status OciRuntime::kill(const QString &id, int signal) const {
    auto r = invoke({QStringLiteral("kill"), id, QString::number(signal)});
    if (!r) {
        // Both runtimes say "not running" / "does not exist" for a container that is gone.
        if (!knows(id) || r.error().message.contains(QLatin1String("not running")) ||
            r.error().message.contains(QLatin1String("stopped")))
            return fail(ErrorKind::NotFound, QStringLiteral("container %1 is not running").arg(id));
        return fail(r.error());
    }
    return {};
}

Status OciRuntime::forceDelete(const QString &id) const {
    if (!knows(id))
        return {};
    auto r = invoke({QStringLiteral("delete"), QStringLiteral("--force"), id});
    if (!r && knows(id))
        return fail(r.error());
    return {};
}

bool OciRuntime::knows(const QString &id) const {
    return QFileInfo::exists(m_stateRoot + QLatin1Char('/') + id);
}

namespace {
struct SignalName {
    const char *name;
    int number;
};
const SignalName kSignals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},       {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP}, {"ABRT", SIGABRT},     {"BUS", SIGBUS},   {"FPE", SIGFPE},
    {"KILL", SIGKILL}, {"USR1", SIGUSR1},     {"SEGV", SIGSEGV}, {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE}, {"ALRM", SIGALRM},     {"TERM", SIGTERM}, {"STKFLT", SIGSTKFLT},
    {"CHLD", SIGCHLD}, {"CONT", SIGCONT},     {"STOP", SIGSTOP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},     {"URG", SIGURG},   {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF}, {"WINCH", SIGWINCH},
    {"IO", SIGIO},     {"PWR", SIGPWR},       {"SYS", SIGSYS},
};
} // namespace

int signalFromName(const QString &text) {
    bool isNumber = false;
    const int n = text.toInt(&isNumber);
    if (isNumber)
        return n > 0 && n < 65 ? n : -1;
    QString name = text.toUpper();
    if (name.startsWith(QLatin1String("SIG")))
        name = name.mid(3);
    for (const SignalName &s : kSignals)
        if (name == QLatin1String(s.name))
            return s.number;
    return -1;
}

QString signalName(int signal) {
    for (const SignalName &s : kSignals)
        if (s.number == signal)
            return QStringLiteral("SIG") + QLatin1String(s.name);
    return QString::number(signal);
}

} // namespace Berth::Engine
