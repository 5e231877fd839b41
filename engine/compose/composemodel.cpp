// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/compose/composemodel.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSet>
#include <yaml-cpp/yaml.h>

namespace Berth::Engine {

QString dependencyConditionName(ComposeDependency::Condition condition) {
    switch (condition) {
    case ComposeDependency::Condition::Started:
        return QStringLiteral("service_started");
    case ComposeDependency::Condition::Healthy:
        return QStringLiteral("service_healthy");
    case ComposeDependency::Condition::CompletedSuccessfully:
        return QStringLiteral("service_completed_successfully");
    }
    return {};
}

QStringList ComposeProject::startOrder() const {
    // The loader has refused cycles; a depth-first walk in name order gives a stable order.
    QStringList order;
    QSet<QString> done;
    std::function<void(const QString &)> visit = [&](const QString &name) {
        if (done.contains(name) || !services.contains(name))
            return;
        done.insert(name);
        for (const QString &dependency : services[name].dependsOn.keys())
            visit(dependency);
        order.append(name);
    };
    for (const QString &name : services.keys())
        visit(name);
    return order;
}

namespace {

// Text a YAML reader would take for something else (a number, a boolean, null) is quoted.
void emitText(YAML::Emitter &out, const QString &value) {
    static const QRegularExpression ambiguous(
        QStringLiteral("^$|^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?$|^0[xo]|"
                       "^(true|false|yes|no|on|off|null|~|y|n|\\.inf|\\.nan)$"),
        QRegularExpression::CaseInsensitiveOption);
    if (ambiguous.match(value).hasMatch())
        out << YAML::DoubleQuoted;
    out << value.toStdString();
}

void emitKey(YAML::Emitter &out, const char *key) {
    out << YAML::Key << key << YAML::Value;
}

void emitString(YAML::Emitter &out, const char *key, const QString &value) {
    if (value.isEmpty())
        return;
    emitKey(out, key);
    emitText(out, value);
}

void emitBool(YAML::Emitter &out, const char *key, bool value) {
    if (!value)
        return;
    emitKey(out, key);
    out << true;
}

void emitList(YAML::Emitter &out, const QStringList &values) {
    out << YAML::BeginSeq;
    for (const QString &v : values)
        emitText(out, v);
    out << YAML::EndSeq;
}

void emitList(YAML::Emitter &out, const char *key, const QStringList &values) {
    if (values.isEmpty())
        return;
    emitKey(out, key);
    emitList(out, values);
}

void emitMap(YAML::Emitter &out, const char *key, const QMap<QString, QString> &values) {
    if (values.isEmpty())
        return;
    emitKey(out, key);
    out << YAML::BeginMap;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        out << YAML::Key << it.key().toStdString() << YAML::Value;
        emitText(out, it.value());
    }
    out << YAML::EndMap;
}

void emitBuild(YAML::Emitter &out, const ComposeBuild &build) {
    emitKey(out, "build");
    out << YAML::BeginMap;
    emitMap(out, "args", build.args);
    emitString(out, "context", build.context);
    emitString(out, "dockerfile", build.dockerfile);
    emitString(out, "target", build.target);
    out << YAML::EndMap;
}

void emitHealthcheck(YAML::Emitter &out, const ComposeHealthcheck &h) {
    emitKey(out, "healthcheck");
    out << YAML::BeginMap;
    emitBool(out, "disable", h.disable);
    emitString(out, "interval", h.interval);
    if (h.retries >= 0) {
        emitKey(out, "retries");
        out << h.retries;
    }
    emitString(out, "start_interval", h.startInterval);
    emitString(out, "start_period", h.startPeriod);
    emitList(out, "test", h.test);
    emitString(out, "timeout", h.timeout);
    out << YAML::EndMap;
}

void emitPorts(YAML::Emitter &out, const QList<ComposePort> &ports) {
    if (ports.isEmpty())
        return;
    emitKey(out, "ports");
    out << YAML::BeginSeq;
    for (const ComposePort &p : ports) {
        out << YAML::BeginMap;
        emitString(out, "host_ip", p.hostIp);
        emitString(out, "protocol", p.protocol);
        emitString(out, "published", p.published);
        emitKey(out, "target");
        out << p.target;
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emitVolumes(YAML::Emitter &out, const QList<ComposeMount> &mounts) {
    if (mounts.isEmpty())
        return;
    emitKey(out, "volumes");
    out << YAML::BeginSeq;
    for (const ComposeMount &m : mounts) {
        out << YAML::BeginMap;
        emitBool(out, "read_only", m.readOnly);
        emitString(out, "source", m.source);
        emitString(out, "target", m.target);
        emitString(out, "type", m.type);
        out << YAML::EndMap;
    }
    out << YAML::EndSeq;
}

void emitDependsOn(YAML::Emitter &out, const QMap<QString, ComposeDependency> &dependsOn) {
    if (dependsOn.isEmpty())
        return;
    emitKey(out, "depends_on");
    out << YAML::BeginMap;
    for (auto it = dependsOn.cbegin(); it != dependsOn.cend(); ++it) {
        out << YAML::Key << it.key().toStdString() << YAML::Value << YAML::BeginMap;
        emitString(out, "condition", dependencyConditionName(it->condition));
        emitKey(out, "required");
        out << it->required;
        emitBool(out, "restart", it->restart);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emitServiceNetworks(YAML::Emitter &out, const QMap<QString, ComposeServiceNetwork> &nets) {
    if (nets.isEmpty())
        return;
    emitKey(out, "networks");
    out << YAML::BeginMap;
    for (auto it = nets.cbegin(); it != nets.cend(); ++it) {
        out << YAML::Key << it.key().toStdString() << YAML::Value;
        if (it->aliases.isEmpty()) {
            out << YAML::Null;
        } else {
            out << YAML::BeginMap;
            emitList(out, "aliases", it->aliases);
            out << YAML::EndMap;
        }
    }
    out << YAML::EndMap;
}

// One service's keys, sorted as `docker compose config` sorts them.
void emitService(YAML::Emitter &out, const ComposeService &s) {
    out << YAML::BeginMap;
    if (s.build)
        emitBuild(out, *s.build);
    if (s.command) {
        emitKey(out, "command");
        emitList(out, *s.command);
    }
    emitString(out, "container_name", s.containerName);
    emitDependsOn(out, s.dependsOn);
    if (s.entrypoint) {
        emitKey(out, "entrypoint");
        emitList(out, *s.entrypoint);
    }
    emitMap(out, "environment", s.environment);
    emitList(out, "expose", s.expose);
    emitList(out, "extra_hosts", s.extraHosts);
    if (s.healthcheck)
        emitHealthcheck(out, *s.healthcheck);
    emitString(out, "hostname", s.hostname);
    emitString(out, "image", s.image);
    if (s.init) {
        emitKey(out, "init");
        out << *s.init;
    }
    emitMap(out, "labels", s.labels);
    emitServiceNetworks(out, s.networks);
    emitPorts(out, s.ports);
    emitList(out, "profiles", s.profiles);
    emitString(out, "pull_policy", s.pullPolicy);
    emitString(out, "restart", s.restart);
    emitBool(out, "stdin_open", s.stdinOpen);
    emitString(out, "stop_grace_period", s.stopGracePeriod);
    emitString(out, "stop_signal", s.stopSignal);
    emitBool(out, "tty", s.tty);
    emitString(out, "user", s.user);
    emitVolumes(out, s.volumes);
    emitString(out, "working_dir", s.workingDir);
    out << YAML::EndMap;
}

void emitNetworks(YAML::Emitter &out, const QMap<QString, ComposeNetwork> &networks) {
    if (networks.isEmpty())
        return;
    emitKey(out, "networks");
    out << YAML::BeginMap;
    for (const ComposeNetwork &n : networks) {
        out << YAML::Key << n.key.toStdString() << YAML::Value << YAML::BeginMap;
        emitString(out, "driver", n.driver);
        emitBool(out, "external", n.external);
        if (!n.subnet.isEmpty() || !n.gateway.isEmpty()) {
            emitKey(out, "ipam");
            out << YAML::BeginMap;
            emitKey(out, "config");
            out << YAML::BeginSeq << YAML::BeginMap;
            emitString(out, "gateway", n.gateway);
            emitString(out, "subnet", n.subnet);
            out << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
        }
        emitBool(out, "internal", n.internal);
        emitMap(out, "labels", n.labels);
        emitString(out, "name", n.name);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

void emitVolumeDefinitions(YAML::Emitter &out, const QMap<QString, ComposeVolume> &volumes) {
    if (volumes.isEmpty())
        return;
    emitKey(out, "volumes");
    out << YAML::BeginMap;
    for (const ComposeVolume &v : volumes) {
        out << YAML::Key << v.key.toStdString() << YAML::Value << YAML::BeginMap;
        emitString(out, "driver", v.driver);
        emitBool(out, "external", v.external);
        emitMap(out, "labels", v.labels);
        emitString(out, "name", v.name);
        out << YAML::EndMap;
    }
    out << YAML::EndMap;
}

QByteArray finish(const YAML::Emitter &out) {
    QByteArray text(out.c_str(), qsizetype(out.size()));
    if (!text.endsWith('\n'))
        text.append('\n');
    return text;
}

} // namespace

QByteArray composeConfigYaml(const ComposeProject &project) {
    YAML::Emitter out;
    out << YAML::BeginMap;
    emitString(out, "name", project.name);
    emitKey(out, "services");
    out << YAML::BeginMap;
    for (const ComposeService &s : project.services) {
        out << YAML::Key << s.name.toStdString() << YAML::Value;
        emitService(out, s);
    }
    out << YAML::EndMap;
    emitNetworks(out, project.networks);
    emitVolumeDefinitions(out, project.volumes);
    out << YAML::EndMap;
    return finish(out);
}

QByteArray composeServiceYaml(const ComposeService &service) {
    YAML::Emitter out;
    emitService(out, service);
    return finish(out);
}

QString composeConfigHash(const ComposeService &service) {
    return QString::fromLatin1(
        QCryptographicHash::hash(composeServiceYaml(service), QCryptographicHash::Sha256).toHex());
}

} // namespace Berth::Engine
