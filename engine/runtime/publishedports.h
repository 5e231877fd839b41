// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerstore.h"

#include <QList>
#include <QString>

namespace Berth::Engine {

// Docker's -p forms: CONTAINERPORT, HOSTPORT:CONTAINERPORT, IP:HOSTPORT:CONTAINERPORT,
// IP::CONTAINERPORT, each with an optional /tcp or /udp, ports as equal-length ranges
// ("8000-8001:80-81"), IPv6 host addresses in brackets ("[::1]:8080:80").
Result<QList<PortBinding>> parsePublishOption(const QString &text);
// "80", "80/tcp", "53/udp", "8000-8002/tcp" (EXPOSE and --expose); normalised to "80/tcp".
Result<QStringList> parseExposedPorts(const QString &text);
// The bindings a container asks for: its -p list, plus with -P every exposed port that -p
// does not already publish, on a free host port.
QList<PortBinding> requestedPorts(const ContainerSpec &spec);
// "0.0.0.0:8080->80/tcp, 53/udp" as `docker ps` shows a container's ports: the bound ones while
// it runs, and exposed ports that are not published.
QString portsSummary(const ContainerSpec &spec, const NetworkSettings &network);

// Listening sockets for a container's published ports, bound on the host before the container
// starts, so a port in use is an error at start ("port is already allocated") and a random
// host port is known at once. berth-shim receives the sockets and proxies each to the
// container's address. Closes what it still owns.
class PortListeners {
public:
    PortListeners() = default;
    PortListeners(PortListeners &&other) noexcept;
    PortListeners &operator=(PortListeners &&other) noexcept;
    PortListeners(const PortListeners &) = delete;
    PortListeners &operator=(const PortListeners &) = delete;
    ~PortListeners();

    // Binds every request (TCP listens, UDP binds); all or nothing.
    static Result<PortListeners> bind(const QList<PortBinding> &requests);

    const QList<PortBinding> &bound() const { return m_bound; } // with the real host ports
    const QList<int> &fds() const { return m_fds; }             // same order as bound()
    void close();

private:
    QList<PortBinding> m_bound;
    QList<int> m_fds;
};

} // namespace Berth::Engine
