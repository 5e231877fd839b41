// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/apiservice.h"

#include "engine/core/usernamespace.h"

#include <QDir>
#include <QFile>

#include <csignal>
#include <unistd.h>

namespace Berth::Api {

QString ApiService::defaultSocketPath() {
    if (Engine::UserNamespace::hostRoot())
        return QStringLiteral("/run/berth/berth.sock");
    const QString runtimeDir = qEnvironmentVariable("XDG_RUNTIME_DIR");
    return (runtimeDir.isEmpty() ? QDir::tempPath() + QStringLiteral("/berth-%1").arg(::getuid())
                                 : runtimeDir + QStringLiteral("/berth")) +
           QStringLiteral("/berth.sock");
}

Status ApiService::start(const QString &socketPath) {
    stop();
    // A client that disconnects mid-response must not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
    auto server = std::make_unique<ApiServer>(m_engine);
    ServerOptions options;
    options.socketPath = QDir::cleanPath(QDir::current().absoluteFilePath(socketPath));
    if (auto st = server->listen(options); !st)
        return st;
    m_socketPath = options.socketPath;
    m_server = std::move(server);
    m_thread = std::thread([server = m_server.get()] { server->run(); });
    return {};
}

void ApiService::stop() {
    if (!m_server)
        return;
    m_server->stop();
    if (m_thread.joinable())
        m_thread.join();
    m_server.reset();
    ::unlink(QFile::encodeName(m_socketPath).constData());
}

} // namespace Berth::Api
