// SPDX-License-Identifier: GPL-3.0-or-later
// berth-shim: the per-container monitor (conmon's role). It holds the container's stdio, writes
// its log and records its exit status, so containers outlive berthctl and the GUI. Plain C++
// and POSIX on purpose: one is running per container, so it must stay small.
// The protocol with the engine is described in engine/runtime/shimprotocol.h.
#include "engine/runtime/shimprotocol.h"
#include "shim/portproxy.h"

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
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
    std::string id;
    std::string bundle;
    std::string runtime;
    std::string runtimeRoot;
    std::string cgroup;       // the spec's linux.cgroupsPath, to read the OOM count before delete
    long long logMaxSize = 0; // 0: no rotation
    int logMaxFiles = 1;
    std::vector<Berth::Shim::PublishedPort> ports;
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

std::string timestamp() {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    tm t{};
    ::gmtime_r(&ts.tv_sec, &t);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &t);
    std::snprintf(buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
    return buf;
}

void appendJsonString(std::string &out, const char *data, size_t size) {
    out += '"';
    for (size_t i = 0; i < size; ++i) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                char esc[8];
                std::snprintf(esc, sizeof esc, "\\u%04x", c);
                out += esc;
            } else {
                out += char(c);
            }
        }
    }
    out += '"';
}

bool writeAll(int fd, const char *data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= size_t(n);
    }
    return true;
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

    void write(const char *stream, const char *data, size_t size) {
        std::string line =
            "{\"time\":\"" + timestamp() + "\",\"stream\":\"" + stream + "\",\"log\":";
        appendJsonString(line, data, size);
        line += "}\n";
        if (m_maxSize > 0 && m_size > 0 && m_size + (long long)line.size() > m_maxSize)
            rotate();
        if (m_fd >= 0 && writeAll(m_fd, line.data(), line.size()))
            m_size += (long long)line.size();
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

    std::string m_path;
    long long m_maxSize;
    int m_maxFiles;
    int m_fd = -1;
    long long m_size = 0;
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

std::string readSmallFile(const std::string &file) {
    std::string out;
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < 65536)
        out.append(buf, size_t(n));
    ::close(fd);
    return out;
}

// Runs the OCI runtime with the given arguments; stdio as given (-1: /dev/null).
pid_t spawnRuntime(const Options &o, const std::vector<std::string> &args, int out, int err,
                   const sigset_t &originalMask) {
    std::vector<std::string> all{o.runtime, "--root", o.runtimeRoot, "--log",
                                 path(o, Berth::Shim::RuntimeLogFile)};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char *> argv;
    for (std::string &a : all)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid != 0)
        return pid;
    const int devnull = ::open("/dev/null", O_RDWR);
    ::dup2(devnull, 0);
    ::dup2(out >= 0 ? out : devnull, 1);
    ::dup2(err >= 0 ? err : devnull, 2);
    // The container inherits signal state through the runtime: give it a clean one.
    for (int sig : {SIGPIPE, SIGHUP, SIGINT, SIGTERM, SIGCHLD})
        ::signal(sig, SIG_DFL);
    ::sigprocmask(SIG_SETMASK, &originalMask, nullptr);
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

int exitCodeOf(int status) {
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 255;
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

bool oomKilled(const Options &o) {
    if (o.cgroup.empty())
        return false;
    // cgroup v1 (memory controller) and v2 (unified) both count OOM kills.
    return readCounter("/sys/fs/cgroup/memory" + o.cgroup + "/memory.oom_control", "oom_kill") >
               0 ||
           readCounter("/sys/fs/cgroup" + o.cgroup + "/memory.events", "oom_kill") > 0;
}

bool writeExitFile(const Options &o, int exitCode, bool oom) {
    const std::string text = "{\"exitCode\":" + std::to_string(exitCode) + ",\"finishedAt\":\"" +
                             timestamp() + "\",\"oomKilled\":" + (oom ? "true" : "false") + "}\n";
    const std::string final = path(o, Berth::Shim::ExitFile);
    const std::string tmp = final + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return false;
    const bool ok = writeAll(fd, text.data(), text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), final.c_str()) != 0)
        return false;
    const int dir = ::open(o.bundle.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
    return true;
}

bool parseArgs(int argc, char **argv, Options &o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const char *value = argv[i + 1];
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
        else if (key == "--publish") {
            Berth::Shim::PublishedPort port;
            if (!Berth::Shim::parsePublishedPort(value, port))
                return false;
            o.ports.push_back(port);
        } else
            return false;
    }
    return (argc % 2) == 1 && !o.id.empty() && !o.bundle.empty() && !o.runtime.empty() &&
           !o.runtimeRoot.empty();
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

} // namespace

int main(int argc, char **argv) {
    Options o;
    if (!parseArgs(argc, argv, o)) {
        std::fprintf(stderr,
                     "usage: berth-shim --id ID --bundle DIR --runtime PATH --runtime-root DIR "
                     "[--cgroup PATH] [--log-max-size BYTES] [--log-max-files N] "
                     "[--publish PROTO:FD:IP:PORT]...\n"
                     "Started by the Berth engine; not meant to be run by hand.\n");
        return 2;
    }
    // Never pin a mount point (the rootfs lives below the bundle) with our working directory.
    if (::chdir("/") != 0)
        return 1;
    Berth::Shim::PortProxy proxy(o.ports);
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    ::signal(SIGINT, SIG_IGN);

    const int lock =
        ::open(path(o, Berth::Shim::LockFile).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX | LOCK_NB) != 0) {
        sendSync("error another berth-shim is monitoring this container");
        return 1;
    }
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

    int outPipe[2], errPipe[2];
    if (sigfd < 0 || ::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
        sendSync(std::string("error shim setup: ") + std::strerror(errno));
        return 1;
    }
    ::unlink(path(o, Berth::Shim::PidFile).c_str());
    ::unlink(path(o, Berth::Shim::RuntimeLogFile).c_str());
    const pid_t runtimePid = spawnRuntime(o,
                                          {"run", "--detach", "--bundle", o.bundle, "--pid-file",
                                           path(o, Berth::Shim::PidFile), o.id},
                                          outPipe[1], errPipe[1], originalMask);
    ::close(outPipe[1]);
    ::close(errPipe[1]);
    if (runtimePid < 0) {
        sendSync(std::string("error fork: ") + std::strerror(errno));
        return 1;
    }
    // The output is read from the start, also while `run --detach` is still setting up, so
    // stdout and stderr keep their order as far as two pipes allow. The runtime exits once the
    // container process runs; the container, re-parented to us, is reaped later. Exit
    // statuses seen before we know the container's pid are kept until we do.
    LogWriter log(path(o, Berth::Shim::LogFile), o.logMaxSize, o.logMaxFiles);
    LineSplitter out(log, "stdout");
    LineSplitter err(log, "stderr");
    int fds[2] = {outPipe[0], errPipe[0]};
    LineSplitter *splitters[2] = {&out, &err};
    bool runtimeDone = false;
    bool startFailed = false;
    pid_t containerPid = 0;
    bool exited = false;
    int status = 0;
    std::vector<std::pair<pid_t, int>> reaped;
    for (;;) {
        pollfd pfd[3];
        int n = 0;
        for (int fd : fds)
            if (fd >= 0)
                pfd[n++] = {fd, POLLIN, 0};
        pfd[n++] = {sigfd, POLLIN, 0};
        const bool finished = exited || startFailed;
        if (finished && n == 1)
            break;
        // Once the container is gone, its pipes close when the last holder exits; a stray
        // process that kept them open must not keep the shim (and the exit status) waiting.
        const int ready = ::poll(pfd, nfds_t(n), finished ? 2000 : -1);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready == 0 && finished)
            break;
        for (int i = 0; i < n; ++i) {
            if (pfd[i].revents == 0)
                continue;
            if (pfd[i].fd == sigfd) {
                signalfd_siginfo info;
                while (::read(sigfd, &info, sizeof info) > 0) {
                }
                int st = 0;
                pid_t pid;
                while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0)
                    reaped.emplace_back(pid, st);
                for (auto it = reaped.begin(); !runtimeDone && it != reaped.end(); ++it) {
                    if (it->first != runtimePid)
                        continue;
                    runtimeDone = true;
                    containerPid =
                        pid_t(std::atol(readSmallFile(path(o, Berth::Shim::PidFile)).c_str()));
                    if (it->second != 0 || containerPid <= 0) {
                        sendSync("error " + o.runtime + " run: " + runtimeError(o));
                        startFailed = true;
                    } else {
                        sendSync("ok " + std::to_string(containerPid) + " " +
                                 std::to_string(::getpid()));
                        proxy.start();
                    }
                }
                if (runtimeDone) {
                    for (const auto &[pid, st] : reaped)
                        if (containerPid > 0 && pid == containerPid) {
                            status = st;
                            exited = true;
                        }
                    reaped.clear(); // other descendants: nothing to record
                }
                continue;
            }
            const int which = pfd[i].fd == fds[0] ? 0 : 1;
            char buf[65536];
            const ssize_t got = ::read(fds[which], buf, sizeof buf);
            if (got > 0) {
                splitters[which]->feed(buf, size_t(got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                ::close(fds[which]);
                fds[which] = -1;
            }
        }
    }
    out.flush();
    err.flush();
    // Before forking again: the proxy's thread must not be running across fork.
    proxy.stop();
    if (startFailed) {
        // Nothing ran: leave no runtime state behind and no exit file (the engine reports the
        // error it got on the sync pipe).
        waitFor(spawnRuntime(o, {"delete", "--force", o.id}, -1, -1, originalMask));
        return 1;
    }

    const bool oom = oomKilled(o);
    waitFor(spawnRuntime(o, {"delete", "--force", o.id}, -1, -1, originalMask));
    ::umount2(path(o, Berth::Shim::RootfsDir).c_str(), MNT_DETACH);
    if (!writeExitFile(o, exitCodeOf(status), oom))
        return 1;
    return 0;
}
