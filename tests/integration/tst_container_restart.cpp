// SPDX-License-Identifier: GPL-3.0-or-later
// Restart policies with real runc: berth-shim runs the container again per --restart
// (on-failure:N gives up after N restarts with the exit code, always restarts whatever the
// code), stop and kill are not undone by the policy, a shim that dies is replaced by the next
// look at the container, and the first engine open after a boot brings back what the
// policies ask for (Berth has no daemon that starts with the host).
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <csignal>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

int restartCount(const TestStore &store, const QString &name) {
    return inspectContainer(store, name).value("RestartCount").toInt(-1);
}

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Whether the container's berth-shim runs (it holds its lock for its whole life).
bool shimRunning(ContainerRuntime &rt, const QString &id) {
    const int fd = ::open(QFile::encodeName(rt.directory(id) + "/shim.lock").constData(),
                          O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const bool free = ::flock(fd, LOCK_SH | LOCK_NB) == 0;
    ::close(fd);
    return !free;
}

// A TCP port nobody listens on right now (the kernel's choice, then released).
int freePort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// GET / over HTTP/1.0 from 127.0.0.1:port; the whole answer, or "" when nothing came.
QByteArray httpGet(int port) {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(10000))
        return {};
    socket.write("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(10000) || socket.bytesAvailable() > 0)
        answer += socket.readAll();
    return answer;
}

} // namespace

class TestContainerRestart : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void policiesAreValidated();
    void onFailureGivesUpAfterMaxRestarts();
    void alwaysRestartsUntilStopped();
    void killDisablesThePolicy();
    void restartKeepsAddressAndPublishedPort();
    void lostShimAndRebootRestoreByPolicy();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerRestart::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    BERTH_REQUIRE_TOOL("runc");
    m_store = std::make_unique<TestStore>();
    BERTH_VERIFY_OK(installBusyboxImage(*m_store, {"sleep", "wc"}));
}

void TestContainerRestart::policiesAreValidated() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    for (const char *bad : {"sometimes", "always:3", "on-failure:x", "on-failure:-1"}) {
        const ProcessResult r = berthctl(store, {"create", "--restart", bad, "busybox"});
        QVERIFY2(r.exitCode != 0 && r.err.contains("restart policy"),
                 qPrintable(QString(bad) + ": " + r.describe()));
    }
    ProcessResult r = berthctl(store, {"create", "--rm", "--restart", "always", "busybox"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("--restart and --rm"), qPrintable(r.describe()));
    r = berthctl(store, {"create", "--name", "p", "--restart", "on-failure:5", "busybox"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject policy = inspectContainer(store, "p")
                                   .value("HostConfig")
                                   .toObject()
                                   .value("RestartPolicy")
                                   .toObject();
    QCOMPARE(policy.value("Name").toString(), QString("on-failure"));
    QCOMPARE(policy.value("MaximumRetryCount").toInt(), 5);
    QVERIFY(store.engine().containers().store().list().size() == 1);
}

void TestContainerRestart::onFailureGivesUpAfterMaxRestarts() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // Each run appends to a file in the read-write layer, which restarts keep.
    ProcessResult r =
        berthctl(store, {"run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox",
                         "sh", "-c", "echo run >> /runs; echo attempt; exit 3"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    // wait returns once the container stopped for good: after the second restart failed too.
    r = berthctl(store, {"wait", "flaky"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("3\n"));
    const QJsonObject info = inspectContainer(store, "flaky");
    QCOMPARE(info.value("RestartCount").toInt(), 2);
    QCOMPARE(info.value("State").toObject().value("Status").toString(), QString("exited"));
    QCOMPARE(info.value("State").toObject().value("ExitCode").toInt(), 3);
    auto record = store.engine().containers().get("flaky");
    BERTH_VERIFY_OK(record);
    QCOMPARE(readFile(store.engine().containers().upperDir(record->id) + "/runs"),
             QByteArray("run\nrun\nrun\n"));
    // One log across the runs.
    r = berthctl(store, {"logs", "flaky"});
    QCOMPARE(r.out, QByteArray("attempt\nattempt\nattempt\n"));

    // Success is not a failure: no restart.
    r = berthctl(store, {"run", "--name", "fine", "--restart", "on-failure", "busybox", "sh", "-c",
                         "exit 0"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"wait", "fine"});
    QCOMPARE(r.out, QByteArray("0\n"));
    QCOMPARE(restartCount(store, "fine"), 0);

    // A start by hand starts counting again.
    r = berthctl(store, {"start", "flaky"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"wait", "flaky"});
    QCOMPARE(r.out, QByteArray("3\n"));
    QCOMPARE(restartCount(store, "flaky"), 2);
    QCOMPARE(readFile(store.engine().containers().upperDir(record->id) + "/runs").count('\n'),
             qsizetype(6));
}

void TestContainerRestart::alwaysRestartsUntilStopped() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-d", "--name", "loop", "--restart", "always",
                                       "busybox", "sh", "-c", "echo run >> /runs; exit 0"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    ContainerRuntime &rt = store.engine().containers();
    auto record = rt.get("loop");
    BERTH_VERIFY_OK(record);
    // A process that exits with 0 is restarted again and again.
    QTRY_VERIFY_WITH_TIMEOUT(restartCount(store, "loop") >= 3, 120000);
    QVERIFY(readFile(rt.upperDir(record->id) + "/runs").count('\n') >= 3);
    const QJsonObject running = inspectContainer(store, "loop");
    QCOMPARE(running.value("State").toObject().value("Running").toBool(), true);

    // stop ends it for good, whether it was running or waiting to restart: its shim is gone,
    // so nothing is left that could restart it.
    r = berthctl(store, {"stop", "-t", "1", "loop"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!shimRunning(rt, record->id));
    const QJsonObject stopped = inspectContainer(store, "loop");
    QCOMPARE(stopped.value("State").toObject().value("Status").toString(), QString("exited"));
    // Every restart counted ran (a stop may have caught the last one before its echo).
    const int countAfterStop = stopped.value("RestartCount").toInt();
    QVERIFY(countAfterStop >= 3);
    QVERIFY(readFile(rt.upperDir(record->id) + "/runs").count('\n') >= countAfterStop);

    // restart is a stop and a start by hand: running again, counting from zero.
    r = berthctl(store, {"run", "-d", "--name", "server", "--restart", "always", "busybox", "sh",
                         "-c", "echo run >> /runs; sleep 1000; exit 0"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"restart", "-t", "1", "server"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto server = rt.get("server");
    BERTH_VERIFY_OK(server);
    QVERIFY(server->isRunning());
    QCOMPARE(server->restartCount, 0);
    r = berthctl(store, {"stop", "-t", "1", "server"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!shimRunning(rt, server->id));
    QCOMPARE(rt.get("server").value_or(ContainerRecord()).state, ContainerState::Exited);
}

void TestContainerRestart::killDisablesThePolicy() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-d", "--name", "victim", "--restart", "always",
                                       "busybox", "sh", "-c",
                                       "trap 'echo hup' HUP; echo run >> /runs; "
                                       "while :; do sleep 1; done"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    ContainerRuntime &rt = store.engine().containers();
    auto record = rt.get("victim");
    BERTH_VERIFY_OK(record);
    // A signal that does not end the container leaves the policy alone (sent once the shell
    // has set its trap: it writes /runs after).
    QTRY_COMPARE_WITH_TIMEOUT(readFile(rt.upperDir(record->id) + "/runs"), QByteArray("run\n"),
                              60000);
    r = berthctl(store, {"kill", "-s", "HUP", "victim"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(berthctl(store, {"logs", "victim"}).out.contains("hup"), 60000);
    QVERIFY(rt.get("victim").value_or(ContainerRecord()).isRunning());
    // KILL ends it, and the policy does not bring it back (docker kill's rule).
    r = berthctl(store, {"kill", "victim"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"wait", "victim"});
    QCOMPARE(r.out, QByteArray("137\n"));
    // wait returns once the exit file is there; the shim ends a moment later.
    QTRY_VERIFY_WITH_TIMEOUT(!shimRunning(rt, record->id), 30000);
    QCOMPARE(restartCount(store, "victim"), 0);
    QCOMPARE(readFile(rt.upperDir(record->id) + "/runs"), QByteArray("run\n"));
}

void TestContainerRestart::restartKeepsAddressAndPublishedPort() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const int port = freePort();
    QVERIFY(port > 0);
    // Each run serves a page naming its number, on the published port.
    ProcessResult r = berthctl(
        store, {"run", "-d", "--name", "web", "--restart", "always", "-p",
                QStringLiteral("%1:80").arg(port), "busybox", "sh", "-c",
                "echo run >> /runs; mkdir -p /www; echo page-$(wc -l < /runs) > /www/index.html; "
                "exec busybox httpd -f -p 80 -h /www"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(port).contains("page-1"), 60000);
    ContainerRuntime &rt = store.engine().containers();
    auto first = rt.get("web");
    BERTH_VERIFY_OK(first);
    QVERIFY(!first->network.ipAddress.isEmpty());
    // The server dies (not by Berth): its shim runs it again in the same network namespace,
    // so the address stays and the published port reaches the new server.
    QCOMPARE(::kill(pid_t(first->pid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(port).contains("page-2"), 60000);
    auto second = rt.get("web");
    BERTH_VERIFY_OK(second);
    QCOMPARE(second->restartCount, 1);
    QVERIFY(second->pid != first->pid);
    QCOMPARE(second->network.ipAddress, first->network.ipAddress);
    QCOMPARE(second->shimPid, first->shimPid);
}

void TestContainerRestart::lostShimAndRebootRestoreByPolicy() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const QStringList sleeper{"busybox", "sh", "-c", "echo run >> /runs; sleep 1000; exit 0"};
    for (const auto &[name, policy] :
         {std::pair{"keeper", "unless-stopped"}, std::pair{"plain", "no"},
          std::pair{"always", "always"}, std::pair{"parked", "unless-stopped"}}) {
        const ProcessResult r = berthctl(
            store, QStringList{"run", "-d", "--name", name, "--restart", policy} + sleeper);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    for (const char *name : {"always", "parked"}) {
        const ProcessResult r = berthctl(store, {"stop", "-t", "0", name});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    ContainerRuntime &rt = store.engine().containers();

    // What a power cut does to the running ones: their shims and processes die at once.
    auto keeper = rt.get("keeper");
    auto plain = rt.get("plain");
    BERTH_VERIFY_OK(keeper);
    BERTH_VERIFY_OK(plain);
    for (const ContainerRecord &c : {*keeper, *plain}) {
        QVERIFY(c.shimPid > 0 && c.pid > 0);
        QCOMPARE(::kill(pid_t(c.shimPid), SIGKILL), 0);
        QCOMPARE(::kill(pid_t(c.pid), SIGKILL), 0);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!shimRunning(rt, keeper->id) && !shimRunning(rt, plain->id), 60000);

    // The next look notices: the policy brings back what it covers; the rest is reported
    // exited like Docker reports containers that went down with the host (255).
    ProcessResult r = berthctl(store, {"ps", "-a", "--format", "json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto keeperNow = rt.get("keeper");
    BERTH_VERIFY_OK(keeperNow);
    QVERIFY2(keeperNow->isRunning(), qPrintable(keeperNow->error));
    QVERIFY(keeperNow->pid != keeper->pid);
    QCOMPARE(keeperNow->restartCount, 1);
    QTRY_COMPARE_WITH_TIMEOUT(readFile(rt.upperDir(keeper->id) + "/runs"), QByteArray("run\nrun\n"),
                              60000);
    auto plainNow = rt.get("plain");
    BERTH_VERIFY_OK(plainNow);
    QCOMPARE(plainNow->state, ContainerState::Exited);
    QCOMPARE(plainNow->exitCode, 255);
    QVERIFY(!plainNow->error.isEmpty());
    // Containers stopped by hand stay stopped while the host runs.
    QCOMPARE(rt.get("always").value_or(ContainerRecord()).state, ContainerState::Exited);
    QCOMPARE(rt.get("parked").value_or(ContainerRecord()).state, ContainerState::Exited);

    // The first engine open after a boot (the recorded boot ID is gone, as /run/berth is
    // after a reboot): `always` comes back even though it was stopped by hand, as Docker's
    // do when its daemon starts; unless-stopped respects the stop.
    const QString bootMarker = store.engine().paths().runtimeRoot() + "/boot-id";
    QVERIFY(QFile::exists(bootMarker));
    QVERIFY(QFile::remove(bootMarker));
    r = berthctl(store, {"ps"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(QFile::exists(bootMarker));
    auto always = rt.get("always");
    BERTH_VERIFY_OK(always);
    QVERIFY2(always->isRunning(), qPrintable(always->error));
    QCOMPARE(always->restartCount, 1);
    QCOMPARE(rt.get("parked").value_or(ContainerRecord()).state, ContainerState::Exited);
    QCOMPARE(rt.get("plain").value_or(ContainerRecord()).state, ContainerState::Exited);
    QVERIFY(rt.get("keeper").value_or(ContainerRecord()).isRunning());
    // Only once per boot.
    r = berthctl(store, {"stop", "-t", "0", "always"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"ps"});
    QCOMPARE(rt.get("always").value_or(ContainerRecord()).state, ContainerState::Exited);
}

QTEST_GUILESS_MAIN(TestContainerRestart)
#include "tst_container_restart.moc"
