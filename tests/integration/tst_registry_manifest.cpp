// SPDX-License-Identifier: GPL-3.0-or-later
// Manifest negotiation against docker-registry: multi-platform OCI indexes and Docker manifest
// lists resolve to the host's platform or the one asked for (also with berthctl --platform);
// schema1, unknown media types and oversized manifests (served by the fault proxy's fake
// routes: the 2.8 registry does not store schema1) are refused with a clear message.
#include "engine/enginestores.h"
#include "engine/images/mediatypes.h"
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// Not the host's architecture, so choosing it must be deliberate.
QString otherArchitecture() {
    return Platform::host().architecture == QLatin1String("arm64") ? QStringLiteral("amd64")
                                                                   : QStringLiteral("arm64");
}

ImageFixture platformImage(const QString &architecture, ImageFixture::ManifestFormat format) {
    ImageFixture img;
    img.platform(QStringLiteral("linux"), architecture);
    img.manifestFormat(format);
    img.layer(LayerBuilder().dir("etc").file("etc/arch", architecture.toUtf8() + "\n"),
              LayerBuilder::Compression::Gzip);
    return img;
}

PullOptions fastOptions() {
    PullOptions o;
    o.registry.initialBackoffMs = 50;
    o.registry.maxAttempts = 2;
    o.registry.stallTimeoutMs = 30000; // long: an oversized manifest must not be waited for
    o.credentials = Credentials{};
    return o;
}

} // namespace

class TestRegistryManifest : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;
    TestStore m_source;

    Reference ref(const QString &repoTag) const {
        return *Reference::parse(m_proxy->address() + QLatin1Char('/') + repoTag);
    }
    static Result<ImageRecord> pull(TestStore &store, const Reference &reference,
                                    const PullOptions &options = fastOptions()) {
        Engine::Engine &e = store.engine();
        return Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                      EngineStores(e).images())
            .pull(reference, options);
    }

    // Pushes both platform images of `format` and an index (OCI index or Docker manifest
    // list) over them under `repo:tag`.
    void pushIndex(ImageFixture::ManifestFormat format, const QString &tag) {
        const bool docker = format == ImageFixture::ManifestFormat::Docker;
        QJsonArray manifests;
        for (const QString &arch : {Platform::host().architecture, otherArchitecture()}) {
            const ImageFixture img = platformImage(arch, format);
            const QString local = QStringLiteral("multi-%1-%2:1").arg(arch, tag);
            BERTH_VERIFY_OK(img.install(m_source, {local}));
            Engine::Engine &e = m_source.engine();
            PushOptions o;
            o.credentials = Credentials{};
            auto pushed =
                Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                    .push(local, ref(QStringLiteral("test/multi:%1-%2").arg(tag, arch)), o);
            BERTH_VERIFY_OK(pushed);
            // The blobs are there now; the manifest goes up exactly as the fixture wrote it
            // (Docker schema 2 or OCI), by digest.
            const QString manifestType =
                docker ? MediaType::DockerManifest : MediaType::OciManifest;
            putManifest(img.manifestDigest().toString(), manifestType, img.manifestJson());
            manifests.append(
                QJsonObject{{"mediaType", manifestType},
                            {"digest", img.manifestDigest().toString()},
                            {"size", img.manifestJson().size()},
                            {"platform", QJsonObject{{"os", "linux"}, {"architecture", arch}}}});
        }
        const QString type = docker ? MediaType::DockerManifestList : MediaType::OciIndex;
        putManifest(
            tag, type,
            QJsonDocument(
                QJsonObject{{"schemaVersion", 2}, {"mediaType", type}, {"manifests", manifests}})
                .toJson(QJsonDocument::Compact));
    }

    void putManifest(const QString &tagOrDigest, const QString &type, const QByteArray &body) {
        RegistryClient client(m_proxy->address(), RegistryOptions(), nullptr);
        RegistryClient::Request put;
        put.method = "PUT";
        put.url = client.url(QStringLiteral("test/multi/manifests/") + tagOrDigest);
        put.headers.append({"Content-Type", type.toLatin1()});
        put.body = body;
        auto r = client.send(put);
        BERTH_VERIFY_OK(r);
        QVERIFY2(r->status == 201, qPrintable(r->describe()));
    }

    void expectRefused(const QString &tag, const QString &needle) {
        TestStore store;
        auto record = pull(store, ref(QStringLiteral("test/fake:") + tag));
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::InvalidArgument);
        QVERIFY2(record.error().message.contains(needle), qPrintable(record.error().message));
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
        QCOMPARE(m_proxy->blobGets(), 0);
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        pushIndex(ImageFixture::ManifestFormat::Oci, QStringLiteral("oci"));
        pushIndex(ImageFixture::ManifestFormat::Docker, QStringLiteral("docker"));
    }

    void init() {
        m_proxy->clearRules();
        m_proxy->clearRequests();
    }

    void indexResolvesToPlatform_data() {
        QTest::addColumn<QString>("tag");
        QTest::addColumn<int>("format");
        QTest::newRow("OCI index") << "oci" << int(ImageFixture::ManifestFormat::Oci);
        QTest::newRow("Docker manifest list")
            << "docker" << int(ImageFixture::ManifestFormat::Docker);
    }
    void indexResolvesToPlatform() {
        QFETCH(QString, tag);
        QFETCH(int, format);
        const auto fmt = ImageFixture::ManifestFormat(format);
        TestStore store;
        std::optional<PullPlan> plan;
        PullOptions options = fastOptions();
        options.onPlan = [&](const PullPlan &p) { plan = p; };
        auto host = pull(store, ref("test/multi:" + tag), options);
        BERTH_VERIFY_OK(host);
        QCOMPARE(host->id, platformImage(Platform::host().architecture, fmt).id());
        QVERIFY(plan);
        QCOMPARE(plan->platform.architecture, Platform::host().architecture);
        QCOMPARE(plan->manifestMediaType, fmt == ImageFixture::ManifestFormat::Docker
                                              ? MediaType::DockerManifest
                                              : MediaType::OciManifest);

        // The other platform, asked for.
        options = fastOptions();
        options.platform = Platform{"linux", otherArchitecture(), {}, {}};
        TestStore other;
        auto chosen = pull(other, ref("test/multi:" + tag), options);
        BERTH_VERIFY_OK(chosen);
        QCOMPARE(chosen->id, platformImage(otherArchitecture(), fmt).id());

        // A platform the index does not have.
        options.platform = Platform{"linux", "s390x", {}, {}};
        TestStore none;
        auto missing = pull(none, ref("test/multi:" + tag), options);
        QVERIFY(!missing);
        QCOMPARE(missing.error().kind, ErrorKind::NotFound);
        QVERIFY2(missing.error().message.contains("no image for platform linux/s390x") &&
                     missing.error().message.contains("linux/" + otherArchitecture()),
                 qPrintable(missing.error().message));
    }

    void berthctlPlatformOption() {
        TestStore store;
        const ProcessResult r =
            berthctl(store, {"pull", "--platform", "linux/" + otherArchitecture(),
                             ref("test/multi:oci").toString()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        auto image =
            EngineStores(store.engine()).images().resolve(ref("test/multi:oci").toString());
        BERTH_VERIFY_OK(image);
        QCOMPARE(image->id,
                 platformImage(otherArchitecture(), ImageFixture::ManifestFormat::Oci).id());
        const ProcessResult bad = berthctl(
            store, {"pull", "--platform", "linux/s390x", ref("test/multi:oci").toString()});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("no image for platform linux/s390x"), bad.err.constData());
    }

    void schema1IsRefused_data() {
        QTest::addColumn<QByteArray>("contentType");
        QTest::newRow("signed") << MediaType::DockerSchema1Signed.toLatin1();
        QTest::newRow("unsigned") << MediaType::DockerSchema1.toLatin1();
        QTest::newRow("generic JSON") << QByteArray("application/json");
    }
    void schema1IsRefused() {
        QFETCH(QByteArray, contentType);
        const QByteArray schema1 =
            "{\"schemaVersion\":1,\"name\":\"test/"
            "fake\",\"tag\":\"schema1\",\"architecture\":\"amd64\","
            "\"fsLayers\":[{\"blobSum\":\"sha256:"
            "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4\"}],"
            "\"history\":[{\"v1Compatibility\":\"{\\\"id\\\":\\\"x\\\"}\"}],"
            "\"signatures\":[{\"header\":{\"alg\":\"ES256\"},\"signature\":\"c2ln\",\"protected\":"
            "\"cHJv\"}]}";
        m_proxy->addRule(FaultProxy::respond("GET", "/v2/test/fake/manifests/schema1", 200,
                                             contentType, schema1));
        expectRefused("schema1", "schema 1 is deprecated and not supported");
    }

    void unknownMediaTypeIsRefused_data() {
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        const QByteArray config =
            "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
            "\"sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4\",\"size\":"
            "2},"
            "\"layers\":[]";
        QTest::newRow("declared in the document")
            << QByteArray("application/json")
            << "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.thing.v1+json\"," +
                   config + "}";
        QTest::newRow("served as") << QByteArray("application/vnd.example.thing.v1+json")
                                   << "{\"schemaVersion\":2," + config + "}";
        QTest::newRow("artifact manifest")
            << QByteArray("application/vnd.oci.artifact.manifest.v1+json")
            << QByteArray("{\"mediaType\":\"application/vnd.oci.artifact.manifest.v1+json\","
                          "\"artifactType\":\"application/x.example\"}");
    }
    void unknownMediaTypeIsRefused() {
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        m_proxy->addRule(
            FaultProxy::respond("GET", "/v2/test/fake/manifests/unknown", 200, contentType, body));
        expectRefused("unknown", "unsupported manifest media type");
    }

    void oversizedManifestIsRefusedWithoutReadingIt_data() {
        QTest::addColumn<qint64>("declaredLength");
        QTest::addColumn<qint64>("sent");
        // Content-Length says 5 MiB: refused from the head; only 64 KiB ever arrive, so a
        // client reading on would wait for the stall timeout instead.
        QTest::newRow("Content-Length") << qint64(5 << 20) << qint64(64 << 10);
        // No length, the body runs on past 4 MiB and then stalls: refused at the limit.
        QTest::newRow("no length") << qint64(-2) << qint64((4 << 20) + (256 << 10));
    }
    void oversizedManifestIsRefusedWithoutReadingIt() {
        QFETCH(qint64, declaredLength);
        QFETCH(qint64, sent);
        QByteArray body = "{\"schemaVersion\":2,\"mediaType\":\"application/"
                          "vnd.oci.image.manifest.v1+json\",\"annotations\":{\"x\":\"";
        body += QByteArray((5 << 20) - body.size() - 3, 'a') + "\"}}";
        FaultProxy::Rule rule =
            FaultProxy::respond("GET", "/v2/test/fake/manifests/huge", 200,
                                MediaType::OciManifest.toLatin1(), body.left(sent));
        rule.declaredLength = declaredLength;
        rule.afterBytes = sent; // then nothing more, the connection stays open
        m_proxy->addRule(rule);
        expectRefused("huge", "larger than");
    }
};

QTEST_GUILESS_MAIN(TestRegistryManifest)
#include "tst_registry_manifest.moc"
