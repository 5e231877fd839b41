// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerexec.h"

#include "engine/core/fileutil.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/ocispec.h"
#include "engine/runtime/shimprotocol.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

constexpr int kConsoleTimeoutMs = 60000;

QStringList mergeEnvironment(const QStringList &base, const QStringList &overrides) {
    QStringList out = base;
    for (const QString &e : overrides) {
        const QString key = e.section(QLatin1Char('='), 0, 0);
        bool replaced = false;
        for (QString &existing : out)
            if (existing.section(QLatin1Char('='), 0, 0) == key) {
                existing = e;
                replaced = true;
            }
        if (!replaced)
            out.append(e);
    }
    return out;
}

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

// Forks and execs argv (the runtime) with fds in/out/err as 0/1/2, in the runtime's cgroup view.
pid_t spawn(Argv &argv, int in, int out, int err, CgroupView view) {
    const int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const pid_t pid = ::fork();
    if (pid != 0) {
        if (devnull >= 0)
            ::close(devnull);
        return pid;
    }
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

} // namespace

ConsoleSocket::~ConsoleSocket() {
    if (m_fd >= 0)
        ::close(m_fd);
    if (!m_dir.isEmpty())
        removeTree(m_dir);
}

Status ConsoleSocket::listen() {
    QByteArray tmpl = "/tmp/berth-console-XXXXXX";
    if (!::mkdtemp(tmpl.data()))
        return failErrno(QStringLiteral("create a directory for the console socket"), errno);
    m_dir = QFile::decodeName(tmpl);
    m_path = m_dir + QStringLiteral("/console.sock");
    const QByteArray p = QFile::encodeName(m_path);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (size_t(p.size()) >= sizeof addr.sun_path)
        return fail(ErrorKind::Internal, QStringLiteral("console socket path too long"));
    std::memcpy(addr.sun_path, p.constData(), size_t(p.size()));
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return failErrno(QStringLiteral("socket"), errno);
    if (::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        ::listen(m_fd, 1) != 0)
        return failErrno(QStringLiteral("listen on %1").arg(m_path), errno);
    return {};
}

Result<int> ConsoleSocket::receive(int timeoutMs, const std::function<bool()> &alive) {
    QDeadlineTimer deadline(timeoutMs);
    int conn = -1;
    while (conn < 0) {
        if (deadline.hasExpired())
            return fail(ErrorKind::Internal,
                        QStringLiteral("the OCI runtime sent no terminal on the console socket"));
        pollfd p{m_fd, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready < 0 && errno != EINTR)
            return failErrno(QStringLiteral("poll the console socket"), errno);
        if (ready > 0)
            conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
        else if (alive && !alive())
            return fail(ErrorKind::Internal,
                        QStringLiteral("the OCI runtime exited before it sent a terminal"));
    }
    // One message: the runtime's pty name as data and the master fd as SCM_RIGHTS.
    char data[4096];
    iovec iov{data, sizeof data};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    ::close(conn);
    if (n < 0)
        return failErrno(QStringLiteral("receive the terminal from the OCI runtime"), err);
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            return fd;
        }
    }
    return fail(ErrorKind::Internal,
                QStringLiteral("the OCI runtime's console message carried no file descriptor"));
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
    const QString dir = m_runtime.directory(record->id);
    auto config = readFileLimited(dir + QStringLiteral("/config.json"), 16 << 20);
    if (!config)
        return fail(config.error().withContext(QStringLiteral("exec in %1").arg(record->name)));
    QJsonObject process =
        QJsonDocument::fromJson(*config).object().value(QStringLiteral("process")).toObject();
    auto spec = processSpec(process, request, m_runtime.rootfs(record->id));
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

    TempDir temp;
    if (temp.path().isEmpty())
        return failErrno(QStringLiteral("create a temporary directory for exec"), errno);
    const QString processFile = temp.path() + QStringLiteral("/process.json");
    const QString pidFile = temp.path() + QStringLiteral("/exec.pid");
    if (auto st = writeFileAtomically(processFile, QJsonDocument(*spec).toJson()); !st)
        return fail(st.error());
    // The runtime's own messages, when its stderr is not the caller's.
    const QString runtimeLog = temp.path() + QStringLiteral("/runtime.log");
    auto runtimeError = [&]() {
        const QList<QByteArray> lines =
            readFileLimited(runtimeLog, 1 << 20).value_or(QByteArray()).trimmed().split('\n');
        const QString msg =
            QJsonDocument::fromJson(lines.last()).object().value(QStringLiteral("msg")).toString();
        return msg.isEmpty() ? QString::fromUtf8(lines.last()) : msg;
    };
    QStringList args{rt->path(),
                     QStringLiteral("--root"),
                     rt->stateRoot(),
                     QStringLiteral("--log"),
                     runtimeLog,
                     QStringLiteral("exec"),
                     QStringLiteral("--process"),
                     processFile};
    ConsoleSocket console;
    const bool background = request.detach || request.tty;
    if (request.tty) {
        if (auto st = console.listen(); !st)
            return fail(st.error());
        args << QStringLiteral("--tty") << QStringLiteral("--console-socket") << console.path();
    }
    if (background)
        args << QStringLiteral("--detach") << QStringLiteral("--pid-file") << pidFile;
    args << record->id;
    Argv argv(args);

    if (!request.tty) {
        const int in = request.interactive && !request.detach ? stdio.in : -1;
        const int out = request.detach ? -1 : stdio.out;
        // Detached, the process keeps the runtime's stdio: /dev/null, never the caller's (a
        // pipe held open would keep whoever reads it waiting).
        const int err = request.detach ? -1 : stdio.err;
        const pid_t pid = spawn(argv, in, out, err, rt->cgroupView());
        if (pid < 0)
            return failErrno(QStringLiteral("fork"), errno);
        const int status = waitChild(pid);
        if (status < 0)
            return failErrno(QStringLiteral("wait for the OCI runtime"), errno);
        if (request.detach && exitCodeOf(status) != 0)
            return fail(ErrorKind::Internal,
                        QStringLiteral("%1 exec failed: %2").arg(rt->name(), runtimeError()));
        return request.detach ? 0 : exitCodeOf(status);
    }

    // The process outlives the detached runtime; as subreaper we inherit it and see its exit.
    // A hand-over leaves it to init: a GUI that became a subreaper would also inherit every
    // berth-shim it starts, which must stay detached.
    if (!handOver && ::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0)
        return failErrno(QStringLiteral("prctl(PR_SET_CHILD_SUBREAPER)"), errno);
    const pid_t runtimePid = spawn(argv, -1, -1, stdio.err, rt->cgroupView());
    if (runtimePid < 0)
        return failErrno(QStringLiteral("fork"), errno);
    int runtimeStatus = -1;
    auto master = console.receive(kConsoleTimeoutMs, [&]() {
        int st = 0;
        if (::waitpid(runtimePid, &st, WNOHANG) == runtimePid) {
            runtimeStatus = st;
            return false;
        }
        return true;
    });
    if (runtimeStatus < 0) {
        if (!master)
            ::kill(runtimePid, SIGKILL);
        runtimeStatus = waitChild(runtimePid);
    }
    if (!master)
        return fail(master.error());
    const int masterFd = *master;
    auto closeMaster = qScopeGuard([&]() { ::close(masterFd); });
    if (exitCodeOf(runtimeStatus) != 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 exec failed: %2").arg(rt->name(), runtimeError()));
    const pid_t pid =
        pid_t(readFileLimited(pidFile, 64).value_or(QByteArray()).trimmed().toLongLong());
    if (pid <= 0)
        return fail(ErrorKind::Internal,
                    QStringLiteral("%1 exec wrote no process ID").arg(rt->name()));
    if (request.detach)
        return 0; // the terminal closes with us; the process keeps running
    if (handOver) {
        ::fcntl(masterFd, F_SETFL, ::fcntl(masterFd, F_GETFL) | O_NONBLOCK);
        closeMaster.dismiss();
        handOver->master = masterFd;
        handOver->pid = pid;
        return 0;
    }

    copyWindowSize(stdio.sizeSource, masterFd);
    ::fcntl(masterFd, F_SETFL, ::fcntl(masterFd, F_GETFL) | O_NONBLOCK);
    const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
    auto closePidfd = qScopeGuard([&]() {
        if (pidfd >= 0)
            ::close(pidfd);
    });
    bool inOpen = request.interactive && stdio.in >= 0;
    bool masterOpen = true;
    bool exited = false;
    int status = 0;
    auto reap = [&]() {
        int st = 0;
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            status = st;
            exited = true;
        } else if (r < 0 && errno == ECHILD) {
            status = 255 << 8; // not ours after all: nobody can tell its status
            exited = true;
        }
    };
    char buf[65536];
    auto drainMaster = [&]() {
        for (;;) {
            const ssize_t n = ::read(masterFd, buf, sizeof buf);
            if (n > 0) {
                writeAll(stdio.out, buf, size_t(n));
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n == 0 || (n < 0 && errno != EAGAIN))
                masterOpen = false; // EIO: every slave holder is gone
            return;
        }
    };
    while (!exited) {
        pollfd pfd[4];
        int count = 0;
        int iMaster = -1, iIn = -1, iResize = -1, iPid = -1;
        if (masterOpen) {
            iMaster = count;
            pfd[count++] = {masterFd, POLLIN, 0};
        }
        if (inOpen) {
            iIn = count;
            pfd[count++] = {stdio.in, POLLIN, 0};
        }
        if (stdio.resizeNotify >= 0) {
            iResize = count;
            pfd[count++] = {stdio.resizeNotify, POLLIN, 0};
        }
        if (pidfd >= 0) {
            iPid = count;
            pfd[count++] = {pidfd, POLLIN, 0};
        }
        const int ready = ::poll(pfd, nfds_t(count), pidfd >= 0 ? -1 : 200);
        if (ready < 0 && errno != EINTR)
            return failErrno(QStringLiteral("poll"), errno);
        if (ready <= 0) {
            reap();
            continue;
        }
        if (iMaster >= 0 && pfd[iMaster].revents)
            drainMaster();
        // A resize goes before what was typed after it (`stty size` right after resizing).
        // The pipe is read whatever poll said: the signal may have come after poll looked.
        if (iResize >= 0) {
            char drain[64];
            ssize_t got = 0, n;
            while ((n = ::read(stdio.resizeNotify, drain, sizeof drain)) > 0)
                got += n;
            if (got > 0)
                copyWindowSize(stdio.sizeSource, masterFd);
        }
        if (iIn >= 0 && pfd[iIn].revents) {
            const ssize_t n = ::read(stdio.in, buf, sizeof buf);
            if (n > 0)
                writeAll(masterFd, buf, size_t(n));
            else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                inOpen = false;
        }
        if ((iPid >= 0 && pfd[iPid].revents) || (!masterOpen && pidfd < 0))
            reap();
    }
    // What the process wrote just before it exited is still in the pty.
    if (masterOpen)
        drainMaster();
    return exitCodeOf(status);
}

} // namespace Berth::Engine
