// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl create, run, start, stop, restart, kill, rm, ps, inspect, wait, logs, rename,
// container prune: the container life cycle, with Docker's options and output.
#include "app/cli/attach.h"
#include "app/cli/command.h"
#include "app/cli/containerstatus.h"
#include "app/cli/format.h"
#include "app/cli/inspect.h"
#include "engine/core/directorywatch.h"
#include "engine/core/fileutil.h"
#include "engine/operations/volumeoperations.h"
#include "engine/runtime/commandexit.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/containerinspect.h"
#include "engine/runtime/containerlogs.h"
#include "engine/runtime/ocispec.h"
#include "engine/runtime/publishedports.h"
#include "engine/runtime/rootless.h"
#include "engine/runtime/seccompprofile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

// Parses like Context::parse, but stops at the first positional argument (IMAGE): what follows
// is the container's command, whose options are its own (`run busybox sh -c ...`). Only
// --help shows help, since -h is --hostname here, as in Docker.
int parseRunLike(Context &ctx, QCommandLineParser &parser, const QString &command,
                 const QString &positional) {
    const QCommandLineOption help(QStringLiteral("help"), QStringLiteral("Show this help"));
    parser.addOption(help);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    if (!parser.parse(QStringList{QStringLiteral("berthctl ") + command} + ctx.args))
        return ctx.usage(parser.errorText());
    if (parser.isSet(help)) {
        ctx.out << "Usage: berthctl " << command << " [OPTIONS] " << positional << "\n\n"
                << parser.applicationDescription() << "\n\n";
        const QString text = parser.helpText();
        const qsizetype options = text.indexOf(QLatin1String("Options:"));
        ctx.out << (options >= 0 ? text.mid(options) : text);
        ctx.out.flush();
        return 0;
    }
    if (parser.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("\"berthctl %1\" requires at least 1 argument.\nUsage: "
                                        "berthctl %1 [OPTIONS] %2")
                             .arg(command, positional));
    return -1;
}

struct RunOptions {
    QCommandLineOption name{QStringLiteral("name"),
                            QStringLiteral("Assign a name to the container"),
                            QStringLiteral("NAME")};
    QCommandLineOption env{{QStringLiteral("e"), QStringLiteral("env")},
                           QStringLiteral("Set environment variables"),
                           QStringLiteral("KEY=VALUE")};
    QCommandLineOption envFile{QStringLiteral("env-file"),
                               QStringLiteral("Read in a file of environment variables"),
                               QStringLiteral("FILE")};
    QCommandLineOption workdir{{QStringLiteral("w"), QStringLiteral("workdir")},
                               QStringLiteral("Working directory inside the container"),
                               QStringLiteral("DIR")};
    QCommandLineOption user{{QStringLiteral("u"), QStringLiteral("user")},
                            QStringLiteral("Username or UID (format: <name|uid>[:<group|gid>])"),
                            QStringLiteral("USER")};
    QCommandLineOption entrypoint{QStringLiteral("entrypoint"),
                                  QStringLiteral("Overwrite the default ENTRYPOINT of the image"),
                                  QStringLiteral("CMD")};
    QCommandLineOption hostname{{QStringLiteral("h"), QStringLiteral("hostname")},
                                QStringLiteral("Container host name"),
                                QStringLiteral("NAME")};
    QCommandLineOption label{{QStringLiteral("l"), QStringLiteral("label")},
                             QStringLiteral("Set meta data on a container"),
                             QStringLiteral("KEY=VALUE")};
    QCommandLineOption init{QStringLiteral("init"),
                            QStringLiteral("Run an init inside the container that forwards "
                                           "signals and reaps processes")};
    QCommandLineOption memory{{QStringLiteral("m"), QStringLiteral("memory")},
                              QStringLiteral("Memory limit"),
                              QStringLiteral("BYTES")};
    QCommandLineOption cpus{QStringLiteral("cpus"), QStringLiteral("Number of CPUs"),
                            QStringLiteral("DECIMAL")};
    QCommandLineOption pidsLimit{QStringLiteral("pids-limit"),
                                 QStringLiteral("Tune container pids limit"), QStringLiteral("N")};
    QCommandLineOption readOnly{
        QStringLiteral("read-only"),
        QStringLiteral("Mount the container's root filesystem as read only")};
    QCommandLineOption capAdd{QStringLiteral("cap-add"), QStringLiteral("Add Linux capabilities"),
                              QStringLiteral("CAP")};
    QCommandLineOption capDrop{QStringLiteral("cap-drop"),
                               QStringLiteral("Drop Linux capabilities"), QStringLiteral("CAP")};
    QCommandLineOption stopTimeout{QStringLiteral("stop-timeout"),
                                   QStringLiteral("Timeout (in seconds) to stop a container"),
                                   QStringLiteral("SECONDS")};
    QCommandLineOption stopSignal{QStringLiteral("stop-signal"),
                                  QStringLiteral("Signal to stop the container"),
                                  QStringLiteral("SIGNAL")};
    QCommandLineOption rm{QStringLiteral("rm"),
                          QStringLiteral("Automatically remove the container when it exits")};
    QCommandLineOption securityOpt{
        QStringLiteral("security-opt"),
        QStringLiteral("Security options: no-new-privileges, seccomp=unconfined|PROFILE.json"),
        QStringLiteral("OPT")};
    QCommandLineOption privileged{QStringLiteral("privileged"),
                                  QStringLiteral("Give extended privileges to this container "
                                                 "(every capability and device, no seccomp)")};
    QCommandLineOption network{{QStringLiteral("network"), QStringLiteral("net")},
                               QStringLiteral("Connect the container to a network: bridge "
                                              "(default), host or none"),
                               QStringLiteral("NETWORK")};
    QCommandLineOption publish{{QStringLiteral("p"), QStringLiteral("publish")},
                               QStringLiteral("Publish a container's port to the host "
                                              "([IP:][HOSTPORT:]PORT[/tcp|udp])"),
                               QStringLiteral("PORT")};
    QCommandLineOption publishAll{{QStringLiteral("P"), QStringLiteral("publish-all")},
                                  QStringLiteral("Publish all exposed ports to random ports")};
    QCommandLineOption expose{QStringLiteral("expose"),
                              QStringLiteral("Expose a port or a range of ports"),
                              QStringLiteral("PORT")};
    QCommandLineOption logDriver{QStringLiteral("log-driver"),
                                 QStringLiteral("Logging driver: json-file (default) or none"),
                                 QStringLiteral("DRIVER")};
    QCommandLineOption logOpt{QStringLiteral("log-opt"),
                              QStringLiteral("Log options: max-size=SIZE, max-file=N"),
                              QStringLiteral("OPT")};
    QCommandLineOption volume{{QStringLiteral("v"), QStringLiteral("volume")},
                              QStringLiteral("Bind mount a volume (NAME:/path[:ro], "
                                             "/host/path:/path[:ro], /path)"),
                              QStringLiteral("VOLUME")};
    QCommandLineOption interactive{{QStringLiteral("i"), QStringLiteral("interactive")},
                                   QStringLiteral("Keep STDIN open even if not attached")};
    QCommandLineOption tty{{QStringLiteral("t"), QStringLiteral("tty")},
                           QStringLiteral("Allocate a pseudo-TTY")};
    QCommandLineOption restart{QStringLiteral("restart"),
                               QStringLiteral("Restart policy to apply when a container exits: "
                                              "no, on-failure[:max-retries], always, "
                                              "unless-stopped"),
                               QStringLiteral("POLICY"), QStringLiteral("no")};
    QCommandLineOption healthCmd{QStringLiteral("health-cmd"),
                                 QStringLiteral("Command to run to check health"),
                                 QStringLiteral("CMD")};
    QCommandLineOption healthInterval{
        QStringLiteral("health-interval"),
        QStringLiteral("Time between running the check (ms|s|m|h) (default 30s)"),
        QStringLiteral("DURATION")};
    QCommandLineOption healthTimeout{
        QStringLiteral("health-timeout"),
        QStringLiteral("Maximum time to allow one check to run (ms|s|m|h) (default 30s)"),
        QStringLiteral("DURATION")};
    QCommandLineOption healthRetries{
        QStringLiteral("health-retries"),
        QStringLiteral("Consecutive failures needed to report unhealthy (default 3)"),
        QStringLiteral("N")};
    QCommandLineOption healthStartPeriod{
        QStringLiteral("health-start-period"),
        QStringLiteral("Start period for the container to initialize before failures count "
                       "(ms|s|m|h) (default 0s)"),
        QStringLiteral("DURATION")};
    QCommandLineOption healthStartInterval{
        QStringLiteral("health-start-interval"),
        QStringLiteral("Time between running the check during the start period (ms|s|m|h) "
                       "(default 5s)"),
        QStringLiteral("DURATION")};
    QCommandLineOption noHealthcheck{QStringLiteral("no-healthcheck"),
                                     QStringLiteral("Disable any container-specified HEALTHCHECK")};
    QCommandLineOption mountOpt{QStringLiteral("mount"),
                                QStringLiteral("Attach a filesystem mount (type=bind|volume,"
                                               "source=...,target=...[,readonly])"),
                                QStringLiteral("MOUNT")};

    void addTo(QCommandLineParser &p) const {
        p.addOptions({name,    env,         envFile,    workdir, user,        entrypoint, hostname,
                      label,   init,        memory,     cpus,    pidsLimit,   readOnly,   capAdd,
                      capDrop, stopTimeout, stopSignal, rm,      securityOpt, logOpt});
        p.addOptions(
            {volume, mountOpt, privileged, network, publish, publishAll, expose, logDriver});
        p.addOptions({interactive, tty, restart});
        p.addOptions({healthCmd, healthInterval, healthTimeout, healthRetries, healthStartPeriod,
                      healthStartInterval, noHealthcheck});
    }
};

// KEY=VALUE, or KEY alone taking the value from berthctl's environment (Docker's rule).
QString envEntry(const QString &text) {
    if (text.contains(QLatin1Char('=')))
        return text;
    const QProcessEnvironment host = QProcessEnvironment::systemEnvironment();
    return host.contains(text) ? text + QLatin1Char('=') + host.value(text) : QString();
}

// Docker's --health-* and --no-healthcheck: a config over the image's HEALTHCHECK.
Result<HealthConfig> healthConfigFrom(const QCommandLineParser &p, const RunOptions &o) {
    HealthConfig c;
    const bool any = p.isSet(o.healthCmd) || p.isSet(o.healthInterval) ||
                     p.isSet(o.healthTimeout) || p.isSet(o.healthRetries) ||
                     p.isSet(o.healthStartPeriod) || p.isSet(o.healthStartInterval);
    if (p.isSet(o.noHealthcheck)) {
        if (any)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("--no-healthcheck conflicts with --health-* options"));
        c.test = QStringList{QStringLiteral("NONE")};
        return c;
    }
    if (!p.value(o.healthCmd).isEmpty())
        c.test = QStringList{QStringLiteral("CMD-SHELL"), p.value(o.healthCmd)};
    const std::pair<const QCommandLineOption *, qint64 *> durations[] = {
        {&o.healthInterval, &c.interval},
        {&o.healthTimeout, &c.timeout},
        {&o.healthStartPeriod, &c.startPeriod},
        {&o.healthStartInterval, &c.startInterval}};
    for (const auto &[option, field] : durations) {
        if (!p.isSet(*option))
            continue;
        const QString text = p.value(*option);
        const bool negative = text.startsWith(QLatin1Char('-'));
        auto d = parseDockerDuration(negative ? text.mid(1) : text);
        if (!d)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid argument \"%1\" for "
                                       "--%2: %3")
                            .arg(text, option->names().first(), d.error().message));
        if (negative && *d > 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("--%1 cannot be negative").arg(option->names().first()));
        *field = *d;
    }
    if (p.isSet(o.healthRetries)) {
        bool ok = false;
        c.retries = p.value(o.healthRetries).toInt(&ok);
        if (!ok)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid argument \"%1\" for --health-retries")
                            .arg(p.value(o.healthRetries)));
        if (c.retries < 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("--health-retries cannot be negative"));
    }
    if (auto st = c.validate(); !st)
        return fail(st.error());
    return c;
}

Result<CreateRequest> requestFrom(const QCommandLineParser &p, const RunOptions &o) {
    CreateRequest r;
    ContainerSpec &s = r.spec;
    const QStringList positional = p.positionalArguments();
    s.image = positional.first();
    s.cmd = positional.mid(1);
    r.name = p.value(o.name);
    for (const QString &file : p.values(o.envFile)) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("open %1: %2").arg(file, f.errorString()));
        for (const QByteArray &raw : f.readAll().split('\n')) {
            const QString line = QString::fromUtf8(raw).trimmed();
            if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
                continue;
            if (const QString e = envEntry(line); !e.isEmpty())
                s.env.append(e);
        }
    }
    for (const QString &e : p.values(o.env))
        if (const QString entry = envEntry(e); !entry.isEmpty())
            s.env.append(entry);
    s.workingDir = p.value(o.workdir);
    s.user = p.value(o.user);
    if (p.isSet(o.entrypoint)) {
        r.entrypointSet = true;
        s.entrypoint = QStringList{p.value(o.entrypoint)};
    }
    s.hostname = p.value(o.hostname);
    for (const QString &l : p.values(o.label))
        s.labels.insert(l.section(QLatin1Char('='), 0, 0), l.section(QLatin1Char('='), 1));
    s.init = p.isSet(o.init);
    if (p.isSet(o.memory)) {
        s.memory = parseSize(p.value(o.memory), SizeUnits::Binary);
        if (s.memory <= 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid memory size: %1").arg(p.value(o.memory)));
    }
    if (p.isSet(o.cpus)) {
        bool ok = false;
        const double cpus = p.value(o.cpus).toDouble(&ok);
        if (!ok || cpus <= 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("invalid value for --cpus: %1").arg(p.value(o.cpus)));
        s.nanoCpus = qint64(cpus * 1e9);
    }
    if (p.isSet(o.pidsLimit)) {
        bool ok = false;
        s.pidsLimit = p.value(o.pidsLimit).toLongLong(&ok);
        if (!ok)
            return fail(ErrorKind::InvalidArgument, QStringLiteral("invalid --pids-limit"));
    }
    s.readOnly = p.isSet(o.readOnly);
    s.capAdd = p.values(o.capAdd);
    s.capDrop = p.values(o.capDrop);
    if (p.isSet(o.stopTimeout)) {
        bool ok = false;
        s.stopTimeout = p.value(o.stopTimeout).toInt(&ok);
        if (!ok || s.stopTimeout < 0)
            return fail(ErrorKind::InvalidArgument, QStringLiteral("invalid --stop-timeout"));
    }
    s.stopSignal = p.value(o.stopSignal);
    s.autoRemove = p.isSet(o.rm);
    for (const QString &opt : p.values(o.securityOpt)) {
        if (opt == QLatin1String("no-new-privileges") ||
            opt == QLatin1String("no-new-privileges:true") ||
            opt == QLatin1String("no-new-privileges=true")) {
            s.noNewPrivileges = true;
        } else if (opt.startsWith(QLatin1String("seccomp=")) ||
                   opt.startsWith(QLatin1String("seccomp:"))) {
            const QString value = opt.mid(8);
            if (value == QLatin1String("unconfined")) {
                s.seccompProfile = value;
            } else {
                auto profile = loadSeccompProfile(value);
                if (!profile)
                    return fail(profile.error());
                s.seccompProfile = *profile;
            }
        } else {
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("unsupported --security-opt: %1").arg(opt));
        }
    }
    s.privileged = p.isSet(o.privileged);
    s.networkMode = p.value(o.network);
    for (const QString &text : p.values(o.publish)) {
        auto ports = parsePublishOption(text);
        if (!ports)
            return fail(ports.error());
        s.portBindings += *ports;
    }
    s.publishAll = p.isSet(o.publishAll);
    for (const QString &text : p.values(o.expose)) {
        auto ports = parseExposedPorts(text);
        if (!ports)
            return fail(ports.error());
        s.exposedPorts += *ports;
    }
    if (auto st = s.setLogDriver(p.value(o.logDriver)); !st)
        return fail(st.error());
    for (const QString &opt : p.values(o.logOpt))
        if (auto st = s.setLogOption(opt.section(QLatin1Char('='), 0, 0),
                                     opt.section(QLatin1Char('='), 1));
            !st)
            return fail(st.error());
    for (const QString &v : p.values(o.volume)) {
        auto m = parseVolumeOption(v);
        if (!m)
            return fail(m.error());
        s.mounts.append(*m);
    }
    for (const QString &v : p.values(o.mountOpt)) {
        auto m = parseMountOption(v);
        if (!m)
            return fail(m.error());
        s.mounts.append(*m);
    }
    s.tty = p.isSet(o.tty);
    s.openStdin = p.isSet(o.interactive);
    auto policy = RestartPolicy::parse(p.value(o.restart));
    if (!policy)
        return fail(policy.error());
    s.restartPolicy = *policy;
    auto health = healthConfigFrom(p, o);
    if (!health)
        return fail(health.error());
    s.healthcheck = *health;
    return r;
}

// Log lines for the terminal: stdout's to fd 1, stderr's to fd 2, in the log's order, written
// in large chunks (a chunk ends where the stream changes, at 1 MiB, or at flush()).
class LogPrinter {
public:
    explicit LogPrinter(bool timestamps)
        : m_timestamps(timestamps) {}
    ~LogPrinter() { flush(); }
    // False once the output is gone (a closed pipe).
    bool print(const LogEntry &e) {
        const int fd = e.isStderr() ? STDERR_FILENO : STDOUT_FILENO;
        if (fd != m_fd && !flush())
            return false;
        m_fd = fd;
        if (m_timestamps) {
            appendLogTimestamp(m_buffer, e.timeNs);
            m_buffer.append(' ');
        }
        m_buffer.append(e.text);
        return m_buffer.size() < kChunk || flush();
    }
    bool flush() {
        const bool written = writeAll(m_fd, m_buffer.constData(), size_t(m_buffer.size()));
        m_buffer.resize(0);
        return written;
    }

private:
    static constexpr qsizetype kChunk = 1 << 20;
    bool m_timestamps;
    int m_fd = STDOUT_FILENO;
    QByteArray m_buffer;
};

int createOrRun(Context &ctx, bool run) {
    QCommandLineParser p;
    p.setApplicationDescription(run ? QStringLiteral("Create and run a new container from an image")
                                    : QStringLiteral("Create a new container"));
    RunOptions o;
    o.addTo(p);
    const QCommandLineOption detach({QStringLiteral("d"), QStringLiteral("detach")},
                                    QStringLiteral("Run container in background and print its ID"));
    const QCommandLineOption detachKeys(QStringLiteral("detach-keys"),
                                        QStringLiteral("Override the key sequence for detaching "
                                                       "a container (default ctrl-p,ctrl-q)"),
                                        QStringLiteral("KEYS"), DefaultDetachKeys);
    if (run)
        p.addOptions({detach, detachKeys});
    if (int rc = parseRunLike(ctx, p, run ? QStringLiteral("run") : QStringLiteral("create"),
                              QStringLiteral("IMAGE [COMMAND] [ARG...]"));
        rc >= 0)
        return rc;
    // As docker run and create: 125 for every failure of Berth's own (bad options, image,
    // create, start), 126/127 when the container's command cannot be invoked or is missing,
    // else the container's exit code.
    auto ownError = [&ctx](const Error &error) {
        ctx.fail(error);
        return 125;
    };
    auto request = requestFrom(p, o);
    if (!request)
        return ownError(request.error());
    const bool foreground = run && !p.isSet(detach);
    // As with Docker, a foreground run's input is the container's whole stdin.
    request->spec.stdinOnce = foreground && request->spec.openStdin;
    if (foreground) {
        if (auto st = checkInputTerminal(request->spec.tty, request->spec.openStdin); !st)
            return ownError(st.error());
        if (auto keys = parseDetachKeys(p.value(detachKeys)); !keys)
            return ownError(keys.error());
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 125;
    ContainerRuntime &rt = engine->containers();
    auto created = rt.create(*request);
    if (!created)
        return ownError(created.error());
    if (!run) {
        ctx.out << created->id << Qt::endl;
        return 0;
    }
    auto started = rt.start(created->id, foreground ? startForAttach(request->spec.tty)
                                                    : ContainerRuntime::StartOptions{});
    if (!started) {
        // Docker keeps the failed container unless --rm; its error says why.
        if (request->spec.autoRemove)
            rt.remove(created->id, ContainerRuntime::Force::Yes);
        ctx.fail(started.error());
        return commandExitCode(started.error(), 125);
    }
    if (p.isSet(detach)) {
        ctx.out << created->id << Qt::endl;
        return 0;
    }
    AttachSession session;
    session.stdin = request->spec.openStdin;
    session.closeStdinAtEnd = true;
    session.detachKeys = p.value(detachKeys);
    const int exitCode = attachToContainer(ctx, *engine, *started, session);
    // Another berthctl listing containers may have removed it already (list() does for --rm).
    if (request->spec.autoRemove)
        if (auto st = rt.remove(created->id, ContainerRuntime::Force::Yes);
            !st && st.error().kind != ErrorKind::NotFound)
            ctx.fail(st.error());
    return exitCode;
}

int createCmd(Context &ctx) {
    return createOrRun(ctx, false);
}
int runCmd(Context &ctx) {
    return createOrRun(ctx, true);
}

// The commands that take a list of containers and do one thing to each, printing its name.
int forEach(Context &ctx, const QStringList &names,
            const std::function<Status(const QString &)> &action) {
    int rc = 0;
    for (const QString &name : names) {
        if (auto st = action(name); !st) {
            rc = ctx.fail(st.error());
            continue;
        }
        ctx.out << name << Qt::endl;
    }
    return rc;
}

int startCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Start one or more stopped containers"));
    const QCommandLineOption attachOpt({QStringLiteral("a"), QStringLiteral("attach")},
                                       QStringLiteral("Attach STDOUT/STDERR and forward signals"));
    const QCommandLineOption interactive({QStringLiteral("i"), QStringLiteral("interactive")},
                                         QStringLiteral("Attach container's STDIN"));
    const QCommandLineOption detachKeys(QStringLiteral("detach-keys"),
                                        QStringLiteral("Override the key sequence for detaching "
                                                       "a container (default ctrl-p,ctrl-q)"),
                                        QStringLiteral("KEYS"), DefaultDetachKeys);
    p.addOptions({attachOpt, interactive, detachKeys});
    if (int rc =
            ctx.parse(p, QStringLiteral("start"), QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    if (p.isSet(attachOpt) || p.isSet(interactive)) {
        if (p.positionalArguments().size() != 1)
            return ctx.usage(QStringLiteral("you cannot attach to multiple containers at once"));
        auto record = rt.get(p.positionalArguments().first());
        if (!record)
            return ctx.fail(record.error());
        AttachSession session;
        session.stdin = p.isSet(interactive) && record->spec.openStdin;
        session.closeStdinAtEnd = true;
        session.detachKeys = p.value(detachKeys);
        if (auto st = checkInputTerminal(record->spec.tty, session.stdin); !st)
            return ctx.fail(st.error());
        if (auto keys = parseDetachKeys(session.detachKeys); !keys)
            return ctx.fail(keys.error());
        // A running container is joined as it is (docker start -a does the same).
        auto started = rt.start(record->id, startForAttach(record->spec.tty));
        if (!started) {
            const int code = ctx.fail(started.error());
            return commandExitCode(started.error(), code);
        }
        return attachToContainer(ctx, *engine, *started, session);
    }
    return forEach(ctx, p.positionalArguments(), [&](const QString &name) -> Status {
        auto r = rt.start(name);
        return r ? Status{} : fail(r.error());
    });
}

int stopOrRestart(Context &ctx, bool restart) {
    QCommandLineParser p;
    p.setApplicationDescription(restart ? QStringLiteral("Restart one or more containers")
                                        : QStringLiteral("Stop one or more running containers"));
    const QCommandLineOption time({QStringLiteral("t"), QStringLiteral("time")},
                                  QStringLiteral("Seconds to wait before killing the container"),
                                  QStringLiteral("SECONDS"));
    const QCommandLineOption signal({QStringLiteral("s"), QStringLiteral("signal")},
                                    QStringLiteral("Signal to send to the container"),
                                    QStringLiteral("SIGNAL"));
    p.addOptions({time, signal});
    if (int rc = ctx.parse(p, restart ? QStringLiteral("restart") : QStringLiteral("stop"),
                           QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    int timeout = -1;
    if (p.isSet(time)) {
        bool ok = false;
        timeout = p.value(time).toInt(&ok);
        if (!ok || timeout < 0)
            return ctx.usage(QStringLiteral("invalid --time: %1").arg(p.value(time)));
    }
    if (p.isSet(signal))
        return ctx.usage(QStringLiteral("--signal is not supported yet; use the image's "
                                        "STOPSIGNAL or --stop-signal at create"));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    return forEach(ctx, p.positionalArguments(), [&](const QString &name) {
        return restart ? rt.restart(name, timeout) : rt.stop(name, timeout);
    });
}

int stopCmd(Context &ctx) {
    return stopOrRestart(ctx, false);
}
int restartCmd(Context &ctx) {
    return stopOrRestart(ctx, true);
}

int killCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Kill one or more running containers"));
    const QCommandLineOption signal({QStringLiteral("s"), QStringLiteral("signal")},
                                    QStringLiteral("Signal to send to the container"),
                                    QStringLiteral("SIGNAL"), QStringLiteral("KILL"));
    p.addOption(signal);
    if (int rc =
            ctx.parse(p, QStringLiteral("kill"), QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    const int sig = signalFromName(p.value(signal));
    if (sig < 0)
        return ctx.usage(QStringLiteral("invalid signal: %1").arg(p.value(signal)));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    return forEach(ctx, p.positionalArguments(),
                   [&](const QString &name) { return engine->containers().kill(name, sig); });
}

int rmCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Remove one or more containers and the data they "
                                               "wrote (their read-write layer)"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Force the removal of a running container"));
    const QCommandLineOption volumes({QStringLiteral("v"), QStringLiteral("volumes")},
                                     QStringLiteral("Remove anonymous volumes associated with "
                                                    "the container"));
    p.addOptions({force, volumes});
    if (int rc = ctx.parse(p, QStringLiteral("rm"), QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const auto mode = p.isSet(force) ? ContainerRuntime::Force::Yes : ContainerRuntime::Force::No;
    const auto vols = p.isSet(volumes) ? ContainerRuntime::RemoveVolumes::Yes
                                       : ContainerRuntime::RemoveVolumes::No;
    return forEach(ctx, p.positionalArguments(), [&](const QString &name) {
        return engine->containers().remove(name, mode, vols);
    });
}

} // namespace

QString commandText(const ContainerRecord &r) {
    QStringList args = r.spec.args();
    if (r.spec.init)
        args = QStringList{InitPath, QStringLiteral("--")} + args;
    return args.join(QLatin1Char(' '));
}

QString statusText(const ContainerRecord &r) {
    auto ago = [](const QDateTime &t) {
        QString s = humanSince(t);
        return s.endsWith(QLatin1String(" ago")) ? s.chopped(4) : s;
    };
    switch (r.state) {
    case ContainerState::Created:
        return QStringLiteral("Created");
    case ContainerState::Running:
        if (r.restarting)
            return QStringLiteral("Restarting (%1) %2").arg(r.exitCode).arg(humanSince(r.finished));
        if (!r.health.isNone())
            return QStringLiteral("Up ") + ago(r.started) + QLatin1Char(' ') + r.health.psSuffix();
        return QStringLiteral("Up ") + ago(r.started);
    case ContainerState::Exited:
        return QStringLiteral("Exited (%1) %2").arg(r.exitCode).arg(humanSince(r.finished));
    }
    return QString();
}

namespace {

// Paused is the freezer's state, not the record's (see ContainerControl).
QString stateText(ContainerRuntime &rt, const ContainerRecord &r) {
    if (r.restarting)
        return QStringLiteral("restarting");
    return r.isRunning() && ContainerControl::isPaused(rt, r.id) ? QStringLiteral("paused")
                                                                 : containerStateName(r.state);
}
QString statusText(ContainerRuntime &rt, const ContainerRecord &r) {
    return r.isRunning() && ContainerControl::isPaused(rt, r.id)
               ? Cli::statusText(r) + QStringLiteral(" (Paused)")
               : Cli::statusText(r);
}

QString rfc3339(const QDateTime &t) {
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs)
                       : QStringLiteral("0001-01-01T00:00:00Z");
}

int psCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List containers"));
    const QCommandLineOption all(
        {QStringLiteral("a"), QStringLiteral("all")},
        QStringLiteral("Show all containers (default shows just running)"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Only display container IDs"));
    const QCommandLineOption size({QStringLiteral("s"), QStringLiteral("size")},
                                  QStringLiteral("Display the size each container wrote"));
    const QCommandLineOption noTrunc(QStringLiteral("no-trunc"),
                                     QStringLiteral("Don't truncate output"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Output format: table or json"),
                                    QStringLiteral("FORMAT"), QStringLiteral("table"));
    p.addOptions({all, quiet, size, noTrunc, format});
    if (int rc = ctx.parse(p, QStringLiteral("ps"), QString()); rc >= 0)
        return rc;
    if (p.value(format) != QLatin1String("table") && p.value(format) != QLatin1String("json"))
        return ctx.usage(
            QStringLiteral("unknown format \"%1\" (use table or json)").arg(p.value(format)));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    QList<ContainerRecord> rows;
    for (const ContainerRecord &r : rt.list())
        if (p.isSet(all) || r.isRunning())
            rows.append(r);
    const bool full = p.isSet(noTrunc);
    if (p.isSet(quiet)) {
        for (const ContainerRecord &r : std::as_const(rows))
            ctx.out << (full ? r.id : r.shortId()) << '\n';
        return 0;
    }
    auto sizeText = [&](const ContainerRecord &r) {
        qint64 virtualSize = 0;
        if (auto image = engine->images().get(r.imageId))
            virtualSize = image->size;
        const qint64 rw = rt.rwSize(r.id);
        return QStringLiteral("%1 (virtual %2)").arg(humanSize(rw), humanSize(rw + virtualSize));
    };
    if (p.value(format) == QLatin1String("json")) {
        for (const ContainerRecord &r : std::as_const(rows)) {
            QJsonObject labels;
            for (auto it = r.spec.labels.cbegin(); it != r.spec.labels.cend(); ++it)
                labels.insert(it.key(), it.value());
            QJsonObject o{{QStringLiteral("ID"), full ? r.id : r.shortId()},
                          {QStringLiteral("Names"), r.name},
                          {QStringLiteral("Image"), r.spec.image},
                          {QStringLiteral("ImageID"), r.imageId.toString()},
                          {QStringLiteral("Command"), commandText(r)},
                          {QStringLiteral("CreatedAt"), rfc3339(r.created)},
                          {QStringLiteral("State"), stateText(rt, r)},
                          {QStringLiteral("Status"), statusText(rt, r)},
                          {QStringLiteral("ExitCode"), r.exitCode},
                          {QStringLiteral("Ports"), portsSummary(r.spec, r.network)},
                          {QStringLiteral("Labels"), labels}};
            if (p.isSet(size)) {
                o.insert(QStringLiteral("Size"), sizeText(r));
                o.insert(QStringLiteral("SizeRw"), rt.rwSize(r.id));
            }
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << '\n';
        }
        return 0;
    }
    QStringList header{QStringLiteral("CONTAINER ID"), QStringLiteral("IMAGE"),
                       QStringLiteral("COMMAND"),      QStringLiteral("CREATED"),
                       QStringLiteral("STATUS"),       QStringLiteral("PORTS"),
                       QStringLiteral("NAMES")};
    if (p.isSet(size))
        header << QStringLiteral("SIZE");
    QList<QStringList> table;
    for (const ContainerRecord &r : std::as_const(rows)) {
        QString command = commandText(r);
        if (!full && command.size() > 20)
            command = command.left(19) + QChar(0x2026);
        QStringList line{full ? r.id : r.shortId(),
                         r.spec.image,
                         QLatin1Char('"') + command + QLatin1Char('"'),
                         humanSince(r.created),
                         statusText(rt, r),
                         portsSummary(r.spec, r.network),
                         r.name};
        if (p.isSet(size))
            line << sizeText(r);
        table.append(line);
    }
    printTable(ctx.out, header, table);
    return 0;
}

int inspectCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Display detailed information on containers"));
    if (int rc = ctx.parse(p, QStringLiteral("container inspect"),
                           QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    QJsonArray out;
    int rc = 0;
    for (const QString &name : p.positionalArguments()) {
        auto r = engine->containers().get(name);
        if (!r) {
            rc = ctx.fail(r.error());
            continue;
        }
        out.append(inspectContainer(*engine, *r));
    }
    ctx.out << prettyJson(out) << '\n';
    return rc;
}

int waitCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Block until one or more containers stop, then print their exit codes"));
    if (int rc =
            ctx.parse(p, QStringLiteral("wait"), QStringLiteral("CONTAINER [CONTAINER...]"), 1);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    int rc = 0;
    for (const QString &name : p.positionalArguments()) {
        auto code = engine->containers().wait(name);
        if (!code) {
            rc = ctx.fail(code.error());
            continue;
        }
        ctx.out << *code << Qt::endl;
    }
    return rc;
}

int logsCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Fetch the logs of a container"));
    const QCommandLineOption follow({QStringLiteral("f"), QStringLiteral("follow")},
                                    QStringLiteral("Follow log output"));
    const QCommandLineOption tail(
        {QStringLiteral("n"), QStringLiteral("tail")},
        QStringLiteral("Number of lines to show from the end of the logs"), QStringLiteral("N"),
        QStringLiteral("all"));
    const QCommandLineOption timestamps({QStringLiteral("t"), QStringLiteral("timestamps")},
                                        QStringLiteral("Show timestamps"));
    const QCommandLineOption since(QStringLiteral("since"),
                                   QStringLiteral("Show logs since a timestamp or relative (42m)"),
                                   QStringLiteral("TIME"));
    const QCommandLineOption until(QStringLiteral("until"),
                                   QStringLiteral("Show logs before a timestamp or relative (42m)"),
                                   QStringLiteral("TIME"));
    p.addOptions({follow, tail, timestamps, since, until});
    if (int rc = ctx.parse(p, QStringLiteral("logs"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    LogQuery query;
    if (p.value(tail) != QLatin1String("all")) {
        bool ok = false;
        query.tail = p.value(tail).toInt(&ok);
        if (!ok || query.tail < 0)
            return ctx.usage(QStringLiteral("invalid --tail: %1").arg(p.value(tail)));
    }
    if (p.isSet(since)) {
        auto t = parseLogTime(p.value(since));
        if (!t)
            return ctx.fail(t.error());
        query.sinceNs = *t;
    }
    if (p.isSet(until)) {
        auto t = parseLogTime(p.value(until));
        if (!t)
            return ctx.fail(t.error());
        query.untilNs = *t;
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    auto record = rt.get(p.positionalArguments().first());
    if (!record)
        return ctx.fail(record.error());
    if (auto readable = logsReadable(record->spec); !readable)
        return ctx.fail(readable.error());
    LogReader reader(rt.logPath(record->id));
    LogPrinter printer(p.isSet(timestamps));
    const auto print = [&](const LogEntry &e) { return printer.print(e); };
    if (auto read = reader.read(query, print); !read)
        return ctx.fail(read.error());
    if (!printer.flush())
        return 1;
    if (!p.isSet(follow) || query.untilNs > 0)
        return 0;
    // The log's writes and rotations and the shim's exit wake the loop (DirectoryWatch).
    const auto logChanged = DirectoryWatch::ofFile(rt.logPath(record->id));
    for (;;) {
        auto now = rt.get(record->id);
        auto more = reader.follow([&](const LogEntry &e) {
            return (query.sinceNs != 0 && e.timeNs < query.sinceNs) || printer.print(e);
        });
        if (!more)
            return ctx.fail(more.error());
        if (!printer.flush())
            return 1;
        if (!now || !now->isRunning())
            return 0;
        logChanged->wait(1000);
    }
}

// `berthctl port NAME [PORT[/PROTO]]`: where the container's published ports are on the host.
int portCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("List port mappings or a specific mapping for the container"));
    if (int rc = ctx.parse(p, QStringLiteral("port"),
                           QStringLiteral("CONTAINER [PRIVATE_PORT[/PROTO]]"), 1);
        rc >= 0)
        return rc;
    const QStringList args = p.positionalArguments();
    if (args.size() > 2)
        return ctx.usage(
            QStringLiteral("\"berthctl port\" takes a container and at most one port"));
    QString wanted;
    if (args.size() == 2) {
        auto keys = parseExposedPorts(args[1]);
        if (!keys || keys->size() != 1)
            return ctx.usage(QStringLiteral("invalid port: %1").arg(args[1]));
        wanted = keys->first();
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto record = engine->containers().get(args[0]);
    if (!record)
        return ctx.fail(record.error());
    bool found = false;
    for (const PortBinding &b : std::as_const(record->network.ports)) {
        if (!wanted.isEmpty() && b.key() != wanted)
            continue;
        found = true;
        const QString ip = b.hostIp.contains(QLatin1Char(':'))
                               ? QLatin1Char('[') + b.hostIp + QLatin1Char(']')
                               : b.hostIp;
        if (wanted.isEmpty())
            ctx.out << b.key() << " -> ";
        ctx.out << ip << ':' << b.hostPort << '\n';
    }
    if (!wanted.isEmpty() && !found)
        return ctx.fail(Error{
            ErrorKind::NotFound,
            QStringLiteral("no public port '%1' published for %2").arg(wanted, record->name)});
    return 0;
}

int renameCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Rename a container"));
    if (int rc = ctx.parse(p, QStringLiteral("rename"), QStringLiteral("CONTAINER NEW_NAME"), 2);
        rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    if (auto st =
            engine->containers().rename(p.positionalArguments()[0], p.positionalArguments()[1]);
        !st)
        return ctx.fail(st.error());
    return 0;
}

int pruneCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Remove all stopped containers"));
    const QCommandLineOption force({QStringLiteral("f"), QStringLiteral("force")},
                                   QStringLiteral("Do not prompt for confirmation"));
    p.addOption(force);
    if (int rc = ctx.parse(p, QStringLiteral("container prune"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto report = engine->containers().prune();
    if (!report)
        return ctx.fail(report.error());
    if (!report->removed.isEmpty())
        ctx.out << "Deleted Containers:\n";
    for (const QString &id : std::as_const(report->removed))
        ctx.out << id << '\n';
    ctx.out << "\nTotal reclaimed space: " << humanSize(report->reclaimedBytes) << '\n';
    return 0;
}

// What the container runtime looks like on this host: which OCI runtime runs containers and
// why the others were refused (crun refuses hybrid cgroups, for example).
int infoCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Show the store and the container runtime in use"));
    if (int rc = ctx.parse(p, QStringLiteral("info"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ContainerRuntime &rt = engine->containers();
    int running = 0;
    const QList<ContainerRecord> all = rt.list();
    for (const ContainerRecord &r : all)
        running += r.isRunning() ? 1 : 0;
    ctx.out << "Store: " << engine->paths().root() << '\n'
            << "Containers: " << all.size() << " (running " << running << ")\n"
            << "Images: " << engine->images().list().size() << '\n'
            << "Mode: " << Rootless::modeText() << '\n';
    if (Rootless::active())
        ctx.out << "  filesystem: overlayfs inside the user namespace (userxattr)\n"
                << "  network: " << Rootless::networkText() << '\n'
                << "  resources: no cgroup of its own per container: limits refused, stats "
                   "from /proc\n";
    for (const Rootless::HostGap &gap : Rootless::hostGaps())
        ctx.out << "  missing: " << gap.what
                << (gap.fix.isEmpty() ? QString() : QStringLiteral(" (fix: %1)").arg(gap.fix))
                << '\n';
    auto runtime = rt.runtime();
    if (!runtime) {
        ctx.out << "Runtime: none\n";
        return ctx.fail(runtime.error());
    }
    ctx.out << "Runtime: " << runtime->name() << " (" << runtime->path() << ", "
            << runtime->version() << ")\n"
            << "  why: " << runtime->reason() << '\n';
    for (const RuntimeRefusal &r : runtime->refused())
        ctx.out << "  not used: " << r.name << ": " << r.reason << '\n';
    return 0;
}

const bool registered = [] {
    registerCommand({QStringLiteral("info"),
                     QStringLiteral("Show the store and the container runtime in use"), infoCmd});
    registerCommand(
        {QStringLiteral("create"), QStringLiteral("Create a new container"), createCmd});
    registerCommand({QStringLiteral("run"),
                     QStringLiteral("Create and run a new container from an image"), runCmd});
    registerCommand({QStringLiteral("start"),
                     QStringLiteral("Start one or more stopped containers"), startCmd});
    registerCommand(
        {QStringLiteral("stop"), QStringLiteral("Stop one or more running containers"), stopCmd});
    registerCommand(
        {QStringLiteral("restart"), QStringLiteral("Restart one or more containers"), restartCmd});
    registerCommand(
        {QStringLiteral("kill"), QStringLiteral("Kill one or more running containers"), killCmd});
    registerCommand({QStringLiteral("rm"), QStringLiteral("Remove one or more containers"), rmCmd});
    registerCommand({QStringLiteral("ps"), QStringLiteral("List containers"), psCmd});
    registerCommand({QStringLiteral("container ls"), QStringLiteral("List containers"), psCmd});
    registerCommand({QStringLiteral("container inspect"),
                     QStringLiteral("Display detailed information on containers"), inspectCmd});
    registerCommand({QStringLiteral("wait"),
                     QStringLiteral("Block until containers stop, print their exit codes"),
                     waitCmd});
    registerCommand(
        {QStringLiteral("logs"), QStringLiteral("Fetch the logs of a container"), logsCmd});
    registerCommand({QStringLiteral("rename"), QStringLiteral("Rename a container"), renameCmd});
    registerCommand({QStringLiteral("port"),
                     QStringLiteral("List port mappings or a specific mapping for the container"),
                     portCmd});
    registerCommand({QStringLiteral("container prune"),
                     QStringLiteral("Remove all stopped containers"), pruneCmd});
    return true;
}();

} // namespace

QJsonObject inspectContainer(Engine::Engine &engine, const ContainerRecord &r) {
    return containerInspectJson(engine.containers(), r);
}

} // namespace Berth::Cli
