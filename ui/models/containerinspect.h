// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerruntime.h"

#include <QJsonObject>

namespace Berth::Gui {

// The container as `berthctl inspect` shows it: the engine's containerInspectJson (one
// description for every face). Reads the read-write layer's size, so call it on the pool.
QJsonObject inspectContainerJson(Engine::ContainerRuntime &runtime,
                                 const Engine::ContainerRecord &container);

} // namespace Berth::Gui
