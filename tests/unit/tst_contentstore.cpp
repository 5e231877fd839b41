// SPDX-License-Identifier: GPL-3.0-or-later
// The content store never shows a blob whose bytes do not match its digest, resumes partial
// writes, lets two writers of the same blob coexist, and lets a reader follow a blob while it
// is written (ending only once it is committed, failing when the writer starts over or gives up).
#include "engine/content/contentstore.h"
#include "engine/content/growingblob.h"
#include "engine/enginestores.h"
#include "tests/support/testsupport.h"

#include <QBuffer>
#include <QDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestContentStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesAndReads();
    void mismatchIsNeverVisible();
    void sizeLimitIsEnforced();
    void resumesPartialWrite();
    void concurrentWritersOfTheSameBlob();
    void cleanIngestKeepsBusyWriters();
    void followerReadsWhileWrittenAndEndsAtCommit();
    void followerFailsWhenTheWriterStartsOverOrStops();
};

void TestContentStore::writesAndReads() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const QByteArray data("hello layers");
    auto d = cs.write(data);
    BERTH_VERIFY_OK(d);
    QCOMPARE(*d, Digest::ofData(data));
    QVERIFY(cs.contains(*d));
    QCOMPARE(cs.read(*d, 100).value(), data);
    QCOMPARE(cs.size(*d).value(), qint64(data.size()));
    // Reading more than allowed is refused rather than truncated.
    QVERIFY(!cs.read(*d, 3).has_value());
    QVERIFY(cs.list().contains(*d));
    BERTH_VERIFY_OK(cs.remove(*d));
    QVERIFY(!cs.contains(*d));
}

void TestContentStore::mismatchIsNeverVisible() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const Digest claimed = Digest::ofData("the real bytes");
    auto r = cs.write("forged bytes", claimed);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Corrupt);
    QVERIFY2(r.error().message.contains(QStringLiteral("digest mismatch")),
             qPrintable(r.error().message));
    QVERIFY(!cs.contains(claimed));
    QVERIFY(!cs.contains(Digest::ofData("forged bytes")));

    // Streaming: same, and the ingest data is gone afterwards.
    auto w = cs.openWriter(claimed.hex(), claimed);
    BERTH_VERIFY_OK(w);
    BERTH_VERIFY_OK((*w)->write(QByteArray("forged bytes")));
    auto c = (*w)->commit();
    QVERIFY(!c);
    QVERIFY2(c.error().message.contains(claimed.toString()), qPrintable(c.error().message));
    QVERIFY(!cs.contains(claimed));
    QVERIFY(
        QDir(store.paths().ingest()).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
}

void TestContentStore::sizeLimitIsEnforced() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    QByteArray big(100000, 'x');
    QBuffer in(&big);
    in.open(QIODevice::ReadOnly);
    auto r = cs.ingest(in, Digest(), 1000);
    QVERIFY(!r);
    QVERIFY(!cs.contains(Digest::ofData(big)));
    // Declared sizes are enforced while writing.
    auto w = cs.openWriter(QStringLiteral("sized"), Digest(), 10);
    BERTH_VERIFY_OK(w);
    QVERIFY(!(*w)->write(QByteArray(11, 'y')));
    (*w)->abort();
}

void TestContentStore::resumesPartialWrite() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const QByteArray data = QByteArray(300000, 'a') + QByteArray(300000, 'b');
    const Digest digest = Digest::ofData(data);
    {
        auto w = cs.openWriter(digest.hex(), digest, data.size());
        BERTH_VERIFY_OK(w);
        BERTH_VERIFY_OK((*w)->write(data.left(250000)));
        // Destroyed without commit: an interrupted download.
    }
    QVERIFY(!cs.contains(digest));
    auto w = cs.openWriter(digest.hex(), digest, data.size());
    BERTH_VERIFY_OK(w);
    QCOMPARE((*w)->offset(), qint64(250000));
    BERTH_VERIFY_OK((*w)->write(data.mid(250000)));
    auto c = (*w)->commit();
    BERTH_VERIFY_OK(c);
    QCOMPARE(*c, digest);
    QCOMPARE(cs.read(digest, data.size()).value(), data);
}

void TestContentStore::concurrentWritersOfTheSameBlob() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const QByteArray data(2000000, 'z');
    const Digest digest = Digest::ofData(data);
    auto writeAll = [&]() -> Result<Digest> {
        auto w = cs.openWriter(digest.hex(), digest, data.size());
        if (!w)
            return fail(w.error());
        if (cs.contains(digest)) { // the other writer finished while we waited
            (*w)->abort();
            return digest;
        }
        if ((*w)->offset() > 0)
            if (auto st = (*w)->restart(); !st)
                return fail(st.error());
        for (qsizetype off = 0; off < data.size(); off += 65536)
            if (auto st = (*w)->write(data.mid(off, 65536)); !st)
                return fail(st.error());
        return (*w)->commit();
    };
    auto a = QtConcurrent::run(writeAll);
    auto b = QtConcurrent::run(writeAll);
    BERTH_VERIFY_OK(a.result());
    BERTH_VERIFY_OK(b.result());
    QCOMPARE(cs.read(digest, data.size()).value(), data);
}

void TestContentStore::cleanIngestKeepsBusyWriters() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    {
        auto stale = cs.openWriter(QStringLiteral("stale"));
        BERTH_VERIFY_OK(stale);
        BERTH_VERIFY_OK((*stale)->write(QByteArray(1000, 's')));
    }
    auto busy = cs.openWriter(QStringLiteral("busy"));
    BERTH_VERIFY_OK(busy);
    BERTH_VERIFY_OK((*busy)->write(QByteArray(10, 'b')));
    // flock is per open file description, so "busy" is held by this process: it must stay.
    QCOMPARE(cs.cleanIngest(), qint64(1000));
    QVERIFY(QFile::exists(store.paths().ingest() + QStringLiteral("/busy/data")));
    QVERIFY(!QFile::exists(store.paths().ingest() + QStringLiteral("/stale")));
}

namespace {

// Everything a follower reads until it ends or fails; `failed` tells which.
QByteArray readAll(GrowingBlob &blob, bool *failed) {
    QByteArray out;
    char buffer[4096];
    for (;;) {
        const qint64 n = blob.read(buffer, sizeof buffer);
        *failed = n < 0;
        if (n <= 0)
            return out;
        out.append(buffer, n);
    }
}

} // namespace

void TestContentStore::followerReadsWhileWrittenAndEndsAtCommit() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const QByteArray data = QByteArray(100000, 'x') + QByteArray(100000, 'y');
    const Digest digest = Digest::ofData(data);
    {
        // Resumed from an interrupted write: the follower reads the held part too.
        auto w = cs.openWriter(digest.hex(), digest, data.size());
        BERTH_VERIFY_OK(w);
        BERTH_VERIFY_OK((*w)->write(data.left(30000)));
    }
    auto w = cs.openWriter(digest.hex(), digest, data.size());
    BERTH_VERIFY_OK(w);
    auto follower = (*w)->follow();
    BERTH_VERIFY_OK(follower);
    std::shared_ptr<GrowingBlob> blob = *follower;
    bool failed = true;
    auto reader = QtConcurrent::run([&] { return readAll(*blob, &failed); });
    BERTH_VERIFY_OK((*w)->write(data.mid(30000, 70000)));
    // Everything written so far is read, and the reader still waits for more.
    QTest::qWait(200);
    QVERIFY(!reader.isFinished());
    BERTH_VERIFY_OK((*w)->write(data.mid(100000)));
    QTest::qWait(100);
    QVERIFY(!reader.isFinished()); // all bytes are there, but not verified yet
    BERTH_VERIFY_OK((*w)->commit());
    QCOMPARE(reader.result(), data);
    QVERIFY(!failed);
}

void TestContentStore::followerFailsWhenTheWriterStartsOverOrStops() {
    TestStore store;
    ContentStore &cs = EngineStores(store.engine()).content();
    const QByteArray data(50000, 'r');
    const Digest digest = Digest::ofData(data);
    auto w = cs.openWriter(digest.hex(), digest, data.size());
    BERTH_VERIFY_OK(w);
    BERTH_VERIFY_OK((*w)->write(data.left(20000)));
    std::shared_ptr<GrowingBlob> first = *(*w)->follow();
    bool failed = false;
    auto reader = QtConcurrent::run([&] { return readAll(*first, &failed); });
    QTest::qWait(100);
    BERTH_VERIFY_OK((*w)->restart()); // the server ignored Range: the bytes read are stale
    QCOMPARE(reader.result().size(), 20000);
    QVERIFY(failed);
    QVERIFY(first->error().contains("started over"));

    // A writer that goes away without committing (a dropped pull) ends its follower too.
    std::shared_ptr<GrowingBlob> second = *(*w)->follow();
    auto waiting = QtConcurrent::run([&] { return readAll(*second, &failed); });
    BERTH_VERIFY_OK((*w)->write(data.left(1000)));
    QTest::qWait(100);
    QVERIFY(!waiting.isFinished());
    w->reset();
    QCOMPARE(waiting.result(), data.left(1000));
    QVERIFY(failed);

    // A digest mismatch at commit: the follower fails, never ends as if all were well.
    auto forged = cs.openWriter(digest.hex(), digest, data.size());
    BERTH_VERIFY_OK(forged);
    BERTH_VERIFY_OK((*forged)->restart());
    std::shared_ptr<GrowingBlob> third = *(*forged)->follow();
    BERTH_VERIFY_OK((*forged)->write(QByteArray(50000, 'f')));
    QVERIFY(!(*forged)->commit());
    bool thirdFailed = false;
    readAll(*third, &thirdFailed);
    QVERIFY(thirdFailed);
}

QTEST_GUILESS_MAIN(TestContentStore)
#include "tst_contentstore.moc"
