// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/credentialstore.h"

#include "engine/core/fileutil.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <qt6keychain/keychain.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

const QString kService = QStringLiteral("berth-registry");

// Docker writes Docker Hub as "https://index.docker.io/v1/"; others as "host[:port]", maybe
// with a scheme.
QString normaliseDomain(QString key) {
    if (key.contains(QLatin1String("://")))
        key = key.section(QLatin1String("://"), 1);
    key = key.section(QLatin1Char('/'), 0, 0);
    if (key == QLatin1String("index.docker.io") || key == QLatin1String("registry-1.docker.io"))
        key = QStringLiteral("docker.io");
    return key.toLower();
}

Credentials fromJson(const QJsonObject &o) {
    return {o.value(QLatin1String("username")).toString(),
            o.value(QLatin1String("secret")).toString()};
}

QJsonObject toJson(const Credentials &c) {
    return {{QStringLiteral("username"), c.username}, {QStringLiteral("secret"), c.secret}};
}

template <typename Job> void runJob(Job &job) {
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

Error noSecretService(const QString &detail) {
    return Error{ErrorKind::Unavailable,
                 QStringLiteral("no secret service is available to store credentials (%1); "
                                "start one (gnome-keyring, KWallet) or opt into a plain file "
                                "readable only by you with --insecure-file-store")
                     .arg(detail)};
}

} // namespace

CredentialStore::CredentialStore() {
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty())
        config = QDir::homePath() + QStringLiteral("/.config");
    m_filePath = config + QStringLiteral("/berth/credentials.json");
    const QString dockerDir = qEnvironmentVariable("DOCKER_CONFIG");
    m_dockerConfig =
        (dockerDir.isEmpty() ? QDir::homePath() + QStringLiteral("/.docker") : dockerDir) +
        QStringLiteral("/config.json");
}

bool CredentialStore::sessionBusAvailable() {
    if (!qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS"))
        return true;
    const QString runtime =
        qEnvironmentVariable("XDG_RUNTIME_DIR", QStringLiteral("/run/user/%1").arg(::getuid()));
    return QFileInfo::exists(runtime + QStringLiteral("/bus"));
}

Result<std::optional<Credentials>> CredentialStore::readKeychain(const QString &domain) const {
    if (!sessionBusAvailable())
        return fail(noSecretService(QStringLiteral("no D-Bus session bus")));
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(domain);
    runJob(job);
    if (job.error() == QKeychain::EntryNotFound)
        return std::optional<Credentials>();
    if (job.error() != QKeychain::NoError)
        return fail(noSecretService(job.errorString()));
    return std::optional<Credentials>(
        fromJson(QJsonDocument::fromJson(job.textData().toUtf8()).object()));
}

std::optional<Credentials> CredentialStore::readFile(const QString &domain) const {
    auto data = readFileLimited(m_filePath, 1 << 20);
    if (!data)
        return std::nullopt;
    const QJsonObject all = QJsonDocument::fromJson(*data).object();
    if (!all.contains(domain))
        return std::nullopt;
    return fromJson(all.value(domain).toObject());
}

std::optional<Credentials> CredentialStore::readDockerConfig(const QString &domain) const {
    auto data = readFileLimited(m_dockerConfig, 4 << 20);
    if (!data)
        return std::nullopt;
    const QJsonObject auths =
        QJsonDocument::fromJson(*data).object().value(QLatin1String("auths")).toObject();
    for (auto it = auths.begin(); it != auths.end(); ++it) {
        if (normaliseDomain(it.key()) != normaliseDomain(domain))
            continue;
        const QJsonObject entry = it.value().toObject();
        const QString identity = entry.value(QLatin1String("identitytoken")).toString();
        const QByteArray decoded =
            QByteArray::fromBase64(entry.value(QLatin1String("auth")).toString().toLatin1());
        const qsizetype colon = decoded.indexOf(':');
        Credentials c;
        if (colon > 0) {
            c.username = QString::fromUtf8(decoded.left(colon));
            c.secret = QString::fromUtf8(decoded.mid(colon + 1));
        } else {
            c.username = entry.value(QLatin1String("username")).toString();
            c.secret = entry.value(QLatin1String("password")).toString();
        }
        if (!identity.isEmpty())
            c.secret = identity;
        if (!c.isEmpty())
            return c;
    }
    return std::nullopt;
}

std::optional<Credentials> CredentialStore::lookup(const QString &domain) const {
    const QString key = normaliseDomain(domain);
    if (auto k = readKeychain(key); k && *k)
        return **k;
    if (auto f = readFile(key))
        return f;
    return readDockerConfig(key);
}

Status CredentialStore::store(const QString &domain, const Credentials &credentials,
                              Backend backend) {
    const QString key = normaliseDomain(domain);
    if (backend == Backend::File) {
        QJsonObject all;
        if (auto data = readFileLimited(m_filePath, 1 << 20))
            all = QJsonDocument::fromJson(*data).object();
        all.insert(key, toJson(credentials));
        if (auto st = makeDirectories(QFileInfo(m_filePath).path()); !st)
            return st;
        return writeFileAtomically(m_filePath, QJsonDocument(all).toJson(), 0600);
    }
    if (!sessionBusAvailable())
        return fail(noSecretService(QStringLiteral("no D-Bus session bus")));
    QKeychain::WritePasswordJob job(kService);
    job.setKey(key);
    job.setTextData(
        QString::fromUtf8(QJsonDocument(toJson(credentials)).toJson(QJsonDocument::Compact)));
    runJob(job);
    if (job.error() != QKeychain::NoError)
        return fail(noSecretService(job.errorString()));
    return {};
}

Status CredentialStore::erase(const QString &domain) {
    const QString key = normaliseDomain(domain);
    bool found = false;
    if (sessionBusAvailable()) {
        auto existing = readKeychain(key);
        if (existing && *existing) {
            QKeychain::DeletePasswordJob job(kService);
            job.setKey(key);
            runJob(job);
            if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
                return fail(ErrorKind::Unavailable,
                            QStringLiteral("secret service: %1").arg(job.errorString()));
            found = true;
        }
    }
    if (auto data = readFileLimited(m_filePath, 1 << 20)) {
        QJsonObject all = QJsonDocument::fromJson(*data).object();
        if (all.contains(key)) {
            all.remove(key);
            found = true;
            if (auto st = writeFileAtomically(m_filePath, QJsonDocument(all).toJson(), 0600); !st)
                return st;
        }
    }
    if (!found)
        return fail(ErrorKind::NotFound, QStringLiteral("not logged in to %1").arg(key));
    return {};
}

} // namespace Berth::Engine
