// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/commandexit.h"

namespace Berth::Engine {

CommandFailure commandFailure(const Error &error) {
    const QString &m = error.message;
    const bool fromRuntime = m.contains(QLatin1String(" run: ")) ||
                             m.contains(QLatin1String(" exec failed: ")) ||
                             m.contains(QLatin1String("unable to start container process"));
    if (!fromRuntime)
        return CommandFailure::Other;
    // runc: `exec: "x": executable file not found in $PATH`, `exec: "/x": permission denied`,
    // `exec: "/x": is a directory`; crun: "executable file `x` not found in $PATH: No such
    // file or directory", "open executable: Permission denied" (a directory: "Operation not
    // permitted").
    const bool crunOpen = m.contains(QLatin1String("open executable: "));
    if ((crunOpen && !m.contains(QLatin1String("no such file"), Qt::CaseInsensitive)) ||
        m.contains(QLatin1String("permission denied"), Qt::CaseInsensitive) ||
        m.contains(QLatin1String("is a directory"), Qt::CaseInsensitive) ||
        m.contains(QLatin1String("exec format error"), Qt::CaseInsensitive))
        return CommandFailure::CannotInvoke;
    if (m.contains(QLatin1String("executable file not found"), Qt::CaseInsensitive) ||
        m.contains(QLatin1String("not found in $PATH"), Qt::CaseInsensitive) ||
        m.contains(QLatin1String("no such file or directory"), Qt::CaseInsensitive))
        return CommandFailure::NotFound;
    return CommandFailure::Other;
}

int commandExitCode(const Error &error, int otherwise) {
    switch (commandFailure(error)) {
    case CommandFailure::NotFound:
        return 127;
    case CommandFailure::CannotInvoke:
        return 126;
    case CommandFailure::Other:
        break;
    }
    return otherwise;
}

} // namespace Berth::Engine
