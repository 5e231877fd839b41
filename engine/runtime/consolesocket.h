// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Plain C++ without Qt: berth-shim (which links nothing beyond libc) compiles it too.
#include <string>

namespace Berth::Console {

// The receiving end of an OCI runtime's --console-socket: a unix socket in a private directory
// under /tmp (a short path: sun_path holds 108 bytes) to which the runtime sends the pty master
// of a container or exec with a terminal, as SCM_RIGHTS beside the pty's name. Used by the
// engine (ContainerExec) and by berth-shim. close(), and the destructor, remove the socket and
// its directory.
class ConsoleSocket {
public:
    ConsoleSocket() = default;
    ~ConsoleSocket() { close(); }
    ConsoleSocket(ConsoleSocket &&other) noexcept;
    ConsoleSocket &operator=(ConsoleSocket &&other) noexcept;
    ConsoleSocket(const ConsoleSocket &) = delete;
    ConsoleSocket &operator=(const ConsoleSocket &) = delete;

    // Creates the directory and listens (non-blocking); false with errno set.
    bool listen();
    std::string path() const { return m_dir.empty() ? std::string() : m_dir + "/console.sock"; }
    // Readable once the runtime has connected: poll it before receive() to wait.
    int fd() const { return m_fd; }
    // Accepts the runtime's connection and returns the master its message carries (close-on-
    // exec, owned by the caller); -1 with errno set: EAGAIN when nobody has connected yet,
    // EBADMSG when the message carried no descriptor.
    int receive();
    void close();

private:
    std::string m_dir;
    int m_fd = -1;
};

} // namespace Berth::Console
