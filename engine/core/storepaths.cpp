// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/storepaths.h"

#include "engine/core/usernamespace.h"

#include <QDir>
#include <QStandardPaths>
#include <unistd.h>

namespace Berth::Engine {

StorePaths::StorePaths(const QString &root, const QString &runtimeRoot)
    : m_root(QDir::cleanPath(QDir(root).absolutePath()))
    , m_runtimeRoot(runtimeRoot.isEmpty() ? m_root + QStringLiteral("/run")
                                          : QDir::cleanPath(runtimeRoot)) {}

StorePaths StorePaths::fromEnvironment() {
    const QString envRoot = qEnvironmentVariable("BERTH_ROOT");
    if (!envRoot.isEmpty())
        return StorePaths(envRoot);
    // Inside the user namespace (rootless) the user is uid 0 but keeps its own store.
    if (UserNamespace::hostRoot())
        return StorePaths(QStringLiteral("/var/lib/berth"), QStringLiteral("/run/berth"));
    QString data = qEnvironmentVariable("XDG_DATA_HOME");
    if (data.isEmpty())
        data = QDir::homePath() + QStringLiteral("/.local/share");
    QString runtime = qEnvironmentVariable("XDG_RUNTIME_DIR");
    const QString root = data + QStringLiteral("/berth");
    return StorePaths(root, runtime.isEmpty() ? QString() : runtime + QStringLiteral("/berth"));
}

} // namespace Berth::Engine
