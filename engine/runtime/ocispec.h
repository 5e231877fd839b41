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
// Every capability this process may pass on (its bounding set): what --privileged and
// --cap-add ALL grant. Root in some sandboxes lacks a few (CAP_SYS_RESOURCE here), and asking
// the runtime for more than we have fails the start.
QStringList allCapabilities();
// The default set with `add` and `drop` applied; names are "NET_ADMIN", "CAP_NET_ADMIN" or
// "ALL", any case. InvalidArgument for unknown names.
Result<QStringList> effectiveCapabilities(const QStringList &add, const QStringList &drop);

// Inputs to the OCI spec that come from the container's directory and the host.
struct SpecContext {
    QString id;
    QString hostname;       // "" = the spec's, else the first 12 characters of the ID
    QString hostsFile;      // bind-mounted on /etc/hosts
    QString hostnameFile;   // on /etc/hostname
    QString resolvConfFile; // on /etc/resolv.conf
    QString initBinary;     // host path of a static init (catatonit, tini-static) for --init
    QString cgroupsPath;    // explicit, so stats know where to look: "/berth/<id>"
    // The network namespace: joined at this path (the bridge network), the host's (--network
    // host), or, when neither is set, a new one with only loopback (--network none).
    QString networkNamespacePath;
    bool hostNetwork = false;
    ResolvedUser user;
    QList<MountSpec> mounts; // volumes and bind mounts, sources as host paths
};

// The path inside the container where --init's binary is mounted.
inline const QString InitPath = QStringLiteral("/sbin/berth-init");

// Builds config.json for `spec` with Docker-like secure defaults: Docker's capability set, its
// masked and read-only /proc and /sys paths, new pid/mount/uts/ipc namespaces and the network
// namespace the context says, a device allow-list, Berth's default seccomp profile (or the
// container's own, or none with seccomp=unconfined), cgroup limits, and no rlimit above the
// caller's current hard limit (root here lacks CAP_SYS_RESOURCE in some sandboxes).
// --privileged lifts the confinement like Docker: every capability and device, no seccomp,
// no masked or read-only paths. The root is "rootfs" relative to the bundle directory.
Result<QJsonObject> buildOciSpec(const ContainerSpec &spec, const SpecContext &context);

// Docker's /etc/hosts: loopback names plus the hostname, on the container's address when it
// has one (empty: on 127.0.0.1).
QByteArray hostsFileContent(const QString &hostname, const QString &address = QString());
// The host's resolv.conf without loopback name servers (unreachable from the container).
QByteArray resolvConfContent(const QByteArray &hostResolvConf);

} // namespace Berth::Engine
