// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerexec.h"

#include <QHash>
#include <QMutex>
#include <QString>
#include <optional>

namespace Berth::Api {

// An exec instance of the API (POST /containers/{id}/exec, then /exec/{id}/start): created,
// started once, then kept with its exit code for /exec/{id}/json. Lives as long as the server.
struct ExecSession {
    QString id;
    QString containerId;
    Engine::ExecRequest request;
    bool attachStdin = false;
    bool attachStdout = true;
    bool attachStderr = true;
    bool started = false;
    bool running = false;
    std::optional<int> exitCode;
    // While a tty session runs: the terminal that holds the requested window size, and the
    // pipe that tells the copy loop to apply it (see ExecStdio).
    int sizeHolder = -1;
    int resizeWrite = -1;
};

class ExecSessions {
public:
    QString add(ExecSession session); // returns its new ID
    std::optional<ExecSession> get(const QString &id) const;
    // Marks it started; false when it was already (an exec runs once).
    bool claim(const QString &id);
    void update(const QString &id, const std::function<void(ExecSession &)> &change);

private:
    mutable QMutex m_mutex;
    QHash<QString, ExecSession> m_sessions;
};

} // namespace Berth::Api
