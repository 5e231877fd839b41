// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/rootless.h"

#include "engine/core/usernamespace.h"
#include "engine/runtime/containerstore.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QStandardPaths>
#include <sys/stat.h>

namespace Berth::Engine::Rootless {

namespace {

const QString kNoDelegation = QStringLiteral(
    "running rootless on a host without a cgroup delegated to the user: a container gets no "
    "cgroup of its own, so it cannot be limited (a pure cgroup v2 host with systemd delegates "
    "one to each user session)");

} // namespace

bool active() {
    return UserNamespace::insideUserNamespace();
}

Status checkSpec(const ContainerSpec &spec) {
    if (!active())
        return {};
    const char *option = spec.memory > 0      ? "--memory"
                         : spec.nanoCpus > 0  ? "--cpus"
                         : spec.pidsLimit > 0 ? "--pids-limit"
                                              : nullptr;
    if (!option)
        return {};
    return fail(
        ErrorKind::InvalidArgument,
        QStringLiteral("%1 is not available: %2").arg(QLatin1String(option), kNoDelegation));
}

void adaptSpec(QJsonObject &spec, bool hostNetwork) {
    QJsonObject linuxSection = spec.value(QStringLiteral("linux")).toObject();
    linuxSection.remove(QStringLiteral("cgroupsPath"));
    linuxSection.remove(QStringLiteral("resources"));
    spec.insert(QStringLiteral("linux"), linuxSection);
    if (!hostNetwork)
        return;
    QJsonArray mounts = spec.value(QStringLiteral("mounts")).toArray();
    for (qsizetype i = 0; i < mounts.size(); ++i) {
        QJsonObject m = mounts.at(i).toObject();
        if (m.value(QStringLiteral("type")).toString() != QLatin1String("sysfs"))
            continue;
        m.insert(QStringLiteral("type"), QStringLiteral("bind"));
        m.insert(QStringLiteral("source"), QStringLiteral("/sys"));
        m.insert(QStringLiteral("options"),
                 QJsonArray{QStringLiteral("rbind"), QStringLiteral("nosuid"),
                            QStringLiteral("noexec"), QStringLiteral("nodev"),
                            QStringLiteral("ro")});
        mounts.replace(i, m);
    }
    spec.insert(QStringLiteral("mounts"), mounts);
}

QList<HostGap> hostGaps() {
    QList<HostGap> gaps;
    if (UserNamespace::hostRoot())
        return gaps;
    if (UserNamespace::mode() == UserNamespace::Mode::Unavailable)
        gaps.append({QString::fromStdString(UserNamespace::problem()), QString()});
    struct stat st;
    if (::stat("/dev/net/tun", &st) != 0 || (st.st_mode & 0006) != 0006)
        gaps.append({QStringLiteral("/dev/net/tun is not open to users, so slirp4netns cannot "
                                    "give containers a network (desktop Debian has it 0666)"),
                     QStringLiteral("sudo chmod 0666 /dev/net/tun")});
    if (QStandardPaths::findExecutable(QStringLiteral("slirp4netns")).isEmpty())
        gaps.append({QStringLiteral("slirp4netns is not installed: containers get no network"),
                     QStringLiteral("sudo apt-get install slirp4netns")});
    if (QStandardPaths::findExecutable(QStringLiteral("newuidmap")).isEmpty())
        gaps.append({QStringLiteral("newuidmap and newgidmap are not installed"),
                     QStringLiteral("sudo apt-get install uidmap")});
    gaps.append({QStringLiteral("no cgroup delegated to the user: --memory, --cpus and "
                                "--pids-limit are refused; stats come from /proc"),
                 QStringLiteral("boot with cgroup v2 only (systemd.unified_cgroup_hierarchy=1) "
                                "so systemd delegates one to the user's session")});
    return gaps;
}

QString networkText() {
    return QStringLiteral("slirp4netns for the default network (10.0.2.100; the host's loopback "
                          "is 10.0.2.2; published ports are its host forwards), none, host");
}

QString modeText() {
    switch (UserNamespace::mode()) {
    case UserNamespace::Mode::HostRoot:
        return QStringLiteral("root");
    case UserNamespace::Mode::Unavailable:
        return QStringLiteral("rootless, unavailable");
    case UserNamespace::Mode::Rootless:
        break;
    }
    const pid_t keeper = UserNamespace::keeperPid();
    return QStringLiteral("rootless (user namespace: uid map %1%2)")
        .arg(QString::fromStdString(UserNamespace::uidMapText()),
             keeper > 0 ? QStringLiteral(", keeper pid %1").arg(keeper) : QString());
}

} // namespace Berth::Engine::Rootless
