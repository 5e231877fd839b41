// SPDX-License-Identifier: GPL-3.0-or-later
// berth-shim: the per-container monitor (conmon's role). It holds the container's stdio, writes
// its log and records its exit status, so containers outlive berthctl and the GUI. Plain C++
// and POSIX on purpose: one is running per container, so it must stay small.
// The protocol with the engine is described in engine/runtime/shimprotocol.h.
#include "engine/runtime/consolesocket.h"
#include "engine/runtime/healthprotocol.h"
#include "engine/runtime/shimprotocol.h"
#include "shim/healthprobe.h"
#include "shim/portproxy.h"
#include "shim/shimutil.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

namespace {

using Berth::Shim::appendJsonString;
using Berth::Shim::exitCodeOf;
using Berth::Shim::nowMs;
using Berth::Shim::readSmallFile;
using Berth::Shim::timestamp;
using Berth::Shim::writeAll;

struct Options {
    std::string id;
    std::string bundle;
    std::string runtime;
    std::string runtimeRoot;
    std::string cgroup;       // the spec's linux.cgroupsPath, to read the OOM count before delete
    long long logMaxSize = 0; // 0: no rotation
    int logMaxFiles = 1;
    bool terminal = false;   // config.json asks for a terminal: receive the pty master
    bool openStdin = false;  // the container's stdin is fed from attached clients
    bool holdOutput = false; // keep the output for the first attached client
    bool transient = false;  // removed when it ends (--rm): its exit file need not be synced
    std::string restart = "no";
    int restartMax = 0;   // on-failure's maximum number of restarts (0: no limit)
    int restartCount = 0; // restarts so far (the engine's, when it restarted a lost container)
    std::vector<Berth::Shim::PublishedPort> ports;
    std::string netns;             // the network namespace path in config.json ("" = none given)
    int heldLockFd = -1;           // the starter's op.lock, released once shim.lock is ours
    bool legacyCgroupView = false; // --cgroup-view legacy: see enterLegacyCgroupView
    Berth::Shim::HealthOptions health; // --health-*: see healthprotocol.h
};

std::string path(const Options &o, const char *name) {
    return o.bundle + "/" + name;
}

void sendSync(const std::string &message) {
    const std::string line = message + "\n";
    if (::write(Berth::Shim::SyncFd, line.data(), line.size()) < 0) {
        // The engine went away; the container still runs and is reconciled later.
    }
    ::close(Berth::Shim::SyncFd);
}

// The JSON-lines log with size-based rotation.
class LogWriter {
public:
    LogWriter(std::string file, long long maxSize, int maxFiles)
        : m_path(std::move(file))
        , m_maxSize(maxSize)
        , m_maxFiles(maxFiles < 1 ? 1 : maxFiles) {
        m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        struct stat st {};
        if (m_fd >= 0 && ::fstat(m_fd, &st) == 0)
            m_size = st.st_size;
    }
    ~LogWriter() {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    // Appends one record. What cannot be written (a full disk) is counted, and the next record
    // that fits is preceded by a gap marker on stderr ("berth: N bytes lost: disk full") that
    // `logs` shows; a record torn by the error is ended with a newline first, so it never runs
    // into the next one (readers skip the one broken line).
    void write(const char *stream, const char *data, size_t size) {
        if (m_lost > 0 && !writeGapMarker()) {
            m_lost += (long long)size;
            return;
        }
        const std::string line = record(stream, data, size);
        if (m_maxSize > 0 && m_size > 0 && m_size + (long long)line.size() > m_maxSize)
            rotate();
        if (!append(line))
            m_lost += (long long)size;
    }

private:
    void rotate() {
        ::close(m_fd);
        if (m_maxFiles > 1) {
            for (int i = m_maxFiles - 1; i >= 1; --i) {
                const std::string from = i == 1 ? m_path : m_path + "." + std::to_string(i - 1);
                ::rename(from.c_str(), (m_path + "." + std::to_string(i)).c_str());
            }
            m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        } else {
            m_fd =
                ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
        }
        m_size = 0;
    }

    std::string record(const char *stream, const char *data, size_t size) const {
        std::string line =
            "{\"time\":\"" + timestamp() + "\",\"stream\":\"" + stream + "\",\"log\":";
        appendJsonString(line, data, size);
        line += "}\n";
        return line;
    }

    bool append(const std::string &line) {
        if (m_fd < 0)
            return false;
        if (m_torn) {
            if (!writeAll(m_fd, "\n", 1)) {
                m_error = errno;
                return false;
            }
            m_torn = false;
            ++m_size;
        }
        size_t done = 0;
        while (done < line.size()) {
            const ssize_t n = ::write(m_fd, line.data() + done, line.size() - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                m_error = n < 0 ? errno : ENOSPC;
                m_torn = done > 0;
                m_size += (long long)done;
                return false;
            }
            done += size_t(n);
        }
        m_size += (long long)line.size();
        return true;
    }

    bool writeGapMarker() {
        const std::string why = m_error == ENOSPC || m_error == EDQUOT
                                    ? std::string("disk full")
                                    : std::string(std::strerror(m_error));
        const std::string text = "berth: " + std::to_string(m_lost) + " bytes lost: " + why + "\n";
        if (!append(record("stderr", text.data(), text.size())))
            return false;
        m_lost = 0;
        return true;
    }

    std::string m_path;
    long long m_maxSize;
    int m_maxFiles;
    int m_fd = -1;
    long long m_size = 0;
    long long m_lost = 0; // bytes of output not recorded since the last record that was
    bool m_torn = false;  // the last record was cut short by a write error
    int m_error = 0;
};

// Splits a stream into lines; a line longer than the limit is logged in pieces (like Docker's
// 16 KiB partial messages) so a process that never writes a newline cannot exhaust memory.
class LineSplitter {
public:
    LineSplitter(LogWriter &log, const char *stream)
        : m_log(log)
        , m_stream(stream) {}
    void feed(const char *data, size_t size) {
        m_buffer.append(data, size);
        size_t start = 0;
        for (;;) {
            const size_t nl = m_buffer.find('\n', start);
            if (nl == std::string::npos)
                break;
            m_log.write(m_stream, m_buffer.data() + start, nl + 1 - start);
            start = nl + 1;
        }
        m_buffer.erase(0, start);
        while (m_buffer.size() >= kMaxLine) {
            m_log.write(m_stream, m_buffer.data(), kMaxLine);
            m_buffer.erase(0, kMaxLine);
        }
    }
    void flush() {
        if (!m_buffer.empty())
            m_log.write(m_stream, m_buffer.data(), m_buffer.size());
        m_buffer.clear();
    }

private:
    static constexpr size_t kMaxLine = 16 * 1024;
    LogWriter &m_log;
    const char *m_stream;
    std::string m_buffer;
};

// Runs the OCI runtime with the given arguments; stdio as given (-1: /dev/null); its messages
// go to `logName` in the bundle.
pid_t spawnRuntime(const Options &o, const std::vector<std::string> &args, int in, int out, int err,
                   const sigset_t &originalMask,
                   const char *logName = Berth::Shim::RuntimeLogFile) {
    std::vector<std::string> all{o.runtime, "--root", o.runtimeRoot, "--log", path(o, logName)};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (std::string &a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    const int devnull = ::open("/dev/null", O_RDWR);
    // Move the sources above 2 first, so dup2 into 0..2 cannot clobber one another.
    const int fds[3] = {in >= 0 ? in : devnull, out >= 0 ? out : devnull, err >= 0 ? err : devnull};
    int moved[3];
    for (int i = 0; i < 3; ++i)
        moved[i] = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
    for (int i = 0; i < 3; ++i)
        ::dup2(moved[i], i);
    // The container inherits signal state through the runtime: give it a clean one.
    for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD})
        ::signal(sig, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &originalMask, nullptr);
    if (o.legacyCgroupView && !Berth::Shim::enterLegacyCgroupView()) {
        std::fprintf(stderr, "berth-shim: cannot enter a private mount namespace: %s\n",
                     std::strerror(errno));
        ::_exit(127);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

int waitFor(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return status;
}

long long readCounter(const std::string &file, const char *key) {
    const std::string text = readSmallFile(file);
    const std::string needle = std::string(key) + " ";
    size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
        if (pos == 0 || text[pos - 1] == '\n')
            return std::atoll(text.c_str() + pos + needle.size());
        pos += needle.size();
    }
    return 0;
}

// What `runc delete` does for a container that has stopped: remove its cgroup in every mounted
// hierarchy and its state directory. Done here at every exit because a runtime start costs
// 15 to 30 ms; false when anything is left (a process still in the cgroup, an unexpected
// file), and the caller then runs `delete --force`.
bool removeStoppedContainer(const Options &o) {
    if (o.cgroup.empty() || o.cgroup[0] != '/' || o.runtimeRoot.empty() || o.id.empty() ||
        o.id.find('/') != std::string::npos)
        return false;
    bool clean = true;
    const std::string mounts = readSmallFile("/proc/self/mountinfo", 1 << 20);
    size_t start = 0;
    while (start < mounts.size()) {
        size_t end = mounts.find('\n', start);
        if (end == std::string::npos)
            end = mounts.size();
        const std::string line = mounts.substr(start, end - start);
        start = end + 1;
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER"
        const size_t dash = line.find(" - ");
        if (dash == std::string::npos)
            continue;
        const std::string fstype = line.substr(dash + 3, line.find(' ', dash + 3) - (dash + 3));
        if (fstype != "cgroup" && fstype != "cgroup2")
            continue;
        size_t field = 0;
        for (int i = 0; i < 4 && field != std::string::npos; ++i)
            field = line.find(' ', field + (i ? 1 : 0));
        if (field == std::string::npos)
            continue;
        const std::string mountPoint =
            line.substr(field + 1, line.find(' ', field + 1) - field - 1);
        if (mountPoint.find('\\') != std::string::npos)
            continue; // escaped characters: not one of ours
        const std::string dir = mountPoint + o.cgroup;
        if (::rmdir(dir.c_str()) != 0 && errno != ENOENT)
            clean = false;
    }
    // The state directory holds state.json (runc) or status and config.json (crun), and while
    // the container is created, exec.fifo.
    const std::string state = o.runtimeRoot + "/" + o.id;
    for (const char *name : {"state.json", "status", "config.json", "exec.fifo"})
        if (::unlink((state + "/" + name).c_str()) != 0 && errno != ENOENT)
            clean = false;
    if (::rmdir(state.c_str()) != 0 && errno != ENOENT)
        clean = false;
    return clean;
}

bool oomKilled(const Options &o) {
    if (o.cgroup.empty())
        return false;
    // cgroup v1 (memory controller) and v2 (unified) both count OOM kills.
    return readCounter("/sys/fs/cgroup/memory" + o.cgroup + "/memory.oom_control", "oom_kill") >
               0 ||
           readCounter("/sys/fs/cgroup" + o.cgroup + "/memory.events", "oom_kill") > 0;
}

// `durable`: synced to disk (the exit file must survive the host going down, unless the
// container is removed as it ends; state.json only matters while this shim lives, and syncing
// it would delay a short container's end).
bool writeFileAtomically(const Options &o, const char *name, const std::string &text,
                         bool durable = true) {
    return Berth::Shim::writeFileIn(o.bundle, name, text, durable);
}

bool parseArgs(int argc, char **argv, Options &o) {
    for (int i = 1; i < argc; ++i) {
        const std::string key = argv[i];
        if (key == "--terminal") {
            o.terminal = true;
            continue;
        }
        if (key == "--stdin") {
            o.openStdin = true;
            continue;
        }
        if (key == "--hold-output") {
            o.holdOutput = true;
            continue;
        }
        if (key == "--transient") {
            o.transient = true;
            continue;
        }
        if (i + 1 >= argc)
            return false;
        const char *value = argv[++i];
        if (bool valid = true; o.health.parse(key, value, valid)) {
            if (!valid)
                return false;
            continue;
        }
        if (key == "--id")
            o.id = value;
        else if (key == "--bundle")
            o.bundle = value;
        else if (key == "--runtime")
            o.runtime = value;
        else if (key == "--runtime-root")
            o.runtimeRoot = value;
        else if (key == "--cgroup")
            o.cgroup = value;
        else if (key == "--log-max-size")
            o.logMaxSize = std::atoll(value);
        else if (key == "--log-max-files")
            o.logMaxFiles = std::atoi(value);
        else if (key == "--restart")
            o.restart = value;
        else if (key == "--restart-max")
            o.restartMax = std::atoi(value);
        else if (key == "--restart-count")
            o.restartCount = std::atoi(value);
        else if (key == "--netns")
            o.netns = value;
        else if (key == "--hold-lock")
            o.heldLockFd = std::atoi(value);
        else if (key == "--cgroup-view") {
            o.legacyCgroupView = std::string(value) == Berth::Shim::LegacyCgroupView;
            if (!o.legacyCgroupView && std::string(value) != "host")
                return false;
        } else if (key == "--publish") {
            Berth::Shim::PublishedPort port;
            if (!Berth::Shim::parsePublishedPort(value, port))
                return false;
            o.ports.push_back(port);
        } else
            return false;
    }
    const bool knownPolicy = o.restart == "no" || o.restart == "on-failure" ||
                             o.restart == "always" || o.restart == "unless-stopped";
    return knownPolicy && !o.id.empty() && !o.bundle.empty() && !o.runtime.empty() &&
           !o.runtimeRoot.empty() && o.health.complete();
}

// The last non-empty line of the runtime's log, for the error message.
std::string runtimeError(const Options &o) {
    std::string text = readSmallFile(path(o, Berth::Shim::RuntimeLogFile));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    const size_t nl = text.rfind('\n');
    std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
    for (char &c : line)
        if (c == '\n' || c == '\r')
            c = ' ';
    return line.empty() ? std::string("no message from the runtime") : line;
}

void setNonBlocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Writes what the fd takes now; false when the peer is gone.
bool writeSome(int fd, std::string &queue) {
    while (!queue.empty()) {
        const ssize_t n = ::write(fd, queue.data(), queue.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno == EAGAIN;
        }
        queue.erase(0, size_t(n));
    }
    return true;
}

// The socket the runtime sends the pty master to (shared with the engine).
using Berth::Console::ConsoleSocket;

using Berth::Shim::Frame;

struct Client {
    int fd = -1;
    Berth::Shim::FrameReader reader;
    std::string out;       // frames not written yet
    bool attached = false; // receives output
    bool writesStdin = false;
    bool closing = false; // closed once `out` is written
};

// One run of the container: from `<runtime> run` to its exit with its output drained.
struct Run {
    pid_t runtimePid = -1;
    bool runtimeDone = false;
    pid_t pid = 0;
    bool exited = false;
    int status = 0;
    int outFd = -1; // stdout pipe, or the pty master (read and written)
    int errFd = -1;
    int stdinFd = -1; // stdin pipe (write end) or the pty master
    std::string stdinQueue;
    bool closeStdin = false; // after stdinQueue is written
    ConsoleSocket console;
    long long startedMs = 0;
    long long exitedMs = 0;
    std::string startedAt;
};

constexpr size_t kQueueLimit = 1 << 20; // per client, stdin and held output
constexpr long long kDrainTimeoutMs = 2000;
constexpr long long kFirstRestartDelayMs = 100;
constexpr long long kMaxRestartDelayMs = 60000;
constexpr long long kResetDelayAfterMs = 10000;

class Monitor {
public:
    Monitor(const Options &o, int sigfd, const sigset_t &originalMask,
            Berth::Shim::PortProxy &proxy)
        : m_o(o)
        , m_sigfd(sigfd)
        , m_proxy(proxy)
        , m_originalMask(originalMask)
        , m_log(path(o, Berth::Shim::LogFile), o.logMaxSize, o.logMaxFiles)
        , m_out(m_log, "stdout")
        , m_err(m_log, "stderr")
        , m_holding(o.holdOutput)
        , m_restartCount(o.restartCount)
        , m_health(o.health, o.bundle, o.id, [this](const std::vector<std::string> &args, int out) {
            return spawnRuntime(m_o, args, -1, out, out, m_originalMask,
                                Berth::Shim::HealthRuntimeLogFile);
        }) {}

    bool listenForClients();
    int exec();

private:
    enum class Phase { Running, Backoff, Done };

    bool startRun(std::string &error);
    void onRuntimeExited(int status);
    void onChildren();
    void readOutput(int &fd, Frame stream);
    void fanOut(Frame stream, const char *data, size_t size);
    bool outputBlocked() const;
    void acceptClients();
    void readClient(Client &c);
    void handleFrame(Client &c, Frame type, const std::string &payload);
    void releaseHeldOutput(Client *to);
    void closeClient(Client &c);
    bool runFinished() const;
    void endRun();
    bool shouldRestart(int exitCode) const;
    void writeState(bool restarting, int exitCode, bool oom);
    void finish();
    void flushClients(long long timeoutMs);

    bool keepNetworkNamespace();
    bool pointConfigAtNetworkNamespace(std::string &error);

    const Options &m_o;
    int m_sigfd;
    Berth::Shim::PortProxy &m_proxy;
    // With a restart policy and a namespace made by the engine (only the container's
    // processes hold it), the shim holds it too, so restarts find it with its address and
    // routes; config.json is pointed at our fd for them.
    int m_netnsFd = -1;
    std::string m_netnsPath; // what config.json names now
    sigset_t m_originalMask;
    LogWriter m_log;
    LineSplitter m_out;
    LineSplitter m_err;
    int m_listenFd = -1;
    std::vector<Client> m_clients;
    Run m_run;
    Phase m_phase = Phase::Running;
    bool m_firstRun = true;
    bool m_startFailed = false;
    bool m_holding;            // output is kept for the first client that attaches
    std::string m_held;        // frames kept meanwhile
    long long m_holdUntil = 0; // after this, stop holding even if nobody came
    bool m_stopRequested = false;
    int m_restartCount;
    long long m_restartDelayMs = 0;
    long long m_restartAt = 0;
    int m_lastExitCode = 0;
    bool m_lastOom = false;
    std::string m_lastFinishedAt;
    std::string m_error; // why a restart failed
    std::vector<std::pair<pid_t, int>> m_reaped;
    Berth::Shim::HealthProbe m_health;
};

bool Monitor::listenForClients() {
    // Bound through the directory's fd: the bundle's path may be longer than sun_path.
    const int dir = ::open(m_o.bundle.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dir,
                  Berth::Shim::AttachSocket);
    ::unlink(addr.sun_path); // a previous shim's (we hold the lock: it is gone)
    m_listenFd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    const bool ok = m_listenFd >= 0 &&
                    ::bind(m_listenFd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
                    ::listen(m_listenFd, 16) == 0;
    if (ok)
        ::fchmodat(dir, Berth::Shim::AttachSocket, 0600, 0);
    ::close(dir);
    return ok;
}

bool Monitor::startRun(std::string &error) {
    m_run = Run{};
    ::unlink(path(m_o, Berth::Shim::PidFile).c_str());
    ::unlink(path(m_o, Berth::Shim::RuntimeLogFile).c_str());
    std::vector<std::string> args{"run",      "--detach",   "--bundle",
                                  m_o.bundle, "--pid-file", path(m_o, Berth::Shim::PidFile)};
    int in = -1, out = -1, err = -1;
    int stdinPipe[2] = {-1, -1};
    if (m_o.terminal) {
        if (!m_run.console.listen()) {
            error = std::string("console socket: ") + std::strerror(errno);
            m_run.console.close();
            return false;
        }
        args.insert(args.end(), {"--console-socket", m_run.console.path()});
    } else {
        int outPipe[2], errPipe[2];
        if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0 ||
            (m_o.openStdin && ::pipe2(stdinPipe, O_CLOEXEC) != 0)) {
            error = std::string("pipe: ") + std::strerror(errno);
            return false;
        }
        m_run.outFd = outPipe[0];
        m_run.errFd = errPipe[0];
        out = outPipe[1];
        err = errPipe[1];
        setNonBlocking(m_run.outFd);
        setNonBlocking(m_run.errFd);
        if (m_o.openStdin) {
            in = stdinPipe[0];
            m_run.stdinFd = stdinPipe[1];
            setNonBlocking(m_run.stdinFd);
        }
    }
    args.push_back(m_o.id);
    m_run.startedMs = nowMs();
    m_run.startedAt = timestamp();
    m_run.runtimePid = spawnRuntime(m_o, args, in, out, err, m_originalMask);
    for (int fd : {in, out, err})
        if (fd >= 0)
            ::close(fd);
    if (m_run.runtimePid < 0) {
        error = std::string("fork: ") + std::strerror(errno);
        return false;
    }
    return true;
}

// `<runtime> run --detach` is done: the container runs (its pid in the pid file), or not.
void Monitor::onRuntimeExited(int status) {
    m_run.runtimeDone = true;
    m_run.pid = pid_t(std::atol(readSmallFile(path(m_o, Berth::Shim::PidFile)).c_str()));
    if (m_o.terminal) {
        const int master = m_run.console.receive();
        m_run.console.close();
        if (master >= 0) {
            setNonBlocking(master);
            m_run.outFd = master;
            m_run.stdinFd = m_o.openStdin ? master : -1;
        } else if (status == 0) {
            status = 1; // nothing to hold the terminal: treat as a failed start
        }
    }
    if (status != 0 || m_run.pid <= 0) {
        const std::string message = m_o.runtime + " run: " + runtimeError(m_o);
        if (m_firstRun) {
            sendSync("error " + message);
            m_startFailed = true;
            // The starter reports the error itself and will not attach: holding output for
            // it would keep this failed run "running" for HoldOutputTimeoutMs.
            releaseHeldOutput(nullptr);
        } else {
            m_error = "restart failed: " + message;
        }
        // Nothing runs: the run ends at once (reaped below or never started).
        m_run.exited = true;
        m_run.status = m_lastExitCode << 8;
        m_run.exitedMs = nowMs();
        for (int *fd : {&m_run.outFd, &m_run.errFd})
            if (*fd >= 0 && *fd != m_run.stdinFd)
                ::close(*fd);
        if (m_run.stdinFd >= 0)
            ::close(m_run.stdinFd);
        m_run.outFd = m_run.errFd = m_run.stdinFd = -1;
        return;
    }
    if (m_firstRun) {
        sendSync("ok " + std::to_string(m_run.pid) + " " + std::to_string(::getpid()));
        // Published ports are proxied from now until the last run ends; restarts keep the
        // container's address (see m_netnsFd), so the proxy simply runs on.
        m_proxy.start();
    }
    writeState(false, m_lastExitCode, m_lastOom);
    m_health.runStarted();
}

void Monitor::onChildren() {
    signalfd_siginfo info;
    while (::read(m_sigfd, &info, sizeof info) > 0) {
    }
    int st = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0)
        if (!m_health.reaped(pid, st))
            m_reaped.emplace_back(pid, st);
    // Exit statuses seen before we know the container's pid are kept until we do.
    for (auto it = m_reaped.begin(); !m_run.runtimeDone && it != m_reaped.end(); ++it)
        if (it->first == m_run.runtimePid)
            onRuntimeExited(it->second);
    if (!m_run.runtimeDone)
        return;
    for (const auto &[p, status] : m_reaped)
        if (m_run.pid > 0 && p == m_run.pid && !m_run.exited) {
            m_run.status = status;
            m_run.exited = true;
            m_run.exitedMs = nowMs();
        }
    m_reaped.clear(); // other descendants: nothing to record
}

bool Monitor::outputBlocked() const {
    if (m_holding && m_held.size() >= kQueueLimit)
        return true;
    for (const Client &c : m_clients)
        if (c.attached && !c.closing && c.out.size() >= kQueueLimit)
            return true;
    return false;
}

void Monitor::fanOut(Frame stream, const char *data, size_t size) {
    const std::string frame = Berth::Shim::encodeFrame(stream, data, size);
    if (m_holding)
        m_held += frame;
    for (Client &c : m_clients)
        if (c.attached && !c.closing)
            c.out += frame;
}

void Monitor::readOutput(int &fd, Frame stream) {
    char buf[65536];
    for (int rounds = 0; rounds < 16 && !outputBlocked(); ++rounds) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            (stream == Frame::Stderr ? m_err : m_out).feed(buf, size_t(n));
            fanOut(stream, buf, size_t(n));
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        // End of the stream (or EIO: no process holds the terminal any more).
        if (fd == m_run.stdinFd)
            m_run.stdinFd = -1;
        ::close(fd);
        fd = -1;
        return;
    }
}

void Monitor::acceptClients() {
    for (;;) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        Client c;
        c.fd = fd;
        m_clients.push_back(std::move(c));
    }
}

void Monitor::releaseHeldOutput(Client *to) {
    if (!m_holding)
        return;
    m_holding = false;
    if (to)
        to->out += m_held;
    std::string().swap(m_held);
}

void Monitor::handleFrame(Client &c, Frame type, const std::string &payload) {
    switch (type) {
    case Frame::Attach: {
        c.attached = true;
        c.writesStdin = !payload.empty() && (payload[0] & Berth::Shim::AttachStdin);
        const bool stdinOpen = m_o.openStdin && m_run.stdinFd >= 0 && !m_run.closeStdin;
        const char hello[2] = {char(m_o.terminal ? 1 : 0), char(stdinOpen ? 1 : 0)};
        c.out += Berth::Shim::encodeFrame(Frame::Hello, hello, sizeof hello);
        releaseHeldOutput(&c);
        // Between runs (restart delay) there is no output to wait for: the last exit it is.
        // (A run that just ended sends its Exit to every attached client in endRun.)
        if (m_phase != Phase::Running) {
            c.out += Berth::Shim::encodeFrame(Frame::Exit, std::to_string(m_lastExitCode));
            c.closing = true;
        }
        break;
    }
    case Frame::Stdin:
        if (c.writesStdin && m_run.stdinFd >= 0 && !m_run.closeStdin)
            m_run.stdinQueue += payload;
        break;
    case Frame::CloseStdin:
        if (c.writesStdin && !m_o.terminal)
            m_run.closeStdin = true;
        break;
    case Frame::Resize:
        if (m_o.terminal && m_run.outFd >= 0 && payload.size() == 4) {
            const auto u = [&](size_t i) { return static_cast<unsigned char>(payload[i]); };
            winsize ws{};
            ws.ws_row = (unsigned short)(u(0) << 8 | u(1));
            ws.ws_col = (unsigned short)(u(2) << 8 | u(3));
            ::ioctl(m_run.outFd, TIOCSWINSZ, &ws);
        }
        break;
    case Frame::NoRestart:
        m_stopRequested = true;
        releaseHeldOutput(nullptr); // nobody will attach to a container being stopped
        c.out += Berth::Shim::encodeFrame(Frame::Ack);
        break;
    default:
        break; // unknown frames are ignored, for newer clients
    }
}

void Monitor::readClient(Client &c) {
    char buf[65536];
    const ssize_t n = ::read(c.fd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return;
    if (n <= 0) {
        closeClient(c);
        return;
    }
    c.reader.feed(buf, size_t(n));
    Frame type;
    std::string payload;
    while (c.fd >= 0 && c.reader.next(type, payload))
        handleFrame(c, type, payload);
    if (c.reader.corrupt())
        closeClient(c);
}

void Monitor::closeClient(Client &c) {
    if (c.fd >= 0)
        ::close(c.fd);
    c.fd = -1;
}

bool Monitor::runFinished() const {
    return m_run.exited && m_run.outFd < 0 && m_run.errFd < 0 && !m_holding;
}

bool Monitor::shouldRestart(int exitCode) const {
    if (m_stopRequested || m_startFailed || !m_error.empty())
        return false;
    if (m_o.restart == "always" || m_o.restart == "unless-stopped")
        return true;
    if (m_o.restart == "on-failure")
        return exitCode != 0 && (m_o.restartMax <= 0 || m_restartCount < m_o.restartMax);
    return false;
}

void Monitor::writeState(bool restarting, int exitCode, bool oom) {
    std::string text =
        "{\"pid\":" + std::to_string(restarting ? 0 : m_run.pid) + ",\"startedAt\":\"" +
        m_run.startedAt + "\",\"restartCount\":" + std::to_string(m_restartCount) +
        ",\"restarting\":" + (restarting ? "true" : "false") +
        ",\"exitCode\":" + std::to_string(exitCode) + ",\"oomKilled\":" + (oom ? "true" : "false") +
        ",\"finishedAt\":\"" + m_lastFinishedAt + "\"}\n";
    writeFileAtomically(m_o, Berth::Shim::StateFile, text, false);
}

void Monitor::endRun() {
    m_health.runEnded();
    m_out.flush();
    m_err.flush();
    if (m_run.stdinFd >= 0 && m_run.stdinFd != m_run.outFd)
        ::close(m_run.stdinFd);
    m_run.stdinFd = -1;
    const int exitCode = exitCodeOf(m_run.status);
    if (m_startFailed) {
        // Nothing ran: leave no runtime state behind and no exit file (the engine reports the
        // error it got on the sync pipe).
        m_proxy.stop();
        waitFor(spawnRuntime(m_o, {"delete", "--force", m_o.id}, -1, -1, -1, m_originalMask));
        m_phase = Phase::Done;
        return;
    }
    const bool oom = m_error.empty() && oomKilled(m_o);
    const bool again = shouldRestart(exitCode);
    // The proxy's thread ends before the last fork. (Between runs it goes on: the children
    // forked meanwhile only make async-signal-safe calls before exec.)
    if (!again)
        m_proxy.stop();
    if (!removeStoppedContainer(m_o))
        waitFor(spawnRuntime(m_o, {"delete", "--force", m_o.id}, -1, -1, -1, m_originalMask));
    m_lastExitCode = exitCode;
    m_lastOom = oom;
    m_lastFinishedAt = timestamp();
    for (Client &c : m_clients)
        if (c.attached && !c.closing) {
            c.out += Berth::Shim::encodeFrame(Frame::Exit, std::to_string(exitCode));
            c.closing = true;
        }
    m_firstRun = false;
    if (!again) {
        m_phase = Phase::Done;
        return;
    }
    const long long ran = m_run.exitedMs - m_run.startedMs;
    m_restartDelayMs = (m_restartDelayMs == 0 || ran >= kResetDelayAfterMs)
                           ? kFirstRestartDelayMs
                           : std::min(m_restartDelayMs * 2, kMaxRestartDelayMs);
    m_restartAt = nowMs() + m_restartDelayMs;
    writeState(true, exitCode, oom);
    m_phase = Phase::Backoff;
}

// Opened before the first run, while the engine (waiting for our sync message) still holds
// the path's fd: a container that exits at once cannot take its namespace with it.
bool Monitor::keepNetworkNamespace() {
    if (m_o.netns.empty() || m_o.restart == "no")
        return true;
    m_netnsFd = ::open(m_o.netns.c_str(), O_RDONLY | O_CLOEXEC);
    m_netnsPath = m_o.netns;
    return m_netnsFd >= 0;
}

// Replaces the namespace path in config.json (the engine's, then ours) with our fd's.
bool Monitor::pointConfigAtNetworkNamespace(std::string &error) {
    if (m_o.netns.empty())
        return true;
    if (m_netnsFd < 0) {
        // The engine's path is stale now (its fd is closed, its number maybe reused).
        error = "the container's network namespace could not be kept for restarts";
        return false;
    }
    const std::string ours =
        "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(m_netnsFd);
    if (m_netnsPath == ours)
        return true;
    std::string config = readSmallFile(path(m_o, "config.json"), 16 << 20);
    const std::string from = "\"" + m_netnsPath + "\"";
    const size_t at = config.find(from);
    if (at == std::string::npos || config.find(from, at + 1) != std::string::npos) {
        error = "config.json does not name the network namespace " + m_netnsPath + " once";
        return false;
    }
    config.replace(at, from.size(), "\"" + ours + "\"");
    if (!writeFileAtomically(m_o, "config.json", config)) {
        error = std::string("rewrite config.json: ") + std::strerror(errno);
        return false;
    }
    m_netnsPath = ours;
    return true;
}

// Gives clients a bounded moment to read their last frames (the exit code).
void Monitor::flushClients(long long timeoutMs) {
    const long long deadline = nowMs() + timeoutMs;
    for (;;) {
        std::vector<pollfd> pfds;
        for (Client &c : m_clients)
            if (c.fd >= 0 && !c.out.empty())
                pfds.push_back({c.fd, POLLOUT, 0});
        const long long left = deadline - nowMs();
        if (pfds.empty() || left <= 0)
            break;
        if (::poll(pfds.data(), nfds_t(pfds.size()), int(left)) < 0 && errno != EINTR)
            break;
        for (Client &c : m_clients)
            if (c.fd >= 0 && !writeSome(c.fd, c.out))
                closeClient(c);
    }
    for (Client &c : m_clients)
        closeClient(c);
    m_clients.clear();
}

void Monitor::finish() {
    ::close(m_listenFd);
    ::unlink(path(m_o, Berth::Shim::AttachSocket).c_str());
    if (!m_startFailed) {
        ::umount2(path(m_o, Berth::Shim::RootfsDir).c_str(), MNT_DETACH);
        std::string text = "{\"exitCode\":" + std::to_string(m_lastExitCode) +
                           ",\"finishedAt\":\"" + m_lastFinishedAt +
                           "\",\"oomKilled\":" + (m_lastOom ? "true" : "false") +
                           ",\"restartCount\":" + std::to_string(m_restartCount) + ",\"error\":";
        appendJsonString(text, m_error.data(), m_error.size());
        text += "}\n";
        writeFileAtomically(m_o, Berth::Shim::ExitFile, text, !m_o.transient);
    }
    // Attached clients get their Exit once the exit file is there, so whoever reads the
    // container after it sees it exited.
    flushClients(5000);
}

int Monitor::exec() {
    m_holdUntil = nowMs() + Berth::Shim::HoldOutputTimeoutMs;
    std::string error;
    if (!keepNetworkNamespace()) {
        sendSync("error open the network namespace " + m_o.netns + ": " + std::strerror(errno));
        return 1;
    }
    if (!startRun(error)) {
        sendSync("error shim setup: " + error);
        return 1;
    }
    while (m_phase != Phase::Done) {
        std::vector<pollfd> pfds;
        auto add = [&](int fd, short events) {
            pfds.push_back({fd, events, 0});
            return pfds.size() - 1;
        };
        const bool blocked = outputBlocked();
        const size_t iSig = add(m_sigfd, POLLIN);
        const size_t iListen = add(m_listenFd, POLLIN);
        // (The console socket is not polled: the runtime's message waits in it until the
        // runtime exited, see onRuntimeExited.)
        const size_t iOut = m_run.outFd >= 0 && !blocked ? add(m_run.outFd, POLLIN) : SIZE_MAX;
        const size_t iErr = m_run.errFd >= 0 && !blocked ? add(m_run.errFd, POLLIN) : SIZE_MAX;
        const bool stdinPending = m_run.stdinFd >= 0 && !m_run.stdinQueue.empty();
        // (With a terminal, stdin is the master already polled for output.)
        const size_t iStdin =
            stdinPending && m_run.stdinFd != m_run.outFd ? add(m_run.stdinFd, POLLOUT) : SIZE_MAX;
        const size_t iHealth =
            m_health.outputFd() >= 0 ? add(m_health.outputFd(), POLLIN) : SIZE_MAX;
        const size_t firstClient = pfds.size();
        // A client whose stdin the container does not take yet waits (backpressure).
        const bool stdinFull = m_run.stdinQueue.size() >= kQueueLimit;
        for (Client &c : m_clients) {
            short events = 0;
            if (!(stdinFull && c.writesStdin) && !c.closing)
                events |= POLLIN;
            if (!c.out.empty())
                events |= POLLOUT;
            add(c.fd, events);
        }
        if (stdinPending && m_run.stdinFd == m_run.outFd && iOut != SIZE_MAX)
            pfds[iOut].events |= POLLOUT;

        long long timeout = -1;
        auto until = [&](long long at) {
            const long long left = std::max(0LL, at - nowMs());
            timeout = timeout < 0 ? left : std::min(timeout, left);
        };
        if (m_holding)
            until(m_holdUntil);
        if (m_run.exited && (m_run.outFd >= 0 || m_run.errFd >= 0) && !blocked)
            until(m_run.exitedMs + kDrainTimeoutMs);
        if (m_phase == Phase::Backoff)
            until(m_restartAt);
        if (m_health.wakeAtMs() >= 0)
            until(m_health.wakeAtMs());
        const int ready = ::poll(pfds.data(), nfds_t(pfds.size()), int(timeout));
        if (ready < 0 && errno != EINTR)
            break;

        if (iHealth != SIZE_MAX && pfds[iHealth].revents)
            m_health.readOutput();
        if (pfds[iSig].revents)
            onChildren();
        m_health.tick();
        if (iOut != SIZE_MAX && (pfds[iOut].revents & (POLLIN | POLLHUP | POLLERR)))
            readOutput(m_run.outFd, Frame::Stdout);
        if (iErr != SIZE_MAX && pfds[iErr].revents)
            readOutput(m_run.errFd, Frame::Stderr);
        if (stdinPending && m_run.stdinFd >= 0 &&
            ((iStdin != SIZE_MAX && pfds[iStdin].revents) ||
             (m_run.stdinFd == m_run.outFd && iOut != SIZE_MAX && pfds[iOut].revents))) {
            if (!writeSome(m_run.stdinFd, m_run.stdinQueue)) {
                m_run.stdinQueue.clear();
                if (m_run.stdinFd != m_run.outFd)
                    ::close(m_run.stdinFd);
                m_run.stdinFd = -1;
            }
        }
        for (size_t i = 0; i < m_clients.size(); ++i) {
            Client &c = m_clients[i];
            const short revents = pfds[firstClient + i].revents;
            if (c.fd >= 0 && (revents & POLLOUT) && !writeSome(c.fd, c.out))
                closeClient(c);
            if (c.fd >= 0 && (revents & (POLLIN | POLLHUP | POLLERR)))
                readClient(c);
            if (c.fd >= 0 && c.closing && c.out.empty())
                closeClient(c);
        }
        // (After the clients: a CloseStdin that came after the last stdin was written has no
        // event of its own to wait for.)
        if (m_run.closeStdin && m_run.stdinQueue.empty() && m_run.stdinFd >= 0 &&
            m_run.stdinFd != m_run.outFd) {
            ::close(m_run.stdinFd);
            m_run.stdinFd = -1;
        }
        if (pfds[iListen].revents)
            acceptClients();
        std::erase_if(m_clients, [](const Client &c) { return c.fd < 0; });

        // Output that nobody came for is no longer held.
        if (m_holding && nowMs() >= m_holdUntil)
            releaseHeldOutput(nullptr);
        // A process that kept the output open after the container exited (a stray holder)
        // must not keep the exit status waiting: read what is there, then let go.
        if (m_run.exited && !outputBlocked() && nowMs() >= m_run.exitedMs + kDrainTimeoutMs) {
            for (int *fd : {&m_run.outFd, &m_run.errFd})
                if (*fd >= 0) {
                    readOutput(*fd, fd == &m_run.errFd ? Frame::Stderr : Frame::Stdout);
                    if (*fd >= 0 && !outputBlocked()) {
                        if (*fd == m_run.stdinFd)
                            m_run.stdinFd = -1;
                        ::close(*fd);
                        *fd = -1;
                    }
                }
        }
        if (m_phase == Phase::Running && runFinished())
            endRun();
        if (m_phase == Phase::Backoff) {
            if (m_stopRequested) {
                m_phase = Phase::Done;
            } else if (nowMs() >= m_restartAt) {
                // Counted when it happens (a stop during the delay leaves the count as is).
                ++m_restartCount;
                m_phase = Phase::Running;
                if (!pointConfigAtNetworkNamespace(error) || !startRun(error)) {
                    m_error = "restart failed: " + error;
                    m_phase = Phase::Done;
                }
            }
        }
    }
    finish();
    return m_startFailed ? 1 : 0;
}

// shim.lock, exclusively, for the shim's life. Whoever asks whether a shim runs takes it shared
// for a moment (ContainerRuntime::shimAlive, and every read of the container does): such a
// probe must not make a starting shim give up, so a busy lock is tried again for up to a
// second; another shim holds it for good.
bool takeShimLock(int fd) {
    for (int attempt = 0; attempt < 200; ++attempt) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
            return true;
        if (errno != EWOULDBLOCK && errno != EINTR)
            return false;
        ::usleep(5000);
    }
    return false;
}

} // namespace

int main(int argc, char **argv) {
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::fprintf(stderr,
                     "usage: berth-shim --id ID --bundle DIR --runtime PATH --runtime-root DIR "
                     "[--cgroup PATH] [--log-max-size BYTES] [--log-max-files N] [--terminal] "
                     "[--stdin] [--hold-output] [--transient] [--restart "
                     "no|on-failure|always|unless-stopped] "
                     "[--restart-max N] [--restart-count N] [--netns PATH] "
                     "[--publish PROTO:FD:IP:PORT]... [--hold-lock FD] [--cgroup-view host|legacy] "
                     "[--health-process FILE --health-interval NS --health-timeout NS "
                     "--health-start-period NS --health-start-interval NS --health-retries N]\n"
                     "Started by the Berth engine; not meant to be run by hand.\n");
        return 2;
    }
    // The engine spawned this process as its child in a new session (posix_spawn, which does
    // not copy the engine's page tables as fork would). Leave the engine at once: it waits for
    // this first process only, and the monitor that outlives it is re-parented to init (or a
    // subreaper) and, not leading its session, never gets a controlling terminal.
    if (const pid_t monitor = ::fork(); monitor != 0) {
        if (monitor < 0)
            sendSync(std::string("error fork: ") + std::strerror(errno));
        ::_exit(monitor < 0 ? 1 : 0);
    }
    // Never pin a mount point (the rootfs lives below the bundle) with our working directory.
    if (::chdir("/") != 0)
        return 1;
    Berth::Shim::PortProxy proxy(o.ports);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);

    if (o.heldLockFd > 2)
        ::fcntl(o.heldLockFd, F_SETFD, FD_CLOEXEC);
    const int lock =
        ::open(path(o, Berth::Shim::LockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || !takeShimLock(lock)) {
        sendSync("error another berth-shim is monitoring this container");
        return 1;
    }
    if (o.heldLockFd > 2)
        ::close(o.heldLockFd); // shim.lock now says the run is ours
    // Orphaned descendants (the container once the runtime exits) are re-parented to us.
    if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
        sendSync(std::string("error prctl(PR_SET_CHILD_SUBREAPER): ") + std::strerror(errno));
        return 1;
    }
    sigset_t childMask, originalMask;
    sigemptyset(&childMask);
    sigaddset(&childMask, SIGCHLD);
    ::sigprocmask(SIG_BLOCK, &childMask, &originalMask);
    const int sigfd = ::signalfd(-1, &childMask, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sigfd < 0) {
        sendSync(std::string("error shim setup: ") + std::strerror(errno));
        return 1;
    }
    ::unlink(path(o, Berth::Shim::StateFile).c_str());
    Monitor monitor(o, sigfd, originalMask, proxy);
    if (!monitor.listenForClients()) {
        sendSync(std::string("error attach socket: ") + std::strerror(errno));
        return 1;
    }
    return monitor.exec();
}
