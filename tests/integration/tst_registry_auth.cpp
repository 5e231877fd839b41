// SPDX-License-Identifier: GPL-3.0-or-later
// Credentials against docker-registry with htpasswd (Basic) auth: refused without login, wrong
// password, berthctl login/logout with the opt-in file store, the Docker config's auths, and
// the Secret Service (gnome-keyring in a private D-Bus session).
#include "engine/enginestores.h"
#include "engine/registry/browse.h"
#include "engine/registry/credentialstore.h"
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

class TestRegistryAuth : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    TestStore m_store;
    QTemporaryDir m_home{scratchBase() + QStringLiteral("/berth-home-XXXXXX")};

    QString ref(const QString &repoTag) const {
        return m_registry.address() + QLatin1Char('/') + repoTag;
    }
    // berthctl with a private HOME/XDG config, no D-Bus session and no Docker config.
    QProcessEnvironment env() const {
        QProcessEnvironment e = m_store.environment();
        e.insert("HOME", m_home.path());
        e.insert("XDG_CONFIG_HOME", m_home.path() + "/config");
        e.insert("XDG_RUNTIME_DIR", m_home.path() + "/run");
        e.insert("DOCKER_CONFIG", m_home.path() + "/docker");
        e.remove("DBUS_SESSION_BUS_ADDRESS");
        return e;
    }
    ProcessResult ctl(const QStringList &args, const QByteArray &input = {},
                      const QProcessEnvironment &e = {}) const {
        return run(QStringLiteral(BERTH_BERTHCTL), args, e.isEmpty() ? env() : e, 120000, input);
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        m_registry.setUsers({{"alice", "s3cret"}});
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QDir().mkpath(m_home.path() + "/run");
        ImageFixture img;
        img.layer(LayerBuilder().dir("etc").file("etc/private", "secret data\n"),
                  LayerBuilder::Compression::Gzip);
        BERTH_VERIFY_OK(img.install(m_store, {ref("private/app:1")}));
        // Every test function finds the private repository, whatever runs first.
        Engine::Engine &e = m_store.engine();
        PushOptions options;
        options.credentials = Credentials{"alice", "s3cret"};
        BERTH_VERIFY_OK(
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push(ref("private/app:1"), *Reference::parse(ref("private/app:1")), options));
    }

    void anonymousIsRefusedWithAHint() {
        Engine::Engine &e = m_store.engine();
        PushOptions options;
        options.credentials = Credentials{};
        auto pushed =
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push(ref("private/app:1"), *Reference::parse(ref("private/app:1")), options);
        QVERIFY(!pushed);
        QCOMPARE(pushed.error().kind, ErrorKind::PermissionDenied);
        QVERIFY2(pushed.error().message.contains("berthctl login"),
                 qPrintable(pushed.error().message));
    }

    void wrongPasswordIsRefused() {
        auto st = checkCredentials(m_registry.address(), RegistryOptions(), {"alice", "wrong"});
        QVERIFY(!st);
        QCOMPARE(st.error().kind, ErrorKind::PermissionDenied);
        QVERIFY2(st.error().message.contains("rejected the username or password"),
                 qPrintable(st.error().message));
        const ProcessResult r = ctl({"login", m_registry.address(), "-u", "alice",
                                     "--password-stdin", "--insecure-file-store"},
                                    "wrong\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("rejected the username or password"), r.err.constData());
        QVERIFY(!QFileInfo::exists(m_home.path() + "/config/berth/credentials.json"));
    }

    void credentialedPushAndPull() {
        Engine::Engine &e = m_store.engine();
        PushOptions options;
        options.credentials = Credentials{"alice", "s3cret"};
        auto pushed =
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push(ref("private/app:1"), *Reference::parse(ref("private/app:1")), options);
        BERTH_VERIFY_OK(pushed);
        TestStore other;
        PullOptions pullOptions;
        pullOptions.credentials = Credentials{"alice", "s3cret"};
        Engine::Engine &o = other.engine();
        BERTH_VERIFY_OK(Puller(o.paths(), EngineStores(o).content(), EngineStores(o).snapshots(),
                               EngineStores(o).images())
                            .pull(*Reference::parse(ref("private/app:1")), pullOptions));
    }

    void noSecretServiceIsAClearError() {
        const ProcessResult r =
            ctl({"login", m_registry.address(), "-u", "alice", "--password-stdin"}, "s3cret\n");
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("no secret service") && r.err.contains("--insecure-file-store"),
                 r.err.constData());
    }

    void loginWithFileStoreThenPullAndLogout() {
        const ProcessResult login = ctl({"login", m_registry.address(), "-u", "alice",
                                         "--password-stdin", "--insecure-file-store"},
                                        "s3cret\n");
        QVERIFY2(login.exitCode == 0, qPrintable(login.describe()));
        QVERIFY(login.out.contains("Login Succeeded"));
        const QFileInfo file(m_home.path() + "/config/berth/credentials.json");
        QVERIFY(file.exists());
        QCOMPARE(int(file.permissions() & 0x0077), 0); // nothing for group or others
        QCOMPARE(file.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());

        TestStore other;
        QProcessEnvironment e = env();
        e.insert("BERTH_ROOT", other.root());
        const ProcessResult pull = ctl({"pull", ref("private/app:1")}, {}, e);
        QVERIFY2(pull.exitCode == 0, qPrintable(pull.describe()));
        const ProcessResult tags = ctl({"tags", ref("private/app")});
        QVERIFY2(tags.exitCode == 0 && tags.out == "1\n", qPrintable(tags.describe()));

        const ProcessResult logout = ctl({"logout", m_registry.address()});
        QVERIFY2(logout.exitCode == 0, qPrintable(logout.describe()));
        const ProcessResult denied = ctl({"tags", ref("private/app")});
        QCOMPARE(denied.exitCode, 1);
        QVERIFY2(denied.err.contains("berthctl login"), denied.err.constData());
        const ProcessResult again = ctl({"logout", m_registry.address()});
        QCOMPARE(again.exitCode, 1);
    }

    void dockerConfigAuthsAreRead() {
        QDir().mkpath(m_home.path() + "/docker");
        QFile config(m_home.path() + "/docker/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{\"auths\":{\"http://" + m_registry.address().toUtf8() + "\":{\"auth\":\"" +
                     QByteArray("alice:s3cret").toBase64() + "\"}}}");
        config.close();
        const ProcessResult tags = ctl({"tags", ref("private/app")});
        QVERIFY2(tags.exitCode == 0 && tags.out == "1\n", qPrintable(tags.describe()));
        QFile::remove(config.fileName());
    }

    void entriesListEveryKnownRegistry() {
        QTemporaryDir dir;
        CredentialStore store;
        store.setFilePath(dir.path() + "/berth/credentials.json");
        store.setDockerConfigPath(dir.path() + "/docker/config.json");
        QVERIFY(store.entries().isEmpty());
        BERTH_VERIFY_OK(
            store.store(m_registry.address(), {"alice", "s3cret"}, CredentialStore::Backend::File));
        QVERIFY(QDir().mkpath(dir.path() + "/docker"));
        QFile config(dir.path() + "/docker/config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        // Docker Hub the way docker writes it, and a registry the file store has too.
        config.write("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"" +
                     QByteArray("bob:pw").toBase64() + "\"},\"" + m_registry.address().toUtf8() +
                     "\":{\"auth\":\"" + QByteArray("carol:pw").toBase64() + "\"}}}");
        config.close();
        const QList<CredentialStore::Entry> entries = store.entries();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[0].domain, m_registry.address());
        QCOMPARE(entries[0].username, QStringLiteral("alice")); // the file store wins
        QCOMPARE(entries[0].source, CredentialStore::Source::File);
        QCOMPARE(entries[1].domain, QStringLiteral("docker.io"));
        QCOMPARE(entries[1].username, QStringLiteral("bob"));
        QCOMPARE(entries[1].source, CredentialStore::Source::DockerConfig);
        BERTH_VERIFY_OK(store.erase(m_registry.address()));
        QCOMPARE(store.entries().size(), 2); // Docker's own entry stays (Docker's file)
        QCOMPARE(store.entries()[0].source, CredentialStore::Source::DockerConfig);
    }

    void keychainLoginUnderGnomeKeyring() {
        BERTH_REQUIRE_TOOL("dbus-run-session");
        BERTH_REQUIRE_TOOL("gnome-keyring-daemon");
        const QString script = QStringLiteral(BERTH_SOURCE_DIR "/tests/support/with-keyring.sh");
        // Inside one keyring session: login stores in the keychain (no file), tags uses it,
        // logout forgets it.
        const QString ctlPath = QStringLiteral(BERTH_BERTHCTL);
        const QString body =
            QStringLiteral("set -e; printf 's3cret\\n' | %1 login %2 -u alice --password-stdin; "
                           "test ! -e \"$XDG_CONFIG_HOME/berth/credentials.json\"; "
                           "%1 tags %3; %1 logout %2; if %1 tags %3; then exit 3; fi; echo ok")
                .arg(ctlPath, m_registry.address(), ref("private/app"));
        const ProcessResult r = run(QStringLiteral("/bin/sh"), {script, "/bin/sh", "-c", body},
                                    m_store.environment(), 120000);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains("Login Succeeded") && r.out.contains("\n1\n") &&
                     r.out.endsWith("ok\n"),
                 qPrintable(r.describe()));
    }
};

QTEST_GUILESS_MAIN(TestRegistryAuth)
#include "tst_registry_auth.moc"
