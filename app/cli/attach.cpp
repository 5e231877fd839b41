// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl attach: a running container's output from now on, until it exits (its exit code).
// Output only, read from the log the shim writes: attaching stdin and a terminal needs the
// shim's attach socket, which berth-shim does not serve yet.
#include "app/cli/command.h"
#include "engine/runtime/containerlogs.h"

#include <QThread>
#include <csignal>
#include <cstdio>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

volatile std::sig_atomic_t g_signal = 0;

void onSignal(int sig) {
    g_signal = sig;
}

void write(const LogEntry &e) {
    FILE *stream = e.stream == QLatin1String("stderr") ? stderr : stdout;
    std::fwrite(e.text.constData(), 1, size_t(e.text.size()), stream);
    std::fflush(stream);
}

int attachCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Attach to a running container's output"));
    const QCommandLineOption noSigProxy(QStringLiteral("no-sig-proxy"),
                                        QStringLiteral("Do not proxy received signals to the "
                                                       "container"));
    p.addOption(noSigProxy);
    if (int rc = ctx.parse(p, QStringLiteral("attach"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    auto record = rt.get(p.positionalArguments().first());
    if (!record)
        return ctx.fail(record.error());
    if (!record->isRunning())
        return ctx.fail(Error{ErrorKind::Conflict,
                              QStringLiteral("you cannot attach to a stopped container, start it "
                                             "first")});
    LogReader reader(rt.logPath(record->id));
    // From now on: position the reader at the end of what is there.
    if (auto none = reader.read(LogQuery{0, 0, 0}); !none)
        return ctx.fail(none.error());
    ctx.out.flush();
    g_signal = 0;
    if (!p.isSet(noSigProxy))
        for (int sig : {SIGINT, SIGTERM, SIGHUP})
            std::signal(sig, onSignal);
    for (;;) {
        if (const int sig = g_signal) {
            g_signal = 0;
            rt.kill(record->id, sig);
        }
        auto now = rt.get(record->id);
        // Read after the state check: once it says "exited", the log is complete.
        for (const LogEntry &e : reader.follow())
            write(e);
        if (!now)
            return ctx.fail(now.error());
        if (!now->isRunning()) {
            for (const LogEntry &e : reader.follow())
                write(e);
            return now->exitCode;
        }
        QThread::msleep(50);
    }
}

const bool registered = [] {
    registerCommand({QStringLiteral("attach"),
                     QStringLiteral("Attach to a running container's output"), attachCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
