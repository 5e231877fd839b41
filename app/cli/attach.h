// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "app/cli/command.h"
#include "engine/runtime/containerattach.h"

namespace Berth::Cli {

// How berthctl joins a running container's session (run in the foreground, start -a, attach).
struct AttachSession {
    bool stdin = false;           // berthctl's stdin goes to the container (-i)
    bool closeStdinAtEnd = false; // its end ends the container's stdin (run -i, start -ai)
    QString detachKeys = Engine::DefaultDetachKeys;
    bool sigProxy = true; // without a terminal, INT/TERM/HUP go to the container
};

// How run/start start a container berthctl attaches to right after: its output is kept for
// berthctl, and with a terminal it has berthctl's window size from the start.
Engine::ContainerRuntime::StartOptions startForAttach(bool tty);

// Docker's rule: a terminal session that takes stdin needs a terminal on stdin.
Engine::Status checkInputTerminal(bool tty, bool stdin);

// Attaches berthctl's stdio to the container (raw mode and window size with its terminal,
// detach keys when stdin is a terminal) until it exits; returns its exit code, 0 when the
// user detached, or the printed error's code.
int attachToContainer(Context &ctx, Engine::Engine &engine, const Engine::ContainerRecord &record,
                      const AttachSession &session);

} // namespace Berth::Cli
