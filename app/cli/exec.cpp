// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl exec, pause, unpause, top: processes of running containers.
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "app/cli/terminal.h"
#include "engine/runtime/commandexit.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/containerexec.h"

#include <QDateTime>
#include <optional>
#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int execCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Execute a command in a running container"));
    const QCommandLineOption help(QStringLiteral("help"), QStringLiteral("Show this help"));
    const QCommandLineOption interactive({QStringLiteral("i"), QStringLiteral("interactive")},
                                         QStringLiteral("Keep STDIN open even if not attached"));
    const QCommandLineOption tty({QStringLiteral("t"), QStringLiteral("tty")},
                                 QStringLiteral("Allocate a pseudo-TTY"));
    const QCommandLineOption detach({QStringLiteral("d"), QStringLiteral("detach")},
                                    QStringLiteral("Detached mode: run command in the background"));
    const QCommandLineOption env({QStringLiteral("e"), QStringLiteral("env")},
                                 QStringLiteral("Set environment variables"),
                                 QStringLiteral("KEY=VALUE"));
    const QCommandLineOption workdir({QStringLiteral("w"), QStringLiteral("workdir")},
                                     QStringLiteral("Working directory inside the container"),
                                     QStringLiteral("DIR"));
    const QCommandLineOption user({QStringLiteral("u"), QStringLiteral("user")},
                                  QStringLiteral("Username or UID (format: "
                                                 "<name|uid>[:<group|gid>])"),
                                  QStringLiteral("USER"));
    p.addOptions({help, interactive, tty, detach, env, workdir, user});
    // Options after CONTAINER belong to the command (`exec c sh -c ...`).
    p.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    if (!p.parse(QStringList{QStringLiteral("berthctl exec")} + ctx.args))
        return ctx.usage(p.errorText());
    if (p.isSet(help)) {
        ctx.out << "Usage: berthctl exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\n"
                << p.applicationDescription() << "\n\n";
        const QString text = p.helpText();
        ctx.out << text.mid(qMax<qsizetype>(0, text.indexOf(QLatin1String("Options:"))));
        return 0;
    }
    const QStringList positional = p.positionalArguments();
    if (positional.size() < 2)
        return ctx.usage(QStringLiteral("\"berthctl exec\" requires at least 2 arguments.\n"
                                        "Usage: berthctl exec [OPTIONS] CONTAINER COMMAND "
                                        "[ARG...]"));
    ExecRequest request;
    request.cmd = positional.mid(1);
    for (const QString &e : p.values(env)) {
        if (e.contains(QLatin1Char('=')))
            request.env.append(e);
        else if (qEnvironmentVariableIsSet(e.toLocal8Bit().constData()))
            request.env.append(e + QLatin1Char('=') + qEnvironmentVariable(e.toLocal8Bit()));
    }
    request.workingDir = p.value(workdir);
    request.user = p.value(user);
    request.tty = p.isSet(tty);
    request.interactive = p.isSet(interactive);
    request.detach = p.isSet(detach);
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ctx.out.flush();
    ctx.err.flush();

    ExecStdio stdio;
    std::unique_ptr<RawTerminal> raw;
    std::optional<WindowSizeWatcher> resizes;
    if (request.tty && !request.detach) {
        stdio.sizeSource = sizeSourceTerminal();
        if (stdio.sizeSource >= 0)
            stdio.resizeNotify = resizes.emplace().notifyFd();
        if (request.interactive && ::isatty(0))
            raw = std::make_unique<RawTerminal>(0);
    }
    ContainerExec exec(engine->containers());
    auto result = exec.run(positional.first(), request, stdio);
    raw.reset();
    if (!result) {
        // 126/127 when the command cannot be invoked or is missing, as docker exec.
        const int code = ctx.fail(result.error());
        return commandExitCode(result.error(), code);
    }
    return *result;
}

int pauseOrUnpause(Context &ctx, bool pause) {
    const QString command = pause ? QStringLiteral("pause") : QStringLiteral("unpause");
    QCommandLineParser p;
    p.setApplicationDescription(pause ? QStringLiteral("Pause all processes within one or more "
                                                       "containers")
                                      : QStringLiteral("Unpause all processes within one or more "
                                                       "containers"));
    if (int rc = ctx.parse(p, command, QStringLiteral("CONTAINER [CONTAINER...]"), 1); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    int rc = 0;
    for (const QString &name : p.positionalArguments()) {
        const Status st = pause ? ContainerControl::pause(engine->containers(), name)
                                : ContainerControl::unpause(engine->containers(), name);
        if (!st) {
            ctx.err << "Error response: " << st.error().message << '\n';
            rc = 1;
            continue;
        }
        ctx.out << name << '\n';
    }
    return rc;
}

int pauseCmd(Context &ctx) {
    return pauseOrUnpause(ctx, true);
}
int unpauseCmd(Context &ctx) {
    return pauseOrUnpause(ctx, false);
}

QString cpuTime(qint64 ms) {
    const qint64 s = ms / 1000;
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600, 2, 10, QLatin1Char('0'))
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

int topCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Display the running processes of a container"));
    if (int rc = ctx.parse(p, QStringLiteral("top"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto processes =
        ContainerControl::processes(engine->containers(), p.positionalArguments().first());
    if (!processes)
        return ctx.fail(processes.error());
    const QDate today = QDateTime::currentDateTime().date();
    QList<QStringList> rows;
    for (const ContainerProcess &proc : std::as_const(*processes)) {
        const QDateTime local = proc.started.toLocalTime();
        rows.append({proc.user, QString::number(proc.pid), QString::number(proc.ppid),
                     local.date() == today ? local.toString(QStringLiteral("HH:mm"))
                                           : local.toString(QStringLiteral("MMMdd")),
                     proc.tty, cpuTime(proc.cpuTimeMs), proc.command});
    }
    printTable(ctx.out,
               {QStringLiteral("UID"), QStringLiteral("PID"), QStringLiteral("PPID"),
                QStringLiteral("STIME"), QStringLiteral("TTY"), QStringLiteral("TIME"),
                QStringLiteral("CMD")},
               rows);
    return 0;
}

const bool registered = [] {
    registerCommand({QStringLiteral("exec"),
                     QStringLiteral("Execute a command in a running container"), execCmd});
    registerCommand({QStringLiteral("pause"),
                     QStringLiteral("Pause all processes within one or more containers"),
                     pauseCmd});
    registerCommand({QStringLiteral("unpause"),
                     QStringLiteral("Unpause all processes within one or more containers"),
                     unpauseCmd});
    registerCommand({QStringLiteral("top"),
                     QStringLiteral("Display the running processes of a container"), topCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
