// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/podman.h"

#include <QFile>
#include <sys/resource.h>

namespace Berth::Test {
namespace {

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

quint64 hardLimit(int resource, quint64 cap) {
    rlimit limit{};
    ::getrlimit(resource, &limit);
    return limit.rlim_max == RLIM_INFINITY ? cap : qMin<quint64>(limit.rlim_max, cap);
}

} // namespace

PodmanSandbox::PodmanSandbox()
    : m_dir(scratchBase() + QStringLiteral("/berth-podman-XXXXXX")) {}

PodmanSandbox::~PodmanSandbox() {
    if (m_configured)
        run({QStringLiteral("system"), QStringLiteral("reset"), QStringLiteral("--force")});
}

bool PodmanSandbox::configure(const QStringList &insecureRegistries) {
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory for podman");
        return false;
    }
    const QByteArray dir = m_dir.path().toUtf8();
    const QByteArray nofile = QByteArray::number(hardLimit(RLIMIT_NOFILE, 1048576));
    const QByteArray nproc = QByteArray::number(hardLimit(RLIMIT_NPROC, 32768));
    const QByteArray containers = "[containers]\n"
                                  "default_ulimits = [\"nofile=" +
                                  nofile + ":" + nofile + "\", \"nproc=" + nproc + ":" + nproc +
                                  "\"]\n\n[engine]\nruntime = \"runc\"\n"
                                  "cgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n"
                                  "events_logfile_path = \"" +
                                  dir + "/events.log\"\n";
    const QByteArray storage = "[storage]\ndriver = \"vfs\"\nrunroot = \"" + dir +
                               "/runroot\"\ngraphroot = \"" + dir + "/graphroot\"\n";
    QByteArray registries = "unqualified-search-registries = []\n";
    for (const QString &r : insecureRegistries)
        registries += "\n[[registry]]\nlocation = \"" + r.toUtf8() + "\"\ninsecure = true\n";
    if (!writeFile(m_dir.filePath(QStringLiteral("containers.conf")), containers) ||
        !writeFile(m_dir.filePath(QStringLiteral("storage.conf")), storage) ||
        !writeFile(m_dir.filePath(QStringLiteral("registries.conf")), registries)) {
        m_error = QStringLiteral("cannot write podman's configuration in %1").arg(m_dir.path());
        return false;
    }
    m_env = QProcessEnvironment::systemEnvironment();
    m_env.insert(QStringLiteral("CONTAINERS_CONF"),
                 m_dir.filePath(QStringLiteral("containers.conf")));
    m_env.insert(QStringLiteral("CONTAINERS_STORAGE_CONF"),
                 m_dir.filePath(QStringLiteral("storage.conf")));
    m_env.insert(QStringLiteral("CONTAINERS_REGISTRIES_CONF"),
                 m_dir.filePath(QStringLiteral("registries.conf")));
    m_configured = true;
    return true;
}

ProcessResult PodmanSandbox::run(const QStringList &args, int timeoutMs) const {
    return Berth::Test::run(findTool(QStringLiteral("podman")), args, m_env, timeoutMs);
}

} // namespace Berth::Test
