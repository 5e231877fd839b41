// SPDX-License-Identifier: GPL-3.0-or-later
// The test-image fixture writes layouts and archives that the tools people use accept.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace Berth;
using namespace Berth::Test;

class TestArchiveFixture : public QObject {
    Q_OBJECT

private:
    static ImageFixture twoLayers(ImageFixture::ManifestFormat format) {
        ImageFixture img;
        img.manifestFormat(format)
            .layer(LayerBuilder().dir("etc").file("etc/hello", "hello\n"),
                   LayerBuilder::Compression::Gzip, "COPY hello /etc/hello")
            .emptyLayerHistory("ENV A=b")
            .layer(LayerBuilder().file("etc/second", "2\n").whiteout("etc/hello"))
            .cmd({"sh"})
            .env({"A=b"});
        return img;
    }

private Q_SLOTS:
    void ociLayoutIsReadBySkopeo() {
        BERTH_REQUIRE_TOOL("skopeo");
        QTemporaryDir dir(scratchBase() + "/fixture-XXXXXX");
        const ImageFixture img = twoLayers(ImageFixture::ManifestFormat::Oci);
        QVERIFY(img.writeOciLayout(dir.path() + "/layout", "v1"));
        const auto r =
            run(findTool("skopeo"), {"inspect", "--raw", "oci:" + dir.path() + "/layout:v1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.out, img.manifestJson());
        const auto c =
            run(findTool("skopeo"), {"inspect", "--config", "oci:" + dir.path() + "/layout:v1"});
        QVERIFY2(c.exitCode == 0, qPrintable(c.describe()));
        const QJsonObject config = QJsonDocument::fromJson(c.out).object();
        QCOMPARE(config.value("rootfs").toObject().value("diff_ids").toArray().size(), 2);
        QCOMPARE(config.value("history").toArray().size(), 3);
    }

    void dockerArchiveIsReadBySkopeo() {
        BERTH_REQUIRE_TOOL("skopeo");
        QTemporaryDir dir(scratchBase() + "/fixture-XXXXXX");
        const ImageFixture img = twoLayers(ImageFixture::ManifestFormat::Docker);
        QVERIFY(img.writeDockerArchive(dir.path() + "/image.tar", {"example.com/fix:1"}));
        const auto r =
            run(findTool("skopeo"), {"inspect", "docker-archive:" + dir.path() + "/image.tar"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject o = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(o.value("Layers").toArray().size(), 2);
    }

    void installsIntoStore() {
        TestStore store;
        const ImageFixture img = twoLayers(ImageFixture::ManifestFormat::Oci);
        auto record = img.install(store, {"fix:1"});
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, img.id());
        QCOMPARE(record->layers.size(), 2);
        QCOMPARE(record->layers[0].diffId, img.diffIds()[0]);
        QVERIFY(Engine::EngineStores(store.engine()).images().resolve("fix:1").has_value());
    }
};

QTEST_GUILESS_MAIN(TestArchiveFixture)
#include "tst_archivefixture.moc"
