// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/compose/composeloader.h"

#include "engine/compose/composeread.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSet>

namespace Berth::Engine {

using namespace ComposeRead;

QString normalizeComposeProjectName(const QString &name) {
    QString out;
    for (const QChar c : name.toLower())
        if ((c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
            (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') ||
            c == QLatin1Char('-'))
            out.append(c);
    while (!out.isEmpty() && (out[0] == QLatin1Char('_') || out[0] == QLatin1Char('-')))
        out.remove(0, 1);
    return out;
}

bool isValidComposeProjectName(const QString &name) {
    static const QRegularExpression valid(QStringLiteral("^[a-z0-9][a-z0-9_-]*$"));
    return valid.match(name).hasMatch();
}

namespace {

QString unquoteDouble(const QString &v) {
    QString out;
    for (qsizetype i = 0; i < v.size(); ++i) {
        if (v[i] == QLatin1Char('\\') && i + 1 < v.size()) {
            const QChar e = v[++i];
            out.append(e == QLatin1Char('n')   ? QChar(QLatin1Char('\n'))
                       : e == QLatin1Char('t') ? QChar(QLatin1Char('\t'))
                                               : e);
        } else {
            out.append(v[i]);
        }
    }
    return out;
}

} // namespace

Result<QList<QPair<QString, std::optional<QString>>>>
readEnvironmentFile(const QString &path, const QMap<QString, QString> &known) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("open %1: %2").arg(path, f.errorString()));
    QMap<QString, QString> seen = known;
    QList<QPair<QString, std::optional<QString>>> out;
    int lineNumber = 0;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        ++lineNumber;
        QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        if (line.startsWith(QLatin1String("export ")))
            line = line.mid(7).trimmed();
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        const QString key = (eq < 0 ? line : line.left(eq)).trimmed();
        if (key.isEmpty() || key.contains(QLatin1Char(' ')))
            return fail(
                ErrorKind::InvalidArgument,
                QStringLiteral("%1:%2: invalid line \"%3\"").arg(path).arg(lineNumber).arg(line));
        if (eq < 0) {
            out.append({key, std::nullopt});
            continue;
        }
        QString value = line.mid(eq + 1).trimmed();
        const auto lookup = [&seen](const QString &name) -> std::optional<QString> {
            return seen.contains(name) ? std::optional(seen.value(name)) : std::nullopt;
        };
        if (value.size() >= 2 && value.startsWith(QLatin1Char('\'')) &&
            value.endsWith(QLatin1Char('\''))) {
            value = value.mid(1, value.size() - 2);
        } else {
            const bool quoted = value.size() >= 2 && value.startsWith(QLatin1Char('"')) &&
                                value.endsWith(QLatin1Char('"'));
            if (quoted)
                value = unquoteDouble(value.mid(1, value.size() - 2));
            else if (const qsizetype hash = value.indexOf(QStringLiteral(" #")); hash >= 0)
                value = value.left(hash).trimmed();
            auto expanded = interpolateText(value, lookup);
            if (!expanded)
                return fail(ErrorKind::InvalidArgument, QStringLiteral("%1:%2: %3")
                                                            .arg(path)
                                                            .arg(lineNumber)
                                                            .arg(expanded.error().message));
            value = *expanded;
        }
        seen.insert(key, value);
        out.append({key, value});
    }
    return out;
}

namespace {

Result<QStringList> findFiles(const ComposeLoadOptions &o) {
    const QDir base(o.workingDirectory.isEmpty() ? QDir::currentPath() : o.workingDirectory);
    QStringList files = o.files;
    if (files.isEmpty() && !o.environment.value(QStringLiteral("COMPOSE_FILE")).isEmpty())
        files = o.environment.value(QStringLiteral("COMPOSE_FILE")).split(QLatin1Char(':'));
    if (files.isEmpty()) {
        for (const char *name :
             {"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}) {
            if (!QFileInfo::exists(base.filePath(QLatin1String(name))))
                continue;
            files.append(QLatin1String(name));
            QString stem = QLatin1String(name);
            stem.chop(QFileInfo(stem).suffix().size() + 1);
            for (const QString &suffix :
                 {QStringLiteral(".override.yaml"), QStringLiteral(".override.yml")})
                if (QFileInfo::exists(base.filePath(stem + suffix))) {
                    files.append(stem + suffix);
                    break;
                }
            break;
        }
        if (files.isEmpty())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("no compose file (compose.yaml, compose.yml, "
                                       "docker-compose.yml, docker-compose.yaml) in %1")
                            .arg(base.absolutePath()));
    }
    for (QString &f : files)
        f = QDir::cleanPath(base.absoluteFilePath(f));
    return files;
}

ComposeMergeRules mergeRules() {
    ComposeMergeRules rules;
    rules.replaceSequence = [](const QString &path) {
        return path.startsWith(QLatin1String("services.")) &&
               (path.endsWith(QLatin1String(".command")) ||
                path.endsWith(QLatin1String(".entrypoint")) ||
                path.endsWith(QLatin1String(".healthcheck.test")));
    };
    rules.uniqueKey = [](const QString &path, const ComposeNode &item) -> QString {
        if (!path.startsWith(QLatin1String("services.")) || !item.isMapping())
            return {};
        const auto field = [&item](const char *key) {
            const ComposeNode *n = item.get(QLatin1String(key));
            return n ? n->scalar : QString();
        };
        if (path.endsWith(QLatin1String(".ports")))
            return field("host_ip") + QLatin1Char('|') + field("target") + QLatin1Char('|') +
                   field("published") + QLatin1Char('|') +
                   (field("protocol").isEmpty() ? QStringLiteral("tcp") : field("protocol"));
        if (path.endsWith(QLatin1String(".volumes")))
            return field("target");
        return {};
    };
    return rules;
}

// One file read, interpolated and normalised, ready to merge.
Result<ComposeNode> readFile(const QString &file, const VariableLookup &lookup) {
    auto tree = readComposeYaml(file);
    if (!tree)
        return tree;
    if (tree->isNull())
        tree->kind = ComposeNode::Kind::Mapping;
    if (!tree->isMapping())
        return failAt(*tree, {}, QStringLiteral("a compose file must be a mapping"));
    if (auto st = interpolateTree(*tree, lookup); !st)
        return std::unexpected(st.error());
    if (ComposeNode *services = tree->get(QStringLiteral("services"))) {
        if (!services->isMapping() && !services->isNull())
            return failAt(*services, QStringLiteral("services"),
                          QStringLiteral("must be a mapping"));
        for (auto &[name, service] : services->entries)
            if (auto st = normalizeService(service, QStringLiteral("services.") + name); !st)
                return std::unexpected(st.error());
    }
    return tree;
}

Status readNetwork(ComposeNetwork &n, const ComposeNode &node, const QString &path,
                   const Context &ctx) {
    if (node.isNull())
        return {};
    if (!node.isMapping())
        return failAt(node, path, QStringLiteral("must be a mapping"));
    for (const auto &[k, v] : node.entries) {
        const QString p = path + QLatin1Char('.') + k;
        Status st;
        if (k == QLatin1String("name"))
            st = assign(n.name, string(v, p));
        else if (k == QLatin1String("driver"))
            st = assign(n.driver, string(v, p));
        else if (k == QLatin1String("external"))
            st = assign(n.external, boolean(v, p));
        else if (k == QLatin1String("internal"))
            st = assign(n.internal, boolean(v, p));
        else if (k == QLatin1String("labels"))
            st = assign(n.labels, stringMap(v, p));
        else if (k == QLatin1String("ipam")) {
            const ComposeNode *config = v.get(QStringLiteral("config"));
            if (config && config->isSequence() && !config->items.isEmpty()) {
                const ComposeNode &first = config->items.first();
                if (const ComposeNode *s = first.get(QStringLiteral("subnet")))
                    n.subnet = s->scalar;
                if (const ComposeNode *g = first.get(QStringLiteral("gateway")))
                    n.gateway = g->scalar;
            }
        } else if (!k.startsWith(QLatin1String("x-")))
            ctx.warn(v, p, QStringLiteral("not supported by Berth yet, ignored"));
        if (!st)
            return st;
    }
    return {};
}

Status readVolume(ComposeVolume &vol, const ComposeNode &node, const QString &path,
                  const Context &ctx) {
    if (node.isNull())
        return {};
    if (!node.isMapping())
        return failAt(node, path, QStringLiteral("must be a mapping"));
    for (const auto &[k, v] : node.entries) {
        const QString p = path + QLatin1Char('.') + k;
        Status st;
        if (k == QLatin1String("name"))
            st = assign(vol.name, string(v, p));
        else if (k == QLatin1String("driver"))
            st = assign(vol.driver, string(v, p));
        else if (k == QLatin1String("external"))
            st = assign(vol.external, boolean(v, p));
        else if (k == QLatin1String("labels"))
            st = assign(vol.labels, stringMap(v, p));
        else if (!k.startsWith(QLatin1String("x-")))
            ctx.warn(v, p, QStringLiteral("not supported by Berth yet, ignored"));
        if (!st)
            return st;
    }
    return {};
}

Status readTopLevel(ComposeProject &p, const ComposeNode &root, const Context &ctx) {
    for (const auto &[key, value] : root.entries) {
        static const QStringList known = names({"name", "services", "networks", "volumes"});
        if (key == QLatin1String("version"))
            ctx.warn(value, key, QStringLiteral("obsolete, ignored"));
        else if (!known.contains(key) && !key.startsWith(QLatin1String("x-")))
            ctx.warn(value, key,
                     key == QLatin1String("secrets") || key == QLatin1String("configs")
                         ? QStringLiteral("not supported by Berth yet, ignored")
                         : QStringLiteral("unknown key, ignored"));
    }
    for (const char *section : {"networks", "volumes"}) {
        const ComposeNode *n = root.get(QLatin1String(section));
        if (n && !n->isMapping() && !n->isNull())
            return failAt(*n, QLatin1String(section), QStringLiteral("must be a mapping"));
    }
    if (const ComposeNode *networks = root.get(QStringLiteral("networks")))
        for (const auto &[key, value] : networks->entries) {
            ComposeNetwork n;
            n.key = key;
            if (auto st = readNetwork(n, value, QStringLiteral("networks.") + key, ctx); !st)
                return st;
            if (n.name.isEmpty())
                n.name = n.external ? key : p.name + QLatin1Char('_') + key;
            p.networks.insert(key, n);
        }
    if (const ComposeNode *volumes = root.get(QStringLiteral("volumes")))
        for (const auto &[key, value] : volumes->entries) {
            ComposeVolume v;
            v.key = key;
            if (auto st = readVolume(v, value, QStringLiteral("volumes.") + key, ctx); !st)
                return st;
            if (v.name.isEmpty())
                v.name = v.external ? key : p.name + QLatin1Char('_') + key;
            p.volumes.insert(key, v);
        }
    return {};
}

Result<QString> projectName(const ComposeLoadOptions &o, const ComposeNode &root,
                            const QMap<QString, QString> &env, const QString &projectDir) {
    QString name = o.projectName;
    if (name.isEmpty())
        name = env.value(QStringLiteral("COMPOSE_PROJECT_NAME"));
    if (name.isEmpty())
        if (const ComposeNode *n = root.get(QStringLiteral("name"))) {
            if (!n->isScalar())
                return failAt(*n, QStringLiteral("name"), QStringLiteral("must be a string"));
            name = n->scalar;
        }
    if (!name.isEmpty()) {
        if (!isValidComposeProjectName(name))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid project name \"%1\": only lower-case letters, "
                                       "digits, '-' and '_', starting with a letter or digit")
                            .arg(name));
        return name;
    }
    name = normalizeComposeProjectName(QFileInfo(projectDir).fileName());
    if (name.isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("the directory name \"%1\" gives no valid project name; name "
                                   "the project with -p or `name:`")
                        .arg(QFileInfo(projectDir).fileName()));
    return name;
}

bool enabledByProfiles(const ComposeService &s, const QStringList &active,
                       const QStringList &named) {
    if (s.profiles.isEmpty() || active.contains(QStringLiteral("*")) || named.contains(s.name))
        return true;
    return std::any_of(s.profiles.begin(), s.profiles.end(),
                       [&active](const QString &p) { return active.contains(p); });
}

// Unknown and disabled dependencies, then cycles: all before anything starts.
Status checkDependencies(ComposeProject &p, const QMap<QString, ComposeNode> &nodes) {
    for (ComposeService &s : p.services) {
        for (const QString &dep : s.dependsOn.keys()) {
            const ComposeNode &at = *nodes[s.name].get(QStringLiteral("depends_on"));
            const QString path = QStringLiteral("services.%1.depends_on").arg(s.name);
            if (p.disabledServices.contains(dep)) {
                if (!s.dependsOn[dep].required) {
                    s.dependsOn.remove(dep);
                    continue;
                }
                return failAt(at, path,
                              QStringLiteral("service \"%1\" depends on \"%2\", which no active "
                                             "profile enables")
                                  .arg(s.name, dep));
            }
            if (!p.services.contains(dep))
                return failAt(at, path,
                              QStringLiteral("service \"%1\" depends on undefined service "
                                             "\"%2\"")
                                  .arg(s.name, dep));
        }
    }
    QHash<QString, int> state; // 1 = on the current path, 2 = done
    QStringList stack;
    std::function<Status(const QString &)> visit = [&](const QString &name) -> Status {
        if (state.value(name) == 2)
            return {};
        if (state.value(name) == 1) {
            QStringList cycle = stack.mid(stack.indexOf(name));
            cycle.append(name);
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("%1: dependency cycle: %2")
                            .arg(nodes[name].where(), cycle.join(QStringLiteral(" -> "))));
        }
        state[name] = 1;
        stack.append(name);
        for (const QString &dep : p.services[name].dependsOn.keys())
            if (auto st = visit(dep); !st)
                return st;
        stack.removeLast();
        state[name] = 2;
        return {};
    };
    for (const QString &name : p.services.keys())
        if (auto st = visit(name); !st)
            return st;
    return {};
}

// Networks and named volumes a service uses must be declared at the top level; `default` is
// there unless declared otherwise.
Status checkReferences(ComposeProject &p, const QMap<QString, ComposeNode> &nodes) {
    bool usesDefault = false;
    for (ComposeService &s : p.services) {
        if (s.networks.isEmpty())
            s.networks.insert(QStringLiteral("default"), {});
        for (const QString &net : s.networks.keys()) {
            if (net == QLatin1String("default") && !p.networks.contains(net)) {
                usesDefault = true;
                continue;
            }
            if (!p.networks.contains(net))
                return failAt(nodes[s.name], QStringLiteral("services.") + s.name,
                              QStringLiteral("refers to undefined network \"%1\"").arg(net));
        }
        for (const ComposeMount &m : s.volumes)
            if (m.type == QLatin1String("volume") && !m.source.isEmpty() &&
                !p.volumes.contains(m.source))
                return failAt(nodes[s.name], QStringLiteral("services.") + s.name,
                              QStringLiteral("refers to undefined volume \"%1\"").arg(m.source));
    }
    if (usesDefault) {
        ComposeNetwork n;
        n.key = QStringLiteral("default");
        n.name = p.name + QStringLiteral("_default");
        p.networks.insert(n.key, n);
    }
    return {};
}

QMap<QString, QString> interpolationEnvironment(const ComposeLoadOptions &o,
                                                const QString &projectDir, Status &status) {
    QMap<QString, QString> env;
    const QString dotEnv = QDir(projectDir).filePath(QStringLiteral(".env"));
    if (QFileInfo::exists(dotEnv)) {
        auto lines = readEnvironmentFile(dotEnv, o.environment);
        if (!lines)
            status = std::unexpected(lines.error());
        else
            for (const auto &[k, v] : *lines)
                if (v)
                    env.insert(k, *v);
    }
    env.insert(o.environment); // the caller's environment wins over .env
    return env;
}

Status readServices(ComposeProject &p, const ComposeNode &root, const Context &ctx,
                    const ComposeLoadOptions &o, QMap<QString, ComposeNode> &nodes) {
    QStringList active = o.profiles;
    if (active.isEmpty())
        for (const QString &profile :
             ctx.environment.value(QStringLiteral("COMPOSE_PROFILES")).split(QLatin1Char(',')))
            if (!profile.trimmed().isEmpty())
                active.append(profile.trimmed());
    if (const ComposeNode *services = root.get(QStringLiteral("services")))
        for (const auto &[name, node] : services->entries) {
            auto s = readService(name, node, ctx);
            if (!s)
                return std::unexpected(s.error());
            nodes.insert(name, node);
            if (enabledByProfiles(*s, active, o.services))
                p.services.insert(name, *s);
            else
                p.disabledServices.append(name);
        }
    for (const QString &named : o.services)
        if (!p.services.contains(named))
            return fail(ErrorKind::NotFound, QStringLiteral("no such service: %1").arg(named));
    return {};
}

} // namespace

Result<ComposeProject> loadComposeProject(const ComposeLoadOptions &o) {
    auto files = findFiles(o);
    if (!files)
        return std::unexpected(files.error());
    ComposeProject p;
    p.configFiles = *files;
    p.workingDir = QFileInfo(files->first()).absolutePath();
    Status envStatus;
    Context ctx;
    ctx.projectDir = p.workingDir;
    ctx.environment = interpolationEnvironment(o, p.workingDir, envStatus);
    ctx.warnings = &p.warnings;
    if (!envStatus)
        return std::unexpected(envStatus.error());
    const VariableLookup lookup = [&ctx](const QString &name) -> std::optional<QString> {
        const auto it = ctx.environment.constFind(name);
        return it == ctx.environment.cend() ? std::nullopt : std::optional(*it);
    };
    ComposeNode merged;
    merged.kind = ComposeNode::Kind::Mapping;
    for (const QString &file : *files) {
        auto tree = readFile(file, lookup);
        if (!tree)
            return std::unexpected(tree.error());
        mergeComposeTrees(merged, *tree, mergeRules());
    }
    auto name = projectName(o, merged, ctx.environment, p.workingDir);
    if (!name)
        return std::unexpected(name.error());
    p.name = *name;
    QMap<QString, ComposeNode> nodes;
    if (auto st = readTopLevel(p, merged, ctx); !st)
        return std::unexpected(st.error());
    if (auto st = readServices(p, merged, ctx, o, nodes); !st)
        return std::unexpected(st.error());
    if (auto st = checkDependencies(p, nodes); !st)
        return std::unexpected(st.error());
    if (auto st = checkReferences(p, nodes); !st)
        return std::unexpected(st.error());
    return p;
}

} // namespace Berth::Engine
