// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerstore.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace Berth::Engine {

struct ResolvedUser {
    uint uid = 0;
    uint gid = 0;
    QList<uint> additionalGids;
};

// Resolves Docker's --user forms ("name", "uid", "name:group", "uid:gid") with the container's
// own /etc/passwd and /etc/group. The files are opened inside `rootfs` with RESOLVE_IN_ROOT,
// so a symlink planted in the image (etc/passwd -> /etc/shadow) cannot read host files.
Result<ResolvedUser> resolveUser(const QString &rootfs, const QString &user);

// Docker's default capability set (what a container gets without --cap-add/--cap-drop).
QStringList defaultCapabilities();
// The default set with `add` and `drop` applied; names are "NET_ADMIN", "CAP_NET_ADMIN" or
// "ALL", any case. InvalidArgument for unknown names.
Result<QStringList> effectiveCapabilities(const QStringList &add, const QStringList &drop);

// Inputs to the OCI spec that come from the container's directory and the host.
struct SpecContext {
    QString id;
    QString hostsFile;      // bind-mounted on /etc/hosts
    QString hostnameFile;   // on /etc/hostname
    QString resolvConfFile; // on /etc/resolv.conf
    QString initBinary;     // host path of a static init (catatonit, tini-static) for --init
    QString cgroupsPath;    // explicit, so stats know where to look: "/berth/<id>"
    ResolvedUser user;
    QList<MountSpec> mounts; // volumes and bind mounts, sources as host paths
};

// The path inside the container where --init's binary is mounted.
inline const QString InitPath = QStringLiteral("/sbin/berth-init");

// Builds config.json for `spec` with Docker-like secure defaults: Docker's capability set, its
// masked and read-only /proc and /sys paths, new pid/mount/uts/ipc/net namespaces (the net
// namespace has only loopback for now), a device allow-list, cgroup limits, and no rlimit
// above the caller's current hard limit (root here lacks CAP_SYS_RESOURCE in some sandboxes).
// The root is "rootfs" relative to the bundle directory.
Result<QJsonObject> buildOciSpec(const ContainerSpec &spec, const SpecContext &context);

// Docker's /etc/hosts for a container without a network (loopback names plus the hostname).
QByteArray hostsFileContent(const QString &hostname);
// The host's resolv.conf without loopback name servers (unreachable from the container).
QByteArray resolvConfContent(const QByteArray &hostResolvConf);

} // namespace Berth::Engine
