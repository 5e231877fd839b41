// SPDX-License-Identifier: GPL-3.0-or-later
// Container confinement with real runc: Berth's default seccomp profile blocks system calls
// that reach beyond the container (a user namespace by unshare, which needs no capability, so
// only seccomp stops it) and seccomp=unconfined lifts it; a capability brings back the calls
// it governs; a profile file is applied and a broken one refused; --privileged and
// no-new-privileges do what Docker's do.
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestContainerSecurity : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void defaultProfileBlocksUnconfinedAllows();
    void capabilityBringsItsCallsBack();
    void profileFromAFile();
    void privilegedLiftsConfinement();
    void noNewPrivileges();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerSecurity::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    BERTH_REQUIRE_TOOL("runc");
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    BERTH_VERIFY_OK(img.install(*m_store, {"busybox:latest"}));
}

void TestContainerSecurity::defaultProfileBlocksUnconfinedAllows() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // A new user namespace needs no capability: only the seccomp profile refuses it.
    const QString script = "busybox unshare -U true && echo created; grep '^Seccomp:' "
                           "/proc/self/status";
    const ProcessResult confined =
        berthctl(store, {"run", "--rm", "--network", "none", "busybox", "sh", "-c", script});
    QCOMPARE(confined.exitCode, 0);
    QVERIFY2(!confined.out.contains("created"), qPrintable(confined.describe()));
    QVERIFY2(confined.err.contains("Operation not permitted"), qPrintable(confined.describe()));
    QVERIFY2(confined.out.contains("Seccomp:\t2"), qPrintable(confined.describe())); // filtered

    const ProcessResult unconfined =
        berthctl(store, {"run", "--name", "free", "--network", "none", "--security-opt",
                         "seccomp=unconfined", "busybox", "sh", "-c", script});
    QCOMPARE(unconfined.exitCode, 0);
    QVERIFY2(unconfined.out.contains("created"), qPrintable(unconfined.describe()));
    QVERIFY2(unconfined.out.contains("Seccomp:\t0"), qPrintable(unconfined.describe()));
    const ProcessResult inspect = berthctl(store, {"inspect", "free"});
    const QJsonArray options = QJsonDocument::fromJson(inspect.out)
                                   .array()
                                   .first()
                                   .toObject()
                                   .value("HostConfig")
                                   .toObject()
                                   .value("SecurityOpt")
                                   .toArray();
    QCOMPARE(options, QJsonArray{"seccomp=unconfined"});
}

void TestContainerSecurity::capabilityBringsItsCallsBack() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // A network namespace needs CAP_SYS_ADMIN; with it, the profile allows unshare too.
    const QString script = "busybox unshare -n true && echo created";
    const ProcessResult without =
        berthctl(store, {"run", "--rm", "--network", "none", "busybox", "sh", "-c", script});
    QVERIFY2(!without.out.contains("created"), qPrintable(without.describe()));
    const ProcessResult with = berthctl(store, {"run", "--rm", "--network", "none", "--cap-add",
                                                "SYS_ADMIN", "busybox", "sh", "-c", script});
    QVERIFY2(with.out.contains("created"), qPrintable(with.describe()));
}

void TestContainerSecurity::profileFromAFile() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // Docker's profile format: everything allowed but making directories (EACCES).
    const QJsonObject profile{
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"archMap", QJsonArray{QJsonObject{{"architecture", "SCMP_ARCH_X86_64"},
                                           {"subArchitectures", QJsonArray{"SCMP_ARCH_X86"}}},
                               QJsonObject{{"architecture", "SCMP_ARCH_AARCH64"},
                                           {"subArchitectures", QJsonArray{"SCMP_ARCH_ARM"}}}}},
        {"syscalls", QJsonArray{QJsonObject{{"names", QJsonArray{"mkdir", "mkdirat"}},
                                            {"action", "SCMP_ACT_ERRNO"},
                                            {"errnoRet", 13}}}}};
    const QString path = store.root() + "/no-mkdir.json";
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(profile).toJson());
    f.close();
    const ProcessResult r = berthctl(
        store,
        {"run", "--rm", "--network", "none", "--security-opt", "seccomp=" + path, "busybox", "sh",
         "-c", "busybox mkdir /made || echo refused; busybox unshare -U true && echo ns"});
    QVERIFY2(r.out.contains("refused"), qPrintable(r.describe()));
    QVERIFY2(r.err.contains("Permission denied"), qPrintable(r.describe()));
    // The file replaces the default profile: what it does not deny is allowed.
    QVERIFY2(r.out.contains("ns"), qPrintable(r.describe()));

    QFile broken(store.root() + "/broken.json");
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"syscalls\": [");
    broken.close();
    const ProcessResult bad = berthctl(
        store, {"create", "--security-opt", "seccomp=" + broken.fileName(), "busybox", "true"});
    QVERIFY(bad.exitCode != 0);
    QVERIFY2(bad.err.contains("seccomp profile"), qPrintable(bad.describe()));
    const ProcessResult missing = berthctl(
        store, {"create", "--security-opt", "seccomp=/nonexistent.json", "busybox", "true"});
    QVERIFY(missing.exitCode != 0);
    QVERIFY2(missing.err.contains("/nonexistent.json"), qPrintable(missing.describe()));
    QVERIFY(store.engine().containers().list().isEmpty());
}

void TestContainerSecurity::privilegedLiftsConfinement() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const QString script = "busybox mount -t tmpfs none /mnt && echo mounted; "
                           "grep '^Seccomp:' /proc/self/status; grep '^CapEff:' /proc/self/status";
    const ProcessResult normal = berthctl(store, {"run", "--rm", "--network", "none", "busybox",
                                                  "sh", "-c", "busybox mkdir -p /mnt; " + script});
    QVERIFY2(!normal.out.contains("mounted"), qPrintable(normal.describe()));
    const ProcessResult privileged =
        berthctl(store, {"run", "--rm", "--network", "none", "--privileged", "busybox", "sh", "-c",
                         "busybox mkdir -p /mnt; " + script});
    QVERIFY2(privileged.out.contains("mounted"), qPrintable(privileged.describe()));
    QVERIFY2(privileged.out.contains("Seccomp:\t0"), qPrintable(privileged.describe()));
    // Every capability this host lets us pass on.
    QFile status("/proc/self/status");
    QVERIFY(status.open(QIODevice::ReadOnly));
    QByteArray bounding;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("CapBnd:"))
            bounding = line.mid(7).trimmed();
    QVERIFY2(privileged.out.contains("CapEff:\t" + bounding), qPrintable(privileged.describe()));
}

void TestContainerSecurity::noNewPrivileges() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const QString script = "grep '^NoNewPrivs:' /proc/self/status";
    QCOMPARE(
        berthctl(store, {"run", "--rm", "--network", "none", "busybox", "sh", "-c", script}).out,
        QByteArray("NoNewPrivs:\t0\n"));
    QCOMPARE(berthctl(store, {"run", "--rm", "--network", "none", "--security-opt",
                              "no-new-privileges", "busybox", "sh", "-c", script})
                 .out,
             QByteArray("NoNewPrivs:\t1\n"));
}

QTEST_GUILESS_MAIN(TestContainerSecurity)
#include "tst_container_security.moc"
