// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QString>
#include <cstdint>

namespace Berth::Engine {

// An IPv4 address in host byte order, with the text form people read.
struct Ipv4 {
    quint32 value = 0;

    static Ipv4 parse(const QString &text, bool *ok = nullptr);
    QString toString() const;
    bool isNull() const { return value == 0; }
    friend bool operator==(Ipv4 a, Ipv4 b) { return a.value == b.value; }
};

// A rtnetlink socket (NETLINK_ROUTE) bound to the network namespace of the thread that opened
// it: links, addresses and routes of that namespace, with the kernel's acknowledgement checked
// for every request. Just enough for Berth's bridge network: bridges, veth pairs (the peer
// created directly in another namespace), IPv4 addresses and a default route. Not thread-safe;
// one per task.
class RouteNetlink {
public:
    static Result<RouteNetlink> open();
    RouteNetlink(RouteNetlink &&other) noexcept;
    RouteNetlink &operator=(RouteNetlink &&other) noexcept;
    RouteNetlink(const RouteNetlink &) = delete;
    RouteNetlink &operator=(const RouteNetlink &) = delete;
    ~RouteNetlink();

    // The interface index of `name`; NotFound when there is no such link.
    Result<int> linkIndex(const QString &name);
    Status createBridge(const QString &name, int mtu);
    // A veth pair: `hostName` here, attached to `masterIndex` (0: none), and its peer
    // `peerName` created inside the namespace `peerNetnsFd` with the MAC address `peerMac`.
    Status createVeth(const QString &hostName, int masterIndex, int mtu, const QString &peerName,
                      int peerNetnsFd, const QByteArray &peerMac);
    Status setUp(int index);
    Status deleteLink(const QString &name); // NotFound when absent
    // EEXIST is success: the address is there either way.
    Status addAddress(int index, Ipv4 address, int prefixLength);
    Status addDefaultRoute(Ipv4 gateway, int outIndex);

private:
    explicit RouteNetlink(int fd)
        : m_fd(fd) {}
    // Sends one request and waits for its acknowledgement; `reply`, when given, receives the
    // payload of the first non-error answer.
    Status request(QByteArray message, QByteArray *reply = nullptr);

    int m_fd = -1;
    quint32 m_sequence = 0;
};

} // namespace Berth::Engine
