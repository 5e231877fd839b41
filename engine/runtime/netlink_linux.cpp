// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/netlink_linux.h"

#include <QStringList>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Berth::Engine {

Ipv4 Ipv4::parse(const QString &text, bool *ok) {
    in_addr a{};
    const bool good = ::inet_pton(AF_INET, text.toLatin1().constData(), &a) == 1;
    if (ok)
        *ok = good;
    return Ipv4{good ? ntohl(a.s_addr) : 0};
}

QString Ipv4::toString() const {
    return QStringLiteral("%1.%2.%3.%4")
        .arg(value >> 24)
        .arg((value >> 16) & 0xff)
        .arg((value >> 8) & 0xff)
        .arg(value & 0xff);
}

namespace {

// A netlink message under construction: header, fixed part, then attributes (nested ones
// are opened and closed around their children).
class Message {
public:
    Message(quint16 type, quint16 flags) {
        nlmsghdr h{};
        h.nlmsg_type = type;
        h.nlmsg_flags = flags;
        m_data.append(reinterpret_cast<const char *>(&h), sizeof h);
    }
    template <typename T> void fixed(const T &body) { append(&body, sizeof body); }
    void attribute(quint16 type, const void *data, size_t size) {
        rtattr a{};
        a.rta_type = type;
        a.rta_len = quint16(RTA_LENGTH(size));
        append(&a, sizeof a);
        append(data, size);
    }
    void attribute(quint16 type, const QString &text) {
        const QByteArray bytes = text.toUtf8();
        attribute(type, bytes.constData(), size_t(bytes.size()) + 1); // with its NUL
    }
    template <typename T> void attributeValue(quint16 type, T value) {
        attribute(type, &value, sizeof value);
    }
    qsizetype begin(quint16 type) {
        const qsizetype at = m_data.size();
        attribute(type, nullptr, 0);
        return at;
    }
    void end(qsizetype at) {
        auto *a = reinterpret_cast<rtattr *>(m_data.data() + at);
        a->rta_len = quint16(m_data.size() - at);
    }
    QByteArray finish(quint32 sequence) {
        auto *h = reinterpret_cast<nlmsghdr *>(m_data.data());
        h->nlmsg_len = quint32(m_data.size());
        h->nlmsg_seq = sequence;
        return m_data;
    }

private:
    void append(const void *data, size_t size) {
        if (size)
            m_data.append(static_cast<const char *>(data), qsizetype(size));
        // Every part is padded to the netlink alignment.
        while (m_data.size() % NLMSG_ALIGNTO)
            m_data.append('\0');
    }
    QByteArray m_data;
};

constexpr quint16 kCreate = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
constexpr quint16 kChange = NLM_F_REQUEST | NLM_F_ACK;

} // namespace

Result<RouteNetlink> RouteNetlink::open() {
    const int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return failErrno(QStringLiteral("netlink socket"), errno);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&local), sizeof local) != 0) {
        const int err = errno;
        ::close(fd);
        return failErrno(QStringLiteral("bind netlink socket"), err);
    }
    // Errors are answered with the request's header only, so replies stay small.
    const int one = 1;
    ::setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    ::setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    return RouteNetlink(fd);
}

RouteNetlink::RouteNetlink(RouteNetlink &&other) noexcept
    : m_fd(std::exchange(other.m_fd, -1))
    , m_sequence(other.m_sequence) {}

RouteNetlink &RouteNetlink::operator=(RouteNetlink &&other) noexcept {
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_sequence = other.m_sequence;
    }
    return *this;
}

RouteNetlink::~RouteNetlink() {
    if (m_fd >= 0)
        ::close(m_fd);
}

Status RouteNetlink::request(QByteArray message, QByteArray *reply) {
    const quint32 sequence = ++m_sequence;
    reinterpret_cast<nlmsghdr *>(message.data())->nlmsg_seq = sequence;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(m_fd, message.constData(), size_t(message.size()), 0,
                 reinterpret_cast<sockaddr *>(&kernel), sizeof kernel) < 0)
        return failErrno(QStringLiteral("netlink send"), errno);
    QByteArray buffer(65536, Qt::Uninitialized);
    for (;;) {
        const ssize_t n = ::recv(m_fd, buffer.data(), size_t(buffer.size()), 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return failErrno(QStringLiteral("netlink receive"), errno);
        }
        int remaining = int(n);
        for (auto *h = reinterpret_cast<nlmsghdr *>(buffer.data()); NLMSG_OK(h, remaining);
             h = NLMSG_NEXT(h, remaining)) {
            if (h->nlmsg_seq != sequence)
                continue; // a late answer to an earlier request
            if (h->nlmsg_type == NLMSG_ERROR) {
                const auto *e = static_cast<const nlmsgerr *>(NLMSG_DATA(h));
                if (e->error == 0)
                    return {};
                if (e->error == -ENODEV)
                    return fail(ErrorKind::NotFound, QStringLiteral("no such network device"));
                return failErrno(QStringLiteral("netlink"), -e->error);
            }
            if (reply && reply->isEmpty())
                *reply = QByteArray(static_cast<const char *>(NLMSG_DATA(h)),
                                    qsizetype(h->nlmsg_len - NLMSG_HDRLEN));
        }
    }
}

Result<int> RouteNetlink::linkIndex(const QString &name) {
    Message m(RTM_GETLINK, kChange);
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    m.fixed(info);
    m.attribute(IFLA_IFNAME, name);
    QByteArray reply;
    if (auto st = request(m.finish(0), &reply); !st) {
        if (st.error().kind == ErrorKind::NotFound)
            return fail(ErrorKind::NotFound, QStringLiteral("no network link %1").arg(name));
        return fail(st.error().withContext(QStringLiteral("look up link %1").arg(name)));
    }
    if (reply.size() < qsizetype(sizeof(ifinfomsg)))
        return fail(ErrorKind::Internal, QStringLiteral("look up link %1: short answer").arg(name));
    return reinterpret_cast<const ifinfomsg *>(reply.constData())->ifi_index;
}

Status RouteNetlink::createBridge(const QString &name, int mtu) {
    Message m(RTM_NEWLINK, kCreate);
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    m.fixed(info);
    m.attribute(IFLA_IFNAME, name);
    if (mtu > 0)
        m.attributeValue<quint32>(IFLA_MTU, quint32(mtu));
    const qsizetype linkInfo = m.begin(IFLA_LINKINFO);
    m.attribute(IFLA_INFO_KIND, QStringLiteral("bridge"));
    m.end(linkInfo);
    if (auto st = request(m.finish(0)); !st)
        return fail(st.error().withContext(QStringLiteral("create bridge %1").arg(name)));
    return {};
}

Status RouteNetlink::createVeth(const QString &hostName, int masterIndex, int mtu,
                                const QString &peerName, int peerNetnsFd,
                                const QByteArray &peerMac) {
    Message m(RTM_NEWLINK, kCreate);
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    m.fixed(info);
    m.attribute(IFLA_IFNAME, hostName);
    if (mtu > 0)
        m.attributeValue<quint32>(IFLA_MTU, quint32(mtu));
    if (masterIndex > 0)
        m.attributeValue<quint32>(IFLA_MASTER, quint32(masterIndex));
    const qsizetype linkInfo = m.begin(IFLA_LINKINFO);
    m.attribute(IFLA_INFO_KIND, QStringLiteral("veth"));
    const qsizetype data = m.begin(IFLA_INFO_DATA);
    const qsizetype peer = m.begin(VETH_INFO_PEER);
    ifinfomsg peerInfo{};
    peerInfo.ifi_family = AF_UNSPEC;
    m.fixed(peerInfo);
    m.attribute(IFLA_IFNAME, peerName);
    if (mtu > 0)
        m.attributeValue<quint32>(IFLA_MTU, quint32(mtu));
    m.attributeValue<qint32>(IFLA_NET_NS_FD, qint32(peerNetnsFd));
    if (!peerMac.isEmpty())
        m.attribute(IFLA_ADDRESS, peerMac.constData(), size_t(peerMac.size()));
    m.end(peer);
    m.end(data);
    m.end(linkInfo);
    if (auto st = request(m.finish(0)); !st)
        return fail(st.error().withContext(QStringLiteral("create veth %1").arg(hostName)));
    return {};
}

Status RouteNetlink::setUp(int index) {
    Message m(RTM_NEWLINK, kChange);
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = index;
    info.ifi_flags = IFF_UP;
    info.ifi_change = IFF_UP;
    m.fixed(info);
    if (auto st = request(m.finish(0)); !st)
        return fail(st.error().withContext(QStringLiteral("set link %1 up").arg(index)));
    return {};
}

Status RouteNetlink::deleteLink(const QString &name) {
    Message m(RTM_DELLINK, kChange);
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    m.fixed(info);
    m.attribute(IFLA_IFNAME, name);
    if (auto st = request(m.finish(0)); !st) {
        if (st.error().kind == ErrorKind::NotFound)
            return fail(ErrorKind::NotFound, QStringLiteral("no network link %1").arg(name));
        return fail(st.error().withContext(QStringLiteral("delete link %1").arg(name)));
    }
    return {};
}

Status RouteNetlink::addAddress(int index, Ipv4 address, int prefixLength) {
    Message m(RTM_NEWADDR, kCreate);
    ifaddrmsg info{};
    info.ifa_family = AF_INET;
    info.ifa_prefixlen = quint8(prefixLength);
    info.ifa_scope = RT_SCOPE_UNIVERSE;
    info.ifa_index = quint32(index);
    m.fixed(info);
    const quint32 local = htonl(address.value);
    const quint32 mask = prefixLength == 0 ? 0 : ~quint32(0) << (32 - prefixLength);
    const quint32 broadcast = htonl(address.value | ~mask);
    m.attributeValue(IFA_LOCAL, local);
    m.attributeValue(IFA_ADDRESS, local);
    m.attributeValue(IFA_BROADCAST, broadcast);
    if (auto st = request(m.finish(0)); !st) {
        if (st.error().kind == ErrorKind::AlreadyExists)
            return {};
        return fail(st.error().withContext(
            QStringLiteral("add address %1/%2").arg(address.toString()).arg(prefixLength)));
    }
    return {};
}

Status RouteNetlink::addDefaultRoute(Ipv4 gateway, int outIndex) {
    Message m(RTM_NEWROUTE, kCreate);
    rtmsg info{};
    info.rtm_family = AF_INET;
    info.rtm_table = RT_TABLE_MAIN;
    info.rtm_protocol = RTPROT_BOOT;
    info.rtm_scope = RT_SCOPE_UNIVERSE;
    info.rtm_type = RTN_UNICAST;
    m.fixed(info);
    m.attributeValue<quint32>(RTA_GATEWAY, htonl(gateway.value));
    m.attributeValue<quint32>(RTA_OIF, quint32(outIndex));
    if (auto st = request(m.finish(0)); !st)
        return fail(st.error().withContext(
            QStringLiteral("add default route via %1").arg(gateway.toString())));
    return {};
}

} // namespace Berth::Engine
