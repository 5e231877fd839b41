// SPDX-License-Identifier: GPL-3.0-or-later
// TLS with a private CA, the way Docker does it: docker-registry serving HTTPS on 127.0.0.1
// with a certificate from a CA made here (openssl). Without the CA a pull fails with a clear
// certificate error; with <config dir>/certs.d/<host:port>/ca.crt it works; plain HTTP is
// never tried against a server that speaks TLS (a pass-through proxy in front counts the
// connections). A plain registry on 127.0.0.1 is found by trying HTTPS first, once a process.
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
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
        return Puller(e.paths(), e.content(), e.snapshots(), e.images()).pull(reference, options);
    }
    int plainRequests() const {
        int n = 0;
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.method != "TLS")
                ++n;
        return n;
    }
    bool openssl(const QStringList &args) {
        const ProcessResult r = run(findTool("openssl"), args);
        if (r.exitCode != 0)
            qWarning("%s", qPrintable(r.describe()));
        return r.exitCode == 0;
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
        BERTH_VERIFY_OK(
            Pusher(e.paths(), e.content(), e.images()).push("tls:1", ref("test/tls:1"), o));
        PushOptions plainOptions;
        plainOptions.credentials = Credentials{};
        BERTH_VERIFY_OK(
            Pusher(e.paths(), e.content(), e.images())
                .push("tls:1", *Reference::parse(m_plain.address() + "/test/tls:1"), plainOptions));
        QVERIFY(m_proxy->count("TLS", {}) > 0);
        QCOMPARE(plainRequests(), 0);
    }

    void init() {
        clearRegistryAuthCache();
        m_proxy->clearRequests();
        m_plainProxy->clearRequests();
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
        QVERIFY(store.engine().images().list().isEmpty());
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
