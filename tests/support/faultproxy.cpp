// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/faultproxy.h"

#include <QEventLoop>
#include <QMutexLocker>
#include <QPointer>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <optional>

namespace Berth::Test {

namespace {

// One proxied connection: parses the request head (to record and match it) and the response
// head (to count body bytes for the faults); everything else is passed through.
class Connection : public QObject {
public:
    Connection(QTcpSocket *client, quint16 upstreamPort, std::shared_ptr<FaultProxy::State> state)
        : m_client(client)
        , m_upstreamPort(upstreamPort)
        , m_state(std::move(state)) {
        client->setParent(this);
        QObject::connect(client, &QTcpSocket::readyRead, this, [this] { onClientData(); });
        QObject::connect(client, &QTcpSocket::disconnected, this, [this] { finish(); });
    }

private:
    void onClientData() {
        const QByteArray data = m_client->readAll();
        if (m_upstream && m_headSent) {
            m_upstream->write(data);
            return;
        }
        m_requestBuffer += data;
        if (m_requestIndex >= 0)
            return; // head parsed, waiting for a delayed upstream connection
        if (m_requestBuffer.startsWith('\x16')) { // a TLS handshake record
            FaultProxy::Request request;
            request.method = "TLS";
            bool pass = false;
            {
                QMutexLocker lock(&m_state->mutex);
                pass = m_state->passTls;
                m_requestIndex = int(m_state->requests.size());
                m_state->requests.append(request);
            }
            if (pass) {
                m_raw = true;
                connectUpstream();
                return;
            }
            m_client->write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an "
                            "HTTPS server.\n");
            setStatus(400);
            m_client->disconnectFromHost();
            return;
        }
        const qsizetype end = m_requestBuffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QByteArray head = m_requestBuffer.left(end);
        const QByteArray rest = m_requestBuffer.mid(end + 4);
        QList<QByteArray> lines = head.split('\n');
        for (QByteArray &l : lines)
            l = l.trimmed();
        const QList<QByteArray> requestLine = lines.value(0).split(' ');
        FaultProxy::Request request;
        request.method = requestLine.value(0);
        request.path = QString::fromUtf8(requestLine.value(1));
        QByteArray rewritten = lines.value(0) + "\r\n";
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray name = lines[i].left(lines[i].indexOf(':')).trimmed().toLower();
            const QByteArray value = lines[i].mid(lines[i].indexOf(':') + 1).trimmed();
            if (name == "range")
                request.range = value;
            if (name == "authorization")
                request.authorization = value;
            if (name == "connection" || name == "keep-alive" || name == "proxy-connection")
                continue;
            rewritten += lines[i] + "\r\n";
        }
        rewritten += "Connection: close\r\n\r\n";
        {
            QMutexLocker lock(&m_state->mutex);
            for (FaultProxy::Rule &rule : m_state->rules) {
                if (rule.times == 0 || (!rule.method.isEmpty() && rule.method != request.method) ||
                    !request.path.contains(rule.pathContains))
                    continue;
                if (rule.times > 0)
                    --rule.times;
                m_rule = rule;
                request.faulted = true;
                break;
            }
            m_requestIndex = int(m_state->requests.size());
            m_state->requests.append(request);
        }
        m_requestBuffer = rewritten + rest;
        if (m_rule && m_rule->fault == FaultProxy::Fault::Status) {
            const QByteArray reason = m_rule->status == 429 ? "Too Many Requests" : "Error";
            const QByteArray body =
                "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"injected\"}]}";
            m_client->write("HTTP/1.1 " + QByteArray::number(m_rule->status) + ' ' + reason +
                            "\r\nContent-Type: application/json\r\nContent-Length: " +
                            QByteArray::number(body.size()) + "\r\nConnection: close\r\n" +
                            m_rule->extraHeaders + "\r\n" + body);
            setStatus(m_rule->status);
            m_client->disconnectFromHost();
            return;
        }
        if (m_rule && m_rule->fault == FaultProxy::Fault::Respond) {
            QByteArray head = "HTTP/1.1 " + QByteArray::number(m_rule->status) + " Fake\r\n";
            if (!m_rule->contentType.isEmpty())
                head += "Content-Type: " + m_rule->contentType + "\r\n";
            if (m_rule->declaredLength != -2)
                head += "Content-Length: " +
                        QByteArray::number(m_rule->declaredLength >= 0 ? m_rule->declaredLength
                                                                       : m_rule->body.size()) +
                        "\r\n";
            m_client->write(head + "Connection: close\r\n" + m_rule->extraHeaders + "\r\n");
            setStatus(m_rule->status);
            if (m_rule->afterBytes > 0) {
                m_client->write(m_rule->body.left(m_rule->afterBytes));
                return; // and nothing more: the connection stays open
            }
            m_client->write(m_rule->body);
            m_client->disconnectFromHost();
            return;
        }
        if (m_rule && m_rule->fault == FaultProxy::Fault::Delay) {
            QTimer::singleShot(m_rule->delayMs, this, [this] { connectUpstream(); });
            return;
        }
        connectUpstream();
    }

    void connectUpstream() {
        m_upstream = new QTcpSocket(this);
        QObject::connect(m_upstream, &QTcpSocket::connected, this, [this] {
            m_upstream->write(m_requestBuffer);
            m_requestBuffer.clear();
            m_headSent = true;
        });
        QObject::connect(m_upstream, &QTcpSocket::readyRead, this, [this] { onUpstreamData(); });
        QObject::connect(m_upstream, &QTcpSocket::disconnected, this, [this] {
            onUpstreamData();
            if (!m_stalled && m_client)
                m_client->disconnectFromHost();
        });
        QObject::connect(m_upstream, &QTcpSocket::errorOccurred, this, [this] {
            if (m_upstream->state() == QAbstractSocket::UnconnectedState && !m_stalled && m_client)
                m_client->disconnectFromHost();
        });
        m_upstream->connectToHost(QHostAddress::LocalHost, m_upstreamPort);
    }

    void setStatus(int status) {
        QMutexLocker lock(&m_state->mutex);
        m_state->requests[m_requestIndex].status = status;
    }

    void onUpstreamData() {
        if (!m_upstream || m_done || !m_upstream->isOpen())
            return;
        QByteArray data = m_upstream->readAll();
        if (m_raw) {
            m_client->write(data);
            return;
        }
        if (!m_responseHeadDone) {
            m_responseBuffer += data;
            const qsizetype end = m_responseBuffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QByteArray head = m_responseBuffer.left(end + 4);
            data = m_responseBuffer.mid(end + 4);
            m_responseBuffer.clear();
            m_responseHeadDone = true;
            setStatus(head.mid(9, 3).toInt());
            m_client->write(head);
        }
        if (m_stalled || data.isEmpty())
            return;
        if (m_rule && m_rule->fault == FaultProxy::Fault::Corrupt &&
            m_bodySent <= m_rule->afterBytes && m_rule->afterBytes < m_bodySent + data.size())
            data[m_rule->afterBytes - m_bodySent] =
                char(data[m_rule->afterBytes - m_bodySent] ^ 0x5a);
        if (m_rule && (m_rule->fault == FaultProxy::Fault::DropAfter ||
                       m_rule->fault == FaultProxy::Fault::Stall)) {
            const qint64 allowed = m_rule->afterBytes - m_bodySent;
            if (data.size() >= allowed) {
                m_client->write(data.left(allowed));
                m_bodySent += allowed;
                if (m_rule->fault == FaultProxy::Fault::Stall) {
                    m_stalled = true; // keep the connection open, send nothing more
                } else {
                    m_done = true;
                    m_upstream->abort();
                    m_client->disconnectFromHost();
                }
                return;
            }
        }
        m_client->write(data);
        m_bodySent += data.size();
    }

    void finish() {
        if (m_upstream)
            m_upstream->abort();
        m_client = nullptr;
        deleteLater();
    }

    QPointer<QTcpSocket> m_client;
    QTcpSocket *m_upstream = nullptr;
    quint16 m_upstreamPort;
    std::shared_ptr<FaultProxy::State> m_state;
    QByteArray m_requestBuffer;
    QByteArray m_responseBuffer;
    int m_requestIndex = -1;
    std::optional<FaultProxy::Rule> m_rule;
    bool m_headSent = false;
    bool m_responseHeadDone = false;
    bool m_stalled = false;
    bool m_done = false;
    bool m_raw = false; // a passed-through TLS connection
    qint64 m_bodySent = 0;
};

} // namespace

FaultProxy::FaultProxy(quint16 upstreamPort)
    : m_upstream(upstreamPort)
    , m_state(std::make_shared<State>()) {}

FaultProxy::~FaultProxy() {
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

QString FaultProxy::address() const {
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

bool FaultProxy::start() {
    QSemaphore ready;
    quint16 port = 0;
    const quint16 upstream = m_upstream;
    auto state = m_state;
    m_thread.reset(QThread::create([&ready, &port, upstream, state] {
        QTcpServer server;
        const quint16 listening =
            server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : quint16(0);
        port = listening;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, upstream, state] {
            while (QTcpSocket *socket = server.nextPendingConnection())
                (new Connection(socket, upstream, state))->setParent(&server);
        });
        ready.release(); // `port` and `ready` belong to start() and are gone after this
        if (listening == 0)
            return;
        QEventLoop loop;
        loop.exec();
    }));
    m_thread->start();
    ready.acquire();
    m_port = port;
    return m_port != 0;
}

void FaultProxy::addRule(const Rule &rule) {
    QMutexLocker lock(&m_state->mutex);
    m_state->rules.append(rule);
}

FaultProxy::Rule FaultProxy::respond(const QByteArray &method, const QString &pathContains,
                                     int status, const QByteArray &contentType,
                                     const QByteArray &body, const QByteArray &extraHeaders) {
    Rule rule;
    rule.fault = Fault::Respond;
    rule.method = method;
    rule.pathContains = pathContains;
    rule.status = status;
    rule.contentType = contentType;
    rule.body = body;
    rule.extraHeaders = extraHeaders;
    return rule;
}

void FaultProxy::setPassTls(bool pass) {
    QMutexLocker lock(&m_state->mutex);
    m_state->passTls = pass;
}

void FaultProxy::clearRules() {
    QMutexLocker lock(&m_state->mutex);
    m_state->rules.clear();
}

QList<FaultProxy::Request> FaultProxy::requests() const {
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests;
}

int FaultProxy::count(const QByteArray &method, const QString &pathContains) const {
    QMutexLocker lock(&m_state->mutex);
    int n = 0;
    for (const Request &r : std::as_const(m_state->requests))
        if ((method.isEmpty() || r.method == method) && r.path.contains(pathContains))
            ++n;
    return n;
}

void FaultProxy::clearRequests() {
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
}

} // namespace Berth::Test
