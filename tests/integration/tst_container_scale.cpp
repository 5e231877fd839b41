// SPDX-License-Identifier: GPL-3.0-or-later
// The runtime at scale and at its limits, with real runc: a tiny --memory ends in an OOM kill
// that is reported like Docker (OOMKilled, 137, an "oom" event); 20 containers from one image
// cost only what each writes; 50 containers created, started, stopped and removed by parallel
// berthctl processes all succeed and leave nothing behind; `logs --tail` of a million-line log
// reads only its end; rotation keeps the log within its configured size.
#include "engine/core/fileutil.h"
#include "engine/enginestores.h"
#include "engine/runtime/containerlogs.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// Runs berthctl once per argument list, `parallel` processes at a time; the failures described.
QStringList runParallel(const TestStore &store, const QList<QStringList> &commands, int parallel) {
    QStringList failures;
    QList<QProcess *> running;
    qsizetype next = 0;
    auto reap = [&](QProcess *p) {
        if (p->exitStatus() != QProcess::NormalExit || p->exitCode() != 0)
            failures.append(QStringLiteral("berthctl %1: exit %2: %3")
                                .arg(p->arguments().join(' '))
                                .arg(p->exitCode())
                                .arg(QString::fromUtf8(p->readAllStandardError())));
        delete p;
    };
    while (next < commands.size() || !running.isEmpty()) {
        while (next < commands.size() && running.size() < parallel) {
            auto *p = new QProcess;
            p->setProcessEnvironment(store.environment());
            p->start(QStringLiteral(BERTH_BERTHCTL), commands[next++]);
            running.append(p);
        }
        QProcess *first = running.takeFirst();
        first->waitForFinished(300000);
        reap(first);
    }
    return failures;
}

// The bytes this process has read through read(2) and friends so far (/proc/self/io rchar).
qint64 bytesReadSoFar() {
    QFile io(QStringLiteral("/proc/self/io"));
    if (!io.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : io.readAll().split('\n'))
        if (line.startsWith("rchar:"))
            return line.mid(6).trimmed().toLongLong();
    return -1;
}

} // namespace

class TestContainerScale : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void oomKillIsReported();
    void twentyContainersCostOnlyTheirWrites();
    void fiftyContainersInParallel();
    void tailOfAMillionLinesReadsOnlyTheEnd();
    void logRotationKeepsTheConfiguredSize();

private:
    std::unique_ptr<TestStore> m_store;
    ImageRecord m_image;
};

void TestContainerScale::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    BERTH_REQUIRE_TOOL("runc");
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    auto record = img.install(*m_store, {"busybox:latest"});
    BERTH_VERIFY_OK(record);
    m_image = *record;
}

void TestContainerScale::oomKillIsReported() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // tail keeps a line it has not finished: /dev/zero never ends one, so it grows until the
    // kernel's OOM killer ends it inside the 8 MiB limit.
    const ProcessResult r = berthctl(store, {"run", "--name", "hog", "--network", "none", "-m",
                                             "8m", "busybox", "busybox", "tail", "/dev/zero"});
    QCOMPARE(r.exitCode, 137);
    const QJsonObject state = QJsonDocument::fromJson(berthctl(store, {"inspect", "hog"}).out)
                                  .array()
                                  .first()
                                  .toObject()
                                  .value("State")
                                  .toObject();
    QCOMPARE(state.value("OOMKilled").toBool(), true);
    QCOMPARE(state.value("ExitCode").toInt(), 137);
    const ProcessResult events = berthctl(store, {"events", "--since", "0", "--until", "0s",
                                                  "--format", "json", "--filter", "container=hog"});
    QStringList actions;
    for (const QByteArray &line : events.out.split('\n'))
        if (!line.isEmpty())
            actions.append(QJsonDocument::fromJson(line).object().value("Action").toString());
    QCOMPARE(actions, QStringList({"create", "start", "oom", "die"}));
    // A normal end is not an OOM.
    QCOMPARE(berthctl(store, {"run", "--name", "fine", "--network", "none", "-m", "8m", "busybox",
                              "sh", "-c", "true"})
                 .exitCode,
             0);
    QVERIFY(!store.engine().containers().get("fine")->oomKilled);
}

void TestContainerScale::twentyContainersCostOnlyTheirWrites() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    const QString lower = EngineStores(store.engine()).snapshots().filesPath(m_image.topChainId());
    const qint64 imageBytes = diskUsage(lower);
    QVERIFY(imageBytes > 1 << 20); // busybox: a copy of it would show
    auto layerListing = [&] {
        QStringList out;
        QDirIterator it(lower, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            it.next();
            out.append(QStringLiteral("%1 %2 %3")
                           .arg(it.filePath())
                           .arg(it.fileInfo().size())
                           .arg(it.fileInfo().lastModified().toMSecsSinceEpoch()));
        }
        out.sort();
        return out;
    };
    const QStringList layerBefore = layerListing();
    constexpr qint64 kWrite = 1 << 20;
    QList<QStringList> runs;
    for (int i = 0; i < 20; ++i)
        runs.append(
            {"run", "--name", QStringLiteral("w%1").arg(i), "--network", "none", "busybox", "sh",
             "-c", QStringLiteral("busybox head -c %1 /dev/urandom > /own-%2").arg(kWrite).arg(i)});
    const QStringList failures = runParallel(store, runs, 4);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    for (int i = 0; i < 20; ++i) {
        auto c = rt.get(QStringLiteral("w%1").arg(i));
        BERTH_VERIFY_OK(c);
        QCOMPARE(c->exitCode, 0);
        // Its read-write layer holds its own file; anything else in it is an empty mount point
        // the runtime made (etc/hosts, proc, dev...), not data.
        QDirIterator it(rt.upperDir(c->id), QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        qint64 otherBytes = 0;
        bool ownFound = false;
        while (it.hasNext()) {
            it.next();
            if (it.fileName() == QStringLiteral("own-%1").arg(i)) {
                ownFound = it.fileInfo().size() == kWrite;
                continue;
            }
            QVERIFY2(!it.fileName().startsWith("own-"), qPrintable(it.filePath()));
            otherBytes += it.fileInfo().size();
        }
        QVERIFY(ownFound);
        QCOMPARE(otherBytes, 0);
        // On disk the whole container (layer, bundle, log) is its write and a little more:
        // far from a copy of the image.
        const qint64 containerBytes = diskUsage(rt.directory(c->id));
        QVERIFY2(containerBytes >= kWrite && containerBytes < kWrite + 256 * 1024,
                 qPrintable(QString::number(containerBytes)));
        QVERIFY(containerBytes - kWrite < imageBytes / 4);
    }
    QCOMPARE(layerListing(), layerBefore);
}

void TestContainerScale::fiftyContainersInParallel() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    constexpr int kContainers = 50;
    constexpr int kParallel = 8;
    QStringList names;
    for (int i = 0; i < kContainers; ++i)
        names.append(QStringLiteral("c%1").arg(i));
    // One berthctl per container for create and start; stop and rm take five at a time.
    QList<QStringList> creates, starts, stops, removes;
    for (const QString &name : names) {
        creates.append({"create", "--name", name, "--init", "busybox", "sh", "-c",
                        "echo up; exec sleep 1000"});
        starts.append({"start", name});
    }
    for (int i = 0; i < kContainers; i += 5) {
        stops.append(QStringList{"stop", "-t", "5"} + names.mid(i, 5));
        removes.append(QStringList{"rm"} + names.mid(i, 5));
    }
    QStringList failures = runParallel(store, creates, kParallel);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    failures = runParallel(store, starts, kParallel);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));

    // All running, each with an address of its own.
    QStringList ids;
    QSet<QString> addresses;
    for (const ContainerRecord &c : rt.list()) {
        QVERIFY2(c.isRunning(), qPrintable(c.name + ": " + c.error));
        ids.append(c.id);
        addresses.insert(c.network.ipAddress);
    }
    QCOMPARE(ids.size(), kContainers);
    QCOMPARE(addresses.size(), kContainers);
    QVERIFY(!addresses.contains(QString()));

    failures = runParallel(store, stops, kParallel);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    for (const ContainerRecord &c : rt.list()) {
        QCOMPARE(c.state, ContainerState::Exited);
        QCOMPARE(c.exitCode, 143); // TERM, forwarded by the init to sleep
    }
    failures = runParallel(store, removes, kParallel);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    QVERIFY(rt.list().isEmpty());
    QStringList left;
    for (const QString &id : std::as_const(ids))
        left += hostLeftovers(id, rt.directory(id));
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
    QVERIFY(
        QDir(store.paths().containers()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
}

void TestContainerScale::tailOfAMillionLinesReadsOnlyTheEnd() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    // A million lines of real output through the shim (about 77 MB of JSON lines).
    const ProcessResult run = berthctl(store, {"run", "-d", "--name", "chatty", "--network", "none",
                                               "busybox", "busybox", "seq", "1", "1000000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const ProcessResult waited = berthctl(store, {"wait", "chatty"});
    QCOMPARE(waited.out.trimmed(), QByteArray("0"));
    auto record = rt.get("chatty");
    BERTH_VERIFY_OK(record);
    const QString logPath = rt.logPath(record->id);
    const qint64 logSize = QFileInfo(logPath).size();
    QVERIFY(logSize > 60 << 20);

    const qint64 before = bytesReadSoFar();
    QVERIFY(before >= 0);
    LogReader reader(logPath);
    auto entries = reader.read(LogQuery{10, 0, 0});
    const qint64 read = bytesReadSoFar() - before;
    BERTH_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 10);
    QCOMPARE(entries->first().text, QByteArray("999991\n"));
    QCOMPARE(entries->last().text, QByteArray("1000000\n"));
    QCOMPARE(entries->last().stream, QString("stdout"));
    // Only the end of the file was read: a few blocks, not tens of megabytes.
    QVERIFY2(read < 256 * 1024,
             qPrintable(QStringLiteral("read %1 bytes of %2").arg(read).arg(logSize)));

    // The command line shows the same ten lines.
    const ProcessResult tail = berthctl(store, {"logs", "--tail", "10", "chatty"});
    QCOMPARE(tail.exitCode, 0);
    QByteArray expected;
    for (int i = 999991; i <= 1000000; ++i)
        expected += QByteArray::number(i) + "\n";
    QCOMPARE(tail.out, expected);
    QCOMPARE(tail.err, QByteArray());
}

void TestContainerScale::logRotationKeepsTheConfiguredSize() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    // 20,000 lines of about 70 bytes in the log: 1.4 MB through three files of 64 KiB.
    constexpr qint64 kMaxSize = 64 * 1024;
    const ProcessResult run = berthctl(
        store, {"run", "--name", "rotated", "--network", "none", "--log-opt", "max-size=64k",
                "--log-opt", "max-file=3", "busybox", "busybox", "seq", "1", "20000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    auto record = rt.get("rotated");
    BERTH_VERIFY_OK(record);
    const QString logPath = rt.logPath(record->id);
    QStringList logFiles = QDir(QFileInfo(logPath).path())
                               .entryList({QFileInfo(logPath).fileName() + "*"}, QDir::Files);
    logFiles.sort();
    const QString name = QFileInfo(logPath).fileName();
    QCOMPARE(logFiles, QStringList({name, name + ".1", name + ".2"}));
    for (const QString &file : logFiles) {
        const qint64 size = QFileInfo(QFileInfo(logPath).path() + "/" + file).size();
        QVERIFY2(size <= kMaxSize, qPrintable(file + ": " + QString::number(size)));
        // The rotated ones were filled up to the limit, less than one line.
        if (file != name)
            QVERIFY2(size > kMaxSize - 200, qPrintable(file + ": " + QString::number(size)));
    }
    // What is kept is the end of the output, whole and in order.
    const ProcessResult logs = berthctl(store, {"logs", "rotated"});
    QCOMPARE(logs.exitCode, 0);
    const QList<QByteArray> lines = logs.out.trimmed().split('\n');
    QVERIFY2(lines.size() > 1000 && lines.size() < 20000,
             qPrintable(QString::number(lines.size())));
    QCOMPARE(lines.last(), QByteArray("20000"));
    const int first = lines.first().toInt();
    for (qsizetype i = 0; i < lines.size(); ++i)
        QCOMPARE(lines[i].toInt(), first + int(i));
}

QTEST_GUILESS_MAIN(TestContainerScale)
#include "tst_container_scale.moc"
