// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <termios.h>

namespace Berth::Cli {

// The user's terminal in raw mode while an interactive session runs, so keys (^C, ^D, arrows)
// reach the container's pty untouched; restored on every way out (the destructor).
class RawTerminal {
public:
    explicit RawTerminal(int fd);
    ~RawTerminal();
    RawTerminal(const RawTerminal &) = delete;
    RawTerminal &operator=(const RawTerminal &) = delete;

private:
    int m_fd;
    termios m_saved{};
    bool m_active = false;
};

// SIGWINCH as a readable fd (a self-pipe) for the engine's copy loops; one per process.
class WindowSizeWatcher {
public:
    WindowSizeWatcher();
    int notifyFd() const; // -1 when it could not be set up
};

// SIGINT, SIGTERM and SIGHUP as signal numbers (one byte each) on a readable fd, so they are
// forwarded to the container instead of ending berthctl (Docker's --sig-proxy).
class SignalForwarder {
public:
    SignalForwarder();
    ~SignalForwarder();
    int notifyFd() const;
};

// The terminal whose size a container's terminal copies: stdout, else stdin; -1 if neither.
int sizeSourceTerminal();

} // namespace Berth::Cli
