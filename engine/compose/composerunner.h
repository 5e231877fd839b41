// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/compose/composemodel.h"
#include "engine/runtime/containerruntime.h"

#include <functional>

namespace Berth::Engine {

// Docker's labels, so projects interoperate with docker compose, Portainer and the like.
namespace ComposeLabel {
inline const QString Project = QStringLiteral("com.docker.compose.project");
inline const QString Service = QStringLiteral("com.docker.compose.service");
inline const QString Number = QStringLiteral("com.docker.compose.container-number");
inline const QString OneOff = QStringLiteral("com.docker.compose.oneoff");
inline const QString ConfigHash = QStringLiteral("com.docker.compose.config-hash");
inline const QString ConfigFiles = QStringLiteral("com.docker.compose.project.config_files");
inline const QString WorkingDir = QStringLiteral("com.docker.compose.project.working_dir");
inline const QString Volume = QStringLiteral("com.docker.compose.volume");
inline const QString Version = QStringLiteral("com.docker.compose.version");
} // namespace ComposeLabel

// What the runner needs from the layers above it, wired by the facade (ComposeOperations):
// getting images (pull through the registry client, build through the builder) and a
// container's health. Each is called on the runner's thread.
struct ComposeServices {
    // The local image's ID ("" when there is none): a container made from another image
    // than the one its name now gives is recreated, as after a pull or a build.
    std::function<QString(const QString &image)> imageId;
    std::function<Status(const QString &image)> pull;
    // Builds the service's build context, tagged `tag`.
    std::function<Status(const ComposeService &service, const QString &tag)> build;
    // A container's health (the facade reads ContainerRecord::health); unset, service_healthy
    // and `--wait` on a service with a healthcheck are refused with "needs health checks".
    enum class Health { None, Starting, Healthy, Unhealthy };
    std::function<Result<Health>(const QString &containerId)> health;
    // Puts the service's healthcheck into the container's spec (with `health`).
    std::function<void(ContainerSpec &spec, const ComposeHealthcheck &check)> applyHealthcheck;
    // What the runner does, one line each ("Container demo-web-1  Started").
    std::function<void(const QString &line)> progress;
};

struct ComposeUpOptions {
    QStringList services; // "" = all; the named ones are started with what they depend on
    enum class Build { IfMissing, Always, Never };
    Build build = Build::IfMissing;
    enum class Wait { No, Running }; // Running: each service running (healthy if it checks)
    Wait wait = Wait::No;
    enum class Orphans { Keep, Remove };
    Orphans orphans = Orphans::Keep;
};

struct ComposeDownOptions {
    enum class Volumes {
        Keep,
        Remove
    }; // Remove (-v): named volumes of the project and
       // anonymous ones of its containers
    Volumes volumes = Volumes::Keep;
    enum class Orphans { Keep, Remove };
    Orphans orphans = Orphans::Keep;
};

// One project as found by its labels (`compose ls`), whoever made it.
struct ComposeProjectSummary {
    QString name;
    QMap<QString, int> states; // "running" -> 2, "exited" -> 1
    QStringList configFiles;
};

// Runs a compose project over the container runtime. Containers are found by Docker's labels
// (never by name), so projects made by other tools (docker compose through the API) are the
// same to it. Names: `<project>-<service>-<n>` (or container_name), volumes
// `<project>_<name>`, built images `<project>-<service>`. Synchronous; one call at a time per
// project (the CLI's and GUI's calls are user actions).
//
// up(): everything that can be checked is checked before the first container changes
// (services, networks, health needs, images present or obtainable, published ports free);
// then services in dependency order: a container whose config-hash is unchanged is kept (and
// started if it is not running), a changed one is replaced. A service that fails stops up()
// with an error naming it; what was started stays and ps shows it as it is; down() removes it.
class ComposeRunner {
public:
    ComposeRunner(ContainerRuntime &runtime, ComposeServices services);

    Status up(const ComposeProject &project, const ComposeUpOptions &options);
    Status down(const QString &projectName, const ComposeProject *project,
                const ComposeDownOptions &options);
    Status start(const ComposeProject &project, const QStringList &services);
    Status stop(const ComposeProject &project, const QStringList &services);
    Status restart(const ComposeProject &project, const QStringList &services);
    Status pull(const ComposeProject &project, const QStringList &services);
    Status build(const ComposeProject &project, const QStringList &services);
    // A one-off container of the service (`compose run`): created, not started; labelled
    // oneoff=True, named <project>-<service>-run-<random>, without the service's ports.
    struct OneOffOptions {
        QStringList command; // empty = the service's
        bool tty = false;
        bool interactive = false;
        bool autoRemove = false;
    };
    Result<ContainerRecord> createOneOff(const ComposeProject &project, const QString &service,
                                         const OneOffOptions &options);

    enum class OneOffs { Exclude, Include };
    // The project's containers (by label), sorted by service then number.
    QList<ContainerRecord> containers(const QString &projectName, OneOffs oneOffs);
    // The service's container number `n` (exec, logs).
    Result<ContainerRecord> serviceContainer(const QString &projectName, const QString &service,
                                             int number = 1);
    QList<ComposeProjectSummary> projects();

    // The image a service runs: its `image`, or `<project>-<service>` when it only builds.
    static QString imageName(const ComposeProject &project, const ComposeService &service);
    static QString containerName(const ComposeProject &project, const ComposeService &service,
                                 int number);

private:
    Status checkBeforeUp(const ComposeProject &project, const QStringList &order,
                         const ComposeUpOptions &options);
    Status ensureImage(const ComposeProject &project, const ComposeService &service,
                       ComposeUpOptions::Build build);
    Status ensureVolumes(const ComposeProject &project, const QStringList &order);
    Status awaitDependencies(const ComposeProject &project, const ComposeService &service);
    Result<ContainerRecord> converge(const ComposeProject &project, const ComposeService &service);
    Result<CreateRequest> createRequest(const ComposeProject &project,
                                        const ComposeService &service, int number);
    Status stopInOrder(const ComposeProject *project, const QList<ContainerRecord> &list);
    Status awaitRunning(const ComposeProject &project, const QStringList &order);
    QStringList withDependencies(const ComposeProject &project, const QStringList &services);
    void report(const QString &line) const;

    ContainerRuntime &m_runtime;
    ComposeServices m_services;
};

// Go-style durations as compose writes them ("1m30s", "500ms") in nanoseconds; -1 if invalid.
qint64 composeDurationNs(const QString &text);

} // namespace Berth::Engine
