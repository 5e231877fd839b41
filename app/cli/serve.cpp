// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl serve: the Docker Engine API on a unix socket, so docker clients drive this store.
#include "api/apiservice.h"
#include "api/server.h"
#include "app/cli/command.h"

#include <QDir>

#include <csignal>
#include <poll.h>
#include <thread>
#include <unistd.h>

namespace Berth::Cli {
namespace {

int g_stopPipe[2] = {-1, -1};
void onStopSignal(int) {
    (void)!::write(g_stopPipe[1], "x", 1);
}

QString defaultSocket() {
    return Api::ApiService::defaultSocketPath();
}

int serve(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Serve the Docker Engine API on a unix socket (docker clients work with "
                       "DOCKER_HOST=unix://SOCKET)"));
    const QCommandLineOption socket(
        {QStringLiteral("H"), QStringLiteral("socket")},
        QStringLiteral("The unix socket to listen on (default %1)").arg(defaultSocket()),
        QStringLiteral("PATH"), defaultSocket());
    const QCommandLineOption tcp(QStringLiteral("tcp"),
                                 QStringLiteral("Also listen on 127.0.0.1:PORT (no "
                                                "authentication: any local user can use it)"),
                                 QStringLiteral("PORT"));
    p.addOptions({socket, tcp});
    if (int rc = ctx.parse(p, QStringLiteral("serve"), QString()); rc >= 0)
        return rc;
    Api::ServerOptions options;
    options.socketPath = QDir::cleanPath(QDir::current().absoluteFilePath(p.value(socket)));
    if (p.isSet(tcp)) {
        bool ok = false;
        options.tcpPort = quint16(p.value(tcp).toUInt(&ok));
        if (!ok)
            return ctx.usage(QStringLiteral("invalid --tcp port: %1").arg(p.value(tcp)));
        options.tcpHost = QStringLiteral("127.0.0.1");
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    std::signal(SIGPIPE, SIG_IGN);
    Api::ApiServer server(*engine);
    if (auto st = server.listen(options); !st)
        return ctx.fail(st.error());
    ctx.err << "Serving the Docker Engine API on unix://" << options.socketPath << '\n';
    if (p.isSet(tcp))
        ctx.err << "WARNING: also listening on tcp://127.0.0.1:" << server.tcpPort()
                << " without authentication: every local user can control this store\n";
    ctx.err.flush();

    if (::pipe(g_stopPipe) != 0)
        return 1;
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::thread waiter([&] {
        pollfd pfd{g_stopPipe[0], POLLIN, 0};
        while (::poll(&pfd, 1, -1) < 0 && errno == EINTR) {
        }
        server.stop();
    });
    server.run();
    waiter.join();
    ::unlink(QFile::encodeName(options.socketPath).constData());
    return 0;
}

const bool registered =
    registerCommand({QStringLiteral("serve"),
                     QStringLiteral("Serve the Docker Engine API on a unix socket"), serve});

} // namespace
} // namespace Berth::Cli
