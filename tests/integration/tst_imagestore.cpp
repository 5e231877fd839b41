// SPDX-License-Identifier: GPL-3.0-or-later
// Images are immutable stacks of shared layers: a base layer used by two images is stored
// once, removing one image keeps the other intact, rmi/prune follow Docker's rules, and
// `system check` notices a damaged store.
#include "engine/core/filelock.h"
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {
ImageFixture baseImage() {
    ImageFixture img;
    img.layer(LayerBuilder()
                  .dir("etc")
                  .file("etc/os-release", "ID=berth-test\n")
                  .dir("bin")
                  .file("bin/tool", QByteArray(50000, 't'), 0755),
              LayerBuilder::Compression::Gzip, "ADD rootfs /");
    return img;
}

ImageFixture childImage(const QString &name, const QByteArray &content) {
    ImageFixture img = baseImage();
    img.layer(LayerBuilder().dir("app").file("app/" + name, content),
              LayerBuilder::Compression::Gzip, "COPY " + name + " /app/")
        .cmd({"/bin/tool"});
    return img;
}

int snapshotDirs(const TestStore &store) {
    return int(QDir(store.paths().snapshots()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
}
} // namespace

class TestImageStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sharedBaseIsStoredOnce();
    void rmiFollowsDockerRules();
    void pruneRemovesDanglingImages();
    void garbageCollectionWaitsForWriters();
    void checkFindsDamage();
    void imagesListing();
};

void TestImageStore::sharedBaseIsStoredOnce() {
    TestStore store;
    auto a = childImage("a.txt", "alpha").install(store, {"app-a:1"});
    BERTH_VERIFY_OK(a);
    auto b = childImage("b.txt", "beta").install(store, {"app-b:1"});
    BERTH_VERIFY_OK(b);
    QCOMPARE(a->layers.first().chainId, b->layers.first().chainId);
    QVERIFY(a->layers.last().chainId != b->layers.last().chainId);
    QCOMPARE(snapshotDirs(store), 3); // base + a's layer + b's layer
    QCOMPARE(EngineStores(store.engine())
                 .images()
                 .chainIdUseCounts()
                 .value(a->layers.first().chainId.toString()),
             2);

    // Removing a keeps b whole, and frees only a's own layer.
    const ProcessResult rmi = berthctl(store, {"rmi", "app-a:1"});
    QVERIFY2(rmi.exitCode == 0, qPrintable(rmi.describe()));
    QVERIFY(rmi.out.contains("Untagged: app-a:1"));
    QVERIFY(rmi.out.contains("Deleted: " + a->id.toString().toUtf8()));
    QCOMPARE(snapshotDirs(store), 2);
    QVERIFY(EngineStores(store.engine()).snapshots().exists(b->layers.first().chainId));
    QVERIFY(EngineStores(store.engine()).snapshots().exists(b->layers.last().chainId));
    QVERIFY(!EngineStores(store.engine()).snapshots().exists(a->layers.last().chainId));
    QVERIFY(!EngineStores(store.engine()).content().contains(a->id));
    QVERIFY(EngineStores(store.engine()).content().contains(b->id));
    QVERIFY(
        QFile::exists(EngineStores(store.engine()).snapshots().filesPath(b->layers.last().chainId) +
                      "/app/b.txt"));
    const ProcessResult check = berthctl(store, {"system", "check"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    QVERIFY2(!check.out.contains("note:"), qPrintable(check.describe()));

    // Removing the last user frees the base too.
    QCOMPARE(berthctl(store, {"rmi", "app-b:1"}).exitCode, 0);
    QCOMPARE(snapshotDirs(store), 0);
    QVERIFY(EngineStores(store.engine()).content().list().isEmpty());
}

void TestImageStore::rmiFollowsDockerRules() {
    TestStore store;
    auto img = baseImage().install(store, {"one:1", "two:2"});
    BERTH_VERIFY_OK(img);
    // By ID with two names: refused without -f.
    ProcessResult r = berthctl(store, {"rmi", img->id.shortId()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("must be forced") && r.err.contains("multiple repositories"),
             qPrintable(r.describe()));
    // By one name: only untags.
    r = berthctl(store, {"rmi", "one:1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Untagged: one:1"));
    QVERIFY(!r.out.contains("Deleted"));
    QVERIFY(EngineStores(store.engine()).images().resolve("two:2").has_value());
    // Unknown image: a clear error.
    r = berthctl(store, {"rmi", "nope"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("no such image: nope:latest"), qPrintable(r.describe()));
    // Tag, then force-remove by ID.
    QCOMPARE(berthctl(store, {"tag", "two:2", "three"}).exitCode, 0);
    QVERIFY(EngineStores(store.engine()).images().resolve("three:latest").has_value());
    r = berthctl(store, {"rmi", "-f", img->id.toString()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Untagged: two:2") && r.out.contains("Untagged: three:latest"));
    QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
}

void TestImageStore::pruneRemovesDanglingImages() {
    TestStore store;
    auto kept = childImage("k", "keep").install(store, {"kept:1"});
    BERTH_VERIFY_OK(kept);
    auto dangling = childImage("d", "dangle").install(store, {});
    BERTH_VERIFY_OK(dangling);
    // Dry run names exactly what would go, and removes nothing.
    ProcessResult r = berthctl(store, {"image", "prune", "--dry-run"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Would delete image: " + dangling->id.toString().toUtf8()));
    QVERIFY(r.out.contains("Would delete layer: " +
                           dangling->layers.last().chainId.toString().toUtf8()));
    QVERIFY(!r.out.contains(kept->layers.first().chainId.toString().toUtf8()));
    QCOMPARE(EngineStores(store.engine()).images().list().size(), 2);
    r = berthctl(store, {"system", "prune"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(EngineStores(store.engine()).images().list().size(), 1);
    QVERIFY(EngineStores(store.engine()).snapshots().exists(kept->layers.first().chainId));
    QVERIFY(!EngineStores(store.engine()).snapshots().exists(dangling->layers.last().chainId));
    r = berthctl(store, {"system", "prune", "-a"});
    QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    QCOMPARE(snapshotDirs(store), 0);
}

void TestImageStore::garbageCollectionWaitsForWriters() {
    TestStore store;
    auto img = childImage("x", "x").install(store, {"x:1"});
    BERTH_VERIFY_OK(img);
    {
        // Another process (here: this one) is adding content: rmi forgets the image at once
        // but leaves its files for the next collection.
        auto writing = FileLock::acquire(store.paths().lockFile(), FileLock::Mode::Shared);
        BERTH_VERIFY_OK(writing);
        const ProcessResult r = berthctl(store, {"rmi", "x:1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
        QCOMPARE(snapshotDirs(store), 2);
        const ProcessResult check = berthctl(store, {"system", "check"});
        QCOMPARE(check.exitCode, 0);
        QVERIFY(check.out.contains("note: unused layer"));
    }
    const ProcessResult prune = berthctl(store, {"system", "prune"});
    QVERIFY2(prune.exitCode == 0, qPrintable(prune.describe()));
    QCOMPARE(snapshotDirs(store), 0);
    QVERIFY(EngineStores(store.engine()).content().list().isEmpty());
}

void TestImageStore::checkFindsDamage() {
    TestStore store;
    auto img = childImage("x", "x").install(store, {"x:1"});
    BERTH_VERIFY_OK(img);
    QCOMPARE(berthctl(store, {"system", "check"}).exitCode, 0);
    QVERIFY(QFile::remove(
        EngineStores(store.engine()).content().blobPath(img->layers.last().blob.digest)));
    const ProcessResult r = berthctl(store, {"system", "check"});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("PROBLEM: image docker.io/library/x:1: layer 2: blob " +
                            img->layers.last().blob.digest.toString().toUtf8() + " is missing"),
             qPrintable(r.describe()));
}

void TestImageStore::imagesListing() {
    TestStore store;
    auto img = childImage("x", "x").install(store, {"x:1", "localhost:5000/team/x:2"});
    BERTH_VERIFY_OK(img);
    ProcessResult r = berthctl(store, {"images"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QStringList lines = QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines[0].startsWith("REPOSITORY"));
    QVERIFY(r.out.contains("localhost:5000/team/x"));
    QVERIFY(QRegularExpression("\\nx\\s+1\\s+" + img->id.shortId())
                .match(QString::fromUtf8(r.out))
                .hasMatch());
    r = berthctl(store, {"images", "--format", "json", "x"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject o = QJsonDocument::fromJson(r.out.trimmed()).object();
    QCOMPARE(o.value("Repository").toString(), QString("x"));
    QCOMPARE(o.value("ID").toString(), img->id.shortId());
    QCOMPARE(o.value("SizeBytes").toInteger(), img->size);
    r = berthctl(store, {"images", "-q"});
    QCOMPARE(r.out.trimmed(), img->id.shortId().toUtf8());
    r = berthctl(store, {"history", "x:1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("COPY x /app/"));
    QVERIFY(r.out.contains("ADD rootfs /"));
    r = berthctl(store, {"inspect", "x:1"});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject inspected = QJsonDocument::fromJson(r.out).array().first().toObject();
    QCOMPARE(inspected.value("Id").toString(), img->id.toString());
    QCOMPARE(inspected.value("RootFS").toObject().value("Layers").toArray().size(), 2);
    QCOMPARE(inspected.value("Config").toObject().value("Cmd").toArray().first().toString(),
             QString("/bin/tool"));
}

QTEST_GUILESS_MAIN(TestImageStore)
#include "tst_imagestore.moc"
