// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/compose/composeloader.h"
#include "engine/compose/composerunner.h"

#include <functional>

namespace Berth::Engine {

class Engine;

// The compose operations of the facade (`berthctl compose`; later the GUI's Environments page
// and the API's project discovery): load a project's files into the model, and run it through
// ComposeRunner with images pulled by the registry client and built by the builder. A file of
// its own: it links the builder and the registry client (berthctl-full only). Synchronous and
// thread-safe like the other groups; `progress` gets one line per step ("Container x
// Started").
class ComposeOperations {
public:
    using Progress = std::function<void(const QString &line)>;
    explicit ComposeOperations(Engine &engine)
        : m_engine(engine) {}

    Result<ComposeProject> load(const ComposeLoadOptions &options) const;

    Status up(const ComposeProject &project, const ComposeUpOptions &options,
              const Progress &progress = {});
    // `project` may be null (the files are gone): then all the project's containers go.
    Status down(const QString &projectName, const ComposeProject *project,
                const ComposeDownOptions &options, const Progress &progress = {});
    Status start(const ComposeProject &project, const QStringList &services,
                 const Progress &progress = {});
    Status stop(const ComposeProject &project, const QStringList &services,
                const Progress &progress = {});
    Status restart(const ComposeProject &project, const QStringList &services,
                   const Progress &progress = {});
    Status pull(const ComposeProject &project, const QStringList &services,
                const Progress &progress = {});
    Status build(const ComposeProject &project, const QStringList &services,
                 const Progress &progress = {});
    Result<ContainerRecord> createOneOff(const ComposeProject &project, const QString &service,
                                         const ComposeRunner::OneOffOptions &options,
                                         const Progress &progress = {});

    QList<ContainerRecord>
    containers(const QString &projectName,
               ComposeRunner::OneOffs oneOffs = ComposeRunner::OneOffs::Exclude);
    Result<ContainerRecord> serviceContainer(const QString &projectName, const QString &service,
                                             int number = 1);
    QList<ComposeProjectSummary> projects();

private:
    ComposeRunner runner(const Progress &progress);
    Engine &m_engine;
};

} // namespace Berth::Engine
