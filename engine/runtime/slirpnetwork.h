// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerstore.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Berth::Engine {

// The rootless form of the default network (BridgeNetwork::attach outside the host's root):
// slirp4netns gives the container's own network namespace a tap device with a user-mode TCP/IP
// stack behind it, so the container reaches the outside (and the host's loopback as 10.0.2.2)
// with no privilege. Published ports are slirp4netns's host forwards (its API socket), so
// -p 127.0.0.1:8080:80 listens on the host and reaches the container's port 80.
//
// Lifecycle: start() runs slirp4netns detached (its own session, not a child of the caller),
// waits until it has configured the namespace, and returns the record ("PID STARTTIME
// SOCKET") BridgeNetwork keeps in the container's network.lease; it lives as long as that
// record, and stop() ends it when the network is released (the container stopped, was removed,
// or was found dead), checking the start time so that a reused pid is never signalled.
namespace Slirp {

inline constexpr const char *Address = "10.0.2.100";
inline constexpr const char *Gateway = "10.0.2.2";
inline constexpr const char *NameServer = "10.0.2.3";
inline constexpr int PrefixLength = 24;
inline constexpr const char *RecordPrefix = "slirp4netns";

// Starts slirp4netns for the namespace open at `netnsFd` (in this process); the record to keep.
Result<QByteArray> start(const QString &containerId, int netnsFd, const QString &logFile);
// Asks the slirp4netns of `record` to forward each host port to the container's port.
Status forward(const QByteArray &record, const QList<PortBinding> &ports);
// Ends the slirp4netns of `record` (when it is still that process) and removes its socket.
void stop(const QByteArray &record);

} // namespace Slirp
} // namespace Berth::Engine
