// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace Berth::Engine {

// What happened to a path, the one kind for all of them: a layer's changes (LayerAnalysis), a
// container's read-write layer against its image (`diff`) and one image against another
// (compare). The values are stored in the analysis cache: a change to them bumps
// LayerAnalysis::kFormatVersion. How each front end spells them (Docker's diff says C, the
// analysis M) is the front end's business.
enum class ChangeKind : quint8 { Added = 0, Modified = 1, Deleted = 2 };

} // namespace Berth::Engine
