// SPDX-License-Identifier: GPL-3.0-or-later
// Pull from Debian's docker-registry (images pushed there by skopeo), through a fault-injecting
// proxy: plan, only missing layers, resume, retries, corruption, stalls, kill-and-resume.
#include "engine/enginestores.h"
#include "engine/registry/puller.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

QByteArray randomBytes(qint64 size, quint32 seed) {
    QRandomGenerator gen(seed);
    QByteArray out(size, Qt::Uninitialized);
    gen.fillRange(reinterpret_cast<quint32 *>(out.data()), size / 4);
    return out;
}

ImageFixture baseImage() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/base", "base layer\n"),
              LayerBuilder::Compression::Gzip, "ADD base");
    img.cmd({"sh"});
    return img;
}

// base + a big incompressible layer + a small one.
ImageFixture appImage() {
    ImageFixture img = baseImage();
    img.layer(LayerBuilder().dir("data").file("data/big", randomBytes(6 << 20, 7)),
              LayerBuilder::Compression::Gzip, "ADD big");
    img.layer(LayerBuilder().dir("app").file("app/run", "#!/bin/sh\necho hi\n", 0755),
              LayerBuilder::Compression::Gzip, "ADD run");
    return img;
}

// One layer: a small file, then a big incompressible one.
ImageFixture streamedImage() {
    ImageFixture img;
    img.layer(LayerBuilder()
                  .dir("stream")
                  .file("stream/first", "unpacked before the download ends\n")
                  .file("stream/big", randomBytes(6 << 20, 11)),
              LayerBuilder::Compression::Gzip, "ADD stream");
    return img;
}

Puller pullerFor(TestStore &store) {
    Engine::Engine &e = store.engine();
    return Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                  EngineStores(e).images(), &e.events());
}

PullOptions fastOptions() {
    PullOptions o;
    o.registry.initialBackoffMs = 50;
    o.registry.maxAttempts = 4;
    o.registry.stallTimeoutMs = 1500;
    o.credentials = Credentials{};
    return o;
}

} // namespace

class TestRegistryPull : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;
    QString m_skopeo;

    void push(const ImageFixture &img, const QString &repoTag) {
        QTemporaryDir dir(scratchBase() + QStringLiteral("/berth-oci-XXXXXX"));
        QVERIFY(img.writeOciLayout(dir.path(), QStringLiteral("latest")));
        const ProcessResult r =
            run(m_skopeo, {QStringLiteral("copy"), QStringLiteral("--dest-tls-verify=false"),
                           QStringLiteral("oci:%1:latest").arg(dir.path()),
                           QStringLiteral("docker://%1/%2").arg(m_registry.address(), repoTag)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }

    Reference viaProxy(const QString &repoTag) {
        return *Reference::parse(m_proxy->address() + QLatin1Char('/') + repoTag);
    }

    int layerGets(const Descriptor &blob) { return m_proxy->count("GET", blob.digest.toString()); }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        BERTH_REQUIRE_TOOL("skopeo");
        m_skopeo = findTool(QStringLiteral("skopeo"));
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        push(baseImage(), QStringLiteral("test/base:1"));
        push(appImage(), QStringLiteral("test/app:1"));
        push(streamedImage(), QStringLiteral("test/streamed:1"));
    }

    void init() {
        m_proxy->clearRules();
        m_proxy->clearRequests();
    }

    void pullGivesSameDiffIdsAndFiles() {
        TestStore store;
        const ImageFixture img = appImage();
        std::optional<PullPlan> seenPlan;
        QList<PullProgress> progress;
        PullOptions options = fastOptions();
        options.onPlan = [&](const PullPlan &plan) { seenPlan = plan; };
        options.onProgress = [&](const PullProgress &p) { progress.append(p); };
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), options);
        BERTH_VERIFY_OK(record);
        QVERIFY(seenPlan);
        QCOMPARE(seenPlan->layers.size(), 3);
        QCOMPARE(seenPlan->layersToDownload, 3);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().phase, PullProgress::Phase::Done);
        QCOMPARE(progress.last().doneBytes, progress.last().totalBytes);
        QCOMPARE(record->id, img.id());
        QList<Digest> diffIds;
        for (const LayerRecord &l : record->layers)
            diffIds.append(l.diffId);
        QCOMPARE(diffIds, img.diffIds());
        QCOMPARE(record->tags, QStringList{viaProxy(QStringLiteral("test/app:1")).toString()});
        SnapshotStore &snapshots = EngineStores(store.engine()).snapshots();
        QFile base(snapshots.filesPath(record->layers[0].chainId) + QStringLiteral("/etc/base"));
        QVERIFY(base.open(QIODevice::ReadOnly));
        QCOMPARE(base.readAll(), QByteArray("base layer\n"));
        QFile big(snapshots.filesPath(record->layers[1].chainId) + QStringLiteral("/data/big"));
        QVERIFY(big.open(QIODevice::ReadOnly));
        QCOMPARE(big.size(), qint64(6 << 20));
        QVERIFY(big.readAll() == randomBytes(6 << 20, 7));
        QVERIFY(
            QFileInfo(snapshots.filesPath(record->layers[2].chainId) + QStringLiteral("/app/run"))
                .isExecutable());
        // Every blob fetched once: 3 layers + config.
        QCOMPARE(m_proxy->blobGets(), 4);
    }

    void pullDownloadsOnlyMissingLayers() {
        TestStore store;
        auto base = pullerFor(store).pull(viaProxy(QStringLiteral("test/base:1")), fastOptions());
        BERTH_VERIFY_OK(base);
        m_proxy->clearRequests();
        auto plan = pullerFor(store).plan(viaProxy(QStringLiteral("test/app:1")), fastOptions());
        BERTH_VERIFY_OK(plan);
        QCOMPARE(plan->layersToDownload, 2);
        QVERIFY(plan->layers[0].present && plan->layers[0].unpacked);
        QCOMPARE(plan->bytesToDownload, plan->layers[1].blob.size + plan->layers[2].blob.size);
        m_proxy->clearRequests();
        auto app = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), fastOptions());
        BERTH_VERIFY_OK(app);
        QCOMPARE(layerGets(plan->layers[0].blob), 0);
        QCOMPARE(layerGets(plan->layers[1].blob), 1);
        QCOMPARE(layerGets(plan->layers[2].blob), 1);
        QCOMPARE(m_proxy->blobGets(), 2); // config was fetched by plan() already
        QCOMPARE(app->layers[0].chainId, base->layers[0].chainId);
    }

    void droppedConnectionIsResumedWithRange() {
        TestStore store;
        const Descriptor big = appImage().layerBlobs()[1].descriptor;
        m_proxy->addRule(
            {FaultProxy::Fault::DropAfter, "GET", big.digest.toString(), 1, (2 << 20) + 123});
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), fastOptions());
        BERTH_VERIFY_OK(record);
        // Resumed from what arrived: Qt may drop what was still in the socket when the
        // connection closed (a busy machine), so the range starts at or before the cut.
        bool ranged = false;
        for (const FaultProxy::Request &r : m_proxy->requests()) {
            const qint64 start = r.range.startsWith("bytes=")
                                     ? r.range.mid(6, r.range.indexOf('-') - 6).toLongLong()
                                     : 0;
            if (r.path.contains(big.digest.toString()) && start > 0 && start <= (2 << 20) + 123 &&
                r.status == 206)
                ranged = true;
        }
        QVERIFY2(ranged, "expected a Range request resuming the dropped blob");
        QCOMPARE(layerGets(big), 2);
        QVERIFY(EngineStores(store.engine()).content().contains(big.digest));
    }

    void serverErrorsThenSuccess() {
        TestStore store;
        m_proxy->addRule({FaultProxy::Fault::Status, "GET", "/blobs/", 2});
        m_proxy->addRule(
            {FaultProxy::Fault::Status, "GET", "/manifests/", 1, 0, 0, 429, "Retry-After: 0\r\n"});
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/base:1")), fastOptions());
        BERTH_VERIFY_OK(record);
        QCOMPARE(m_proxy->count("GET", "/manifests/"), 2);
    }

    void permanentServerErrorIsClear() {
        TestStore store;
        m_proxy->addRule({FaultProxy::Fault::Status, "GET", "/blobs/", -1});
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/base:1")), fastOptions());
        QVERIFY(!record);
        QVERIFY2(record.error().message.contains(QLatin1String("HTTP 500")),
                 qPrintable(record.error().message));
        QVERIFY(record.error().message.contains(QLatin1String("pull ")));
        QCOMPARE(m_proxy->count("GET", "/blobs/"), fastOptions().registry.maxAttempts);
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void wrongBytesAreRejected() {
        TestStore store;
        const Descriptor big = appImage().layerBlobs()[1].descriptor;
        m_proxy->addRule({FaultProxy::Fault::Corrupt, "GET", big.digest.toString(), -1, 4000});
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), fastOptions());
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::Corrupt);
        QVERIFY2(record.error().message.contains(QLatin1String("digest mismatch")),
                 qPrintable(record.error().message));
        QVERIFY(!EngineStores(store.engine()).content().contains(big.digest));
        QVERIFY(!QFileInfo::exists(store.paths().ingest() + QLatin1Char('/') + big.digest.hex()));
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void stalledServerTimesOut() {
        TestStore store;
        const Descriptor big = appImage().layerBlobs()[1].descriptor;
        // 100000 bytes arrive, then nothing ever again (a stall that makes progress is resumed).
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), 1, 100000});
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), -1, 0});
        PullOptions options = fastOptions();
        options.registry.maxAttempts = 2;
        options.registry.stallTimeoutMs = 700;
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), options);
        QVERIFY(!record);
        QVERIFY2(record.error().message.contains(QLatin1String("timed out")),
                 qPrintable(record.error().message));
        // What arrived stays for the next pull to resume.
        QVERIFY(QFileInfo(store.paths().ingest() + QLatin1Char('/') + big.digest.hex() +
                          QStringLiteral("/data"))
                    .size() >= 100000);
    }

    void cancelLeavesResumableData() {
        TestStore store;
        const Descriptor big = appImage().layerBlobs()[1].descriptor;
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), 1, 300000});
        std::atomic<bool> cancel = false;
        PullOptions options = fastOptions();
        options.registry.stallTimeoutMs = 60000;
        options.cancel = &cancel;
        options.onProgress = [&](const PullProgress &p) {
            for (const PullProgress::Layer &l : p.layers)
                if (l.digest == big.digest && l.done >= 300000)
                    cancel = true;
        };
        auto record = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), options);
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::Cancelled);
        m_proxy->clearRequests();
        auto again = pullerFor(store).pull(viaProxy(QStringLiteral("test/app:1")), fastOptions());
        BERTH_VERIFY_OK(again);
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.path.contains(big.digest.toString()))
                QCOMPARE(r.range, QByteArray("bytes=300000-"));
    }

    void layerIsUnpackedWhileItDownloads() {
        TestStore store;
        const Descriptor blob = streamedImage().layerBlobs()[0].descriptor;
        // Half the layer arrives, then the registry stalls.
        m_proxy->addRule(
            {FaultProxy::Fault::Stall, "GET", blob.digest.toString(), 1, blob.size / 2});
        std::atomic<bool> cancel = false;
        PullOptions options = fastOptions();
        options.registry.stallTimeoutMs = 60000;
        options.cancel = &cancel;
        auto pulling = QtConcurrent::run(
            [&] { return pullerFor(store).pull(viaProxy("test/streamed:1"), options); });
        // The first file is on disk while the blob is still incomplete.
        auto unpackedFirst = [&] {
            const QStringList tmp =
                QDir(store.paths().snapshots()).entryList({"tmp-*"}, QDir::Dirs);
            for (const QString &dir : tmp)
                if (QFile::exists(store.paths().snapshots() + "/" + dir + "/fs/stream/first"))
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(unpackedFirst(), 60000);
        QVERIFY(!EngineStores(store.engine()).content().contains(blob.digest));
        cancel = true;
        const Result<ImageRecord> cancelled = pulling.result();
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().kind, ErrorKind::Cancelled);
        // The half-unpacked layer is gone with the cancelled pull; the blob's bytes stay.
        QVERIFY(QDir(store.paths().snapshots()).entryList({"tmp-*"}, QDir::Dirs).isEmpty());
        QCOMPARE(EngineStores(store.engine()).snapshots().list().size(), 0);

        m_proxy->clearRules();
        auto record = pullerFor(store).pull(viaProxy("test/streamed:1"), fastOptions());
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, streamedImage().id());
        QFile first(EngineStores(store.engine()).snapshots().filesPath(record->layers[0].chainId) +
                    "/stream/first");
        QVERIFY(first.open(QIODevice::ReadOnly));
        QCOMPARE(first.readAll(), QByteArray("unpacked before the download ends\n"));
        QCOMPARE(QFileInfo(
                     EngineStores(store.engine()).snapshots().filesPath(record->layers[0].chainId) +
                     "/stream/big")
                     .size(),
                 qint64(6 << 20));
    }

    void killedBerthctlPullResumes() {
        TestStore store;
        const QList<ImageFixture::Blob> blobs = appImage().layerBlobs();
        const Descriptor big = blobs[1].descriptor;
        // The big layer stalls after 1 MB; the others finish; then berthctl is killed.
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), 1, 1 << 20});
        QProcess p;
        QProcessEnvironment env = store.environment();
        env.insert(QStringLiteral("BERTH_REGISTRY_CONCURRENCY"), QStringLiteral("3"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(BERTH_BERTHCTL),
                {QStringLiteral("pull"), viaProxy(QStringLiteral("test/app:1")).toString()});
        QVERIFY(p.waitForStarted());
        const QString bigIngest =
            store.paths().ingest() + QLatin1Char('/') + big.digest.hex() + QStringLiteral("/data");
        QTRY_VERIFY_WITH_TIMEOUT(
            QFileInfo(bigIngest).size() >= (1 << 20) &&
                QFileInfo::exists(
                    EngineStores(store.engine()).content().blobPath(blobs[0].descriptor.digest)) &&
                QFileInfo::exists(
                    EngineStores(store.engine()).content().blobPath(blobs[2].descriptor.digest)),
            60000);
        p.kill();
        p.waitForFinished();
        m_proxy->clearRules();
        m_proxy->clearRequests();
        const ProcessResult r = berthctl(
            store, {QStringLiteral("pull"), viaProxy(QStringLiteral("test/app:1")).toString()});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(layerGets(blobs[0].descriptor), 0);
        QCOMPARE(layerGets(blobs[2].descriptor), 0);
        QCOMPARE(layerGets(big), 1);
        for (const FaultProxy::Request &req : m_proxy->requests())
            if (req.path.contains(big.digest.toString()))
                QCOMPARE(req.range, QByteArray("bytes=1048576-"));
        QVERIFY(r.out.contains("Already exists"));
    }

    void unknownTagIsNotFound() {
        TestStore store;
        auto record =
            pullerFor(store).pull(viaProxy(QStringLiteral("test/app:nope")), fastOptions());
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::NotFound);
    }

    void plainHttpOnlyForLoopbackOrInsecure() {
        RegistryOptions o;
        QVERIFY(isInsecureRegistry(QStringLiteral("localhost:5000"), o));
        QVERIFY(isInsecureRegistry(QStringLiteral("127.0.0.1:5000"), o));
        QVERIFY(isInsecureRegistry(QStringLiteral("[::1]:5000"), o));
        QVERIFY(!isInsecureRegistry(QStringLiteral("registry.example.com"), o));
        o.insecureRegistries = {QStringLiteral("registry.example.com:5000")};
        QVERIFY(isInsecureRegistry(QStringLiteral("registry.example.com:5000"), o));
        QCOMPARE(registryHostFor(QStringLiteral("docker.io")),
                 QStringLiteral("registry-1.docker.io"));
        RegistryClient hub(QStringLiteral("docker.io"), RegistryOptions(), nullptr);
        QCOMPARE(hub.url(QStringLiteral("library/busybox/tags/list")).toString(),
                 QStringLiteral("https://registry-1.docker.io/v2/library/busybox/tags/list"));
    }

    void challengeParsing() {
        const auto c = parseAuthChallenges(
            "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
            "scope=\"repository:library/busybox:pull\"");
        QCOMPARE(c.size(), 1);
        QCOMPARE(c[0].scheme, QByteArray("bearer"));
        QCOMPARE(c[0].params.value("realm"), QStringLiteral("https://auth.docker.io/token"));
        QCOMPARE(c[0].params.value("scope"), QStringLiteral("repository:library/busybox:pull"));
        const auto b = parseAuthChallenges("Basic realm=\"x\"");
        QCOMPARE(b.value(0).scheme, QByteArray("basic"));
        QCOMPARE(nextLink("</v2/x/tags/list?n=2&last=b>; rel=\"next\"",
                          QUrl("http://h:1/v2/x/tags/list?n=2"))
                     .toString(),
                 QStringLiteral("http://h:1/v2/x/tags/list?n=2&last=b"));
    }
};

QTEST_GUILESS_MAIN(TestRegistryPull)
#include "tst_registry_pull.moc"
