// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerruntime.h"

#include <QDateTime>
#include <QJsonObject>

namespace Berth::Engine {

// A container as dockerd describes it (GET /containers/{id}/json): the one description that
// `berthctl inspect`, the GUI's Inspect tab and the API all show.
QJsonObject containerInspectJson(ContainerRuntime &runtime, const ContainerRecord &container);

// A container as dockerd lists it (GET /containers/json): Id, Names, Image, Command, State,
// Status ("Up 5 minutes", "Exited (0) 2 hours ago"), Labels, Mounts; SizeRw with `withSize`.
QJsonObject containerSummaryJson(ContainerRuntime &runtime, const ContainerRecord &container,
                                 bool withSize = false);

// "running", "paused", "restarting", "exited", "created": the record's state with the
// freezer's pause and the shim's restart delay.
QString containerStateText(ContainerRuntime &runtime, const ContainerRecord &container);
// Docker's human status: "Up 5 minutes", "Up 2 hours (Paused)", "Exited (0) 3 days ago",
// "Restarting (1) 2 seconds ago".
QString containerStatusText(ContainerRuntime &runtime, const ContainerRecord &container,
                            const QDateTime &now = QDateTime::currentDateTimeUtc());
// Docker's HumanDuration: "Less than a second", "About a minute", "3 hours", "2 weeks".
QString humanDuration(qint64 seconds);

} // namespace Berth::Engine
