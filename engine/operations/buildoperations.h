// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/builder/builder.h"
#include "engine/builder/buildjob.h"

#include <functional>

namespace Berth::Engine {

class Engine;

// Where a build reports what it does, each called on the building thread (keep them cheap).
struct BuildHandlers {
    std::function<void(const QString &line)> output;
    std::function<void(const QString &name, const QString &text)> dockerfile;
    std::function<void(const BuildStepEvent &)> step;
};

// The build operations of the facade: a Dockerfile build, synchronous (`berthctl build`, the
// API's /build), or as a BuildJob for the GUI (runs on the engine's pool, signals in the thread
// that made it). Both hold the store's write lock (shared) while they build.
// A file of its own: the builder links libgit2 and the registry client.
class BuildOperations {
public:
    explicit BuildOperations(Engine &engine)
        : m_engine(engine) {}

    Result<BuildResult> build(const BuildOptions &options, const BuildHandlers &handlers = {});
    // Owned by `parent`; start() it with the options.
    BuildJob *createJob(QObject *parent);
    // How an image Berth built was made, step by step (NotFound for other images).
    Result<BuildProvenance> provenance(const Digest &imageId) const;

private:
    Engine &m_engine;
};

} // namespace Berth::Engine
