// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/consolesocket.h"
#include "engine/runtime/containerruntime.h"

#include <QJsonObject>
#include <QSize>
#include <QString>
#include <QStringList>

namespace Berth::Engine {

// What `berthctl exec` asks for: a process run inside a running container's namespaces and
// cgroup (Docker's exec create options).
struct ExecRequest {
    QStringList cmd;
    QStringList env;          // KEY=VALUE, over the container's environment
    QString workingDir;       // "" = the container's
    QString user;             // "" = the container's
    bool tty = false;         // a pseudo-terminal as the process's stdio and controlling terminal
    bool interactive = false; // forward the caller's stdin
    bool detach = false;      // start it and return at once
};

// The caller's side of an exec: file descriptors the engine reads from and writes to; it
// never closes them. With a tty, `sizeSource` is the terminal whose window size the
// container's pty copies (-1: none), and `resizeNotify` a non-blocking fd that becomes
// readable when that size changed (the CLI's SIGWINCH self-pipe, drained by the engine; -1:
// none).
struct ExecStdio {
    int in = 0;
    int out = 1;
    int err = 2;
    int sizeSource = -1;
    int resizeNotify = -1;
};

// Runs processes in running containers through the OCI runtime's `exec`. The process spec is
// the container's own (from its bundle's config.json: capabilities, rlimits, no-new-privileges
// stay those of the container) with the command, environment, working directory and user of
// the request.
//
// Without a tty the runtime runs in the foreground and passes the caller's fds straight to the
// process; its exit status is the process's. With a tty the runtime is started detached with
// --console-socket: the engine listens on a unix socket, receives the pty master the runtime
// sends (SCM_RIGHTS), copies between it and the caller's fds, forwards window-size changes
// (TIOCSWINSZ). The process is orphaned when the detached runtime exits; a forked waiter that
// is its subreaper learns its exit status and reports it on a pipe (the caller never becomes a
// subreaper: a long-lived API server or GUI would inherit every berth-shim and runtime helper
// and never reap them). run() blocks until the process exits. startTerminal() is the GUI's
// variant: it hands the pty master to the caller and returns at once; the process is left to
// init.
class ContainerExec {
public:
    explicit ContainerExec(ContainerRuntime &runtime);

    // Returns the process's exit code (128 + signal when killed); with detach, 0 once started.
    Result<int> run(const QString &nameOrId, const ExecRequest &request, const ExecStdio &stdio);

    // A process on a pseudo-terminal whose master the caller owns.
    struct Terminal {
        int master = -1; // non-blocking, close-on-exec; closing it hangs up the process
        int pid = 0;     // host PID; not the caller's child (its end: pidfd, or EIO on master)
    };
    // Starts `request` with a `rows` x `cols` terminal (request.tty is implied) and returns
    // once the process runs; blocks for as long as the OCI runtime takes (call it off the GUI
    // thread).
    Result<Terminal> startTerminal(const QString &nameOrId, ExecRequest request, int rows,
                                   int cols);

    // The OCI process object for `request`, from the container's process object.
    static Result<QJsonObject> processSpec(const QJsonObject &containerProcess,
                                           const ExecRequest &request, const QString &rootfs);

private:
    // run(), or with `handOver` startTerminal(): the master and PID go there once it runs.
    Result<int> execute(const QString &nameOrId, const ExecRequest &request, const ExecStdio &stdio,
                        const QSize &consoleSize, Terminal *handOver);

    ContainerRuntime &m_runtime;
};

// Receives a pty master sent over a unix socket by an OCI runtime's --console-socket: the
// socket berth-shim uses too (Console::ConsoleSocket), with the engine's errors and a wait.
class ConsoleSocket {
public:
    Status listen();
    QString path() const { return m_path; }
    // Waits up to `timeoutMs` for one connection and returns the fd it carries (the caller
    // owns it). Gives up early when `alive` says the sender is gone.
    Result<int> receive(int timeoutMs, const std::function<bool()> &alive);

private:
    Console::ConsoleSocket m_socket;
    QString m_path;
};

} // namespace Berth::Engine
