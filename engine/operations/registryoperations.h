// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"

namespace Berth::Engine {

class Engine;

// The registry operations of the facade: pull and push (`berthctl pull/push`, the API's
// /images/create and /images/{name}/push). Synchronous and thread-safe, progress and cancel in
// the options; the GUI uses the job form instead (Engine::createPullJob/createPushJob), which
// runs these on the engine's pool. A file of its own: it links Qt Network and the keychain.
class RegistryOperations {
public:
    explicit RegistryOperations(Engine &engine)
        : m_engine(engine) {}

    // What a pull would transfer, asking the registry but changing nothing.
    Result<PullPlan> planPull(const Reference &reference, const PullOptions &options = {});
    Result<ImageRecord> pull(const Reference &reference, const PullOptions &options = {});
    // `source` names a local image as users type it; `target` is where it goes.
    Result<PushResult> push(const QString &source, const Reference &target,
                            const PushOptions &options = {});

private:
    Engine &m_engine;
};

} // namespace Berth::Engine
