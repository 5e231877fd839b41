// SPDX-License-Identifier: GPL-3.0-or-later
// Health checks with real containers: berth-shim probes the container with the OCI runtime's
// exec (no daemon), Docker's rules decide starting / healthy / unhealthy, and ps, inspect and
// the events journal show it; the image's HEALTHCHECK (built by Berth's builder) applies unless
// --no-healthcheck.
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

QJsonObject health(const TestStore &store, const QString &name) {
    return inspectContainer(store, name).value("State").toObject().value("Health").toObject();
}

QString healthStatus(const TestStore &store, const QString &name) {
    return health(store, name).value("Status").toString();
}

// The container's line of `ps` (its STATUS column and the rest).
QString psLine(const TestStore &store, const QString &name) {
    const ProcessResult r = berthctl(store, {"ps", "-a"});
    for (const QByteArray &line : r.out.split('\n'))
        if (line.endsWith(" " + name.toUtf8()))
            return QString::fromUtf8(line);
    return {};
}

// The actions of the events recorded for the container so far.
QStringList eventActions(const TestStore &store, const QString &name) {
    const QString now = QString::number(double(QDateTime::currentMSecsSinceEpoch()) / 1000, 'f', 3);
    const ProcessResult r = berthctl(store, {"events", "--since", "0", "--until", now, "--filter",
                                             "container=" + name, "--format", "json"});
    QStringList out;
    for (const QByteArray &line : r.out.split('\n'))
        if (!line.isEmpty())
            out.append(QJsonDocument::fromJson(line).object().value("Action").toString());
    return out;
}

} // namespace

class TestContainerHealth : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void passingProbeTurnsHealthy();
    void failingProbeTurnsUnhealthyAfterRetries();
    void startPeriodFailuresDoNotCount();
    void probePastItsTimeoutFails();
    void imageHealthcheckAndNoHealthcheck();
    void badOptionsAreRefused();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerHealth::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    m_store = std::make_unique<TestStore>();
    BERTH_VERIFY_OK(
        installBusyboxImage(*m_store, {"sleep", "test", "touch", "rm", "true", "false"}));
}

void TestContainerHealth::passingProbeTurnsHealthy() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-d", "--name", "ok", "--health-cmd",
                                       "echo probe-says-hi; echo and-err >&2", "--health-interval",
                                       "100ms", "busybox", "sleep", "1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "ok"), QString("healthy"), 60000);
    const QJsonObject h = health(store, "ok");
    QCOMPARE(h.value("FailingStreak").toInt(), 0);
    const QJsonArray log = h.value("Log").toArray();
    QVERIFY(!log.isEmpty() && log.size() <= 5);
    const QJsonObject last = log.last().toObject();
    QCOMPARE(last.value("ExitCode").toInt(), 0);
    // stdout and stderr together, as Docker's probes.
    QCOMPARE(last.value("Output").toString(), QString("probe-says-hi\nand-err\n"));
    QVERIFY(!last.value("Start").toString().isEmpty() && !last.value("End").toString().isEmpty());
    // The config as Docker shows it.
    const QJsonObject config = inspectContainer(store, "ok").value("Config").toObject();
    QCOMPARE(config.value("Healthcheck").toObject().value("Test").toArray(),
             QJsonArray({"CMD-SHELL", "echo probe-says-hi; echo and-err >&2"}));
    QCOMPARE(config.value("Healthcheck").toObject().value("Interval").toInteger(),
             qint64(100'000'000));
    QVERIFY2(psLine(store, "ok").contains("(healthy)"), qPrintable(psLine(store, "ok")));
    QVERIFY(eventActions(store, "ok").contains("health_status: healthy"));
    // Probes go on, and the log keeps the last five.
    QTRY_VERIFY_WITH_TIMEOUT(health(store, "ok").value("Log").toArray().size() == 5, 60000);

    // Stopped: Docker says unhealthy once the monitor stopped.
    r = berthctl(store, {"stop", "-t", "0", "ok"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(healthStatus(store, "ok"), QString("unhealthy"));
    // Started again: "starting" until a probe passes.
    r = berthctl(store, {"start", "ok"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "ok"), QString("healthy"), 60000);
}

void TestContainerHealth::failingProbeTurnsUnhealthyAfterRetries() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // Healthy while /ok exists, failing once it is gone.
    ProcessResult r = berthctl(store, {"run", "-d", "--name", "flaky", "--health-cmd",
                                       "test -f /ok || { echo missing; exit 1; }",
                                       "--health-interval", "100ms", "--health-retries", "3",
                                       "busybox", "sh", "-c", "touch /ok; exec sleep 1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "flaky"), QString("healthy"), 60000);
    r = berthctl(store, {"exec", "flaky", "rm", "/ok"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "flaky"), QString("unhealthy"), 60000);
    const QJsonObject h = health(store, "flaky");
    QVERIFY(h.value("FailingStreak").toInt() >= 3);
    // Unhealthy exactly after `retries` failures in a row: the last three results failed, the
    // one before them (the last that passed, or a failure that left it healthy) did not count.
    const QJsonArray log = h.value("Log").toArray();
    QCOMPARE(log.last().toObject().value("ExitCode").toInt(), 1);
    QCOMPARE(log.last().toObject().value("Output").toString(), QString("missing\n"));
    const QStringList events = eventActions(store, "flaky");
    const qsizetype healthy = events.indexOf("health_status: healthy");
    const qsizetype unhealthy = events.indexOf("health_status: unhealthy");
    QVERIFY2(healthy >= 0 && unhealthy > healthy, qPrintable(events.join(", ")));
    // Each change once, however many processes looked.
    QCOMPARE(events.count("health_status: unhealthy"), qsizetype(1));
    QVERIFY2(psLine(store, "flaky").contains("(unhealthy)"), qPrintable(psLine(store, "flaky")));

    // One success makes it healthy again.
    r = berthctl(store, {"exec", "flaky", "touch", "/ok"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "flaky"), QString("healthy"), 60000);
    QCOMPARE(health(store, "flaky").value("FailingStreak").toInt(), 0);
}

void TestContainerHealth::startPeriodFailuresDoNotCount() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // A long start period probed every 100 ms (the start interval; the interval is an hour):
    // failures meanwhile leave it "starting" with no failing streak.
    ProcessResult r = berthctl(
        store, {"run", "-d", "--name", "slow", "--health-cmd", "test -f /ready",
                "--health-interval", "1h", "--health-start-period", "1h", "--health-start-interval",
                "100ms", "--health-retries", "2", "busybox", "sleep", "1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(health(store, "slow").value("Log").toArray().size() >= 4, 60000);
    QJsonObject h = health(store, "slow");
    QCOMPARE(h.value("Status").toString(), QString("starting"));
    QCOMPARE(h.value("FailingStreak").toInt(), 0);
    QVERIFY2(psLine(store, "slow").contains("(health: starting)"),
             qPrintable(psLine(store, "slow")));
    for (const QJsonValue &v : h.value("Log").toArray())
        QCOMPARE(v.toObject().value("ExitCode").toInt(), 1);

    // One pass ends "starting" (the next probe then waits the interval, an hour).
    r = berthctl(store, {"exec", "slow", "touch", "/ready"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "slow"), QString("healthy"), 60000);
    QVERIFY(!eventActions(store, "slow").contains("health_status: unhealthy"));

    // Without a start period the same failures count at once.
    r = berthctl(store, {"run", "-d", "--name", "eager", "--health-cmd", "test -f /ready",
                         "--health-interval", "100ms", "--health-retries", "2", "busybox", "sleep",
                         "1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "eager"), QString("unhealthy"), 60000);
    QVERIFY(health(store, "eager").value("FailingStreak").toInt() >= 2);
    QCOMPARE(eventActions(store, "eager"),
             QStringList({"create", "start", "health_status: unhealthy"}));
}

void TestContainerHealth::probePastItsTimeoutFails() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-d", "--name", "hung", "--health-cmd", "sleep 1000",
                                       "--health-interval", "100ms", "--health-timeout", "300ms",
                                       "--health-retries", "1", "busybox", "sleep", "1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "hung"), QString("unhealthy"), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(health(store, "hung").value("Log").toArray().size() >= 3, 60000);
    const QJsonObject last = health(store, "hung").value("Log").toArray().last().toObject();
    QCOMPARE(last.value("ExitCode").toInt(), -1);
    QCOMPARE(last.value("Output").toString(), QString("Health check exceeded timeout (300ms)"));
    // Each probe was killed at its timeout: besides the container's own `sleep 1000`, at most
    // the probe in flight runs, not one per probe so far.
    auto record = store.engine().containers().get("hung");
    BERTH_VERIFY_OK(record);
    int sleeps = 0;
    for (const qint64 pid :
         Cgroups::processes(store.engine().containers().cgroupsPath(record->id))) {
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().startsWith("sleep"))
            ++sleeps;
    }
    QVERIFY2(sleeps <= 2, qPrintable(QString::number(sleeps)));
}

void TestContainerHealth::imageHealthcheckAndNoHealthcheck() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // The builder keeps HEALTHCHECK and its options in the image config, as Docker does.
    QTemporaryDir context(scratchBase() + "/health-ctx-XXXXXX");
    QFile dockerfile(context.filePath("Dockerfile"));
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    dockerfile.write("FROM busybox:latest\n"
                     "HEALTHCHECK --interval=100ms --timeout=5s --start-period=1s "
                     "--start-interval=200ms --retries=4 CMD echo from-image\n"
                     "CMD [\"sleep\", \"1000\"]\n");
    dockerfile.close();
    ProcessResult r = berthctl(store, {"build", "-t", "checked:latest", context.path()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = berthctl(store, {"image", "inspect", "checked"});
    const QJsonObject imageCheck = QJsonDocument::fromJson(r.out)
                                       .array()
                                       .first()
                                       .toObject()
                                       .value("Config")
                                       .toObject()
                                       .value("Healthcheck")
                                       .toObject();
    QCOMPARE(imageCheck.value("Test").toArray(), QJsonArray({"CMD-SHELL", "echo from-image"}));
    QCOMPARE(imageCheck.value("Interval").toInteger(), qint64(100'000'000));
    QCOMPARE(imageCheck.value("Timeout").toInteger(), qint64(5'000'000'000));
    QCOMPARE(imageCheck.value("StartPeriod").toInteger(), qint64(1'000'000'000));
    QCOMPARE(imageCheck.value("StartInterval").toInteger(), qint64(200'000'000));
    QCOMPARE(imageCheck.value("Retries").toInt(), 4);

    // A container of it is probed with the image's check; options given override one field.
    r = berthctl(store, {"run", "-d", "--name", "inherits", "--health-retries", "7", "checked"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(healthStatus(store, "inherits"), QString("healthy"), 60000);
    QCOMPARE(health(store, "inherits").value("Log").toArray().last().toObject().value("Output"),
             QJsonValue("from-image\n"));
    const QJsonObject merged = inspectContainer(store, "inherits")
                                   .value("Config")
                                   .toObject()
                                   .value("Healthcheck")
                                   .toObject();
    QCOMPARE(merged.value("Test").toArray(), QJsonArray({"CMD-SHELL", "echo from-image"}));
    QCOMPARE(merged.value("Retries").toInt(), 7);
    QCOMPARE(merged.value("Interval").toInteger(), qint64(100'000'000));

    // --no-healthcheck: no probe, no health anywhere.
    r = berthctl(store, {"run", "-d", "--name", "unchecked", "--no-healthcheck", "checked"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject info = inspectContainer(store, "unchecked");
    QCOMPARE(info.value("Config").toObject().value("Healthcheck").toObject().value("Test"),
             QJsonValue(QJsonArray({"NONE"})));
    QVERIFY(!info.value("State").toObject().contains("Health"));
    auto record = store.engine().containers().get("unchecked");
    BERTH_VERIFY_OK(record);
    QCOMPARE(record->health.status, HealthStatus::None);
    QVERIFY(!QFile::exists(store.engine().containers().directory(record->id) + "/health.json"));
    QVERIFY2(psLine(store, "unchecked").contains("Up ") &&
                 !psLine(store, "unchecked").contains("health"),
             qPrintable(psLine(store, "unchecked")));
}

void TestContainerHealth::badOptionsAreRefused() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const QList<std::pair<QStringList, QByteArray>> cases{
        {{"--no-healthcheck", "--health-cmd", "true"}, "conflicts with --health-*"},
        {{"--health-interval", "-1s"}, "cannot be negative"},
        {{"--health-timeout", "soon"}, "invalid argument \"soon\" for --health-timeout"},
        {{"--health-retries", "-2"}, "cannot be negative"},
        {{"--health-start-period", "10us"}, "cannot be less than 1ms"},
    };
    for (const auto &[options, message] : cases) {
        const ProcessResult r =
            berthctl(store, QStringList{"create"} + options + QStringList{"busybox"});
        QVERIFY2(r.exitCode != 0 && r.err.contains(message), qPrintable(r.describe()));
    }
    QVERIFY(store.engine().containers().store().list().isEmpty());
}

QTEST_GUILESS_MAIN(TestContainerHealth)
#include "tst_container_health.moc"
