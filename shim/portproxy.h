// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <thread>
#include <vector>

namespace Berth::Shim {

// A published port as berth-shim receives it: a socket the engine bound on the host (TCP
// listening, or UDP bound) and the container address to forward to.
struct PublishedPort {
    bool udp = false;
    int fd = -1;
    std::string containerIp; // IPv4
    int containerPort = 0;
};

// "tcp:4:10.89.0.5:80" (see shimprotocol.h); false when malformed.
bool parsePublishedPort(const std::string &text, PublishedPort &out);

// The userland proxy for published ports (Docker's docker-proxy role), on its own thread of
// the shim, in the host's network namespace: each TCP connection accepted on a published port
// is connected to the container's address and copied both ways (half-closes kept); each UDP
// client gets its own socket to the container, dropped after a minute without traffic.
// Because the proxy connects from the host, 127.0.0.1:HOSTPORT works without route_localnet
// and without any firewall rule that could outlive the container: everything closes with the
// shim. Start once the container runs; stop before the shim forks again.
class PortProxy {
public:
    explicit PortProxy(std::vector<PublishedPort> ports);
    ~PortProxy();
    PortProxy(const PortProxy &) = delete;
    PortProxy &operator=(const PortProxy &) = delete;

    void start();
    // Stops the thread and closes every socket, listening ones included.
    void stop();

private:
    void run();

    std::vector<PublishedPort> m_ports;
    int m_wakeFd = -1;
    std::thread m_thread;
};

} // namespace Berth::Shim
