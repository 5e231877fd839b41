// SPDX-License-Identifier: GPL-3.0-or-later
// Container networking with real runc: the default bridge network gives each container its own
// address, a default route and name servers, NATs it to the outside (an "outside" network
// namespace with its own server stands in for the internet) and lets containers reach each
// other; published ports (-p, -P, tcp and udp) reach a server in the container from the host's
// 127.0.0.1; --network none and host; and no address, veth or process outlives a stop, a rm or
// a killed shim.
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUdpSocket>
#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// A TCP port nobody listens on right now (the kernel's choice, then released).
int freePort() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// GET / over HTTP/1.0 from 127.0.0.1:port; the whole answer, or "" when nothing came.
QByteArray httpGet(int port, const QByteArray &path = "/") {
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(10000))
        return {};
    socket.write("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n");
    QByteArray answer;
    while (socket.waitForReadyRead(10000) || socket.bytesAvailable() > 0)
        answer += socket.readAll();
    return answer;
}

// An "outside" network: a namespace joined to the host by a veth pair on 198.18.0.0/30 (a
// benchmarking range no real network uses), removed when the test ends.
class OutsideNetwork {
public:
    OutsideNetwork() {
        m_name = QStringLiteral("berth-outside-%1").arg(::getpid());
        m_veth = QStringLiteral("bto%1").arg(::getpid() % 100000);
        const QList<QStringList> steps{
            {"netns", "add", m_name},
            {"link", "add", m_veth, "type", "veth", "peer", "name", "eth0", "netns", m_name},
            {"addr", "add", "198.18.0.1/30", "dev", m_veth},
            {"link", "set", m_veth, "up"},
            {"-n", m_name, "addr", "add", "198.18.0.2/30", "dev", "eth0"},
            {"-n", m_name, "link", "set", "eth0", "up"},
            {"-n", m_name, "link", "set", "lo", "up"},
        };
        for (const QStringList &step : steps) {
            const ProcessResult r = run(findTool("ip"), step);
            if (r.exitCode != 0) {
                m_error = r.describe();
                return;
            }
        }
        m_ok = true;
    }
    ~OutsideNetwork() {
        if (m_server.state() != QProcess::NotRunning) {
            m_server.kill();
            m_server.waitForFinished();
        }
        run(findTool("ip"), {"link", "del", m_veth});
        run(findTool("ip"), {"netns", "del", m_name});
    }
    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    // busybox httpd in the namespace on 198.18.0.2:8080, serving `dir` (with CGI).
    bool serve(const QString &dir) {
        m_server.start(findTool("ip"), {"netns", "exec", m_name, "/bin/busybox", "httpd", "-f",
                                        "-p", "198.18.0.2:8080", "-h", dir});
        return m_server.waitForStarted();
    }

private:
    QString m_name;
    QString m_veth;
    QProcess m_server;
    bool m_ok = false;
    QString m_error;
};

// A UDP socket bound to `port` inside the network namespace of process `pid` (on a thread that
// joins the namespace; the socket stays in it afterwards). -1 on failure.
int udpSocketIn(qint64 pid, int port) {
    int fd = -1;
    std::thread worker([&] {
        const int ns =
            ::open(QByteArray("/proc/" + QByteArray::number(pid) + "/ns/net").constData(),
                   O_RDONLY | O_CLOEXEC);
        if (ns < 0 || ::setns(ns, CLONE_NEWNET) != 0)
            return;
        ::close(ns);
        fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(quint16(port));
        if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            ::close(fd);
            fd = -1;
        }
    });
    worker.join();
    return fd;
}

} // namespace

class TestContainerNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void bridgeGivesAddressRouteAndNameServers();
    void containersReachEachOther();
    void natReachesTheOutside();
    void publishedPortServesTheHost();
    void publishAllAndUdp();
    void portInUseIsAClearError();
    void noneAndHostNetworks();
    void badOptionsAreRefused();
    void nothingOutlivesTheContainer();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerNetwork::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    BERTH_REQUIRE_TOOL("runc");
    BERTH_REQUIRE_TOOL("iptables");
    BERTH_REQUIRE_TOOL("ip");
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .cmd({"sh"})
        .exposedPorts({"80/tcp"});
    BERTH_VERIFY_OK(img.install(*m_store, {"busybox:latest"}));
}

void TestContainerNetwork::bridgeGivesAddressRouteAndNameServers() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r = berthctl(
        store, {"run", "--name", "probe", "busybox", "sh", "-c",
                "busybox ip -4 addr show eth0; busybox ip route; cat /etc/resolv.conf /etc/hosts"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains("inet 10.89."), r.out.constData());
    QVERIFY2(r.out.contains("default via 10.89.0.1 dev eth0"), r.out.constData());
    // The host's name servers, without loopback ones the container could not reach.
    QVERIFY2(r.out.contains("nameserver"), r.out.constData());
    QVERIFY(!r.out.contains("nameserver 127."));
    // The container's own name resolves to its address.
    const QRegularExpression own(QStringLiteral("(10\\.89\\.\\d+\\.\\d+)\\s+\\w{12}\\n"));
    QVERIFY2(own.match(QString::fromUtf8(r.out)).hasMatch(), r.out.constData());

    // While it runs, inspect shows the address like Docker; once stopped, the address is gone.
    QCOMPARE(berthctl(store, {"run", "-d", "--name", "web", "busybox", "sh", "-c", "sleep 1000"})
                 .exitCode,
             0);
    const QJsonObject settings = inspectContainer(store, "web").value("NetworkSettings").toObject();
    QVERIFY(settings.value("IPAddress").toString().startsWith("10.89."));
    QCOMPARE(settings.value("Gateway").toString(), QString("10.89.0.1"));
    QCOMPARE(settings.value("IPPrefixLen").toInt(), 16);
    QCOMPARE(inspectContainer(store, "web")
                 .value("HostConfig")
                 .toObject()
                 .value("NetworkMode")
                 .toString(),
             QString("bridge"));
    QCOMPARE(berthctl(store, {"stop", "-t", "1", "web"}).exitCode, 0);
    QCOMPARE(inspectContainer(store, "web").value("NetworkSettings").toObject().value("IPAddress"),
             QJsonValue(QString()));
}

void TestContainerNetwork::containersReachEachOther() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult server =
        berthctl(store, {"run", "-d", "--name", "server", "busybox", "sh", "-c",
                         "mkdir /www && echo hello-from-server > /www/index.html && "
                         "exec busybox httpd -f -p 80 -h /www"});
    QVERIFY2(server.exitCode == 0, qPrintable(server.describe()));
    const QString ip = inspectContainer(store, "server")
                           .value("NetworkSettings")
                           .toObject()
                           .value("IPAddress")
                           .toString();
    QVERIFY(!ip.isEmpty());
    ProcessResult client;
    // httpd may need a moment to listen after the container started.
    for (int attempt = 0; attempt < 50; ++attempt) {
        client = berthctl(store, {"run", "--rm", "busybox", "busybox", "wget", "-q", "-O", "-",
                                  QStringLiteral("http://%1/").arg(ip)});
        if (client.exitCode == 0)
            break;
        QThread::msleep(100);
    }
    QVERIFY2(client.exitCode == 0, qPrintable(client.describe()));
    QCOMPARE(client.out, QByteArray("hello-from-server\n"));
}

void TestContainerNetwork::natReachesTheOutside() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    OutsideNetwork outside;
    QVERIFY2(outside.ok(), qPrintable(outside.error()));
    // The outside server answers with the address it sees the request come from.
    QTemporaryDir www(scratchBase() + "/www-XXXXXX");
    QVERIFY(QDir().mkpath(www.path() + "/cgi-bin"));
    QFile cgi(www.path() + "/cgi-bin/who");
    QVERIFY(cgi.open(QIODevice::WriteOnly));
    cgi.write("#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho \"peer=$REMOTE_ADDR\"\n");
    cgi.close();
    QFile::setPermissions(cgi.fileName(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                              QFile::ReadOther | QFile::ExeOther);
    QVERIFY(outside.serve(www.path()));
    ProcessResult r;
    for (int attempt = 0; attempt < 50; ++attempt) {
        r = berthctl(store, {"run", "--rm", "busybox", "busybox", "wget", "-q", "-O", "-",
                             "http://198.18.0.2:8080/cgi-bin/who"});
        if (r.exitCode == 0)
            break;
        QThread::msleep(100);
    }
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    // Masqueraded: the outside sees the host's address on that link, not 10.89.x.x.
    QCOMPARE(r.out.trimmed(), QByteArray("peer=198.18.0.1"));
}

void TestContainerNetwork::publishedPortServesTheHost() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const int port = freePort();
    QVERIFY(port > 0);
    const ProcessResult run =
        berthctl(store, {"run", "-d", "--name", "web", "-p", QStringLiteral("%1:80").arg(port),
                         "busybox", "sh", "-c",
                         "mkdir -p /www && echo '<h1>berth</h1>' > /www/index.html && "
                         "exec busybox httpd -f -p 80 -h /www"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QByteArray page;
    for (int attempt = 0; attempt < 50 && !page.contains("<h1>berth</h1>"); ++attempt) {
        page = httpGet(port);
        if (!page.contains("<h1>berth</h1>"))
            QThread::msleep(100);
    }
    QVERIFY2(page.startsWith("HTTP/1.") && page.contains("<h1>berth</h1>"), page.constData());
    // A missing page is the container's own 404: the proxy passes answers through.
    QVERIFY(httpGet(port, "/missing").contains(" 404 "));

    const ProcessResult portOut = berthctl(store, {"port", "web"});
    QCOMPARE(portOut.out, QStringLiteral("80/tcp -> 0.0.0.0:%1\n").arg(port).toUtf8());
    QCOMPARE(berthctl(store, {"port", "web", "80"}).out,
             QStringLiteral("0.0.0.0:%1\n").arg(port).toUtf8());
    QVERIFY(berthctl(store, {"port", "web", "81"}).exitCode != 0);
    const ProcessResult ps = berthctl(store, {"ps", "--format", "json"});
    QVERIFY2(ps.out.contains(QStringLiteral("0.0.0.0:%1->80/tcp").arg(port).toUtf8()),
             ps.out.constData());
    const QJsonObject ports = inspectContainer(store, "web")
                                  .value("NetworkSettings")
                                  .toObject()
                                  .value("Ports")
                                  .toObject();
    const QJsonObject binding = ports.value("80/tcp").toArray().first().toObject();
    QCOMPARE(binding.value("HostIp").toString(), QString("0.0.0.0"));
    QCOMPARE(binding.value("HostPort").toString(), QString::number(port));
    const QJsonObject asked = inspectContainer(store, "web")
                                  .value("HostConfig")
                                  .toObject()
                                  .value("PortBindings")
                                  .toObject()
                                  .value("80/tcp")
                                  .toArray()
                                  .first()
                                  .toObject();
    QCOMPARE(asked.value("HostPort").toString(), QString::number(port));

    // Stopped, the port is free again and the proxy gone.
    QCOMPARE(berthctl(store, {"stop", "-t", "1", "web"}).exitCode, 0);
    QTcpServer again;
    QVERIFY2(again.listen(QHostAddress::Any, quint16(port)), qPrintable(again.errorString()));
    again.close();
    // Started again, it binds the same port.
    QCOMPARE(berthctl(store, {"start", "web"}).exitCode, 0);
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(port).contains("<h1>berth</h1>"), 10000);
}

void TestContainerNetwork::publishAllAndUdp() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // -P: the image's EXPOSE 80 on a port the kernel picks, shown by `port`.
    const ProcessResult run = berthctl(store, {"run", "-d", "--name", "all", "-P", "-p",
                                               "127.0.0.1::9999/udp", "busybox", "sh", "-c",
                                               "mkdir /www && echo any-port > /www/index.html && "
                                               "exec busybox httpd -f -p 80 -h /www"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QByteArray tcpLine = berthctl(store, {"port", "all", "80/tcp"}).out.trimmed();
    QVERIFY2(tcpLine.startsWith("0.0.0.0:"), tcpLine.constData());
    const int tcpPort = tcpLine.mid(8).toInt();
    QVERIFY(tcpPort > 0);
    QTRY_VERIFY_WITH_TIMEOUT(httpGet(tcpPort).contains("any-port"), 10000);

    const QByteArray udpLine = berthctl(store, {"port", "all", "9999/udp"}).out.trimmed();
    QVERIFY2(udpLine.startsWith("127.0.0.1:"), udpLine.constData());
    const int udpPort = udpLine.mid(10).toInt();
    // busybox has no UDP server: the test's own socket, opened inside the container's network
    // namespace, plays it and answers each datagram.
    auto record = store.engine().containers().get("all");
    BERTH_VERIFY_OK(record);
    const int server = udpSocketIn(record->pid, 9999);
    QVERIFY2(server >= 0, "cannot open a UDP socket in the container's network namespace");
    QUdpSocket client;
    QVERIFY(client.bind(QHostAddress::LocalHost, 0));
    client.writeDatagram("ping-over-udp", QHostAddress::LocalHost, quint16(udpPort));
    pollfd pfd{server, POLLIN, 0};
    QVERIFY2(::poll(&pfd, 1, 10000) == 1, "the datagram did not reach the container");
    char buffer[64];
    sockaddr_storage from{};
    socklen_t fromLength = sizeof from;
    const ssize_t n = ::recvfrom(server, buffer, sizeof buffer, 0,
                                 reinterpret_cast<sockaddr *>(&from), &fromLength);
    QCOMPARE(QByteArray(buffer, int(n)), QByteArray("ping-over-udp"));
    ::sendto(server, "pong", 4, 0, reinterpret_cast<sockaddr *>(&from), fromLength);
    ::close(server);
    QVERIFY(client.waitForReadyRead(10000));
    QByteArray answer(16, '\0');
    answer.resize(client.readDatagram(answer.data(), answer.size()));
    QCOMPARE(answer, QByteArray("pong"));
}

void TestContainerNetwork::portInUseIsAClearError() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    QTcpServer taken;
    QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
    const ProcessResult r =
        berthctl(store, {"run", "-d", "--name", "clash", "-p",
                         QStringLiteral("127.0.0.1:%1:80").arg(taken.serverPort()), "busybox", "sh",
                         "-c", "sleep 5"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("port is already allocated"), qPrintable(r.describe()));
    QVERIFY2(r.err.contains(QString::number(taken.serverPort()).toUtf8()),
             qPrintable(r.describe()));
    auto record = store.engine().containers().get("clash");
    BERTH_VERIFY_OK(record);
    QVERIFY(!record->isRunning());
    // The failed start left nothing: no address, no veth, no mount.
    const QStringList left =
        hostLeftovers(record->id, store.engine().containers().directory(record->id));
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QVERIFY(mountsUnder(store.root()).isEmpty());
}

void TestContainerNetwork::noneAndHostNetworks() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult none = berthctl(
        store, {"run", "--rm", "--network", "none", "busybox", "sh", "-c", "ls /sys/class/net"});
    QVERIFY2(none.exitCode == 0, qPrintable(none.describe()));
    QCOMPARE(none.out, QByteArray("lo\n"));
    const ProcessResult host = berthctl(store, {"run", "--rm", "--network", "host", "busybox", "sh",
                                                "-c", "ls /sys/class/net; hostname"});
    QVERIFY2(host.exitCode == 0, qPrintable(host.describe()));
    QStringList hostLinks =
        QDir("/sys/class/net").entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    for (const QString &link : std::as_const(hostLinks))
        QVERIFY2(host.out.contains(link.toUtf8() + '\n'), host.out.constData());
    QVERIFY2(host.out.endsWith(QSysInfo::machineHostName().toUtf8() + '\n'), host.out.constData());
}

void TestContainerNetwork::badOptionsAreRefused() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    struct Case {
        QStringList args;
        QByteArray message;
    };
    const QList<Case> cases{
        {{"--network", "nowhere"}, "network nowhere not found"},
        {{"-p", "80:80:80:80"}, "invalid published port"},
        {{"-p", "70000:80"}, "invalid published port"},
        {{"-p", "8080:80/sctp"}, "tcp or udp"},
        {{"-p", "8000-8001:80"}, "differ in size"},
        {{"-p", "999.1.1.1:8080:80"}, "not an IP address"},
        {{"--network", "none", "-p", "8080:80"}, "published ports need the bridge network"},
    };
    for (const Case &c : cases) {
        const ProcessResult r =
            berthctl(store, QStringList{"create"} + c.args + QStringList{"busybox", "true"});
        QVERIFY2(r.exitCode != 0, qPrintable(c.args.join(' ')));
        QVERIFY2(r.err.contains(c.message), qPrintable(r.describe()));
    }
    QVERIFY(store.engine().containers().list().isEmpty());
}

void TestContainerNetwork::nothingOutlivesTheContainer() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ContainerRuntime &rt = store.engine().containers();
    const int port = freePort();
    QCOMPARE(
        berthctl(store, {"run", "-d", "--name", "keeper", "-p", QStringLiteral("%1:80").arg(port),
                         "busybox", "sh", "-c", "sleep 1000"})
            .exitCode,
        0);
    auto record = rt.get("keeper");
    BERTH_VERIFY_OK(record);
    const QString id = record->id;
    const QString dir = rt.directory(id);
    const QString veth = "/sys/class/net/vb" + id.left(12);
    QVERIFY(QFileInfo::exists(veth));
    QVERIFY(QFileInfo::exists(dir + "/network.lease"));

    // stop: the veth, the address and the published port go with the container.
    QCOMPARE(berthctl(store, {"stop", "-t", "0", "keeper"}).exitCode, 0);
    QStringList left = hostLeftovers(id, dir);
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));

    // A killed shim: the next command notices, stops the container and frees everything.
    QCOMPARE(berthctl(store, {"start", "keeper"}).exitCode, 0);
    record = rt.get("keeper");
    BERTH_VERIFY_OK(record);
    QVERIFY(QFileInfo::exists(veth));
    QCOMPARE(::kill(pid_t(record->shimPid), SIGKILL), 0);
    QTRY_VERIFY_WITH_TIMEOUT(!berthctl(store, {"ps"}).out.contains("keeper"), 30000);
    left = hostLeftovers(id, dir);
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QTcpServer again;
    QVERIFY2(again.listen(QHostAddress::Any, quint16(port)), qPrintable(again.errorString()));
    again.close();

    // rm -f of a running container, and container prune of a stopped one.
    QCOMPARE(berthctl(store, {"start", "keeper"}).exitCode, 0);
    QCOMPARE(berthctl(store, {"rm", "-f", "keeper"}).exitCode, 0);
    left = hostLeftovers(id, dir);
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QCOMPARE(berthctl(store, {"run", "-d", "--name", "pruned", "busybox", "sh", "-c", "sleep 1000"})
                 .exitCode,
             0);
    auto pruned = rt.get("pruned");
    BERTH_VERIFY_OK(pruned);
    QCOMPARE(berthctl(store, {"kill", "pruned"}).exitCode, 0);
    QCOMPARE(berthctl(store, {"wait", "pruned"}).out, QByteArray("137\n"));
    QCOMPARE(berthctl(store, {"container", "prune", "-f"}).exitCode, 0);
    QVERIFY(!rt.get("pruned"));
    left = hostLeftovers(pruned->id, rt.directory(pruned->id));
    QVERIFY2(left.isEmpty(), qPrintable(left.join('\n')));
    QVERIFY(mountsUnder(store.root()).isEmpty());
}

QTEST_GUILESS_MAIN(TestContainerNetwork)
#include "tst_container_network.moc"
