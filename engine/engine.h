// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/database.h"
#include "engine/core/eventjournal.h"
#include "engine/core/result.h"
#include "engine/core/storelock.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"
#include "engine/maintenance/storemaintenance.h"
#include "engine/registry/pulljob.h"
#include "engine/registry/pushjob.h"
#include "engine/runtime/containerruntime.h"
#include "engine/snapshots/snapshotstore.h"

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <memory>

namespace Berth::Engine {

// The engine facade: owns one store's parts (metadata database, content store, image and
// snapshot stores, events journal) and a thread pool for its operations. Constructed once in
// app/ (never a singleton) and passed down. Several Engine instances, in this process or
// others, may use the same store at the same time.
//
// The stores are thread-safe and synchronous; async() runs any of them on the engine's pool and
// returns a QFuture, which is how the GUI calls into the engine without blocking its thread.
class Engine {
public:
    static Result<std::unique_ptr<Engine>> open(const StorePaths &paths);
    ~Engine();

    const StorePaths &paths() const { return m_paths; }
    Database &database() { return *m_db; }
    ContentStore &content() { return *m_content; }
    ImageStore &images() { return *m_images; }
    SnapshotStore &snapshots() { return *m_snapshots; }
    EventJournal &events() { return *m_events; }
    StoreMaintenance &maintenance() { return *m_maintenance; }
    ContainerRuntime &containers() { return *m_containers; }
    QThreadPool *pool() { return &m_pool; }

    // Held (shared) by operations that add content, (exclusive) by garbage collection.
    Result<StoreLock> lockForWriting();
    Result<StoreLock> lockForCollecting();

    // The GUI's pull and push: jobs that run on the engine's pool and signal in the calling
    // thread (PullJob, PushJob), owned by `parent`.
    PullJob *createPullJob(QObject *parent);
    PushJob *createPushJob(QObject *parent);

    template <typename Fn> auto async(Fn &&fn) {
        return QtConcurrent::run(&m_pool, std::forward<Fn>(fn));
    }

private:
    explicit Engine(const StorePaths &paths);

    StorePaths m_paths;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<ContentStore> m_content;
    std::unique_ptr<ImageStore> m_images;
    std::unique_ptr<SnapshotStore> m_snapshots;
    std::unique_ptr<EventJournal> m_events;
    std::unique_ptr<StoreMaintenance> m_maintenance;
    std::unique_ptr<ContainerRuntime> m_containers;
    QThreadPool m_pool;
};

} // namespace Berth::Engine
