// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/buildoperations.h"

#include "engine/enginestores.h"

namespace Berth::Engine {

BuildOperations Engine::builds() {
    return BuildOperations(*this);
}

Result<BuildResult> BuildOperations::build(const BuildOptions &options,
                                           const BuildHandlers &handlers) {
    const EngineStores stores(m_engine);
    auto lock = stores.lockForWriting();
    if (!lock)
        return fail(lock.error());
    Builder builder(m_engine.paths(), stores.content(), stores.snapshots(), stores.images(),
                    m_engine.containers());
    if (handlers.output)
        builder.setOutputHandler(handlers.output);
    if (handlers.dockerfile)
        builder.setDockerfileHandler(handlers.dockerfile);
    if (handlers.step)
        builder.setStepHandler(handlers.step);
    return builder.build(options);
}

BuildJob *BuildOperations::createJob(QObject *parent) {
    const EngineStores stores(m_engine);
    return new BuildJob(m_engine.paths(), stores.content(), stores.snapshots(), stores.images(),
                        m_engine.containers(), m_engine.pool(), parent);
}

Result<BuildProvenance> BuildOperations::provenance(const Digest &imageId) const {
    return BuildCache::provenance(m_engine.paths(), imageId);
}

} // namespace Berth::Engine
