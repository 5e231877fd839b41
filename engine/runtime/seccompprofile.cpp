// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/seccompprofile.h"

#include "engine/core/fileutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <sys/utsname.h>
#include <vector>

namespace Berth::Engine {

namespace {

// Groups of system calls by what they are for; the default profile allows the ordinary ones
// unconditionally. 32-bit and time64 variants are listed for the compat architectures;
// names the host's libseccomp does not know are skipped by the runtime.
const char *const kFiles[] = {
    "read", "write", "open", "openat", "openat2", "close", "close_range", "creat", "lseek",
    "_llseek", "pread64", "pwrite64", "readv", "writev", "preadv", "preadv2", "pwritev", "pwritev2",
    "sendfile", "sendfile64", "splice", "tee", "vmsplice", "copy_file_range", "dup", "dup2", "dup3",
    "pipe", "pipe2", "fcntl", "fcntl64", "flock", "fsync", "fdatasync", "sync", "syncfs",
    "sync_file_range", "sync_file_range2", "arm_sync_file_range", "truncate", "truncate64",
    "ftruncate", "ftruncate64", "fallocate", "fadvise64", "fadvise64_64", "arm_fadvise64_64",
    "readahead", "ioctl",
    // metadata and directories
    "stat", "stat64", "fstat", "fstat64", "lstat", "lstat64", "newfstatat", "fstatat64", "statx",
    "statfs", "statfs64", "fstatfs", "fstatfs64", "access", "faccessat", "faccessat2", "getdents",
    "getdents64", "readlink", "readlinkat", "getcwd", "chdir", "fchdir", "rename", "renameat",
    "renameat2", "mkdir", "mkdirat", "rmdir", "link", "linkat", "unlink", "unlinkat", "symlink",
    "symlinkat", "chmod", "fchmod", "fchmodat", "chown", "chown32", "fchown", "fchown32", "lchown",
    "lchown32", "fchownat", "umask", "utime", "utimes", "utimensat", "utimensat_time64",
    "futimesat", "mknod", "mknodat", "setxattr", "lsetxattr", "fsetxattr", "getxattr", "lgetxattr",
    "fgetxattr", "listxattr", "llistxattr", "flistxattr", "removexattr", "lremovexattr",
    "fremovexattr", "name_to_handle_at",
    // waiting for things
    "poll", "ppoll", "ppoll_time64", "select", "_newselect", "pselect6", "pselect6_time64",
    "epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_wait", "epoll_wait_old",
    "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2", "inotify_init", "inotify_init1",
    "inotify_add_watch", "inotify_rm_watch", "io_setup", "io_destroy", "io_getevents",
    "io_pgetevents", "io_pgetevents_time64", "io_submit", "io_cancel"};

const char *const kMemory[] = {
    "mmap",          "mmap2",         "munmap",           "mprotect",
    "mremap",        "msync",         "mincore",          "madvise",
    "brk",           "mlock",         "mlock2",           "munlock",
    "mlockall",      "munlockall",    "remap_file_pages", "memfd_create",
    "membarrier",    "pkey_mprotect", "pkey_alloc",       "pkey_free",
    "get_mempolicy", "cacheflush",    "set_thread_area",  "get_thread_area",
    "set_tls",       "arch_prctl",    "breakpoint"};

const char *const kProcesses[] = {
    "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4", "waitid", "waitpid",
    "kill", "tkill", "tgkill", "getpid", "gettid", "getppid", "getpgid", "getpgrp", "setpgid",
    "setsid", "getsid", "pidfd_open", "pidfd_send_signal", "pidfd_getfd", "set_tid_address",
    "set_robust_list", "get_robust_list", "rseq", "prctl", "seccomp", "uname", "olduname",
    "sysinfo", "getrandom", "getcpu", "prlimit64", "getrlimit", "ugetrlimit", "setrlimit",
    "getrusage", "times", "getpriority", "setpriority", "ioprio_get", "ioprio_set",
    "sched_setparam", "sched_getparam", "sched_setscheduler", "sched_getscheduler",
    "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_getaffinity", "sched_setattr",
    "sched_getattr", "sched_yield", "capget", "capset", "restart_syscall", "ptrace", "sethostname",
    "setdomainname", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
    // identities (the user namespace-less container may switch among its own users)
    "getuid", "getuid32", "getgid", "getgid32", "geteuid", "geteuid32", "getegid", "getegid32",
    "setuid", "setuid32", "setgid", "setgid32", "setreuid", "setreuid32", "setregid", "setregid32",
    "setresuid", "setresuid32", "getresuid", "getresuid32", "setresgid", "setresgid32", "getresgid",
    "getresgid32", "getgroups", "getgroups32", "setgroups", "setgroups32", "setfsuid", "setfsuid32",
    "setfsgid", "setfsgid32",
    // signals and time
    "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigsuspend",
    "sigaltstack", "sigaction", "sigprocmask", "sigreturn", "sigpending", "sigsuspend", "signal",
    "signalfd", "signalfd4", "pause", "alarm", "nanosleep", "clock_nanosleep",
    "clock_nanosleep_time64", "clock_gettime", "clock_gettime64", "clock_getres",
    "clock_getres_time64", "gettimeofday", "time", "getitimer", "setitimer", "timer_create",
    "timer_settime", "timer_settime64", "timer_gettime", "timer_gettime64", "timer_getoverrun",
    "timer_delete", "timerfd_create", "timerfd_settime", "timerfd_settime64", "timerfd_gettime",
    "timerfd_gettime64", "futex", "futex_time64", "futex_waitv"};

const char *const kCommunication[] = {
    "socket", "socketpair", "bind", "listen", "accept", "accept4", "connect", "getsockname",
    "getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
    "recvmmsg_time64", "shutdown", "setsockopt", "getsockopt", "socketcall", "send", "recv",
    // System V and POSIX IPC (namespaced)
    "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semtimedop_time64",
    "semctl", "msgget", "msgsnd", "msgrcv", "msgctl", "ipc", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedsend_time64", "mq_timedreceive", "mq_timedreceive_time64", "mq_notify",
    "mq_getsetattr"};

// Calls a capability governs: allowed only when the container holds that capability.
struct Gated {
    const char *capability;
    std::vector<const char *> names;
};

QList<Gated> gatedCalls() {
    return {
        {"CAP_SYS_ADMIN",
         {"unshare",    "setns",           "mount",         "umount",        "umount2",
          "pivot_root", "fsopen",          "fsconfig",      "fsmount",       "fspick",
          "open_tree",  "move_mount",      "mount_setattr", "quotactl",      "quotactl_fd",
          "bpf",        "perf_event_open", "fanotify_init", "fanotify_mark", "lookup_dcookie",
          "clone",      "clone3",          "syslog"}},
        {"CAP_BPF", {"bpf"}},
        {"CAP_PERFMON", {"perf_event_open"}},
        {"CAP_SYSLOG", {"syslog"}},
        {"CAP_SYS_BOOT", {"reboot"}},
        {"CAP_SYS_MODULE", {"init_module", "finit_module", "delete_module"}},
        {"CAP_SYS_RAWIO", {"iopl", "ioperm"}},
        {"CAP_SYS_TIME",
         {"settimeofday", "stime", "clock_settime", "clock_settime64", "adjtimex", "clock_adjtime",
          "clock_adjtime64"}},
        {"CAP_SYS_PACCT", {"acct"}},
        {"CAP_SYS_TTY_CONFIG", {"vhangup"}},
        {"CAP_SYS_NICE",
         {"mbind", "set_mempolicy", "set_mempolicy_home_node", "migrate_pages", "move_pages"}},
        {"CAP_SYS_PTRACE", {"kcmp", "process_vm_readv", "process_vm_writev", "process_madvise"}},
        {"CAP_DAC_READ_SEARCH", {"open_by_handle_at"}},
        {"CAP_SYS_CHROOT", {"chroot"}},
    };
}

QJsonArray names(std::initializer_list<const char *const *> groups,
                 std::initializer_list<size_t> sizes) {
    QJsonArray out;
    auto size = sizes.begin();
    for (const char *const *group : groups) {
        for (size_t i = 0; i < *size; ++i)
            out.append(QString::fromLatin1(group[i]));
        ++size;
    }
    return out;
}

QJsonObject rule(const QJsonArray &syscalls, const QString &action) {
    return QJsonObject{{QStringLiteral("names"), syscalls}, {QStringLiteral("action"), action}};
}

// The host's architecture as libseccomp names it.
QString hostArchitecture() {
    utsname u{};
    ::uname(&u);
    const QByteArray machine(u.machine);
    if (machine == "x86_64")
        return QStringLiteral("SCMP_ARCH_X86_64");
    if (machine == "aarch64")
        return QStringLiteral("SCMP_ARCH_AARCH64");
    if (machine.startsWith("arm"))
        return QStringLiteral("SCMP_ARCH_ARM");
    if (machine == "i686" || machine == "i386")
        return QStringLiteral("SCMP_ARCH_X86");
    if (machine == "ppc64le")
        return QStringLiteral("SCMP_ARCH_PPC64LE");
    if (machine == "s390x")
        return QStringLiteral("SCMP_ARCH_S390X");
    if (machine == "riscv64")
        return QStringLiteral("SCMP_ARCH_RISCV64");
    return QString();
}

QStringList stringList(const QJsonValue &v) {
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out.append(e.toString());
    return out;
}

// The kernel release as a comparable number (major * 1000 + minor).
int kernelVersion(const QString &text) {
    const QStringList parts = text.split(QLatin1Char('.'));
    return parts.value(0).toInt() * 1000 + parts.value(1).toInt();
}

bool conditionsMet(const QJsonObject &condition, bool include, const QSet<QString> &caps,
                   const QString &arch) {
    const QStringList needCaps = stringList(condition.value(QStringLiteral("caps")));
    const QStringList arches = stringList(condition.value(QStringLiteral("arches")));
    if (include) {
        for (const QString &c : needCaps)
            if (!caps.contains(c))
                return false;
        if (!arches.isEmpty() && !arches.contains(arch))
            return false;
        const QString minKernel = condition.value(QStringLiteral("minKernel")).toString();
        if (!minKernel.isEmpty()) {
            utsname u{};
            ::uname(&u);
            if (kernelVersion(QString::fromLatin1(u.release)) < kernelVersion(minKernel))
                return false;
        }
        return true;
    }
    // Excluded when the container has any of the capabilities or runs on any of the arches.
    for (const QString &c : needCaps)
        if (caps.contains(c))
            return false;
    return !arches.contains(arch);
}

} // namespace

QJsonObject defaultSeccompProfile() {
    QJsonArray syscalls;
    syscalls.append(rule(names({kFiles, kMemory, kProcesses, kCommunication},
                               {std::size(kFiles), std::size(kMemory), std::size(kProcesses),
                                std::size(kCommunication)}),
                         QStringLiteral("SCMP_ACT_ALLOW")));
    // clone for threads and processes, but no new namespaces without CAP_SYS_ADMIN.
    constexpr qint64 kNewNamespaces = 0x00020000 /* NEWNS */ | 0x02000000 /* NEWCGROUP */ |
                                      0x04000000 /* NEWUTS */ | 0x08000000 /* NEWIPC */ |
                                      0x10000000 /* NEWUSER */ | 0x20000000 /* NEWPID */ |
                                      0x40000000 /* NEWNET */;
    QJsonObject clone = rule(QJsonArray{QStringLiteral("clone")}, QStringLiteral("SCMP_ACT_ALLOW"));
    clone.insert(
        QStringLiteral("args"),
        QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                               {QStringLiteral("value"), kNewNamespaces},
                               {QStringLiteral("valueTwo"), 0},
                               {QStringLiteral("op"), QStringLiteral("SCMP_CMP_MASKED_EQ")}}});
    clone.insert(
        QStringLiteral("excludes"),
        QJsonObject{{QStringLiteral("caps"), QJsonArray{QStringLiteral("CAP_SYS_ADMIN")}},
                    // s390 passes the flags in the second argument.
                    {QStringLiteral("arches"), QJsonArray{QStringLiteral("SCMP_ARCH_S390"),
                                                          QStringLiteral("SCMP_ARCH_S390X")}}});
    syscalls.append(clone);
    QJsonObject clone3 =
        rule(QJsonArray{QStringLiteral("clone3")}, QStringLiteral("SCMP_ACT_ERRNO"));
    clone3.insert(QStringLiteral("errnoRet"), 38); // ENOSYS: libc falls back to clone
    clone3.insert(
        QStringLiteral("excludes"),
        QJsonObject{{QStringLiteral("caps"), QJsonArray{QStringLiteral("CAP_SYS_ADMIN")}}});
    syscalls.append(clone3);
    // personality: only the Linux personalities (and asking which one is set).
    for (const qint64 persona : {qint64(0x0), qint64(0x0008), qint64(0xffffffff)}) {
        QJsonObject p =
            rule(QJsonArray{QStringLiteral("personality")}, QStringLiteral("SCMP_ACT_ALLOW"));
        p.insert(QStringLiteral("args"),
                 QJsonArray{QJsonObject{{QStringLiteral("index"), 0},
                                        {QStringLiteral("value"), persona},
                                        {QStringLiteral("op"), QStringLiteral("SCMP_CMP_EQ")}}});
        syscalls.append(p);
    }
    for (const Gated &g : gatedCalls()) {
        QJsonArray gatedNames;
        for (const char *name : g.names)
            gatedNames.append(QString::fromLatin1(name));
        QJsonObject r = rule(gatedNames, QStringLiteral("SCMP_ACT_ALLOW"));
        r.insert(
            QStringLiteral("includes"),
            QJsonObject{{QStringLiteral("caps"), QJsonArray{QString::fromLatin1(g.capability)}}});
        syscalls.append(r);
    }
    const QJsonArray archMap{
        QJsonObject{{QStringLiteral("architecture"), QStringLiteral("SCMP_ARCH_X86_64")},
                    {QStringLiteral("subArchitectures"),
                     QJsonArray{QStringLiteral("SCMP_ARCH_X86"), QStringLiteral("SCMP_ARCH_X32")}}},
        QJsonObject{
            {QStringLiteral("architecture"), QStringLiteral("SCMP_ARCH_AARCH64")},
            {QStringLiteral("subArchitectures"), QJsonArray{QStringLiteral("SCMP_ARCH_ARM")}}},
        QJsonObject{{QStringLiteral("architecture"), QStringLiteral("SCMP_ARCH_PPC64LE")},
                    {QStringLiteral("subArchitectures"), QJsonArray()}},
        QJsonObject{
            {QStringLiteral("architecture"), QStringLiteral("SCMP_ARCH_S390X")},
            {QStringLiteral("subArchitectures"), QJsonArray{QStringLiteral("SCMP_ARCH_S390")}}},
        QJsonObject{{QStringLiteral("architecture"), QStringLiteral("SCMP_ARCH_RISCV64")},
                    {QStringLiteral("subArchitectures"), QJsonArray()}},
    };
    return QJsonObject{{QStringLiteral("defaultAction"), QStringLiteral("SCMP_ACT_ERRNO")},
                       {QStringLiteral("defaultErrnoRet"), 1}, // EPERM
                       {QStringLiteral("archMap"), archMap},
                       {QStringLiteral("syscalls"), syscalls}};
}

Result<QString> loadSeccompProfile(const QString &path) {
    auto data = readFileLimited(path, 8 * 1024 * 1024);
    if (!data)
        return fail(data.error().withContext(QStringLiteral("seccomp profile %1").arg(path)));
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(*data, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("seccomp profile %1: not a JSON object: %2")
                        .arg(path, error.errorString()));
    if (auto converted = ociSeccomp(doc.object(), {}); !converted)
        return fail(converted.error().withContext(QStringLiteral("seccomp profile %1").arg(path)));
    return QString::fromUtf8(doc.toJson(QJsonDocument::Compact));
}

Result<QJsonObject> ociSeccomp(const QJsonObject &profile, const QStringList &capabilities) {
    const QString defaultAction = profile.value(QStringLiteral("defaultAction")).toString();
    if (!defaultAction.startsWith(QLatin1String("SCMP_ACT_")))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("missing or invalid \"defaultAction\" (SCMP_ACT_...)"));
    const QString arch = hostArchitecture();
    const QSet<QString> caps(capabilities.cbegin(), capabilities.cend());
    QJsonObject out{{QStringLiteral("defaultAction"), defaultAction}};
    if (profile.contains(QStringLiteral("defaultErrnoRet")))
        out.insert(QStringLiteral("defaultErrnoRet"),
                   profile.value(QStringLiteral("defaultErrnoRet")));
    QStringList architectures = stringList(profile.value(QStringLiteral("architectures")));
    for (const QJsonValue &entry : profile.value(QStringLiteral("archMap")).toArray()) {
        const QJsonObject e = entry.toObject();
        if (e.value(QStringLiteral("architecture")).toString() == arch) {
            architectures.append(arch);
            architectures += stringList(e.value(QStringLiteral("subArchitectures")));
        }
    }
    if (!architectures.isEmpty())
        out.insert(QStringLiteral("architectures"), QJsonArray::fromStringList(architectures));
    QJsonArray syscalls;
    for (const QJsonValue &value : profile.value(QStringLiteral("syscalls")).toArray()) {
        const QJsonObject r = value.toObject();
        QStringList callNames = stringList(r.value(QStringLiteral("names")));
        if (const QString single = r.value(QStringLiteral("name")).toString(); !single.isEmpty())
            callNames.append(single);
        const QString action = r.value(QStringLiteral("action")).toString();
        if (callNames.isEmpty() || !action.startsWith(QLatin1String("SCMP_ACT_")))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("a syscalls entry needs \"names\" and an \"action\""));
        if (!conditionsMet(r.value(QStringLiteral("includes")).toObject(), true, caps, arch) ||
            !conditionsMet(r.value(QStringLiteral("excludes")).toObject(), false, caps, arch))
            continue;
        QJsonObject converted{{QStringLiteral("names"), QJsonArray::fromStringList(callNames)},
                              {QStringLiteral("action"), action}};
        for (const char *key : {"args", "errnoRet"})
            if (r.contains(QLatin1String(key)))
                converted.insert(QLatin1String(key), r.value(QLatin1String(key)));
        syscalls.append(converted);
    }
    out.insert(QStringLiteral("syscalls"), syscalls);
    return out;
}

} // namespace Berth::Engine
