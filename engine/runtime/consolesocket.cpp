// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/consolesocket.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <utility>

namespace Berth::Console {

ConsoleSocket::ConsoleSocket(ConsoleSocket &&other) noexcept
    : m_dir(std::exchange(other.m_dir, std::string()))
    , m_fd(std::exchange(other.m_fd, -1)) {}

ConsoleSocket &ConsoleSocket::operator=(ConsoleSocket &&other) noexcept {
    if (this != &other) {
        close();
        m_dir = std::exchange(other.m_dir, std::string());
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

bool ConsoleSocket::listen() {
    close();
    char tmpl[] = "/tmp/berth-console-XXXXXX";
    if (!::mkdtemp(tmpl))
        return false;
    m_dir = tmpl;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string p = path();
    if (p.size() >= sizeof addr.sun_path) {
        errno = ENAMETOOLONG;
        return false;
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size());
    m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    return m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
           ::listen(m_fd, 1) == 0;
}

int ConsoleSocket::receive() {
    const int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0)
        return -1;
    // One message: the runtime's pty name as data and the master as SCM_RIGHTS.
    char data[4096];
    iovec iov{data, sizeof data};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    const int err = errno;
    ::close(conn);
    if (n < 0) {
        errno = err;
        return -1;
    }
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
            c->cmsg_len == CMSG_LEN(sizeof(int))) {
            int master;
            std::memcpy(&master, CMSG_DATA(c), sizeof master);
            return master;
        }
    errno = EBADMSG;
    return -1;
}

void ConsoleSocket::close() {
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (!m_dir.empty()) {
        ::unlink(path().c_str());
        ::rmdir(m_dir.c_str());
    }
    m_dir.clear();
}

} // namespace Berth::Console
