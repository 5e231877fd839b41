// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/compose/composerunner.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QThread>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace Berth::Engine {

qint64 composeDurationNs(const QString &text) {
    static const QRegularExpression part(
        QStringLiteral("([0-9]+(?:\\.[0-9]+)?)(ns|us|µs|ms|s|m|h)"));
    if (text == QLatin1String("0"))
        return 0;
    qint64 total = 0;
    qsizetype at = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart() != at)
            return -1;
        at = m.capturedEnd();
        const QString unit = m.captured(2);
        const double scale = unit == QLatin1String("h")    ? 3600e9
                             : unit == QLatin1String("m")  ? 60e9
                             : unit == QLatin1String("s")  ? 1e9
                             : unit == QLatin1String("ms") ? 1e6
                             : unit == QLatin1String("ns") ? 1
                                                           : 1e3;
        total += qint64(m.captured(1).toDouble() * scale);
    }
    return at == text.size() && at > 0 ? total : -1;
}

ComposeRunner::ComposeRunner(ContainerRuntime &runtime, ComposeServices services)
    : m_runtime(runtime)
    , m_services(std::move(services)) {}

void ComposeRunner::report(const QString &line) const {
    if (m_services.progress)
        m_services.progress(line);
}

QString ComposeRunner::imageName(const ComposeProject &project, const ComposeService &service) {
    return service.image.isEmpty() ? project.name + QLatin1Char('-') + service.name : service.image;
}

QString ComposeRunner::containerName(const ComposeProject &project, const ComposeService &service,
                                     int number) {
    if (!service.containerName.isEmpty())
        return service.containerName;
    return QStringLiteral("%1-%2-%3").arg(project.name, service.name).arg(number);
}

QList<ContainerRecord> ComposeRunner::containers(const QString &projectName, OneOffs oneOffs) {
    QList<ContainerRecord> out;
    for (const ContainerRecord &r : m_runtime.list()) {
        if (r.spec.labels.value(ComposeLabel::Project) != projectName)
            continue;
        if (oneOffs == OneOffs::Exclude &&
            r.spec.labels.value(ComposeLabel::OneOff)
                    .compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            continue;
        out.append(r);
    }
    std::sort(out.begin(), out.end(), [](const ContainerRecord &a, const ContainerRecord &b) {
        const auto key = [](const ContainerRecord &r) {
            return std::pair(r.spec.labels.value(ComposeLabel::Service),
                             r.spec.labels.value(ComposeLabel::Number).toInt());
        };
        return key(a) < key(b) || (key(a) == key(b) && a.name < b.name);
    });
    return out;
}

Result<ContainerRecord> ComposeRunner::serviceContainer(const QString &projectName,
                                                        const QString &service, int number) {
    for (const ContainerRecord &r : containers(projectName, OneOffs::Exclude))
        if (r.spec.labels.value(ComposeLabel::Service) == service &&
            r.spec.labels.value(ComposeLabel::Number).toInt() == number)
            return r;
    return fail(ErrorKind::NotFound, QStringLiteral("service \"%1\" of project %2 has no "
                                                    "container %3 (is it up?)")
                                         .arg(service, projectName)
                                         .arg(number));
}

QList<ComposeProjectSummary> ComposeRunner::projects() {
    QMap<QString, ComposeProjectSummary> byName;
    for (const ContainerRecord &r : m_runtime.list()) {
        const QString name = r.spec.labels.value(ComposeLabel::Project);
        if (name.isEmpty())
            continue;
        ComposeProjectSummary &s = byName[name];
        s.name = name;
        s.states[r.restarting ? QStringLiteral("restarting") : containerStateName(r.state)] += 1;
        for (const QString &f : r.spec.labels.value(ComposeLabel::ConfigFiles)
                                    .split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!s.configFiles.contains(f))
                s.configFiles.append(f);
    }
    return byName.values();
}

QStringList ComposeRunner::withDependencies(const ComposeProject &project,
                                            const QStringList &services) {
    if (services.isEmpty())
        return project.startOrder();
    QSet<QString> wanted;
    std::function<void(const QString &)> add = [&](const QString &name) {
        if (wanted.contains(name) || !project.services.contains(name))
            return;
        wanted.insert(name);
        for (const QString &dep : project.services[name].dependsOn.keys())
            add(dep);
    };
    for (const QString &s : services)
        add(s);
    QStringList order;
    for (const QString &name : project.startOrder())
        if (wanted.contains(name))
            order.append(name);
    return order;
}

namespace {

// Whether something on the host holds the port (a clear error before anything starts).
bool portInUse(const QString &hostIp, int port, const QString &protocol) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(quint16(port));
    if (hostIp.isEmpty() || hostIp == QLatin1String("0.0.0.0"))
        addr.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (::inet_pton(AF_INET, hostIp.toLatin1().constData(), &addr.sin_addr) != 1)
        return false; // IPv6 or a name: left to the start's own bind
    const int fd = ::socket(
        AF_INET, (protocol == QLatin1String("udp") ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    const bool taken =
        ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return taken;
}

std::unexpected<Error> serviceError(const QString &service, const Error &e) {
    return fail(e.withContext(QStringLiteral("service \"%1\"").arg(service)));
}

} // namespace

// Everything that can be known before a container changes.
Status ComposeRunner::checkBeforeUp(const ComposeProject &project, const QStringList &order,
                                    const ComposeUpOptions &options) {
    const ComposeNetwork defaultNetwork = project.networks.value(QStringLiteral("default"));
    if (defaultNetwork.external || defaultNetwork.internal || !defaultNetwork.subnet.isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("the default network's settings (external, internal, subnet) "
                                   "need user-defined networks, which Berth does not have yet"));
    QSet<int> heldByProject;
    for (const ContainerRecord &r : containers(project.name, OneOffs::Include))
        for (const PortBinding &b : r.network.ports)
            heldByProject.insert(b.hostPort);
    for (const QString &name : order) {
        const ComposeService &s = project.services[name];
        for (const QString &net : s.networks.keys())
            if (net != QLatin1String("default"))
                return serviceError(name, Error{ErrorKind::InvalidArgument,
                                                QStringLiteral("network \"%1\": user-defined "
                                                               "networks are not in Berth yet "
                                                               "(only the default network)")
                                                    .arg(net)});
        for (auto it = s.dependsOn.cbegin(); it != s.dependsOn.cend(); ++it)
            if (it->condition == ComposeDependency::Condition::Healthy && !m_services.health)
                return serviceError(name, Error{ErrorKind::InvalidArgument,
                                                QStringLiteral("depends on \"%1\" being healthy: "
                                                               "needs health checks, which this "
                                                               "Berth does not have yet")
                                                    .arg(it.key())});
        if (options.wait == ComposeUpOptions::Wait::Running && s.healthcheck &&
            !s.healthcheck->disable && !m_services.health)
            return serviceError(name, Error{ErrorKind::InvalidArgument,
                                            QStringLiteral("--wait on its healthcheck needs "
                                                           "health checks, which this Berth does "
                                                           "not have yet")});
        for (const ComposeMount &m : s.volumes)
            if (m.type == QLatin1String("tmpfs"))
                return serviceError(name, Error{ErrorKind::InvalidArgument,
                                                QStringLiteral("tmpfs mount %1: not supported by "
                                                               "Berth yet")
                                                    .arg(m.target)});
        for (const ComposePort &p : s.ports) {
            bool ok = false;
            const int port = p.published.toInt(&ok);
            if (!p.published.isEmpty() && !ok)
                return serviceError(name, Error{ErrorKind::InvalidArgument,
                                                QStringLiteral("published port \"%1\": ranges "
                                                               "are not supported")
                                                    .arg(p.published)});
            if (ok && !heldByProject.contains(port) && portInUse(p.hostIp, port, p.protocol))
                return serviceError(name, Error{ErrorKind::Conflict,
                                                QStringLiteral("port %1/%2 is already in use on "
                                                               "the host")
                                                    .arg(port)
                                                    .arg(p.protocol)});
        }
    }
    return {};
}

Status ComposeRunner::ensureImage(const ComposeProject &project, const ComposeService &service,
                                  ComposeUpOptions::Build build) {
    const QString image = imageName(project, service);
    const bool present = !m_services.imageId(image).isEmpty();
    if (service.build && (build == ComposeUpOptions::Build::Always ||
                          (!present && build != ComposeUpOptions::Build::Never))) {
        report(QStringLiteral("Image %1  Building").arg(image));
        if (auto st = m_services.build(service, image); !st)
            return serviceError(service.name, st.error());
        report(QStringLiteral("Image %1  Built").arg(image));
        return {};
    }
    const bool always = service.pullPolicy == QLatin1String("always");
    if (present && !always)
        return {};
    if (service.pullPolicy == QLatin1String("never") ||
        service.pullPolicy == QLatin1String("build"))
        return serviceError(service.name,
                            Error{ErrorKind::NotFound,
                                  QStringLiteral("image %1 is not here and its pull_policy is %2")
                                      .arg(image, service.pullPolicy)});
    report(QStringLiteral("Image %1  Pulling").arg(image));
    if (auto st = m_services.pull(image); !st)
        return serviceError(service.name, st.error());
    report(QStringLiteral("Image %1  Pulled").arg(image));
    return {};
}

Status ComposeRunner::ensureVolumes(const ComposeProject &project, const QStringList &order) {
    QSet<QString> used;
    for (const QString &name : order)
        for (const ComposeMount &m : project.services[name].volumes)
            if (m.type == QLatin1String("volume") && !m.source.isEmpty())
                used.insert(m.source);
    for (const QString &key : used) {
        const ComposeVolume &v = project.volumes[key];
        if (v.external) {
            if (!m_runtime.volumes().get(v.name))
                return fail(ErrorKind::NotFound,
                            QStringLiteral("external volume \"%1\" not found").arg(v.name));
            continue;
        }
        if (m_runtime.volumes().get(v.name))
            continue;
        QMap<QString, QString> labels = v.labels;
        labels.insert(ComposeLabel::Project, project.name);
        labels.insert(ComposeLabel::Volume, key);
        if (auto created = m_runtime.volumes().create(v.name, labels); !created)
            return fail(created.error().withContext(QStringLiteral("volume %1").arg(v.name)));
        report(QStringLiteral("Volume %1  Created").arg(v.name));
    }
    return {};
}

Result<CreateRequest> ComposeRunner::createRequest(const ComposeProject &project,
                                                   const ComposeService &s, int number) {
    CreateRequest r;
    r.name = containerName(project, s, number);
    ContainerSpec &spec = r.spec;
    spec.image = imageName(project, s);
    if (s.command)
        spec.cmd = *s.command;
    if (s.entrypoint) {
        spec.entrypoint = *s.entrypoint;
        r.entrypointSet = true;
    }
    for (auto it = s.environment.cbegin(); it != s.environment.cend(); ++it)
        spec.env.append(it.key() + QLatin1Char('=') + it.value());
    spec.workingDir = s.workingDir;
    spec.user = s.user;
    spec.hostname = s.hostname;
    spec.labels = s.labels;
    spec.labels.insert(ComposeLabel::Project, project.name);
    spec.labels.insert(ComposeLabel::Service, s.name);
    spec.labels.insert(ComposeLabel::Number, QString::number(number));
    spec.labels.insert(ComposeLabel::OneOff, QStringLiteral("False"));
    spec.labels.insert(ComposeLabel::ConfigHash, composeConfigHash(s));
    spec.labels.insert(ComposeLabel::ConfigFiles, project.configFiles.join(QLatin1Char(',')));
    spec.labels.insert(ComposeLabel::WorkingDir, project.workingDir);
    spec.labels.insert(ComposeLabel::Version, QStringLiteral("berth"));
    spec.stopSignal = s.stopSignal;
    if (!s.stopGracePeriod.isEmpty())
        spec.stopTimeout = int((composeDurationNs(s.stopGracePeriod) + 999999999) / 1000000000);
    spec.init = s.init.value_or(false);
    spec.tty = s.tty;
    spec.openStdin = s.stdinOpen;
    auto policy = RestartPolicy::parse(s.restart);
    if (!policy)
        return std::unexpected(policy.error());
    spec.restartPolicy = *policy;
    spec.networkMode = QStringLiteral("bridge");
    for (const ComposePort &p : s.ports)
        spec.portBindings.append({p.protocol, p.target, p.hostIp, p.published.toInt()});
    spec.exposedPorts = s.expose;
    for (const ComposeMount &m : s.volumes) {
        MountSpec mount;
        mount.type = m.type;
        mount.source = m.type == QLatin1String("volume") && !m.source.isEmpty()
                           ? project.volumes[m.source].name
                           : m.source;
        mount.destination = m.target;
        mount.readOnly = m.readOnly;
        spec.mounts.append(mount);
    }
    if (s.healthcheck && m_services.applyHealthcheck)
        m_services.applyHealthcheck(spec, *s.healthcheck);
    return r;
}

namespace {
bool sameRun(const ContainerRecord &r, const QString &hash, const QString &imageId) {
    return r.spec.labels.value(ComposeLabel::ConfigHash) == hash &&
           (imageId.isEmpty() || r.imageId.toString() == imageId);
}
} // namespace

// The service's container as its configuration says: kept when unchanged (started if it is
// not running), replaced when changed, created when missing.
Result<ContainerRecord> ComposeRunner::converge(const ComposeProject &project,
                                                const ComposeService &s) {
    const QString hash = composeConfigHash(s);
    const QString imageId = m_services.imageId(imageName(project, s));
    auto existing = serviceContainer(project.name, s.name, 1);
    const QString name = containerName(project, s, 1);
    if (existing && sameRun(*existing, hash, imageId)) {
        if (existing->isRunning() && !existing->restarting) {
            report(QStringLiteral("Container %1  Running").arg(name));
            return *existing;
        }
        auto started = m_runtime.start(existing->id);
        if (started)
            report(QStringLiteral("Container %1  Started").arg(name));
        return started;
    }
    if (existing) {
        report(QStringLiteral("Container %1  Recreate").arg(name));
        if (auto st = m_runtime.stop(existing->id); !st)
            return std::unexpected(st.error());
        if (auto st = m_runtime.remove(existing->id, ContainerRuntime::Force::Yes,
                                       ContainerRuntime::RemoveVolumes::Yes);
            !st)
            return std::unexpected(st.error());
    }
    auto request = createRequest(project, s, 1);
    if (!request)
        return std::unexpected(request.error());
    auto created = m_runtime.create(*request);
    if (!created)
        return created;
    report(QStringLiteral("Container %1  Created").arg(name));
    auto started = m_runtime.start(created->id);
    if (started)
        report(QStringLiteral("Container %1  Started").arg(name));
    return started;
}

// Waits until what `service` depends on is as its conditions ask.
Status ComposeRunner::awaitDependencies(const ComposeProject &project,
                                        const ComposeService &service) {
    for (auto it = service.dependsOn.cbegin(); it != service.dependsOn.cend(); ++it) {
        auto dep = serviceContainer(project.name, it.key(), 1);
        if (!dep)
            return fail(dep.error());
        if (it->condition == ComposeDependency::Condition::CompletedSuccessfully) {
            report(QStringLiteral("Container %1  Waiting").arg(dep->name));
            auto code = m_runtime.wait(dep->id);
            if (!code)
                return std::unexpected(code.error());
            if (*code != 0)
                return fail(ErrorKind::Conflict,
                            QStringLiteral("service \"%1\" didn't complete successfully: exit %2")
                                .arg(it.key())
                                .arg(*code));
            report(QStringLiteral("Container %1  Exited").arg(dep->name));
        } else if (it->condition == ComposeDependency::Condition::Healthy) {
            report(QStringLiteral("Container %1  Waiting").arg(dep->name));
            for (;;) {
                auto current = m_runtime.get(dep->id);
                if (!current)
                    return std::unexpected(current.error());
                if (!current->isRunning())
                    return fail(ErrorKind::Conflict,
                                QStringLiteral("service \"%1\" exited (%2) before it was healthy")
                                    .arg(it.key())
                                    .arg(current->exitCode));
                auto health = m_services.health(dep->id);
                if (!health)
                    return std::unexpected(health.error());
                if (*health == ComposeServices::Health::Healthy ||
                    *health == ComposeServices::Health::None)
                    break;
                if (*health == ComposeServices::Health::Unhealthy)
                    return fail(ErrorKind::Conflict,
                                QStringLiteral("service \"%1\" is unhealthy").arg(it.key()));
                // The health state has no notification: sample it (the probe interval is 1 s
                // and more).
                QThread::msleep(100);
            }
            report(QStringLiteral("Container %1  Healthy").arg(dep->name));
        }
    }
    return {};
}

// --wait: every service running (healthy if it has a health check, its own or its image's);
// a one-shot service others wait on to complete may have exited 0.
Status ComposeRunner::awaitRunning(const ComposeProject &project, const QStringList &order) {
    QSet<QString> oneShots;
    for (const QString &name : order)
        for (auto it = project.services[name].dependsOn.cbegin();
             it != project.services[name].dependsOn.cend(); ++it)
            if (it->condition == ComposeDependency::Condition::CompletedSuccessfully)
                oneShots.insert(it.key());
    for (const QString &name : order) {
        auto c = serviceContainer(project.name, name, 1);
        if (!c)
            return std::unexpected(c.error());
        auto current = m_runtime.get(c->id);
        if (!current)
            return std::unexpected(current.error());
        if (!current->isRunning()) {
            if (oneShots.contains(name) && current->exitCode == 0)
                continue;
            return fail(ErrorKind::Conflict, QStringLiteral("container %1 exited (%2)")
                                                 .arg(current->name)
                                                 .arg(current->exitCode));
        }
        // The container's own check decides: the service's healthcheck or the image's.
        if (m_services.health && current->spec.healthcheck.runsProbe()) {
            ComposeService probe;
            probe.name = QStringLiteral("--wait");
            probe.dependsOn.insert(name, {ComposeDependency::Condition::Healthy, true, false});
            if (auto st = awaitDependencies(project, probe); !st)
                return st;
        }
    }
    return {};
}

Status ComposeRunner::up(const ComposeProject &project, const ComposeUpOptions &options) {
    const QStringList order = withDependencies(project, options.services);
    if (auto st = checkBeforeUp(project, order, options); !st)
        return st;
    for (const QString &name : order)
        if (auto st = ensureImage(project, project.services[name], options.build); !st)
            return st;
    if (auto st = ensureVolumes(project, order); !st)
        return st;
    for (const ContainerRecord &r : containers(project.name, OneOffs::Exclude)) {
        const QString service = r.spec.labels.value(ComposeLabel::Service);
        if (project.services.contains(service))
            continue;
        if (options.orphans == ComposeUpOptions::Orphans::Remove) {
            if (auto st = m_runtime.remove(r.id, ContainerRuntime::Force::Yes); !st)
                return st;
            report(QStringLiteral("Container %1  Removed").arg(r.name));
        } else {
            report(QStringLiteral("Warning: container %1 of service \"%2\" is not in the "
                                  "project (an orphan); --remove-orphans removes it")
                       .arg(r.name, service));
        }
    }
    for (const QString &name : order) {
        const ComposeService &s = project.services[name];
        if (auto st = awaitDependencies(project, s); !st)
            return serviceError(name, st.error());
        if (s.healthcheck && !s.healthcheck->disable && !m_services.health)
            report(QStringLiteral("Warning: service \"%1\": its healthcheck is not run (this "
                                  "Berth has no health checks yet)")
                       .arg(name));
        for (auto it = s.networks.cbegin(); it != s.networks.cend(); ++it)
            if (!it->aliases.isEmpty())
                report(QStringLiteral("Warning: service \"%1\": network aliases need "
                                      "user-defined networks, not applied yet")
                           .arg(name));
        for (auto it = s.dependsOn.cbegin(); it != s.dependsOn.cend(); ++it)
            if (it->restart)
                report(QStringLiteral("Warning: service \"%1\": depends_on %2 restart: true is "
                                      "not applied yet")
                           .arg(name, it.key()));
        if (!s.extraHosts.isEmpty())
            report(
                QStringLiteral("Warning: service \"%1\": extra_hosts not applied yet").arg(name));
        if (auto c = converge(project, s); !c)
            return serviceError(name, c.error());
    }
    if (options.wait == ComposeUpOptions::Wait::Running)
        return awaitRunning(project, order);
    return {};
}

namespace {

// For each service, the longest chain of services that depend on it (0: nothing does).
// Stopping by increasing height stops dependents before what they depend on.
QHash<QString, int> stopHeights(const ComposeProject &project) {
    QHash<QString, int> height;
    for (const QString &name : project.startOrder())
        height.insert(name, 0);
    // The start order puts dependencies first: walking it backwards, each service's height is
    // final before its dependencies are raised above it.
    const QStringList order = project.startOrder();
    for (auto it = order.crbegin(); it != order.crend(); ++it)
        for (const QString &dep : project.services[*it].dependsOn.keys())
            height[dep] = qMax(height.value(dep), height.value(*it) + 1);
    return height;
}

} // namespace

// Running containers stopped dependents first; those of one height at the same time (each
// stop may wait its grace period: a PID 1 without a TERM handler waits it all).
Status ComposeRunner::stopInOrder(const ComposeProject *project,
                                  const QList<ContainerRecord> &list) {
    const QHash<QString, int> heights = project ? stopHeights(*project) : QHash<QString, int>();
    QMap<int, QList<ContainerRecord>> groups;
    for (const ContainerRecord &r : list)
        if (r.isRunning()) // orphans and one-offs (-1) first
            groups[heights.value(r.spec.labels.value(ComposeLabel::Service), -1)].append(r);
    for (const QList<ContainerRecord> &group : groups) {
        std::vector<Status> results(size_t(group.size()));
        std::vector<std::thread> threads;
        for (qsizetype i = 0; i < group.size(); ++i)
            threads.emplace_back(
                [this, &group, &results, i] { results[size_t(i)] = m_runtime.stop(group[i].id); });
        for (std::thread &t : threads)
            t.join();
        for (qsizetype i = 0; i < group.size(); ++i) {
            const Status &st = results[size_t(i)];
            if (!st && st.error().kind != ErrorKind::NotFound)
                return st;
            report(QStringLiteral("Container %1  Stopped").arg(group[i].name));
        }
    }
    return {};
}

Status ComposeRunner::down(const QString &projectName, const ComposeProject *project,
                           const ComposeDownOptions &options) {
    QList<ContainerRecord> list;
    for (const ContainerRecord &r : containers(projectName, OneOffs::Include)) {
        const QString service = r.spec.labels.value(ComposeLabel::Service);
        if (project && !project->services.contains(service) &&
            !project->disabledServices.contains(service) &&
            options.orphans == ComposeDownOptions::Orphans::Keep)
            continue;
        list.append(r);
    }
    if (auto st = stopInOrder(project, list); !st)
        return st;
    const auto removeVolumes = options.volumes == ComposeDownOptions::Volumes::Remove
                                   ? ContainerRuntime::RemoveVolumes::Yes
                                   : ContainerRuntime::RemoveVolumes::No;
    for (const ContainerRecord &r : list) {
        if (auto st = m_runtime.remove(r.id, ContainerRuntime::Force::Yes, removeVolumes);
            !st && st.error().kind != ErrorKind::NotFound)
            return st;
        report(QStringLiteral("Container %1  Removed").arg(r.name));
    }
    if (options.volumes == ComposeDownOptions::Volumes::Keep)
        return {};
    for (const VolumeRecord &v : m_runtime.volumes().list()) {
        if (v.labels.value(ComposeLabel::Project) != projectName)
            continue;
        if (auto st = m_runtime.volumes().remove(v.name); !st)
            return st;
        report(QStringLiteral("Volume %1  Removed").arg(v.name));
    }
    return {};
}

namespace {
QStringList selected(const ComposeProject &project, const QStringList &services) {
    return services.isEmpty() ? project.services.keys() : services;
}
} // namespace

Status ComposeRunner::start(const ComposeProject &project, const QStringList &services) {
    for (const QString &name : withDependencies(project, services)) {
        auto c = serviceContainer(project.name, name, 1);
        if (!c)
            return std::unexpected(c.error());
        if (auto st = awaitDependencies(project, project.services[name]); !st)
            return serviceError(name, st.error());
        if (auto started = m_runtime.start(c->id); !started)
            return serviceError(name, started.error());
        report(QStringLiteral("Container %1  Started").arg(c->name));
    }
    return {};
}

Status ComposeRunner::stop(const ComposeProject &project, const QStringList &services) {
    const QStringList names = selected(project, services);
    QList<ContainerRecord> list;
    for (const ContainerRecord &r : containers(project.name, OneOffs::Exclude))
        if (names.contains(r.spec.labels.value(ComposeLabel::Service)))
            list.append(r);
    return stopInOrder(&project, list);
}

Status ComposeRunner::restart(const ComposeProject &project, const QStringList &services) {
    for (const QString &name : selected(project, services)) {
        auto c = serviceContainer(project.name, name, 1);
        if (!c)
            return std::unexpected(c.error());
        if (auto st = m_runtime.restart(c->id); !st)
            return serviceError(name, st.error());
        report(QStringLiteral("Container %1  Restarted").arg(c->name));
    }
    return {};
}

Status ComposeRunner::pull(const ComposeProject &project, const QStringList &services) {
    for (const QString &name : selected(project, services)) {
        const ComposeService &s = project.services[name];
        if (s.image.isEmpty())
            continue; // built, not pulled
        report(QStringLiteral("Image %1  Pulling").arg(s.image));
        if (auto st = m_services.pull(s.image); !st)
            return serviceError(name, st.error());
        report(QStringLiteral("Image %1  Pulled").arg(s.image));
    }
    return {};
}

Status ComposeRunner::build(const ComposeProject &project, const QStringList &services) {
    for (const QString &name : selected(project, services)) {
        const ComposeService &s = project.services[name];
        if (!s.build)
            continue;
        if (auto st = ensureImage(project, s, ComposeUpOptions::Build::Always); !st)
            return st;
    }
    return {};
}

Result<ContainerRecord> ComposeRunner::createOneOff(const ComposeProject &project,
                                                    const QString &service,
                                                    const OneOffOptions &options) {
    if (!project.services.contains(service))
        return fail(ErrorKind::NotFound, QStringLiteral("no such service: %1").arg(service));
    ComposeService s = project.services[service];
    s.ports.clear(); // as docker compose run without --service-ports
    s.containerName.clear();
    if (auto st = ensureImage(project, s, ComposeUpOptions::Build::IfMissing); !st)
        return std::unexpected(st.error());
    if (auto st = ensureVolumes(project, {service}); !st)
        return std::unexpected(st.error());
    auto request = createRequest(project, s, 1);
    if (!request)
        return std::unexpected(request.error());
    request->name =
        QStringLiteral("%1-%2-run-%3")
            .arg(project.name, service)
            .arg(QRandomGenerator::global()->generate() & 0xffffff, 6, 16, QLatin1Char('0'));
    request->spec.labels.insert(ComposeLabel::OneOff, QStringLiteral("True"));
    if (!options.command.isEmpty())
        request->spec.cmd = options.command;
    request->spec.tty = options.tty;
    request->spec.openStdin = options.interactive;
    request->spec.stdinOnce = options.interactive;
    request->spec.autoRemove = options.autoRemove;
    request->spec.restartPolicy = {};
    return m_runtime.create(*request);
}

} // namespace Berth::Engine
