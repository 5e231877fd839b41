// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/registryclient.h"

#include "engine/core/fileutil.h"
#include "engine/core/usernamespace.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>
#include <unistd.h>

namespace Berth::Engine {

namespace {

int envInt(const char *name, int fallback) {
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

QString stripPort(const QString &domain) {
    if (domain.startsWith(QLatin1Char('['))) // [::1]:5000
        return domain.mid(1, domain.indexOf(QLatin1Char(']')) - 1);
    const qsizetype colon = domain.lastIndexOf(QLatin1Char(':'));
    return colon > 0 && domain.count(QLatin1Char(':')) == 1 ? domain.left(colon) : domain;
}

// Transport failures (no usable HTTP answer) as opposed to HTTP statuses Qt maps to errors.
bool isTransportError(QNetworkReply::NetworkError e) {
    return (e > QNetworkReply::NoError && e < QNetworkReply::ContentAccessDenied) ||
           e == QNetworkReply::ProtocolFailure;
}

bool isRetryableStatus(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

QByteArray basicHeader(const Credentials &creds) {
    return "Basic " + (creds.username + QLatin1Char(':') + creds.secret).toUtf8().toBase64();
}

// What a registry asked for in its WWW-Authenticate challenge.
struct Challenge {
    QByteArray scheme; // "basic" or "bearer"
    QString realm;
    QString service;
};

struct CachedToken {
    QByteArray header; // "Bearer ..."
    QDeadlineTimer validUntil;
};

// Process-wide memory of the registries spoken to: challenges and tokens (so every operation
// of the process reuses a token until it expires) and the scheme of loopback/insecure
// registries (so HTTPS is probed once per process, not once per request).
struct AuthCache {
    QMutex mutex;
    QHash<QString, Challenge> challenges;             // by domain
    QHash<QString, CachedToken> tokens;               // by RegistryClient::tokenKey()
    QHash<QString, std::shared_ptr<QMutex>> fetching; // one token fetch per key at a time
    QHash<QString, QString> schemes;                  // by domain, "https" or "http"
};

AuthCache &authCache() {
    static AuthCache cache;
    return cache;
}

} // namespace

void clearRegistryAuthCache() {
    AuthCache &cache = authCache();
    QMutexLocker lock(&cache.mutex);
    cache.challenges.clear();
    cache.tokens.clear();
    cache.schemes.clear();
}

QString berthConfigDir() {
    const QString explicitDir = qEnvironmentVariable("BERTH_CONFIG_DIR");
    if (!explicitDir.isEmpty())
        return explicitDir;
    if (UserNamespace::hostRoot())
        return QStringLiteral("/etc/berth");
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty())
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/berth");
}

RegistryOptions RegistryOptions::fromEnvironment() {
    RegistryOptions o;
    const QString insecure = qEnvironmentVariable("BERTH_INSECURE_REGISTRIES");
    for (const QString &r : insecure.split(QLatin1Char(','), Qt::SkipEmptyParts))
        o.insecureRegistries.append(r.trimmed());
    o.stallTimeoutMs = envInt("BERTH_REGISTRY_STALL_TIMEOUT_MS", o.stallTimeoutMs);
    o.initialBackoffMs = envInt("BERTH_REGISTRY_BACKOFF_MS", o.initialBackoffMs);
    o.maxAttempts = envInt("BERTH_REGISTRY_MAX_ATTEMPTS", o.maxAttempts);
    o.concurrentTransfers = envInt("BERTH_REGISTRY_CONCURRENCY", o.concurrentTransfers);
    o.chunkSize = envInt("BERTH_REGISTRY_CHUNK_SIZE", 0);
    o.certsDir = berthConfigDir() + QStringLiteral("/certs.d");
    for (const QString &r : savedInsecureRegistries())
        if (!o.insecureRegistries.contains(r, Qt::CaseInsensitive))
            o.insecureRegistries.append(r);
    return o;
}

QString insecureRegistriesFile() {
    return berthConfigDir() + QStringLiteral("/insecure-registries");
}

QStringList savedInsecureRegistries() {
    QStringList out;
    const auto text = readFileLimited(insecureRegistriesFile(), 1 << 20);
    if (!text)
        return out; // none saved (or unreadable: as if none)
    for (const QByteArray &raw : text->split('\n')) {
        const qsizetype comment = raw.indexOf('#');
        const QString line = QString::fromUtf8(comment < 0 ? raw : raw.left(comment)).trimmed();
        if (!line.isEmpty())
            out.append(line);
    }
    return out;
}

Status saveInsecureRegistry(const QString &domain) {
    const QString host = domain.trimmed();
    if (host.isEmpty() || host.contains(QLatin1Char('\n')) || host.contains(QLatin1Char('#')))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("not a registry host: %1").arg(host.left(200)));
    const QStringList saved = savedInsecureRegistries();
    if (saved.contains(host, Qt::CaseInsensitive))
        return {};
    const QString file = insecureRegistriesFile();
    if (auto st = makeDirectories(berthConfigDir()); !st)
        return st;
    QByteArray text = readFileLimited(file, 1 << 20)
                          .value_or(QByteArrayLiteral(
                              "# Registries Berth speaks to over plain HTTP, or over TLS without "
                              "verifying\n# their certificate (host[:port], one a line).\n"));
    if (!text.isEmpty() && !text.endsWith('\n'))
        text += '\n';
    text += host.toUtf8() + '\n';
    return writeFileAtomically(file, text);
}

QString registryHostFor(const QString &domain) {
    if (domain == QLatin1String("docker.io") || domain == QLatin1String("index.docker.io"))
        return QStringLiteral("registry-1.docker.io");
    return domain;
}

bool isInsecureRegistry(const QString &domain, const RegistryOptions &options) {
    const QString host = stripPort(domain).toLower();
    if (host == QLatin1String("localhost") || host == QLatin1String("127.0.0.1") ||
        host == QLatin1String("::1"))
        return true;
    return isMarkedInsecure(domain, options);
}

bool isMarkedInsecure(const QString &domain, const RegistryOptions &options) {
    const QString host = stripPort(domain).toLower();
    for (const QString &r : options.insecureRegistries)
        if (r.compare(domain, Qt::CaseInsensitive) == 0 ||
            r.compare(host, Qt::CaseInsensitive) == 0)
            return true;
    return false;
}

QByteArray HttpResponse::header(const QByteArray &name) const {
    for (const auto &h : headers)
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    return {};
}

QString HttpResponse::describe() const {
    QStringList parts;
    const QJsonArray errors =
        QJsonDocument::fromJson(body).object().value(QLatin1String("errors")).toArray();
    for (const QJsonValue &e : errors) {
        const QJsonObject o = e.toObject();
        parts.append(o.value(QLatin1String("code")).toString() + QStringLiteral(": ") +
                     o.value(QLatin1String("message")).toString());
    }
    QString text = QStringLiteral("HTTP %1").arg(status);
    if (!parts.isEmpty())
        text += QStringLiteral(" (%1)").arg(parts.join(QStringLiteral("; ")).left(300));
    return text;
}

QList<AuthChallenge> parseAuthChallenges(const QByteArray &header) {
    // scheme param="value", param=token, ... [, scheme ...]
    QList<AuthChallenge> out;
    qsizetype i = 0;
    const qsizetype n = header.size();
    auto skipSpace = [&] {
        while (i < n && (header[i] == ' ' || header[i] == '\t' || header[i] == ','))
            ++i;
    };
    while (true) {
        skipSpace();
        if (i >= n)
            break;
        qsizetype start = i;
        while (i < n && header[i] != ' ' && header[i] != ',')
            ++i;
        AuthChallenge c;
        c.scheme = header.mid(start, i - start).toLower();
        while (true) {
            skipSpace();
            const qsizetype nameStart = i;
            while (i < n && header[i] != '=' && header[i] != ' ' && header[i] != ',')
                ++i;
            if (i >= n || header[i] != '=') {
                i = nameStart; // next challenge's scheme
                break;
            }
            const QString name =
                QString::fromLatin1(header.mid(nameStart, i - nameStart)).toLower();
            ++i;
            QByteArray value;
            if (i < n && header[i] == '"') {
                ++i;
                while (i < n && header[i] != '"') {
                    if (header[i] == '\\' && i + 1 < n)
                        ++i;
                    value += header[i++];
                }
                ++i;
            } else {
                while (i < n && header[i] != ',' && header[i] != ' ')
                    value += header[i++];
            }
            c.params.insert(name, QString::fromUtf8(value));
            if (i >= n)
                break;
        }
        out.append(c);
        if (i >= n)
            break;
    }
    return out;
}

QUrl nextLink(const QByteArray &linkHeader, const QUrl &base) {
    for (const QByteArray &part : linkHeader.split(',')) {
        const QByteArray p = part.trimmed();
        if (!p.contains("rel=\"next\"") && !p.contains("rel=next"))
            continue;
        const qsizetype open = p.indexOf('<');
        const qsizetype close = p.indexOf('>');
        if (open < 0 || close < open)
            continue;
        return base.resolved(QUrl::fromEncoded(p.mid(open + 1, close - open - 1)));
    }
    return {};
}

// Where a response body goes when it is not buffered.
struct RegistryClient::Sink {
    virtual ~Sink() = default;
    virtual qint64 resumeFrom() const = 0;
    virtual Status begin(const HttpResponse &head) = 0; // 200 or 206
    virtual Status write(const char *data, qint64 size) = 0;
    virtual bool complete() const = 0;
};

struct RegistryClient::Outcome {
    std::optional<HttpResponse> response; // an HTTP answer, complete or not
    std::optional<Error> error;           // transport failure (retryable unless `fatal`)
    bool fatal = false;
    bool progressed = false; // some body bytes arrived
    bool notTls = false;     // an HTTPS attempt the server did not answer in TLS
};

RegistryClient::RegistryClient(const QString &domain, const RegistryOptions &options,
                               std::shared_ptr<RegistryAuth> auth)
    : m_domain(domain)
    , m_host(registryHostFor(domain))
    , m_options(options)
    , m_auth(auth ? std::move(auth) : std::make_shared<RegistryAuth>())
    , m_nam(std::make_unique<QNetworkAccessManager>()) {
    m_plainAllowed = isInsecureRegistry(domain, options);
    m_skipVerify = isMarkedInsecure(domain, options);
    // HTTPS first, always; plain HTTP only where allowed and once HTTPS turned out not to be
    // spoken there (Docker's order for its insecure registries).
    QString scheme = QStringLiteral("https");
    m_schemeKnown = !m_plainAllowed;
    if (m_plainAllowed) {
        AuthCache &cache = authCache();
        QMutexLocker lock(&cache.mutex);
        if (const auto it = cache.schemes.constFind(m_domain); it != cache.schemes.cend()) {
            scheme = *it;
            m_schemeKnown = true;
        }
    }
    m_base = QUrl(scheme + QStringLiteral("://") + m_host + QStringLiteral("/v2/"));
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_nam->setAutoDeleteReplies(false);
    const Credentials creds = m_auth->credentials();
    m_credentialKey =
        creds.isEmpty()
            ? QByteArray("anonymous")
            : QCryptographicHash::hash((creds.username + QChar(0) + creds.secret).toUtf8(),
                                       QCryptographicHash::Sha256)
                  .toHex();

    if (!options.certsDir.isEmpty())
        loadCertsDir(options.certsDir);
}

void RegistryClient::loadCertsDir(const QString &certsDir) {
    // Docker's certs.d layout: every <host[:port]>/*.crt is a CA trusted for that registry
    // besides the system's; <name>.cert with <name>.key beside it is a client certificate for
    // mutual TLS. A half pair is an error, as in Docker, rather than a silently anonymous
    // connection.
    QList<QSslCertificate> cas;
    QList<QSslCertificate> clientChain;
    QSslKey clientKey;
    QStringList dirs{m_domain};
    if (m_host != m_domain)
        dirs.append(m_host);
    for (const QString &name : std::as_const(dirs)) {
        const QDir dir(certsDir + QLatin1Char('/') + name);
        if (!dir.exists())
            continue;
        for (const QString &file : dir.entryList({QStringLiteral("*.crt")}, QDir::Files))
            cas += QSslCertificate::fromPath(dir.filePath(file), QSsl::Pem);
        const QStringList certs = dir.entryList({QStringLiteral("*.cert")}, QDir::Files);
        for (const QString &key : dir.entryList({QStringLiteral("*.key")}, QDir::Files)) {
            const QString cert = key.chopped(4) + QStringLiteral(".cert");
            if (!certs.contains(cert)) {
                m_configError = Error{ErrorKind::InvalidArgument,
                                      QStringLiteral("%1: client key without its certificate %2")
                                          .arg(dir.filePath(key), cert)};
                return;
            }
        }
        for (const QString &cert : certs) {
            if (!clientChain.isEmpty())
                break; // one client identity per registry; the first by name
            const QString key = cert.chopped(5) + QStringLiteral(".key");
            QFile keyFile(dir.filePath(key));
            if (!keyFile.exists()) {
                m_configError = Error{ErrorKind::InvalidArgument,
                                      QStringLiteral("%1: client certificate without its key %2")
                                          .arg(dir.filePath(cert), key)};
                return;
            }
            clientChain = QSslCertificate::fromPath(dir.filePath(cert), QSsl::Pem);
            if (clientChain.isEmpty() || clientChain.first().isNull()) {
                m_configError =
                    Error{ErrorKind::InvalidArgument,
                          QStringLiteral("%1: not a PEM certificate").arg(dir.filePath(cert))};
                return;
            }
            if (!keyFile.open(QIODevice::ReadOnly)) {
                m_configError =
                    Error{ErrorKind::PermissionDenied,
                          QStringLiteral("%1: %2").arg(keyFile.fileName(), keyFile.errorString())};
                return;
            }
            const QByteArray pem = keyFile.readAll();
            for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
                clientKey = QSslKey(pem, algorithm, QSsl::Pem);
                if (!clientKey.isNull())
                    break;
            }
            if (clientKey.isNull()) {
                m_configError =
                    Error{ErrorKind::InvalidArgument,
                          QStringLiteral("%1: not an unencrypted PEM private key (RSA or EC)")
                              .arg(keyFile.fileName())};
                return;
            }
        }
    }
    if (cas.isEmpty() && clientChain.isEmpty())
        return;
    m_ssl = std::make_unique<QSslConfiguration>(QSslConfiguration::defaultConfiguration());
    if (!cas.isEmpty())
        m_ssl->setCaCertificates(QSslConfiguration::systemCaCertificates() + cas);
    if (!clientChain.isEmpty()) {
        m_ssl->setLocalCertificateChain(clientChain);
        m_ssl->setPrivateKey(clientKey);
        m_hasClientCertificate = true;
    }
}

RegistryClient::~RegistryClient() = default;

QUrl RegistryClient::url(const QString &path) const {
    return QUrl(m_base.toString() + path);
}

bool RegistryClient::isRegistryUrl(const QUrl &url) const {
    auto port = [](const QUrl &u) {
        return u.port(u.scheme() == QLatin1String("http") ? 80 : 443);
    };
    return url.host().compare(m_base.host(), Qt::CaseInsensitive) == 0 &&
           port(url) == port(m_base) && (url.scheme() == QLatin1String("https") || m_plainAllowed);
}

void RegistryClient::useScheme(const QString &scheme) {
    m_base.setScheme(scheme);
    m_schemeKnown = true;
    AuthCache &cache = authCache();
    QMutexLocker lock(&cache.mutex);
    cache.schemes.insert(m_domain, scheme);
}

QString RegistryClient::tokenKey() const {
    return m_domain + QLatin1Char('\n') + QString::fromLatin1(m_credentialKey) + QLatin1Char('\n') +
           scopeKey();
}

QString RegistryClient::scopeKey() const {
    QStringList s = m_scopes;
    s.sort();
    return s.join(QLatin1Char(' '));
}

bool RegistryClient::sleepInterruptible(int ms) {
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < ms) {
        if (cancelled())
            return false;
        QThread::msleep(quint64(qMin<qint64>(50, ms - t.elapsed())));
    }
    return !cancelled();
}

namespace {

// One HTTP exchange's reply, read on a local event loop (QNetworkAccessManager needs one; this
// runs on worker threads, never the GUI's): the head as soon as it arrives, the body into the
// sink (a blob being fetched) or into memory up to the request's limit.
class ReplyReader {
public:
    struct Limits {
        int stallTimeoutMs = 0;
        std::function<bool()> cancelled;
        std::function<void(qint64)> uploadProgress;
        bool ignoreSslErrors = false; // a registry the user marked insecure
    };

    ReplyReader(QNetworkReply &reply, const RegistryClient::Request &request,
                RegistryClient::Sink *sink)
        : m_reply(reply)
        , m_request(request)
        , m_sink(sink) {}

    void run(const Limits &limits);

    HttpResponse response;
    std::optional<Error> sinkError; // the sink refused, or the body was too large
    QList<QSslError> sslErrors;
    bool headDone = false;
    bool stalled = false;
    bool cancelled = false;
    bool encrypted = false; // the TLS handshake completed: the server speaks TLS
    bool progressed = false;

private:
    void takeHead();
    void drain();
    Status store(const QByteArray &data);

    QNetworkReply &m_reply;
    const RegistryClient::Request &m_request;
    RegistryClient::Sink *m_sink;
    bool m_streaming = false;
    QTimer m_stall;
};

void ReplyReader::run(const Limits &limits) {
    // A nested event loop because QNetworkAccessManager requires one: its replies progress
    // only through the event loop of the thread that owns it (a worker thread, never the GUI's).
    QEventLoop loop;
    m_stall.setSingleShot(true);
    m_stall.setInterval(limits.stallTimeoutMs);
    QTimer cancelPoll;
    cancelPoll.setInterval(100);
    QObject::connect(&m_reply, &QNetworkReply::sslErrors, &loop,
                     [&](const QList<QSslError> &errors) {
                         // Like Docker: a registry the user marked insecure gets HTTPS without
                         // verification; every other one a verified certificate or nothing.
                         if (limits.ignoreSslErrors)
                             m_reply.ignoreSslErrors();
                         else
                             sslErrors = errors;
                     });
    QObject::connect(&m_reply, &QNetworkReply::encrypted, &loop, [&] { encrypted = true; });
    QObject::connect(&m_reply, &QNetworkReply::metaDataChanged, &loop, [&] { takeHead(); });
    QObject::connect(&m_reply, &QIODevice::readyRead, &loop, [&] { drain(); });
    QObject::connect(&m_reply, &QNetworkReply::uploadProgress, &loop, [&](qint64 sent, qint64) {
        m_stall.start();
        if (limits.uploadProgress)
            limits.uploadProgress(sent);
    });
    QObject::connect(&m_reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&m_stall, &QTimer::timeout, &loop, [&] {
        stalled = true;
        m_reply.abort();
    });
    QObject::connect(&cancelPoll, &QTimer::timeout, &loop, [&] {
        if (limits.cancelled && limits.cancelled()) {
            cancelled = true;
            m_reply.abort();
        }
    });
    m_stall.start();
    cancelPoll.start();
    if (!m_reply.isFinished())
        loop.exec();
    if (!sinkError && !stalled && !cancelled)
        drain();
}

void ReplyReader::takeHead() {
    if (headDone)
        return;
    const QVariant status = m_reply.attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid())
        return;
    headDone = true;
    response.status = status.toInt();
    response.url = m_request.url;
    for (const auto &h : m_reply.rawHeaderPairs())
        response.headers.append(h);
    m_streaming = m_sink && (response.status == 200 || response.status == 206);
    if (m_streaming) {
        if (auto st = m_sink->begin(response); !st) {
            sinkError = st.error();
            m_reply.abort();
        }
    } else if (m_request.method != "HEAD") { // a HEAD's Content-Length is the GET's
        const qint64 length = m_reply.header(QNetworkRequest::ContentLengthHeader).toLongLong();
        if (length > m_request.maxBody) {
            sinkError = Error{ErrorKind::InvalidArgument,
                              QStringLiteral("response of %1 bytes is larger than the %2 allowed")
                                  .arg(length)
                                  .arg(m_request.maxBody)};
            m_reply.abort();
        }
    }
}

void ReplyReader::drain() {
    takeHead();
    if (sinkError)
        return;
    while (m_reply.bytesAvailable() > 0) {
        const QByteArray data = m_reply.read(1 << 20);
        if (data.isEmpty())
            break;
        progressed = true;
        if (auto st = store(data); !st) {
            sinkError = st.error();
            m_reply.abort();
            return;
        }
    }
    m_stall.start();
}

Status ReplyReader::store(const QByteArray &data) {
    if (m_streaming)
        return m_sink->write(data.constData(), data.size());
    response.body += data;
    if (response.body.size() > m_request.maxBody)
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("response is larger than the %1 bytes allowed").arg(m_request.maxBody));
    return {};
}

// Where the TLS files of a registry go, for messages that tell the user what to do.
QString certsHint(const RegistryOptions &options) {
    return options.certsDir.isEmpty() ? QStringLiteral("<config dir>/certs.d") : options.certsDir;
}

// The request as Qt sends it: byte-exact bodies, HTTP/1.1, the registry's TLS settings
// (`ssl`, null for Qt's defaults), a Range to resume a sink.
QNetworkRequest networkRequest(const RegistryClient::Request &request,
                               const QByteArray &authorization, const QSslConfiguration *ssl,
                               RegistryClient::Sink *sink) {
    QNetworkRequest qr(request.url);
    qr.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    // HTTP/1.1: Qt 6.4's HTTP/2 never reports a TLS alert that arrives after the handshake
    // (a registry refusing the client certificate) and stalls until the timeout instead.
    qr.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    qr.setRawHeader("User-Agent", "berth/" BERTH_VERSION);
    qr.setRawHeader("Accept-Encoding", "identity");
    for (const auto &h : request.headers)
        qr.setRawHeader(h.first, h.second);
    if (!authorization.isEmpty())
        qr.setRawHeader("Authorization", authorization);
    if (ssl)
        qr.setSslConfiguration(*ssl);
    if (sink && sink->resumeFrom() > 0)
        qr.setRawHeader("Range", "bytes=" + QByteArray::number(sink->resumeFrom()) + '-');
    return qr;
}

// Sends the request with its body (`bodyFile` opened as `file`, else `body`).
QNetworkReply *sendOn(QNetworkAccessManager &nam, QNetworkRequest qr,
                      const RegistryClient::Request &request, QFile *file) {
    if (file) {
        qr.setHeader(QNetworkRequest::ContentLengthHeader, file->size());
        return nam.sendCustomRequest(qr, request.method, file);
    }
    if (request.method == "GET")
        return nam.get(qr);
    if (request.method == "HEAD")
        return nam.head(qr);
    qr.setHeader(QNetworkRequest::ContentLengthHeader, request.body.size());
    return nam.sendCustomRequest(qr, request.method, request.body);
}

// What the messages about a refused TLS connection name.
struct TlsContext {
    QString certsDir; // as the user knows it
    QString domain;
    bool toRegistry = false;
    bool hasClientCertificate = false;
};

// A TLS failure retrying cannot fix, as an error that says what to do; nullopt for others.
std::optional<Error> tlsRefusal(const ReplyReader &r, const QNetworkReply &reply,
                                const QString &what, const TlsContext &tls) {
    const QString authority = reply.request().url().authority();
    if (!r.sslErrors.isEmpty() && !r.headDone) {
        QStringList reasons;
        for (const QSslError &error : r.sslErrors)
            if (!reasons.contains(error.errorString()))
                reasons.append(error.errorString());
        return Error{ErrorKind::PermissionDenied,
                     QStringLiteral("%1: the TLS certificate of %2 is not trusted (%3); if the "
                                    "registry uses a private CA, put its certificate in "
                                    "%4/%5/ca.crt")
                         .arg(what, authority, reasons.join(QStringLiteral("; ")), tls.certsDir,
                              tls.toRegistry ? tls.domain : authority)};
    }
    if (r.encrypted && !r.headDone && reply.error() == QNetworkReply::UnknownNetworkError &&
        tls.toRegistry) {
        // A TLS alert after the handshake: the registry refused the connection, which with
        // mutual TLS means no client certificate or one it does not trust. Retrying will not
        // change its mind.
        const QString hostDir = tls.certsDir + QLatin1Char('/') + tls.domain;
        return Error{
            ErrorKind::PermissionDenied,
            tls.hasClientCertificate
                ? QStringLiteral("%1: %2 refused the client certificate from %3 (%4)")
                      .arg(what, authority, hostDir, reply.errorString())
                : QStringLiteral("%1: %2 refused the TLS connection (%3); if the registry "
                                 "requires a client certificate, put client.cert and client.key "
                                 "in %4/")
                      .arg(what, authority, reply.errorString(), hostDir)};
    }
    return std::nullopt;
}

} // namespace

RegistryClient::Outcome RegistryClient::exchange(const Request &request,
                                                 const QByteArray &authorization, Sink *sink) {
    Outcome out;
    const bool toRegistry = isRegistryUrl(request.url);
    const QNetworkRequest qr =
        networkRequest(request, authorization, m_ssl && toRegistry ? m_ssl.get() : nullptr, sink);
    std::unique_ptr<QFile> file;
    if (!request.bodyFile.isEmpty()) {
        file = std::make_unique<QFile>(request.bodyFile);
        if (!file->open(QIODevice::ReadOnly)) {
            out.error =
                Error{ErrorKind::NotFound,
                      QStringLiteral("open %1: %2").arg(request.bodyFile, file->errorString())};
            out.fatal = true;
            return out;
        }
    }
    std::unique_ptr<QNetworkReply> reply(sendOn(*m_nam, qr, request, file.get()));
    reply->setReadBufferSize(1 << 20); // bounded memory: the socket waits while we write
    ReplyReader reader(*reply, request, sink);
    reader.run({m_options.stallTimeoutMs, [this] { return cancelled(); }, m_uploadProgress,
                m_skipVerify && toRegistry});
    out.progressed = reader.progressed;

    const QString what = QStringLiteral("%1 %2").arg(QString::fromLatin1(request.method),
                                                     request.url.toDisplayString());
    if (reader.sinkError) {
        out.error = reader.sinkError->withContext(what);
        out.fatal = true;
        return out;
    }
    if (reader.cancelled) {
        out.error = Error{ErrorKind::Cancelled, QStringLiteral("cancelled")};
        out.fatal = true;
        return out;
    }
    if (reader.stalled) {
        out.error = Error{ErrorKind::Unavailable, QStringLiteral("%1: timed out: no data for %2 s")
                                                      .arg(what)
                                                      .arg(m_options.stallTimeoutMs / 1000.0)};
        return out;
    }
    if (auto refused =
            tlsRefusal(reader, *reply, what,
                       {certsHint(m_options), m_domain, toRegistry, m_hasClientCertificate})) {
        out.error = *refused;
        out.fatal = true;
        return out;
    }
    const QNetworkReply::NetworkError e = reply->error();
    if (isTransportError(e) || !reader.headDone) {
        // A plain HTTP server answers a TLS hello with garbage or by hanging up.
        out.notTls =
            !reader.headDone && !reader.encrypted &&
            request.url.scheme() == QLatin1String("https") &&
            (e == QNetworkReply::SslHandshakeFailedError ||
             e == QNetworkReply::RemoteHostClosedError || e == QNetworkReply::ProtocolFailure ||
             e == QNetworkReply::UnknownNetworkError);
        out.error =
            Error{ErrorKind::Unavailable, QStringLiteral("%1: %2").arg(what, reply->errorString())};
        out.fatal = e == QNetworkReply::SslHandshakeFailedError ||
                    e == QNetworkReply::HostNotFoundError ||
                    e == QNetworkReply::ProtocolUnknownError;
        if (reader.headDone)
            out.response = reader.response; // partial body: the caller may resume
        return out;
    }
    out.response = reader.response;
    return out;
}

QByteArray RegistryClient::authorizationFor(const QUrl &url) const {
    // The registry's credentials never go to another host (blob storage behind a redirect).
    if (!isRegistryUrl(url))
        return {};
    const Credentials creds = m_auth->credentials();
    AuthCache &cache = authCache();
    QMutexLocker lock(&cache.mutex);
    const auto challenge = cache.challenges.constFind(m_domain);
    if (challenge == cache.challenges.cend())
        return {};
    if (challenge->scheme == "basic")
        return creds.isEmpty() ? QByteArray() : basicHeader(creds);
    const auto token = cache.tokens.constFind(tokenKey());
    if (token != cache.tokens.cend() && !token->validUntil.hasExpired())
        return token->header;
    return {};
}

Status RegistryClient::authenticate(const HttpResponse &challengeResponse,
                                    const QByteArray &sentAuthorization) {
    const QList<AuthChallenge> challenges =
        parseAuthChallenges(challengeResponse.header("WWW-Authenticate"));
    const Credentials creds = m_auth->credentials();
    AuthCache &cache = authCache();
    for (const AuthChallenge &c : challenges) {
        if (c.scheme == "basic") {
            {
                QMutexLocker lock(&cache.mutex);
                cache.challenges.insert(m_domain, {"basic", {}, {}});
            }
            if (creds.isEmpty())
                return fail(ErrorKind::PermissionDenied,
                            QStringLiteral("%1 requires authentication: log in with "
                                           "\"berthctl login %1\"")
                                .arg(m_domain));
            if (sentAuthorization.startsWith("Basic "))
                return fail(ErrorKind::PermissionDenied,
                            QStringLiteral("%1 rejected the username or password").arg(m_domain));
            return {};
        }
        if (c.scheme != "bearer")
            continue;
        const QString realm = c.params.value(QStringLiteral("realm"));
        const QString service = c.params.value(QStringLiteral("service"));
        {
            QMutexLocker lock(&cache.mutex);
            cache.challenges.insert(m_domain, {"bearer", realm, service});
        }
        return ensureToken(
            realm, service,
            c.params.value(QStringLiteral("scope")).split(QLatin1Char(' '), Qt::SkipEmptyParts),
            sentAuthorization);
    }
    return fail(ErrorKind::PermissionDenied,
                QStringLiteral("%1 requires an unsupported authentication (%2)")
                    .arg(m_domain, QString::fromLatin1(
                                       challengeResponse.header("WWW-Authenticate").left(200))));
}

Status RegistryClient::ensureToken(const QString &realm, const QString &service,
                                   const QStringList &challengeScopes, const QByteArray &rejected) {
    const QString key = tokenKey();
    AuthCache &cache = authCache();
    std::shared_ptr<QMutex> gate;
    {
        QMutexLocker lock(&cache.mutex);
        std::shared_ptr<QMutex> &g = cache.fetching[key];
        if (!g)
            g = std::make_shared<QMutex>();
        gate = g;
    }
    // Concurrent transfers that need the same token wait for one fetch instead of each
    // asking the token server.
    QMutexLocker fetchLock(gate.get());
    {
        QMutexLocker lock(&cache.mutex);
        const auto token = cache.tokens.constFind(key);
        if (token != cache.tokens.cend() && !token->validUntil.hasExpired() &&
            token->header != rejected)
            return {}; // fetched meanwhile, or not the one the registry refused
        cache.tokens.remove(key);
    }
    return fetchToken(realm, service, challengeScopes);
}

Status RegistryClient::fetchToken(const QString &realm, const QString &service,
                                  const QStringList &challengeScopes) {
    const Credentials creds = m_auth->credentials();
    QUrl realmUrl(realm);
    if (!realmUrl.isValid() || (realmUrl.scheme() != QLatin1String("https") &&
                                !(realmUrl.scheme() == QLatin1String("http") &&
                                  isInsecureRegistry(realmUrl.authority(), m_options))))
        return fail(ErrorKind::PermissionDenied,
                    QStringLiteral("%1: refusing token realm \"%2\" (not HTTPS)")
                        .arg(m_domain, realm.left(200)));
    QStringList scopes = m_scopes;
    for (const QString &s : challengeScopes)
        if (!scopes.contains(s))
            scopes.append(s);
    QUrlQuery q;
    if (!service.isEmpty())
        q.addQueryItem(QStringLiteral("service"), service);
    for (const QString &s : std::as_const(scopes))
        q.addQueryItem(QStringLiteral("scope"), s);
    realmUrl.setQuery(q);
    Request tokenRequest;
    tokenRequest.url = realmUrl;
    const QByteArray basic = creds.isEmpty() ? QByteArray() : basicHeader(creds);
    Outcome o;
    for (int attempt = 1;; ++attempt) {
        o = exchange(tokenRequest, basic, nullptr);
        const bool retry =
            (o.error && !o.fatal) || (o.response && isRetryableStatus(o.response->status));
        if (!retry || attempt >= m_options.maxAttempts)
            break;
        if (!sleepInterruptible(m_options.initialBackoffMs << (attempt - 1)))
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
    }
    if (o.error)
        return fail(o.error->withContext(QStringLiteral("token")));
    if (o.response->status == 401 || o.response->status == 403)
        return fail(ErrorKind::PermissionDenied,
                    creds.isEmpty()
                        ? QStringLiteral("%1 requires authentication: log in with "
                                         "\"berthctl login %1\"")
                              .arg(m_domain)
                        : QStringLiteral("%1 rejected the username or password").arg(m_domain));
    if (o.response->status != 200)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("token server: %1").arg(o.response->describe()));
    const QJsonObject json = QJsonDocument::fromJson(o.response->body).object();
    QString token = json.value(QLatin1String("token")).toString();
    if (token.isEmpty())
        token = json.value(QLatin1String("access_token")).toString();
    if (token.isEmpty())
        return fail(ErrorKind::Unavailable, QStringLiteral("token server sent no token"));
    // The spec's default is 60 s; a shorter lifetime is honoured (the server knows best).
    qint64 lifetimeMs = json.value(QLatin1String("expires_in")).toInteger(0) * 1000;
    if (lifetimeMs <= 0)
        lifetimeMs = 60000;
    // Renewed a little early, so a token does not expire in flight.
    lifetimeMs -= qMin<qint64>(10000, lifetimeMs / 4);
    AuthCache &cache = authCache();
    QMutexLocker lock(&cache.mutex);
    for (auto it = cache.tokens.begin(); it != cache.tokens.end();)
        it = it->validUntil.hasExpired() ? cache.tokens.erase(it) : std::next(it);
    cache.tokens.insert(tokenKey(), {"Bearer " + token.toUtf8(), QDeadlineTimer(lifetimeMs)});
    return {};
}

Result<HttpResponse> RegistryClient::perform(Request request, Sink *sink) {
    int attempt = 1;
    int totalAttempts = 0;
    bool reauthenticated = false;
    int redirects = 0;
    if (m_configError)
        return fail(*m_configError);
    for (;;) {
        if (cancelled())
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        ++totalAttempts;
        QByteArray authorization = authorizationFor(request.url);
        if (authorization.isEmpty() && isRegistryUrl(request.url)) {
            // A registry known to want a token gets it before the request, not after a 401.
            Challenge challenge;
            {
                AuthCache &cache = authCache();
                QMutexLocker lock(&cache.mutex);
                challenge = cache.challenges.value(m_domain);
            }
            if (challenge.scheme == "bearer") {
                if (auto st = ensureToken(challenge.realm, challenge.service, {}, {}); !st)
                    return fail(st.error());
                authorization = authorizationFor(request.url);
            }
        }
        Outcome o = exchange(request, authorization, sink);
        int delay = m_options.initialBackoffMs << qMin(attempt - 1, 10);
        delay = qMin(delay, m_options.maxBackoffMs);
        if (o.error && o.notTls && !m_schemeKnown && isRegistryUrl(request.url)) {
            // A loopback or insecure registry that does not speak TLS: plain HTTP from now on.
            useScheme(QStringLiteral("http"));
            request.url.setScheme(QStringLiteral("http"));
            --totalAttempts;
            continue;
        }
        if (o.response && !m_schemeKnown && isRegistryUrl(request.url) &&
            request.url.scheme() == QLatin1String("https"))
            useScheme(QStringLiteral("https"));
        if (o.error) {
            if (o.fatal || !request.retry)
                return fail(*o.error);
            // A dropped transfer that made progress starts the attempt count afresh: a
            // flaky but moving connection should finish, a dead one should not take forever.
            if (o.progressed && totalAttempts < 100)
                attempt = 1;
            else if (++attempt > m_options.maxAttempts)
                return fail(o.error->withContext(
                    QStringLiteral("giving up after %1 attempts").arg(m_options.maxAttempts)));
            if (!sleepInterruptible(o.progressed ? 0 : delay))
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            continue;
        }
        HttpResponse &r = *o.response;
        if (r.status == 401 && !reauthenticated && isRegistryUrl(request.url)) {
            // Once per request: a new token (unless another thread got one meanwhile), or
            // Basic credentials now that the registry asked for them.
            reauthenticated = true;
            if (auto st = authenticate(r, authorization); !st)
                return fail(st.error());
            continue;
        }
        if (r.status >= 300 && r.status < 400 && r.status != 304 &&
            !r.header("Location").isEmpty()) {
            if (++redirects > 10)
                return fail(ErrorKind::Unavailable, QStringLiteral("too many redirects"));
            const QUrl next = request.url.resolved(QUrl::fromEncoded(r.header("Location")));
            if (request.url.scheme() == QLatin1String("https") &&
                next.scheme() != QLatin1String("https"))
                return fail(ErrorKind::PermissionDenied,
                            QStringLiteral("refusing a redirect from HTTPS to %1")
                                .arg(next.toDisplayString()));
            request.url = next;
            if (r.status == 303)
                request.method = request.method == "HEAD" ? "HEAD" : "GET";
            continue;
        }
        if (isRetryableStatus(r.status) && request.retry) {
            if (++attempt > m_options.maxAttempts)
                return r; // the caller reports the final status
            bool ok = false;
            const int retryAfter = r.header("Retry-After").toInt(&ok);
            if (ok && retryAfter >= 0)
                delay = qMin(qMax(delay, retryAfter * 1000), 120000);
            if (!sleepInterruptible(delay))
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            continue;
        }
        if (sink && (r.status == 200 || r.status == 206) && !sink->complete()) {
            // The body ended early without a transport error; resume like a drop.
            if (++attempt > m_options.maxAttempts)
                return fail(
                    ErrorKind::Unavailable,
                    QStringLiteral("%1: body ended early").arg(request.url.toDisplayString()));
            continue;
        }
        return r;
    }
}

Result<HttpResponse> RegistryClient::send(const Request &request) {
    return perform(request, nullptr);
}

namespace {

class BlobSink : public RegistryClient::Sink {
public:
    BlobSink(BlobWriter &writer, const Descriptor &blob,
             const std::function<void(qint64)> &progress, int &resumed)
        : m_writer(writer)
        , m_blob(blob)
        , m_progress(progress)
        , m_resumed(resumed) {}
    qint64 resumeFrom() const override { return m_writer.offset(); }
    Status begin(const HttpResponse &head) override {
        if (head.status == 206) {
            // "bytes START-END/TOTAL" must start where we are.
            const QByteArray range = head.header("Content-Range");
            const qsizetype space = range.indexOf(' ');
            const qint64 start = range.mid(space + 1, range.indexOf('-') - space - 1).toLongLong();
            if (start != m_writer.offset())
                return restart();
            ++m_resumed;
            return {};
        }
        if (m_writer.offset() > 0)
            return restart(); // the server ignored Range: take the whole body
        return {};
    }
    Status write(const char *data, qint64 size) override {
        if (auto st = m_writer.write(data, size); !st)
            return st;
        if (m_progress)
            m_progress(m_writer.offset());
        return {};
    }
    bool complete() const override { return m_writer.offset() >= m_blob.size; }

private:
    Status restart() {
        if (auto st = m_writer.restart(); !st)
            return st;
        if (m_progress)
            m_progress(0);
        return {};
    }
    BlobWriter &m_writer;
    const Descriptor &m_blob;
    const std::function<void(qint64)> &m_progress;
    int &m_resumed;
};

} // namespace

Status RegistryClient::fetchBlob(const QString &repository, const Descriptor &blob,
                                 BlobWriter &writer, const std::function<void(qint64)> &progress) {
    if (writer.offset() >= blob.size && blob.size > 0)
        return {};
    BlobSink sink(writer, blob, progress, m_resumed);
    Request request;
    request.url = url(repository + QStringLiteral("/blobs/") + blob.digest.toString());
    auto r = perform(request, &sink);
    if (!r)
        return fail(r.error().withContext(QStringLiteral("blob %1").arg(blob.digest.toString())));
    if (r->status != 200 && r->status != 206)
        return fail(r->status == 404                       ? ErrorKind::NotFound
                    : r->status == 401 || r->status == 403 ? ErrorKind::PermissionDenied
                                                           : ErrorKind::Unavailable,
                    QStringLiteral("blob %1: %2").arg(blob.digest.toString(), r->describe()));
    return {};
}

Status RegistryClient::ping() {
    Request request;
    request.url = m_base;
    auto r = perform(request, nullptr);
    if (!r)
        return fail(r.error());
    if (r->status == 401)
        return fail(ErrorKind::PermissionDenied,
                    QStringLiteral("%1 rejected the username or password").arg(m_domain));
    if (r->status != 200)
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("%1 does not answer as a registry: %2").arg(m_domain, r->describe()));
    return {};
}

} // namespace Berth::Engine
