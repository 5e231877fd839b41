// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace Berth::Engine {

struct ContainerSpec;

// What running containers as a normal user means for the runtime (see ARCHITECTURE.md,
// "Rootless"). The engine runs inside the user's namespace (core/usernamespace.h), where it is
// uid 0 with the user's subordinate ids mapped; the OCI runtime runs there too, so the OCI spec
// itself carries no user namespace. What the user's namespace cannot have on a host without
// cgroup delegation (a cgroup per container, limits) is refused here with the reason.
namespace Rootless {

// Whether this process runs containers rootless (it is inside a user namespace).
bool active();

// The container spec options a rootless engine cannot honour on this host: limits without a
// delegated cgroup. InvalidArgument naming the option and why.
Status checkSpec(const ContainerSpec &spec);

// The OCI spec of a container adapted to run inside the user's namespace: no cgroup (none can
// be created without delegation; stats come from /proc), and with the host's network, /sys
// bind-mounted (sysfs cannot be mounted for a network namespace the user does not own).
void adaptSpec(QJsonObject &spec, bool hostNetwork);

// One thing the host lacks for rootless containers, with the command that fixes it.
struct HostGap {
    QString what;
    QString fix;
};
// What is missing on this host (empty when nothing is), for `berthctl info` and the app.
QList<HostGap> hostGaps();

// How rootless containers reach the network, in words.
QString networkText();

// "rootless (uid map 0 1001 1; 1 100000 65536, keeper pid N)" or "root", for `berthctl info`.
QString modeText();

} // namespace Rootless
} // namespace Berth::Engine
