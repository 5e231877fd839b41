// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/registryserver.h"

#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <crypt.h>

namespace Berth::Test {

RegistryServer::RegistryServer()
    : m_dir(scratchBase() + QStringLiteral("/berth-registry-XXXXXX")) {}

RegistryServer::~RegistryServer() {
    stop();
}

QString RegistryServer::address() const {
    return QStringLiteral("127.0.0.1:%1").arg(m_port);
}

QString RegistryServer::storageDir() const {
    return m_dir.path() + QStringLiteral("/storage");
}

QByteArray RegistryServer::log() const {
    return m_process ? m_process->readAllStandardError() + m_process->readAllStandardOutput()
                     : QByteArray();
}

QByteArray RegistryServer::bcrypt(const QByteArray &password) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2b$", 5, nullptr, 0, salt, sizeof salt))
        return {};
    crypt_data data{};
    const char *hash = crypt_r(password.constData(), salt, &data);
    if (!hash || hash[0] == '*')
        return {};
    return QByteArray(hash);
}

quint16 RegistryServer::freePort() {
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

bool RegistryServer::start() {
    const QString tool = findTool(QStringLiteral("docker-registry"));
    if (tool.isEmpty()) {
        m_error = QStringLiteral("docker-registry is not installed");
        return false;
    }
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary directory");
        return false;
    }
    QByteArray auth;
    if (!m_token.realm.isEmpty()) {
        auth = "auth:\n  token:\n    realm: " + m_token.realm.toUtf8() +
               "\n    service: " + m_token.service.toUtf8() +
               "\n    issuer: " + m_token.issuer.toUtf8() +
               "\n    rootcertbundle: " + m_token.certFile.toUtf8() + "\n";
    } else if (!m_users.isEmpty()) {
        QByteArray htpasswd;
        for (auto it = m_users.cbegin(); it != m_users.cend(); ++it) {
            const QByteArray hash = bcrypt(it.value().toUtf8());
            if (hash.isEmpty()) {
                m_error = QStringLiteral("bcrypt failed");
                return false;
            }
            htpasswd += it.key().toUtf8() + ':' + hash + '\n';
        }
        const QString file = m_dir.path() + QStringLiteral("/htpasswd");
        QFile f(file);
        if (!f.open(QIODevice::WriteOnly) || f.write(htpasswd) != htpasswd.size()) {
            m_error = QStringLiteral("cannot write htpasswd");
            return false;
        }
        auth = "auth:\n  htpasswd:\n    realm: berth-test\n    path: " + file.toUtf8() + "\n";
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        const QByteArray config =
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            "storage:\n  filesystem:\n    rootdirectory: " +
            storageDir().toUtf8() +
            "\n  delete:\n    enabled: true\n"
            "http:\n  addr: 127.0.0.1:" +
            QByteArray::number(m_port) + "\n" +
            (m_tlsCert.isEmpty() ? QByteArray()
                                 : "  tls:\n    certificate: " + m_tlsCert.toUtf8() +
                                       "\n    key: " + m_tlsKey.toUtf8() + "\n" +
                                       (m_clientCa.isEmpty() ? QByteArray()
                                                             : "    clientcas:\n      - " +
                                                                   m_clientCa.toUtf8() + "\n")) +
            auth;
        const QString configFile = m_dir.path() + QStringLiteral("/config.yml");
        QFile f(configFile);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
            f.write(config) != config.size()) {
            m_error = QStringLiteral("cannot write registry config");
            return false;
        }
        f.close();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        m_process->start(tool, {QStringLiteral("serve"), configFile});
        if (!m_process->waitForStarted(10000)) {
            m_error = m_process->errorString();
            return false;
        }
        const QDeadlineTimer deadline(20000);
        while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
            // A TLS registry answers plain HTTP with 400 once it listens.
            const int status = httpStatus(m_port, "GET", "/v2/");
            if (status == 200 || status == 401 || (!m_tlsCert.isEmpty() && status == 400))
                return true;
            QThread::msleep(50);
        }
        m_error = QStringLiteral("docker-registry did not answer: %1")
                      .arg(QString::fromUtf8(m_process->readAll()));
        stop();
    }
    return false;
}

void RegistryServer::stop() {
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

int httpStatus(quint16 port, const QByteArray &method, const QByteArray &path,
               const QByteArray &extraHeaders, QByteArray *body) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(2000))
        return 0;
    socket.write(method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" +
                 extraHeaders + "\r\n");
    QByteArray response;
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (!socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        response += socket.readAll();
    }
    response += socket.readAll();
    if (!response.startsWith("HTTP/1."))
        return 0;
    if (body)
        *body = response.mid(response.indexOf("\r\n\r\n") + 4);
    return response.mid(9, 3).toInt();
}

} // namespace Berth::Test
