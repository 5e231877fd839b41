// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerstore.h"

namespace Berth::Cli {

// As `docker ps` shows them: the command line (with the init when there is one) and the
// status ("Up 2 minutes", "Exited (0) 3 seconds ago", "Created"). ps and compose ps share them.
QString commandText(const Engine::ContainerRecord &r);
QString statusText(const Engine::ContainerRecord &r);

} // namespace Berth::Cli
