// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/engine.h"
#include "engine/enginestores.h"

#include "engine/builder/buildcache.h"
#include "engine/builder/buildlease.h"
#include "engine/core/fileutil.h"

namespace Berth::Engine {

Engine::Engine(const StorePaths &paths)
    : m_paths(paths) {}

Engine::~Engine() {
    m_pool.waitForDone();
}

Result<std::unique_ptr<Engine>> Engine::open(const StorePaths &paths) {
    std::unique_ptr<Engine> e(new Engine(paths));
    for (const QString &dir : {paths.root(), paths.tmp(), paths.cache()})
        if (auto st = makeDirectories(dir); !st)
            return fail(st.error().withContext(QStringLiteral("open store %1").arg(paths.root())));
    e->m_db = std::make_unique<Database>(paths.database());
    if (auto st = e->m_db->open(); !st)
        return fail(st.error().withContext(QStringLiteral("open store %1").arg(paths.root())));
    e->m_content = std::make_unique<ContentStore>(paths);
    if (auto st = e->m_content->init(); !st)
        return fail(st.error());
    e->m_images = std::make_unique<ImageStore>(*e->m_db, *e->m_content);
    e->m_snapshots = std::make_unique<SnapshotStore>(paths, *e->m_db);
    if (auto st = e->m_snapshots->init(); !st)
        return fail(st.error());
    e->m_events = std::make_unique<EventJournal>(*e->m_db);
    e->m_maintenance = std::make_unique<StoreMaintenance>(paths, *e->m_content, *e->m_snapshots,
                                                          *e->m_images, *e->m_events);
    e->m_containers = std::make_unique<ContainerRuntime>(paths, *e->m_db, *e->m_images,
                                                         *e->m_snapshots, *e->m_events);
    // Images containers use are kept by rmi, prune and garbage collection.
    ContainerStore *containers = &e->m_containers->store();
    e->m_maintenance->setImageUsers([containers] { return containers->imageUseCounts(); });
    // Build provenance and cache entries go with the images and layers they describe.
    const ContentStore *content = e->m_content.get();
    e->m_maintenance->addSideDataCollector([paths, content](const QSet<Digest> &liveImages) {
        return BuildCache::collectGarbage(paths, *content, liveImages);
    });
    // What a killed build left (its containers, intermediate images) is its builder's to
    // find and remove: check names it, prune removes it.
    ContainerRuntime *runtime = e->m_containers.get();
    ImageStore *images = e->m_images.get();
    e->m_maintenance->addLeftoverOwner(
        {[paths, runtime, images] {
             return describeBuildLeftovers(findBuildLeftovers(paths, *runtime, *images));
         },
         [paths, runtime, images] { return removeBuildLeftovers(paths, *runtime, *images); }});
    // No daemon starts with the host: the first open after a boot restores what the restart
    // policies ask for.
    e->m_containers->restoreAfterBoot();
    return e;
}

qint64 Engine::dataVersion() const {
    return m_db->dataVersion();
}

Result<FileLock> EngineStores::lockForWriting() const {
    auto lock = FileLock::acquire(paths().lockFile(), FileLock::Mode::Shared);
    // The first writer after a killed build removes what it left (cheap when none did).
    if (lock)
        (void)removeBuildLeftovers(paths(), m_engine.containers(), images());
    return lock;
}

} // namespace Berth::Engine
