// SPDX-License-Identifier: GPL-3.0-or-later
// ContainerStats on fixture trees of both cgroup layouts (v1/hybrid: one hierarchy per
// controller; v2: one tree), so the layout the test host does not have is covered too, and
// Docker's CPU % arithmetic.
#include "engine/runtime/containerstats.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <unistd.h>

using namespace Berth::Engine;

namespace {

void put(const QString &path, const QByteArray &content) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

const QString kPath = QStringLiteral("/berth/abc");

ContainerRecord container() {
    ContainerRecord r;
    r.id = QStringLiteral("abc");
    r.name = QStringLiteral("web");
    r.pid = 42;
    r.state = ContainerState::Running;
    return r;
}

void writeProc(const QString &proc) {
    put(proc + "/stat", "cpu  100 0 100 700 50 25 25 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n");
    put(proc + "/meminfo", "MemTotal:        1000000 kB\nMemFree:  5 kB\n");
    put(proc + "/42/net/dev",
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
        "errs drop fifo colls carrier compressed\n"
        "    lo:    5000      10    0    0    0     0          0         0     5000      10 "
        "   0    0    0     0       0          0\n"
        "  eth0:    1000       4    0    0    0     0          0         0     2000       3 "
        "   0    0    0     0       0          0\n");
}

} // namespace

class TestContainerStats : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cgroupV1();
    void cgroupV1Unlimited();
    void cgroupV2();
    void missingCgroupIsNotFound();
    void cpuPercentLikeDocker();
};

void TestContainerStats::cgroupV1() {
    QTemporaryDir dir;
    const QString root = dir.path() + "/cgroup";
    writeProc(dir.path() + "/proc");
    put(root + "/memory" + kPath + "/memory.usage_in_bytes", "100000000\n");
    put(root + "/memory" + kPath + "/memory.stat",
        "cache 1\ninactive_file 5\ntotal_cache 30000000\ntotal_inactive_file 20000000\n");
    put(root + "/memory" + kPath + "/memory.limit_in_bytes", "268435456\n");
    put(root + "/cpuacct" + kPath + "/cpuacct.usage", "5000000000\n");
    put(root + "/blkio" + kPath + "/blkio.throttle.io_service_bytes",
        "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
        "8:0 Total 12288\nTotal 12288\n");
    put(root + "/pids" + kPath + "/pids.current", "7\n");
    auto s =
        ContainerStats::read(container(), kPath, StatsSources{root, false, dir.path() + "/proc"});
    QVERIFY(s);
    QCOMPARE(s->id, QString("abc"));
    QCOMPARE(s->name, QString("web"));
    QCOMPARE(s->cpuUsageNs, quint64(5000000000));
    QCOMPARE(s->systemUsageNs, quint64(1000) * (1000000000 / quint64(::sysconf(_SC_CLK_TCK))));
    QCOMPARE(s->memoryUsage, qint64(80000000)); // usage minus the inactive page cache
    QCOMPARE(s->memoryLimit, qint64(268435456));
    QCOMPARE(s->blockRead, qint64(4096));
    QCOMPARE(s->blockWrite, qint64(8192));
    QCOMPARE(s->pids, qint64(7));
    QCOMPARE(s->networkRx, qint64(1000)); // loopback left out
    QCOMPARE(s->networkTx, qint64(2000));
    QVERIFY(qAbs(s->memoryPercent() - 100.0 * 80000000 / 268435456) < 1e-9);
}

void TestContainerStats::cgroupV1Unlimited() {
    QTemporaryDir dir;
    const QString root = dir.path() + "/cgroup";
    writeProc(dir.path() + "/proc");
    put(root + "/memory" + kPath + "/memory.usage_in_bytes", "4096\n");
    put(root + "/memory" + kPath + "/memory.limit_in_bytes", "9223372036854771712\n");
    auto s =
        ContainerStats::read(container(), kPath, StatsSources{root, false, dir.path() + "/proc"});
    QVERIFY(s);
    // No limit: the host's memory, as Docker shows it.
    QCOMPARE(s->memoryLimit, qint64(1000000) * 1024);
    QCOMPARE(s->memoryUsage, qint64(4096));
    QCOMPARE(s->pids, qint64(0)); // files that are missing read as zero
}

void TestContainerStats::cgroupV2() {
    QTemporaryDir dir;
    const QString root = dir.path() + "/cgroup";
    writeProc(dir.path() + "/proc");
    const QString cg = root + kPath;
    put(cg + "/cpu.stat", "usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\n");
    put(cg + "/memory.current", "50000000\n");
    put(cg + "/memory.stat", "anon 30000000\nfile 20000000\ninactive_file 10000000\n");
    put(cg + "/memory.max", "max\n");
    put(cg + "/io.stat",
        "8:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n259:0 rbytes=1 wbytes=2\n");
    put(cg + "/pids.current", "3\n");
    auto s =
        ContainerStats::read(container(), kPath, StatsSources{root, true, dir.path() + "/proc"});
    QVERIFY(s);
    QCOMPARE(s->cpuUsageNs, quint64(2000000000));
    QCOMPARE(s->memoryUsage, qint64(40000000));
    QCOMPARE(s->memoryLimit, qint64(1000000) * 1024);
    QCOMPARE(s->blockRead, qint64(101));
    QCOMPARE(s->blockWrite, qint64(202));
    QCOMPARE(s->pids, qint64(3));
    QCOMPARE(s->networkTx, qint64(2000));

    put(cg + "/memory.max", "104857600\n");
    s = ContainerStats::read(container(), kPath, StatsSources{root, true, dir.path() + "/proc"});
    QVERIFY(s);
    QCOMPARE(s->memoryLimit, qint64(104857600));
}

void TestContainerStats::missingCgroupIsNotFound() {
    QTemporaryDir dir;
    writeProc(dir.path() + "/proc");
    for (const bool unified : {false, true}) {
        auto s = ContainerStats::read(
            container(), kPath, StatsSources{dir.path() + "/none", unified, dir.path() + "/proc"});
        QVERIFY(!s);
        QCOMPARE(s.error().kind, ErrorKind::NotFound);
    }
}

void TestContainerStats::cpuPercentLikeDocker() {
    ContainerStatsSample previous, current;
    previous.cpuUsageNs = 1000000000;
    previous.systemUsageNs = 10000000000;
    current.cpuUsageNs = 2000000000;     // one second of CPU...
    current.systemUsageNs = 12000000000; // ...while two CPUs ran for one second
    current.onlineCpus = 2;
    ContainerStats::computeCpu(current, previous);
    QCOMPARE(current.cpuPercent, 100.0); // one busy thread is 100%, whatever the host's size
    // Counters that went backwards (a restarted container) read as 0, never negative.
    ContainerStats::computeCpu(previous, current);
    QCOMPARE(previous.cpuPercent, 0.0);
}

QTEST_GUILESS_MAIN(TestContainerStats)
#include "tst_containerstats.moc"
