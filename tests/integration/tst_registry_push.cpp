// SPDX-License-Identifier: GPL-3.0-or-later
// Push to Debian's docker-registry: skopeo reads what Berth pushed, a second push sends no
// blob, a retagged image is mounted, chunked uploads, deterministic gzip; tags and catalog.
#include "engine/enginestores.h"
#include "engine/images/mediatypes.h"
#include "engine/registry/browse.h"
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

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

// Uncompressed layers, as images from `load` or `import` have them.
ImageFixture loadedImage() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/hello", "hello\n"),
              LayerBuilder::Compression::None);
    img.layer(LayerBuilder().dir("data").file("data/blob", randomBytes(300000, 3)),
              LayerBuilder::Compression::None);
    img.cmd({"sh"});
    return img;
}

PushOptions fastPush() {
    PushOptions o;
    o.registry.initialBackoffMs = 50;
    o.credentials = Credentials{};
    return o;
}

Pusher pusherFor(TestStore &store) {
    Engine::Engine &e = store.engine();
    return Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images(), &e.events());
}

QJsonObject readJson(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestRegistryPush : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;
    TestStore m_store; // holds loadedImage() as "<proxy>/berth/app:1"
    Digest m_firstPushDigest;

    QString proxied(const QString &repoTag) const {
        return m_proxy->address() + QLatin1Char('/') + repoTag;
    }
    int uploads() const {
        return m_proxy->count("PUT", "/blobs/uploads/") +
               m_proxy->count("PATCH", "/blobs/uploads/");
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        BERTH_REQUIRE_TOOL("skopeo");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        BERTH_VERIFY_OK(loadedImage().install(m_store, {proxied("berth/app:1")}));
    }

    void init() { m_proxy->clearRequests(); }

    void pushedImageIsReadBySkopeo() {
        const ImageFixture img = loadedImage();
        auto result = pusherFor(m_store).push(
            proxied("berth/app:1"), *Reference::parse(proxied("berth/app:1")), fastPush());
        BERTH_VERIFY_OK(result);
        QCOMPARE(result->uploaded, 3); // two layers + config
        m_firstPushDigest = result->manifestDigest;

        QTemporaryDir dir(scratchBase() + QStringLiteral("/berth-skopeo-XXXXXX"));
        const ProcessResult r =
            run(findTool(QStringLiteral("skopeo")),
                {QStringLiteral("copy"), QStringLiteral("--src-tls-verify=false"),
                 QStringLiteral("docker://%1/berth/app:1").arg(m_registry.address()),
                 QStringLiteral("oci:%1:x").arg(dir.path())});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject index = readJson(dir.path() + QStringLiteral("/index.json"));
        const QString manifestDigest =
            index.value("manifests").toArray().first().toObject().value("digest").toString();
        const QJsonObject manifest =
            readJson(dir.path() + QStringLiteral("/blobs/sha256/") + manifestDigest.mid(7));
        const QJsonArray layers = manifest.value("layers").toArray();
        QCOMPARE(layers.size(), 2);
        for (const QJsonValue &l : layers)
            QCOMPARE(l.toObject().value("mediaType").toString(), MediaType::OciLayerGzip);
        const QString configDigest = manifest.value("config").toObject().value("digest").toString();
        QCOMPARE(configDigest, img.id().toString());
        const QJsonObject config =
            readJson(dir.path() + QStringLiteral("/blobs/sha256/") + configDigest.mid(7));
        QStringList diffIds;
        for (const QJsonValue &d : config.value("rootfs").toObject().value("diff_ids").toArray())
            diffIds.append(d.toString());
        QStringList expected;
        for (const Digest &d : img.diffIds())
            expected.append(d.toString());
        QCOMPARE(diffIds, expected);
        // The gzip layers decompress to the original tars.
        for (int i = 0; i < layers.size(); ++i) {
            QFile blob(dir.path() + QStringLiteral("/blobs/sha256/") +
                       layers[i].toObject().value("digest").toString().mid(7));
            QVERIFY(blob.open(QIODevice::ReadOnly));
            QCOMPARE(Digest::ofData(decompressBytes(blob.readAll())), img.diffIds()[i]);
        }

        // And Berth pulls it back into another store with the same image ID and files.
        TestStore other;
        Engine::Engine &e = other.engine();
        PullOptions pullOptions;
        pullOptions.credentials = Credentials{};
        auto pulled = Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                             EngineStores(e).images())
                          .pull(*Reference::parse(proxied("berth/app:1")), pullOptions);
        BERTH_VERIFY_OK(pulled);
        QCOMPARE(pulled->id, img.id());
        QFile hello(EngineStores(e).snapshots().filesPath(pulled->layers[0].chainId) +
                    QStringLiteral("/etc/hello"));
        QVERIFY(hello.open(QIODevice::ReadOnly));
        QCOMPARE(hello.readAll(), QByteArray("hello\n"));
    }

    void secondPushSendsNothing() {
        auto result = pusherFor(m_store).push(
            proxied("berth/app:1"), *Reference::parse(proxied("berth/app:1")), fastPush());
        BERTH_VERIFY_OK(result);
        QCOMPARE(result->uploaded, 0);
        QCOMPARE(result->existing, 3);
        QCOMPARE(m_proxy->count("POST", "/blobs/uploads/"), 0);
        QCOMPARE(uploads(), 0);
        QCOMPARE(result->manifestDigest, m_firstPushDigest);
    }

    void retaggedImageIsMountedNotUploaded() {
        Engine::Engine &e = m_store.engine();
        auto image = EngineStores(e).images().resolve(proxied("berth/app:1"));
        BERTH_VERIFY_OK(image);
        BERTH_VERIFY_OK(
            EngineStores(e).images().tag(image->id, *Reference::parse(proxied("other/copy:2"))));
        auto result = pusherFor(m_store).push(
            proxied("other/copy:2"), *Reference::parse(proxied("other/copy:2")), fastPush());
        BERTH_VERIFY_OK(result);
        QCOMPARE(result->uploaded, 0);
        QCOMPARE(result->mounted, 3);
        QCOMPARE(m_proxy->count("POST", "mount="), 3);
        QCOMPARE(uploads(), 0);
    }

    void chunkedUploadFromAnotherStoreGivesTheSameDigest() {
        TestStore fresh;
        BERTH_VERIFY_OK(loadedImage().install(fresh, {proxied("chunked/app:1")}));
        PushOptions options = fastPush();
        options.registry.chunkSize = 65536;
        auto result = pusherFor(fresh).push(proxied("chunked/app:1"),
                                            *Reference::parse(proxied("chunked/app:1")), options);
        BERTH_VERIFY_OK(result);
        QCOMPARE(result->uploaded, 3);
        QVERIFY(m_proxy->count("PATCH", "/blobs/uploads/") > 4);
        // Deterministic gzip: an independent store produced the very same manifest.
        QCOMPARE(result->manifestDigest, m_firstPushDigest);
        // A repeated push of the same store needs no compression and no upload.
        m_proxy->clearRequests();
        auto again = pusherFor(fresh).push(proxied("chunked/app:1"),
                                           *Reference::parse(proxied("chunked/app:1")), options);
        BERTH_VERIFY_OK(again);
        QCOMPARE(uploads(), 0);
    }

    void pushOfUnknownImageFails() {
        auto result = pusherFor(m_store).push(proxied("nope/x:1"),
                                              *Reference::parse(proxied("nope/x:1")), fastPush());
        QVERIFY(!result);
        QCOMPARE(result.error().kind, ErrorKind::NotFound);
    }

    void tagsArePaginated() {
        Engine::Engine &e = m_store.engine();
        auto image = EngineStores(e).images().resolve(proxied("berth/app:1"));
        BERTH_VERIFY_OK(image);
        for (const char *t : {"t1", "t2", "t3", "t4", "t5"}) {
            const Reference ref = *Reference::parse(proxied("paged/repo:") + t);
            BERTH_VERIFY_OK(EngineStores(e).images().tag(image->id, ref));
            BERTH_VERIFY_OK(pusherFor(m_store).push(ref.toString(), ref, fastPush()));
        }
        m_proxy->clearRequests();
        auto tags = listTags(*Reference::parseRepository(proxied("paged/repo")), RegistryOptions(),
                             Credentials{}, 2);
        BERTH_VERIFY_OK(tags);
        QStringList sorted = *tags; // distribution 2.8 does not sort across pages
        sorted.sort();
        QCOMPARE(sorted.join(","), QStringLiteral("t1,t2,t3,t4,t5"));
        // distribution 2.8 ignores "n" for tags (one page); its catalog pages below.
        QCOMPARE(m_proxy->count("GET", "/tags/list"), 1);

        const ProcessResult r =
            berthctl(m_store, {"tags", "--page-size", "2", proxied("paged/repo")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QStringList printed = QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts);
        printed.sort();
        QCOMPARE(printed.join(","), QStringLiteral("t1,t2,t3,t4,t5"));

        m_proxy->clearRequests();
        auto catalog = listCatalog(m_proxy->address(), RegistryOptions(), Credentials{}, 1);
        BERTH_VERIFY_OK(catalog);
        // One repository per page, followed through the Link headers.
        QCOMPARE(m_proxy->count("GET", "/_catalog"), catalog->size());
        QVERIFY(catalog->contains("paged/repo"));
        QVERIFY(catalog->contains("berth/app"));
        const ProcessResult s = berthctl(m_store, {"search", m_proxy->address(), "paged"});
        QVERIFY2(s.exitCode == 0, qPrintable(s.describe()));
        QCOMPARE(s.out, (proxied("paged/repo") + "\n").toUtf8());
    }

    void berthctlPushAndPull() {
        const ProcessResult r = berthctl(m_store, {"push", proxied("berth/app:1")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains("digest: " + m_firstPushDigest.toString().toUtf8()),
                 r.out.constData());
        TestStore other;
        const ProcessResult p = berthctl(other, {"pull", proxied("other/copy:2")});
        QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));
        QVERIFY(EngineStores(other.engine()).images().resolve(proxied("other/copy:2")).has_value());
    }
};

QTEST_GUILESS_MAIN(TestRegistryPush)
#include "tst_registry_push.moc"
