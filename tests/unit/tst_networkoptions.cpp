// SPDX-License-Identifier: GPL-3.0-or-later
// The option parsing and conversion behind networking and seccomp, without containers: Docker's
// -p forms, --expose, -P, the PORTS text of `ps`, and a Docker-format seccomp profile turned
// into the runtime's for the container's capabilities and the host's architecture.
#include "engine/runtime/publishedports.h"
#include "engine/runtime/seccompprofile.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Berth::Engine;

class TestNetworkOptions : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void publishForms_data();
    void publishForms();
    void publishErrors_data();
    void publishErrors();
    void exposedAndPublishAll();
    void portsSummaryLikeDockerPs();
    void listenersBindAndRefuseATakenPort();
    void seccompProfileFollowsCapabilities();
    void seccompProfileErrors();
};

void TestNetworkOptions::publishForms_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<PortBinding>>("expected");
    QTest::newRow("container port only: any host port")
        << "80" << QList<PortBinding>{{"tcp", 80, "", 0}};
    QTest::newRow("host:container") << "8080:80" << QList<PortBinding>{{"tcp", 80, "", 8080}};
    QTest::newRow("udp") << "5353:53/udp" << QList<PortBinding>{{"udp", 53, "", 5353}};
    QTest::newRow("address") << "127.0.0.1:8080:80"
                             << QList<PortBinding>{{"tcp", 80, "127.0.0.1", 8080}};
    QTest::newRow("address, any host port")
        << "127.0.0.1::80" << QList<PortBinding>{{"tcp", 80, "127.0.0.1", 0}};
    QTest::newRow("IPv6 address") << "[::1]:8080:80/TCP"
                                  << QList<PortBinding>{{"tcp", 80, "::1", 8080}};
    QTest::newRow("ranges") << "8000-8001:80-81"
                            << QList<PortBinding>{{"tcp", 80, "", 8000}, {"tcp", 81, "", 8001}};
}

void TestNetworkOptions::publishForms() {
    QFETCH(QString, text);
    QFETCH(QList<PortBinding>, expected);
    auto parsed = parsePublishOption(text);
    QVERIFY2(parsed, parsed ? "" : qPrintable(parsed.error().message));
    QCOMPARE(*parsed, expected);
}

void TestNetworkOptions::publishErrors_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("too many parts") << "1:2:3:4"
                                    << "expected [IP:]HOSTPORT:CONTAINERPORT";
    QTest::newRow("port 0") << "0"
                            << "is not a port";
    QTest::newRow("port too big") << "8080:65536"
                                  << "is not a port";
    QTest::newRow("words") << "http"
                           << "is not a port";
    QTest::newRow("protocol") << "80/sctp"
                              << "tcp or udp";
    QTest::newRow("range sizes") << "8000-8002:80-81"
                                 << "differ in size";
    QTest::newRow("reversed range") << "81-80"
                                    << "is not a port";
    QTest::newRow("bad address") << "localhost:8080:80"
                                 << "not an IP address";
    QTest::newRow("IPv6 without port") << "[::1]:80"
                                       << "missing the container port";
}

void TestNetworkOptions::publishErrors() {
    QFETCH(QString, text);
    QFETCH(QString, message);
    auto parsed = parsePublishOption(text);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().kind, ErrorKind::InvalidArgument);
    QVERIFY2(parsed.error().message.contains(message), qPrintable(parsed.error().message));
    QVERIFY(parsed.error().message.contains(text));
}

void TestNetworkOptions::exposedAndPublishAll() {
    QCOMPARE(*parseExposedPorts("80"), QStringList{"80/tcp"});
    QCOMPARE(*parseExposedPorts("53/UDP"), QStringList{"53/udp"});
    QCOMPARE(*parseExposedPorts("7000-7002/tcp"),
             QStringList({"7000/tcp", "7001/tcp", "7002/tcp"}));
    QVERIFY(!parseExposedPorts("80/icmp"));
    ContainerSpec spec;
    spec.exposedPorts = {"80/tcp", "443/tcp", "53/udp"};
    spec.portBindings = {{"tcp", 80, "", 8080}};
    // Without -P only what -p asks for; with it, every other exposed port on any host port.
    QCOMPARE(requestedPorts(spec), spec.portBindings);
    spec.publishAll = true;
    QCOMPARE(requestedPorts(spec),
             QList<PortBinding>({{"tcp", 80, "", 8080}, {"tcp", 443, "", 0}, {"udp", 53, "", 0}}));
}

void TestNetworkOptions::portsSummaryLikeDockerPs() {
    ContainerSpec spec;
    spec.exposedPorts = {"80/tcp", "53/udp"};
    NetworkSettings running;
    running.ports = {{"tcp", 80, "0.0.0.0", 8080}, {"tcp", 80, "::1", 8081}};
    QCOMPARE(portsSummary(spec, running),
             QString("0.0.0.0:8080->80/tcp, [::1]:8081->80/tcp, 53/udp"));
    QCOMPARE(portsSummary(spec, NetworkSettings()), QString("80/tcp, 53/udp"));
    QCOMPARE(portsSummary(ContainerSpec(), NetworkSettings()), QString());
}

void TestNetworkOptions::listenersBindAndRefuseATakenPort() {
    // Any free port, on loopback only: the real port is reported.
    auto first = PortListeners::bind({{"tcp", 80, "127.0.0.1", 0}, {"udp", 53, "127.0.0.1", 0}});
    QVERIFY2(first, first ? "" : qPrintable(first.error().message));
    QCOMPARE(first->bound().size(), 2);
    const int port = first->bound().first().hostPort;
    QVERIFY(port > 0);
    QCOMPARE(first->fds().size(), 2);
    // The same port again: a clear error, and nothing of the half-done bind stays open.
    auto second =
        PortListeners::bind({{"tcp", 81, "127.0.0.1", 0}, {"tcp", 80, "127.0.0.1", port}});
    QVERIFY(!second);
    QCOMPARE(second.error().kind, ErrorKind::Conflict);
    QCOMPARE(
        second.error().message,
        QStringLiteral("Bind for 127.0.0.1:%1/tcp failed: port is already allocated").arg(port));
    first->close();
    QVERIFY(PortListeners::bind({{"tcp", 80, "127.0.0.1", port}}));
}

void TestNetworkOptions::seccompProfileFollowsCapabilities() {
    const QJsonObject profile = defaultSeccompProfile();
    auto names = [](const QJsonObject &oci) {
        QStringList allowed, errno38;
        for (const QJsonValue &v : oci.value("syscalls").toArray()) {
            const QJsonObject r = v.toObject();
            for (const QJsonValue &n : r.value("names").toArray()) {
                if (r.value("action").toString() == "SCMP_ACT_ALLOW" && !r.contains("args"))
                    allowed.append(n.toString());
                if (r.value("errnoRet").toInt() == 38)
                    errno38.append(n.toString());
            }
        }
        return qMakePair(allowed, errno38);
    };
    auto plain = ociSeccomp(profile, {"CAP_CHOWN", "CAP_KILL"});
    QVERIFY(plain);
    QCOMPARE(plain->value("defaultAction").toString(), QString("SCMP_ACT_ERRNO"));
    QCOMPARE(plain->value("defaultErrnoRet").toInt(), 1);
    QVERIFY(!plain->contains("archMap"));
    const auto [allowed, enosys] = names(*plain);
    for (const char *call : {"read", "openat", "clone", "futex", "socket", "execve", "exit_group"})
        QVERIFY2(allowed.contains(call) || QByteArray(call) == "clone", call);
    for (const char *call : {"keyctl", "add_key", "unshare", "mount", "setns", "bpf", "reboot",
                             "kexec_load", "init_module", "swapon", "io_uring_setup"})
        QVERIFY2(!allowed.contains(call), call);
    QCOMPARE(enosys, QStringList{"clone3"});
    // CAP_SYS_ADMIN brings the namespace and mount calls back, and clone3 with them.
    auto admin = ociSeccomp(profile, {"CAP_SYS_ADMIN"});
    QVERIFY(admin);
    const auto [adminAllowed, adminEnosys] = names(*admin);
    for (const char *call : {"unshare", "mount", "setns", "clone", "clone3"})
        QVERIFY2(adminAllowed.contains(call), call);
    QVERIFY(adminEnosys.isEmpty());
    QVERIFY(!adminAllowed.contains("keyctl")); // no capability makes the keyring safe
    auto time = ociSeccomp(profile, {"CAP_SYS_TIME"});
    QVERIFY(names(*time).first.contains("settimeofday"));
    QVERIFY(!names(*plain).first.contains("settimeofday"));
    // The host's architecture and its compat ones, from archMap.
    const QJsonArray arches = plain->value("architectures").toArray();
#if defined(__x86_64__)
    QCOMPARE(arches, QJsonArray({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
#else
    QVERIFY(!arches.isEmpty());
#endif
}

void TestNetworkOptions::seccompProfileErrors() {
    QVERIFY(!ociSeccomp(QJsonObject{}, {}));
    const QJsonObject noAction{
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"syscalls", QJsonArray{QJsonObject{{"names", QJsonArray{"read"}}}}}};
    auto r = ociSeccomp(noAction, {});
    QVERIFY(!r);
    QVERIFY(r.error().message.contains("action"));
}

QTEST_GUILESS_MAIN(TestNetworkOptions)
#include "tst_networkoptions.moc"
