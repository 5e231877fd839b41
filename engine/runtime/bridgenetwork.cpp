// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/bridgenetwork.h"

#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/core/usernamespace.h"
#include "engine/runtime/slirpnetwork.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sched.h>
#include <thread>
#include <unistd.h>

namespace Berth::Engine {

namespace {

constexpr quint32 kSubnet = (10u << 24) | (89u << 16); // 10.89.0.0
constexpr int kDefaultMtu = 1500;

QString defaultStateDir() {
    return QStringLiteral("/run/berth/network");
}

// The host-wide lock over the bridge's state (leases, the bridge itself); 0600, as the state.
Result<FileLock> lockHostState(const QString &stateDir) {
    return FileLock::acquire(stateDir + QStringLiteral("/lock"), FileLock::Mode::Exclusive,
                             FileLock::Wait::Block, 0600);
}

// The MTU of the interface the default route leaves through: a container's packets must fit
// the host's path to the outside (1400 on some virtual machines, not Docker's fixed 1500).
int uplinkMtu() {
    QFile routes(QStringLiteral("/proc/net/route"));
    if (!routes.open(QIODevice::ReadOnly))
        return kDefaultMtu;
    for (const QByteArray &line : routes.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() > 2 && fields[1] == "00000000" && fields[0] != "Iface") {
            // sysfs files claim 4096 bytes: read them as a stream.
            QFile mtu(QStringLiteral("/sys/class/net/%1/mtu").arg(QString::fromLatin1(fields[0])));
            const int value = mtu.open(QIODevice::ReadOnly) ? mtu.readAll().trimmed().toInt() : 0;
            return value >= 576 ? value : kDefaultMtu;
        }
    }
    return kDefaultMtu;
}

// A route of the host (other than the bridge's own) that already covers the subnet.
QString conflictingRoute() {
    QFile routes(QStringLiteral("/proc/net/route"));
    if (!routes.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : routes.readAll().split('\n')) {
        const QList<QByteArray> f = line.simplified().split(' ');
        if (f.size() < 8 || f[0] == "Iface" || f[0] == BridgeNetwork::BridgeName)
            continue;
        bool ok1 = false, ok2 = false;
        // The kernel prints the network-order words as native integers.
        const quint32 dest = ntohl(f[1].toUInt(&ok1, 16));
        const quint32 mask = ntohl(f[7].toUInt(&ok2, 16));
        if (!ok1 || !ok2 || mask == 0)
            continue;
        const quint32 ours = ~quint32(0) << (32 - BridgeNetwork::PrefixLength);
        const quint32 common = mask & ours;
        if ((dest & common) == (kSubnet & common))
            return QString::fromLatin1(f[0]);
    }
    return {};
}

Status runIptables(const QStringList &rule) {
    const QString iptables = QStandardPaths::findExecutable(
        QStringLiteral("iptables"),
        {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin"), QStringLiteral("/usr/bin")});
    if (iptables.isEmpty())
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("the bridge network needs iptables for its NAT rule (install "
                                   "the iptables package), or use --network host or none"));
    // -C checks whether the rule exists; only a missing one is added (with `add`).
    auto run = [&](const QStringList &args) {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(iptables, QStringList{QStringLiteral("-w")} + args);
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return qMakePair(-1, QStringLiteral("iptables did not finish"));
        }
        return qMakePair(p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
                         QString::fromUtf8(p.readAll()).trimmed());
    };
    QStringList check = rule;
    check[2] = QStringLiteral("-C");
    if (run(check).first == 0)
        return {};
    const auto added = run(rule);
    if (added.first != 0)
        return fail(
            ErrorKind::Internal,
            QStringLiteral("iptables %1: %2").arg(rule.join(QLatin1Char(' ')), added.second));
    return {};
}

// The address's MAC: stable for an address, so neighbours' ARP caches stay right when an
// address is reused; locally administered, unicast.
QByteArray macFor(Ipv4 address) {
    QByteArray mac(6, '\0');
    mac[0] = char(0x02);
    mac[1] = char(0xbe);
    for (int i = 0; i < 4; ++i)
        mac[2 + i] = char((address.value >> (24 - 8 * i)) & 0xff);
    return mac;
}

QString macText(const QByteArray &mac) {
    QStringList parts;
    for (char c : mac)
        parts.append(QStringLiteral("%1").arg(uchar(c), 2, 16, QLatin1Char('0')));
    return parts.join(QLatin1Char(':'));
}

// Berth's network is IPv4 only: without IPv6 on its links there is no link-local chatter
// (router solicitations, neighbour discovery) on the bridge. Best effort: a kernel without
// IPv6 has nothing to turn off. /proc/sys/net shows the network namespace of the caller.
void disableIpv6(const QString &interface) {
    QFile f(QStringLiteral("/proc/sys/net/ipv6/conf/%1/disable_ipv6").arg(interface));
    if (f.open(QIODevice::WriteOnly))
        f.write("1\n");
}

// A new network namespace, and a netlink socket inside it. Made on a short-lived thread: a
// thread may change its own network namespace without touching the rest of the process.
struct NewNamespace {
    int fd = -1;
    std::optional<RouteNetlink> netlink;
    int error = 0;
    const char *step = "";
    Error failure() const; // what failed, for the caller
};

Error NewNamespace::failure() const {
    return Error{errorKindFromErrno(error),
                 QStringLiteral("%1: %2").arg(QLatin1String(step),
                                              QString::fromLocal8Bit(std::strerror(error)))};
}

NewNamespace makeNamespace() {
    NewNamespace out;
    std::thread worker([&out] {
        if (::unshare(CLONE_NEWNET) != 0) {
            out.error = errno;
            out.step = "unshare(CLONE_NEWNET)";
            return;
        }
        // Links created from now on (eth0) start without IPv6; lo keeps ::1.
        disableIpv6(QStringLiteral("default"));
        out.fd = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (out.fd < 0) {
            out.error = errno;
            out.step = "open /proc/thread-self/ns/net";
            return;
        }
        auto nl = RouteNetlink::open();
        if (!nl) {
            out.error = EIO;
            out.step = "netlink socket in the new namespace";
            return;
        }
        out.netlink.emplace(std::move(*nl));
    });
    worker.join();
    return out;
}

} // namespace

BridgeNetwork::BridgeNetwork(const QString &stateDir)
    : m_stateDir(stateDir.isEmpty() ? defaultStateDir() : stateDir) {}

Ipv4 BridgeNetwork::subnet() {
    return Ipv4{kSubnet};
}

Ipv4 BridgeNetwork::gateway() {
    return Ipv4{kSubnet | 1};
}

QString BridgeNetwork::vethName(const QString &containerId) {
    return QStringLiteral("vb") + containerId.left(12); // within IFNAMSIZ
}

bool BridgeNetwork::holdsLease(const QString &containerDir) {
    return QFileInfo::exists(containerDir + QLatin1Char('/') + QLatin1String(LeaseFile));
}

QString BridgeNetwork::leasePath(Ipv4 address) const {
    return m_stateDir + QStringLiteral("/bridge/") + address.toString();
}

BridgeNetwork::Attachment::Attachment(Attachment &&other) noexcept
    : m_netnsFd(std::exchange(other.m_netnsFd, -1))
    , m_settings(std::move(other.m_settings)) {}

BridgeNetwork::Attachment &BridgeNetwork::Attachment::operator=(Attachment &&other) noexcept {
    if (this != &other) {
        closeNamespace();
        m_netnsFd = std::exchange(other.m_netnsFd, -1);
        m_settings = std::move(other.m_settings);
    }
    return *this;
}

BridgeNetwork::Attachment::~Attachment() {
    closeNamespace();
}

void BridgeNetwork::Attachment::closeNamespace() {
    if (m_netnsFd >= 0)
        ::close(m_netnsFd);
    m_netnsFd = -1;
}

QString BridgeNetwork::Attachment::namespacePath() const {
    return QStringLiteral("/proc/%1/fd/%2").arg(::getpid()).arg(m_netnsFd);
}

Status BridgeNetwork::ensureBridge(RouteNetlink &host, int &bridgeIndex) {
    const QString bridge = QString::fromLatin1(BridgeName);
    auto index = host.linkIndex(bridge);
    if (!index && index.error().kind != ErrorKind::NotFound)
        return fail(index.error());
    if (!index) {
        if (const QString route = conflictingRoute(); !route.isEmpty())
            return fail(ErrorKind::Conflict,
                        QStringLiteral("cannot create the bridge network: its subnet %1/%2 "
                                       "overlaps a route of the host via %3")
                            .arg(subnet().toString())
                            .arg(PrefixLength)
                            .arg(route));
        if (auto st = host.createBridge(bridge, uplinkMtu());
            !st && st.error().kind != ErrorKind::AlreadyExists)
            return st;
        disableIpv6(bridge);
        index = host.linkIndex(bridge);
        if (!index)
            return fail(index.error());
    }
    bridgeIndex = *index;
    // Idempotent: cheap enough to assert on every start.
    if (auto st = host.addAddress(bridgeIndex, gateway(), PrefixLength); !st)
        return st;
    if (auto st = host.setUp(bridgeIndex); !st)
        return st;
    // The host side, once per boot (the marker lives on tmpfs like the bridge): forwarding on,
    // the subnet NATed to the outside, and forwarding to and from the bridge accepted even when
    // the host's FORWARD policy drops.
    const QString marker = m_stateDir + QStringLiteral("/nat-ready");
    if (QFileInfo::exists(marker))
        return {};
    QFile forward(QStringLiteral("/proc/sys/net/ipv4/ip_forward"));
    if (!forward.open(QIODevice::WriteOnly) || forward.write("1\n") != 2)
        return fail(ErrorKind::PermissionDenied,
                    QStringLiteral("cannot enable IPv4 forwarding: %1").arg(forward.errorString()));
    forward.close();
    const QString cidr = QStringLiteral("%1/%2").arg(subnet().toString()).arg(PrefixLength);
    const QString comment = QStringLiteral("berth bridge network");
    const QStringList rules[] = {
        {QStringLiteral("-t"), QStringLiteral("nat"), QStringLiteral("-A"),
         QStringLiteral("POSTROUTING"), QStringLiteral("-s"), cidr, QStringLiteral("!"),
         QStringLiteral("-o"), bridge, QStringLiteral("-m"), QStringLiteral("comment"),
         QStringLiteral("--comment"), comment, QStringLiteral("-j"), QStringLiteral("MASQUERADE")},
        {QStringLiteral("-t"), QStringLiteral("filter"), QStringLiteral("-I"),
         QStringLiteral("FORWARD"), QStringLiteral("-i"), bridge, QStringLiteral("-m"),
         QStringLiteral("comment"), QStringLiteral("--comment"), comment, QStringLiteral("-j"),
         QStringLiteral("ACCEPT")},
        {QStringLiteral("-t"), QStringLiteral("filter"), QStringLiteral("-I"),
         QStringLiteral("FORWARD"), QStringLiteral("-o"), bridge, QStringLiteral("-m"),
         QStringLiteral("conntrack"), QStringLiteral("--ctstate"),
         QStringLiteral("RELATED,ESTABLISHED"), QStringLiteral("-m"), QStringLiteral("comment"),
         QStringLiteral("--comment"), comment, QStringLiteral("-j"), QStringLiteral("ACCEPT")},
    };
    for (const QStringList &rule : rules)
        if (auto st = runIptables(rule); !st)
            return st;
    return writeFileAtomically(marker, "1\n");
}

bool BridgeNetwork::isStale(const QString &leasePath, Ipv4 address) const {
    const QString owner =
        QString::fromUtf8(readFileLimited(leasePath, 4096).value_or(QByteArray()).trimmed());
    if (owner.isEmpty() || !QFileInfo(owner).isDir())
        return true; // written half, or its container (or whole store) is gone
    const QByteArray pointer =
        readFileLimited(owner + QLatin1Char('/') + QLatin1String(LeaseFile), 4096)
            .value_or(QByteArray());
    if (pointer.split(' ').value(0).trimmed() != address.toString().toLatin1())
        return true; // the owner has moved on
    // Neither running (a shim holds shim.lock) nor being started or stopped (op.lock).
    // Their holders hold them exclusive; a shared probe does not see other probes or waiters.
    return !FileLock::isBusy(owner + QStringLiteral("/op.lock"), FileLock::Mode::Shared) &&
           !FileLock::isBusy(owner + QStringLiteral("/shim.lock"), FileLock::Mode::Shared);
}

Result<Ipv4> BridgeNetwork::allocate(const QString &containerDir, const QString &veth) {
    const QString leases = m_stateDir + QStringLiteral("/bridge");
    if (auto st = makeDirectories(leases); !st)
        return fail(st.error());
    // Round-robin from the last address handed out, so a released address is not reused at
    // once (connections to the old container time out rather than reach a new one).
    const quint32 hostBits = ~(~quint32(0) << (32 - PrefixLength));
    const QString lastFile = leases + QStringLiteral("/last");
    bool ok = false;
    quint32 last = Ipv4::parse(QString::fromLatin1(
                                   readFileLimited(lastFile, 64).value_or(QByteArray()).trimmed()),
                               &ok)
                       .value &
                   hostBits;
    if (!ok)
        last = 1;
    // The lease's content is written once into an anonymous file, which is then linked under
    // the address's name: a lease is never seen half-written, and a crash leaves no stray file.
    const int content =
        ::open(QFile::encodeName(leases).constData(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (content < 0)
        return failErrno(QStringLiteral("lease in %1").arg(leases), errno);
    const QByteArray owner = QFile::encodeName(containerDir) + '\n';
    const bool written = ::write(content, owner.constData(), size_t(owner.size())) == owner.size();
    const QByteArray contentPath = "/proc/self/fd/" + QByteArray::number(content);
    // The container's pointer names the address before the lease exists, so whoever cleans up
    // after a crash in between finds it (a pointer to a lease that is not ours is harmless).
    const QString pointer = containerDir + QLatin1Char('/') + QLatin1String(LeaseFile);
    // Fails with the reason (a full disk: "No space left on device") and leaves no .tmp.
    auto writePointer = [&](Ipv4 address) -> Status {
        QFile f(pointer + QStringLiteral(".tmp"));
        const bool written = f.open(QIODevice::WriteOnly | QIODevice::Truncate) &&
                             f.write(address.toString().toLatin1() + ' ' + veth.toLatin1()) > 0 &&
                             f.flush();
        const QString why = f.errorString();
        f.close();
        if (written && QFile::rename(f.fileName(), pointer))
            return {};
        QFile::remove(f.fileName());
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("cannot write %1: %2")
                        .arg(pointer, written ? QStringLiteral("rename failed") : why));
    };
    for (quint32 step = 1; written && step <= hostBits; ++step) {
        const quint32 host = (last + step) & hostBits;
        if (host <= 1 || host == hostBits)
            continue; // the network, the gateway, the broadcast address
        const Ipv4 address{kSubnet | host};
        const QString path = leasePath(address);
        const QByteArray encoded = QFile::encodeName(path);
        const bool taken = QFileInfo::exists(path);
        if (taken && !isStale(path, address))
            continue;
        QFile::remove(pointer); // QFile::rename does not replace
        if (auto st = writePointer(address); !st) {
            ::close(content);
            return fail(st.error());
        }
        if (taken)
            ::unlink(encoded.constData());
        if (::linkat(AT_FDCWD, contentPath.constData(), AT_FDCWD, encoded.constData(),
                     AT_SYMLINK_FOLLOW) != 0) {
            if (errno == EEXIST)
                continue;
            const int err = errno;
            ::close(content);
            QFile::remove(pointer);
            return failErrno(QStringLiteral("lease %1").arg(path), err);
        }
        ::close(content);
        // A hint for the next allocation: tmpfs, no need to sync.
        QFile hint(lastFile);
        if (hint.open(QIODevice::WriteOnly | QIODevice::Truncate))
            hint.write(address.toString().toLatin1());
        return address;
    }
    ::close(content);
    QFile::remove(pointer);
    if (!written)
        return failErrno(QStringLiteral("write a lease in %1").arg(leases), errno);
    return fail(ErrorKind::Unavailable,
                QStringLiteral("no free address left in the bridge network %1/%2")
                    .arg(subnet().toString())
                    .arg(PrefixLength));
}

Result<BridgeNetwork::Attachment> BridgeNetwork::attach(const QString &containerId,
                                                        const QString &containerDir) {
    if (!UserNamespace::hostRoot())
        return attachSlirp(containerId, containerDir);
    if (auto st = makeDirectories(m_stateDir); !st)
        return fail(st.error());
    auto host = RouteNetlink::open();
    if (!host)
        return fail(host.error());
    const QString veth = vethName(containerId);
    int bridgeIndex = 0;
    Ipv4 address;
    {
        auto lock = lockHostState(m_stateDir);
        if (!lock)
            return fail(lock.error());
        if (auto st = ensureBridge(*host, bridgeIndex); !st)
            return fail(st.error().withContext(QStringLiteral("bridge network")));
        auto leased = allocate(containerDir, veth);
        if (!leased)
            return fail(leased.error());
        address = *leased;
    }
    Attachment out;
    auto failed = [&](const Error &e) -> Result<Attachment> {
        out.closeNamespace();
        release(containerDir);
        return fail(e.withContext(QStringLiteral("connect to the bridge network")));
    };
    NewNamespace ns = makeNamespace();
    out.m_netnsFd = ns.fd;
    if (ns.error != 0 || !ns.netlink)
        return failed(ns.failure());
    // A veth of an earlier run the kernel has not deleted yet would block the name.
    host->deleteLink(veth);
    const QByteArray mac = macFor(address);
    const int mtu = uplinkMtu();
    if (auto st = host->createVeth(veth, bridgeIndex, mtu, QStringLiteral("eth0"), ns.fd, mac); !st)
        return failed(st.error());
    auto hostSide = host->linkIndex(veth);
    if (!hostSide)
        return failed(hostSide.error());
    disableIpv6(veth);
    if (auto st = host->setUp(*hostSide); !st)
        return failed(st.error());
    RouteNetlink &inside = *ns.netlink;
    auto lo = inside.linkIndex(QStringLiteral("lo"));
    auto eth0 = inside.linkIndex(QStringLiteral("eth0"));
    if (!lo)
        return failed(lo.error());
    if (!eth0)
        return failed(eth0.error());
    for (auto st : {inside.setUp(*lo), inside.addAddress(*eth0, address, PrefixLength),
                    inside.setUp(*eth0), inside.addDefaultRoute(gateway(), *eth0)})
        if (!st)
            return failed(st.error());
    out.m_settings.network = QString::fromLatin1(NetworkName);
    out.m_settings.ipAddress = address.toString();
    out.m_settings.prefixLength = PrefixLength;
    out.m_settings.gateway = gateway().toString();
    out.m_settings.macAddress = macText(mac);
    return out;
}

Result<BridgeNetwork::Attachment> BridgeNetwork::attachSlirp(const QString &containerId,
                                                             const QString &containerDir) {
    Attachment out;
    auto failed = [&](const Error &e) -> Result<Attachment> {
        out.closeNamespace();
        return fail(e.withContext(QStringLiteral("connect to the network")));
    };
    NewNamespace ns = makeNamespace();
    out.m_netnsFd = ns.fd;
    if (ns.error != 0 || !ns.netlink)
        return failed(ns.failure());
    auto lo = ns.netlink->linkIndex(QStringLiteral("lo"));
    if (!lo)
        return failed(lo.error());
    if (auto st = ns.netlink->setUp(*lo); !st)
        return failed(st.error());
    auto record =
        Slirp::start(containerId, ns.fd, containerDir + QStringLiteral("/slirp4netns.log"));
    if (!record)
        return failed(record.error());
    if (auto st = writeFileAtomically(containerDir + QLatin1Char('/') + QLatin1String(LeaseFile),
                                      *record + '\n');
        !st) {
        Slirp::stop(*record);
        return failed(st.error());
    }
    out.m_settings.network = QString::fromLatin1(NetworkName);
    out.m_settings.ipAddress = QString::fromLatin1(Slirp::Address);
    out.m_settings.prefixLength = Slirp::PrefixLength;
    out.m_settings.gateway = QString::fromLatin1(Slirp::Gateway);
    return out;
}

Status BridgeNetwork::publish(const QString &containerDir, const QList<PortBinding> &ports) {
    if (ports.isEmpty())
        return {};
    auto data = readFileLimited(containerDir + QLatin1Char('/') + QLatin1String(LeaseFile), 4096);
    if (!data || !data->startsWith(Slirp::RecordPrefix))
        return {};
    return Slirp::forward(*data, ports);
}

Status BridgeNetwork::release(const QString &containerDir) {
    const QString pointer = containerDir + QLatin1Char('/') + QLatin1String(LeaseFile);
    auto data = readFileLimited(pointer, 4096);
    if (!data)
        return data.error().kind == ErrorKind::NotFound ? Status{} : fail(data.error());
    if (data->startsWith(Slirp::RecordPrefix)) {
        Slirp::stop(*data);
        QFile::remove(pointer);
        return {};
    }
    const QList<QByteArray> parts = data->trimmed().split(' ');
    const QString veth = QString::fromLatin1(parts.value(1));
    if (!veth.isEmpty()) {
        auto host = RouteNetlink::open();
        if (!host)
            return fail(host.error());
        if (auto st = host->deleteLink(veth); !st && st.error().kind != ErrorKind::NotFound)
            return fail(st.error().withContext(QStringLiteral("release the container's network")));
    }
    bool ok = false;
    const Ipv4 address = Ipv4::parse(QString::fromLatin1(parts.value(0)), &ok);
    if (ok) {
        auto lock = lockHostState(m_stateDir);
        const QString path = leasePath(address);
        // Only our own lease: a stale one may have been taken over by another container.
        const QByteArray owner = readFileLimited(path, 4096).value_or(QByteArray()).trimmed();
        if (owner == QFile::encodeName(containerDir))
            QFile::remove(path);
    }
    QFile::remove(pointer);
    return {};
}

} // namespace Berth::Engine
