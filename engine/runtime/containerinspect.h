// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerruntime.h"

#include <QJsonObject>

namespace Berth::Engine {

// A container as dockerd describes it (GET /containers/{id}/json): the one description that
// `berthctl inspect`, the GUI's Inspect tab and the API all show.
QJsonObject containerInspectJson(ContainerRuntime &runtime, const ContainerRecord &container);

} // namespace Berth::Engine
