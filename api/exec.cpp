// SPDX-License-Identifier: GPL-3.0-or-later
// Exec endpoints: create, start (hijacked stream), resize, inspect.
#include "api/execsessions.h"
#include "api/server.h"
#include "api/streams.h"
#include "engine/runtime/commandexit.h"

#include <QRandomGenerator>
#include <QThread>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <thread>
#include <unistd.h>

namespace Berth::Api {

using namespace Berth::Engine;

QString ExecSessions::add(ExecSession session) {
    QMutexLocker lock(&m_mutex);
    QByteArray bytes(32, '\0');
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 8);
    session.id = QString::fromLatin1(bytes.toHex());
    m_sessions.insert(session.id, session);
    return session.id;
}

std::optional<ExecSession> ExecSessions::get(const QString &id) const {
    QMutexLocker lock(&m_mutex);
    auto it = m_sessions.constFind(id);
    if (it == m_sessions.constEnd())
        return std::nullopt;
    return *it;
}

bool ExecSessions::claim(const QString &id) {
    QMutexLocker lock(&m_mutex);
    auto it = m_sessions.find(id);
    if (it == m_sessions.end() || it->started)
        return false;
    it->started = true;
    it->running = true;
    return true;
}

void ExecSessions::update(const QString &id, const std::function<void(ExecSession &)> &change) {
    QMutexLocker lock(&m_mutex);
    auto it = m_sessions.find(id);
    if (it != m_sessions.end())
        change(*it);
}

namespace {

void createExec(Exchange &x) {
    auto container = x.engine.containers().get(x.params.value(0));
    if (!container)
        return x.error(container.error().kind == ErrorKind::NotFound
                           ? Error{ErrorKind::NotFound,
                                   QStringLiteral("No such container: %1").arg(x.params.value(0))}
                           : container.error());
    auto body = x.jsonBody();
    if (!body)
        return;
    if (!container->isRunning())
        return x.error(409, QStringLiteral("Container %1 is not running").arg(container->id));
    ExecSession s;
    s.containerId = container->id;
    const QJsonValue cmd = body->value(QStringLiteral("Cmd"));
    if (cmd.isString())
        s.request.cmd = QStringList{cmd.toString()};
    else
        for (const QJsonValue &v : cmd.toArray())
            s.request.cmd << v.toString();
    if (s.request.cmd.isEmpty())
        return x.error(400, QStringLiteral("No exec command specified"));
    for (const QJsonValue &v : body->value(QStringLiteral("Env")).toArray())
        s.request.env << v.toString();
    s.request.workingDir = body->value(QStringLiteral("WorkingDir")).toString();
    s.request.user = body->value(QStringLiteral("User")).toString();
    s.request.tty = body->value(QStringLiteral("Tty")).toBool();
    s.attachStdin = body->value(QStringLiteral("AttachStdin")).toBool();
    s.attachStdout = body->value(QStringLiteral("AttachStdout")).toBool(true);
    s.attachStderr = body->value(QStringLiteral("AttachStderr")).toBool(true);
    s.request.interactive = s.attachStdin;
    if (body->value(QStringLiteral("Privileged")).toBool())
        return x.error(400, QStringLiteral("privileged exec is not supported"));
    const QString id = x.server.execs().add(s);
    x.engine.events().record(QStringLiteral("container"),
                             QStringLiteral("exec_create: ") + s.request.cmd.join(QLatin1Char(' ')),
                             container->id,
                             {{QStringLiteral("name"), container->name},
                              {QStringLiteral("image"), container->spec.image},
                              {QStringLiteral("execID"), id}});
    x.json(201, QJsonObject{{QStringLiteral("Id"), id}});
}

// Runs the exec on a pty whose output (stdout and stderr merged, as on a terminal) goes to
// `output`. A spare pty holds the size /exec/{id}/resize asks for; the copy loop applies it.
Result<int> runOnPty(Exchange &x, ContainerExec &exec, const ExecSession &session,
                     const ExecRequest &request, int output) {
    int holderMaster = -1, holderSlave = -1;
    int wake[2] = {-1, -1};
    winsize ws{24, 80, 0, 0};
    ::openpty(&holderMaster, &holderSlave, nullptr, nullptr, &ws);
    ::pipe2(wake, O_CLOEXEC | O_NONBLOCK);
    x.server.execs().update(session.id, [&](ExecSession &s) {
        s.sizeHolder = holderMaster;
        s.resizeWrite = wake[1];
    });
    const int socket = x.connection.fd();
    auto code = exec.run(
        session.containerId, request,
        ExecStdio{session.attachStdin ? socket : -1, output, output, holderMaster, wake[0]});
    x.server.execs().update(session.id, [](ExecSession &s) {
        s.sizeHolder = -1;
        s.resizeWrite = -1;
    });
    for (int fd : {holderMaster, holderSlave, wake[0], wake[1]})
        if (fd >= 0)
            ::close(fd);
    return code;
}

// Runs the exec with plain stdio: the streams the client did not attach go to /dev/null.
Result<int> runOnPipes(ContainerExec &exec, const ExecSession &session, const ExecRequest &request,
                       int socket, int output, int errors) {
    const int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    auto code = exec.run(session.containerId, request,
                         ExecStdio{session.attachStdin ? socket : devNull,
                                   session.attachStdout ? output : devNull,
                                   session.attachStderr ? errors : devNull});
    ::close(devNull);
    return code;
}

void startExec(Exchange &x) {
    const QString id = x.params.value(0);
    auto session = x.server.execs().get(id);
    if (!session)
        return x.error(404, QStringLiteral("No such exec instance: %1").arg(id));
    auto body = x.jsonBody(true);
    if (!body)
        return;
    const bool detach = body->value(QStringLiteral("Detach")).toBool();
    if (!x.server.execs().claim(id))
        return x.error(409, QStringLiteral("Exec %1 has already been started").arg(id));
    ExecRequest request = session->request;
    ContainerExec exec(x.engine.containers());
    auto finish = [&x, id](int code) {
        x.server.execs().update(id, [code](ExecSession &s) {
            s.running = false;
            s.exitCode = code;
        });
    };

    if (detach) {
        // Run to completion on a thread of its own, so its exit code is known later.
        Engine::Engine *engine = &x.engine;
        ApiServer *server = &x.server;
        const QString containerId = session->containerId;
        std::thread([engine, server, id, containerId, request]() mutable {
            request.interactive = false;
            const int devNull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
            ContainerExec background(engine->containers());
            auto code = background.run(containerId, request, ExecStdio{devNull, devNull, devNull});
            ::close(devNull);
            server->execs().update(id, [&](ExecSession &s) {
                s.running = false;
                s.exitCode = code ? *code : commandExitCode(code.error(), 126);
            });
        }).detach();
        return (void)x.connection.respond(200, "application/json", {});
    }

    // The framing follows the start request's Tty, as dockerd's does (not the create's, which
    // only decides whether the process gets a pty): a raw stream, or Docker's frames.
    const bool raw = body->value(QStringLiteral("Tty")).toBool();
    if (!x.connection.hijack(x.request.wantsUpgrade,
                             raw ? "application/vnd.docker.raw-stream"
                                 : "application/vnd.docker.multiplexed-stream"))
        return finish(126);
    const int socket = x.connection.fd();
    int out[2] = {-1, socket}, err[2] = {-1, socket}; // [1]: where the process writes
    std::thread pump;
    if (!raw) {
        if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
            return finish(126);
        pump = std::thread(pumpFrames, std::ref(x.connection), out[0], err[0]);
    }
    const Result<int> code = request.tty
                                 ? runOnPty(x, exec, *session, request, out[1])
                                 : runOnPipes(exec, *session, request, socket, out[1], err[1]);
    if (pump.joinable()) {
        ::close(out[1]);
        ::close(err[1]);
        pump.join();
    }
    if (!code) {
        const QByteArray message = code.error().message.toUtf8() + '\n';
        x.connection.writeRaw(raw ? message : streamFrame(2, message));
    }
    // 127 when the command does not exist, 126 when it cannot be invoked, as dockerd.
    finish(code ? *code : commandExitCode(code.error(), 126));
    x.connection.shutdownWrite();
}

void resizeExec(Exchange &x) {
    auto session = x.server.execs().get(x.params.value(0));
    if (!session)
        return x.error(404, QStringLiteral("No such exec instance: %1").arg(x.params.value(0)));
    bool okH = false, okW = false;
    const int h = x.request.value(QStringLiteral("h")).toInt(&okH);
    const int w = x.request.value(QStringLiteral("w")).toInt(&okW);
    if (!okH || !okW || h <= 0 || w <= 0)
        return x.error(400, QStringLiteral("invalid size: h and w must be positive numbers"));
    bool applied = false;
    x.server.execs().update(session->id, [&](ExecSession &s) {
        if (s.sizeHolder < 0)
            return;
        winsize ws{quint16(h), quint16(w), 0, 0};
        applied = ::ioctl(s.sizeHolder, TIOCSWINSZ, &ws) == 0;
        (void)!::write(s.resizeWrite, "r", 1);
    });
    if (!applied && session->request.tty && !session->running && !session->started)
        return x.error(409, QStringLiteral("exec %1 is not running").arg(session->id));
    x.connection.respond(201, "text/plain", {});
}

void inspectExec(Exchange &x) {
    auto s = x.server.execs().get(x.params.value(0));
    if (!s)
        return x.error(404, QStringLiteral("No such exec instance: %1").arg(x.params.value(0)));
    x.json(200, QJsonObject{{QStringLiteral("ID"), s->id},
                            {QStringLiteral("Running"), s->running},
                            {QStringLiteral("ExitCode"),
                             s->exitCode ? QJsonValue(*s->exitCode) : QJsonValue(QJsonValue::Null)},
                            {QStringLiteral("ProcessConfig"),
                             QJsonObject{{QStringLiteral("tty"), s->request.tty},
                                         {QStringLiteral("entrypoint"), s->request.cmd.value(0)},
                                         {QStringLiteral("arguments"),
                                          QJsonArray::fromStringList(s->request.cmd.mid(1))},
                                         {QStringLiteral("privileged"), false},
                                         {QStringLiteral("user"), s->request.user}}},
                            {QStringLiteral("OpenStdin"), s->attachStdin},
                            {QStringLiteral("OpenStdout"), s->attachStdout},
                            {QStringLiteral("OpenStderr"), s->attachStderr},
                            {QStringLiteral("CanRemove"), !s->running && s->started},
                            {QStringLiteral("ContainerID"), s->containerId},
                            {QStringLiteral("DetachKeys"), QString()},
                            {QStringLiteral("Pid"), 0}});
}

} // namespace

void addExecRoutes(Router &router) {
    router.add("POST", QStringLiteral("/containers/{}/exec"), createExec);
    router.add("POST", QStringLiteral("/exec/{}/start"), startExec);
    router.add("POST", QStringLiteral("/exec/{}/resize"), resizeExec);
    router.add("GET", QStringLiteral("/exec/{}/json"), inspectExec);
}

} // namespace Berth::Api
