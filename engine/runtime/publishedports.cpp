// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/publishedports.h"

#include <QSet>
#include <arpa/inet.h>
#include <cerrno>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

struct PortRange {
    int first = 0;
    int last = 0;
    int size() const { return last - first + 1; }
};

// "80" or "8000-8010"; `allowZero` for a host port that may be left to the kernel.
bool parseRange(const QString &text, PortRange &out) {
    const QStringList bounds = text.split(QLatin1Char('-'));
    if (bounds.size() > 2)
        return false;
    bool ok1 = false, ok2 = false;
    out.first = bounds[0].toInt(&ok1);
    out.last = bounds.size() == 2 ? bounds[1].toInt(&ok2) : out.first;
    if (bounds.size() == 1)
        ok2 = true;
    return ok1 && ok2 && out.first >= 1 && out.last <= 65535 && out.first <= out.last;
}

bool validProtocol(const QString &p) {
    return p == QLatin1String("tcp") || p == QLatin1String("udp");
}

bool isIpv6(const QString &ip) {
    return ip.contains(QLatin1Char(':'));
}

// A socket address for `ip` (empty = every IPv4 address) and `port`.
bool socketAddress(const QString &ip, int port, sockaddr_storage &out, socklen_t &length) {
    out = {};
    if (isIpv6(ip)) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&out);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(quint16(port));
        length = sizeof *a;
        return ::inet_pton(AF_INET6, ip.toLatin1().constData(), &a->sin6_addr) == 1;
    }
    auto *a = reinterpret_cast<sockaddr_in *>(&out);
    a->sin_family = AF_INET;
    a->sin_port = htons(quint16(port));
    length = sizeof *a;
    if (ip.isEmpty()) {
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        return true;
    }
    return ::inet_pton(AF_INET, ip.toLatin1().constData(), &a->sin_addr) == 1;
}

} // namespace

Result<QList<PortBinding>> parsePublishOption(const QString &text) {
    auto invalid = [&](const QString &why) {
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid published port \"%1\": %2").arg(text, why));
    };
    QString rest = text.trimmed();
    QString protocol = QStringLiteral("tcp");
    if (const qsizetype slash = rest.lastIndexOf(QLatin1Char('/')); slash >= 0) {
        protocol = rest.mid(slash + 1).toLower();
        rest = rest.left(slash);
        if (!validProtocol(protocol))
            return invalid(QStringLiteral("the protocol must be tcp or udp"));
    }
    QString ip;
    if (rest.startsWith(QLatin1Char('['))) {
        const qsizetype close = rest.indexOf(QLatin1Char(']'));
        if (close < 0 || rest.mid(close + 1, 1) != QLatin1String(":"))
            return invalid(QStringLiteral("an IPv6 address is written [ADDRESS]:HOSTPORT:PORT"));
        ip = rest.mid(1, close - 1);
        rest = rest.mid(close + 2);
        if (!rest.contains(QLatin1Char(':')))
            return invalid(QStringLiteral("missing the container port"));
    }
    QStringList parts = rest.split(QLatin1Char(':'));
    if (parts.size() > 3 || (!ip.isEmpty() && parts.size() != 2))
        return invalid(QStringLiteral("expected [IP:]HOSTPORT:CONTAINERPORT"));
    if (parts.size() == 3)
        ip = parts.takeFirst();
    const QString hostText = parts.size() == 2 ? parts[0] : QString();
    const QString containerText = parts.last();
    PortRange container;
    if (!parseRange(containerText, container))
        return invalid(
            QStringLiteral("\"%1\" is not a port or port range (1-65535)").arg(containerText));
    PortRange host{0, 0};
    if (!hostText.isEmpty()) {
        if (!parseRange(hostText, host))
            return invalid(
                QStringLiteral("\"%1\" is not a port or port range (1-65535)").arg(hostText));
        if (host.size() != container.size())
            return invalid(QStringLiteral("the host and container port ranges differ in size"));
    }
    if (!ip.isEmpty()) {
        sockaddr_storage addr;
        socklen_t length = 0;
        if (!socketAddress(ip, 0, addr, length))
            return invalid(QStringLiteral("\"%1\" is not an IP address").arg(ip));
    }
    QList<PortBinding> out;
    for (int i = 0; i < container.size(); ++i) {
        PortBinding b;
        b.protocol = protocol;
        b.containerPort = container.first + i;
        b.hostIp = ip;
        b.hostPort = hostText.isEmpty() ? 0 : host.first + i;
        out.append(b);
    }
    return out;
}

Result<QStringList> parseExposedPorts(const QString &text) {
    QString rest = text.trimmed();
    QString protocol = QStringLiteral("tcp");
    if (const qsizetype slash = rest.indexOf(QLatin1Char('/')); slash >= 0) {
        protocol = rest.mid(slash + 1).toLower();
        rest = rest.left(slash);
    }
    PortRange range;
    if (!validProtocol(protocol) || !parseRange(rest, range))
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("invalid exposed port \"%1\" (PORT[-PORT][/tcp|udp])").arg(text));
    QStringList out;
    for (int p = range.first; p <= range.last; ++p)
        out.append(QString::number(p) + QLatin1Char('/') + protocol);
    return out;
}

QList<PortBinding> requestedPorts(const ContainerSpec &spec) {
    QList<PortBinding> out = spec.portBindings;
    if (!spec.publishAll)
        return out;
    QSet<QString> published;
    for (const PortBinding &b : spec.portBindings)
        published.insert(b.key());
    for (const QString &exposed : spec.exposedPorts) {
        if (published.contains(exposed))
            continue;
        PortBinding b;
        b.containerPort = exposed.section(QLatin1Char('/'), 0, 0).toInt();
        b.protocol = exposed.section(QLatin1Char('/'), 1).isEmpty()
                         ? QStringLiteral("tcp")
                         : exposed.section(QLatin1Char('/'), 1);
        if (b.containerPort > 0)
            out.append(b);
    }
    return out;
}

QString portsSummary(const ContainerSpec &spec, const NetworkSettings &network) {
    QStringList parts;
    QSet<QString> shown;
    for (const PortBinding &b : network.ports) {
        const QString ip =
            isIpv6(b.hostIp) ? QLatin1Char('[') + b.hostIp + QLatin1Char(']') : b.hostIp;
        parts.append(QStringLiteral("%1:%2->%3").arg(ip).arg(b.hostPort).arg(b.key()));
        shown.insert(b.key());
    }
    for (const QString &exposed : spec.exposedPorts)
        if (!shown.contains(exposed))
            parts.append(exposed);
    return parts.join(QStringLiteral(", "));
}

PortListeners::PortListeners(PortListeners &&other) noexcept
    : m_bound(std::move(other.m_bound))
    , m_fds(std::exchange(other.m_fds, {})) {}

PortListeners &PortListeners::operator=(PortListeners &&other) noexcept {
    if (this != &other) {
        close();
        m_bound = std::move(other.m_bound);
        m_fds = std::exchange(other.m_fds, {});
    }
    return *this;
}

PortListeners::~PortListeners() {
    close();
}

void PortListeners::close() {
    for (int fd : std::as_const(m_fds))
        ::close(fd);
    m_fds.clear();
    m_bound.clear();
}

Result<PortListeners> PortListeners::bind(const QList<PortBinding> &requests) {
    PortListeners out;
    for (const PortBinding &request : requests) {
        const bool udp = request.protocol == QLatin1String("udp");
        sockaddr_storage addr;
        socklen_t length = 0;
        if (!socketAddress(request.hostIp, request.hostPort, addr, length))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid host address %1").arg(request.hostIp));
        const int fd = ::socket(addr.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return failErrno(QStringLiteral("socket"), errno);
        const int one = 1;
        // A restarted container gets its port back although old connections linger.
        if (!udp)
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (isIpv6(request.hostIp))
            ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        const QString where =
            QStringLiteral("%1:%2")
                .arg(request.hostIp.isEmpty() ? QStringLiteral("0.0.0.0") : request.hostIp)
                .arg(request.hostPort);
        if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), length) != 0 ||
            (!udp && ::listen(fd, 128) != 0)) {
            const int err = errno;
            ::close(fd);
            if (err == EADDRINUSE)
                return fail(ErrorKind::Conflict,
                            QStringLiteral("Bind for %1/%2 failed: port is already allocated")
                                .arg(where, request.protocol));
            return failErrno(QStringLiteral("Bind for %1/%2").arg(where, request.protocol), err);
        }
        sockaddr_storage actual{};
        socklen_t actualLength = sizeof actual;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&actual), &actualLength);
        PortBinding bound = request;
        bound.hostPort = ntohs(actual.ss_family == AF_INET6
                                   ? reinterpret_cast<sockaddr_in6 *>(&actual)->sin6_port
                                   : reinterpret_cast<sockaddr_in *>(&actual)->sin_port);
        if (bound.hostIp.isEmpty())
            bound.hostIp = QStringLiteral("0.0.0.0");
        out.m_fds.append(fd);
        out.m_bound.append(bound);
    }
    return out;
}

} // namespace Berth::Engine
