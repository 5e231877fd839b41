// SPDX-License-Identifier: GPL-3.0-or-later
// TLS with a private CA, the way Docker does it: docker-registry serving HTTPS on 127.0.0.1
// with a certificate from a CA made here (openssl). Without the CA a pull fails with a clear
// certificate error; with <config dir>/certs.d/<host:port>/ca.crt it works; plain HTTP is
// never tried against a server that speaks TLS (a pass-through proxy in front counts the
// connections). A plain registry on 127.0.0.1 is found by trying HTTPS first, once a process.
// Mutual TLS, Docker's way too: a registry that requires client certificates (clientcas) is
// reached with certs.d/<host:port>/client.cert + client.key; without them, or with a
// certificate it does not trust, the error says what to do; half a pair is an error.
#include "engine/enginestores.h"
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

ImageFixture image() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/tls", "over TLS\n"),
              LayerBuilder::Compression::Gzip);
    return img;
}

} // namespace

class TestRegistryTls : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_pki{scratchBase() + QStringLiteral("/berth-pki-XXXXXX")};
    QTemporaryDir m_config{scratchBase() + QStringLiteral("/berth-config-XXXXXX")};
    RegistryServer m_registry;           // HTTPS
    std::unique_ptr<FaultProxy> m_proxy; // passes TLS through, counts connections
    RegistryServer m_plain;
    std::unique_ptr<FaultProxy> m_plainProxy;
    RegistryServer m_mutual; // HTTPS, requires a client certificate signed by the test CA
    std::unique_ptr<FaultProxy> m_mutualProxy;

    QString pki(const QString &file) const { return m_pki.path() + "/" + file; }
    // A certs.d holding the CA and `files` ({name in certs.d, file in the PKI dir}) for the
    // mutual TLS registry.
    QString mutualCertsDir(const QList<QPair<QString, QString>> &files) {
        const QString dir =
            m_config.path() + QStringLiteral("/mutual-%1/certs.d").arg(++m_certsDirs);
        const QString hostDir = dir + "/" + m_mutualProxy->address();
        if (!QDir().mkpath(hostDir) || !QFile::copy(pki("ca.crt"), hostDir + "/ca.crt"))
            return {};
        for (const auto &[name, source] : files)
            if (!QFile::copy(pki(source), hostDir + "/" + name))
                return {};
        return dir;
    }
    Reference mutualRef(const QString &repoTag) const {
        return *Reference::parse(m_mutualProxy->address() + QLatin1Char('/') + repoTag);
    }
    int m_certsDirs = 0;

    QString certsDir() const { return m_config.path() + "/certs.d"; }
    Reference ref(const QString &repoTag) const {
        return *Reference::parse(m_proxy->address() + QLatin1Char('/') + repoTag);
    }
    PullOptions options(const QString &certs) const {
        PullOptions o;
        o.registry.initialBackoffMs = 50;
        o.registry.maxAttempts = 2;
        o.registry.stallTimeoutMs = 10000;
        o.registry.certsDir = certs;
        o.credentials = Credentials{};
        return o;
    }
    static Result<ImageRecord> pull(TestStore &store, const Reference &reference,
                                    const PullOptions &options) {
        Engine::Engine &e = store.engine();
        return Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                      EngineStores(e).images())
            .pull(reference, options);
    }
    static int plainRequestsTo(const FaultProxy &proxy) {
        int n = 0;
        for (const FaultProxy::Request &r : proxy.requests())
            if (r.method != "TLS")
                ++n;
        return n;
    }
    int plainRequests() const { return plainRequestsTo(*m_proxy); }
    bool openssl(const QStringList &args) {
        const ProcessResult r = run(findTool("openssl"), args);
        if (r.exitCode != 0)
            qWarning("%s", qPrintable(r.describe()));
        return r.exitCode == 0;
    }
    // A client certificate `name`.cert/.key signed by the CA `ca` (.crt/.key in the PKI dir).
    bool clientCertificate(const QString &name, const QString &ca) {
        QFile ext(pki("client.ext"));
        if (!ext.open(QIODevice::WriteOnly))
            return false;
        ext.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                  "extendedKeyUsage=clientAuth\n");
        ext.close();
        return openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki(name + ".key"),
                        "-out", pki(name + ".csr"), "-subj", "/CN=berth-test-client"}) &&
               openssl({"x509", "-req", "-in", pki(name + ".csr"), "-CA", pki(ca + ".crt"),
                        "-CAkey", pki(ca + ".key"), "-CAcreateserial", "-out", pki(name + ".cert"),
                        "-days", "2", "-extfile", pki("client.ext")});
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        BERTH_REQUIRE_TOOL("openssl");
        const QString pki = m_pki.path();
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                         pki + "/ca.key", "-out", pki + "/ca.crt", "-days", "2", "-subj",
                         "/CN=Berth Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                         "-addext", "keyUsage=critical,keyCertSign,cRLSign"}));
        QVERIFY(openssl({"req", "-newkey", "rsa:2048", "-nodes", "-keyout", pki + "/server.key",
                         "-out", pki + "/server.csr", "-subj", "/CN=127.0.0.1"}));
        QFile ext(pki + "/server.ext");
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                  "keyUsage=critical,digitalSignature,keyEncipherment\n"
                  "extendedKeyUsage=serverAuth\n");
        ext.close();
        QVERIFY(openssl({"x509", "-req", "-in", pki + "/server.csr", "-CA", pki + "/ca.crt",
                         "-CAkey", pki + "/ca.key", "-CAcreateserial", "-out", pki + "/server.crt",
                         "-days", "2", "-extfile", pki + "/server.ext"}));
        m_registry.setTls(pki + "/server.crt", pki + "/server.key");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        m_proxy->setPassTls(true);
        QVERIFY(m_proxy->start());
        QVERIFY2(m_plain.start(), qPrintable(m_plain.errorString()));
        m_plainProxy = std::make_unique<FaultProxy>(m_plain.port());
        QVERIFY(m_plainProxy->start());

        // Berth pushes over TLS with the CA in place.
        const QString hostDir = certsDir() + "/" + m_proxy->address();
        QVERIFY(QDir().mkpath(hostDir));
        QVERIFY(QFile::copy(pki + "/ca.crt", hostDir + "/ca.crt"));
        TestStore store;
        BERTH_VERIFY_OK(image().install(store, {"tls:1"}));
        Engine::Engine &e = store.engine();
        PushOptions o;
        o.registry.certsDir = certsDir();
        o.credentials = Credentials{};
        BERTH_VERIFY_OK(Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                            .push("tls:1", ref("test/tls:1"), o));
        PushOptions plainOptions;
        plainOptions.credentials = Credentials{};
        BERTH_VERIFY_OK(
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push("tls:1", *Reference::parse(m_plain.address() + "/test/tls:1"), plainOptions));
        QVERIFY(m_proxy->count("TLS", {}) > 0);
        QCOMPARE(plainRequests(), 0);

        // The mutual TLS registry; a client certificate from the test CA, and one from a CA
        // the registry does not know.
        QVERIFY(clientCertificate("client", "ca"));
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                         pki + "/stranger-ca.key", "-out", pki + "/stranger-ca.crt", "-days", "2",
                         "-subj", "/CN=Stranger CA", "-addext", "basicConstraints=critical,CA:TRUE",
                         "-addext", "keyUsage=critical,keyCertSign,cRLSign"}));
        QVERIFY(clientCertificate("stranger", "stranger-ca"));
        QFile garbage(pki + "/garbage.key");
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        garbage.close();
        m_mutual.setTls(pki + "/server.crt", pki + "/server.key", pki + "/ca.crt");
        QVERIFY2(m_mutual.start(), qPrintable(m_mutual.errorString()));
        m_mutualProxy = std::make_unique<FaultProxy>(m_mutual.port());
        m_mutualProxy->setPassTls(true);
        QVERIFY(m_mutualProxy->start());
        PushOptions mutual;
        mutual.registry.certsDir =
            mutualCertsDir({{"client.cert", "client.cert"}, {"client.key", "client.key"}});
        mutual.credentials = Credentials{};
        BERTH_VERIFY_OK(Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                            .push("tls:1", mutualRef("test/tls:1"), mutual));
    }

    void init() {
        clearRegistryAuthCache();
        m_proxy->clearRequests();
        m_plainProxy->clearRequests();
        m_mutualProxy->clearRequests();
    }

    void withoutTheCaIsACertificateError() {
        QTemporaryDir empty;
        TestStore store;
        auto record = pull(store, ref("test/tls:1"), options(empty.path()));
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        const QString message = record.error().message;
        QVERIFY2(message.contains("TLS certificate of " + m_proxy->address() + " is not trusted"),
                 qPrintable(message));
        QVERIFY2(message.contains(empty.path() + "/" + m_proxy->address() + "/ca.crt"),
                 qPrintable(message));
        QVERIFY(m_proxy->count("TLS", {}) >= 1);
        QCOMPARE(plainRequests(), 0); // never fell back to plain HTTP
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void withTheCaInCertsDirPulls() {
        TestStore store;
        auto record = pull(store, ref("test/tls:1"), options(certsDir()));
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, image().id());
        QVERIFY(m_proxy->count("TLS", {}) >= 1); // connections (kept alive: not one a request)
        QCOMPARE(plainRequests(), 0);
    }

    void berthctlReadsTheConfigDir() {
        TestStore store;
        QProcessEnvironment env = store.environment();
        env.insert("BERTH_CONFIG_DIR", m_config.path());
        const ProcessResult ok =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", ref("test/tls:1").toString()}, env);
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.describe()));
        QTemporaryDir empty;
        env.insert("BERTH_CONFIG_DIR", empty.path());
        TestStore other;
        env.insert("BERTH_ROOT", other.root());
        const ProcessResult refused =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", ref("test/tls:1").toString()}, env);
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("certificate") && refused.err.contains("certs.d"),
                 refused.err.constData());
        QCOMPARE(plainRequests(), 0);
    }

    void markedInsecureSkipsVerificationLikeDocker() {
        QTemporaryDir empty;
        PullOptions o = options(empty.path());
        o.registry.insecureRegistries = {m_proxy->address()};
        TestStore store;
        BERTH_VERIFY_OK(pull(store, ref("test/tls:1"), o));
        QCOMPARE(plainRequests(), 0);
    }

    // What the app's login does with "Insecure registry" checked: saved in the config directory,
    // then every command treats the registry as insecure (here: berthctl pull without its CA).
    void savedInsecureRegistryIsUsedByEveryCommand() {
        QTemporaryDir config;
        qputenv("BERTH_CONFIG_DIR", config.path().toUtf8());
        auto restore = qScopeGuard([] { qunsetenv("BERTH_CONFIG_DIR"); });
        QVERIFY(savedInsecureRegistries().isEmpty());
        BERTH_VERIFY_OK(saveInsecureRegistry(m_proxy->address()));
        BERTH_VERIFY_OK(saveInsecureRegistry(m_proxy->address())); // once in the file
        QCOMPARE(savedInsecureRegistries(), QStringList{m_proxy->address()});
        QVERIFY(RegistryOptions::fromEnvironment().insecureRegistries.contains(m_proxy->address()));
        QCOMPARE(saveInsecureRegistry("bad#host").error().kind, ErrorKind::InvalidArgument);

        TestStore store;
        QProcessEnvironment env = store.environment();
        env.insert("BERTH_CONFIG_DIR", config.path());
        const ProcessResult ok =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", ref("test/tls:1").toString()}, env);
        QVERIFY2(ok.exitCode == 0, qPrintable(ok.describe()));
        QCOMPARE(plainRequests(), 0);
    }

    void plainRegistryOnLoopbackAfterOneHttpsProbe() {
        const Reference plain = *Reference::parse(m_plainProxy->address() + "/test/tls:1");
        TestStore store;
        BERTH_VERIFY_OK(pull(store, plain, options(certsDir())));
        const QList<FaultProxy::Request> requests = m_plainProxy->requests();
        QVERIFY(!requests.isEmpty());
        QCOMPARE(requests.first().method, QByteArray("TLS"));
        QCOMPARE(m_plainProxy->count("TLS", {}), 1);
        // The answer is remembered for the process: the next operation goes straight to HTTP.
        TestStore other;
        BERTH_VERIFY_OK(pull(other, plain, options(certsDir())));
        QCOMPARE(m_plainProxy->count("TLS", {}), 1);
    }

    void clientCertificateInCertsDirPullsFromMutualTls() {
        const QString certs =
            mutualCertsDir({{"client.cert", "client.cert"}, {"client.key", "client.key"}});
        TestStore store;
        auto record = pull(store, mutualRef("test/tls:1"), options(certs));
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, image().id());
        QFile file(EngineStores(store.engine()).snapshots().filesPath(record->layers[0].chainId) +
                   "/etc/tls");
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("over TLS\n"));

        // berthctl finds it in its config dir, under any <name>.cert/.key, and pushes too.
        const QString laptop =
            mutualCertsDir({{"laptop.cert", "client.cert"}, {"laptop.key", "client.key"}});
        TestStore other;
        QProcessEnvironment env = other.environment();
        env.insert("BERTH_CONFIG_DIR", QFileInfo(laptop).path());
        const ProcessResult pulled =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", mutualRef("test/tls:1").toString()}, env);
        QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.describe()));
        const ProcessResult tagged = run(
            QStringLiteral(BERTH_BERTHCTL),
            {"tag", mutualRef("test/tls:1").toString(), mutualRef("test/again:2").toString()}, env);
        QVERIFY2(tagged.exitCode == 0, qPrintable(tagged.describe()));
        const ProcessResult pushed = run(QStringLiteral(BERTH_BERTHCTL),
                                         {"push", mutualRef("test/again:2").toString()}, env);
        QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.describe()));
        QCOMPARE(plainRequestsTo(*m_mutualProxy), 0);
    }

    void withoutClientCertificateTheErrorSaysWhatToDo() {
        const QString certs = mutualCertsDir({});
        TestStore store;
        auto record = pull(store, mutualRef("test/tls:1"), options(certs));
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        const QString message = record.error().message;
        QVERIFY2(message.contains("refused the TLS connection") &&
                     message.contains("requires a client certificate") &&
                     message.contains("client.cert and client.key in " + certs + "/" +
                                      m_mutualProxy->address() + "/"),
                 qPrintable(message));
        // Refused once, not retried, and never tried over plain HTTP.
        QCOMPARE(m_mutualProxy->count("TLS", {}), 1);
        QCOMPARE(plainRequestsTo(*m_mutualProxy), 0);
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void untrustedClientCertificateIsRefused() {
        const QString certs =
            mutualCertsDir({{"client.cert", "stranger.cert"}, {"client.key", "stranger.key"}});
        TestStore store;
        auto record = pull(store, mutualRef("test/tls:1"), options(certs));
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        QVERIFY2(record.error().message.contains("refused the client certificate from " + certs +
                                                 "/" + m_mutualProxy->address()),
                 qPrintable(record.error().message));
    }

    void halfAClientCertificateIsAnError() {
        struct Case {
            QList<QPair<QString, QString>> files;
            QString expected;
        };
        const QList<Case> cases = {
            {{{"client.cert", "client.cert"}},
             "client.cert: client certificate without its key "
             "client.key"},
            {{{"client.key", "client.key"}},
             "client.key: client key without its certificate "
             "client.cert"},
            {{{"client.cert", "client.cert"}, {"client.key", "garbage.key"}},
             "client.key: not an unencrypted PEM private key"},
        };
        for (const Case &c : cases) {
            const QString certs = mutualCertsDir(c.files);
            m_mutualProxy->clearRequests();
            TestStore store;
            auto record = pull(store, mutualRef("test/tls:1"), options(certs));
            QVERIFY(!record);
            QCOMPARE(record.error().kind, ErrorKind::InvalidArgument);
            QVERIFY2(record.error().message.contains(certs + "/" + m_mutualProxy->address() + "/" +
                                                     c.expected),
                     qPrintable(record.error().message));
            QCOMPARE(m_mutualProxy->requests().size(), 0); // refused before connecting
        }
    }

    void configDirDefaults() {
        qputenv("BERTH_CONFIG_DIR", "/some/where");
        QCOMPARE(berthConfigDir(), QStringLiteral("/some/where"));
        QCOMPARE(RegistryOptions::fromEnvironment().certsDir,
                 QStringLiteral("/some/where/certs.d"));
        qunsetenv("BERTH_CONFIG_DIR");
        if (::geteuid() == 0)
            QCOMPARE(berthConfigDir(), QStringLiteral("/etc/berth"));
        else
            QVERIFY(berthConfigDir().endsWith("/berth"));
    }
};

QTEST_GUILESS_MAIN(TestRegistryTls)
#include "tst_registry_tls.moc"
