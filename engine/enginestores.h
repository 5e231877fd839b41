// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/filelock.h"
#include "engine/engine.h"

namespace Berth::Engine {

// The stores behind the facade, for the operation groups (engine/operations/) and the tests.
// The front ends never include this header (tests/unit/tst_architecture): they ask the Engine
// for operations, so that another engine (a remote one) can stand behind the same groups.
class EngineStores {
public:
    explicit EngineStores(Engine &engine)
        : m_engine(engine) {}

    Database &database() const { return *m_engine.m_db; }
    ContentStore &content() const { return *m_engine.m_content; }
    ImageStore &images() const { return *m_engine.m_images; }
    SnapshotStore &snapshots() const { return *m_engine.m_snapshots; }
    EventJournal &events() const { return *m_engine.m_events; }
    const StorePaths &paths() const { return m_engine.m_paths; }
    // store.lock, shared: held by the operations that add content (pull, load, import, build,
    // commit) for their whole run, so garbage collection (exclusive) never removes what they
    // are about to reference. The first writer after a killed build removes what it left.
    Result<FileLock> lockForWriting() const;

private:
    Engine &m_engine;
};

} // namespace Berth::Engine
