// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/streams.h"

#include <QScopeGuard>
#include <QThread>

#include <QtEndian>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace Berth::Api {

using namespace Berth::Engine;

QByteArray streamFrame(int stream, const QByteArray &payload) {
    QByteArray frame(8, '\0');
    frame[0] = char(stream);
    qToBigEndian<quint32>(quint32(payload.size()), frame.data() + 4);
    return frame + payload;
}

bool isTty(const ContainerRecord &) {
    return false;
}

namespace {

QByteArray encode(const LogEntry &e, const LogStreamOptions &options) {
    QByteArray text = e.text;
    if (options.timestamps)
        text.prepend(e.timestamp().toUtf8() + ' ');
    if (options.tty)
        return text;
    return streamFrame(e.stream == QLatin1String("stderr") ? 2 : 1, text);
}

bool wanted(const LogEntry &e, const LogStreamOptions &options) {
    const bool isErr = e.stream == QLatin1String("stderr");
    if (isErr ? !options.stderrWanted : !options.stdoutWanted)
        return false;
    if (options.query.sinceNs && e.timeNs < options.query.sinceNs)
        return false;
    if (options.query.untilNs && e.timeNs >= options.query.untilNs)
        return false;
    return true;
}

} // namespace

void streamLogs(Exchange &x, const ContainerRecord &container, const LogStreamOptions &options,
                const StreamSink &sink) {
    ContainerRuntime &rt = x.engine.containers();
    LogReader reader(rt.logPath(container.id));
    LogQuery query = options.query;
    if (options.onlyNew)
        query.tail = 0;
    auto send = [&](const QList<LogEntry> &entries) {
        QByteArray out;
        for (const LogEntry &e : entries) {
            if (wanted(e, options))
                out += encode(e, options);
            if (out.size() > 256 * 1024) {
                if (!sink(out))
                    return false;
                out.clear();
            }
        }
        return out.isEmpty() || sink(out);
    };
    if (auto past = reader.read(query); past && !send(*past))
        return;
    if (!options.follow)
        return;
    const QDateTime startedBefore = container.started;
    bool ran = container.isRunning();
    for (;;) {
        auto now = rt.get(container.id);
        const bool running = now && now->isRunning();
        if (now && now->started != startedBefore)
            ran = true; // it started (and maybe already stopped) since we began
        ran = ran || running;
        if (!send(reader.follow()))
            return;
        if (!now || (!running && (ran || !options.waitForStart))) {
            send(reader.follow()); // the shim logs the last lines before it records the exit
            return;
        }
        if (options.query.untilNs &&
            QDateTime::currentMSecsSinceEpoch() * 1000000 >= options.query.untilNs)
            return;
        if (x.server.stopping())
            return;
        QThread::msleep(100);
    }
}

void attachStreams(Exchange &x, const ContainerRecord &container) {
    LogStreamOptions options;
    options.stdoutWanted = x.request.flag(QStringLiteral("stdout"));
    options.stderrWanted = x.request.flag(QStringLiteral("stderr"));
    options.follow = x.request.flag(QStringLiteral("stream"));
    options.onlyNew = !x.request.flag(QStringLiteral("logs"));
    options.waitForStart = true;
    options.tty = isTty(container);
    // Registered before the client hears back (and starts the container).
    x.server.attachBegin(container.id);
    auto end = qScopeGuard([&] { x.server.attachEnd(container.id); });
    if (!x.connection.hijack(x.request.wantsUpgrade,
                             options.tty ? "application/vnd.docker.raw-stream"
                                         : "application/vnd.docker.multiplexed-stream"))
        return;
    streamLogs(x, container, options,
               [&](const QByteArray &data) { return x.connection.writeRaw(data); });
    x.connection.shutdownWrite();
}

Status consumeBodyThroughPipe(Exchange &x, qint64 maxBytes,
                              const std::function<Status(int fd)> &consume, Status &received) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return failErrno(QStringLiteral("pipe"), errno);
    Status consumed;
    std::thread consumer([&] {
        consumed = consume(fds[0]);
        ::close(fds[0]);
    });
    received = x.connection.readBodyTo(x.request, maxBytes, [&](const char *data, qint64 size) {
        while (size > 0) {
            const ssize_t n = ::write(fds[1], data, size_t(size));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return false; // the consumer stopped reading (it failed)
            data += n;
            size -= n;
        }
        return true;
    });
    ::close(fds[1]);
    consumer.join();
    return consumed;
}

Status resizeTerminal(Exchange &, const ContainerRecord &container, int, int) {
    return fail(ErrorKind::Conflict,
                QStringLiteral("container %1 has no terminal to resize").arg(container.shortId()));
}

} // namespace Berth::Api
