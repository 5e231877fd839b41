// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/terminal.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace Berth::Cli {

namespace {
int g_winchPipe[2] = {-1, -1};
int g_signalPipe[2] = {-1, -1};
constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP};

void onWinch(int) {
    const int saved = errno;
    const char c = 'w';
    if (::write(g_winchPipe[1], &c, 1) < 0) {
        // Full pipe: a resize is already pending.
    }
    errno = saved;
}

void onSignal(int sig) {
    const int saved = errno;
    const unsigned char c = static_cast<unsigned char>(sig);
    if (::write(g_signalPipe[1], &c, 1) < 0) {
        // Full pipe: the container has plenty of signals to handle already.
    }
    errno = saved;
}
} // namespace

RawTerminal::RawTerminal(int fd)
    : m_fd(fd) {
    if (::tcgetattr(fd, &m_saved) != 0)
        return;
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    m_active = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
}

RawTerminal::~RawTerminal() {
    if (m_active)
        ::tcsetattr(m_fd, TCSADRAIN, &m_saved);
}

WindowSizeWatcher::WindowSizeWatcher() {
    if (g_winchPipe[0] >= 0 || ::pipe2(g_winchPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    struct sigaction sa {};
    sa.sa_handler = onWinch;
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGWINCH, &sa, nullptr);
}

int WindowSizeWatcher::notifyFd() const {
    return g_winchPipe[0];
}

SignalForwarder::SignalForwarder() {
    if (g_signalPipe[0] < 0 && ::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sa.sa_flags = SA_RESTART;
    for (int sig : kForwardedSignals)
        ::sigaction(sig, &sa, nullptr);
}

SignalForwarder::~SignalForwarder() {
    for (int sig : kForwardedSignals)
        ::signal(sig, SIG_DFL);
}

int SignalForwarder::notifyFd() const {
    return g_signalPipe[0];
}

int sizeSourceTerminal() {
    return ::isatty(1) ? 1 : (::isatty(0) ? 0 : -1);
}

} // namespace Berth::Cli
