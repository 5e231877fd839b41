// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl compose [-f FILE]... [-p NAME] [--profile P]... COMMAND: compose projects through
// the engine's compose operations (Engine::compose()). Full-only: it builds and pulls.
#include "app/cli/attach.h"
#include "app/cli/command.h"
#include "app/cli/containerstatus.h"
#include "app/cli/format.h"
#include "engine/core/fileutil.h"
#include "engine/operations/composeoperations.h"
#include "engine/runtime/containerlogs.h"
#include "engine/runtime/publishedports.h"

#include <QDateTime>
#include <QProcessEnvironment>
#include <QThread>
#include <atomic>
#include <csignal>
#include <unistd.h>

namespace Berth::Cli {
namespace {

using namespace Engine;

// What comes before the subcommand.
struct Globals {
    ComposeLoadOptions load;
    QString command;
    QStringList args;
};

const char *const kUsage =
    "Usage: berthctl compose [-f FILE]... [-p NAME] [--profile NAME]... [--project-directory "
    "DIR] COMMAND\n\n"
    "Define and run multi-container applications\n\n"
    "Commands:\n"
    "  build     Build or rebuild services\n"
    "  config    Print the resolved compose file\n"
    "  down      Stop and remove containers and volumes (-v)\n"
    "  exec      Execute a command in a running service container\n"
    "  logs      View output from containers\n"
    "  ls        List projects\n"
    "  ps        List containers\n"
    "  pull      Pull service images\n"
    "  restart   Restart service containers\n"
    "  run       Run a one-off command on a service\n"
    "  start     Start services\n"
    "  stop      Stop services\n"
    "  up        Create and start containers\n";

Result<Globals> parseGlobals(const QStringList &args) {
    Globals g;
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &key : env.keys())
        g.load.environment.insert(key, env.value(key));
    qsizetype i = 0;
    const auto value = [&](const QString &flag) -> Result<QString> {
        if (i + 1 >= args.size())
            return fail(ErrorKind::InvalidArgument, QStringLiteral("%1 needs a value").arg(flag));
        return args[++i];
    };
    for (; i < args.size(); ++i) {
        QString a = args[i];
        QString inlineValue;
        if (a.startsWith(QLatin1String("--")) && a.contains(QLatin1Char('='))) {
            inlineValue = a.section(QLatin1Char('='), 1);
            a = a.section(QLatin1Char('='), 0, 0);
        }
        QString *target = nullptr;
        QStringList *list = nullptr;
        if (a == QLatin1String("-f") || a == QLatin1String("--file"))
            list = &g.load.files;
        else if (a == QLatin1String("--profile"))
            list = &g.load.profiles;
        else if (a == QLatin1String("-p") || a == QLatin1String("--project-name"))
            target = &g.load.projectName;
        else if (a == QLatin1String("--project-directory"))
            target = &g.load.workingDirectory;
        else if (a.startsWith(QLatin1Char('-')) && a != QLatin1String("-"))
            return fail(ErrorKind::InvalidArgument, QStringLiteral("unknown flag: %1").arg(a));
        else
            break;
        Result<QString> v = inlineValue.isEmpty() ? value(a) : Result<QString>(inlineValue);
        if (!v)
            return std::unexpected(v.error());
        if (list)
            list->append(*v);
        else
            *target = *v;
    }
    if (i < args.size()) {
        g.command = args[i];
        g.args = args.mid(i + 1);
    }
    return g;
}

void printProgress(Context &ctx, const QString &line) {
    ctx.err << line << Qt::endl;
}

// Loads the project; warnings go to stderr.
Result<ComposeProject> loadProject(Context &ctx, Engine::Engine &engine, const Globals &g,
                                   const QStringList &services = {}) {
    ComposeLoadOptions options = g.load;
    options.services = services;
    auto project = engine.compose().load(options);
    if (project)
        for (const QString &w : project->warnings)
            ctx.err << "Warning: " << w << Qt::endl;
    return project;
}

int configCmd(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Print the resolved compose file"));
    const QCommandLineOption services(QStringLiteral("services"),
                                      QStringLiteral("Print the service names, one per line"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only check the files"));
    p.addOptions({services, quiet});
    if (int rc = ctx.parse(p, QStringLiteral("compose config"), QString()); rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g);
    if (!project)
        return ctx.fail(project.error());
    if (p.isSet(quiet))
        return 0;
    if (p.isSet(services)) {
        for (const QString &name : project->services.keys())
            ctx.out << name << '\n';
        return 0;
    }
    ctx.out.flush();
    const QByteArray yaml = composeConfigYaml(*project);
    return writeAll(STDOUT_FILENO, yaml.constData(), size_t(yaml.size())) ? 0 : 1;
}

std::atomic<bool> g_interrupted{false};
void onInterrupt(int) {
    g_interrupted = true;
}

// Combined logs: each line prefixed with its container's name (coloured on a terminal).
class LogMux {
public:
    LogMux(ContainerRuntime &rt, const QList<ContainerRecord> &containers, bool colour,
           bool timestamps)
        : m_rt(rt)
        , m_timestamps(timestamps) {
        int width = 0;
        for (const ContainerRecord &c : containers)
            width = qMax(width, int(c.name.size()));
        static const char *const colours[] = {"36", "33", "32", "35", "34", "96", "93", "92"};
        int n = 0;
        for (const ContainerRecord &c : containers) {
            QByteArray prefix = c.name.leftJustified(width).toUtf8() + " | ";
            if (colour)
                prefix = "\x1b[" + QByteArray(colours[n++ % 8]) + "m" + prefix + "\x1b[0m";
            m_sources.push_back({c.id, prefix, std::make_unique<LogReader>(rt.logPath(c.id))});
        }
    }
    bool read(const LogQuery &query) {
        for (Source &s : m_sources)
            if (!s.reader->read(query, [&](const LogEntry &e) { return add(s, e); }))
                return false;
        return flush();
    }
    // Follows until every container has stopped (or the user interrupts).
    bool follow() {
        while (!g_interrupted) {
            bool anyRunning = false;
            for (Source &s : m_sources) {
                auto now = m_rt.get(s.id);
                anyRunning = anyRunning || (now && now->isRunning());
                if (!s.reader->follow([&](const LogEntry &e) { return add(s, e); }))
                    return false;
            }
            if (!flush())
                return false;
            if (!anyRunning)
                return true;
            QThread::msleep(100);
        }
        return true;
    }

private:
    struct Source {
        QString id;
        QByteArray prefix;
        std::unique_ptr<LogReader> reader;
    };
    bool add(const Source &s, const LogEntry &e) {
        m_buffer.append(s.prefix);
        if (m_timestamps) {
            appendLogTimestamp(m_buffer, e.timeNs);
            m_buffer.append(' ');
        }
        m_buffer.append(e.text);
        if (!e.text.endsWith('\n'))
            m_buffer.append('\n');
        return m_buffer.size() < (1 << 20) || flush();
    }
    bool flush() {
        const bool ok = writeAll(STDOUT_FILENO, m_buffer.constData(), size_t(m_buffer.size()));
        m_buffer.clear();
        return ok;
    }
    ContainerRuntime &m_rt;
    bool m_timestamps;
    std::vector<Source> m_sources;
    QByteArray m_buffer;
};

QList<ContainerRecord> ofServices(const QList<ContainerRecord> &all, const QStringList &services) {
    if (services.isEmpty())
        return all;
    QList<ContainerRecord> out;
    for (const ContainerRecord &c : all)
        if (services.contains(c.spec.labels.value(ComposeLabel::Service)))
            out.append(c);
    return out;
}

int logsCmd(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("View output from containers"));
    const QCommandLineOption follow({QStringLiteral("f"), QStringLiteral("follow")},
                                    QStringLiteral("Follow log output"));
    const QCommandLineOption tail({QStringLiteral("n"), QStringLiteral("tail")},
                                  QStringLiteral("Number of lines to show from the end of the "
                                                 "logs of each container"),
                                  QStringLiteral("N"), QStringLiteral("all"));
    const QCommandLineOption timestamps({QStringLiteral("t"), QStringLiteral("timestamps")},
                                        QStringLiteral("Show timestamps"));
    const QCommandLineOption noColour(QStringLiteral("no-color"),
                                      QStringLiteral("Produce monochrome output"));
    p.addOptions({follow, tail, timestamps, noColour});
    if (int rc = ctx.parse(p, QStringLiteral("compose logs"), QStringLiteral("[SERVICE...]"));
        rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    LogQuery query;
    if (p.value(tail) != QLatin1String("all")) {
        bool ok = false;
        query.tail = p.value(tail).toInt(&ok);
        if (!ok || query.tail < 0)
            return ctx.usage(QStringLiteral("invalid --tail: %1").arg(p.value(tail)));
    }
    auto project = loadProject(ctx, engine, g);
    if (!project)
        return ctx.fail(project.error());
    LogMux mux(
        engine.containers(),
        ofServices(engine.compose().containers(project->name, ComposeRunner::OneOffs::Include),
                   p.positionalArguments()),
        ::isatty(STDOUT_FILENO) && !p.isSet(noColour), p.isSet(timestamps));
    if (!mux.read(query))
        return 1;
    if (!p.isSet(follow))
        return 0;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    return mux.follow() ? 0 : 1;
}

int upCmd(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Create and start containers"));
    const QCommandLineOption detach({QStringLiteral("d"), QStringLiteral("detach")},
                                    QStringLiteral("Detached mode: run containers in the "
                                                   "background"));
    const QCommandLineOption build(QStringLiteral("build"),
                                   QStringLiteral("Build images before starting containers"));
    const QCommandLineOption noBuild(QStringLiteral("no-build"),
                                     QStringLiteral("Don't build an image, even if it's missing"));
    const QCommandLineOption wait(QStringLiteral("wait"),
                                  QStringLiteral("Wait for services to be running|healthy "
                                                 "(implies --detach)"));
    const QCommandLineOption orphans(QStringLiteral("remove-orphans"),
                                     QStringLiteral("Remove containers for services not defined "
                                                    "in the compose file"));
    p.addOptions({detach, build, noBuild, wait, orphans});
    if (int rc = ctx.parse(p, QStringLiteral("compose up"), QStringLiteral("[SERVICE...]"));
        rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g, p.positionalArguments());
    if (!project)
        return ctx.fail(project.error());
    ComposeUpOptions options;
    options.services = p.positionalArguments();
    options.build = p.isSet(build)     ? ComposeUpOptions::Build::Always
                    : p.isSet(noBuild) ? ComposeUpOptions::Build::Never
                                       : ComposeUpOptions::Build::IfMissing;
    options.wait = p.isSet(wait) ? ComposeUpOptions::Wait::Running : ComposeUpOptions::Wait::No;
    options.orphans =
        p.isSet(orphans) ? ComposeUpOptions::Orphans::Remove : ComposeUpOptions::Orphans::Keep;
    const auto progress = [&ctx](const QString &line) { printProgress(ctx, line); };
    // Attached, what the containers print from now on (a kept container's earlier runs not).
    LogQuery fromNow;
    fromNow.sinceNs = QDateTime::currentMSecsSinceEpoch() * 1000000;
    if (auto st = engine.compose().up(*project, options, progress); !st)
        return ctx.fail(st.error());
    if (p.isSet(detach) || p.isSet(wait))
        return 0;
    // Attached: the services' logs until they all stop; Ctrl+C stops them (as docker compose).
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    LogMux mux(engine.containers(),
               ofServices(engine.compose().containers(project->name), options.services),
               ::isatty(STDOUT_FILENO), false);
    const bool ok = mux.read(fromNow) && mux.follow();
    if (g_interrupted) {
        ctx.err << "Gracefully stopping... (press Ctrl+C again to force)" << Qt::endl;
        std::signal(SIGINT, SIG_DFL);
        if (auto st = engine.compose().stop(*project, options.services, progress); !st)
            return ctx.fail(st.error());
        return 130;
    }
    return ok ? 0 : 1;
}

int downCmd(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Stop and remove containers and volumes"));
    const QCommandLineOption volumes({QStringLiteral("v"), QStringLiteral("volumes")},
                                     QStringLiteral("Remove named volumes declared in the "
                                                    "\"volumes\" section and anonymous volumes"));
    const QCommandLineOption orphans(QStringLiteral("remove-orphans"),
                                     QStringLiteral("Remove containers for services not defined "
                                                    "in the compose file"));
    p.addOptions({volumes, orphans});
    if (int rc = ctx.parse(p, QStringLiteral("compose down"), QString()); rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g);
    // Without its files a project named with -p still goes down, entirely.
    if (!project && (g.load.projectName.isEmpty() || project.error().kind != ErrorKind::NotFound))
        return ctx.fail(project.error());
    ComposeDownOptions options;
    options.volumes =
        p.isSet(volumes) ? ComposeDownOptions::Volumes::Remove : ComposeDownOptions::Volumes::Keep;
    options.orphans = p.isSet(orphans) || !project ? ComposeDownOptions::Orphans::Remove
                                                   : ComposeDownOptions::Orphans::Keep;
    const QString name = project ? project->name : g.load.projectName;
    if (auto st = engine.compose().down(name, project ? &*project : nullptr, options,
                                        [&ctx](const QString &l) { printProgress(ctx, l); });
        !st)
        return ctx.fail(st.error());
    return 0;
}

int psCmd(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List containers"));
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("Show all stopped containers"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only display IDs"));
    const QCommandLineOption services(QStringLiteral("services"),
                                      QStringLiteral("Display services"));
    p.addOptions({all, quiet, services});
    if (int rc = ctx.parse(p, QStringLiteral("compose ps"), QStringLiteral("[SERVICE...]"));
        rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g);
    if (!project && (g.load.projectName.isEmpty() || project.error().kind != ErrorKind::NotFound))
        return ctx.fail(project.error());
    const QString name = project ? project->name : g.load.projectName;
    QList<QStringList> rows;
    for (const ContainerRecord &r :
         ofServices(engine.compose().containers(name), p.positionalArguments())) {
        if (!p.isSet(all) && !r.isRunning())
            continue;
        const QString service = r.spec.labels.value(ComposeLabel::Service);
        if (p.isSet(quiet) || p.isSet(services)) {
            ctx.out << (p.isSet(quiet) ? r.id : service) << '\n';
            continue;
        }
        rows.append({r.name, r.spec.image,
                     QLatin1Char('"') + commandText(r).left(20) + QLatin1Char('"'), service,
                     humanSince(r.created), statusText(r), portsSummary(r.spec, r.network)});
    }
    if (!p.isSet(quiet) && !p.isSet(services))
        printTable(ctx.out,
                   {QStringLiteral("NAME"), QStringLiteral("IMAGE"), QStringLiteral("COMMAND"),
                    QStringLiteral("SERVICE"), QStringLiteral("CREATED"), QStringLiteral("STATUS"),
                    QStringLiteral("PORTS")},
                   rows);
    return 0;
}

int lsCmd(Context &ctx, const Globals &) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List running compose projects"));
    const QCommandLineOption all({QStringLiteral("a"), QStringLiteral("all")},
                                 QStringLiteral("Show all stopped Compose projects"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only display project names"));
    p.addOptions({all, quiet});
    if (int rc = ctx.parse(p, QStringLiteral("compose ls"), QString()); rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    QList<QStringList> rows;
    for (const ComposeProjectSummary &s : engine.compose().projects()) {
        if (!p.isSet(all) && !s.states.contains(QStringLiteral("running")))
            continue;
        if (p.isSet(quiet)) {
            ctx.out << s.name << '\n';
            continue;
        }
        QStringList states;
        for (auto it = s.states.cbegin(); it != s.states.cend(); ++it)
            states.append(QStringLiteral("%1(%2)").arg(it.key()).arg(it.value()));
        rows.append(
            {s.name, states.join(QStringLiteral(", ")), s.configFiles.join(QLatin1Char(','))});
    }
    if (!p.isSet(quiet))
        printTable(
            ctx.out,
            {QStringLiteral("NAME"), QStringLiteral("STATUS"), QStringLiteral("CONFIG FILES")},
            rows);
    return 0;
}

// start, stop, restart, pull, build: SERVICE... of the project.
int serviceAction(Context &ctx, const Globals &g) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("%1 services").arg(g.command));
    if (int rc =
            ctx.parse(p, QStringLiteral("compose ") + g.command, QStringLiteral("[SERVICE...]"));
        rc >= 0)
        return rc;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g, p.positionalArguments());
    if (!project)
        return ctx.fail(project.error());
    const QStringList services = p.positionalArguments();
    const auto progress = [&ctx](const QString &line) { printProgress(ctx, line); };
    ComposeOperations compose = engine.compose();
    Status st;
    if (g.command == QLatin1String("start"))
        st = compose.start(*project, services, progress);
    else if (g.command == QLatin1String("stop"))
        st = compose.stop(*project, services, progress);
    else if (g.command == QLatin1String("restart"))
        st = compose.restart(*project, services, progress);
    else if (g.command == QLatin1String("pull"))
        st = compose.pull(*project, services, progress);
    else
        st = compose.build(*project, services, progress);
    return st ? 0 : ctx.fail(st.error());
}

// `compose exec SERVICE COMMAND...`: berthctl exec on the service's container (-T: no tty).
int execCmd(Context &ctx, const Globals &g) {
    QStringList args = g.args;
    bool noTty = !::isatty(STDIN_FILENO);
    QStringList execFlags;
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString flag = args.takeFirst();
        if (flag == QLatin1String("-T") || flag == QLatin1String("--no-TTY"))
            noTty = true;
        else if (flag == QLatin1String("-d") || flag == QLatin1String("--detach"))
            execFlags.append(flag);
        else if ((flag == QLatin1String("-e") || flag == QLatin1String("-u") ||
                  flag == QLatin1String("-w")) &&
                 !args.isEmpty())
            execFlags << flag << args.takeFirst();
        else
            return ctx.usage(QStringLiteral("unknown flag for compose exec: %1").arg(flag));
    }
    if (args.size() < 2)
        return ctx.usage(QStringLiteral("Usage: berthctl compose exec [-T] [-d] [-e K=V] [-u "
                                        "USER] [-w DIR] SERVICE COMMAND [ARG...]"));
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g);
    if (!project)
        return ctx.fail(project.error());
    auto container = engine.compose().serviceContainer(project->name, args.takeFirst());
    if (!container)
        return ctx.fail(container.error());
    execFlags.append(QStringLiteral("-i"));
    if (!noTty)
        execFlags.append(QStringLiteral("-t"));
    for (const Command &c : commands())
        if (c.name == QLatin1String("exec")) {
            Context sub(execFlags + QStringList{container->name} + args);
            return c.run(sub);
        }
    return ctx.fail({ErrorKind::Internal, QStringLiteral("no exec command")});
}

// `compose run [--rm] [-d] [-T] SERVICE [COMMAND...]`: what it depends on is brought up, then
// a one-off container runs attached.
int runCmd(Context &ctx, const Globals &g) {
    QStringList args = g.args;
    ComposeRunner::OneOffOptions options;
    bool detach = false;
    bool noTty = !::isatty(STDIN_FILENO);
    while (!args.isEmpty() && args.first().startsWith(QLatin1Char('-'))) {
        const QString flag = args.takeFirst();
        if (flag == QLatin1String("--rm"))
            options.autoRemove = true;
        else if (flag == QLatin1String("-d") || flag == QLatin1String("--detach"))
            detach = true;
        else if (flag == QLatin1String("-T") || flag == QLatin1String("--no-TTY"))
            noTty = true;
        else
            return ctx.usage(QStringLiteral("unknown flag for compose run: %1").arg(flag));
    }
    if (args.isEmpty())
        return ctx.usage(
            QStringLiteral("Usage: berthctl compose run [--rm] [-d] [-T] SERVICE [COMMAND...]"));
    const QString service = args.takeFirst();
    options.command = args;
    options.tty = !noTty && !detach;
    options.interactive = !detach;
    Engine::Engine *opened = ctx.engine();
    if (!opened)
        return 1;
    Engine::Engine &engine = *opened;
    auto project = loadProject(ctx, engine, g, {service});
    if (!project)
        return ctx.fail(project.error());
    const auto progress = [&ctx](const QString &line) { printProgress(ctx, line); };
    const QStringList dependencies = project->services[service].dependsOn.keys();
    if (!dependencies.isEmpty()) {
        ComposeUpOptions up;
        up.services = dependencies;
        if (auto st = engine.compose().up(*project, up, progress); !st)
            return ctx.fail(st.error());
    }
    auto created = engine.compose().createOneOff(*project, service, options, progress);
    if (!created)
        return ctx.fail(created.error());
    ContainerRuntime &rt = engine.containers();
    auto started = rt.start(created->id, detach ? ContainerRuntime::StartOptions{}
                                                : startForAttach(options.tty));
    if (!started) {
        if (options.autoRemove)
            rt.remove(created->id, ContainerRuntime::Force::Yes);
        return ctx.fail(started.error());
    }
    if (detach) {
        ctx.out << created->name << Qt::endl;
        return 0;
    }
    AttachSession session;
    session.stdin = true;
    session.closeStdinAtEnd = true;
    const int exitCode = attachToContainer(ctx, engine, *started, session);
    if (options.autoRemove)
        if (auto st = rt.remove(created->id, ContainerRuntime::Force::Yes);
            !st && st.error().kind != ErrorKind::NotFound)
            ctx.fail(st.error());
    return exitCode;
}

int composeCmd(Context &ctx) {
    auto globals = parseGlobals(ctx.args);
    if (!globals)
        return ctx.fail(globals.error());
    if (globals->command.isEmpty() || globals->command == QLatin1String("--help") ||
        globals->command == QLatin1String("help")) {
        ctx.out << kUsage;
        return globals->command.isEmpty() ? 125 : 0;
    }
    using Handler = int (*)(Context &, const Globals &);
    static const QHash<QString, Handler> handlers{{QStringLiteral("config"), configCmd},
                                                  {QStringLiteral("up"), upCmd},
                                                  {QStringLiteral("down"), downCmd},
                                                  {QStringLiteral("ps"), psCmd},
                                                  {QStringLiteral("ls"), lsCmd},
                                                  {QStringLiteral("logs"), logsCmd},
                                                  {QStringLiteral("start"), serviceAction},
                                                  {QStringLiteral("stop"), serviceAction},
                                                  {QStringLiteral("restart"), serviceAction},
                                                  {QStringLiteral("pull"), serviceAction},
                                                  {QStringLiteral("build"), serviceAction},
                                                  {QStringLiteral("exec"), execCmd},
                                                  {QStringLiteral("run"), runCmd}};
    const Handler handler = handlers.value(globals->command);
    if (!handler)
        return ctx.usage(QStringLiteral("unknown compose command: %1").arg(globals->command));
    ctx.args = globals->args;
    return handler(ctx, *globals);
}

const bool registered = [] {
    registerCommand({QStringLiteral("compose"),
                     QStringLiteral("Define and run multi-container applications"), composeCmd});
    return true;
}();

} // namespace
} // namespace Berth::Cli
