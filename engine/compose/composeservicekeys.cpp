// SPDX-License-Identifier: GPL-3.0-or-later
// One reader per service key (compose-spec's services section), each checking its type.
#include "engine/compose/composeloader.h"
#include "engine/compose/composeread.h"

#include <QFileInfo>

namespace Berth::Engine::ComposeRead {

namespace {

using Reader = Status (*)(ComposeService &, const ComposeNode &, const QString &, const Context &);

QString child(const QString &path, const QString &key) {
    return path + QLatin1Char('.') + key;
}

std::unexpected<Error> needMapping(const ComposeNode &n, const QString &path) {
    return failAt(n, path, QStringLiteral("must be a mapping"));
}

// Warns about keys of a long form the model does not read (x- keys are the user's own).
void warnUnknown(const ComposeNode &n, const QString &path,
                 std::initializer_list<const char *> knownKeys, const Context &ctx) {
    const QStringList known = names(knownKeys);
    for (const auto &[k, v] : n.entries)
        if (!known.contains(k) && !k.startsWith(QLatin1String("x-")))
            ctx.warn(v, child(path, k), QStringLiteral("unknown key, ignored"));
}

Status readBuild(ComposeService &s, const ComposeNode &n, const QString &path, const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    warnUnknown(n, path, {"context", "dockerfile", "args", "target"}, ctx);
    ComposeBuild b;
    if (const ComposeNode *c = n.get(QStringLiteral("context")))
        if (auto st = assign(b.context, string(*c, child(path, QStringLiteral("context")))); !st)
            return st;
    if (b.context.isEmpty())
        b.context = QStringLiteral(".");
    if (!b.context.contains(QLatin1String("://")) && !b.context.startsWith(QLatin1String("git@")))
        b.context = absolutePath(ctx.projectDir, b.context);
    if (const ComposeNode *d = n.get(QStringLiteral("dockerfile")))
        if (auto st = assign(b.dockerfile, string(*d, child(path, QStringLiteral("dockerfile"))));
            !st)
            return st;
    if (const ComposeNode *a = n.get(QStringLiteral("args")))
        if (auto st = assign(b.args, stringMap(*a, child(path, QStringLiteral("args")))); !st)
            return st;
    if (const ComposeNode *t = n.get(QStringLiteral("target")))
        if (auto st = assign(b.target, string(*t, child(path, QStringLiteral("target")))); !st)
            return st;
    s.build = b;
    return {};
}

Status readCommand(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    if (n.isNull())
        return {};
    auto v = stringList(n, path, ScalarForm::ShellWords);
    if (!v)
        return std::unexpected(v.error());
    s.command = *v;
    return {};
}

Status readEntrypoint(ComposeService &s, const ComposeNode &n, const QString &path,
                      const Context &) {
    if (n.isNull())
        return {};
    auto v = stringList(n, path, ScalarForm::ShellWords);
    if (!v)
        return std::unexpected(v.error());
    s.entrypoint = *v;
    return {};
}

// Entries without a value take the caller's environment's, or are left out.
Status readEnvironment(ComposeService &s, const ComposeNode &n, const QString &path,
                       const Context &ctx) {
    if (n.isNull())
        return {};
    if (!n.isMapping())
        return needMapping(n, path);
    for (const auto &[k, v] : n.entries) {
        if (v.isNull()) {
            if (ctx.environment.contains(k))
                s.environment.insert(k, ctx.environment.value(k));
            continue;
        }
        auto value = string(v, child(path, k));
        if (!value)
            return std::unexpected(value.error());
        s.environment.insert(k, *value);
    }
    return {};
}

// env_file: read now; `environment` (read after) wins over it.
Status readEnvFile(ComposeService &s, const ComposeNode &n, const QString &path,
                   const Context &ctx) {
    QList<const ComposeNode *> entries;
    if (n.isSequence())
        for (const ComposeNode &item : n.items)
            entries.append(&item);
    else
        entries.append(&n);
    for (const ComposeNode *entry : entries) {
        QString file;
        bool required = true;
        if (entry->isMapping()) {
            if (const ComposeNode *p = entry->get(QStringLiteral("path")))
                file = p->scalar;
            if (const ComposeNode *r = entry->get(QStringLiteral("required")))
                if (auto st =
                        assign(required, boolean(*r, child(path, QStringLiteral("required"))));
                    !st)
                    return st;
        } else if (auto v = string(*entry, path); v) {
            file = *v;
        } else {
            return std::unexpected(v.error());
        }
        const QString absolute = absolutePath(ctx.projectDir, file);
        if (!required && !QFileInfo::exists(absolute))
            continue;
        auto lines = readEnvironmentFile(absolute, ctx.environment);
        if (!lines)
            return failAt(*entry, path, lines.error().message);
        for (const auto &[k, v] : *lines)
            if (v)
                s.environment.insert(k, *v);
            else if (ctx.environment.contains(k))
                s.environment.insert(k, ctx.environment.value(k));
    }
    return {};
}

Status readPort(ComposePort &p, const ComposeNode &n, const QString &path, const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    warnUnknown(n, path,
                {"target", "published", "host_ip", "protocol", "mode", "name", "app_protocol"},
                ctx);
    const ComposeNode *target = n.get(QStringLiteral("target"));
    if (!target)
        return failAt(n, path, QStringLiteral("a port needs a target"));
    if (auto st = assign(p.target, integer(*target, child(path, QStringLiteral("target")))); !st)
        return st;
    if (p.target < 1 || p.target > 65535)
        return failAt(*target, path, QStringLiteral("invalid port %1").arg(p.target));
    if (const ComposeNode *v = n.get(QStringLiteral("published")))
        if (auto st = assign(p.published, string(*v, child(path, QStringLiteral("published"))));
            !st)
            return st;
    if (const ComposeNode *v = n.get(QStringLiteral("host_ip")))
        if (auto st = assign(p.hostIp, string(*v, child(path, QStringLiteral("host_ip")))); !st)
            return st;
    if (const ComposeNode *v = n.get(QStringLiteral("protocol")))
        if (auto st = assign(p.protocol, string(*v, child(path, QStringLiteral("protocol")))); !st)
            return st;
    if (p.protocol != QLatin1String("tcp") && p.protocol != QLatin1String("udp"))
        return failAt(n, path, QStringLiteral("protocol must be tcp or udp"));
    return {};
}

Status readPorts(ComposeService &s, const ComposeNode &n, const QString &path, const Context &ctx) {
    for (qsizetype i = 0; i < n.items.size(); ++i) {
        ComposePort p;
        if (auto st = readPort(p, n.items[i], path + QStringLiteral("[%1]").arg(i), ctx); !st)
            return st;
        s.ports.append(p);
    }
    return {};
}

Status readMount(ComposeMount &m, const ComposeNode &n, const QString &path, const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    warnUnknown(n, path,
                {"type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"},
                ctx);
    for (const auto &[key, field] : {std::pair{"type", &m.type}, std::pair{"source", &m.source},
                                     std::pair{"target", &m.target}})
        if (const ComposeNode *v = n.get(QLatin1String(key)))
            if (auto st = assign(*field, string(*v, child(path, QLatin1String(key)))); !st)
                return st;
    if (const ComposeNode *v = n.get(QStringLiteral("read_only")))
        if (auto st = assign(m.readOnly, boolean(*v, child(path, QStringLiteral("read_only"))));
            !st)
            return st;
    static const QStringList types = names({"volume", "bind", "tmpfs"});
    if (!types.contains(m.type))
        return failAt(n, path, QStringLiteral("type must be volume, bind or tmpfs"));
    if (!m.target.startsWith(QLatin1Char('/')))
        return failAt(n, path,
                      QStringLiteral("target must be an absolute path, not \"%1\"").arg(m.target));
    if (m.type == QLatin1String("bind")) {
        if (m.source.isEmpty())
            return failAt(n, path, QStringLiteral("a bind mount needs a source"));
        m.source = absolutePath(ctx.projectDir, m.source);
    }
    return {};
}

Status readVolumes(ComposeService &s, const ComposeNode &n, const QString &path,
                   const Context &ctx) {
    for (qsizetype i = 0; i < n.items.size(); ++i) {
        ComposeMount m;
        if (auto st = readMount(m, n.items[i], path + QStringLiteral("[%1]").arg(i), ctx); !st)
            return st;
        s.volumes.append(m);
    }
    return {};
}

Status readExpose(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    auto v = stringList(n, path, ScalarForm::Refused);
    if (!v)
        return std::unexpected(v.error());
    for (QString port : *v)
        s.expose.append(port.contains(QLatin1Char('/')) ? port : port + QStringLiteral("/tcp"));
    return {};
}

Status readNetworks(ComposeService &s, const ComposeNode &n, const QString &path,
                    const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    for (const auto &[name, v] : n.entries) {
        ComposeServiceNetwork net;
        if (v.isMapping()) {
            warnUnknown(v, child(path, name),
                        {"aliases", "ipv4_address", "ipv6_address", "priority"}, ctx);
            if (const ComposeNode *a = v.get(QStringLiteral("aliases")))
                if (auto st = assign(net.aliases,
                                     stringList(*a, child(path, name + QStringLiteral(".aliases")),
                                                ScalarForm::Refused));
                    !st)
                    return st;
        } else if (!v.isNull()) {
            return needMapping(v, child(path, name));
        }
        s.networks.insert(name, net);
    }
    return {};
}

Status readDependency(ComposeDependency &d, const ComposeNode &v, const QString &path,
                      const Context &ctx) {
    if (v.isNull())
        return {};
    if (!v.isMapping())
        return needMapping(v, path);
    warnUnknown(v, path, {"condition", "required", "restart"}, ctx);
    if (const ComposeNode *c = v.get(QStringLiteral("condition"))) {
        const QString condition = c->scalar;
        if (condition == QLatin1String("service_started"))
            d.condition = ComposeDependency::Condition::Started;
        else if (condition == QLatin1String("service_healthy"))
            d.condition = ComposeDependency::Condition::Healthy;
        else if (condition == QLatin1String("service_completed_successfully"))
            d.condition = ComposeDependency::Condition::CompletedSuccessfully;
        else
            return failAt(*c, child(path, QStringLiteral("condition")),
                          QStringLiteral("must be service_started, service_healthy or "
                                         "service_completed_successfully"));
    }
    if (const ComposeNode *r = v.get(QStringLiteral("required")))
        if (auto st = assign(d.required, boolean(*r, child(path, QStringLiteral("required")))); !st)
            return st;
    if (const ComposeNode *r = v.get(QStringLiteral("restart")))
        if (auto st = assign(d.restart, boolean(*r, child(path, QStringLiteral("restart")))); !st)
            return st;
    return {};
}

Status readDependsOn(ComposeService &s, const ComposeNode &n, const QString &path,
                     const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    for (const auto &[name, v] : n.entries) {
        ComposeDependency d;
        if (auto st = readDependency(d, v, child(path, name), ctx); !st)
            return st;
        s.dependsOn.insert(name, d);
    }
    return {};
}

Status readHealthcheck(ComposeService &s, const ComposeNode &n, const QString &path,
                       const Context &ctx) {
    if (!n.isMapping())
        return needMapping(n, path);
    warnUnknown(
        n, path,
        {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"},
        ctx);
    ComposeHealthcheck h;
    if (const ComposeNode *v = n.get(QStringLiteral("disable")))
        if (auto st = assign(h.disable, boolean(*v, child(path, QStringLiteral("disable")))); !st)
            return st;
    if (const ComposeNode *v = n.get(QStringLiteral("test"))) {
        if (auto st = assign(
                h.test, stringList(*v, child(path, QStringLiteral("test")), ScalarForm::Single));
            !st)
            return st;
        if (v->isScalar()) // a string is a shell command
            h.test.prepend(QStringLiteral("CMD-SHELL"));
        static const QStringList kinds = names({"CMD", "CMD-SHELL", "NONE"});
        if (!h.test.isEmpty() && !kinds.contains(h.test.first()))
            return failAt(*v, child(path, QStringLiteral("test")),
                          QStringLiteral("must start with CMD, CMD-SHELL or NONE"));
    }
    for (const auto &[key, field] :
         {std::pair{"interval", &h.interval}, std::pair{"timeout", &h.timeout},
          std::pair{"start_period", &h.startPeriod}, std::pair{"start_interval", &h.startInterval}})
        if (const ComposeNode *v = n.get(QLatin1String(key)))
            if (auto st = assign(*field, duration(*v, child(path, QLatin1String(key)))); !st)
                return st;
    if (const ComposeNode *v = n.get(QStringLiteral("retries")))
        if (auto st = assign(h.retries, integer(*v, child(path, QStringLiteral("retries")))); !st)
            return st;
    s.healthcheck = h;
    return {};
}

Status readRestart(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    if (auto st = assign(s.restart, string(n, path)); !st)
        return st;
    static const QStringList policies = names({"", "no", "always", "unless-stopped", "on-failure"});
    if (!policies.contains(s.restart) && !s.restart.startsWith(QLatin1String("on-failure:")))
        return failAt(n, path,
                      QStringLiteral("must be no, always, unless-stopped or on-failure[:N]"));
    return {};
}

template <QString ComposeService::*Field>
Status readString(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    return assign(s.*Field, string(n, path));
}
template <bool ComposeService::*Field>
Status readBool(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    return assign(s.*Field, boolean(n, path));
}
template <QStringList ComposeService::*Field>
Status readList(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    return assign(s.*Field, stringList(n, path, ScalarForm::Refused));
}
Status readLabels(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    return assign(s.labels, stringMap(n, path));
}
Status readInit(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    auto v = boolean(n, path);
    if (!v)
        return std::unexpected(v.error());
    s.init = *v;
    return {};
}
Status readGrace(ComposeService &s, const ComposeNode &n, const QString &path, const Context &) {
    return assign(s.stopGracePeriod, duration(n, path));
}
Status readPullPolicy(ComposeService &s, const ComposeNode &n, const QString &path,
                      const Context &) {
    if (auto st = assign(s.pullPolicy, string(n, path)); !st)
        return st;
    static const QStringList policies =
        names({"always", "never", "missing", "if_not_present", "build"});
    if (!policies.contains(s.pullPolicy))
        return failAt(n, path, QStringLiteral("must be always, never, missing or build"));
    return {};
}

// The keys Berth reads, in the order they are read (env_file before environment: the latter
// wins).
const QList<std::pair<const char *, Reader>> &readers() {
    static const QList<std::pair<const char *, Reader>> list{
        {"image", readString<&ComposeService::image>},
        {"build", readBuild},
        {"command", readCommand},
        {"entrypoint", readEntrypoint},
        {"env_file", readEnvFile},
        {"environment", readEnvironment},
        {"ports", readPorts},
        {"expose", readExpose},
        {"volumes", readVolumes},
        {"networks", readNetworks},
        {"depends_on", readDependsOn},
        {"healthcheck", readHealthcheck},
        {"restart", readRestart},
        {"container_name", readString<&ComposeService::containerName>},
        {"hostname", readString<&ComposeService::hostname>},
        {"extra_hosts", readList<&ComposeService::extraHosts>},
        {"working_dir", readString<&ComposeService::workingDir>},
        {"user", readString<&ComposeService::user>},
        {"labels", readLabels},
        {"tty", readBool<&ComposeService::tty>},
        {"stdin_open", readBool<&ComposeService::stdinOpen>},
        {"init", readInit},
        {"stop_signal", readString<&ComposeService::stopSignal>},
        {"stop_grace_period", readGrace},
        {"profiles", readList<&ComposeService::profiles>},
        {"pull_policy", readPullPolicy},
    };
    return list;
}

// compose-spec service keys Berth does not apply yet: a warning, not an error, so a file
// written for Docker still runs.
const QStringList &notApplied() {
    static const QStringList keys = names({"annotations",
                                           "attach",
                                           "blkio_config",
                                           "cap_add",
                                           "cap_drop",
                                           "cgroup",
                                           "cgroup_parent",
                                           "configs",
                                           "cpu_count",
                                           "cpu_percent",
                                           "cpu_period",
                                           "cpu_quota",
                                           "cpu_rt_period",
                                           "cpu_rt_runtime",
                                           "cpu_shares",
                                           "cpus",
                                           "cpuset",
                                           "credential_spec",
                                           "device_cgroup_rules",
                                           "devices",
                                           "develop",
                                           "dns",
                                           "dns_opt",
                                           "dns_search",
                                           "domainname",
                                           "external_links",
                                           "extends",
                                           "gpus",
                                           "group_add",
                                           "ipc",
                                           "isolation",
                                           "links",
                                           "logging",
                                           "mac_address",
                                           "mem_limit",
                                           "mem_reservation",
                                           "mem_swappiness",
                                           "memswap_limit",
                                           "network_mode",
                                           "oom_kill_disable",
                                           "oom_score_adj",
                                           "pid",
                                           "pids_limit",
                                           "platform",
                                           "post_start",
                                           "pre_stop",
                                           "privileged",
                                           "read_only",
                                           "runtime",
                                           "scale",
                                           "secrets",
                                           "security_opt",
                                           "shm_size",
                                           "storage_opt",
                                           "sysctls",
                                           "tmpfs",
                                           "ulimits",
                                           "userns_mode",
                                           "uts",
                                           "volumes_from"});
    return keys;
}

} // namespace

Result<ComposeService> readService(const QString &name, const ComposeNode &node,
                                   const Context &ctx) {
    const QString path = QStringLiteral("services.") + name;
    if (!node.isMapping())
        return failAt(node, path, QStringLiteral("must be a mapping"));
    ComposeService s;
    s.name = name;
    for (const auto &[key, reader] : readers())
        if (const ComposeNode *v = node.get(QLatin1String(key)))
            if (auto st = reader(s, *v, child(path, QLatin1String(key)), ctx); !st)
                return std::unexpected(st.error());
    for (const auto &[key, value] : node.entries) {
        const bool known = std::any_of(readers().begin(), readers().end(), [&](const auto &r) {
            return key == QLatin1String(r.first);
        });
        if (known || key.startsWith(QLatin1String("x-")))
            continue;
        if (key == QLatin1String("deploy"))
            ctx.warn(value, child(path, key), QStringLiteral("swarm-only, ignored"));
        else if (notApplied().contains(key))
            ctx.warn(value, child(path, key),
                     QStringLiteral("not supported by Berth yet, ignored"));
        else
            ctx.warn(value, child(path, key), QStringLiteral("unknown key, ignored"));
    }
    if (s.image.isEmpty() && !s.build)
        return failAt(node, path, QStringLiteral("has neither an image nor a build context"));
    return s;
}

} // namespace Berth::Engine::ComposeRead
