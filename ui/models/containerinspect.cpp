// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/containerinspect.h"

#include "engine/runtime/containerinspect.h"

namespace Berth::Gui {

QJsonObject inspectContainerJson(Engine::ContainerRuntime &rt, const Engine::ContainerRecord &r) {
    return Engine::containerInspectJson(rt, r);
}

} // namespace Berth::Gui
