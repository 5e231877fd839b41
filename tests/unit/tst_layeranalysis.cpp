// SPDX-License-Identifier: GPL-3.0-or-later
// Layer analysis on hand-made layer directories with known edits; every expected number is
// computed by hand in the comments.
#include "engine/analysis/imageanalyzer.h"
#include "engine/analysis/layeranalysis.h"
#include "tests/support/testsupport.h"

#include <QTemporaryDir>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace Berth::Engine;

namespace {

enum class Form { Oci, Overlay };

QByteArray enc(const QString &s) {
    return QFile::encodeName(s);
}

bool makeDir(const QString &path, int mode = 0755) {
    return ::mkdir(enc(path).constData(), 0700) == 0 && ::chmod(enc(path).constData(), mode) == 0;
}

bool writeFile(const QString &path, qint64 size, char fill, int mode = 0644) {
    const int fd = ::open(enc(path).constData(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return false;
    const QByteArray data(size, fill);
    const bool ok = ::write(fd, data.constData(), size_t(size)) == size && ::fchmod(fd, mode) == 0;
    ::close(fd);
    return ok;
}

bool whiteout(const QString &dir, const QString &name, Form form) {
    if (form == Form::Oci)
        return writeFile(dir + "/.wh." + name, 0, 0, 0644);
    return ::mknod(enc(dir + "/" + name).constData(), S_IFCHR | 0, makedev(0, 0)) == 0;
}

bool makeOpaque(const QString &dir, Form form) {
    if (form == Form::Oci)
        return writeFile(dir + "/.wh..wh..opq", 0, 0, 0644);
    return ::setxattr(enc(dir).constData(), "trusted.overlay.opaque", "y", 1, 0) == 0;
}

Digest fakeDigest(char c) {
    return Digest::fromHex(QString(64, QLatin1Char(c)));
}

} // namespace

class TestLayerAnalysis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void ociWhiteouts();
    void overlayWhiteouts();
    void cacheRoundTrip();
    void corruptCacheIsRefused();
    void compareImagesSharingTheBase();
    void sharing();
    void emptyAndMissing();

private:
    // Builds the fixture's layers under `base` and returns their sources.
    QList<LayerSource> buildFixture(const QString &base, Form form);
    void checkFixture(const LayerAnalysis &a);

    QTemporaryDir m_dir{Berth::Test::scratchBase() + "/berth-analysis-XXXXXX"};
    QList<LayerSource> m_oci;
};

// The image (three layers):
//   L0 adds  /a (100 B), /big (1000), /d/x (10), /d/y (20), /e/f (5), /e/sub/g (7),
//            /h1 + /h2 (one 50 B inode, hardlinked), /r/q (8), /s -> a
//   L1       modifies /a (150 B), deletes /big (whiteout), adds /d/z (30),
//            replaces /h1 by a new 60 B file (the inode stays reachable through /h2)
//   L2       deletes the directory /d (whiteout), makes /e opaque re-adding /e/sub with
//            /e/sub/g2 (3), replaces the directory /r by a 4 B file
QList<LayerSource> TestLayerAnalysis::buildFixture(const QString &base, Form form) {
    ::umask(022);
    QList<LayerSource> layers;
    const QString l0 = base + "/l0", l1 = base + "/l1", l2 = base + "/l2";
    bool ok = makeDir(base) && makeDir(l0) && makeDir(l1) && makeDir(l2);
    ok = ok && writeFile(l0 + "/a", 100, 'a') && writeFile(l0 + "/big", 1000, 'b') &&
         makeDir(l0 + "/d") && writeFile(l0 + "/d/x", 10, 'x') && writeFile(l0 + "/d/y", 20, 'y') &&
         makeDir(l0 + "/e") && writeFile(l0 + "/e/f", 5, 'f') && makeDir(l0 + "/e/sub") &&
         writeFile(l0 + "/e/sub/g", 7, 'g') && writeFile(l0 + "/h1", 50, 'h') &&
         ::link(enc(l0 + "/h1").constData(), enc(l0 + "/h2").constData()) == 0 &&
         makeDir(l0 + "/r") && writeFile(l0 + "/r/q", 8, 'q') &&
         ::symlink("a", enc(l0 + "/s").constData()) == 0;
    ok = ok && writeFile(l1 + "/a", 150, 'A') && whiteout(l1, "big", form) && makeDir(l1 + "/d") &&
         writeFile(l1 + "/d/z", 30, 'z') && writeFile(l1 + "/h1", 60, 'H');
    ok = ok && whiteout(l2, "d", form) && makeDir(l2 + "/e") && makeOpaque(l2 + "/e", form) &&
         makeDir(l2 + "/e/sub") && writeFile(l2 + "/e/sub/g2", 3, 'G') &&
         writeFile(l2 + "/r", 4, 'r');
    if (!ok)
        qWarning("building the fixture failed: %s", strerror(errno));
    const char ids[] = {'0', '1', '2'};
    const qint64 blobs[] = {111, 222, 333};
    Digest parent;
    for (int i = 0; i < 3; ++i) {
        LayerSource s;
        s.directory = base + "/l" + QString::number(i);
        s.createdBy = QString("step %1").arg(i);
        s.diffId = fakeDigest(ids[i]);
        s.chainId = chainIdOf(parent, s.diffId);
        parent = s.chainId;
        s.blobSize = blobs[i];
        layers.append(s);
    }
    return layers;
}

void TestLayerAnalysis::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_oci = buildFixture(m_dir.path() + "/oci", Form::Oci);
}

static QStringList listing(const QList<FileChange> &changes) {
    QStringList out;
    for (const FileChange &c : changes)
        out.append(QString("%1 %2 %3").arg(changeKindLetter(c.kind), c.path).arg(c.size));
    return out;
}

void TestLayerAnalysis::checkFixture(const LayerAnalysis &a) {
    QCOMPARE(a.layerCount(), 3);

    // Changes per layer, in tree order. Directories appear when added or when their mode,
    // owner or opacity changes; /d in L1 and /e/sub in L2 are only listed again, no change.
    QCOMPARE(listing(a.changes(0)),
             QStringList({"A /a 100", "A /big 1000", "A /d 0", "A /d/x 10", "A /d/y 20", "A /e 0",
                          "A /e/f 5", "A /e/sub 0", "A /e/sub/g 7", "A /h1 50", "A /h2 50",
                          "A /r 0", "A /r/q 8", "A /s 0"}));
    QCOMPARE(listing(a.changes(1)),
             QStringList({"M /a 150", "D /big 1000", "A /d/z 30", "M /h1 60"}));
    // /d takes x+y+z = 60 B with it; opaque /e hides /e/f and the lower /e/sub/g (re-adding
    // /e/sub does not bring lower content back); /r becomes a file.
    QCOMPARE(listing(a.changes(2)), QStringList({"D /d 60", "M /e 0", "D /e/f 5", "D /e/sub/g 7",
                                                 "A /e/sub/g2 3", "M /r 4"}));
    const QList<FileChange> l2 = a.changes(2);
    QCOMPARE(l2[0].cause, DeletionCause::Whiteout);
    QCOMPARE(l2[0].type, FileType::Directory);
    QVERIFY(l2[1].opaque);
    QCOMPARE(l2[2].cause, DeletionCause::OpaqueDirectory);
    QCOMPARE(l2[3].cause, DeletionCause::OpaqueDirectory);
    QCOMPARE(l2[5].type, FileType::Regular);
    const QList<FileChange> l0 = a.changes(0);
    QCOMPARE(l0[13].type, FileType::Symlink);
    QCOMPARE(l0[13].linkTarget, QString("a"));
    QCOMPARE(l0[13].mode, 0777u);
    QCOMPARE(l0[0].mode, 0644u);
    QCOMPARE(l0[2].mode, 0755u);
    QCOMPARE(l0[0].uid, quint32(::getuid()));
    QCOMPARE(l0[0].gid, quint32(::getgid()));
    QVERIFY(!l0[9].hardlink);
    QVERIFY(l0[10].hardlink); // /h2 is the second path of /h1's inode

    // Layer sizes count the hardlinked inode once: L0 = 100+1000+10+20+5+7+50+8 = 1200,
    // L1 = 150+30+60 = 240, L2 = 3+4 = 7.
    const QList<LayerSummary> layers = a.layers();
    QCOMPARE(layers[0].size, 1200);
    QCOMPARE(layers[1].size, 240);
    QCOMPARE(layers[2].size, 7);
    QCOMPARE(a.imageSize(), 1447);
    QCOMPARE(layers[0].added, 14);
    QCOMPARE(layers[1].added, 1);
    QCOMPARE(layers[1].modified, 2);
    QCOMPARE(layers[1].deleted, 1);
    QCOMPARE(layers[2].added, 1);
    QCOMPARE(layers[2].modified, 2);
    QCOMPARE(layers[2].deleted, 3);
    QCOMPARE(layers[1].createdBy, QString("step 1"));
    QCOMPARE(layers[2].blobSize, 333);

    // Honest wasted bytes:
    //   L0 /a 100 (hidden by L1), L0 /big 1000 (L1)                       -> (0,1) = 1100
    //   L0 /d/x 10 + /d/y 20 (L2, parent deleted), /e/f 5 + /e/sub/g 7 (L2, opaque),
    //   /r/q 8 (L2, parent replaced)                                      -> (0,2) = 50
    //   L1 /d/z 30 (L2)                                                   -> (1,2) = 30
    //   the 50 B inode of /h1 stays reachable through /h2: not wasted.
    //   Total 1180 = 1447 stored - 267 reachable (/a 150, /e/sub/g2 3, /h1 60, /h2 50, /r 4).
    QCOMPARE(a.wastedBytes(), 1180);
    QCOMPARE(a.finalSize(), 267);
    const QList<WastedPair> pairs = a.wastedPairs();
    QCOMPARE(pairs.size(), 3);
    QCOMPARE(std::tuple(pairs[0].storedLayer, pairs[0].hiddenLayer, pairs[0].bytes),
             std::tuple(0, 1, qint64(1100)));
    QCOMPARE(std::tuple(pairs[1].storedLayer, pairs[1].hiddenLayer, pairs[1].bytes),
             std::tuple(0, 2, qint64(50)));
    QCOMPARE(std::tuple(pairs[2].storedLayer, pairs[2].hiddenLayer, pairs[2].bytes),
             std::tuple(1, 2, qint64(30)));
    QCOMPARE(layers[0].wastedStored, 1150);
    QCOMPARE(layers[1].wastedStored, 30);
    QCOMPARE(layers[2].wastedStored, 0);
    QCOMPARE(layers[0].wastedHiding, 0);
    QCOMPARE(layers[1].wastedHiding, 1100);
    QCOMPARE(layers[2].wastedHiding, 80);
    const QList<WastedCopy> top = a.wastedCopies(2);
    QCOMPARE(top.size(), 2);
    QCOMPARE(top[0].path, QString("/big"));
    QCOMPARE(top[0].bytes, 1000);
    QCOMPARE(top[1].path, QString("/a"));
    QCOMPARE(a.wastedCopies().size(), 8);

    // dive: sightings of leaf entries per path (tar sizes; /h2 is a hardlink entry, 0 B):
    //   /a 100,150  /big 1000,0 (file whiteout: 0)  /h1 50,60       <- seen twice
    //   /d/x 10  /d/y 20  /d/z 30  /e/f 5  /e/sub/g 7  /e/sub/g2 3  /h2 0  /r/q 8  /s 0  /r 4
    //   /d 60 (whiteout of a directory: the subtree x+y+z in dive's stack of L0..L1)
    //   (/d, /e, /e/sub, /r are not leaves in the layers that list them with children)
    // min sum = 100+0+50 + 10+20+30+5+7+3+0+8+0+4 + 60 = 297
    // all sum = 250+1000+110 + 10+20+30+5+7+3+0+8+0+4 + 60 = 1507
    // efficiency = 297/1507; wasted = 250+1000+110 = 1360; user size = 240+7 = 247.
    QCOMPARE(a.diveWastedBytes(), 1360);
    QVERIFY(qFuzzyCompare(a.diveEfficiency(), 297.0 / 1507.0));
    QCOMPARE(a.diveUserSize(), 247);
    QVERIFY(qFuzzyCompare(a.diveUserWastedPercent(), 1360.0 / 247.0));
    QCOMPARE(layers[0].diveSize, 1200);
    QCOMPARE(layers[1].diveSize, 240);
    QCOMPARE(layers[2].diveSize, 7);

    // Blame.
    const QList<FileChange> blameA = a.history("/a");
    QCOMPARE(blameA.size(), 2);
    QCOMPARE(std::tuple(blameA[0].layer, blameA[0].kind, blameA[0].size),
             std::tuple(0, ChangeKind::Added, qint64(100)));
    QCOMPARE(std::tuple(blameA[1].layer, blameA[1].kind, blameA[1].size),
             std::tuple(1, ChangeKind::Modified, qint64(150)));
    const QList<FileChange> blameX = a.history("/d/x");
    QCOMPARE(blameX.size(), 2);
    QCOMPARE(blameX[1].layer, 2);
    QCOMPARE(blameX[1].kind, ChangeKind::Deleted);
    QCOMPARE(blameX[1].cause, DeletionCause::AncestorDeleted);
    const QList<FileChange> blameQ = a.history("/r/q");
    QCOMPARE(blameQ.last().cause, DeletionCause::AncestorReplaced);
    const QList<FileChange> blameR = a.history("/r");
    QCOMPARE(blameR.size(), 2);
    QCOMPARE(blameR[1].type, FileType::Regular);
    QVERIFY(a.history("/nope").isEmpty());

    // Merged tree at layer 1 and 2.
    auto names = [&a](const QString &dir, int layer) {
        QStringList out;
        for (const FileNode &n : a.children(dir, layer))
            out.append(n.name);
        return out;
    };
    QCOMPARE(names("/", 0), QStringList({"a", "big", "d", "e", "h1", "h2", "r", "s"}));
    QCOMPARE(names("/", 1), QStringList({"a", "d", "e", "h1", "h2", "r", "s"}));
    QCOMPARE(names("/", 2), QStringList({"a", "e", "h1", "h2", "r", "s"}));
    QCOMPARE(names("/", LayerAnalysis::kLastLayer), names("/", 2));
    QCOMPARE(names("/d", 1), QStringList({"x", "y", "z"}));
    QVERIFY(names("/d", 2).isEmpty());
    QCOMPARE(names("/e", 1), QStringList({"f", "sub"}));
    QCOMPARE(names("/e", 2), QStringList({"sub"}));
    QCOMPARE(names("/e/sub", 1), QStringList({"g"}));
    QCOMPARE(names("/e/sub", 2), QStringList({"g2"}));
    QCOMPARE(names("/r", 1), QStringList({"q"}));
    QVERIFY(names("/r", 2).isEmpty());
    const auto a1 = a.node("/a", 1);
    QVERIFY(a1);
    QCOMPARE(a1->size, 150);
    QCOMPARE(a1->layer, 1);
    QCOMPARE(a.node("/a", 0)->size, 100);
    QCOMPARE(a.node("/d", 1)->layer, 0); // listed again in L1, but unchanged
    QVERIFY(!a.node("/d", 2));
    QCOMPARE(a.node("/r", 1)->type, FileType::Directory);
    QCOMPARE(a.node("/r", 2)->type, FileType::Regular);
    QCOMPARE(a.node("/s")->linkTarget, QString("a"));
    QCOMPARE(a.subtreeBytes(kRootPath, 1), 150 + 10 + 20 + 30 + 5 + 7 + 60 + 50 + 8);
    QCOMPARE(a.subtreeBytes(kRootPath), a.finalSize());
    QCOMPARE(a.fileCount(2), 8); // /a /e /e/sub /e/sub/g2 /h1 /h2 /r /s
}

void TestLayerAnalysis::ociWhiteouts() {
    auto a = LayerAnalysis::analyze(m_oci);
    BERTH_VERIFY_OK(a);
    checkFixture(*a);
}

void TestLayerAnalysis::overlayWhiteouts() {
    BERTH_REQUIRE_ROOT();
    const QList<LayerSource> layers = buildFixture(m_dir.path() + "/overlay", Form::Overlay);
    auto a = LayerAnalysis::analyze(layers);
    BERTH_VERIFY_OK(a);
    checkFixture(*a);
}

void TestLayerAnalysis::cacheRoundTrip() {
    auto a = LayerAnalysis::analyze(m_oci);
    BERTH_VERIFY_OK(a);
    auto b = LayerAnalysis::deserialize(a->serialize());
    BERTH_VERIFY_OK(b);
    QStringList dirs;
    for (const LayerSource &s : std::as_const(m_oci))
        dirs.append(s.directory);
    b->setLayerDirectories(dirs);
    checkFixture(*b);
    QCOMPARE(b->serialize(), a->serialize());
    QCOMPARE(b->layer(2).chainId, m_oci[2].chainId);
}

void TestLayerAnalysis::corruptCacheIsRefused() {
    auto a = LayerAnalysis::analyze(m_oci);
    BERTH_VERIFY_OK(a);
    const QByteArray bytes = a->serialize();
    QVERIFY(!LayerAnalysis::deserialize(bytes.left(bytes.size() / 2)));
    QVERIFY(!LayerAnalysis::deserialize(QByteArray("garbage")));
    QByteArray wrongVersion = bytes;
    wrongVersion[7] = char(wrongVersion[7] + 1);
    QVERIFY(!LayerAnalysis::deserialize(wrongVersion));
    // Flipping bytes in the tail (the raw rows) must be caught or harmless, never crash.
    for (qsizetype i = bytes.size() - 400; i < bytes.size(); i += 7) {
        QByteArray damaged = bytes;
        damaged[i] = char(damaged[i] ^ 0x5a);
        if (auto d = LayerAnalysis::deserialize(damaged)) {
            d->changes(0);
            d->children("/", 1);
            d->wastedCopies();
        }
    }
}

// Image B shares L0 and adds L1b: /a (150 B, other content), /b (40), /h2 (50 B, the same
// content as L0's), /s -> b.
void TestLayerAnalysis::compareImagesSharingTheBase() {
    const QString l1b = m_dir.path() + "/l1b";
    QVERIFY(makeDir(l1b));
    QVERIFY(writeFile(l1b + "/a", 150, 'B'));
    QVERIFY(writeFile(l1b + "/b", 40, 'b'));
    QVERIFY(writeFile(l1b + "/h2", 50, 'h'));
    QVERIFY(::symlink("b", enc(l1b + "/s").constData()) == 0);
    QList<LayerSource> other{m_oci[0]};
    LayerSource s;
    s.directory = l1b;
    s.diffId = fakeDigest('b');
    s.chainId = chainIdOf(m_oci[0].chainId, s.diffId);
    s.blobSize = 444;
    other.append(s);

    auto a = LayerAnalysis::analyze(m_oci);
    auto b = LayerAnalysis::analyze(other);
    BERTH_VERIFY_OK(a);
    BERTH_VERIFY_OK(b);
    const ImageComparison c = compareAnalyses(*a, *b);
    QCOMPARE(c.sharedLayers, 1);
    QCOMPARE(c.divergeIndex, 1);
    QCOMPARE(c.bytesToPullOther, 444);      // B's L1b
    QCOMPARE(c.bytesToPullBase, 222 + 333); // A's L1 and L2
    QStringList diffs;
    for (const FileDifference &d : c.differences) {
        const QString kind = d.kind == ChangeKind::Added     ? "A"
                             : d.kind == ChangeKind::Deleted ? "R"
                                                             : "C";
        diffs.append(kind + " " + d.path + (d.aspects ? " " + aspectNames(d.aspects) : QString()));
    }
    // /a: same size, different layers -> hashed, differs. /h2: same size, different layers,
    // same bytes -> no difference. /e: same mode and owner (opacity is not an attribute).
    QCOMPARE(diffs, QStringList({"C /a content", "A /b", "A /big", "A /d", "A /d/x", "A /d/y",
                                 "A /e/f", "A /e/sub/g", "R /e/sub/g2", "C /h1 size",
                                 "C /r type,size,mode", "A /r/q", "C /s link"}));

    const ImageComparison same = compareAnalyses(*a, *a);
    QCOMPARE(same.sharedLayers, 3);
    QCOMPARE(same.divergeIndex, -1);
    QVERIFY(same.differences.isEmpty());
    QCOMPARE(same.bytesToPullOther, 0);
}

void TestLayerAnalysis::sharing() {
    ImageRecord image;
    for (const LayerSource &s : std::as_const(m_oci))
        image.layers.append(LayerRecord{s.diffId, s.chainId, {}});
    QHash<QString, int> uses{{m_oci[0].chainId.toString(), 2}, {m_oci[1].chainId.toString(), 1}};
    const LayerSharing s = layerSharing(image, uses, {1000, 200, 30});
    QCOMPARE(s.sharedBytes, 1000);
    QCOMPARE(s.uniqueBytes, 230);
    QCOMPARE(s.useCounts, QList<int>({2, 1, 1}));
}

void TestLayerAnalysis::emptyAndMissing() {
    auto none = LayerAnalysis::analyze({});
    BERTH_VERIFY_OK(none);
    QCOMPARE(none->layerCount(), 0);
    QCOMPARE(none->diveEfficiency(), 1.0);
    QVERIFY(none->children("/").isEmpty());
    LayerSource missing;
    missing.directory = m_dir.path() + "/does-not-exist";
    auto failed = LayerAnalysis::analyze({missing});
    QVERIFY(!failed);
    QCOMPARE(failed.error().kind, ErrorKind::NotFound);
    const LayerAnalysis empty;
    QCOMPARE(empty.find("/x"), kNoPath);
    QVERIFY(!empty.node("/x"));
}

QTEST_GUILESS_MAIN(TestLayerAnalysis)
#include "tst_layeranalysis.moc"
