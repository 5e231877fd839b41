// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/tokenserver.h"

#include "tests/support/testsupport.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace Berth::Test {

struct TokenServer::State {
    QMutex mutex;
    QMap<QString, QString> users;
    int expiresIn = 300;
    QList<Request> requests;
    EVP_PKEY *key = nullptr;
    QByteArray certDer;
    QString issuer;
    ~State() { EVP_PKEY_free(key); }
};

namespace {

QByteArray base64Url(const QByteArray &data) {
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// RS256 over `data` with `key`; empty on failure.
QByteArray signRs256(EVP_PKEY *key, const QByteArray &data) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    QByteArray sig;
    size_t length = 0;
    if (ctx && EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
        EVP_DigestSign(ctx, nullptr, &length,
                       reinterpret_cast<const unsigned char *>(data.constData()),
                       size_t(data.size())) == 1) {
        sig.resize(qsizetype(length));
        if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(sig.data()), &length,
                           reinterpret_cast<const unsigned char *>(data.constData()),
                           size_t(data.size())) == 1)
            sig.resize(qsizetype(length));
        else
            sig.clear();
    }
    EVP_MD_CTX_free(ctx);
    return sig;
}

// The actions of `wanted` the policy grants to `account` (empty: anonymous).
QStringList grant(const QString &type, const QString &name, const QStringList &wanted,
                  const QString &account) {
    QStringList out;
    for (const QString &action : wanted) {
        if (!account.isEmpty())
            out.append(action);
        else if (type == QLatin1String("repository") && name.startsWith(QLatin1String("public/")) &&
                 action == QLatin1String("pull"))
            out.append(action);
    }
    return out;
}

QByteArray httpResponse(int status, const QByteArray &body, const QByteArray &extra = {}) {
    const QByteArray reason = status == 200 ? "OK" : status == 401 ? "Unauthorized" : "Error";
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\nConnection: close\r\n" + extra + "\r\n" + body;
}

QByteArray handle(TokenServer::State &state, const QByteArray &head) {
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    const QUrl url(QString::fromUtf8(requestLine.value(1)));
    const QUrlQuery query(url);
    TokenServer::Request request;
    request.service = query.queryItemValue(QStringLiteral("service"), QUrl::FullyDecoded);
    request.scopes = query.allQueryItemValues(QStringLiteral("scope"), QUrl::FullyDecoded);
    QByteArray authorization;
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == "authorization")
            authorization = line.mid(colon + 1).trimmed();
    }
    QMutexLocker lock(&state.mutex);
    auto answer = [&](int status, const QByteArray &body, const QByteArray &extra = {}) {
        request.status = status;
        state.requests.append(request);
        return httpResponse(status, body, extra);
    };
    if (requestLine.value(0) != "GET" || url.path() != QLatin1String("/token"))
        return answer(404, "{\"details\":\"not found\"}");
    if (!authorization.isEmpty()) {
        const QByteArray decoded = authorization.startsWith("Basic ")
                                       ? QByteArray::fromBase64(authorization.mid(6))
                                       : QByteArray();
        const qsizetype colon = decoded.indexOf(':');
        const QString user = QString::fromUtf8(decoded.left(colon));
        if (colon < 0 || !state.users.contains(user) ||
            state.users.value(user) != QString::fromUtf8(decoded.mid(colon + 1)))
            return answer(401, "{\"details\":\"incorrect username or password\"}",
                          "WWW-Authenticate: Basic realm=\"berth-test\"\r\n");
        request.account = user;
    }

    // The access claim, one entry per resource.
    QJsonArray access;
    QStringList resources;
    QHash<QString, QStringList> actions;
    for (const QString &scope : std::as_const(request.scopes)) {
        const qsizetype first = scope.indexOf(QLatin1Char(':'));
        const qsizetype last = scope.lastIndexOf(QLatin1Char(':'));
        if (first < 0 || last <= first)
            continue;
        const QString type = scope.left(first);
        const QString name = scope.mid(first + 1, last - first - 1);
        const QString key = type + QLatin1Char(' ') + name;
        if (!resources.contains(key))
            resources.append(key);
        for (const QString &a :
             grant(type, name, scope.mid(last + 1).split(QLatin1Char(',')), request.account))
            if (!actions[key].contains(a))
                actions[key].append(a);
    }
    for (const QString &key : std::as_const(resources)) {
        const QStringList granted = actions.value(key);
        if (granted.isEmpty())
            continue;
        access.append(
            QJsonObject{{QStringLiteral("type"), key.section(QLatin1Char(' '), 0, 0)},
                        {QStringLiteral("name"), key.section(QLatin1Char(' '), 1)},
                        {QStringLiteral("actions"), QJsonArray::fromStringList(granted)}});
    }
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonObject header{
        {QStringLiteral("alg"), QStringLiteral("RS256")},
        {QStringLiteral("typ"), QStringLiteral("JWT")},
        {QStringLiteral("x5c"), QJsonArray{QString::fromLatin1(state.certDer.toBase64())}}};
    const QJsonObject claims{
        {QStringLiteral("iss"), state.issuer},
        {QStringLiteral("sub"), request.account},
        {QStringLiteral("aud"), request.service},
        {QStringLiteral("exp"), now + state.expiresIn},
        {QStringLiteral("nbf"), now - 10},
        {QStringLiteral("iat"), now},
        {QStringLiteral("jti"), QString::number(QRandomGenerator::global()->generate64())},
        {QStringLiteral("access"), access}};
    const QByteArray signingInput =
        base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.' +
        base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature = signRs256(state.key, signingInput);
    if (signature.isEmpty())
        return answer(500, "{\"details\":\"signing failed\"}");
    request.token = signingInput + '.' + base64Url(signature);
    const QJsonObject body{{QStringLiteral("token"), QString::fromLatin1(request.token)},
                           {QStringLiteral("access_token"), QString::fromLatin1(request.token)},
                           {QStringLiteral("expires_in"), state.expiresIn},
                           {QStringLiteral("issued_at"),
                            QDateTime::fromSecsSinceEpoch(now, Qt::UTC).toString(Qt::ISODate)}};
    return answer(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

} // namespace

TokenServer::TokenServer()
    : m_dir(scratchBase() + QStringLiteral("/berth-tokens-XXXXXX"))
    , m_state(std::make_shared<State>()) {
    m_state->issuer = issuer();
}

TokenServer::~TokenServer() {
    if (m_thread) {
        m_thread->quit();
        m_thread->wait();
    }
}

void TokenServer::setUsers(const QMap<QString, QString> &users) {
    QMutexLocker lock(&m_state->mutex);
    m_state->users = users;
}

void TokenServer::setExpiresIn(int seconds) {
    QMutexLocker lock(&m_state->mutex);
    m_state->expiresIn = seconds;
}

QString TokenServer::realm() const {
    return QStringLiteral("http://127.0.0.1:%1/token").arg(m_port);
}

QString TokenServer::certFile() const {
    return m_dir.path() + QStringLiteral("/signer.crt");
}

RegistryServer::TokenAuth TokenServer::registryAuth() const {
    return {realm(), service(), issuer(), certFile()};
}

bool TokenServer::start() {
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    // The signing key and its self-signed certificate (the registry's rootcertbundle).
    EVP_PKEY *key = EVP_RSA_gen(2048);
    X509 *cert = X509_new();
    bool ok = key && cert;
    if (ok) {
        X509_set_version(cert, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert),
                         1 + long(QRandomGenerator::global()->bounded(1 << 30)));
        X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
        X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
        X509_set_pubkey(cert, key);
        X509_NAME *name = X509_get_subject_name(cert);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char *>("berth test tokens"), -1,
                                   -1, 0);
        X509_set_issuer_name(cert, name);
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
        if (X509_EXTENSION *ext =
                X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints, "critical,CA:TRUE")) {
            X509_add_ext(cert, ext, -1);
            X509_EXTENSION_free(ext);
        }
        ok = X509_sign(cert, key, EVP_sha256()) > 0;
    }
    if (ok) {
        unsigned char *der = nullptr;
        const int length = i2d_X509(cert, &der);
        ok = length > 0;
        if (ok)
            m_state->certDer = QByteArray(reinterpret_cast<const char *>(der), length);
        OPENSSL_free(der);
        BIO *bio = BIO_new(BIO_s_mem());
        ok = ok && PEM_write_bio_X509(bio, cert) == 1;
        char *pem = nullptr;
        const long pemLength = BIO_get_mem_data(bio, &pem);
        QFile f(certFile());
        ok = ok && f.open(QIODevice::WriteOnly) && f.write(pem, pemLength) == qint64(pemLength);
        BIO_free(bio);
    }
    X509_free(cert);
    if (!ok) {
        EVP_PKEY_free(key);
        m_error = QStringLiteral("cannot make the token signing key and certificate");
        return false;
    }
    m_state->key = key;

    QSemaphore ready;
    quint16 port = 0;
    auto state = m_state;
    m_thread.reset(QThread::create([&ready, &port, state] {
        QTcpServer server;
        const quint16 listening =
            server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : quint16(0);
        port = listening;
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, state] {
            while (QTcpSocket *socket = server.nextPendingConnection()) {
                socket->setParent(&server);
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer, state] {
                    *buffer += socket->readAll();
                    const qsizetype end = buffer->indexOf("\r\n\r\n");
                    if (end < 0 || buffer->isEmpty())
                        return;
                    socket->write(handle(*state, buffer->left(end)));
                    buffer->clear();
                    socket->disconnectFromHost();
                });
                QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
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
    if (m_port == 0)
        m_error = QStringLiteral("cannot listen on 127.0.0.1");
    return m_port != 0;
}

QList<TokenServer::Request> TokenServer::requests() const {
    QMutexLocker lock(&m_state->mutex);
    return m_state->requests;
}

int TokenServer::count(const QString &scope) const {
    QMutexLocker lock(&m_state->mutex);
    int n = 0;
    for (const Request &r : std::as_const(m_state->requests))
        if (r.scopes.contains(scope))
            ++n;
    return n;
}

int TokenServer::total() const {
    QMutexLocker lock(&m_state->mutex);
    return int(m_state->requests.size());
}

void TokenServer::clearRequests() {
    QMutexLocker lock(&m_state->mutex);
    m_state->requests.clear();
}

} // namespace Berth::Test
