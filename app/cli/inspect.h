// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QJsonObject>

namespace Berth::Cli {

// The JSON `inspect` prints, in dockerd's shapes, for an image and for a container. The
// top-level `inspect` accepts either, like `docker inspect`.
QJsonObject inspectImage(Engine::Engine &engine, const Engine::ImageRecord &image);
QJsonObject inspectContainer(Engine::Engine &engine, const Engine::ContainerRecord &container);

} // namespace Berth::Cli
