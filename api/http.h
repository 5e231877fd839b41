// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <functional>

namespace Berth::Api {

using Engine::Result;
using Engine::Status;

// One HTTP/1.1 request as the server read it. Header names are lower-case.
struct HttpRequest {
    QByteArray method;
    QString path;                         // percent-decoded, without the query
    QList<QPair<QString, QString>> query; // decoded ('+' is a space, as Go clients encode)
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;           // filled by HttpConnection::readBody
    qint64 contentLength = -1; // -1: none given
    bool chunked = false;      // Transfer-Encoding: chunked
    bool wantsUpgrade = false; // Connection: Upgrade (Docker's hijacked streams)
    bool closeAfter = false;   // Connection: close, or HTTP/1.0 without keep-alive

    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    bool hasBody() const { return chunked || contentLength > 0; }
    // A query value as Docker clients send booleans: "1", "true", "True".
    bool flag(const QString &name, bool fallback = false) const;
    QString value(const QString &name) const; // the last value given for `name`
    bool has(const QString &name) const;
};

// Limits that keep one bad client from hurting the server or the others.
struct HttpLimits {
    int maxHeaderBytes = 64 * 1024;
    int headerTimeoutMs = 30'000; // a request's head must arrive within this (slowloris)
    int idleTimeoutMs = 120'000;  // keep-alive connection without a new request
    int ioTimeoutMs = 60'000;     // a body read or a write making no progress
};

// The server's side of one client connection (a unix or TCP stream socket), with blocking I/O
// and timeouts on every wait, used by one thread. Reads requests (Content-Length or chunked
// bodies) and writes responses: whole, chunked (streams of JSON messages), or raw after a
// hijack (Docker's attach/exec streams).
class HttpConnection {
public:
    HttpConnection(int fd, HttpLimits limits = {});
    ~HttpConnection(); // closes the socket
    HttpConnection(const HttpConnection &) = delete;
    HttpConnection &operator=(const HttpConnection &) = delete;

    int fd() const { return m_fd; }

    // Reads the next request's line and headers. Returns false when the client closed the
    // connection (or stayed idle too long) before a new request; an error for a malformed
    // head, with the HTTP status to answer in `errorStatus`.
    Result<bool> readHead(HttpRequest &request, int &errorStatus);
    // Reads the whole body into request.body; more than `maxBytes` is an error (413).
    Status readBody(HttpRequest &request, qint64 maxBytes);
    // Streams the body to `sink` in pieces; `sink` returning false stops with an error.
    Status readBodyTo(HttpRequest &request, qint64 maxBytes,
                      const std::function<bool(const char *, qint64)> &sink);
    // Reads and drops what is left of the body, so the connection can serve the next request.
    Status discardBody(HttpRequest &request);
    bool bodyFinished() const { return m_bodyDone; }

    using Headers = QList<QPair<QByteArray, QByteArray>>;
    // A complete response. With `headOnly` (HEAD requests) the body is not sent.
    bool respond(int status, const QByteArray &contentType, const QByteArray &body,
                 const Headers &extra = {}, bool headOnly = false);
    // A streamed response: chunked transfer encoding, one chunk per write.
    bool beginChunked(int status, const QByteArray &contentType, const Headers &extra = {});
    bool writeChunk(const QByteArray &data);
    bool endChunked();
    // A body of unknown length that ends when the connection closes (tar downloads).
    bool beginUntilClose(int status, const QByteArray &contentType, const Headers &extra = {});
    // Takes over the connection for raw bytes in both directions: "101 UPGRADED" when the client
    // asked for an upgrade, else a 200 with the stream's content type. The connection is not
    // reused afterwards.
    bool hijack(bool upgrade, const QByteArray &contentType);
    bool writeRaw(const char *data, qint64 size);
    bool writeRaw(const QByteArray &data) { return writeRaw(data.constData(), data.size()); }
    // Raw reads after a hijack (bytes already buffered come first). 0 = closed; -1 = error;
    // -2 = nothing within timeoutMs.
    qint64 readRaw(char *data, qint64 size, int timeoutMs);
    // Waits up to `timeoutMs` for the start of the next request (true when bytes are there);
    // false on close, error or nothing. readHead's own idle wait then finds them buffered.
    bool awaitRequest(int timeoutMs) { return !m_buffer.isEmpty() || fill(timeoutMs); }
    // Whether the peer closed or broke the connection (checked without blocking).
    bool peerGone();
    // Stops the client from sending more (after a hijacked stream ends).
    void shutdownWrite();

    // Headers sent with every response (the server's Api-Version, OSType, ...).
    void setCommonHeaders(const QList<QPair<QByteArray, QByteArray>> &headers) {
        m_commonHeaders = headers;
    }
    bool keepAlive() const { return m_keepAlive; }
    bool failed() const { return m_failed; }
    bool responded() const { return m_responded; }

    static QByteArray reasonPhrase(int status);

private:
    bool waitReadable(int timeoutMs);
    // Fills m_buffer with at least one more byte; false on close, error or timeout.
    bool fill(int timeoutMs);
    Result<QByteArray> readLine(int maxBytes, int timeoutMs);
    // Next piece of the body (up to `max` bytes); empty at its end.
    Result<QByteArray> nextBodyPiece(HttpRequest &request, qint64 max);
    bool sendAll(const char *data, qint64 size);
    QByteArray statusHead(int status, const Headers &headers) const;

    int m_fd;
    HttpLimits m_limits;
    QList<QPair<QByteArray, QByteArray>> m_commonHeaders;
    QByteArray m_buffer; // read but not consumed
    qint64 m_bodyLeft = 0;
    bool m_bodyDone = true;
    bool m_chunkedDone = false;
    bool m_keepAlive = true;
    bool m_failed = false;
    bool m_responded = false;
};

} // namespace Berth::Api
