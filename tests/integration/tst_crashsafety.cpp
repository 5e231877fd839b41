// SPDX-License-Identifier: GPL-3.0-or-later
// Killing `berthctl load` at any moment leaves a store that passes `berthctl system check`, and
// running the load again succeeds. Killing a `berthctl run` at any moment, or the process that
// created and attached to a container, leaves a state the next command reconciles, and nothing
// (mount, cgroup, veth, address, process) leaks. (A killed shim: tst_containers and
// tst_container_network.)
#include "engine/enginestores.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <QDir>
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
    void killedRunAtAnyMomentLeavesNothing();
    void killedCreatorLeavesItsContainerRunning();
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
        if (!EngineStores(store.engine()).images().resolve("crash:test"))
            ++interrupted;
    }
    // The test means something only if some kills hit a load in progress.
    QVERIFY2(interrupted > 0, "every load finished before it was killed");
    const ProcessResult retry = berthctl(store, {"load", "-i", archive});
    QVERIFY2(retry.exitCode == 0, qPrintable(retry.describe()));
    QVERIFY(retry.out.contains("Loaded image: crash:test"));
    const ProcessResult check = berthctl(store, {"system", "check"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    auto loaded = EngineStores(store.engine()).images().resolve("crash:test");
    BERTH_VERIFY_OK(loaded);
    QCOMPARE(loaded->id, img.id());
    // Leftovers of the killed runs are garbage, and prune removes all of it.
    QCOMPARE(berthctl(store, {"system", "prune"}).exitCode, 0);
    const ProcessResult clean = berthctl(store, {"system", "check"});
    QVERIFY2(!clean.out.contains("note:"), qPrintable(clean.describe()));
}

namespace {

bool installBusybox(TestStore &store) {
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    return bool(img.install(store, {"busybox:latest"}));
}

QJsonObject psEntry(const TestStore &store, const QString &name) {
    const ProcessResult ps = berthctl(store, {"ps", "-a", "--no-trunc", "--format", "json"});
    for (const QByteArray &line : ps.out.split('\n')) {
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value("Names").toString() == name)
            return o;
    }
    return {};
}

} // namespace

void TestCrashSafety::killedRunAtAnyMomentLeavesNothing() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE_TOOL("runc");
    TestStore store;
    QVERIFY(installBusybox(store));
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    const QStringList runArgs{"run",     "-d", "-p", "127.0.0.1::80",
                              "busybox", "sh", "-c", "sleep 1000"};
    // How long one whole `run -d` takes here, to spread the kills over it.
    qint64 fullMs = 0;
    {
        QElapsedTimer t;
        t.start();
        const ProcessResult r =
            berthctl(store, QStringList{runArgs[0], "--name", "timing"} + runArgs.mid(1));
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        fullMs = qMax<qint64>(t.elapsed(), 20);
        QCOMPARE(berthctl(store, {"rm", "-f", "timing"}).exitCode, 0);
    }
    const int attempts = 12;
    int interrupted = 0; // kills that landed before the container was running
    for (int i = 0; i < attempts; ++i) {
        const QString name = QStringLiteral("k%1").arg(i);
        QProcess run;
        run.setProcessEnvironment(store.environment());
        run.start(QStringLiteral(BERTH_BERTHCTL),
                  QStringList{runArgs[0], "--name", name} + runArgs.mid(1));
        QVERIFY(run.waitForStarted());
        QThread::msleep(fullMs * i / attempts + QRandomGenerator::global()->bounded(5));
        ::kill(pid_t(run.processId()), SIGKILL);
        run.waitForFinished();
        const QString when = QStringLiteral("after a kill at %1 ms").arg(fullMs * i / attempts);

        // The next command reconciles: a container that does not run holds nothing. A shim the
        // killed run had started may still be coming up (holding the run's lock), so the look
        // is repeated until the container either runs or holds nothing at all.
        auto record = rt.store().resolve(name);
        if (!record) {
            QVERIFY2(psEntry(store, name).isEmpty(), qPrintable(when));
            ++interrupted;
            continue;
        }
        QString state;
        QStringList left;
        QTRY_VERIFY2_WITH_TIMEOUT(
            (state = psEntry(store, name).value("State").toString()) == "running" ||
                (left = hostLeftovers(record->id, rt.directory(record->id))).isEmpty(),
            qPrintable(when + ": " + state + ": " + left.join('\n')), 60000);
        if (state != "running") {
            ++interrupted;
            QVERIFY2(mountsUnder(rt.rootfs(record->id)).isEmpty(), qPrintable(when));
        } else {
            // A run that got as far as the shim: it runs, published and addressed.
            auto now = rt.get(name);
            BERTH_VERIFY_OK(now);
            QVERIFY2(now->network.ipAddress.startsWith("10.89."), qPrintable(when));
            QVERIFY2(!now->network.ports.isEmpty(), qPrintable(when));
        }
        // Either way it can be started (again) and removed, and then nothing is left.
        const ProcessResult start = berthctl(store, {"start", name});
        QVERIFY2(start.exitCode == 0, qPrintable(when + ": " + start.describe()));
        const ProcessResult rm = berthctl(store, {"rm", "-f", name});
        QVERIFY2(rm.exitCode == 0, qPrintable(when + ": " + rm.describe()));
        left = hostLeftovers(record->id, rt.directory(record->id));
        QVERIFY2(left.isEmpty(), qPrintable(when + ": " + left.join('\n')));
    }
    QVERIFY2(interrupted > 0, "every run finished before it was killed");
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
    // No container directory without its container.
    QCOMPARE(QDir(store.paths().containers()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(),
             rt.list().size());
}

void TestCrashSafety::killedCreatorLeavesItsContainerRunning() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE_TOOL("runc");
    TestStore store;
    QVERIFY(installBusybox(store));
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    // An attached `berthctl run` (the container's creator, waiting for it) is killed: the
    // container lives on under its shim, as with Docker when the client dies.
    QProcess creator;
    creator.setProcessEnvironment(store.environment());
    creator.start(QStringLiteral(BERTH_BERTHCTL),
                  {"run", "--name", "orphaned", "busybox", "sh", "-c", "echo ready; sleep 1000"});
    QVERIFY(creator.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(creator.readAllStandardOutput().contains("ready") ||
                                 berthctl(store, {"logs", "orphaned"}).out.contains("ready"),
                             30000);
    ::kill(pid_t(creator.processId()), SIGKILL);
    creator.waitForFinished();
    auto record = rt.get("orphaned");
    BERTH_VERIFY_OK(record);
    QVERIFY(record->isRunning());
    QCOMPARE(psEntry(store, "orphaned").value("State").toString(), QString("running"));
    QVERIFY(::kill(pid_t(record->pid), 0) == 0);
    const ProcessResult stop = berthctl(store, {"stop", "-t", "1", "orphaned"});
    QVERIFY2(stop.exitCode == 0, qPrintable(stop.describe()));
    QCOMPARE(psEntry(store, "orphaned").value("ExitCode").toInt(), 137); // sh ignores TERM
    QStringList left = hostLeftovers(record->id, rt.directory(record->id));
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QCOMPARE(berthctl(store, {"rm", "orphaned"}).exitCode, 0);
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

QTEST_GUILESS_MAIN(TestCrashSafety)
#include "tst_crashsafety.moc"
