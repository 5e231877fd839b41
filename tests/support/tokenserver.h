// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tests/support/registryserver.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QMutex>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>
#include <memory>

namespace Berth::Test {

// The Docker token server a registry with "auth: token" sends its clients to, for tests: it
// answers GET /token?service=S&scope=repository:NAME:ACTIONS... with a JWT (RS256, the signing
// certificate in the header's x5c) whose "access" claim grants what the policy allows:
// - with Basic credentials of a known user: everything asked for (pull, push, the catalog);
//   unknown users or wrong passwords get 401;
// - anonymously: pull of repositories under "public/", nothing else (an empty grant, like
//   Docker Hub, so the registry refuses with insufficient_scope).
// It generates its RSA key and self-signed certificate at start(); registryAuth() is what
// RegistryServer::setTokenAuth() needs. Runs its own thread; every request is recorded.
//
//   TokenServer tokens;
//   tokens.setUsers({{"alice", "s3cret"}});
//   QVERIFY2(tokens.start(), qPrintable(tokens.errorString()));
//   registry.setTokenAuth(tokens.registryAuth());
class TokenServer {
public:
    struct Request {
        QString account; // empty: anonymous
        QString service;
        QStringList scopes;
        int status = 0;
        QByteArray token; // the JWT issued, if any
    };

    TokenServer();
    ~TokenServer();

    void setUsers(const QMap<QString, QString> &users);
    // expires_in of the tokens issued from now on (default 300 s).
    void setExpiresIn(int seconds);

    bool start();
    QString errorString() const { return m_error; }
    quint16 port() const { return m_port; }
    QString realm() const; // "http://127.0.0.1:PORT/token"
    QString service() const { return QStringLiteral("berth-test-registry"); }
    QString issuer() const { return QStringLiteral("berth-test-token-server"); }
    QString certFile() const;
    RegistryServer::TokenAuth registryAuth() const;

    QList<Request> requests() const;
    // Token requests that asked for `scope` (exact match).
    int count(const QString &scope) const;
    int total() const;
    void clearRequests();

    struct State;

private:
    QTemporaryDir m_dir;
    std::shared_ptr<State> m_state;
    std::unique_ptr<QThread> m_thread;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace Berth::Test
