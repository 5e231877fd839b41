// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/http.h"

#include <QElapsedTimer>
#include <QUrl>

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Berth::Api {

using Engine::ErrorKind;
using Engine::fail;

namespace {

QString decodeQueryPart(QByteArray part) {
    part.replace('+', ' ');
    return QUrl::fromPercentEncoding(part);
}

bool isToken(const QByteArray &text) {
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (c <= 32 || c >= 127 || QByteArrayView("()<>@,;:\\\"/[]?={}").contains(c))
            return false;
    }
    return true;
}

} // namespace

bool HttpRequest::flag(const QString &name, bool fallback) const {
    if (!has(name))
        return fallback;
    const QString v = value(name).toLower();
    return v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("yes");
}

QString HttpRequest::value(const QString &name) const {
    for (auto it = query.crbegin(); it != query.crend(); ++it) {
        if (it->first == name)
            return it->second;
    }
    return {};
}

bool HttpRequest::has(const QString &name) const {
    for (const auto &item : query) {
        if (item.first == name)
            return true;
    }
    return false;
}

HttpConnection::HttpConnection(int fd, HttpLimits limits)
    : m_fd(fd)
    , m_limits(limits) {}

HttpConnection::~HttpConnection() {
    if (m_fd >= 0)
        ::close(m_fd);
}

bool HttpConnection::waitReadable(int timeoutMs) {
    pollfd p{m_fd, POLLIN, 0};
    for (;;) {
        const int r = ::poll(&p, 1, timeoutMs);
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0;
    }
}

bool HttpConnection::fill(int timeoutMs) {
    if (!waitReadable(timeoutMs))
        return false;
    char chunk[64 * 1024];
    for (;;) {
        const ssize_t n = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        m_buffer.append(chunk, n);
        return true;
    }
}

Result<QByteArray> HttpConnection::readLine(int maxBytes, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const qsizetype end = m_buffer.indexOf('\n');
        if (end >= 0) {
            if (end > maxBytes)
                return fail(ErrorKind::InvalidArgument, QStringLiteral("header line too long"));
            QByteArray line = m_buffer.left(end);
            m_buffer.remove(0, end + 1);
            if (line.endsWith('\r'))
                line.chop(1);
            return line;
        }
        if (m_buffer.size() > maxBytes)
            return fail(ErrorKind::InvalidArgument, QStringLiteral("header line too long"));
        const int left = timeoutMs - int(timer.elapsed());
        if (left <= 0 || !fill(left))
            return fail(ErrorKind::Unavailable, QStringLiteral("connection closed or timed out"));
    }
}

Result<bool> HttpConnection::readHead(HttpRequest &request, int &errorStatus) {
    errorStatus = 400;
    request = HttpRequest{};
    m_responded = false;
    if (m_buffer.isEmpty() && !fill(m_limits.idleTimeoutMs))
        return false;

    QElapsedTimer timer;
    timer.start();
    int budget = m_limits.maxHeaderBytes;
    auto line = [&]() -> Result<QByteArray> {
        const int left = std::max(1, m_limits.headerTimeoutMs - int(timer.elapsed()));
        auto l = readLine(budget, left);
        if (l)
            budget -= int(l->size()) + 2;
        if (budget < 0 || (!l && l.error().kind == ErrorKind::InvalidArgument)) {
            errorStatus = 431;
            return fail(ErrorKind::InvalidArgument, QStringLiteral("request header too large"));
        }
        return l;
    };

    auto requestLine = line();
    // Tolerate empty lines between requests (RFC 9112 §2.2).
    while (requestLine && requestLine->isEmpty())
        requestLine = line();
    if (!requestLine) {
        if (requestLine.error().kind == ErrorKind::Unavailable)
            errorStatus = 408;
        return std::unexpected(requestLine.error());
    }
    const QList<QByteArray> parts = requestLine->split(' ');
    if (parts.size() != 3 || !isToken(parts[0]) || !parts[1].startsWith('/') ||
        !parts[2].startsWith("HTTP/1."))
        return fail(ErrorKind::InvalidArgument, QStringLiteral("malformed request line"));
    request.method = parts[0];
    const QByteArray target = parts[1];
    const qsizetype q = target.indexOf('?');
    request.path = QUrl::fromPercentEncoding(q < 0 ? target : target.left(q));
    if (q >= 0) {
        for (const QByteArray &item : target.mid(q + 1).split('&')) {
            if (item.isEmpty())
                continue;
            const qsizetype eq = item.indexOf('=');
            request.query.append({decodeQueryPart(eq < 0 ? item : item.left(eq)),
                                  eq < 0 ? QString() : decodeQueryPart(item.mid(eq + 1))});
        }
    }
    const bool http10 = parts[2] == "HTTP/1.0";

    for (;;) {
        auto header = line();
        if (!header) {
            if (header.error().kind == ErrorKind::Unavailable)
                errorStatus = 408;
            return std::unexpected(header.error());
        }
        if (header->isEmpty())
            break;
        const qsizetype colon = header->indexOf(':');
        if (colon <= 0 || !isToken(header->left(colon)))
            return fail(ErrorKind::InvalidArgument, QStringLiteral("malformed header line"));
        const QByteArray name = header->left(colon).toLower();
        const QByteArray value = header->mid(colon + 1).trimmed();
        if (request.headers.contains(name))
            request.headers[name] += ", " + value;
        else
            request.headers.insert(name, value);
    }

    const QByteArray connection = request.header("connection").toLower();
    request.wantsUpgrade = connection.contains("upgrade");
    request.closeAfter =
        connection.contains("close") || (http10 && !connection.contains("keep-alive"));
    if (request.headers.contains("transfer-encoding")) {
        if (request.header("transfer-encoding").toLower() != "chunked") {
            errorStatus = 501;
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("unsupported transfer encoding"));
        }
        if (request.headers.contains("content-length"))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("both Content-Length and chunked encoding"));
        request.chunked = true;
    } else if (request.headers.contains("content-length")) {
        bool ok = false;
        request.contentLength = request.header("content-length").toLongLong(&ok);
        if (!ok || request.contentLength < 0)
            return fail(ErrorKind::InvalidArgument, QStringLiteral("bad Content-Length"));
    }
    m_keepAlive = !request.closeAfter;
    m_bodyDone = !request.hasBody();
    m_bodyLeft = request.chunked ? 0 : std::max<qint64>(0, request.contentLength);
    m_chunkedDone = false;
    return true;
}

Result<QByteArray> HttpConnection::nextBodyPiece(HttpRequest &request, qint64 max) {
    if (m_bodyDone)
        return QByteArray();
    auto broken = [this]() {
        m_keepAlive = false;
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("the client stopped sending the request body"));
    };
    if (request.chunked && m_bodyLeft == 0) {
        auto sizeLine = readLine(1024, m_limits.ioTimeoutMs);
        if (!sizeLine)
            return broken();
        QByteArray hex = *sizeLine;
        if (const qsizetype semi = hex.indexOf(';'); semi >= 0)
            hex.truncate(semi);
        bool ok = false;
        const qint64 size = hex.trimmed().toLongLong(&ok, 16);
        if (!ok || size < 0) {
            m_keepAlive = false;
            return fail(ErrorKind::InvalidArgument, QStringLiteral("malformed chunked body"));
        }
        if (size == 0) {
            // Trailer fields, up to the empty line.
            for (;;) {
                auto trailer = readLine(8192, m_limits.ioTimeoutMs);
                if (!trailer)
                    return broken();
                if (trailer->isEmpty())
                    break;
            }
            m_bodyDone = true;
            return QByteArray();
        }
        m_bodyLeft = size;
    }
    while (m_buffer.isEmpty()) {
        if (!fill(m_limits.ioTimeoutMs))
            return broken();
    }
    const qint64 n = std::min({max, m_bodyLeft, qint64(m_buffer.size())});
    QByteArray piece = m_buffer.left(n);
    m_buffer.remove(0, n);
    m_bodyLeft -= n;
    if (m_bodyLeft == 0) {
        if (request.chunked) {
            auto crlf = readLine(2, m_limits.ioTimeoutMs);
            if (!crlf || !crlf->isEmpty()) {
                m_keepAlive = false;
                return fail(ErrorKind::InvalidArgument, QStringLiteral("malformed chunked body"));
            }
        } else {
            m_bodyDone = true;
        }
    }
    return piece;
}

Status HttpConnection::readBodyTo(HttpRequest &request, qint64 maxBytes,
                                  const std::function<bool(const char *, qint64)> &sink) {
    qint64 total = 0;
    for (;;) {
        auto piece = nextBodyPiece(request, 256 * 1024);
        if (!piece)
            return std::unexpected(piece.error());
        if (piece->isEmpty())
            return {};
        total += piece->size();
        if (total > maxBytes) {
            m_keepAlive = false;
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("request body larger than %1 bytes").arg(maxBytes));
        }
        if (!sink(piece->constData(), piece->size())) {
            m_keepAlive = false;
            return fail(ErrorKind::Internal, QStringLiteral("could not store the request body"));
        }
    }
}

Status HttpConnection::readBody(HttpRequest &request, qint64 maxBytes) {
    if (!request.chunked && request.contentLength > maxBytes) {
        m_keepAlive = false;
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("request body larger than %1 bytes").arg(maxBytes));
    }
    request.body.clear();
    return readBodyTo(request, maxBytes, [&](const char *data, qint64 size) {
        request.body.append(data, size);
        return true;
    });
}

Status HttpConnection::discardBody(HttpRequest &request) {
    // A large unread body is cheaper to refuse by closing than to read.
    if (!request.chunked && m_bodyLeft > 1024 * 1024) {
        m_keepAlive = false;
        return {};
    }
    return readBodyTo(request, 1024 * 1024, [](const char *, qint64) { return true; });
}

bool HttpConnection::sendAll(const char *data, qint64 size) {
    if (m_failed)
        return false;
    while (size > 0) {
        pollfd p{m_fd, POLLOUT, 0};
        const int r = ::poll(&p, 1, m_limits.ioTimeoutMs);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0 || (p.revents & (POLLERR | POLLHUP))) {
            m_failed = true;
            return false;
        }
        const ssize_t n = ::send(m_fd, data, size_t(size), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0) {
            m_failed = true;
            return false;
        }
        data += n;
        size -= n;
    }
    return true;
}

QByteArray HttpConnection::reasonPhrase(int status) {
    switch (status) {
    case 101:
        return "UPGRADED";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

QByteArray HttpConnection::statusHead(int status, const Headers &headers) const {
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) +
                      "\r\nServer: Berth/" BERTH_VERSION "\r\n";
    for (const auto &[name, value] : m_commonHeaders)
        head += name + ": " + value + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    if (!m_keepAlive)
        head += "Connection: close\r\n";
    return head;
}

bool HttpConnection::respond(int status, const QByteArray &contentType, const QByteArray &body,
                             const Headers &extra, bool headOnly) {
    m_responded = true;
    Headers headers = extra;
    if (!contentType.isEmpty())
        headers.emplaceBack(QByteArray("Content-Type"), QByteArray(contentType));
    if (status != 204 && status != 304)
        headers.emplaceBack(QByteArray("Content-Length"),
                            QByteArray(QByteArray::number(body.size())));
    const QByteArray head = statusHead(status, headers) + "\r\n";
    if (headOnly || status == 204 || status == 304)
        return sendAll(head.constData(), head.size());
    return sendAll((head + body).constData(), head.size() + body.size());
}

bool HttpConnection::beginChunked(int status, const QByteArray &contentType, const Headers &extra) {
    m_responded = true;
    Headers headers = extra;
    headers.emplaceBack(QByteArray("Content-Type"), QByteArray(contentType));
    headers.emplaceBack(QByteArray("Transfer-Encoding"), QByteArray("chunked"));
    const QByteArray head = statusHead(status, headers) + "\r\n";
    return sendAll(head.constData(), head.size());
}

bool HttpConnection::beginUntilClose(int status, const QByteArray &contentType,
                                     const Headers &extra) {
    m_responded = true;
    m_keepAlive = false;
    Headers headers = extra;
    headers.emplaceBack(QByteArray("Content-Type"), contentType);
    const QByteArray head = statusHead(status, headers) + "\r\n";
    return sendAll(head.constData(), head.size());
}

bool HttpConnection::writeChunk(const QByteArray &data) {
    if (data.isEmpty())
        return !m_failed;
    const QByteArray framed = QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
    return sendAll(framed.constData(), framed.size());
}

bool HttpConnection::endChunked() {
    return sendAll("0\r\n\r\n", 5);
}

bool HttpConnection::hijack(bool upgrade, const QByteArray &contentType) {
    m_responded = true;
    m_keepAlive = false;
    Headers headers{{"Content-Type", contentType}};
    if (upgrade) {
        headers.emplaceBack(QByteArray("Connection"), QByteArray("Upgrade"));
        headers.emplaceBack(QByteArray("Upgrade"), QByteArray("tcp"));
    }
    QByteArray head = "HTTP/1.1 " + QByteArray(upgrade ? "101 UPGRADED" : "200 OK") + "\r\n";
    for (const auto &[name, value] : m_commonHeaders)
        head += name + ": " + value + "\r\n";
    for (const auto &[name, value] : headers)
        head += name + ": " + value + "\r\n";
    head += "\r\n";
    return sendAll(head.constData(), head.size());
}

bool HttpConnection::writeRaw(const char *data, qint64 size) {
    return sendAll(data, size);
}

qint64 HttpConnection::readRaw(char *data, qint64 size, int timeoutMs) {
    if (!m_buffer.isEmpty()) {
        const qint64 n = std::min(size, qint64(m_buffer.size()));
        memcpy(data, m_buffer.constData(), size_t(n));
        m_buffer.remove(0, n);
        return n;
    }
    if (!waitReadable(timeoutMs))
        return -2;
    for (;;) {
        const ssize_t n = ::recv(m_fd, data, size_t(size), 0);
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n;
    }
}

bool HttpConnection::peerGone() {
    if (m_failed)
        return true;
    pollfd p{m_fd, POLLIN | POLLRDHUP, 0};
    if (::poll(&p, 1, 0) <= 0)
        return false;
    if (p.revents & (POLLERR | POLLHUP | POLLRDHUP))
        return true;
    char c;
    return ::recv(m_fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

void HttpConnection::shutdownWrite() {
    ::shutdown(m_fd, SHUT_WR);
}

} // namespace Berth::Api
