// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/images/imagestore.h"

#include <QJsonObject>

namespace Berth::Engine {

// An image as dockerd describes it (GET /images/{name}/json): what `berthctl inspect` and the
// API show.
QJsonObject imageInspectJson(ImageStore &images, const ImageRecord &image);

// An image as dockerd lists it (GET /images/json); `sharedSize` -1 when not computed.
QJsonObject imageSummaryJson(const ImageRecord &image, qint64 sharedSize = -1, int containers = -1);

} // namespace Berth::Engine
