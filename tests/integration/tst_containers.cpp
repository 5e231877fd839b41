// SPDX-License-Identifier: GPL-3.0-or-later
// Real containers (runc on overlayfs, busybox images) through the engine and berthctl: each
// container sees only its own writes and leaves the image untouched, a stopped container keeps
// its data, rm takes it away with its mount, stop escalates to KILL, --init makes TERM work,
// exit codes and logs are exact, and a killed shim does not leave a container "running".
#include "engine/core/fileutil.h"
#include "engine/enginestores.h"
#include "engine/runtime/containerlogs.h"
#include "engine/runtime/shimprotocol.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QThread>
#include <csignal>
#include <unistd.h>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// Path, size and mtime of every entry below `dir`: enough to see any change to a layer.
QStringList treeListing(const QString &dir) {
    QStringList out;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        const QFileInfo info = it.fileInfo();
        out.append(QStringLiteral("%1 %2 %3")
                       .arg(info.filePath())
                       .arg(info.size())
                       .arg(info.lastModified().toMSecsSinceEpoch()));
    }
    out.sort();
    return out;
}

ContainerRecord createContainer(TestStore &store, const QStringList &cmd, const QString &name = {},
                                bool init = false) {
    CreateRequest request;
    request.name = name;
    request.spec.image = QStringLiteral("busybox:latest");
    request.spec.cmd = cmd;
    request.spec.init = init;
    auto created = store.engine().containers().create(request);
    if (!created)
        qWarning("create failed: %s", qPrintable(created.error().message));
    return created.value_or(ContainerRecord());
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

class TestContainers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void containersSeeOnlyTheirOwnWrites();
    void stoppedContainerKeepsItsData();
    void stopEscalatesToKill();
    void initMakesTermWork();
    void exitCodesAreExact();
    void logsKeepStreamsAndOrder();
    void logsTailReadsFromTheEnd();
    void logsReadRotatedFilesInOrder();
    void killedShimIsNoticed();
    void rmRefusesRunningContainer();
    void rmiKeepsImagesContainersUse();
    void runtimeProbeSaysWhy();
    void deepImagesRun();
    void repeatedLayerIsStoredOnce();
    void fullDiskKeepsTheStoreUsable();

private:
    std::unique_ptr<TestStore> m_store;
    ImageRecord m_image;
};

void TestContainers::init() {
    BERTH_REQUIRE_CONTAINERS();
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    auto record = img.install(*m_store, {"busybox:latest"});
    BERTH_VERIFY_OK(record);
    m_image = *record;
}

void TestContainers::containersSeeOnlyTheirOwnWrites() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    const QString lower = EngineStores(store.engine()).snapshots().filesPath(m_image.topChainId());
    const QStringList before = treeListing(lower);
    QVERIFY(!before.isEmpty());

    const ContainerRecord one =
        createContainer(store, {"sh", "-c", "test ! -e /file-two && echo one > /file-one"}, "one");
    const ContainerRecord two =
        createContainer(store, {"sh", "-c", "test ! -e /file-one && echo two > /file-two"}, "two");
    QVERIFY(!one.id.isEmpty() && !two.id.isEmpty());
    BERTH_VERIFY_OK(rt.start(one.id));
    auto code = rt.wait(one.id);
    BERTH_VERIFY_OK(code);
    QCOMPARE(*code, 0);
    BERTH_VERIFY_OK(rt.start(two.id));
    code = rt.wait(two.id);
    BERTH_VERIFY_OK(code);
    QCOMPARE(*code, 0);

    // Each write landed in its own container's read-write layer only.
    QVERIFY(QFile::exists(rt.upperDir(one.id) + "/file-one"));
    QVERIFY(!QFile::exists(rt.upperDir(one.id) + "/file-two"));
    QVERIFY(QFile::exists(rt.upperDir(two.id) + "/file-two"));
    QVERIFY(!QFile::exists(rt.upperDir(two.id) + "/file-one"));
    // The image's layer is exactly as before.
    QCOMPARE(treeListing(lower), before);
    // "one\n": 4 bytes written, as Docker counts them (the /etc mount points are empty files).
    QCOMPARE(rt.rwSize(one.id), qint64(4));
    // Stopped containers hold no mount.
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

void TestContainers::stoppedContainerKeepsItsData() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    const ContainerRecord c = createContainer(
        store, {"sh", "-c", "if [ -e /data ]; then cat /data; exit 7; fi; echo kept > /data"},
        "keeper");
    BERTH_VERIFY_OK(rt.start(c.id));
    auto code = rt.wait(c.id);
    BERTH_VERIFY_OK(code);
    QCOMPARE(*code, 0);
    // Started again: the file written by the first run is there.
    const ProcessResult again = berthctl(store, {"start", "-a", "keeper"});
    QVERIFY2(again.exitCode == 7, qPrintable(again.describe()));
    QCOMPARE(again.out, QByteArray("kept\n"));

    const QString dir = rt.directory(c.id);
    QVERIFY(QFileInfo::exists(rt.upperDir(c.id) + "/data"));
    const ProcessResult rm = berthctl(store, {"rm", "keeper"});
    QVERIFY2(rm.exitCode == 0, qPrintable(rm.describe()));
    QVERIFY(!QFileInfo::exists(dir));
    QVERIFY(!rt.get(c.id));
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

void TestContainers::stopEscalatesToKill() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // busybox sh as PID 1 has no TERM handler, so TERM is ignored and only KILL ends it.
    const ProcessResult run =
        berthctl(store, {"run", "-d", "--name", "sleeper", "busybox", "sh", "-c", "sleep 1000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(psEntry(store, "sleeper").value("State").toString(), QString("running"));
    QVERIFY(!mountsUnder(store.root()).isEmpty());
    const ProcessResult stop = berthctl(store, {"stop", "-t", "1", "sleeper"});
    QVERIFY2(stop.exitCode == 0, qPrintable(stop.describe()));
    const QJsonObject entry = psEntry(store, "sleeper");
    QCOMPARE(entry.value("State").toString(), QString("exited"));
    QCOMPARE(entry.value("ExitCode").toInt(), 137);
    const ProcessResult wait = berthctl(store, {"wait", "sleeper"});
    QCOMPARE(wait.out.trimmed(), QByteArray("137"));
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

void TestContainers::initMakesTermWork() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run = berthctl(
        store, {"run", "-d", "--init", "--name", "inited", "busybox", "sh", "-c", "sleep 1000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    // A generous timeout: with an init, TERM ends the container, so KILL is never needed.
    const ProcessResult stop = berthctl(store, {"stop", "-t", "120", "inited"});
    QVERIFY2(stop.exitCode == 0, qPrintable(stop.describe()));
    const QJsonObject entry = psEntry(store, "inited");
    QCOMPARE(entry.value("ExitCode").toInt(), 143);
}

void TestContainers::exitCodesAreExact() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    for (int expected : {0, 1, 42}) {
        const ProcessResult run = berthctl(
            store, {"run", "--rm", "busybox", "sh", "-c", QStringLiteral("exit %1").arg(expected)});
        QVERIFY2(run.exitCode == expected, qPrintable(run.describe()));
    }
    // --rm removed them all.
    QVERIFY(store.engine().containers().list().isEmpty());
    const ProcessResult kept =
        berthctl(store, {"run", "--name", "one", "busybox", "sh", "-c", "false"});
    QCOMPARE(kept.exitCode, 1);
    QCOMPARE(psEntry(store, "one").value("ExitCode").toInt(), 1);

    // A command the image lacks: 127 as with Docker, and the container is not left "running"
    // (its shim used to hold the output for an attacher that never came, for 30 s).
    const ProcessResult missing =
        berthctl(store, {"run", "--name", "missing", "busybox", "nosuch"});
    QVERIFY2(missing.exitCode == 127 && missing.err.contains("nosuch"),
             qPrintable(missing.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(psEntry(store, "missing").value("State").toString(),
                              QStringLiteral("created"), 5000);
    const ProcessResult again = berthctl(store, {"start", "-a", "missing"});
    QVERIFY2(again.exitCode == 127, qPrintable(again.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(psEntry(store, "missing").value("State").toString(),
                              QStringLiteral("created"), 5000);

    // Docker's codes: 126 for a command that cannot be invoked (not executable, a directory),
    // 125 for Berth's own errors (no such image, bad options).
    for (const QStringList &args : {QStringList{"run", "--rm", "busybox", "/etc/passwd"},
                                    QStringList{"run", "--rm", "busybox", "/etc"}}) {
        const ProcessResult r = berthctl(store, args);
        QVERIFY2(r.exitCode == 126, qPrintable(args.join(' ') + ": " + r.describe()));
    }
    for (const QStringList &args : {QStringList{"run", "--rm", "no/such-image", "true"},
                                    QStringList{"run", "--rm", "--memory", "lots", "busybox"},
                                    QStringList{"create", "no/such-image"}}) {
        const ProcessResult r = berthctl(store, args);
        QVERIFY2(r.exitCode == 125, qPrintable(args.join(' ') + ": " + r.describe()));
    }
    // exec: the command's own code, or 126/127 when it cannot run.
    const ProcessResult up =
        berthctl(store, {"run", "-d", "--name", "up", "busybox", "busybox", "sleep", "60"});
    QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
    const QList<QPair<QStringList, int>> execs{{{"exec", "up", "sh", "-c", "exit 3"}, 3},
                                               {{"exec", "up", "nosuch"}, 127},
                                               {{"exec", "up", "/etc/passwd"}, 126},
                                               {{"exec", "-d", "up", "nosuch"}, 127},
                                               {{"exec", "-t", "up", "nosuch"}, 127}};
    for (const auto &[args, code] : execs) {
        const ProcessResult r = berthctl(store, args);
        QVERIFY2(r.exitCode == code, qPrintable(args.join(' ') + ": " + r.describe()));
    }
}

void TestContainers::logsKeepStreamsAndOrder() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run =
        berthctl(store, {"run", "--name", "talker", "busybox", "sh", "-c",
                         "echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2; sleep 0.2; "
                         "printf 'no newline' >&2"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.out, QByteArray("out1\nout2\n"));
    QCOMPARE(run.err, QByteArray("err1\nno newline"));

    auto record = store.engine().containers().get("talker");
    BERTH_VERIFY_OK(record);
    LogReader reader(store.engine().containers().logPath(record->id));
    auto entries = reader.read({});
    BERTH_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 4);
    const QList<QPair<QString, QByteArray>> expected{
        {"stdout", "out1\n"}, {"stderr", "err1\n"}, {"stdout", "out2\n"}, {"stderr", "no newline"}};
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(entries->at(i).stream, expected[i].first);
        QCOMPARE(entries->at(i).text, expected[i].second);
    }
    const ProcessResult logs = berthctl(store, {"logs", "talker"});
    QCOMPARE(logs.out, QByteArray("out1\nout2\n"));
    QCOMPARE(logs.err, QByteArray("err1\nno newline"));
    const ProcessResult stamped = berthctl(store, {"logs", "-t", "--tail", "1", "talker"});
    QVERIFY2(QRegularExpression("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z no newline$")
                 .match(QString::fromUtf8(stamped.err))
                 .hasMatch(),
             qPrintable(stamped.describe()));
    // --until before the first line: nothing; --since far in the past: everything.
    QCOMPARE(berthctl(store, {"logs", "--until", "2000-01-01T00:00:00Z", "talker"}).out,
             QByteArray());
    QCOMPARE(berthctl(store, {"logs", "--since", "946684800", "talker"}).out,
             QByteArray("out1\nout2\n"));
}

void TestContainers::logsTailReadsFromTheEnd() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run =
        berthctl(store, {"run", "--name", "counter", "busybox", "sh", "-c",
                         "i=0; while [ $i -lt 5000 ]; do echo line$i; i=$((i+1)); done"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QByteArray expected;
    for (int i = 4990; i < 5000; ++i)
        expected += "line" + QByteArray::number(i) + "\n";
    const ProcessResult tail = berthctl(store, {"logs", "--tail", "10", "counter"});
    QCOMPARE(tail.out, expected);

    // A big log (200,000 lines, plus a rotated file behind it), written the way the shim
    // writes it: the tail is exact, also across the rotation boundary.
    auto record = store.engine().containers().get("counter");
    BERTH_VERIFY_OK(record);
    const QString logPath = store.engine().containers().logPath(record->id);
    auto writeLog = [](const QString &path, int from, int to) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        QByteArray chunk;
        for (int i = from; i < to; ++i) {
            chunk += "{\"time\":\"2024-01-01T00:00:00.000000001Z\",\"stream\":\"stdout\","
                     "\"log\":\"big" +
                     QByteArray::number(i) + "\\n\"}\n";
            if (chunk.size() > 1 << 20) {
                f.write(chunk);
                chunk.clear();
            }
        }
        f.write(chunk);
    };
    writeLog(logPath + ".1", 0, 200000);
    writeLog(logPath, 200000, 200004);
    LogReader reader(logPath);
    auto entries = reader.read(LogQuery{10, 0, 0});
    BERTH_VERIFY_OK(entries);
    QCOMPARE(entries->size(), 10);
    QCOMPARE(entries->first().text, QByteArray("big199994\n"));
    QCOMPARE(entries->last().text, QByteArray("big200003\n"));
    const ProcessResult big = berthctl(store, {"logs", "-n", "3", "counter"});
    QCOMPARE(big.out, QByteArray("big200001\nbig200002\nbig200003\n"));
}

// berthctl logs over a log the shim rotated twice (ctr.log.2, ctr.log.1, ctr.log): the files
// in order, --tail across a file boundary, --since/--until, -t, stdout and stderr apart.
void TestContainers::logsReadRotatedFilesInOrder() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run = berthctl(
        store, {"run", "--name", "rotor", "--network", "none", "busybox", "busybox", "true"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    auto record = store.engine().containers().get("rotor");
    BERTH_VERIFY_OK(record);
    const QString logPath = store.engine().containers().logPath(record->id);
    // Line i was written at 2024-01-01T00:00:i.00000000iZ; every third one on stderr; ten lines
    // a file, the oldest in ctr.log.2.
    auto isErr = [](int i) { return i % 3 == 2; };
    auto stamp = [](int i) {
        return "2024-01-01T00:00:" + QByteArray::number(i).rightJustified(2, '0') + "." +
               QByteArray::number(i).rightJustified(9, '0') + "Z";
    };
    for (int file = 0; file < 3; ++file) {
        QFile f(file == 2 ? logPath : logPath + "." + QString::number(2 - file));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        for (int i = file * 10; i < file * 10 + 10; ++i)
            f.write("{\"time\":\"" + stamp(i) + "\",\"stream\":\"" +
                    (isErr(i) ? "stderr" : "stdout") + "\",\"log\":\"line" + QByteArray::number(i) +
                    "\\n\"}\n");
    }
    // What `logs` prints for lines [from, to), on stdout and stderr.
    auto expected = [&](int from, int to, bool timestamps) {
        QPair<QByteArray, QByteArray> out;
        for (int i = from; i < to; ++i)
            (isErr(i) ? out.second : out.first) += (timestamps ? stamp(i) + " " : QByteArray()) +
                                                   "line" + QByteArray::number(i) + "\n";
        return out;
    };
    auto logs = [&](const QStringList &args) {
        const ProcessResult r = berthctl(store, QStringList{"logs"} + args + QStringList{"rotor"});
        return r.exitCode == 0 ? qMakePair(r.out, r.err)
                               : qMakePair(r.describe().toUtf8(), QByteArray());
    };
    QCOMPARE(logs({}), expected(0, 30, false));
    QCOMPARE(logs({"--tail", "12"}), expected(18, 30, false));
    QCOMPARE(logs({"--tail", "0"}), expected(0, 0, false));
    QCOMPARE(logs({"-t", "--tail", "3"}), expected(27, 30, true));
    QCOMPARE(logs({"--since", "2024-01-01T00:00:05Z", "--until", "2024-01-01T00:00:15Z"}),
             expected(5, 15, false));
    QCOMPARE(logs({"--since", "1704067220", "-t"}), expected(20, 30, true));
    QCOMPARE(logs({"--until", "2024-01-01T01:00:19+01:00", "--tail", "15"}),
             expected(15, 19, false));
}

void TestContainers::killedShimIsNoticed() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run =
        berthctl(store, {"run", "-d", "--name", "orphan", "busybox", "sh", "-c", "sleep 1000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    auto record = store.engine().containers().get("orphan");
    BERTH_VERIFY_OK(record);
    QVERIFY(record->isRunning());
    QVERIFY(record->shimPid > 0);
    QCOMPARE(::kill(pid_t(record->shimPid), SIGKILL), 0);
    // The kernel releases the shim's lock once it is gone; then the next look notices.
    QTRY_VERIFY_WITH_TIMEOUT(psEntry(store, "orphan").value("State").toString() == "exited", 60000);
    const QJsonObject entry = psEntry(store, "orphan");
    QCOMPARE(entry.value("ExitCode").toInt(), 255);
    auto after = store.engine().containers().get("orphan");
    BERTH_VERIFY_OK(after);
    QVERIFY(after->error.contains("berth-shim"));
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
    // It can start again, monitored by a new shim.
    const ProcessResult start = berthctl(store, {"start", "orphan"});
    QVERIFY2(start.exitCode == 0, qPrintable(start.describe()));
    QCOMPARE(psEntry(store, "orphan").value("State").toString(), QString("running"));
    const ProcessResult rm = berthctl(store, {"rm", "-f", "orphan"});
    QVERIFY2(rm.exitCode == 0, qPrintable(rm.describe()));
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

void TestContainers::rmRefusesRunningContainer() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult run =
        berthctl(store, {"run", "-d", "--name", "busy", "busybox", "sh", "-c", "sleep 1000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const ProcessResult refused = berthctl(store, {"rm", "busy"});
    QVERIFY(refused.exitCode != 0);
    QVERIFY2(refused.err.contains("container is running"), qPrintable(refused.describe()));
    QCOMPARE(psEntry(store, "busy").value("State").toString(), QString("running"));
    const ProcessResult forced = berthctl(store, {"rm", "-f", "busy"});
    QVERIFY2(forced.exitCode == 0, qPrintable(forced.describe()));
    QVERIFY(psEntry(store, "busy").isEmpty());
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
    QVERIFY(
        QDir(store.paths().containers()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
}

void TestContainers::rmiKeepsImagesContainersUse() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult create =
        berthctl(store, {"create", "--name", "user", "busybox", "sh", "-c", "true"});
    QVERIFY2(create.exitCode == 0, qPrintable(create.describe()));
    // `inspect` finds containers as well as images, like `docker inspect`.
    const ProcessResult inspected = berthctl(store, {"inspect", "user", "busybox"});
    QVERIFY2(inspected.exitCode == 0, qPrintable(inspected.describe()));
    const QJsonArray objects = QJsonDocument::fromJson(inspected.out).array();
    QCOMPARE(objects.size(), 2);
    QCOMPARE(objects[0].toObject().value("Name").toString(), QString("/user"));
    QCOMPARE(objects[0].toObject().value("State").toObject().value("Status").toString(),
             QString("created"));
    QCOMPARE(objects[1].toObject().value("Id").toString(), m_image.id.toString());
    QVERIFY(berthctl(store, {"inspect", "--type", "image", "user"}).exitCode != 0);
    const ProcessResult refused = berthctl(store, {"rmi", "busybox"});
    QVERIFY(refused.exitCode != 0);
    QVERIFY2(refused.err.contains("container"), qPrintable(refused.describe()));
    // Forced: the name goes, the image and its layers stay while the container exists.
    const ProcessResult forced = berthctl(store, {"rmi", "-f", "busybox"});
    QVERIFY2(forced.exitCode == 0, qPrintable(forced.describe()));
    QVERIFY(forced.out.contains("Untagged: busybox:latest"));
    QVERIFY(EngineStores(store.engine()).images().get(m_image.id));
    QVERIFY(EngineStores(store.engine()).snapshots().exists(m_image.topChainId()));
    const ProcessResult prune = berthctl(store, {"image", "prune", "-a", "-f"});
    QVERIFY2(prune.exitCode == 0, qPrintable(prune.describe()));
    QVERIFY(EngineStores(store.engine()).snapshots().exists(m_image.topChainId()));
    const ProcessResult start = berthctl(store, {"start", "-a", "user"});
    QVERIFY2(start.exitCode == 0, qPrintable(start.describe()));
    // Once the container is gone, the image can go too.
    QCOMPARE(berthctl(store, {"rm", "user"}).exitCode, 0);
    const ProcessResult rmi = berthctl(store, {"rmi", m_image.id.toString()});
    QVERIFY2(rmi.exitCode == 0, qPrintable(rmi.describe()));
    QVERIFY(!EngineStores(store.engine()).snapshots().exists(m_image.topChainId()));
}

void TestContainers::runtimeProbeSaysWhy() {
    TestStore &store = *m_store;
    const ProcessResult info = berthctl(store, {"info"});
    QVERIFY2(info.exitCode == 0, qPrintable(info.describe()));
    QVERIFY2(QRegularExpression("Runtime: (runc|crun) \\(/").match(info.out).hasMatch(),
             qPrintable(info.describe()));
    QVERIFY2(info.out.contains("\n  why: "), qPrintable(info.describe()));
    // crun is preferred where installed, also on a hybrid cgroup host (here: cgroup v2 at
    // /sys/fs/cgroup/unified with hugetlb), where it runs in a private mount namespace; the
    // host's mounts stay as they were.
    const bool hybrid = !readFileLimited(Berth::Shim::UnifiedControllersFile, 4096)
                             .value_or(QByteArray())
                             .trimmed()
                             .isEmpty();
    if (!findTool("crun").isEmpty()) {
        QVERIFY2(info.out.contains("Runtime: crun ("), qPrintable(info.describe()));
        QCOMPARE(info.out.contains("private mount namespace"), hybrid);
        const ProcessResult ran =
            berthctl(store, {"run", "--rm", "--network", "none", "busybox", "echo", "hi"});
        QVERIFY2(ran.exitCode == 0 && ran.out == "hi\n", qPrintable(ran.describe()));
        const QByteArray mounts = readFileLimited("/proc/self/mountinfo", 1 << 22).value();
        QVERIFY2(!mounts.contains("cgroup.controllers"), mounts.constData());
    }
    // runc stays the fallback: forced, it runs containers too.
    QProcessEnvironment withRunc = store.environment();
    withRunc.insert("BERTH_RUNTIME", "runc");
    const ProcessResult runcInfo = run(BERTH_BERTHCTL, {"info"}, withRunc);
    QVERIFY2(runcInfo.out.contains("Runtime: runc (") &&
                 runcInfo.out.contains("why: BERTH_RUNTIME asks for it"),
             qPrintable(runcInfo.describe()));
    const ProcessResult runcRun = run(
        BERTH_BERTHCTL, {"run", "--rm", "--network", "none", "busybox", "echo", "hi"}, withRunc);
    QVERIFY2(runcRun.exitCode == 0 && runcRun.out == "hi\n", qPrintable(runcRun.describe()));
    // A runtime that is forced but refuses this host is an error that quotes its reason.
    QProcessEnvironment env = store.environment();
    env.insert("BERTH_RUNTIME", "/nonexistent/crun");
    const ProcessResult forced = run(BERTH_BERTHCTL, {"info"}, env);
    QVERIFY(forced.exitCode != 0);
    QVERIFY2(forced.err.contains("crun: not installed"), qPrintable(forced.describe()));
}

// An image of 128 layers (Docker allows about as many) loads, runs and is removed: the overlay
// gets its lower directories one at a time (fsconfig "lowerdir+"), not in one page of mount
// options, which held about 40 in /var/lib/berth.
void TestContainers::deepImagesRun() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ImageFixture deep;
    deep.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /");
    for (int i = 1; i < 128; ++i)
        deep.layer(LayerBuilder()
                       .file(QStringLiteral("layer"), QByteArray::number(i) + "\n")
                       .file(QStringLiteral("l/%1").arg(i), "x"),
                   LayerBuilder::Compression::None, QStringLiteral("layer %1").arg(i));
    deep.cmd({"sh", "-c", "cat /layer; ls /l | busybox wc -l"});
    QTemporaryDir dir(scratchBase() + "/deep-XXXXXX");
    QVERIFY(deep.writeDockerArchive(dir.path() + "/deep.tar", {"deep:128"}));
    const ProcessResult load = berthctl(store, {"load", "-i", dir.path() + "/deep.tar"});
    QVERIFY2(load.exitCode == 0, qPrintable(load.describe()));
    auto image = store.engine().images().resolve("deep:128");
    BERTH_VERIFY_OK(image);
    QCOMPARE(image->layers.size(), 128);
    // Stopped (mounted for cp) and running.
    const ProcessResult run = berthctl(store, {"run", "--name", "deep", "deep:128"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.out, QByteArray("127\n127\n"));
    QVERIFY2(berthctl(store, {"cp", "deep:/layer", dir.path() + "/layer"}).exitCode == 0, "cp");
    QVERIFY(mountsUnder(store.root()).isEmpty());
    QVERIFY2(berthctl(store, {"rm", "deep"}).exitCode == 0, "rm");
    const ProcessResult rmi = berthctl(store, {"rmi", "deep:128"});
    QVERIFY2(rmi.exitCode == 0, qPrintable(rmi.describe()));
    QVERIFY(!store.engine().images().resolve("deep:128"));
    // Only the busybox image's layer is left.
    QCOMPARE(EngineStores(store.engine()).snapshots().list().size(), 1);
}

namespace {

// Rewrites the OCI layout's only image so that its last layer is listed `times` times (the
// config's diffIDs too): a manifest that repeats one blob, as a hostile registry might serve.
QString repeatLastLayer(const QString &layout, int times, const QString &refName) {
    const QString blobs = layout + "/blobs/sha256/";
    auto readJson = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                           : QJsonObject();
    };
    auto putBlob = [&](const QByteArray &data) {
        QFile f(blobs + Digest::ofData(data).hex());
        if (f.open(QIODevice::WriteOnly))
            f.write(data);
        return Digest::ofData(data);
    };
    QJsonObject index = readJson(layout + "/index.json");
    QJsonArray manifests = index.value("manifests").toArray();
    QJsonObject desc = manifests[0].toObject();
    QJsonObject manifest = readJson(blobs + Digest::parse(desc.value("digest").toString())->hex());
    QJsonObject config = readJson(
        blobs +
        Digest::parse(manifest.value("config").toObject().value("digest").toString())->hex());
    QJsonObject rootfs = config.value("rootfs").toObject();
    QJsonArray diffIds = rootfs.value("diff_ids").toArray();
    QJsonArray layers = manifest.value("layers").toArray();
    const QJsonValue lastDiff = diffIds.last(), lastLayer = layers.last();
    for (int i = 1; i < times; ++i) {
        diffIds.append(lastDiff);
        layers.append(lastLayer);
    }
    rootfs.insert("diff_ids", diffIds);
    config.insert("rootfs", rootfs);
    config.remove("history");
    const QByteArray configBytes = QJsonDocument(config).toJson(QJsonDocument::Compact);
    QJsonObject configDesc = manifest.value("config").toObject();
    configDesc.insert("digest", putBlob(configBytes).toString());
    configDesc.insert("size", configBytes.size());
    manifest.insert("config", configDesc);
    manifest.insert("layers", layers);
    const QByteArray manifestBytes = QJsonDocument(manifest).toJson(QJsonDocument::Compact);
    desc.insert("digest", putBlob(manifestBytes).toString());
    desc.insert("size", manifestBytes.size());
    desc.insert("annotations", QJsonObject{{"org.opencontainers.image.ref.name", refName}});
    index.insert("manifests", QJsonArray{desc});
    QFile f(layout + "/index.json");
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(QJsonDocument(index).toJson());
    return layout;
}

qint64 diskUsageKiB(const QString &path) {
    const ProcessResult du = run("du", {"-sk", path});
    return du.out.split('\t').first().toLongLong();
}

} // namespace

// A manifest that lists the same 4 MiB layer 499 times (500 layers with the base) is unpacked
// once: its other snapshots hard-link the files, so the store grows by about one layer, and the
// image runs. An image over the layer cap is refused with a clear error.
void TestContainers::repeatedLayerIsStoredOnce() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    QTemporaryDir dir(scratchBase() + "/repeat-XXXXXX");
    QByteArray big(4 << 20, Qt::Uninitialized);
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char((i * 2654435761u) >> 13);
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder().dir("data").file("data/big", big).file("marker", "repeated\n"),
               LayerBuilder::Compression::Gzip, "ADD big /")
        .cmd({"sh", "-c", "cat /marker; busybox wc -c < /data/big"});
    QVERIFY(img.writeOciLayout(dir.path() + "/500", "x"));
    QVERIFY(img.writeOciLayout(dir.path() + "/501", "x"));
    QVERIFY(!repeatLastLayer(dir.path() + "/500", 499, "rep:500").isEmpty());
    QVERIFY(!repeatLastLayer(dir.path() + "/501", 500, "rep:501").isEmpty());

    const qint64 before = diskUsageKiB(store.root() + "/snapshots");
    const ProcessResult load = berthctl(store, {"load", "-i", dir.path() + "/500"});
    QVERIFY2(load.exitCode == 0, qPrintable(load.describe()));
    auto image = store.engine().images().resolve("rep:500");
    BERTH_VERIFY_OK(image);
    QCOMPARE(image->layers.size(), 500);
    const qint64 grown = diskUsageKiB(store.root() + "/snapshots") - before;
    // One copy of the 4 MiB file, plus a few directories per snapshot (500 x 3 x 4 KiB).
    QVERIFY2(grown < 4096 + 500 * 16, qPrintable(QString::number(grown)));
    const ProcessResult run = berthctl(store, {"run", "--rm", "rep:500"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.out, QByteArray("repeated\n4194304\n"));

    const ProcessResult over = berthctl(store, {"load", "-i", dir.path() + "/501"});
    QCOMPARE(over.exitCode, 1);
    QVERIFY2(over.err.contains("the image has 501 layers; Berth takes at most 500"),
             qPrintable(over.describe()));
    QVERIFY(!store.engine().images().resolve("rep:501"));

    QVERIFY2(berthctl(store, {"rmi", "rep:500"}).exitCode == 0, "rmi");
    QCOMPARE(EngineStores(store.engine()).snapshots().list().size(), 1);
}

// A store on a small filesystem filled by a container: a start says why it fails and leaves no
// temporary file, `rm` of the container frees the space, and the store stays consistent.
void TestContainers::fullDiskKeepsTheStoreUsable() {
    QTemporaryDir dir(scratchBase() + "/full-XXXXXX");
    const QString mnt = dir.path() + "/fs";
    QVERIFY(QDir().mkpath(mnt));
    const ProcessResult mounted = run("mount", {"-t", "tmpfs", "-o", "size=40m", "tmpfs", mnt});
    QVERIFY2(mounted.exitCode == 0, qPrintable(mounted.describe()));
    QProcessEnvironment env = m_store->environment();
    env.insert("BERTH_ROOT", mnt + "/store");
    // Also after a failure: no container of this store outlives the test or its filesystem.
    struct Unmount {
        QString path;
        QProcessEnvironment env;
        ~Unmount() {
            run(QStringLiteral(BERTH_BERTHCTL), {"rm", "-f", "talker", "filler", "late"}, env);
            run("umount", {"-l", path});
        }
    } unmount{mnt, env};
    auto ctl = [&](const QStringList &args) {
        return run(QStringLiteral(BERTH_BERTHCTL), args, env, 120000);
    };
    const ProcessResult starter = ctl({"starter"});
    QVERIFY2(starter.exitCode == 0, qPrintable(starter.describe()));
    // Output written while the disk is full is lost, but not silently: a marker says how much,
    // and no record runs into another.
    const ProcessResult talker =
        ctl({"run", "-d", "--name", "talker", "berth/busybox", "sh", "-c",
             "i=0; while [ $i -lt 100000 ]; do echo line$i; i=$((i+1)); busybox usleep 20000; "
             "done"});
    QVERIFY2(talker.exitCode == 0, qPrintable(talker.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(ctl({"logs", "talker"}).out.contains("line5\n"), 20000);
    run("dd", {"if=/dev/zero", "of=" + mnt + "/pad", "bs=64k"});
    // Lines written meanwhile are lost (the log's last page takes a few before it is full).
    QThread::msleep(4000);
    QVERIFY(QFile::remove(mnt + "/pad"));
    auto logsOf = [&]() {
        const ProcessResult logs = ctl({"logs", "talker"});
        return logs.out + logs.err;
    };
    QTRY_VERIFY_WITH_TIMEOUT(logsOf().contains("bytes lost: disk full"), 20000);
    const qsizetype markerAt = logsOf().indexOf("bytes lost: disk full");
    QTRY_VERIFY_WITH_TIMEOUT(logsOf().indexOf("\nline", markerAt) > markerAt, 20000);
    static const QRegularExpression good("^(line\\d+|berth: \\d+ bytes lost: disk full)$");
    for (const QByteArray &line : ctl({"logs", "talker"}).out.split('\n'))
        QVERIFY2(line.isEmpty() || good.match(QString::fromUtf8(line)).hasMatch(),
                 line.constData());
    QVERIFY(ctl({"rm", "-f", "talker"}).exitCode == 0);

    const ProcessResult filler =
        ctl({"run", "--name", "filler", "berth/busybox", "sh", "-c",
             "echo before; dd if=/dev/zero of=/fill bs=1M 2>/dev/null; echo after"});
    QVERIFY2(filler.out.contains("before"), qPrintable(filler.describe()));
    const ProcessResult started = ctl({"run", "-d", "--name", "late", "berth/busybox", "true"});
    QVERIFY2(started.exitCode != 0, qPrintable(started.describe()));
    QVERIFY2(started.err.contains("No space left on device"), qPrintable(started.describe()));
    const ProcessResult leftovers = run("find", {mnt, "-name", "*.tmp*"});
    QVERIFY2(leftovers.out.trimmed().isEmpty(), leftovers.out.constData());
    const ProcessResult rm = ctl({"rm", "-f", "filler", "late"});
    QVERIFY2(rm.exitCode == 0, qPrintable(rm.describe()));
    const ProcessResult ps = ctl({"ps", "-a", "-q"});
    QVERIFY2(ps.exitCode == 0 && ps.out.trimmed().isEmpty(), qPrintable(ps.describe()));
    const ProcessResult check = ctl({"system", "check"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    QVERIFY2(mountsUnder(mnt + "/store").isEmpty(), "a rootfs stayed mounted");
}

QTEST_GUILESS_MAIN(TestContainers)
#include "tst_containers.moc"
