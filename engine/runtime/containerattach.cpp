// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerattach.h"

#include "engine/core/directorywatch.h"
#include "engine/core/fileutil.h"

#include "engine/runtime/shimprotocol.h"

#include <QDeadlineTimer>
#include <QScopeGuard>
#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

// What the client queues for the shim before it stops reading the caller's input.
constexpr size_t kSendLimit = 1 << 20;

std::string resizeFrame(unsigned short rows, unsigned short columns) {
    const char size[4] = {char(rows >> 8), char(rows & 0xff), char(columns >> 8),
                          char(columns & 0xff)};
    return Shim::encodeFrame(Shim::Frame::Resize, size, sizeof size);
}

std::string resizeFrame(int terminal) {
    winsize ws{};
    if (terminal < 0 || ::ioctl(terminal, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0)
        return {};
    return resizeFrame(ws.ws_row, ws.ws_col);
}

} // namespace

Result<QByteArray> parseDetachKeys(const QString &text) {
    QByteArray out;
    if (text.isEmpty())
        return out;
    auto invalid = [&]() {
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid detach keys \"%1\": use comma-separated keys, each a "
                                   "character or ctrl-<a-z, @, [, \\, ], ^ or _>")
                        .arg(text));
    };
    for (const QString &key : text.split(QLatin1Char(','))) {
        if (key.size() == 1 && key.at(0).unicode() > 0 && key.at(0).unicode() < 128) {
            out += char(key.at(0).unicode());
            continue;
        }
        if (key.size() != 6 || !key.startsWith(QLatin1String("ctrl-"), Qt::CaseInsensitive))
            return invalid();
        const char c = char(key.at(5).toLower().unicode());
        if (c >= 'a' && c <= 'z')
            out += char(c - 'a' + 1);
        else if (c == '@')
            out += '\0';
        else if (c >= '[' && c <= '_') // [ \ ] ^ _ are 27..31
            out += char(c - '[' + 27);
        else
            return invalid();
    }
    return out;
}

bool DetachKeyMatcher::feed(const char *data, qsizetype size, QByteArray &out) {
    if (m_keys.isEmpty()) {
        out.append(data, size);
        return false;
    }
    for (qsizetype i = 0; i < size; ++i) {
        const char c = data[i];
        if (c == m_keys.at(m_matched)) {
            if (++m_matched == m_keys.size()) {
                m_matched = 0;
                return true;
            }
            continue;
        }
        if (m_matched > 0) {
            // Not the sequence after all: what was held back was typed for the container.
            out.append(m_keys.constData(), m_matched);
            m_matched = 0;
            if (c == m_keys.at(0)) {
                if (m_keys.size() == 1)
                    return true;
                m_matched = 1;
                continue;
            }
        }
        out.append(c);
    }
    return false;
}

Result<AttachResult> ContainerAttach::run(const QString &nameOrId, const AttachStdio &stdio,
                                          const AttachOptions &options) {
    auto record = m_runtime.get(nameOrId);
    if (!record)
        return fail(record.error());
    if (!record->isRunning())
        return fail(ErrorKind::Conflict,
                    QStringLiteral("you cannot attach to a stopped container, start it first"));
    auto connected = m_runtime.connectToShim(record->id);
    if (!connected)
        return fail(connected.error());
    const int sock = *connected;
    auto closeSocket = qScopeGuard([&]() { ::close(sock); });
    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);

    const char flags = char(stdio.in >= 0 ? Shim::AttachStdin : 0);
    std::string send = Shim::encodeFrame(Shim::Frame::Attach, &flags, 1);
    // The shim ignores a size for a container without a terminal.
    send += resizeFrame(stdio.sizeSource);
    DetachKeyMatcher matcher(options.detachKeys);
    Shim::FrameReader reader;
    bool inOpen = stdio.in >= 0;
    bool gotExit = false;
    bool connectionOpen = true;
    AttachResult result;
    char buf[65536];

    auto flushSend = [&]() {
        while (!send.empty()) {
            const ssize_t n = ::send(sock, send.data(), send.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                if (errno != EAGAIN)
                    connectionOpen = false;
                return;
            }
            send.erase(0, size_t(n));
        }
    };

    while (connectionOpen && !gotExit) {
        pollfd pfd[4];
        int count = 0;
        int iIn = -1, iResize = -1, iSignal = -1;
        pfd[count++] = {sock, short(POLLIN | (send.empty() ? 0 : POLLOUT)), 0};
        if (inOpen && send.size() < kSendLimit) {
            iIn = count;
            pfd[count++] = {stdio.in, POLLIN, 0};
        }
        if (stdio.resizeNotify >= 0) {
            iResize = count;
            pfd[count++] = {stdio.resizeNotify, POLLIN, 0};
        }
        if (stdio.signalNotify >= 0) {
            iSignal = count;
            pfd[count++] = {stdio.signalNotify, POLLIN, 0};
        }
        const int ready = ::poll(pfd, nfds_t(count), -1);
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            return failErrno(QStringLiteral("poll"), errno);
        }
        if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            const ssize_t n = ::read(sock, buf, sizeof buf);
            if (n > 0) {
                reader.feed(buf, size_t(n));
                Shim::Frame type;
                std::string payload;
                while (!gotExit && reader.next(type, payload)) {
                    if (type == Shim::Frame::Stdout || type == Shim::Frame::Stderr) {
                        // The caller is gone (a client that hung up): leave the container
                        // running, as a detach does.
                        const int to = type == Shim::Frame::Stdout ? stdio.out : stdio.err;
                        if (!writeAll(to, payload.data(), payload.size())) {
                            result.detached = true;
                            return result;
                        }
                    } else if (type == Shim::Frame::Exit) {
                        result.exitCode = std::atoi(payload.c_str());
                        gotExit = true;
                    }
                }
                if (reader.corrupt())
                    connectionOpen = false;
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                connectionOpen = false;
            }
        }
        // A resize goes before what was typed after it (`stty size` right after resizing).
        // The pipe is read whatever poll said: the signal may have come after poll looked.
        if (iResize >= 0) {
            char drain[64];
            ssize_t got = 0, n;
            while ((n = ::read(stdio.resizeNotify, drain, sizeof drain)) > 0)
                got += n;
            if (got > 0)
                send += resizeFrame(stdio.sizeSource);
        }
        if (iIn >= 0 && pfd[iIn].revents) {
            const ssize_t n = ::read(stdio.in, buf, sizeof buf);
            if (n > 0) {
                QByteArray typed;
                const bool detach = matcher.feed(buf, n, typed);
                if (!typed.isEmpty())
                    send += Shim::encodeFrame(Shim::Frame::Stdin, typed.constData(),
                                              size_t(typed.size()));
                if (detach) {
                    // What came before the keys still goes; then leave the container running.
                    ::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) & ~O_NONBLOCK);
                    flushSend();
                    result.detached = true;
                    return result;
                }
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                inOpen = false;
                if (options.closeStdinAtEnd)
                    send += Shim::encodeFrame(Shim::Frame::CloseStdin);
            }
        }
        if (iSignal >= 0 && pfd[iSignal].revents) {
            unsigned char signals[64];
            const ssize_t n = ::read(stdio.signalNotify, signals, sizeof signals);
            for (ssize_t i = 0; i < n; ++i)
                m_runtime.kill(record->id, signals[i]);
        }
        if (connectionOpen && !send.empty())
            flushSend();
    }
    if (gotExit) {
        m_runtime.get(record->id); // records the exit (the shim wrote it before saying so)
        return result;
    }
    // The shim went away without a word (it died, or was stopped from elsewhere): the
    // engine's view of the container says how it ended.
    // Its lock, which says it is gone, goes a moment after its sockets: closing shim.lock
    // wakes the watch. A shim that still runs after 5 s only dropped this connection.
    const DirectoryWatch watch(m_runtime.directory(record->id));
    const QDeadlineTimer deadline(5000);
    auto now = m_runtime.get(record->id);
    while (now && now->isRunning() && !deadline.hasExpired()) {
        watch.wait(int(deadline.remainingTime()));
        now = m_runtime.get(record->id);
    }
    if (!now)
        return fail(now.error());
    if (now->isRunning())
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("lost the connection to container %1's berth-shim").arg(now->name));
    if (!now->error.isEmpty() && now->exitCode == 255)
        return fail(ErrorKind::Internal, now->error);
    result.exitCode = now->exitCode;
    return result;
}

Status ContainerAttach::resize(const QString &nameOrId, int rows, int columns) {
    if (rows <= 0 || columns <= 0 || rows > 0xffff || columns > 0xffff)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid terminal size %1x%2").arg(rows).arg(columns));
    auto record = m_runtime.getRunning(nameOrId);
    if (!record)
        return fail(record.error());
    if (!record->spec.tty)
        return fail(ErrorKind::Conflict,
                    QStringLiteral("container %1 has no terminal to resize").arg(record->name));
    auto connected = m_runtime.connectToShim(record->id);
    if (!connected)
        return fail(connected.error());
    // A control message needs no Attach: the shim applies it and sees the connection close.
    const std::string frame = resizeFrame(quint16(rows), quint16(columns));
    const bool sent =
        ::send(*connected, frame.data(), frame.size(), MSG_NOSIGNAL) == ssize_t(frame.size());
    ::close(*connected);
    if (!sent)
        return failErrno(QStringLiteral("send the new size to the container's berth-shim"), errno);
    return {};
}

} // namespace Berth::Engine
