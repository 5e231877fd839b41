// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerexec.h"

#include "engine/core/fileutil.h"
#include "engine/core/textvalues.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/ocispec.h"
#include "engine/runtime/rootfscopy.h"
#include "engine/runtime/shimprotocol.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

constexpr int kConsoleTimeoutMs = 60000;

int exitCodeOf(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
}

int waitChild(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return status;
}

void copyWindowSize(int from, int to) {
    winsize ws{};
    if (from >= 0 && ::ioctl(from, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
        ::ioctl(to, TIOCSWINSZ, &ws);
}

// A private directory in /tmp for the process spec and the console socket.
class TempDir {
public:
    TempDir() {
        QByteArray tmpl = "/tmp/berth-exec-XXXXXX";
        if (::mkdtemp(tmpl.data()))
            m_path = QFile::decodeName(tmpl);
    }
    ~TempDir() {
        if (!m_path.isEmpty())
            removeTree(m_path);
    }
    QString path() const { return m_path; }

private:
    QString m_path;
};

// argv storage prepared before fork: after it only async-signal-safe calls (threads).
struct Argv {
    explicit Argv(const QStringList &args) {
        for (const QString &a : args)
            storage.append(QFile::encodeName(a));
        for (QByteArray &a : storage)
            pointers.push_back(a.data());
        pointers.push_back(nullptr);
    }
    QList<QByteArray> storage;
    std::vector<char *> pointers;
};

// In a forked child: execs argv (the runtime) with fds in/out/err as 0/1/2 (-1: `devnull`), in
// the runtime's cgroup view. Async-signal-safe calls only.
[[noreturn]] void execRuntime(Argv &argv, int in, int out, int err, int devnull, CgroupView view) {
    const int fds[3] = {in >= 0 ? in : devnull, out >= 0 ? out : devnull, err >= 0 ? err : devnull};
    // Move the sources above 2 first, so dup2 into 0..2 cannot clobber one another.
    int moved[3];
    for (int i = 0; i < 3; ++i)
        moved[i] = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    for (int i = 0; i < 3; ++i)
        ::dup2(moved[i], i);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD, SIGWINCH})
        ::signal(sig, SIG_DFL);
    if (view == CgroupView::Legacy && !Shim::enterLegacyCgroupView())
        ::_exit(127);
    ::execv(argv.pointers[0], argv.pointers.data());
    ::_exit(127);
}

// Forks and execs argv (the runtime) with fds in/out/err as 0/1/2, in the runtime's cgroup view.
pid_t spawn(Argv &argv, int in, int out, int err, CgroupView view) {
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid == 0)
        execRuntime(argv, in, out, err, devnull, view);
    if (devnull >= 0)
        ::close(devnull);
    return pid;
}

// The process ID in a runtime's pid file, read with async-signal-safe calls only; 0 if none.
pid_t readPidFile(const char *path) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[32];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    pid_t pid = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i)
        pid = pid * 10 + (buf[i] - '0');
    return pid;
}

// In a forked child that does not exec at once: closes every descriptor but `keep` (-1s
// ignored), so it holds none of the parent's sockets and file locks (a flock held through an
// inherited descriptor would outlive the parent's unlock). Async-signal-safe.
void closeAllExcept(std::array<int, 3> keep) {
    std::sort(keep.begin(), keep.end());
    unsigned from = 3;
    for (int fd : keep) {
        if (fd < int(from))
            continue;
        if (unsigned(fd) > from)
            ::close_range(from, unsigned(fd) - 1, 0);
        from = unsigned(fd) + 1;
    }
    ::close_range(from, ~0U, 0);
}

void writeStatus(int fd, int status) {
    while (::write(fd, &status, sizeof status) < 0 && errno == EINTR) {
    }
}

// A detached tty exec's process is orphaned when the runtime exits, and only a subreaper above
// it learns how it ended. The caller must not become one (an API server or the GUI would then
// inherit every berth-shim and runtime helper it starts, and never reap them), so a forked
// waiter is: it runs the runtime, writes the runtime's wait status to `report`, reaps what it
// inherits until the exec's process (named by `pidFile`) has ended, writes that status, reaps
// any other orphans of the runtime and exits. Its parent reads both ints and reaps it.
pid_t spawnWaiter(Argv &argv, const QByteArray &pidFile, int err, CgroupView view, int report) {
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const pid_t waiter = ::fork();
    if (waiter != 0) {
        if (devnull >= 0)
            ::close(devnull);
        return waiter;
    }
    closeAllExcept({report, err, devnull});
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
    const pid_t runtime = ::fork();
    if (runtime == 0)
        execRuntime(argv, -1, -1, err, devnull, view);
    int status = 255 << 8;
    while (runtime > 0 && ::waitpid(runtime, &status, 0) < 0 && errno == EINTR) {
    }
    writeStatus(report, status);
    const pid_t process = runtime > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0
                              ? readPidFile(pidFile.constData())
                              : 0;
    bool reported = process <= 0;
    for (;;) {
        const pid_t ended = ::waitpid(-1, &status, 0);
        if (ended < 0 && errno == EINTR)
            continue;
        if (ended < 0)
            break;
        if (ended == process) {
            writeStatus(report, status);
            reported = true;
        }
    }
    if (!reported)
        writeStatus(report, 255 << 8); // not ours after all: nobody can tell its status
    ::_exit(0);
}

} // namespace

Status ConsoleSocket::listen() {
    if (!m_socket.listen())
        return failErrno(QStringLiteral("listen on a console socket"), errno);
    m_path = QFile::decodeName(QByteArray::fromStdString(m_socket.path()));
    return {};
}

Result<int> ConsoleSocket::receive(int timeoutMs, const std::function<bool()> &alive) {
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        if (deadline.hasExpired())
            return fail(ErrorKind::Internal,
                        QStringLiteral("the OCI runtime sent no terminal on the console socket"));
        pollfd p{m_socket.fd(), POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready < 0 && errno != EINTR)
            return failErrno(QStringLiteral("poll the console socket"), errno);
        if (ready > 0)
            break;
        if (ready == 0 && alive && !alive())
            return fail(ErrorKind::Internal,
                        QStringLiteral("the OCI runtime exited before it sent a terminal"));
    }
    const int fd = m_socket.receive();
    if (fd >= 0)
        return fd;
    if (errno == EBADMSG)
        return fail(ErrorKind::Internal,
                    QStringLiteral("the OCI runtime's console message carried no file descriptor"));
    return failErrno(QStringLiteral("receive the terminal from the OCI runtime"), errno);
}

ContainerExec::ContainerExec(ContainerRuntime &runtime)
    : m_runtime(runtime) {}

Result<QJsonObject> ContainerExec::processSpec(const QJsonObject &containerProcess,
                                               const ExecRequest &request, const QString &rootfs) {
    if (request.cmd.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("no command specified"));
    if (!request.workingDir.isEmpty() && !request.workingDir.startsWith(QLatin1Char('/')))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("the working directory '%1' is invalid, it needs to be an "
                                   "absolute path")
                        .arg(request.workingDir));
    QJsonObject p = containerProcess;
    p.insert(QStringLiteral("terminal"), request.tty);
    p.insert(QStringLiteral("args"), QJsonArray::fromStringList(request.cmd));
    QStringList env;
    for (const QJsonValue &v : containerProcess.value(QStringLiteral("env")).toArray())
        env.append(v.toString());
    env = mergeEnvironment(env, request.env);
    if (request.tty && !std::any_of(env.cbegin(), env.cend(), [](const QString &e) {
            return e.startsWith(QLatin1String("TERM="));
        }))
        env.append(QStringLiteral("TERM=xterm"));
    p.insert(QStringLiteral("env"), QJsonArray::fromStringList(env));
    if (!request.workingDir.isEmpty())
        p.insert(QStringLiteral("cwd"), request.workingDir);
    if (!request.user.isEmpty()) {
        auto user = resolveUser(rootfs, request.user);
        if (!user)
            return fail(user.error());
        QJsonObject u{{QStringLiteral("uid"), qint64(user->uid)},
                      {QStringLiteral("gid"), qint64(user->gid)}};
        QJsonArray gids;
        for (uint g : std::as_const(user->additionalGids))
            gids.append(qint64(g));
        if (!gids.isEmpty())
            u.insert(QStringLiteral("additionalGids"), gids);
        p.insert(QStringLiteral("user"), u);
    }
    p.remove(QStringLiteral("consoleSize"));
    return p;
}

Result<int> ContainerExec::run(const QString &nameOrId, const ExecRequest &request,
                               const ExecStdio &stdio) {
    return execute(nameOrId, request, stdio, QSize(), nullptr);
}

Result<ContainerExec::Terminal>
ContainerExec::startTerminal(const QString &nameOrId, ExecRequest request, int rows, int cols) {
    request.tty = true;
    request.interactive = true;
    request.detach = false;
    Terminal terminal;
    auto started =
        execute(nameOrId, request, ExecStdio{-1, -1, -1, -1, -1}, QSize(cols, rows), &terminal);
    if (!started)
        return fail(started.error());
    return terminal;
}

namespace {

// The files one `runc exec` works with, in a private temporary directory.
struct ExecFiles {
    TempDir temp;
    QString process() const { return temp.path() + QStringLiteral("/process.json"); }
    QString pid() const { return temp.path() + QStringLiteral("/exec.pid"); }
    // The runtime's own messages, when its stderr is not the caller's.
    QString runtimeLog() const { return temp.path() + QStringLiteral("/runtime.log"); }
    // The runtime's last message ("msg" of its JSON log, else the line).
    QString runtimeError() const {
        const QList<QByteArray> lines =
            readFileLimited(runtimeLog(), 1 << 20).value_or(QByteArray()).trimmed().split('\n');
        const QString msg =
            QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("msg")).toString();
        return msg.isEmpty() ? QString::fromUtf8(lines.last()) : msg;
    }
};

// Without a terminal the runtime runs in the foreground with the caller's stdio and its exit
// code is the process's (detached: 0 once it started).
Result<int> execWithoutTerminal(Argv &argv, const ExecRequest &request, const ExecStdio &stdio,
                                const OciRuntime &rt, const ExecFiles &files) {
    const int in = request.interactive && !request.detach ? stdio.in : -1;
    const int out = request.detach ? -1 : stdio.out;
    // Detached, the process keeps the runtime's stdio: /dev/null, never the caller's (a
    // pipe held open would keep whoever reads it waiting).
    const int err = request.detach ? -1 : stdio.err;
    const pid_t pid = spawn(argv, in, out, err, rt.cgroupView());
    if (pid < 0)
        return failErrno(QStringLiteral("fork"), errno);
    const int status = waitChild(pid);
    if (status < 0)
        return failErrno(QStringLiteral("wait for the OCI runtime"), errno);
    if (request.detach && exitCodeOf(status) != 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 exec failed: %2").arg(rt.name(), files.runtimeError()));
    // 255 is also what the runtime exits with when it could not start the process; its log
    // then holds an error (a process that exited 255 leaves none).
    if (!request.detach && exitCodeOf(status) == 255) {
        const QByteArray log = readFileLimited(files.runtimeLog(), 1 << 20).value_or(QByteArray());
        if (log.contains("\"level\":\"error\"") || log.contains("level=error"))
            return fail(ErrorKind::Internal,
                        QStringLiteral("%1 exec failed: %2").arg(rt.name(), files.runtimeError()));
    }
    return request.detach ? 0 : exitCodeOf(status);
}

// A tty exec's runtime, started either as our child (Watch::Runtime: its process is handed over
// and left to init) or under a waiter (Watch::Waiter, see spawnWaiter) whose report tells how
// the runtime and then the process ended.
class TerminalRuntime {
public:
    enum class Watch { Runtime, Waiter };
    TerminalRuntime(Argv &argv, const ExecFiles &files, int err, CgroupView view, Watch watch) {
        if (watch == Watch::Runtime) {
            m_child = spawn(argv, -1, -1, err, view);
            return;
        }
        int report[2];
        if (::pipe2(report, O_CLOEXEC) != 0)
            return;
        m_child = spawnWaiter(argv, QFile::encodeName(files.pid()), err, view, report[1]);
        ::close(report[1]);
        m_report = report[0];
    }
    // A waiter that reported both statuses ends once it has reaped the runtime's helpers; one
    // that did not (the exec failed half-way) is killed, leaving what it held to init.
    ~TerminalRuntime() {
        if (m_report < 0)
            return;
        ::close(m_report);
        if (m_child <= 0)
            return;
        if (m_reports < 2)
            ::kill(m_child, SIGKILL);
        waitChild(m_child);
    }
    TerminalRuntime(const TerminalRuntime &) = delete;
    TerminalRuntime &operator=(const TerminalRuntime &) = delete;

    bool started() const { return m_child > 0; }
    // The fd that turns readable when the waiter reports (-1 without a waiter).
    int report() const { return m_report; }
    // The runtime's wait status once it has ended (without blocking), else nullopt.
    std::optional<int> runtimeEnded() {
        if (m_report < 0) {
            int st = 0;
            return ::waitpid(m_child, &st, WNOHANG) == m_child ? std::optional(st) : std::nullopt;
        }
        pollfd p{m_report, POLLIN, 0};
        return ::poll(&p, 1, 0) > 0 ? std::optional(readReport()) : std::nullopt;
    }
    // Blocks until the runtime has ended (killed first with Stop::Kill); its wait status.
    enum class Stop { Wait, Kill };
    int waitRuntime(Stop stop) {
        if (stop == Stop::Kill)
            ::kill(m_child, SIGKILL);
        return m_report < 0 ? waitChild(m_child) : readReport();
    }
    // The waiter's next report (a wait status); a waiter that died reports 255.
    int readReport() {
        int status = 255 << 8;
        ssize_t n;
        while ((n = ::read(m_report, &status, sizeof status)) < 0 && errno == EINTR) {
        }
        ++m_reports;
        return n == sizeof status ? status : 255 << 8;
    }

private:
    pid_t m_child = -1;
    int m_report = -1;
    int m_reports = 0;
};

// With a terminal the runtime detaches: its process's pty master arrives on the console
// socket and its PID in the pid file.
Result<ContainerExec::Terminal> startOnTerminal(TerminalRuntime &runtime, ConsoleSocket &console,
                                                const OciRuntime &rt, const ExecFiles &files) {
    if (!runtime.started())
        return failErrno(QStringLiteral("fork"), errno);
    std::optional<int> ended;
    auto master = console.receive(kConsoleTimeoutMs, [&]() {
        ended = runtime.runtimeEnded();
        return !ended;
    });
    const int runtimeStatus = ended ? *ended
                                    : runtime.waitRuntime(master ? TerminalRuntime::Stop::Wait
                                                                 : TerminalRuntime::Stop::Kill);
    if (!master)
        return fail(master.error());
    auto closeMaster = qScopeGuard([&]() { ::close(*master); });
    if (exitCodeOf(runtimeStatus) != 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 exec failed: %2").arg(rt.name(), files.runtimeError()));
    const pid_t pid =
        pid_t(readFileLimited(files.pid(), 64).value_or(QByteArray()).trimmed().toLongLong());
    if (pid <= 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 exec wrote no process ID").arg(rt.name()));
    closeMaster.dismiss();
    return ContainerExec::Terminal{*master, int(pid)};
}

// Copies between the caller's stdio and an exec's pty master until the process ends (the
// waiter's report says when and how). Returns its exit code.
class TerminalRelay {
public:
    TerminalRelay(int master, TerminalRuntime &runtime, const ExecRequest &request,
                  const ExecStdio &stdio)
        : m_master(master)
        , m_runtime(runtime)
        , m_stdio(stdio)
        , m_inOpen(request.interactive && stdio.in >= 0) {}
    TerminalRelay(const TerminalRelay &) = delete;
    TerminalRelay &operator=(const TerminalRelay &) = delete;

    Result<int> run() {
        copyWindowSize(m_stdio.sizeSource, m_master);
        ::fcntl(m_master, F_SETFL, ::fcntl(m_master, F_GETFL) | O_NONBLOCK);
        while (!m_exited)
            if (auto st = pollOnce(); !st)
                return fail(st.error());
        // What the process wrote just before it exited is still in the pty.
        if (m_masterOpen)
            drainMaster();
        return exitCodeOf(m_status);
    }

private:
    Status pollOnce() {
        pollfd pfd[4];
        int count = 0;
        int iMaster = -1, iIn = -1, iResize = -1, iEnd = -1;
        auto watch = [&](int &index, int fd) {
            index = count;
            pfd[count++] = {fd, POLLIN, 0};
        };
        if (m_masterOpen)
            watch(iMaster, m_master);
        if (m_inOpen)
            watch(iIn, m_stdio.in);
        if (m_stdio.resizeNotify >= 0)
            watch(iResize, m_stdio.resizeNotify);
        watch(iEnd, m_runtime.report());
        const int ready = ::poll(pfd, nfds_t(count), -1);
        if (ready < 0 && errno != EINTR)
            return failErrno(QStringLiteral("poll"), errno);
        if (ready <= 0)
            return {};
        if (iMaster >= 0 && pfd[iMaster].revents)
            drainMaster();
        // A resize goes before what was typed after it (`stty size` right after resizing).
        // The pipe is read whatever poll said: the signal may have come after poll looked.
        if (iResize >= 0)
            forwardResize();
        if (iIn >= 0 && pfd[iIn].revents)
            forwardInput();
        if (pfd[iEnd].revents) {
            m_status = m_runtime.readReport();
            m_exited = true;
        }
        return {};
    }

    void drainMaster() {
        for (;;) {
            const ssize_t n = ::read(m_master, m_buf, sizeof m_buf);
            if (n > 0) {
                writeAll(m_stdio.out, m_buf, size_t(n));
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0 || (n < 0 && errno != EAGAIN))
                m_masterOpen = false; // EIO: every slave holder is gone
            return;
        }
    }

    void forwardResize() {
        char drain[64];
        ssize_t got = 0, n;
        while ((n = ::read(m_stdio.resizeNotify, drain, sizeof drain)) > 0)
            got += n;
        if (got > 0)
            copyWindowSize(m_stdio.sizeSource, m_master);
    }

    void forwardInput() {
        const ssize_t n = ::read(m_stdio.in, m_buf, sizeof m_buf);
        if (n > 0)
            writeAll(m_master, m_buf, size_t(n));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN))
            m_inOpen = false;
    }

    const int m_master;
    TerminalRuntime &m_runtime;
    const ExecStdio &m_stdio;
    bool m_inOpen;
    bool m_masterOpen = true;
    bool m_exited = false;
    int m_status = 0;
    char m_buf[65536];
};

// The container's process object with the request applied and the terminal's first size.
Result<QJsonObject> execProcess(ContainerRuntime &runtime, const ContainerRecord &record,
                                const ExecRequest &request, const ExecStdio &stdio,
                                const QSize &consoleSize) {
    auto config =
        readFileLimited(runtime.directory(record.id) + QStringLiteral("/config.json"), 16 << 20);
    if (!config)
        return fail(config.error().withContext(QStringLiteral("exec in %1").arg(record.name)));
    const QJsonObject process =
        QJsonDocument::fromJson(*config).object().value(QStringLiteral("process")).toObject();
    auto spec = ContainerExec::processSpec(process, request, runtime.rootfs(record.id));
    if (!spec)
        return fail(spec.error());
    if (request.tty && stdio.sizeSource >= 0) {
        winsize ws{};
        if (::ioctl(stdio.sizeSource, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
            spec->insert(QStringLiteral("consoleSize"),
                         QJsonObject{{QStringLiteral("height"), int(ws.ws_row)},
                                     {QStringLiteral("width"), int(ws.ws_col)}});
    }
    if (request.tty && !consoleSize.isEmpty())
        spec->insert(QStringLiteral("consoleSize"),
                     QJsonObject{{QStringLiteral("height"), consoleSize.height()},
                                 {QStringLiteral("width"), consoleSize.width()}});
    return spec;
}

// Why an exec whose process "exited 255" with no error in the runtime's log may not have run at
// all: crun reports a missing or unusable command on the process's own stderr and exits 255.
// Looks the command up in the container's root as the process would have (its cwd, its PATH);
// an error worded as runc's (for commandExitCode's 126/127) when it cannot have run, else
// nothing: the process itself exited 255.
std::optional<Error> commandMissingInRoot(const QString &rootfs, const QJsonObject &process,
                                          const QString &runtimeName) {
    const QStringList args = process.value(QStringLiteral("args")).toVariant().toStringList();
    if (args.isEmpty())
        return std::nullopt;
    const QString command = args.first();
    QString path = QStringLiteral("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (const QJsonValue &e : process.value(QStringLiteral("env")).toArray())
        if (e.toString().startsWith(QLatin1String("PATH=")))
            path = e.toString().mid(5);
    QStringList candidates;
    if (command.contains(QLatin1Char('/')))
        candidates << (command.startsWith(QLatin1Char('/'))
                           ? command
                           : process.value(QStringLiteral("cwd")).toString() + QLatin1Char('/') +
                                 command);
    else
        for (const QString &dir : path.split(QLatin1Char(':'), Qt::SkipEmptyParts))
            candidates << dir + QLatin1Char('/') + command;
    const ScopedFd root(
        ::open(QFile::encodeName(rootfs).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        return std::nullopt;
    bool present = false;
    for (const QString &candidate : std::as_const(candidates)) {
        const ScopedFd fd(openInRoot(root.get(), candidate, O_PATH));
        struct stat st {};
        if (!fd.valid() || ::fstat(fd.get(), &st) != 0)
            continue;
        present = true;
        if (S_ISREG(st.st_mode) && (st.st_mode & 0111))
            return std::nullopt; // runnable: the process did run and exit 255
    }
    const QString why = present ? QStringLiteral("exec: \"%1\": permission denied").arg(command)
                                : QStringLiteral("exec: \"%1\": executable file not found in "
                                                 "$PATH")
                                      .arg(command);
    return Error{ErrorKind::InvalidArgument,
                 QStringLiteral("%1 exec failed: %2").arg(runtimeName, why)};
}

} // namespace

Result<int> ContainerExec::execute(const QString &nameOrId, const ExecRequest &request,
                                   const ExecStdio &stdio, const QSize &consoleSize,
                                   Terminal *handOver) {
    auto record = m_runtime.getRunning(nameOrId);
    if (!record)
        return fail(record.error());
    if (ContainerControl::isPaused(m_runtime, record->id))
        return fail(ErrorKind::Conflict,
                    QStringLiteral("container %1 is paused, unpause the container before exec")
                        .arg(record->name));
    if (request.detach && request.tty)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("exec -d with -t is not supported: nothing would hold the "
                                   "terminal once berthctl exits"));
    auto rt = m_runtime.runtime();
    if (!rt)
        return fail(rt.error());
    auto spec = execProcess(m_runtime, *record, request, stdio, consoleSize);
    if (!spec)
        return fail(spec.error());
    ExecFiles files;
    if (files.temp.path().isEmpty())
        return failErrno(QStringLiteral("create a temporary directory for exec"), errno);
    if (auto st = writeFileAtomically(files.process(), QJsonDocument(*spec).toJson()); !st)
        return fail(st.error());
    QStringList args{rt->path(),
                     QStringLiteral("--root"),
                     rt->stateRoot(),
                     QStringLiteral("--log"),
                     files.runtimeLog(),
                     QStringLiteral("exec"),
                     QStringLiteral("--process"),
                     files.process()};
    ConsoleSocket console;
    if (request.tty) {
        if (auto st = console.listen(); !st)
            return fail(st.error());
        args << QStringLiteral("--tty") << QStringLiteral("--console-socket") << console.path();
    }
    if (request.detach || request.tty)
        args << QStringLiteral("--detach") << QStringLiteral("--pid-file") << files.pid();
    args << record->id;
    Argv argv(args);
    if (!request.tty) {
        auto code = execWithoutTerminal(argv, request, stdio, *rt, files);
        if (code && *code == 255)
            if (auto missing =
                    commandMissingInRoot(m_runtime.rootfs(record->id), *spec, rt->name()))
                return std::unexpected(*missing);
        return code;
    }

    // The process outlives the detached runtime: a waiter sees its end (spawnWaiter); a hand-over
    // leaves it to init (the GUI watches the pty and the process's pidfd).
    TerminalRuntime runtime(argv, files, stdio.err, rt->cgroupView(),
                            handOver ? TerminalRuntime::Watch::Runtime
                                     : TerminalRuntime::Watch::Waiter);
    auto terminal = startOnTerminal(runtime, console, *rt, files);
    if (!terminal)
        return fail(terminal.error());
    auto closeMaster = qScopeGuard([&]() { ::close(terminal->master); });
    if (request.detach)
        return 0; // the terminal closes with us; the process keeps running
    if (handOver) {
        ::fcntl(terminal->master, F_SETFL, ::fcntl(terminal->master, F_GETFL) | O_NONBLOCK);
        closeMaster.dismiss();
        *handOver = *terminal;
        return 0;
    }
    return TerminalRelay(terminal->master, runtime, request, stdio).run();
}

} // namespace Berth::Engine
