// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/credentialstore.h"

#include "engine/core/fileutil.h"

#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QStandardPaths>
#include <QThread>
#include <qt6keychain/keychain.h>
#include <type_traits>
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

// QtKeychain is not thread-safe: its jobs go through one shared queue, a QObject made in the
// thread of the first job. Jobs started at once from the engine's pool threads crashed in it.
// So every job runs on one thread of ours, one at a time.
template <typename Fn> void onKeychainThread(Fn &&fn) {
    static QMutex mutex;
    static QThread *const thread = [] {
        auto *t = new QThread; // never stopped: it lives as long as the process
        t->setObjectName(QStringLiteral("berth-keychain"));
        t->start();
        return t;
    }();
    static QObject *const context = [] {
        auto *o = new QObject;
        o->moveToThread(thread);
        return o;
    }();
    if (QThread::currentThread() == thread) {
        fn();
        return;
    }
    const QMutexLocker lock(&mutex);
    QMetaObject::invokeMethod(context, std::forward<Fn>(fn), Qt::BlockingQueuedConnection);
}

struct JobOutcome {
    QKeychain::Error error = QKeychain::NoError;
    QString errorString;
    QString text; // a read's data
};

// Makes a Job on the keychain thread, lets `setup` fill it in, runs it to its end.
template <typename Job, typename Setup> JobOutcome runJob(Setup &&setup) {
    JobOutcome out;
    onKeychainThread([&] {
        Job job(kService);
        job.setAutoDelete(false);
        setup(job);
        // A nested event loop because QKeychain::Job requires one: it talks to the secret
        // service over D-Bus and reports only through signals (on the keychain thread).
        QEventLoop loop;
        QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
        job.start();
        loop.exec();
        out.error = job.error();
        out.errorString = job.errorString();
        if constexpr (std::is_same_v<Job, QKeychain::ReadPasswordJob>)
            out.text = job.textData();
    });
    return out;
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
    const JobOutcome job = runJob<QKeychain::ReadPasswordJob>(
        [&domain](QKeychain::ReadPasswordJob &j) { j.setKey(domain); });
    if (job.error == QKeychain::EntryNotFound)
        return std::optional<Credentials>();
    if (job.error != QKeychain::NoError)
        return fail(noSecretService(job.errorString));
    return std::optional<Credentials>(
        fromJson(QJsonDocument::fromJson(job.text.toUtf8()).object()));
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
    const QString data =
        QString::fromUtf8(QJsonDocument(toJson(credentials)).toJson(QJsonDocument::Compact));
    const JobOutcome job =
        runJob<QKeychain::WritePasswordJob>([&key, &data](QKeychain::WritePasswordJob &j) {
            j.setKey(key);
            j.setTextData(data);
        });
    if (job.error != QKeychain::NoError)
        return fail(noSecretService(job.errorString));
    setInKeychainIndex(key, true);
    return {};
}

QString CredentialStore::indexPath() const {
    return QFileInfo(m_filePath).path() + QStringLiteral("/keychain-registries.json");
}

QStringList CredentialStore::keychainIndex() const {
    auto data = readFileLimited(indexPath(), 1 << 20);
    if (!data)
        return {};
    QStringList domains;
    for (const QJsonValue &v : QJsonDocument::fromJson(*data).array())
        if (v.isString())
            domains.append(v.toString());
    return domains;
}

void CredentialStore::setInKeychainIndex(const QString &domain, bool present) {
    QStringList domains = keychainIndex();
    if (domains.contains(domain) == present)
        return;
    if (present)
        domains.append(domain);
    else
        domains.removeAll(domain);
    domains.sort();
    // The index only lists names; losing it loses no credential, so failures are ignored.
    if (makeDirectories(QFileInfo(indexPath()).path()))
        (void)writeFileAtomically(
            indexPath(), QJsonDocument(QJsonArray::fromStringList(domains)).toJson(), 0600);
}

QList<CredentialStore::Entry> CredentialStore::entries() const {
    QMap<QString, Entry> found; // by domain; the first source wins, as in lookup()
    if (sessionBusAvailable()) {
        for (const QString &domain : keychainIndex()) {
            auto k = readKeychain(domain);
            if (k && *k)
                found.insert(domain, {domain, (*k)->username, Source::Keychain});
        }
    }
    if (auto data = readFileLimited(m_filePath, 1 << 20)) {
        const QJsonObject all = QJsonDocument::fromJson(*data).object();
        for (auto it = all.begin(); it != all.end(); ++it)
            if (!found.contains(it.key()))
                found.insert(it.key(),
                             {it.key(), fromJson(it.value().toObject()).username, Source::File});
    }
    if (auto data = readFileLimited(m_dockerConfig, 4 << 20)) {
        const QJsonObject auths =
            QJsonDocument::fromJson(*data).object().value(QLatin1String("auths")).toObject();
        for (auto it = auths.begin(); it != auths.end(); ++it) {
            const QString domain = normaliseDomain(it.key());
            if (found.contains(domain))
                continue;
            if (auto c = readDockerConfig(domain))
                found.insert(domain, {domain, c->username, Source::DockerConfig});
        }
    }
    return found.values();
}

Status CredentialStore::erase(const QString &domain) {
    const QString key = normaliseDomain(domain);
    bool found = false;
    if (sessionBusAvailable()) {
        auto existing = readKeychain(key);
        if (existing && *existing) {
            const JobOutcome job = runJob<QKeychain::DeletePasswordJob>(
                [&key](QKeychain::DeletePasswordJob &j) { j.setKey(key); });
            if (job.error != QKeychain::NoError && job.error != QKeychain::EntryNotFound)
                return fail(ErrorKind::Unavailable,
                            QStringLiteral("secret service: %1").arg(job.errorString));
            found = true;
        }
        if (existing)
            setInKeychainIndex(key, false);
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
