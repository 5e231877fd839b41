// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl attach: joins a running container's session through its shim's attach socket:
// output (and the container's exit code), stdin when it was created with -i, its terminal
// with -t (raw mode, window size), Docker's detach keys (ctrl-p ctrl-q) to leave it running.
#include "app/cli/attach.h"

#include "app/cli/terminal.h"

#include <memory>
#include <optional>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {

ContainerRuntime::StartOptions startForAttach(bool tty) {
    ContainerRuntime::StartOptions options;
    options.mode = ContainerRuntime::StartMode::Attached;
    winsize ws{};
    const int terminal = sizeSourceTerminal();
    if (tty && terminal >= 0 && ::ioctl(terminal, TIOCGWINSZ, &ws) == 0) {
        options.consoleRows = ws.ws_row;
        options.consoleColumns = ws.ws_col;
    }
    return options;
}

Status checkInputTerminal(bool tty, bool stdin) {
    if (tty && stdin && !::isatty(0))
        return fail(ErrorKind::InvalidArgument, QStringLiteral("the input device is not a TTY"));
    return {};
}

int attachToContainer(Context &ctx, Engine::Engine &engine, const ContainerRecord &record,
                      const AttachSession &session) {
    auto keys = parseDetachKeys(session.detachKeys);
    if (!keys)
        return ctx.fail(keys.error());
    const bool tty = record.spec.tty;
    const bool typing = session.stdin && ::isatty(0);
    AttachStdio stdio;
    stdio.in = session.stdin ? 0 : -1;
    std::optional<WindowSizeWatcher> resizes;
    if (tty) {
        stdio.sizeSource = sizeSourceTerminal();
        if (stdio.sizeSource >= 0)
            stdio.resizeNotify = resizes.emplace().notifyFd();
    }
    // With a terminal, ^C is a key for the container; without, berthctl passes signals on.
    std::optional<SignalForwarder> signals;
    if (!tty && session.sigProxy)
        stdio.signalNotify = signals.emplace().notifyFd();
    AttachOptions options;
    options.closeStdinAtEnd = session.closeStdinAtEnd;
    // Detach keys are for someone typing; piped data passes through untouched.
    if (typing)
        options.detachKeys = *keys;
    ctx.out.flush();
    ctx.err.flush();
    std::unique_ptr<RawTerminal> raw;
    if (tty && typing)
        raw = std::make_unique<RawTerminal>(0);
    auto result = ContainerAttach(engine.containers()).run(record.id, stdio, options);
    raw.reset();
    if (!result)
        return ctx.fail(result.error());
    return result->detached ? 0 : result->exitCode;
}

namespace {

int attachCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Attach local standard input, output, and error "
                                               "streams to a running container"));
    const QCommandLineOption noStdin(QStringLiteral("no-stdin"),
                                     QStringLiteral("Do not attach STDIN"));
    const QCommandLineOption noSigProxy(QStringLiteral("no-sig-proxy"),
                                        QStringLiteral("Do not proxy received signals to the "
                                                       "container (non-TTY mode only)"));
    const QCommandLineOption detachKeys(QStringLiteral("detach-keys"),
                                        QStringLiteral("Override the key sequence for detaching "
                                                       "a container (default ctrl-p,ctrl-q)"),
                                        QStringLiteral("KEYS"), DefaultDetachKeys);
    p.addOptions({noStdin, noSigProxy, detachKeys});
    if (int rc = ctx.parse(p, QStringLiteral("attach"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    if (auto keys = parseDetachKeys(p.value(detachKeys)); !keys)
        return ctx.fail(keys.error());
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto record = engine->containers().get(p.positionalArguments().first());
    if (!record)
        return ctx.fail(record.error());
    if (!record->isRunning())
        return ctx.fail(Error{ErrorKind::Conflict,
                              QStringLiteral("you cannot attach to a stopped container, start it "
                                             "first")});
    AttachSession session;
    session.stdin = record->spec.openStdin && !p.isSet(noStdin);
    session.detachKeys = p.value(detachKeys);
    session.sigProxy = !p.isSet(noSigProxy);
    if (auto st = checkInputTerminal(record->spec.tty, session.stdin); !st)
        return ctx.fail(st.error());
    return attachToContainer(ctx, *engine, *record, session);
}

const bool registered = [] {
    registerCommand({QStringLiteral("attach"),
                     QStringLiteral("Attach local standard input, output, and error streams to "
                                    "a running container"),
                     attachCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
