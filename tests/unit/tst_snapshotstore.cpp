// SPDX-License-Identifier: GPL-3.0-or-later
// The snapshot store: layers unpacked once per chain ID, verified against their diffID, and
// nothing left behind by a failed unpack.
#include "engine/enginestores.h"
#include "engine/snapshots/snapshotstore.h"
#include "engine/snapshots/whiteouts.h"
#include "tests/support/layerbuilder.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <sys/stat.h>

using namespace Berth::Engine;
using Berth::Test::LayerBuilder;
using Compression = Berth::Test::LayerBuilder::Compression;

class TestSnapshotStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unpacksLayer();
    void stacksOnParent();
    void sameLayerUnpackedOnce();
    void diffIdMismatchLeavesNothing();
    void failedUnpackLeavesNoTemporary();
    void removeDeletesDirectoryAndRow();
    void whiteoutFormFollowsPrivileges();

private:
    QString writeBlob(Berth::Test::TestStore &store, const LayerBuilder &layer,
                      Compression compression = Compression::Gzip);
    static QStringList snapshotDirEntries(Berth::Test::TestStore &store) {
        return QDir(store.paths().snapshots())
            .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
    }
    int m_counter = 0;
};

QString TestSnapshotStore::writeBlob(Berth::Test::TestStore &store, const LayerBuilder &layer,
                                     Compression compression) {
    const QString dir = store.root() + QStringLiteral("/test-blobs");
    QDir().mkpath(dir);
    const QString path = dir + QStringLiteral("/layer-%1").arg(++m_counter);
    if (!layer.writeTo(path, compression))
        qFatal("cannot write test layer");
    return path;
}

void TestSnapshotStore::unpacksLayer() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder layer;
    layer.dir("etc").file("etc/os-release", "ID=berth\n").symlink("bin", "usr/bin");
    const QByteArray plain = layer.build();
    auto info = snaps.unpack(writeBlob(store, layer), Digest(), Digest());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
    QCOMPARE(info->diffId, Digest::ofData(plain));
    QCOMPARE(info->chainId, info->diffId); // a base layer's chain ID is its diffID
    QVERIFY(!info->parent.isValid());
    QVERIFY(info->size > 0);
    QVERIFY(snaps.exists(info->chainId));
    QFile f(snaps.filesPath(info->chainId) + QStringLiteral("/etc/os-release"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray("ID=berth\n"));
    auto again = snaps.info(info->chainId);
    QVERIFY(again);
    QCOMPARE(again->diffId, info->diffId);
    QCOMPARE(again->size, info->size);
    QCOMPARE(snaps.list().size(), 1);
    QCOMPARE(snapshotDirEntries(store), QStringList{info->chainId.hex()});
}

void TestSnapshotStore::stacksOnParent() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder base;
    base.file("a", "a");
    LayerBuilder top;
    top.file("b", "b");
    auto lower = snaps.unpack(writeBlob(store, base), Digest(), Digest());
    QVERIFY2(lower, qPrintable(lower ? QString() : lower.error().message));
    auto upper = snaps.unpack(writeBlob(store, top, Compression::Zstd), lower->chainId, Digest());
    QVERIFY2(upper, qPrintable(upper ? QString() : upper.error().message));
    QCOMPARE(upper->parent, lower->chainId);
    QCOMPARE(upper->chainId, chainIdOf(lower->chainId, Digest::ofData(top.build())));
    QVERIFY(QFileInfo::exists(snaps.filesPath(upper->chainId) + QStringLiteral("/b")));
    // Each snapshot holds only its own layer's files.
    QVERIFY(!QFileInfo::exists(snaps.filesPath(upper->chainId) + QStringLiteral("/a")));
    QCOMPARE(snaps.info(upper->chainId)->parent, lower->chainId);
}

void TestSnapshotStore::sameLayerUnpackedOnce() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder layer;
    layer.file("f", "content");
    const Digest diffId = Digest::ofData(layer.build());
    const QString blob = writeBlob(store, layer);
    auto first = snaps.unpack(blob, Digest(), diffId);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
    const QString marker = snaps.filesPath(first->chainId) + QStringLiteral("/marker");
    QVERIFY(QFile(marker).open(QIODevice::WriteOnly));

    // Known diffID and existing snapshot: returns at once, without even opening the blob.
    auto second = snaps.unpack(store.root() + QStringLiteral("/no/such/blob"), Digest(), diffId);
    QVERIFY2(second, qPrintable(second ? QString() : second.error().message));
    QCOMPARE(second->chainId, first->chainId);
    QVERIFY(QFileInfo::exists(marker)); // the directory was not replaced

    // Without a known diffID the blob is read, and the existing snapshot is kept.
    auto third = snaps.unpack(blob, Digest(), Digest());
    QVERIFY2(third, qPrintable(third ? QString() : third.error().message));
    QCOMPARE(third->chainId, first->chainId);
    QVERIFY(QFileInfo::exists(marker));
    QCOMPARE(snaps.list().size(), 1);
    QCOMPARE(snapshotDirEntries(store), QStringList{first->chainId.hex()});
}

void TestSnapshotStore::diffIdMismatchLeavesNothing() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder layer;
    layer.file("f", "content");
    const Digest wrong = Digest::ofData("something else");
    auto r = snaps.unpack(writeBlob(store, layer), Digest(), wrong);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Corrupt);
    QVERIFY2(r.error().message.contains(wrong.toString()), qPrintable(r.error().message));
    QVERIFY(!snaps.exists(chainIdOf(Digest(), wrong)));
    QVERIFY(!snaps.exists(Digest::ofData(layer.build())));
    QVERIFY(snaps.list().isEmpty());
    QVERIFY2(snapshotDirEntries(store).isEmpty(), qPrintable(snapshotDirEntries(store).join(u',')));
}

void TestSnapshotStore::failedUnpackLeavesNoTemporary() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder hostile;
    // A read-only directory with content, then an escape: removal must cope with both.
    hostile.dir("ro", 0555).file("ro/f", "x", 0444).file("../escape", "x");
    auto r = snaps.unpack(writeBlob(store, hostile), Digest(), Digest());
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(QStringLiteral("path escapes the layer root")),
             qPrintable(r.error().message));
    QVERIFY2(snapshotDirEntries(store).isEmpty(), qPrintable(snapshotDirEntries(store).join(u',')));
    QVERIFY(!QFileInfo::exists(store.paths().snapshots() + QStringLiteral("/escape")));

    QByteArray truncated = LayerBuilder().file("f", QByteArray(100000, 'x')).build();
    truncated.truncate(5000);
    const QString blob = store.root() + QStringLiteral("/truncated.tar");
    QFile f(blob);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(truncated);
    f.close();
    auto t = snaps.unpack(blob, Digest(), Digest());
    QVERIFY(!t);
    QCOMPARE(t.error().kind, ErrorKind::Corrupt);
    QVERIFY(snapshotDirEntries(store).isEmpty());
    QVERIFY(snaps.list().isEmpty());
}

void TestSnapshotStore::removeDeletesDirectoryAndRow() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder layer;
    layer.dir("ro", 0555).file("ro/f", "x", 0400);
    auto info = snaps.unpack(writeBlob(store, layer), Digest(), Digest());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
    BERTH_VERIFY_OK(snaps.remove(info->chainId));
    QVERIFY(!snaps.exists(info->chainId));
    QVERIFY(!snaps.info(info->chainId));
    QCOMPARE(snaps.info(info->chainId).error().kind, ErrorKind::NotFound);
    QVERIFY(snaps.list().isEmpty());
    QVERIFY(snapshotDirEntries(store).isEmpty());
    // Removing what is gone is not an error; unpacking again works.
    BERTH_VERIFY_OK(snaps.remove(info->chainId));
    auto again = snaps.unpack(writeBlob(store, layer), Digest(), info->diffId);
    QVERIFY2(again, qPrintable(again ? QString() : again.error().message));
    QVERIFY(snaps.exists(again->chainId));
    BERTH_VERIFY_OK(snaps.remove(again->chainId)); // read-only directories: not for QTemporaryDir
}

void TestSnapshotStore::whiteoutFormFollowsPrivileges() {
    Berth::Test::TestStore store;
    SnapshotStore &snaps = EngineStores(store.engine()).snapshots();
    LayerBuilder layer;
    layer.dir("d").whiteout("d/gone").opaque("d");
    auto info = snaps.unpack(writeBlob(store, layer), Digest(), Digest());
    QVERIFY2(info, qPrintable(info ? QString() : info.error().message));
    const QString dir = snaps.filesPath(info->chainId) + QStringLiteral("/d");
    QVERIFY(Whiteout::isOpaqueDirectory(dir));
    struct stat st;
    const QString name = ::geteuid() == 0 ? QStringLiteral("gone") : QStringLiteral(".wh.gone");
    QVERIFY(::lstat(QFile::encodeName(dir + QLatin1Char('/') + name).constData(), &st) == 0);
    QCOMPARE(Whiteout::deletedName(name, st), QStringLiteral("gone"));
}

QTEST_GUILESS_MAIN(TestSnapshotStore)
#include "tst_snapshotstore.moc"
