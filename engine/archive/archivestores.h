// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/eventjournal.h"
#include "engine/images/imagestore.h"
#include "engine/snapshots/snapshotstore.h"

#include <QString>
#include <functional>

namespace Berth::Engine {

// The parts of a store that moving images in and out of it needs. The archive code sits below
// the Engine facade, so it takes the stores themselves (Engine hands them out).
struct ArchiveStores {
    ContentStore &content;
    SnapshotStore &snapshots;
    ImageStore &images;
    EventJournal &events;
};

// Progress of a load/save/import: what is being worked on and how many bytes of it are done
// (total is -1 when unknown). Called from the working thread; keep handlers cheap.
struct ArchiveProgress {
    QString item;
    qint64 done = 0;
    qint64 total = -1;
};
using ArchiveProgressHandler = std::function<void(const ArchiveProgress &)>;

} // namespace Berth::Engine
