// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/result.h"
#include "engine/images/manifest.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QSslConfiguration;

namespace Berth::Engine {

// How the registry client talks to registries. Defaults suit real registries; tests shorten
// the timeouts through the environment (fromEnvironment()).
struct RegistryOptions {
    // host[:port] reachable over plain HTTP besides the loopback names (localhost, 127.0.0.1,
    // ::1), which always are. Env: BERTH_INSECURE_REGISTRIES (comma-separated), and the file
    // insecureRegistriesFile().
    QStringList insecureRegistries;
    int maxAttempts = 5;        // per request, on 5xx/429 and dropped connections
    int initialBackoffMs = 500; // doubled after each failed attempt; env BERTH_REGISTRY_BACKOFF_MS
    int maxBackoffMs = 15000;
    int stallTimeoutMs =
        60000; // no byte in this long: the attempt fails; env BERTH_REGISTRY_STALL_TIMEOUT_MS
    int concurrentTransfers = 3; // layer downloads/uploads at a time
    qint64 chunkSize = 0;        // push: 0 = monolithic PUT, else PATCH chunks of this size
    // Per-registry certificates the way Docker keeps them: every <certsDir>/<host[:port]>/*.crt
    // is a CA trusted for that registry besides the system CAs, and <name>.cert + <name>.key
    // there (client.cert/client.key) is the client certificate for registries that require
    // mutual TLS. Empty: none. fromEnvironment() sets it to berthConfigDir() + "/certs.d".
    QString certsDir;

    static RegistryOptions fromEnvironment();
};

// Berth's configuration directory: $BERTH_CONFIG_DIR, else /etc/berth for root, else
// $XDG_CONFIG_HOME/berth (~/.config/berth).
QString berthConfigDir();

// The registries marked insecure for good (the app's login does it), which fromEnvironment()
// adds to every command's options, like Docker's "insecure-registries" in daemon.json:
// berthConfigDir()/insecure-registries, one host[:port] a line, '#' starts a comment.
QString insecureRegistriesFile();
QStringList savedInsecureRegistries();
Status saveInsecureRegistry(const QString &domain);

struct Credentials {
    QString username;
    QString secret; // password or identity token
    bool isEmpty() const { return username.isEmpty() && secret.isEmpty(); }
};

// The host a reference's domain is served from (docker.io -> registry-1.docker.io).
QString registryHostFor(const QString &domain);
// Whether `domain` may be spoken to over plain HTTP: a loopback name (localhost, 127.0.0.1,
// ::1) or a registry the user marked insecure.
bool isInsecureRegistry(const QString &domain, const RegistryOptions &options);
// Whether `domain` is one the user marked insecure (options.insecureRegistries). Like Docker,
// HTTPS is still tried first for those, without verifying the certificate.
bool isMarkedInsecure(const QString &domain, const RegistryOptions &options);

// The credentials of one operation on one registry, shared by its clients (the concurrent
// transfers of a pull, say).
//
// Tokens live in a process-wide cache keyed by registry, scope set and credentials, until
// they expire (expires_in of the token server, renewed a little early): the token endpoint
// is asked once per scope, not once per request or per operation. What kind of challenge a
// registry answers with (Basic or Bearer, realm, service) is remembered for the process too,
// so later requests carry their credentials from the start. Thread-safe.
class RegistryAuth {
public:
    explicit RegistryAuth(Credentials credentials = {})
        : m_credentials(std::move(credentials)) {}
    Credentials credentials() const { return m_credentials; }

private:
    Credentials m_credentials;
};

// Forgets every cached token and challenge (tests; a GUI after logout may call it too).
void clearRegistryAuthCache();

struct HttpResponse {
    int status = 0;
    QUrl url; // after redirects
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body; // empty when it was streamed to a sink

    QByteArray header(const QByteArray &name) const; // case-insensitive, first value
    // "HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)" from the registry's error document.
    QString describe() const;
};

// A blocking client for one registry's Distribution API (/v2/...).
//
// Threading: every call blocks its thread while a QNetworkAccessManager, owned by the client
// and living in the thread that created it, runs in a local QEventLoop. A client is used by
// one thread only and never on the GUI thread: engine operations run on a worker (Engine's
// pool via Engine::async(), or a transfer pool the pull owns, one client per thread); the
// shared RegistryAuth is what those clients have in common.
//
// Every request gets: TLS with the system CAs plus the registry's own, and the client
// certificate the registry requires, if any (RegistryOptions::certsDir); plain HTTP only for
// loopback or insecure registries, and only after HTTPS was tried and the server turned out not to
// speak TLS (a TLS server with an untrusted certificate is an error naming the certificate
// directory, never a reason to go plain; the answer is remembered for the process); retries with
// exponential backoff on 5xx, 429 (honouring Retry-After) and dropped or stalled connections; the
// Bearer token flow or Basic auth from the registry's WWW-Authenticate challenge, once per 401;
// redirects followed by hand so the registry's Authorization header never goes to another host;
// "Accept-Encoding: identity" so blobs arrive byte-exact.
class RegistryClient {
public:
    RegistryClient(const QString &domain, const RegistryOptions &options,
                   std::shared_ptr<RegistryAuth> auth);
    ~RegistryClient();
    RegistryClient(const RegistryClient &) = delete;
    RegistryClient &operator=(const RegistryClient &) = delete;

    // Scopes asked for when a token is needed ("repository:library/busybox:pull").
    void setScopes(const QStringList &scopes) { m_scopes = scopes; }
    void setCancelFlag(const std::atomic<bool> *cancel) { m_cancel = cancel; }

    QString domain() const { return m_domain; }
    // "https://registry-1.docker.io/v2/" + `path` (http:// once the registry is known to
    // speak plain HTTP only; requests built before are switched over too).
    QUrl url(const QString &path) const;

    struct Request {
        QByteArray method = "GET";
        QUrl url;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        QString bodyFile;         // upload this file instead of `body`
        qint64 maxBody = 1 << 20; // larger response bodies are an error
        bool retry = true;        // false for non-idempotent steps whose failure the caller handles
    };
    // Sends a request through auth, redirects and retries; any final HTTP status is a response
    // (the caller decides), a transport failure after the last attempt an error.
    Result<HttpResponse> send(const Request &request);

    // Streams blob `digest` of `repository` into `writer`, resuming from writer.offset() with
    // HTTP Range (and starting over when the server ignores it). `progress` gets the bytes
    // held so far. The caller commits the writer (which verifies the digest).
    Status fetchBlob(const QString &repository, const Descriptor &blob, BlobWriter &writer,
                     const std::function<void(qint64)> &progress = {});

    // GET /v2/: whether the registry answers and accepts our credentials.
    Status ping();

    // Uploaded bytes callback for uploads done with send() (bytes of the current request).
    void setUploadProgress(std::function<void(qint64)> progress) {
        m_uploadProgress = std::move(progress);
    }

    // Range requests seen answered with 206, for diagnostics.
    int resumedTransfers() const { return m_resumed; }

    struct Sink;

private:
    struct Outcome;
    Outcome exchange(const Request &request, const QByteArray &authorization, Sink *sink);
    Result<HttpResponse> perform(Request request, Sink *sink);
    bool isRegistryUrl(const QUrl &url) const;
    QByteArray authorizationFor(const QUrl &url) const;
    QString tokenKey() const;
    Status authenticate(const HttpResponse &challenge, const QByteArray &sentAuthorization);
    Status ensureToken(const QString &realm, const QString &service,
                       const QStringList &challengeScopes, const QByteArray &rejected);
    Status fetchToken(const QString &realm, const QString &service,
                      const QStringList &challengeScopes);
    void useScheme(const QString &scheme);
    void loadCertsDir(const QString &certsDir);
    bool sleepInterruptible(int ms);
    bool cancelled() const { return m_cancel && m_cancel->load(); }
    QString scopeKey() const;

    QString m_domain;
    QString m_host;
    QUrl m_base;
    RegistryOptions m_options;
    std::shared_ptr<RegistryAuth> m_auth;
    QStringList m_scopes;
    const std::atomic<bool> *m_cancel = nullptr;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    std::unique_ptr<QSslConfiguration> m_ssl; // the registry's CAs, client cert; null: defaults
    bool m_hasClientCertificate = false;
    std::optional<Error> m_configError; // a broken certs.d entry: every request fails with it
    bool m_plainAllowed = false;
    bool m_skipVerify = false;
    bool m_schemeKnown = false;
    QByteArray m_credentialKey; // fingerprint of the credentials, for the token cache
    std::function<void(qint64)> m_uploadProgress;
    int m_resumed = 0;
};

// Parses an HTTP challenge list ("Bearer realm=\"...\",service=\"...\",scope=\"...\"").
struct AuthChallenge {
    QByteArray scheme; // lower case
    QHash<QString, QString> params;
};
QList<AuthChallenge> parseAuthChallenges(const QByteArray &header);

// The "next" URL of an RFC 5988 Link header ("</v2/x/tags/list?n=2&last=b>; rel=\"next\""),
// resolved against `base`; empty when there is none.
QUrl nextLink(const QByteArray &linkHeader, const QUrl &base);

} // namespace Berth::Engine
