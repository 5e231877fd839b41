// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/usernamespace.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace Berth::Engine::UserNamespace {

namespace {

std::string g_problem;
int g_inside = -1; // insideUserNamespace(), once known
pid_t g_keeper = 0;

std::string readSmall(const std::string &path) {
    std::string out;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < (1 << 16))
        out.append(buf, size_t(n));
    ::close(fd);
    return out;
}

bool writeAll(int fd, const void *data, size_t size) {
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= size_t(n);
    }
    return true;
}

bool readExact(int fd, void *data, size_t size) {
    char *p = static_cast<char *>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= size_t(n);
    }
    return true;
}

std::string userName(uid_t uid) {
    if (const passwd *pw = ::getpwuid(uid))
        return pw->pw_name;
    return std::to_string(uid);
}

// Field 22 of /proc/PID/stat (after the command name, which may hold spaces and parentheses);
// empty for a process that is gone or a zombie (killed, not yet reaped: its namespaces are
// gone).
std::string startTime(pid_t pid) {
    const std::string stat = readSmall("/proc/" + std::to_string(pid) + "/stat");
    const size_t close = stat.rfind(')');
    if (close == std::string::npos || close + 2 >= stat.size() || stat[close + 2] == 'Z' ||
        stat[close + 2] == 'X')
        return {};
    size_t pos = close + 2; // field 3
    for (int field = 3; field < 22 && pos != std::string::npos; ++field)
        pos = stat.find(' ', pos) + 1;
    if (pos == 0 || pos >= stat.size())
        return {};
    return stat.substr(pos, stat.find(' ', pos) - pos);
}

// The user's id on the host: inside the namespace, the one mapped to 0.
unsigned long hostUid() {
    unsigned long inside = 1, outside = 0, count = 0;
    const std::string map = readSmall("/proc/self/uid_map");
    if (std::sscanf(map.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
        count != 4294967295UL)
        return outside;
    return ::getuid();
}

std::string keeperDir() {
    const char *runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime && *runtime)
        return std::string(runtime) + "/berth";
    return "/tmp/berth-" + std::to_string(hostUid());
}

// The keeper dir exists, is a directory (not a link) and belongs to this user.
bool prepareKeeperDir(const std::string &dir) {
    const std::string parent = dir.substr(0, dir.rfind('/'));
    ::mkdir(parent.c_str(), 0700);
    ::mkdir(dir.c_str(), 0700);
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::getuid()) {
        g_problem = "rootless: " + dir + " is not a directory of this user";
        return false;
    }
    return true;
}

// The recorded keeper, when it is still the same process and one of ours.
pid_t recordedKeeper(const std::string &file) {
    const std::string text = readSmall(file);
    const size_t space = text.find(' ');
    if (space == std::string::npos)
        return 0;
    const long pid = std::strtol(text.c_str(), nullptr, 10);
    std::string start = text.substr(space + 1);
    while (!start.empty() && (start.back() == '\n' || start.back() == ' '))
        start.pop_back();
    if (pid <= 0 || pid > INT_MAX || startTime(pid_t(pid)) != start)
        return 0;
    struct stat st;
    if (::stat(("/proc/" + std::to_string(pid)).c_str(), &st) != 0 || st.st_uid != ::getuid())
        return 0;
    return pid_t(pid);
}

// Runs newuidmap/newgidmap; empty on success, else its complaint.
std::string runIdMap(const char *program, pid_t pid, uid_t id, const IdRange &range) {
    const std::string pidText = std::to_string(pid);
    const std::string idText = std::to_string(id);
    const std::string startText = std::to_string(range.start);
    const std::string countText = std::to_string(range.count);
    const char *argv[] = {program,           pidText.c_str(),   "0",    idText.c_str(), "1", "1",
                          startText.c_str(), countText.c_str(), nullptr};
    int err[2];
    if (::pipe2(err, O_CLOEXEC) != 0)
        return std::strerror(errno);
    const pid_t child = ::fork();
    if (child == 0) {
        ::dup2(err[1], STDERR_FILENO);
        ::execvp(program, const_cast<char *const *>(argv));
        std::fprintf(stderr, "%s is not installed (sudo apt-get install uidmap)", program);
        ::_exit(127);
    }
    ::close(err[1]);
    std::string message;
    char buf[512];
    ssize_t n;
    while ((n = ::read(err[0], buf, sizeof buf)) > 0 && message.size() < 4096)
        message.append(buf, size_t(n));
    ::close(err[0]);
    int status = 0;
    while (child > 0 && ::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (child > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return {};
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return message.empty() ? std::string(program) + " failed" : message;
}

// The keeper's own life: a user namespace, then (once mapped) a mount namespace owned by it,
// receiving the host's later mounts (slave) and never sending its own back; then it sleeps.
[[noreturn]] void keeperMain(int toParent, int fromParent) {
    char ok = 'u';
    if (::unshare(CLONE_NEWUSER) != 0)
        ::_exit(1);
    const pid_t self = ::getpid();
    if (!writeAll(toParent, &self, sizeof self) || !readExact(fromParent, &ok, 1) || ok != 'm')
        ::_exit(1);
    if (::unshare(CLONE_NEWNS) != 0 ||
        ::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
        ::_exit(1);
    ok = 'r';
    writeAll(toParent, &ok, 1);
    const int devnull = ::open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd)
        ::dup2(devnull, fd);
    ::close_range(3, ~0U, 0);
    ::chdir("/");
    ::prctl(PR_SET_NAME, "berth-keeper", 0, 0, 0);
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGTERM);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (;;)
        ::pause();
}

// Creates a keeper (detached) and maps its ids; its pid, or 0 with g_problem set.
pid_t createKeeper(const IdRange &uids, const IdRange &gids) {
    int up[2], down[2];
    if (::pipe2(up, O_CLOEXEC) != 0 || ::pipe2(down, O_CLOEXEC) != 0) {
        g_problem = std::string("rootless: pipe: ") + std::strerror(errno);
        return 0;
    }
    int ends[2] = {up[1], down[0]};
    const pid_t spawned = forkDetached(
        [](void *fds) { keeperMain(static_cast<int *>(fds)[0], static_cast<int *>(fds)[1]); },
        ends);
    ::close(up[1]);
    ::close(down[0]);
    pid_t keeper = 0;
    char ready = 0;
    std::string error;
    if (spawned < 0 || !readExact(up[0], &keeper, sizeof keeper))
        error = "the namespace keeper could not create a user namespace (are unprivileged user "
                "namespaces disabled? sudo sysctl -w kernel.unprivileged_userns_clone=1)";
    if (error.empty())
        error = runIdMap("newuidmap", keeper, ::getuid(), uids);
    if (error.empty())
        error = runIdMap("newgidmap", keeper, ::getgid(), gids);
    const char mapped = 'm';
    if (error.empty() &&
        (!writeAll(down[1], &mapped, 1) || !readExact(up[0], &ready, 1) || ready != 'r'))
        error = "the namespace keeper could not create its mount namespace";
    ::close(up[0]);
    ::close(down[1]); // a keeper still waiting for 'm' reads EOF and exits
    if (!error.empty()) {
        if (keeper > 0)
            ::kill(keeper, SIGKILL);
        g_problem = "rootless: " + error;
        return 0;
    }
    return keeper;
}

bool join(pid_t keeper) {
    const std::string base = "/proc/" + std::to_string(keeper) + "/ns/";
    const int user = ::open((base + "user").c_str(), O_RDONLY | O_CLOEXEC);
    const int mnt = ::open((base + "mnt").c_str(), O_RDONLY | O_CLOEXEC);
    std::vector<char> cwd(PATH_MAX + 1);
    const bool haveCwd = ::getcwd(cwd.data(), cwd.size()) != nullptr;
    bool joined = user >= 0 && mnt >= 0 && ::setns(user, CLONE_NEWUSER) == 0 &&
                  ::setns(mnt, CLONE_NEWNS) == 0;
    if (!joined)
        g_problem = std::string("rootless: cannot join the namespace keeper (pid ") +
                    std::to_string(keeper) + "): " + std::strerror(errno);
    if (user >= 0)
        ::close(user);
    if (mnt >= 0)
        ::close(mnt);
    if (joined && (!haveCwd || ::chdir(cwd.data()) != 0))
        (void)!::chdir("/");
    return joined;
}

unsigned long highestMapped(const char *file) {
    const std::string map = readSmall(file);
    unsigned long highest = 0;
    size_t pos = 0;
    while (pos < map.size()) {
        unsigned long inside = 0, outside = 0, count = 0;
        if (std::sscanf(map.c_str() + pos, "%lu %lu %lu", &inside, &outside, &count) == 3 &&
            count > 0 && inside + count - 1 > highest)
            highest = inside + count - 1;
        const size_t nl = map.find('\n', pos);
        pos = nl == std::string::npos ? map.size() : nl + 1;
    }
    return highest;
}

} // namespace

IdRange subordinateRange(const char *file, const std::string &user, uid_t uid) noexcept {
    const std::string text = readSmall(file);
    const std::string number = std::to_string(uid);
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        const size_t a = line.find(':');
        const size_t b = a == std::string::npos ? a : line.find(':', a + 1);
        if (b == std::string::npos)
            continue;
        const std::string name = line.substr(0, a);
        if (name != user && name != number)
            continue;
        IdRange r;
        r.start = std::strtoul(line.c_str() + a + 1, nullptr, 10);
        r.count = std::strtoul(line.c_str() + b + 1, nullptr, 10);
        if (r.count > 0)
            return r;
    }
    return {};
}

bool insideUserNamespace() noexcept {
    if (g_inside < 0) {
        // The host's namespace maps every id to itself: "0 0 4294967295".
        unsigned long inside = 1, outside = 1, count = 0;
        const std::string map = readSmall("/proc/self/uid_map");
        g_inside = !(std::sscanf(map.c_str(), "%lu %lu %lu", &inside, &outside, &count) == 3 &&
                     inside == 0 && outside == 0 && count == 4294967295UL);
    }
    return g_inside == 1;
}

Mode mode() noexcept {
    if (insideUserNamespace())
        return Mode::Rootless;
    return ::geteuid() == 0 ? Mode::HostRoot : Mode::Unavailable;
}

const std::string &problem() noexcept {
    static const std::string none;
    if (mode() != Mode::Unavailable)
        return none;
    if (g_problem.empty())
        g_problem = "rootless: this program did not enter the user's namespace keeper";
    return g_problem;
}

void enterAtStartup() noexcept {
    if (::geteuid() == 0 || insideUserNamespace())
        return;
    const uid_t uid = ::getuid();
    const std::string user = userName(uid);
    const IdRange uids = subordinateRange("/etc/subuid", user, uid);
    const IdRange gids = subordinateRange("/etc/subgid", user, ::getgid());
    if (uids.count == 0 || gids.count == 0) {
        g_problem = "rootless: " + user +
                    " has no subordinate id range in /etc/subuid and /etc/subgid; add one "
                    "with: sudo usermod --add-subuids 100000-165535 --add-subgids "
                    "100000-165535 " +
                    user;
        return;
    }
    const std::string dir = keeperDir();
    if (!prepareKeeperDir(dir))
        return;
    const int lock = ::open((dir + "/keeper.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
        g_problem = "rootless: cannot lock " + dir + "/keeper.lock: " + std::strerror(errno);
        if (lock >= 0)
            ::close(lock);
        return;
    }
    const std::string record = dir + "/keeper";
    pid_t keeper = recordedKeeper(record);
    if (keeper == 0 && (keeper = createKeeper(uids, gids)) > 0) {
        const std::string text = std::to_string(keeper) + " " + startTime(keeper) + "\n";
        const std::string tmp = record + ".tmp";
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || !writeAll(fd, text.data(), text.size()) || ::close(fd) != 0 ||
            ::rename(tmp.c_str(), record.c_str()) != 0) {
            g_problem = "rootless: cannot write " + record + ": " + std::strerror(errno);
            ::kill(keeper, SIGKILL);
            keeper = 0;
        }
    }
    ::close(lock);
    if (keeper > 0 && join(keeper)) {
        g_inside = 1;
        g_keeper = keeper;
    }
}

std::string uidMapText() noexcept {
    if (!insideUserNamespace())
        return {};
    std::string map = readSmall("/proc/self/uid_map");
    std::string out;
    size_t pos = 0;
    while (pos < map.size()) {
        unsigned long inside = 0, outside = 0, count = 0;
        if (std::sscanf(map.c_str() + pos, "%lu %lu %lu", &inside, &outside, &count) == 3)
            out += (out.empty() ? "" : "; ") + std::to_string(inside) + " " +
                   std::to_string(outside) + " " + std::to_string(count);
        const size_t nl = map.find('\n', pos);
        pos = nl == std::string::npos ? map.size() : nl + 1;
    }
    return out;
}

unsigned long highestMappedUid() noexcept {
    return insideUserNamespace() ? highestMapped("/proc/self/uid_map") : 0;
}

unsigned long highestMappedGid() noexcept {
    return insideUserNamespace() ? highestMapped("/proc/self/gid_map") : 0;
}

pid_t forkDetached(void (*child)(void *), void *argument) noexcept {
    int pidPipe[2];
    if (::pipe2(pidPipe, O_CLOEXEC) != 0)
        return -1;
    const pid_t middle = ::fork();
    if (middle == 0) {
        ::setsid();
        const pid_t grandchild = ::fork();
        if (grandchild == 0)
            child(argument);
        (void)!::write(pidPipe[1], &grandchild, sizeof grandchild);
        ::_exit(0);
    }
    ::close(pidPipe[1]);
    int status = 0;
    while (middle > 0 && ::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }
    pid_t pid = -1;
    if (middle < 0 || !readExact(pidPipe[0], &pid, sizeof pid) || pid <= 0)
        pid = -1;
    ::close(pidPipe[0]);
    return pid;
}

std::string runtimeDirectory() noexcept {
    return keeperDir();
}

std::string processStartTime(pid_t pid) noexcept {
    return startTime(pid);
}

pid_t keeperPid() noexcept {
    if (g_keeper == 0 && insideUserNamespace())
        g_keeper = recordedKeeper(keeperDir() + "/keeper");
    return g_keeper;
}

} // namespace Berth::Engine::UserNamespace
