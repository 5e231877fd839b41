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
#include "engine/operations/imageoperations.h"
#include "engine/registry/pulljob.h"
#include "engine/registry/pushjob.h"
#include "engine/runtime/containerruntime.h"
#include "engine/snapshots/snapshotstore.h"

#include <QFuture>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <memory>

namespace Berth::Engine {

class AnalysisOperations;
class ArchiveOperations;
class BuildOperations;
class ComposeOperations;
class FilesystemOperations;
class ImageOperations;
class RegistryOperations;

// The engine facade: owns one store's parts (metadata database, content store, image and
// snapshot stores, events journal) and a thread pool, and is the only place that wires them
// into the engine's workers. Constructed once in app/ (never a singleton) and passed down.
// Several Engine instances, in this process or others, may use the same store at once.
//
// The front ends (app/, api/, ui/) get operations from it, grouped by area, never the stores
// (EngineStores, for the operation groups and tests; tst_architecture checks). An operation
// group is a cheap value over the engine, declared in engine/operations/<area>operations.h and
// defined, with its accessor here, in the .cpp beside it: a program links only the areas it
// calls (the light berthctl none of the heavy ones). Operations are synchronous and
// thread-safe: the CLI and the API call them on their own threads, the GUI through async(),
// which returns a QFuture; long ones with progress for the GUI are job objects (PullJob,
// PushJob, BuildJob) that run on the pool and signal in the thread that made them.
// ARCHITECTURE.md ("The facade") says how a remote engine will stand behind the same groups.
class Engine {
public:
    static Result<std::unique_ptr<Engine>> open(const StorePaths &paths);
    ~Engine();

    ImageOperations images();          // list, names, configs, layers, inspect, tag
    ArchiveOperations archives();      // load, save, import, the starter image
    RegistryOperations registry();     // pull, push (the GUI: createPullJob/createPushJob)
    BuildOperations builds();          // Dockerfile builds, build provenance
    AnalysisOperations analysis();     // layer analysis, compare, extract a path at a layer
    FilesystemOperations filesystem(); // a container's changes, cp, export, commit
    ComposeOperations compose();       // compose projects: load, up, down, ps, logs
    ContainerRuntime &containers() { return *m_containers; }   // lifecycle, exec, logs, networks
    StoreMaintenance &maintenance() { return *m_maintenance; } // rmi (dry run), prune, df, gc
    EventJournal &events() { return *m_events; }

    // Where the store is (root, tmp/ for scratch files next to it).
    const StorePaths &paths() const { return m_paths; }
    // Changes whenever any process commits to the store: the GUI's cue to refresh.
    qint64 dataVersion() const;
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
    friend class EngineStores;
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
