// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerruntime.h"

#include <QJsonObject>

namespace Berth::Gui {

// The container as `berthctl inspect` shows it (Docker's layout: Id, State, Config,
// HostConfig, GraphDriver, SizeRw...), built from the record and the runtime's paths. Reads the
// read-write layer's size, so call it on the engine's pool.
QJsonObject inspectContainerJson(Engine::ContainerRuntime &runtime,
                                 const Engine::ContainerRecord &container);

} // namespace Berth::Gui
