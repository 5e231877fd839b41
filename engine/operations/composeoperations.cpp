// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/composeoperations.h"

#include "engine/core/textvalues.h"
#include "engine/engine.h"
#include "engine/operations/buildoperations.h"
#include "engine/operations/registryoperations.h"

namespace Berth::Engine {

ComposeOperations Engine::compose() {
    return ComposeOperations(*this);
}

Result<ComposeProject> ComposeOperations::load(const ComposeLoadOptions &options) const {
    return loadComposeProject(options);
}

ComposeRunner ComposeOperations::runner(const Progress &progress) {
    Engine &engine = m_engine;
    ComposeServices services;
    services.imageId = [&engine](const QString &image) {
        auto found = engine.images().resolve(image);
        return found ? found->id.toString() : QString();
    };
    services.pull = [&engine](const QString &image) -> Status {
        auto ref = Reference::parse(image);
        if (!ref)
            return std::unexpected(ref.error());
        auto pulled = engine.registry().pull(*ref);
        if (!pulled)
            return std::unexpected(
                pulled.error().withContext(QStringLiteral("pull %1").arg(image)));
        return {};
    };
    services.build = [&engine, progress](const ComposeService &service,
                                         const QString &tag) -> Status {
        BuildOptions options; // builds() takes the store's write lock itself
        options.context = service.build->context;
        options.dockerfile = service.build->dockerfile;
        options.buildArgs = service.build->args;
        options.target = service.build->target;
        options.tags = {tag};
        BuildHandlers handlers;
        handlers.output = progress;
        auto built = engine.builds().build(options, handlers);
        if (!built)
            return std::unexpected(built.error().withContext(QStringLiteral("build %1").arg(tag)));
        return {};
    };
    // The container's health as its berth-shim last wrote it (ContainerRecord::health).
    services.health = [&engine](const QString &id) -> Result<ComposeServices::Health> {
        auto record = engine.containers().get(id);
        if (!record)
            return std::unexpected(record.error());
        switch (record->health.status) {
        case HealthStatus::Starting:
            return ComposeServices::Health::Starting;
        case HealthStatus::Healthy:
            return ComposeServices::Health::Healthy;
        case HealthStatus::Unhealthy:
            return ComposeServices::Health::Unhealthy;
        case HealthStatus::None:
            break;
        }
        return ComposeServices::Health::None;
    };
    // The loader validated the durations; what is left unset is the image's, as with run.
    services.applyHealthcheck = [](ContainerSpec &spec, const ComposeHealthcheck &check) {
        HealthConfig config;
        // disable: true turns the image's HEALTHCHECK off, as `--no-healthcheck` does.
        config.test = check.disable ? QStringList{QStringLiteral("NONE")} : check.test;
        for (const auto &[text, field] : {std::pair{check.interval, &config.interval},
                                          {check.timeout, &config.timeout},
                                          {check.startPeriod, &config.startPeriod},
                                          {check.startInterval, &config.startInterval}})
            if (!text.isEmpty())
                *field = parseDockerDuration(text).value_or(0);
        config.retries = qMax(0, check.retries);
        spec.healthcheck = config;
    };
    services.progress = progress;
    return ComposeRunner(engine.containers(), services);
}

Status ComposeOperations::up(const ComposeProject &project, const ComposeUpOptions &options,
                             const Progress &progress) {
    return runner(progress).up(project, options);
}

Status ComposeOperations::down(const QString &projectName, const ComposeProject *project,
                               const ComposeDownOptions &options, const Progress &progress) {
    return runner(progress).down(projectName, project, options);
}

Status ComposeOperations::start(const ComposeProject &project, const QStringList &services,
                                const Progress &progress) {
    return runner(progress).start(project, services);
}

Status ComposeOperations::stop(const ComposeProject &project, const QStringList &services,
                               const Progress &progress) {
    return runner(progress).stop(project, services);
}

Status ComposeOperations::restart(const ComposeProject &project, const QStringList &services,
                                  const Progress &progress) {
    return runner(progress).restart(project, services);
}

Status ComposeOperations::pull(const ComposeProject &project, const QStringList &services,
                               const Progress &progress) {
    return runner(progress).pull(project, services);
}

Status ComposeOperations::build(const ComposeProject &project, const QStringList &services,
                                const Progress &progress) {
    return runner(progress).build(project, services);
}

Result<ContainerRecord> ComposeOperations::createOneOff(const ComposeProject &project,
                                                        const QString &service,
                                                        const ComposeRunner::OneOffOptions &options,
                                                        const Progress &progress) {
    return runner(progress).createOneOff(project, service, options);
}

QList<ContainerRecord> ComposeOperations::containers(const QString &projectName,
                                                     ComposeRunner::OneOffs oneOffs) {
    return runner({}).containers(projectName, oneOffs);
}

Result<ContainerRecord> ComposeOperations::serviceContainer(const QString &projectName,
                                                            const QString &service, int number) {
    return runner({}).serviceContainer(projectName, service, number);
}

QList<ComposeProjectSummary> ComposeOperations::projects() {
    return runner({}).projects();
}

} // namespace Berth::Engine
