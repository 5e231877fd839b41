// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QString>
#include <QThread>
#include <memory>

namespace Berth::Test {

// A TCP proxy in front of a local HTTP server (the test registry) that records every request
// and injects faults into matching ones: a status answered by the proxy (500s, 429), a delay,
// a connection dropped after N bytes of the response body, a corrupted body byte, or a stall
// (the body stops after N bytes and the connection stays open). It runs its own thread, so a
// test may block on the client under test. Every connection is forced to "Connection: close",
// which makes one connection carry one request.
//
// Respond rules make it a tiny fake registry route: the proxy answers with the rule's status,
// headers and body (a schema1 manifest, a 307 redirect, an oversized document...).
//
// A connection that starts with a TLS handshake is recorded with method "TLS"; by default it
// is answered the way a Go HTTP server answers one (a plain "400 Bad Request", then close),
// with setPassTls(true) it is passed through to the upstream unchanged (a TLS registry).
class FaultProxy {
public:
    enum class Fault { Status, Delay, DropAfter, Corrupt, Stall, Respond };

    struct Rule {
        Fault fault = Fault::Status;
        QByteArray method = "GET";
        QString pathContains;    // empty: every path
        int times = 1;           // how many matching requests it hits; -1: all of them
        qint64 afterBytes = 0;   // DropAfter/Stall: body bytes passed first; Corrupt: which byte
        int delayMs = 0;         // Delay
        int status = 500;        // Status
        QByteArray extraHeaders; // Status/Respond: e.g. "Retry-After: 1\r\n"
        QByteArray body;         // Respond
        QByteArray contentType = "application/json"; // Respond
        // Respond: the Content-Length sent (-1: the body's size; -2: none, the body ends with
        // the connection). With afterBytes > 0 only that many body bytes are sent, then the
        // connection stalls.
        qint64 declaredLength = -1;
    };

    struct Request {
        QByteArray method;
        QString path; // with the query
        QByteArray range;
        QByteArray authorization;
        int status = 0; // 0 when no response head was seen
        bool faulted = false;
    };

    explicit FaultProxy(quint16 upstreamPort);
    ~FaultProxy();

    bool start();
    quint16 port() const { return m_port; }
    QString address() const; // "127.0.0.1:PORT"

    void addRule(const Rule &rule);
    // A Respond rule for `method` requests whose path contains `pathContains`.
    static Rule respond(const QByteArray &method, const QString &pathContains, int status,
                        const QByteArray &contentType, const QByteArray &body,
                        const QByteArray &extraHeaders = {});
    void setPassTls(bool pass);
    void clearRules();

    QList<Request> requests() const;
    // Requests with `method` (empty: any) whose path contains `pathContains`.
    int count(const QByteArray &method, const QString &pathContains) const;
    // GETs of blobs (".../blobs/sha256:..."), the layer and config downloads.
    int blobGets() const { return count("GET", QStringLiteral("/blobs/sha256:")); }
    void clearRequests();

    struct State {
        QMutex mutex;
        QList<Rule> rules;
        QList<Request> requests;
        bool passTls = false;
    };

private:
    quint16 m_upstream;
    quint16 m_port = 0;
    std::shared_ptr<State> m_state;
    std::unique_ptr<QThread> m_thread;
};

} // namespace Berth::Test
