// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/ocispec.h"
#include "engine/runtime/rootless.h"

#include "engine/runtime/seccompprofile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

// Reads a small file inside `rootfs` without letting symlinks escape it.
QByteArray readInRoot(const QString &rootfs, const char *relative) {
    const int root =
        ::open(QFile::encodeName(rootfs).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        return {};
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    // Symlinks resolve as if `rootfs` were "/": an absolute link stays inside the image.
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    const int fd = int(::syscall(SYS_openat2, root, relative, &how, sizeof how));
    ::close(root);
    if (fd < 0)
        return {};
    QByteArray data;
    char buf[8192];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && data.size() < 4 * 1024 * 1024)
        data.append(buf, n);
    ::close(fd);
    return data;
}

struct PasswdEntry {
    QString name;
    uint uid = 0;
    uint gid = 0;
};

QList<QStringList> colonFile(const QByteArray &data) {
    QList<QStringList> out;
    for (const QByteArray &line : data.split('\n')) {
        if (line.trimmed().isEmpty() || line.startsWith('#'))
            continue;
        out.append(QString::fromUtf8(line).split(QLatin1Char(':')));
    }
    return out;
}

bool toUint(const QString &s, uint &out) {
    bool ok = false;
    out = s.toUInt(&ok);
    return ok;
}

const QStringList kAllCapabilities{
    QStringLiteral("CAP_CHOWN"),
    QStringLiteral("CAP_DAC_OVERRIDE"),
    QStringLiteral("CAP_DAC_READ_SEARCH"),
    QStringLiteral("CAP_FOWNER"),
    QStringLiteral("CAP_FSETID"),
    QStringLiteral("CAP_KILL"),
    QStringLiteral("CAP_SETGID"),
    QStringLiteral("CAP_SETUID"),
    QStringLiteral("CAP_SETPCAP"),
    QStringLiteral("CAP_LINUX_IMMUTABLE"),
    QStringLiteral("CAP_NET_BIND_SERVICE"),
    QStringLiteral("CAP_NET_BROADCAST"),
    QStringLiteral("CAP_NET_ADMIN"),
    QStringLiteral("CAP_NET_RAW"),
    QStringLiteral("CAP_IPC_LOCK"),
    QStringLiteral("CAP_IPC_OWNER"),
    QStringLiteral("CAP_SYS_MODULE"),
    QStringLiteral("CAP_SYS_RAWIO"),
    QStringLiteral("CAP_SYS_CHROOT"),
    QStringLiteral("CAP_SYS_PTRACE"),
    QStringLiteral("CAP_SYS_PACCT"),
    QStringLiteral("CAP_SYS_ADMIN"),
    QStringLiteral("CAP_SYS_BOOT"),
    QStringLiteral("CAP_SYS_NICE"),
    QStringLiteral("CAP_SYS_RESOURCE"),
    QStringLiteral("CAP_SYS_TIME"),
    QStringLiteral("CAP_SYS_TTY_CONFIG"),
    QStringLiteral("CAP_MKNOD"),
    QStringLiteral("CAP_LEASE"),
    QStringLiteral("CAP_AUDIT_WRITE"),
    QStringLiteral("CAP_AUDIT_CONTROL"),
    QStringLiteral("CAP_SETFCAP"),
    QStringLiteral("CAP_MAC_OVERRIDE"),
    QStringLiteral("CAP_MAC_ADMIN"),
    QStringLiteral("CAP_SYSLOG"),
    QStringLiteral("CAP_WAKE_ALARM"),
    QStringLiteral("CAP_BLOCK_SUSPEND"),
    QStringLiteral("CAP_AUDIT_READ"),
    QStringLiteral("CAP_PERFMON"),
    QStringLiteral("CAP_BPF"),
    QStringLiteral("CAP_CHECKPOINT_RESTORE"),
};

QJsonObject mount(const QString &destination, const QString &type, const QString &source,
                  const QStringList &options) {
    return QJsonObject{{QStringLiteral("destination"), destination},
                       {QStringLiteral("type"), type},
                       {QStringLiteral("source"), source},
                       {QStringLiteral("options"), QJsonArray::fromStringList(options)}};
}

QJsonObject deviceRule(bool allow, const QString &type, qint64 major, qint64 minor,
                       const QString &access) {
    QJsonObject o{{QStringLiteral("allow"), allow}, {QStringLiteral("access"), access}};
    if (!type.isEmpty())
        o.insert(QStringLiteral("type"), type);
    if (major >= 0)
        o.insert(QStringLiteral("major"), major);
    if (minor >= 0)
        o.insert(QStringLiteral("minor"), minor);
    return o;
}

} // namespace

Result<ResolvedUser> resolveUser(const QString &rootfs, const QString &user) {
    ResolvedUser out;
    if (user.isEmpty())
        return out;
    const QString userPart = user.section(QLatin1Char(':'), 0, 0);
    const QString groupPart =
        user.contains(QLatin1Char(':')) ? user.section(QLatin1Char(':'), 1) : QString();
    const QList<QStringList> passwd = colonFile(readInRoot(rootfs, "etc/passwd"));
    const QList<QStringList> groups = colonFile(readInRoot(rootfs, "etc/group"));
    QString userName;
    uint uid = 0;
    if (toUint(userPart, uid)) {
        out.uid = uid;
        out.gid = 0;
        for (const QStringList &e : passwd)
            if (e.size() >= 4 && e[2] == userPart) {
                userName = e[0];
                toUint(e[3], out.gid);
                break;
            }
    } else {
        bool found = false;
        for (const QStringList &e : passwd)
            if (e.size() >= 4 && e[0] == userPart && toUint(e[2], out.uid) &&
                toUint(e[3], out.gid)) {
                found = true;
                userName = e[0];
                break;
            }
        if (!found)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("unable to find user %1: no matching entries in passwd file")
                            .arg(userPart));
    }
    if (!groupPart.isEmpty()) {
        uint gid = 0;
        if (toUint(groupPart, gid)) {
            out.gid = gid;
        } else {
            bool found = false;
            for (const QStringList &g : groups)
                if (g.size() >= 3 && g[0] == groupPart && toUint(g[2], out.gid)) {
                    found = true;
                    break;
                }
            if (!found)
                return fail(
                    ErrorKind::InvalidArgument,
                    QStringLiteral("unable to find group %1: no matching entries in group file")
                        .arg(groupPart));
        }
    } else if (!userName.isEmpty()) {
        // Supplementary groups the user is listed in, as login(1) would set them.
        for (const QStringList &g : groups) {
            uint gid = 0;
            if (g.size() >= 4 && toUint(g[2], gid) && gid != out.gid &&
                g[3].split(QLatin1Char(','), Qt::SkipEmptyParts).contains(userName))
                out.additionalGids.append(gid);
        }
    }
    return out;
}

QStringList allCapabilities() {
    // kAllCapabilities is in the kernel's bit order: bit N of CapBnd is its entry N.
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return kAllCapabilities;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (!line.startsWith("CapBnd:"))
            continue;
        bool ok = false;
        const quint64 bits = line.mid(7).trimmed().toULongLong(&ok, 16);
        if (!ok)
            break;
        QStringList out;
        for (qsizetype i = 0; i < kAllCapabilities.size() && i < 64; ++i)
            if (bits & (quint64(1) << i))
                out.append(kAllCapabilities[i]);
        return out;
    }
    return kAllCapabilities;
}

QStringList defaultCapabilities() {
    return {QStringLiteral("CAP_CHOWN"),
            QStringLiteral("CAP_DAC_OVERRIDE"),
            QStringLiteral("CAP_FSETID"),
            QStringLiteral("CAP_FOWNER"),
            QStringLiteral("CAP_MKNOD"),
            QStringLiteral("CAP_NET_RAW"),
            QStringLiteral("CAP_SETGID"),
            QStringLiteral("CAP_SETUID"),
            QStringLiteral("CAP_SETFCAP"),
            QStringLiteral("CAP_SETPCAP"),
            QStringLiteral("CAP_NET_BIND_SERVICE"),
            QStringLiteral("CAP_SYS_CHROOT"),
            QStringLiteral("CAP_KILL"),
            QStringLiteral("CAP_AUDIT_WRITE")};
}

Result<QStringList> effectiveCapabilities(const QStringList &add, const QStringList &drop) {
    auto normalise = [](const QStringList &names) -> Result<QStringList> {
        QStringList out;
        for (const QString &n : names) {
            QString cap = n.trimmed().toUpper();
            if (cap == QLatin1String("ALL")) {
                out.append(cap);
                continue;
            }
            if (!cap.startsWith(QLatin1String("CAP_")))
                cap.prepend(QLatin1String("CAP_"));
            if (!kAllCapabilities.contains(cap))
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("unknown capability: \"%1\"").arg(n));
            out.append(cap);
        }
        return out;
    };
    auto adds = normalise(add);
    if (!adds)
        return fail(adds.error());
    auto drops = normalise(drop);
    if (!drops)
        return fail(drops.error());
    QStringList caps =
        drops->contains(QStringLiteral("ALL")) ? QStringList() : defaultCapabilities();
    if (adds->contains(QStringLiteral("ALL")))
        caps = allCapabilities();
    for (const QString &c : std::as_const(*adds))
        if (c != QLatin1String("ALL") && !caps.contains(c))
            caps.append(c);
    // An explicit drop wins over ALL, an explicit add over a dropped ALL (Docker's order).
    for (const QString &c : std::as_const(*drops))
        if (c != QLatin1String("ALL") && !adds->contains(c))
            caps.removeAll(c);
    return caps;
}

Result<QJsonObject> buildOciSpec(const ContainerSpec &spec, const SpecContext &ctx) {
    QStringList args = spec.args();
    if (args.isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("no command specified (the image has no Entrypoint or Cmd)"));
    if (spec.init) {
        if (ctx.initBinary.isEmpty())
            return fail(ErrorKind::Unavailable,
                        QStringLiteral("--init needs catatonit or tini-static installed on the "
                                       "host (or BERTH_INIT pointing at a static init)"));
        args = QStringList{InitPath, QStringLiteral("--")} + args;
    }
    auto caps = spec.privileged ? Result<QStringList>(allCapabilities())
                                : effectiveCapabilities(spec.capAdd, spec.capDrop);
    if (!caps)
        return fail(caps.error());
    QJsonObject seccomp;
    if (!spec.privileged && spec.seccompProfile != QLatin1String("unconfined")) {
        QJsonObject profile = defaultSeccompProfile();
        if (!spec.seccompProfile.isEmpty()) {
            QJsonParseError error{};
            profile = QJsonDocument::fromJson(spec.seccompProfile.toUtf8(), &error).object();
            if (error.error != QJsonParseError::NoError)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("the container's seccomp profile is not valid JSON"));
        }
        auto converted = ociSeccomp(profile, *caps);
        if (!converted)
            return fail(converted.error().withContext(QStringLiteral("seccomp profile")));
        seccomp = *converted;
    }

    QStringList env = spec.env;
    const auto hasKey = [&env](const QString &key) {
        for (const QString &e : std::as_const(env))
            if (e.section(QLatin1Char('='), 0, 0) == key)
                return true;
        return false;
    };
    if (!hasKey(QStringLiteral("PATH")))
        env.prepend(
            QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    const QString hostname = !ctx.hostname.isEmpty()    ? ctx.hostname
                             : !spec.hostname.isEmpty() ? spec.hostname
                                                        : ctx.id.left(12);
    if (!hasKey(QStringLiteral("HOSTNAME")))
        env.append(QStringLiteral("HOSTNAME=") + hostname);
    // As Docker: programs on a terminal need to know what it understands.
    if (spec.tty && !hasKey(QStringLiteral("TERM")))
        env.append(QStringLiteral("TERM=xterm"));

    QJsonArray additionalGids;
    for (uint g : ctx.user.additionalGids)
        additionalGids.append(qint64(g));
    QJsonObject user{{QStringLiteral("uid"), qint64(ctx.user.uid)},
                     {QStringLiteral("gid"), qint64(ctx.user.gid)}};
    if (!additionalGids.isEmpty())
        user.insert(QStringLiteral("additionalGids"), additionalGids);

    const QJsonArray capArray = QJsonArray::fromStringList(*caps);
    // Ask for no more open files than we may grant: raising a hard limit needs
    // CAP_SYS_RESOURCE, which root lacks in some sandboxes, and the runtime would fail.
    rlimit nofile{};
    ::getrlimit(RLIMIT_NOFILE, &nofile);
    const qint64 hardFiles = nofile.rlim_max == RLIM_INFINITY ? 1048576 : qint64(nofile.rlim_max);
    const qint64 files = qMin<qint64>(hardFiles, 1048576);

    QJsonObject process{
        {QStringLiteral("terminal"), spec.tty},
        {QStringLiteral("user"), user},
        {QStringLiteral("args"), QJsonArray::fromStringList(args)},
        {QStringLiteral("env"), QJsonArray::fromStringList(env)},
        {QStringLiteral("cwd"), spec.workingDir.isEmpty() ? QStringLiteral("/") : spec.workingDir},
        {QStringLiteral("capabilities"), QJsonObject{{QStringLiteral("bounding"), capArray},
                                                     {QStringLiteral("effective"), capArray},
                                                     {QStringLiteral("permitted"), capArray}}},
        {QStringLiteral("rlimits"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("RLIMIT_NOFILE")},
                                {QStringLiteral("hard"), files},
                                {QStringLiteral("soft"), files}}}},
        {QStringLiteral("noNewPrivileges"), spec.noNewPrivileges},
    };

    const QString readOnlySystem = spec.privileged ? QStringLiteral("rw") : QStringLiteral("ro");
    QJsonArray mounts{
        mount(QStringLiteral("/proc"), QStringLiteral("proc"), QStringLiteral("proc"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("nodev")}),
        mount(QStringLiteral("/dev"), QStringLiteral("tmpfs"), QStringLiteral("tmpfs"),
              {QStringLiteral("nosuid"), QStringLiteral("strictatime"), QStringLiteral("mode=755"),
               QStringLiteral("size=65536k")}),
        mount(QStringLiteral("/dev/pts"), QStringLiteral("devpts"), QStringLiteral("devpts"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("newinstance"),
               QStringLiteral("ptmxmode=0666"), QStringLiteral("mode=0620"),
               QStringLiteral("gid=5")}),
        mount(QStringLiteral("/sys"), QStringLiteral("sysfs"), QStringLiteral("sysfs"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("nodev"),
               readOnlySystem}),
        mount(QStringLiteral("/sys/fs/cgroup"), QStringLiteral("cgroup"), QStringLiteral("cgroup"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("nodev"),
               QStringLiteral("relatime"), readOnlySystem}),
        mount(QStringLiteral("/dev/mqueue"), QStringLiteral("mqueue"), QStringLiteral("mqueue"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("nodev")}),
        mount(QStringLiteral("/dev/shm"), QStringLiteral("tmpfs"), QStringLiteral("shm"),
              {QStringLiteral("nosuid"), QStringLiteral("noexec"), QStringLiteral("nodev"),
               QStringLiteral("mode=1777"), QStringLiteral("size=67108864")}),
    };
    const QStringList fileBind{QStringLiteral("rbind"), QStringLiteral("rprivate")};
    mounts.append(mount(QStringLiteral("/etc/resolv.conf"), QStringLiteral("bind"),
                        ctx.resolvConfFile, fileBind));
    mounts.append(
        mount(QStringLiteral("/etc/hostname"), QStringLiteral("bind"), ctx.hostnameFile, fileBind));
    mounts.append(
        mount(QStringLiteral("/etc/hosts"), QStringLiteral("bind"), ctx.hostsFile, fileBind));
    if (spec.init)
        mounts.append(mount(InitPath, QStringLiteral("bind"), ctx.initBinary,
                            {QStringLiteral("bind"), QStringLiteral("ro"), QStringLiteral("nosuid"),
                             QStringLiteral("nodev")}));
    // Volumes and bind mounts, parents before children.
    QList<MountSpec> userMounts = ctx.mounts;
    std::stable_sort(userMounts.begin(), userMounts.end(), [](const auto &a, const auto &b) {
        return a.destination.count(QLatin1Char('/')) < b.destination.count(QLatin1Char('/'));
    });
    for (const MountSpec &m : std::as_const(userMounts))
        mounts.append(mount(m.destination, QStringLiteral("bind"), m.source,
                            {QStringLiteral("rbind"), QStringLiteral("rprivate"),
                             m.readOnly ? QStringLiteral("ro") : QStringLiteral("rw")}));

    QJsonArray namespaces;
    for (const char *ns : {"pid", "ipc", "uts", "mount"})
        namespaces.append(QJsonObject{{QStringLiteral("type"), QString::fromLatin1(ns)}});
    if (!ctx.networkNamespacePath.isEmpty())
        namespaces.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("network")},
                                      {QStringLiteral("path"), ctx.networkNamespacePath}});
    else if (!ctx.hostNetwork)
        namespaces.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("network")}});

    // Everything is denied except the usual character devices (Docker's list).
    QJsonArray devices{deviceRule(false, QString(), -1, -1, QStringLiteral("rwm")),
                       deviceRule(true, QStringLiteral("c"), -1, -1, QStringLiteral("m")),
                       deviceRule(true, QStringLiteral("b"), -1, -1, QStringLiteral("m"))};
    const int allowed[][2] = {{1, 3}, {1, 8}, {1, 7}, {5, 0}, {1, 5}, {1, 9}, {5, 1}, {5, 2}};
    for (const auto &d : allowed)
        devices.append(deviceRule(true, QStringLiteral("c"), d[0], d[1], QStringLiteral("rwm")));
    devices.append(deviceRule(true, QStringLiteral("c"), 136, -1, QStringLiteral("rwm")));
    devices.append(deviceRule(true, QStringLiteral("c"), 10, 200, QStringLiteral("rwm")));
    if (spec.privileged)
        devices = QJsonArray{deviceRule(true, QString(), -1, -1, QStringLiteral("rwm"))};

    QJsonObject resources{{QStringLiteral("devices"), devices}};
    if (spec.memory > 0) {
        QJsonObject memory{{QStringLiteral("limit"), spec.memory}};
        // Docker's default without --memory-swap: as much swap as memory (the OCI "swap" is
        // memory plus swap). Without it a host with swap lets the container page out instead
        // of meeting its limit. Only where the kernel accounts swap (v1 memsw files).
        if (QFile::exists(QStringLiteral("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")))
            memory.insert(QStringLiteral("swap"), spec.memory * 2);
        resources.insert(QStringLiteral("memory"), memory);
    }
    if (spec.nanoCpus > 0) {
        const qint64 period = 100000;
        resources.insert(QStringLiteral("cpu"), QJsonObject{{QStringLiteral("period"), period},
                                                            {QStringLiteral("quota"),
                                                             spec.nanoCpus * period / 1000000000}});
    }
    if (spec.pidsLimit > 0)
        resources.insert(QStringLiteral("pids"),
                         QJsonObject{{QStringLiteral("limit"), spec.pidsLimit}});

    QJsonObject linuxSection{
        {QStringLiteral("namespaces"), namespaces},
        {QStringLiteral("cgroupsPath"), ctx.cgroupsPath},
        {QStringLiteral("resources"), resources},
        {QStringLiteral("maskedPaths"),
         QJsonArray{QStringLiteral("/proc/asound"), QStringLiteral("/proc/acpi"),
                    QStringLiteral("/proc/kcore"), QStringLiteral("/proc/keys"),
                    QStringLiteral("/proc/latency_stats"), QStringLiteral("/proc/timer_list"),
                    QStringLiteral("/proc/timer_stats"), QStringLiteral("/proc/sched_debug"),
                    QStringLiteral("/proc/scsi"), QStringLiteral("/sys/firmware"),
                    QStringLiteral("/sys/devices/virtual/powercap")}},
        {QStringLiteral("readonlyPaths"),
         QJsonArray{QStringLiteral("/proc/bus"), QStringLiteral("/proc/fs"),
                    QStringLiteral("/proc/irq"), QStringLiteral("/proc/sys"),
                    QStringLiteral("/proc/sysrq-trigger")}},
    };
    if (spec.privileged) {
        linuxSection.remove(QStringLiteral("maskedPaths"));
        linuxSection.remove(QStringLiteral("readonlyPaths"));
    }
    if (!seccomp.isEmpty())
        linuxSection.insert(QStringLiteral("seccomp"), seccomp);

    QJsonObject out{
        {QStringLiteral("ociVersion"), QStringLiteral("1.0.2")},
        {QStringLiteral("process"), process},
        {QStringLiteral("root"), QJsonObject{{QStringLiteral("path"), QStringLiteral("rootfs")},
                                             {QStringLiteral("readonly"), spec.readOnly}}},
        {QStringLiteral("hostname"), hostname},
        {QStringLiteral("mounts"), mounts},
        {QStringLiteral("linux"), linuxSection},
    };
    if (Rootless::active())
        Rootless::adaptSpec(out, ctx.hostNetwork);
    return out;
}

QByteArray hostsFileContent(const QString &hostname, const QString &address) {
    QByteArray out = address.isEmpty() ? "127.0.0.1\tlocalhost " + hostname.toUtf8() + '\n'
                                       : QByteArray("127.0.0.1\tlocalhost\n");
    out += "::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
           "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
    if (!address.isEmpty())
        out += address.toUtf8() + '\t' + hostname.toUtf8() + '\n';
    return out;
}

QByteArray resolvConfContent(const QByteArray &host) {
    QByteArray out;
    for (const QByteArray &line : host.split('\n')) {
        const QByteArray t = line.trimmed();
        if (t.startsWith("nameserver")) {
            const QByteArray addr = t.mid(10).trimmed();
            if (addr.startsWith("127.") || addr == "::1")
                continue;
        }
        if (!t.isEmpty())
            out += t + '\n';
    }
    return out;
}

} // namespace Berth::Engine
