// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/registryoperations.h"

#include "engine/enginestores.h"

namespace Berth::Engine {

RegistryOperations Engine::registry() {
    return RegistryOperations(*this);
}

Result<PullPlan> RegistryOperations::planPull(const Reference &reference,
                                              const PullOptions &options) {
    const EngineStores stores(m_engine);
    Puller puller(m_engine.paths(), stores.content(), stores.snapshots(), stores.images(),
                  &m_engine.events());
    return puller.plan(reference, options);
}

Result<ImageRecord> RegistryOperations::pull(const Reference &reference,
                                             const PullOptions &options) {
    const EngineStores stores(m_engine);
    Puller puller(m_engine.paths(), stores.content(), stores.snapshots(), stores.images(),
                  &m_engine.events());
    return puller.pull(reference, options);
}

Result<PushResult> RegistryOperations::push(const QString &source, const Reference &target,
                                            const PushOptions &options) {
    const EngineStores stores(m_engine);
    Pusher pusher(m_engine.paths(), stores.content(), stores.images(), &m_engine.events());
    return pusher.push(source, target, options);
}

} // namespace Berth::Engine
