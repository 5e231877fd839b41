// SPDX-License-Identifier: GPL-3.0-or-later
// `berthctl analyze` on real images installed in a store: the edits of tst_layeranalysis as
// layer tarballs, so unpacking (whiteouts in the store's form), the analysis, its cache and the
// command line are tested together. Expected numbers are derived in tst_layeranalysis.cpp.
#include "engine/analysis/imageanalyzer.h"
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestAnalyze : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void summaryJson();
    void cacheIsUsed();
    void layerAndPath();
    void ci_data();
    void ci();
    void compare();

private:
    QJsonObject runJson(const QStringList &args);

    TestStore m_store;
    ImageRecord m_image;
    ImageRecord m_other;
    qint64 m_otherTopBlob = 0;
    qint64 m_topBlobs = 0;
};

static LayerBuilder base() {
    LayerBuilder l0;
    l0.file("a", QByteArray(100, 'a'))
        .file("big", QByteArray(1000, 'b'))
        .dir("d")
        .file("d/x", QByteArray(10, 'x'))
        .file("d/y", QByteArray(20, 'y'))
        .dir("e")
        .file("e/f", QByteArray(5, 'f'))
        .dir("e/sub")
        .file("e/sub/g", QByteArray(7, 'g'))
        .file("h1", QByteArray(50, 'h'))
        .hardlink("h2", "h1")
        .dir("r")
        .file("r/q", QByteArray(8, 'q'))
        .symlink("s", "a");
    return l0;
}

void TestAnalyze::initTestCase() {
    ImageFixture img;
    img.layer(base(), LayerBuilder::Compression::Gzip, "ADD base /")
        .emptyLayerHistory("ENV X=1")
        .layer(LayerBuilder()
                   .file("a", QByteArray(150, 'A'))
                   .whiteout("big")
                   .dir("d")
                   .file("d/z", QByteArray(30, 'z'))
                   .file("h1", QByteArray(60, 'H')),
               LayerBuilder::Compression::Gzip, "RUN edit")
        .layer(LayerBuilder()
                   .whiteout("d")
                   .dir("e")
                   .opaque("e")
                   .dir("e/sub")
                   .file("e/sub/g2", QByteArray(3, 'G'))
                   .file("r", QByteArray(4, 'r')),
               LayerBuilder::Compression::Gzip, "RUN cleanup");
    auto installed = img.install(m_store, {"fixture:1"});
    BERTH_VERIFY_OK(installed);
    m_image = *installed;
    const auto blobs = img.layerBlobs();
    m_topBlobs = blobs[1].descriptor.size + blobs[2].descriptor.size;

    ImageFixture other;
    other.layer(base(), LayerBuilder::Compression::Gzip, "ADD base /")
        .layer(LayerBuilder()
                   .file("a", QByteArray(150, 'B'))
                   .file("b", QByteArray(40, 'b'))
                   .file("h2", QByteArray(50, 'h'))
                   .symlink("s", "b"),
               LayerBuilder::Compression::Gzip, "RUN other");
    auto otherInstalled = other.install(m_store, {"other:1"});
    BERTH_VERIFY_OK(otherInstalled);
    m_other = *otherInstalled;
    m_otherTopBlob = other.layerBlobs()[1].descriptor.size;
}

QJsonObject TestAnalyze::runJson(const QStringList &args) {
    const ProcessResult r = berthctl(m_store, QStringList{"analyze"} + args);
    if (r.exitCode != 0)
        qWarning("%s", qPrintable(r.describe()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(r.out, &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(r.describe()));
    return doc.object();
}

void TestAnalyze::summaryJson() {
    const QJsonObject o = runJson({"fixture:1", "--json"});
    QCOMPARE(o["image"].toString(), m_image.id.toString());
    const QJsonArray layers = o["layers"].toArray();
    QCOMPARE(layers.size(), 3);
    QCOMPARE(layers[0]["createdBy"].toString(), QString("ADD base /"));
    QCOMPARE(layers[1]["createdBy"].toString(), QString("RUN edit")); // ENV X=1 is skipped
    QCOMPARE(layers[2]["createdBy"].toString(), QString("RUN cleanup"));
    QCOMPARE(layers[0]["size"].toInteger(), 1200);
    QCOMPARE(layers[1]["size"].toInteger(), 240);
    QCOMPARE(layers[2]["size"].toInteger(), 7);
    QCOMPARE(layers[0]["wasted"].toInteger(), 1150);
    QCOMPARE(layers[1]["wasted"].toInteger(), 30);
    QCOMPARE(layers[2]["wasted"].toInteger(), 0);
    QCOMPARE(layers[1]["wastedHiding"].toInteger(), 1100);
    QCOMPARE(layers[2]["wastedHiding"].toInteger(), 80);
    QCOMPARE(layers[0]["added"].toInt(), 14);
    QCOMPARE(layers[2]["deleted"].toInt(), 3);
    QCOMPARE(layers[2]["blobSize"].toInteger(), m_image.layers[2].blob.size);
    QCOMPARE(o["imageSize"].toInteger(), 1447);
    QCOMPARE(o["finalSize"].toInteger(), 267);
    QCOMPARE(o["wastedBytes"].toInteger(), 1180);
    const QJsonObject dive = o["dive"].toObject();
    QCOMPARE(dive["wastedBytes"].toInteger(), 1360);
    QVERIFY(qFuzzyCompare(dive["efficiency"].toDouble(), 297.0 / 1507.0));
    QCOMPARE(dive["userSize"].toInteger(), 247);
    const QJsonArray top = o["topWasted"].toArray();
    QCOMPARE(top[0]["path"].toString(), QString("/big"));
    QCOMPARE(top[0]["bytes"].toInteger(), 1000);
    // L0 is used by both images: shared; L1 and L2 only by this one.
    QVERIFY(o["sharedBytes"].toInteger() > 0);
    QVERIFY(o["uniqueBytes"].toInteger() > 0);

    // The table form names the same figures.
    const ProcessResult table = berthctl(m_store, {"analyze", "fixture:1"});
    QVERIFY2(table.exitCode == 0, qPrintable(table.describe()));
    QVERIFY(table.out.contains("RUN cleanup"));
    QVERIFY(table.out.contains("1180 bytes"));
    QVERIFY(table.out.contains("/big"));
}

void TestAnalyze::cacheIsUsed() {
    ImageAnalyzer analyzer(m_store.paths(), EngineStores(m_store.engine()).images(),
                           EngineStores(m_store.engine()).snapshots());
    const QString cache = analyzer.cachePath(m_image.id);
    QFile::remove(cache);
    const QJsonObject first = runJson({"fixture:1", "--json"});
    QVERIFY(QFileInfo::exists(cache));
    QVERIFY(cache.startsWith(m_store.root() + "/cache/analysis/"));
    const QDateTime written = QFileInfo(cache).lastModified();

    // Images are immutable, so the cache is trusted: a file slipped into a layer directory
    // behind the store's back stays invisible until the cache goes.
    const QString intruder =
        EngineStores(m_store.engine()).snapshots().filesPath(m_image.layers[2].chainId) +
        "/intruder";
    QFile f(intruder);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(5000, 'i'));
    f.close();
    const QJsonObject second = runJson({"fixture:1", "--json"});
    QCOMPARE(second, first);
    QCOMPARE(QFileInfo(cache).lastModified(), written);

    QFile::remove(cache);
    const QJsonObject third = runJson({"fixture:1", "--json"});
    QCOMPARE(third["imageSize"].toInteger(), 1447 + 5000);
    QVERIFY(QFile::remove(intruder));
    QFile::remove(cache);
    QCOMPARE(runJson({"fixture:1", "--json"}), first);

    // A damaged cache is recomputed, not trusted.
    QFile c(cache);
    QVERIFY(c.open(QIODevice::ReadWrite));
    c.resize(c.size() / 2);
    c.close();
    QCOMPARE(runJson({"fixture:1", "--json"}), first);
}

void TestAnalyze::layerAndPath() {
    const QJsonObject l2 = runJson({"fixture:1", "--layer", "2", "--json"});
    QStringList changes;
    for (const QJsonValue &v : l2["changes"].toArray())
        changes.append(v["change"].toString() + " " + v["path"].toString() + " " +
                       QString::number(v["size"].toInteger()));
    QCOMPARE(changes, QStringList({"D /d 60", "M /e 0", "D /e/f 5", "D /e/sub/g 7", "A /e/sub/g2 3",
                                   "M /r 4"}));
    const QJsonObject a = runJson({"fixture:1", "--path", "/a", "--json"});
    const QJsonArray history = a["history"].toArray();
    QCOMPARE(history.size(), 2);
    QCOMPARE(history[0]["change"].toString(), QString("A"));
    QCOMPARE(history[1]["layer"].toInt(), 1);
    QCOMPARE(history[1]["size"].toInteger(), 150);

    const ProcessResult text = berthctl(m_store, {"analyze", "fixture:1", "--layer", "1"});
    QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
    QVERIFY(text.out.contains("D "));
    QVERIFY(text.out.contains("/big"));
    QCOMPARE(berthctl(m_store, {"analyze", "fixture:1", "--layer", "7"}).exitCode, 125);
}

void TestAnalyze::ci_data() {
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("expected");
    // efficiency 297/1507 = 0.197; dive wasted 1360 B; user wasted 1360/247 = 5.5.
    QTest::newRow("defaults") << QStringList{} << 1 << "FAIL: lowestEfficiency";
    QTest::newRow("all under") << QStringList{"--lowest-efficiency",           "0.1",
                                              "--highest-wasted-bytes",        "2kB",
                                              "--highest-user-wasted-percent", "off"}
                               << 0 << "Result:PASS";
    QTest::newRow("wasted over") << QStringList{"--lowest-efficiency",           "0.1",
                                                "--highest-wasted-bytes",        "1KB",
                                                "--highest-user-wasted-percent", "disabled"}
                                 << 1 << "FAIL: highestWastedBytes";
    QTest::newRow("wasted exact") << QStringList{"--lowest-efficiency",           "0.1",
                                                 "--highest-wasted-bytes",        "1360",
                                                 "--highest-user-wasted-percent", "disabled"}
                                  << 0 << "PASS: highestWastedBytes";
    QTest::newRow("user percent") << QStringList{"--lowest-efficiency", "0.1"} << 1
                                  << "FAIL: highestUserWastedPercent";
    QTest::newRow("bad value") << QStringList{"--lowest-efficiency", "2"} << 125 << "";
}

void TestAnalyze::ci() {
    QFETCH(QStringList, options);
    QFETCH(int, exitCode);
    QFETCH(QString, expected);
    const ProcessResult r =
        berthctl(m_store, QStringList{"analyze", "fixture:1", "--ci"} + options);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.out).contains(expected), qPrintable(r.describe()));
}

void TestAnalyze::compare() {
    const QJsonObject c = runJson({"fixture:1", "--compare", "other:1", "--json"});
    QCOMPARE(c["sharedLayers"].toInt(), 1);
    QCOMPARE(c["divergeIndex"].toInt(), 1);
    QCOMPARE(c["bytesToPullOther"].toInteger(), m_otherTopBlob);
    QCOMPARE(c["bytesToPullBase"].toInteger(), m_topBlobs);
    QStringList diffs;
    for (const QJsonValue &v : c["differences"].toArray()) {
        QStringList aspects;
        for (const QJsonValue &a : v["aspects"].toArray())
            aspects.append(a.toString());
        diffs.append(v["change"].toString() + " " + v["path"].toString() +
                     (aspects.isEmpty() ? QString() : " " + aspects.join(",")));
    }
    QCOMPARE(diffs, QStringList({"C /a content", "A /b", "A /big", "A /d", "A /d/x", "A /d/y",
                                 "A /e/f", "A /e/sub/g", "D /e/sub/g2", "C /h1 size",
                                 "C /r type,size,mode", "A /r/q", "C /s link"}));
}

QTEST_GUILESS_MAIN(TestAnalyze)
#include "tst_analyze.moc"
