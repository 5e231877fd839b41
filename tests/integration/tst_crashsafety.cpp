// SPDX-License-Identifier: GPL-3.0-or-later
// Killing `berthctl load` at any moment leaves a store that passes `berthctl system check`, and
// running the load again succeeds.
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QThread>
#include <csignal>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestCrashSafety : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void killedLoadLeavesConsistentStore();
};

namespace {
QByteArray randomBytes(qsizetype size, quint32 seed) {
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator gen(seed);
    gen.fillRange(reinterpret_cast<quint32 *>(data.data()), size / 4);
    return data;
}
} // namespace

void TestCrashSafety::killedLoadLeavesConsistentStore() {
    TestStore store;
    // Big enough that a load takes a while, so kills land in every phase (ingest, unpack,
    // metadata); several files per layer so unpacking has work between entries.
    ImageFixture img;
    for (int layer = 0; layer < 4; ++layer) {
        LayerBuilder b;
        b.dir(QStringLiteral("layer%1").arg(layer));
        for (int f = 0; f < 40; ++f)
            b.file(QStringLiteral("layer%1/f%2").arg(layer).arg(f),
                   randomBytes(200 * 1024, layer * 100 + f));
        img.layer(b, layer % 2 ? LayerBuilder::Compression::Gzip : LayerBuilder::Compression::None);
    }
    const QString archive = store.root() + "/image.tar";
    QVERIFY(img.writeDockerArchive(archive, {"crash:test"}));

    // Time one uninterrupted load in a scratch store to spread the kills over its duration.
    qint64 fullMs = 0;
    {
        TestStore scratch;
        QElapsedTimer t;
        t.start();
        const ProcessResult r = berthctl(scratch, {"load", "-i", archive});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        fullMs = qMax<qint64>(t.elapsed(), 20);
    }

    const int attempts = 10;
    int interrupted = 0; // kills that landed before the image was recorded
    for (int i = 0; i < attempts; ++i) {
        QProcess load;
        load.setProcessEnvironment(store.environment());
        load.start(QStringLiteral(BERTH_BERTHCTL), {"load", "-i", archive});
        QVERIFY(load.waitForStarted());
        QThread::msleep(fullMs * i / attempts + QRandomGenerator::global()->bounded(5));
        ::kill(pid_t(load.processId()), SIGKILL);
        load.waitForFinished();
        const ProcessResult check = berthctl(store, {"system", "check"});
        QVERIFY2(check.exitCode == 0,
                 qPrintable(QStringLiteral("after a kill at %1 ms:\n").arg(fullMs * i / attempts) +
                            check.describe()));
        if (!store.engine().images().resolve("crash:test"))
            ++interrupted;
    }
    // The test means something only if some kills hit a load in progress.
    QVERIFY2(interrupted > 0, "every load finished before it was killed");
    const ProcessResult retry = berthctl(store, {"load", "-i", archive});
    QVERIFY2(retry.exitCode == 0, qPrintable(retry.describe()));
    QVERIFY(retry.out.contains("Loaded image: crash:test"));
    const ProcessResult check = berthctl(store, {"system", "check"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    auto loaded = store.engine().images().resolve("crash:test");
    BERTH_VERIFY_OK(loaded);
    QCOMPARE(loaded->id, img.id());
    // Leftovers of the killed runs are garbage, and prune removes all of it.
    QCOMPARE(berthctl(store, {"system", "prune"}).exitCode, 0);
    const ProcessResult clean = berthctl(store, {"system", "check"});
    QVERIFY2(!clean.out.contains("note:"), qPrintable(clean.describe()));
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
