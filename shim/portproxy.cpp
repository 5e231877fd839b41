// SPDX-License-Identifier: GPL-3.0-or-later
#include "shim/portproxy.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Berth::Shim {

namespace {

constexpr size_t kBufferSize = 64 * 1024;
constexpr int kUdpIdleSeconds = 60;

long long nowSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

sockaddr_in containerAddress(const PublishedPort &port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port.containerPort));
    ::inet_pton(AF_INET, port.containerIp.c_str(), &a.sin_addr);
    return a;
}

// One direction of a TCP connection: bytes read from `from` wait in `buffer` until `to` takes
// them; nothing more is read meanwhile, so a slow reader slows the writer down.
struct Direction {
    int from = -1;
    int to = -1;
    std::string buffer;
    size_t offset = 0;
    bool eof = false;      // `from` will send nothing more
    bool finished = false; // and `to` was told so (shutdown)

    bool pending() const { return offset < buffer.size(); }
};

struct TcpConnection {
    int client = -1;
    int server = -1;
    bool connecting = true;
    bool failed = false;
    Direction up;   // client -> container
    Direction down; // container -> client

    ~TcpConnection() {
        if (client >= 0)
            ::close(client);
        if (server >= 0)
            ::close(server);
    }
    bool done() const { return failed || (up.finished && down.finished); }
};

struct UdpFlow {
    size_t port = 0; // index of the published port
    sockaddr_storage client{};
    socklen_t clientLength = 0;
    int socket = -1;
    long long lastUsed = 0;

    ~UdpFlow() {
        if (socket >= 0)
            ::close(socket);
    }
};

// Moves what `d` can move without blocking; false on an error that ends the connection.
bool pump(Direction &d, bool readable, bool writable) {
    if (readable && !d.pending() && !d.eof) {
        d.buffer.resize(kBufferSize);
        const ssize_t n = ::recv(d.from, d.buffer.data(), kBufferSize, 0);
        if (n > 0) {
            d.buffer.resize(size_t(n));
            d.offset = 0;
        } else {
            d.buffer.clear();
            d.offset = 0;
            if (n == 0)
                d.eof = true;
            else if (errno != EAGAIN && errno != EINTR)
                return false;
        }
    }
    (void)writable; // a send is tried whenever data waits: it never blocks
    if (d.pending()) {
        const ssize_t n =
            ::send(d.to, d.buffer.data() + d.offset, d.buffer.size() - d.offset, MSG_NOSIGNAL);
        if (n > 0)
            d.offset += size_t(n);
        else if (n < 0 && errno != EAGAIN && errno != EINTR)
            return false;
    }
    if (d.eof && !d.pending() && !d.finished) {
        ::shutdown(d.to, SHUT_WR);
        d.finished = true;
    }
    return true;
}

} // namespace

bool parsePublishedPort(const std::string &text, PublishedPort &out) {
    // PROTO:FD:IP:PORT
    const size_t a = text.find(':');
    const size_t b = a == std::string::npos ? a : text.find(':', a + 1);
    const size_t c = text.rfind(':');
    if (a == std::string::npos || b == std::string::npos || c <= b)
        return false;
    const std::string proto = text.substr(0, a);
    if (proto != "tcp" && proto != "udp")
        return false;
    out.udp = proto == "udp";
    out.fd = std::atoi(text.substr(a + 1, b - a - 1).c_str());
    out.containerIp = text.substr(b + 1, c - b - 1);
    out.containerPort = std::atoi(text.substr(c + 1).c_str());
    in_addr probe{};
    return out.fd > 2 && out.containerPort > 0 && out.containerPort < 65536 &&
           ::inet_pton(AF_INET, out.containerIp.c_str(), &probe) == 1;
}

PortProxy::PortProxy(std::vector<PublishedPort> ports)
    : m_ports(std::move(ports)) {
    for (const PublishedPort &p : m_ports) {
        // Neither the runtime nor the container inherit the listening sockets.
        ::fcntl(p.fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(p.fd, F_SETFL, ::fcntl(p.fd, F_GETFL) | O_NONBLOCK);
    }
}

PortProxy::~PortProxy() {
    stop();
}

void PortProxy::start() {
    if (m_ports.empty() || m_thread.joinable())
        return;
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_wakeFd < 0)
        return;
    m_thread = std::thread([this] { run(); });
}

void PortProxy::stop() {
    if (m_thread.joinable()) {
        const uint64_t one = 1;
        if (::write(m_wakeFd, &one, sizeof one) < 0) {
            // An eventfd write only fails on overflow; the thread is woken either way.
        }
        m_thread.join();
    }
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
    m_wakeFd = -1;
    for (PublishedPort &p : m_ports)
        if (p.fd >= 0) {
            ::close(p.fd);
            p.fd = -1;
        }
}

void PortProxy::run() {
    std::vector<std::unique_ptr<TcpConnection>> connections;
    std::vector<std::unique_ptr<UdpFlow>> flows;
    std::vector<pollfd> pfds;
    // What each pollfd belongs to: 0 wake, 1 listener, 2 connection client, 3 connection
    // server, 4 UDP flow.
    struct Owner {
        int kind;
        size_t index;
    };
    std::vector<Owner> owners;
    char datagram[65536];
    for (;;) {
        pfds.clear();
        owners.clear();
        pfds.push_back({m_wakeFd, POLLIN, 0});
        owners.push_back({0, 0});
        for (size_t i = 0; i < m_ports.size(); ++i) {
            pfds.push_back({m_ports[i].fd, POLLIN, 0});
            owners.push_back({1, i});
        }
        for (size_t i = 0; i < connections.size(); ++i) {
            TcpConnection &c = *connections[i];
            if (c.connecting) {
                pfds.push_back({c.server, POLLOUT, 0});
                owners.push_back({3, i});
                continue;
            }
            short clientEvents = 0, serverEvents = 0;
            if (!c.up.pending() && !c.up.eof)
                clientEvents |= POLLIN;
            if (c.up.pending())
                serverEvents |= POLLOUT;
            if (!c.down.pending() && !c.down.eof)
                serverEvents |= POLLIN;
            if (c.down.pending())
                clientEvents |= POLLOUT;
            // A socket we want nothing from is left out: poll reports a hang-up regardless of
            // the events asked for, which would spin while the other side catches up.
            pfds.push_back({clientEvents ? c.client : -1, clientEvents, 0});
            owners.push_back({2, i});
            pfds.push_back({serverEvents ? c.server : -1, serverEvents, 0});
            owners.push_back({3, i});
        }
        for (size_t i = 0; i < flows.size(); ++i) {
            pfds.push_back({flows[i]->socket, POLLIN, 0});
            owners.push_back({4, i});
        }
        const int ready = ::poll(pfds.data(), nfds_t(pfds.size()), flows.empty() ? -1 : 10000);
        if (ready < 0 && errno != EINTR)
            return;
        if (pfds[0].revents)
            return;
        // Readiness per connection, gathered first: a connection has two pollfds.
        std::vector<short> clientReady(connections.size()), serverReady(connections.size());
        for (size_t k = 1; ready > 0 && k < pfds.size(); ++k) {
            const short ev = pfds[k].revents;
            if (!ev)
                continue;
            const Owner o = owners[k];
            if (o.kind == 2)
                clientReady[o.index] = ev;
            else if (o.kind == 3)
                serverReady[o.index] = ev;
            else if (o.kind == 1 && !m_ports[o.index].udp) {
                for (;;) {
                    const int client = ::accept4(m_ports[o.index].fd, nullptr, nullptr,
                                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (client < 0)
                        break;
                    auto c = std::make_unique<TcpConnection>();
                    c->client = client;
                    c->server = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                    const sockaddr_in target = containerAddress(m_ports[o.index]);
                    if (c->server < 0 ||
                        (::connect(c->server, reinterpret_cast<const sockaddr *>(&target),
                                   sizeof target) != 0 &&
                         errno != EINPROGRESS))
                        continue; // refused at once: the client sees its connection close
                    c->up.from = c->down.to = c->client;
                    c->up.to = c->down.from = c->server;
                    connections.push_back(std::move(c));
                }
            } else if (o.kind == 1) {
                sockaddr_storage from{};
                socklen_t fromLength = sizeof from;
                const ssize_t n = ::recvfrom(m_ports[o.index].fd, datagram, sizeof datagram, 0,
                                             reinterpret_cast<sockaddr *>(&from), &fromLength);
                if (n < 0)
                    continue;
                UdpFlow *flow = nullptr;
                for (auto &f : flows)
                    if (f->port == o.index && f->clientLength == fromLength &&
                        std::memcmp(&f->client, &from, fromLength) == 0)
                        flow = f.get();
                if (!flow) {
                    auto f = std::make_unique<UdpFlow>();
                    f->port = o.index;
                    f->client = from;
                    f->clientLength = fromLength;
                    f->socket = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                    const sockaddr_in target = containerAddress(m_ports[o.index]);
                    if (f->socket < 0 ||
                        ::connect(f->socket, reinterpret_cast<const sockaddr *>(&target),
                                  sizeof target) != 0)
                        continue;
                    flow = f.get();
                    flows.push_back(std::move(f));
                }
                flow->lastUsed = nowSeconds();
                ::send(flow->socket, datagram, size_t(n), MSG_NOSIGNAL);
            } else if (o.kind == 4) {
                UdpFlow &f = *flows[o.index];
                const ssize_t n = ::recv(f.socket, datagram, sizeof datagram, 0);
                if (n >= 0) {
                    f.lastUsed = nowSeconds();
                    ::sendto(m_ports[f.port].fd, datagram, size_t(n), MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr *>(&f.client), f.clientLength);
                }
            }
        }
        for (size_t i = 0; i < clientReady.size(); ++i) {
            TcpConnection &c = *connections[i];
            if (c.connecting) {
                if (!serverReady[i])
                    continue;
                int error = 0;
                socklen_t length = sizeof error;
                ::getsockopt(c.server, SOL_SOCKET, SO_ERROR, &error, &length);
                c.connecting = false;
                c.failed = error != 0;
                continue;
            }
            const short errorBits = POLLERR | POLLNVAL;
            if ((clientReady[i] & errorBits) || (serverReady[i] & errorBits)) {
                c.failed = true;
                continue;
            }
            // POLLHUP with data still readable: read until recv says end of stream.
            const bool clientIn = clientReady[i] & (POLLIN | POLLHUP);
            const bool serverIn = serverReady[i] & (POLLIN | POLLHUP);
            if (!pump(c.up, clientIn, serverReady[i] & POLLOUT) ||
                !pump(c.down, serverIn, clientReady[i] & POLLOUT))
                c.failed = true;
        }
        std::erase_if(connections, [](const auto &c) { return c->done(); });
        const long long now = nowSeconds();
        std::erase_if(flows, [now](const auto &f) { return now - f->lastUsed > kUdpIdleSeconds; });
    }
}

} // namespace Berth::Shim
