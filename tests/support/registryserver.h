// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <memory>

namespace Berth::Test {

// Debian's docker-registry (distribution 2.8) on 127.0.0.1 with a free port and its own config
// and storage in a temporary directory; stopped on destruction. The packaged config is not
// used: it listens on every interface and its htpasswd setup is broken.
//
//   RegistryServer registry;
//   QVERIFY2(registry.start(), qPrintable(registry.errorString()));
//   registry.address(); // "127.0.0.1:PORT"
class RegistryServer {
public:
    struct TokenAuth {
        QString realm;    // URL of the token endpoint, e.g. "http://127.0.0.1:P/token"
        QString service;  // the token's audience
        QString issuer;   // the token's "iss"
        QString certFile; // PEM certificate whose key signs the tokens
    };

    RegistryServer();
    ~RegistryServer();

    // Users for htpasswd (Basic) auth; empty = no auth. Call before start().
    void setUsers(const QMap<QString, QString> &users) { m_users = users; }
    // Bearer token auth instead of htpasswd. Call before start().
    void setTokenAuth(const TokenAuth &auth) { m_token = auth; }
    // Serve HTTPS with this PEM certificate and key instead of plain HTTP. Call before start().
    // With `clientCaFile`, clients must present a certificate signed by that CA (mutual TLS).
    void setTls(const QString &certFile, const QString &keyFile, const QString &clientCaFile = {}) {
        m_tlsCert = certFile;
        m_tlsKey = keyFile;
        m_clientCa = clientCaFile;
    }

    // Starts the registry and waits until /v2/ answers. False (see errorString()) on failure.
    bool start();
    void stop();

    quint16 port() const { return m_port; }
    QString address() const; // "127.0.0.1:PORT"
    QString storageDir() const;
    QString errorString() const { return m_error; }
    QByteArray log() const; // what the registry printed (for failure messages)

    // A bcrypt hash for htpasswd (libcrypt, "$2b$"), or empty on failure.
    static QByteArray bcrypt(const QByteArray &password);
    // A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
    static quint16 freePort();

private:
    QTemporaryDir m_dir;
    QMap<QString, QString> m_users;
    TokenAuth m_token;
    QString m_tlsCert;
    QString m_tlsKey;
    QString m_clientCa;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};

// Sends one plain HTTP/1.1 request to 127.0.0.1:`port` and returns the status code (0 when no
// answer), without Qt Network's machinery, for readiness checks and quick probes.
int httpStatus(quint16 port, const QByteArray &method, const QByteArray &path,
               const QByteArray &extraHeaders = {}, QByteArray *body = nullptr);

} // namespace Berth::Test
