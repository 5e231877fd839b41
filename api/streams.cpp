// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/streams.h"

#include "engine/core/directorywatch.h"
#include "engine/runtime/containerattach.h"

#include <QScopeGuard>

#include <QtEndian>
#include <fcntl.h>
#include <poll.h>
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

bool isTty(const ContainerRecord &container) {
    return container.spec.tty;
}

namespace {

constexpr qsizetype kLogChunk = 1 << 20;

// Appends the entry as the client reads it: raw with a terminal, else in a Docker frame.
void encode(const LogEntry &e, const LogStreamOptions &options, QByteArray &out) {
    const qsizetype header = out.size();
    if (!options.tty)
        out.append(8, '\0');
    if (options.timestamps) {
        appendLogTimestamp(out, e.timeNs);
        out.append(' ');
    }
    out.append(e.text);
    if (!options.tty) {
        out[header] = char(e.isStderr() ? 2 : 1);
        qToBigEndian<quint32>(quint32(out.size() - header - 8), out.data() + header + 4);
    }
}

bool wanted(const LogEntry &e, const LogStreamOptions &options) {
    const bool isErr = e.isStderr();
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
    // Entries are gathered into chunks of up to 1 MiB for the client.
    QByteArray out;
    const auto add = [&](const LogEntry &e) {
        if (wanted(e, options))
            encode(e, options, out);
        if (out.size() < kLogChunk)
            return true;
        const bool sent = sink(out);
        out.resize(0);
        return sent;
    };
    const auto send = [&] {
        const bool sent = out.isEmpty() || sink(out);
        out.resize(0);
        return sent;
    };
    if (auto past = reader.read(query, add); past && !send())
        return;
    if (!options.follow)
        return;
    const QDateTime startedBefore = container.started;
    bool ran = container.isRunning();
    // The log's writes and rotations and the shim's exit wake the stream (DirectoryWatch).
    const auto logChanged = DirectoryWatch::ofFile(rt.logPath(container.id));
    for (;;) {
        auto now = rt.get(container.id);
        const bool running = now && now->isRunning();
        if (now && now->started != startedBefore)
            ran = true; // it started (and maybe already stopped) since we began
        ran = ran || running;
        if (!reader.follow(add) || !send())
            return;
        if (!now || (!running && (ran || !options.waitForStart))) {
            // The shim logs the last lines before it records the exit.
            if (reader.follow(add))
                send();
            return;
        }
        if (options.query.untilNs &&
            QDateTime::currentMSecsSinceEpoch() * 1000000 >= options.query.untilNs)
            return;
        if (x.server.stopping())
            return;
        if (logChanged->wait(1000, x.connection.fd()) == DirectoryWatch::Woke::HungUp)
            return;
    }
}

namespace {

// Waits until the container runs; false when it was removed, the client hung up (POLLHUP:
// gone entirely; having only ended its input, it still waits for the output) or the server
// stops.
bool waitUntilRunning(Exchange &x, const QString &id) {
    for (;;) {
        auto now = x.engine.containers().get(id);
        if (!now)
            return false;
        if (now->isRunning())
            return true;
        if (x.server.stopping())
            return false;
        pollfd p{x.connection.fd(), 0, 0};
        if (::poll(&p, 1, 100) > 0 && (p.revents & (POLLHUP | POLLERR)))
            return false;
    }
}

// The client joins the container's session through its shim (see attachStreams).
void attachSession(Exchange &x, const ContainerRecord &container, const QByteArray &detachKeys,
                   bool stdoutWanted, bool stderrWanted) {
    const bool tty = container.spec.tty;
    x.server.sessionWaitBegin(container.id);
    auto waited = qScopeGuard([&] { x.server.sessionWaitEnd(container.id); });
    if (!x.connection.hijack(x.request.wantsUpgrade,
                             tty ? "application/vnd.docker.raw-stream"
                                 : "application/vnd.docker.multiplexed-stream"))
        return;
    if (x.request.flag(QStringLiteral("logs"))) {
        LogStreamOptions past;
        past.stdoutWanted = stdoutWanted;
        past.stderrWanted = stderrWanted;
        past.tty = tty;
        streamLogs(x, container, past,
                   [&](const QByteArray &data) { return x.connection.writeRaw(data); });
    }
    if (!x.request.flag(QStringLiteral("stream")) || !waitUntilRunning(x, container.id))
        return x.connection.shutdownWrite();

    const int socket = x.connection.fd();
    const int devNull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    auto closeNull = qScopeGuard([&] { ::close(devNull); });
    AttachOptions options;
    options.closeStdinAtEnd = container.spec.stdinOnce;
    options.detachKeys = detachKeys;
    ContainerAttach attach(x.engine.containers());
    Result<AttachResult> result;
    if (tty) {
        result = attach.run(
            container.id,
            AttachStdio{socket, stdoutWanted ? socket : devNull, stdoutWanted ? socket : devNull},
            options);
    } else {
        int out[2], err[2];
        if (::pipe2(out, O_CLOEXEC) != 0)
            return x.connection.shutdownWrite();
        if (::pipe2(err, O_CLOEXEC) != 0) {
            ::close(out[0]);
            ::close(out[1]);
            return x.connection.shutdownWrite();
        }
        std::thread pump(pumpFrames, std::ref(x.connection), out[0], err[0]);
        result = attach.run(
            container.id,
            AttachStdio{socket, stdoutWanted ? out[1] : devNull, stderrWanted ? err[1] : devNull},
            options);
        ::close(out[1]);
        ::close(err[1]);
        pump.join();
    }
    if (!result) {
        const QByteArray message = result.error().message.toUtf8() + '\n';
        x.connection.writeRaw(tty ? message : streamFrame(2, message));
    }
    x.connection.shutdownWrite();
}

} // namespace

void attachStreams(Exchange &x, const ContainerRecord &container) {
    const bool stdoutWanted = x.request.flag(QStringLiteral("stdout"));
    const bool stderrWanted = x.request.flag(QStringLiteral("stderr"));
    // Registered before the client hears back (and starts the container).
    x.server.attachBegin(container.id);
    auto end = qScopeGuard([&] { x.server.attachEnd(container.id); });
    if (x.request.flag(QStringLiteral("stdin")) && container.spec.openStdin) {
        // Docker's default when the client names none.
        const QString keysText = x.request.value(QStringLiteral("detachKeys"));
        auto keys = parseDetachKeys(keysText.isEmpty() ? DefaultDetachKeys : keysText);
        if (!keys)
            return x.error(keys.error());
        return attachSession(x, container, *keys, stdoutWanted, stderrWanted);
    }
    LogStreamOptions options;
    options.stdoutWanted = stdoutWanted;
    options.stderrWanted = stderrWanted;
    options.follow = x.request.flag(QStringLiteral("stream"));
    options.onlyNew = !x.request.flag(QStringLiteral("logs"));
    options.waitForStart = true;
    options.tty = isTty(container);
    if (!x.connection.hijack(x.request.wantsUpgrade,
                             options.tty ? "application/vnd.docker.raw-stream"
                                         : "application/vnd.docker.multiplexed-stream"))
        return;
    streamLogs(x, container, options,
               [&](const QByteArray &data) { return x.connection.writeRaw(data); });
    x.connection.shutdownWrite();
}

void pumpFrames(HttpConnection &connection, int outFd, int errFd) {
    bool outOpen = outFd >= 0, errOpen = errFd >= 0;
    char buf[65536];
    while (outOpen || errOpen) {
        pollfd fds[2];
        int n = 0, iOut = -1, iErr = -1;
        if (outOpen) {
            iOut = n;
            fds[n++] = {outFd, POLLIN, 0};
        }
        if (errOpen) {
            iErr = n;
            fds[n++] = {errFd, POLLIN, 0};
        }
        if (::poll(fds, nfds_t(n), -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        for (auto [index, fd, stream, open] :
             {std::tuple{iOut, outFd, 1, &outOpen}, std::tuple{iErr, errFd, 2, &errOpen}}) {
            if (index < 0 || !fds[index].revents)
                continue;
            const ssize_t got = ::read(fd, buf, sizeof buf);
            if (got > 0) {
                if (!connection.writeRaw(streamFrame(stream, QByteArray(buf, got))))
                    outOpen = errOpen = false; // the client is gone: the writers get EPIPE
            } else if (got == 0 || errno != EINTR) {
                *open = false;
            }
        }
    }
    ::close(outFd);
    ::close(errFd);
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

Status resizeTerminal(Exchange &x, const ContainerRecord &container, int rows, int columns) {
    return ContainerAttach(x.engine.containers()).resize(container.id, rows, columns);
}

} // namespace Berth::Api
