// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerstore.h"
#include "engine/runtime/netlink_linux.h"

#include <QString>

namespace Berth::Engine {

// Berth's default network, like Docker's "bridge": one Linux bridge, berth0, with the private
// subnet 10.89.0.0/16 and the host as gateway (10.89.0.1); each container gets its own network
// namespace with a veth pair (eth0 inside, vb<id> on the bridge), an address from a small IPAM
// and a default route; a single MASQUERADE rule (iptables, created once with the bridge) NATs
// the subnet to the outside. Published ports need no firewall rule: berth-shim proxies them
// from the host (see shim/portproxy.h), which also makes 127.0.0.1 work.
//
// The bridge and the addresses are host resources, shared by every store on the host, so the
// IPAM lives in host-wide runtime state (/run/berth/network, tmpfs: gone after a reboot, like
// the bridge): one lease file per address naming the container directory that holds it, taken
// with O_EXCL under a host-wide lock. The container directory keeps a pointer
// (network.lease: "address veth") so release() needs no scan.
//
// Nothing outlives a container's run by design: the namespace is only held by an fd of the
// process that starts the container (runc joins it through /proc/<pid>/fd/<n>) and then by the
// container's processes, so when they end the kernel deletes the namespace and the veth pair
// with it; release() deletes the veth at once anyway and frees the address. A lease whose
// owner directory is gone, or whose container is neither running nor being operated on (its
// shim.lock and op.lock are free), is stale and is taken over by the next allocation.
class BridgeNetwork {
public:
    static constexpr const char *NetworkName = "bridge";
    static constexpr const char *BridgeName = "berth0";
    static constexpr const char *LeaseFile = "network.lease"; // in the container directory
    static constexpr int PrefixLength = 16;

    // `stateDir`: where leases live; "" = the host-wide default (/run/berth/network).
    explicit BridgeNetwork(const QString &stateDir = QString());

    static Ipv4 subnet();
    static Ipv4 gateway();

    // One container's network while it is being started: owns the namespace fd (close it once
    // the runtime has joined it; the container holds the namespace from then on).
    class Attachment {
    public:
        Attachment() = default;
        Attachment(Attachment &&other) noexcept;
        Attachment &operator=(Attachment &&other) noexcept;
        Attachment(const Attachment &) = delete;
        Attachment &operator=(const Attachment &) = delete;
        ~Attachment();

        int namespaceFd() const { return m_netnsFd; }
        // The path the OCI runtime opens to join the namespace.
        QString namespacePath() const;
        const NetworkSettings &settings() const { return m_settings; }
        void closeNamespace();

    private:
        friend class BridgeNetwork;
        int m_netnsFd = -1;
        NetworkSettings m_settings;
    };

    // Creates the bridge when missing (and its NAT rule), leases an address for the container
    // whose directory is `containerDir`, and builds its namespace: lo up, eth0 with the address,
    // default route via the bridge. Nothing is left behind on failure.
    // Rootless (not the host's root), the same network through slirp4netns instead
    // (slirpnetwork.h): the container's own namespace, 10.0.2.100/24 via 10.0.2.2.
    Result<Attachment> attach(const QString &containerId, const QString &containerDir);
    // Rootless: has slirp4netns forward these host ports (already chosen, not held) to the
    // container. Root's ports are proxied by berth-shim instead; there this does nothing.
    Status publish(const QString &containerDir, const QList<PortBinding> &ports);
    // Deletes the container's veth (if the kernel has not already) and frees its address.
    // Idempotent; call only when the container does not run and nobody starts it meanwhile
    // (under its operation lock).
    Status release(const QString &containerDir);
    // Whether the container still holds an address (a cheap stat).
    static bool holdsLease(const QString &containerDir);

    static QString vethName(const QString &containerId);

private:
    Result<Attachment> attachSlirp(const QString &containerId, const QString &containerDir);
    Status ensureBridge(RouteNetlink &host, int &bridgeIndex);
    Result<Ipv4> allocate(const QString &containerDir, const QString &veth);
    bool isStale(const QString &leasePath, Ipv4 address) const;
    QString leasePath(Ipv4 address) const;

    QString m_stateDir;
};

} // namespace Berth::Engine
