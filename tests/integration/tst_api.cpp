// SPDX-License-Identifier: GPL-3.0-or-later
// The Docker Engine API: the machine's `docker` CLI and Debian's python3-docker drive Berth
// through `berthctl serve`, with real containers (runc) and a local docker-registry; bad
// requests get proper errors without hurting other clients; other users cannot connect.
#include "tests/support/containertesting.h"
#include "tests/support/ptysession.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Berth;
using namespace Berth::Test;

namespace {

// A raw client connection to the server's socket, for requests no well-behaved client sends.
class RawClient {
public:
    explicit RawClient(const QString &path) {
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        const QByteArray p = QFile::encodeName(path);
        memcpy(a.sun_path, p.constData(), size_t(p.size()));
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
    }
    ~RawClient() { ::close(m_fd); }
    bool connected() const { return m_connected; }
    bool send(const QByteArray &data) {
        return ::send(m_fd, data.constData(), size_t(data.size()), MSG_NOSIGNAL) == data.size();
    }
    // Everything until the server closes or `timeoutMs` passes without data.
    QByteArray receive(int timeoutMs = 5000, qsizetype stopAfter = -1) {
        QByteArray out;
        for (;;) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, timeoutMs) <= 0)
                return out;
            char buf[4096];
            const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n <= 0)
                return out;
            out.append(buf, n);
            if (stopAfter >= 0 && out.size() >= stopAfter)
                return out;
        }
    }
    int status(const QByteArray &response) const {
        return response.startsWith("HTTP/1.1 ") ? response.mid(9, 3).toInt() : -1;
    }

private:
    int m_fd = -1;
    bool m_connected = false;
};

// Debian's interpreter, which has python3-docker (a python3 earlier on PATH may not).
const QString debianPython = QStringLiteral("/usr/bin/python3");

} // namespace

class TestApi : public QObject {
    Q_OBJECT

private:
    TestStore m_store;
    QTemporaryDir m_dir{scratchBase() + QStringLiteral("/api-XXXXXX")};
    QProcess m_server;
    QString m_socket;
    RegistryServer m_registry;

    QProcessEnvironment dockerEnv() const {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix://") + m_socket);
        env.insert(QStringLiteral("DOCKER_CONFIG"),
                   m_dir.filePath(QStringLiteral("docker-config")));
        env.insert(QStringLiteral("DOCKER_BUILDKIT"), QStringLiteral("0"));
        env.insert(QStringLiteral("DOCKER_CLI_HINTS"), QStringLiteral("false"));
        return env;
    }
    ProcessResult docker(const QStringList &args, const QByteArray &input = {},
                         int timeoutMs = 120000) {
        return run(findTool(QStringLiteral("docker")), args, dockerEnv(), timeoutMs, input);
    }

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void versionAndInfo();
    void runsContainers();
    void logsExecStatsAndLifeCycle();
    void interactiveContainers();
    void publishesPortsAndConfines();
    void buildsImages();
    void importsAndBuildsFromRemotes();
    void volumes();
    void copiesFiles();
    void archiveStaysInsideTheRoot();
    void saveLoadAndRemoveImages();
    void pullsFromRegistry();
    void eventsFromAnyFace();
    void pythonSdk();
    void healthThroughDockerAndPython();
    void pythonSdkFidelity();
    void logDrivers();
    void hostConfigFieldsAppliedOrRefused();
    void malformedRequests();
    void slowAndVanishingClients();
    void stopEndsEveryConnection();
    void idleConnectionsCannotLockOut();
    void otherUsersCannotConnect();
};

void TestApi::initTestCase() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE_TOOL("runc");
    BERTH_REQUIRE_TOOL("docker");
    BERTH_REQUIRE(QFile::exists(debianPython),
                  QStringLiteral("needs Debian's python3 (/usr/bin/python3)"));
    QVERIFY(m_dir.isValid());
    // Traversable by everyone, so that only the socket's own mode decides who may connect.
    ::chmod(QFile::encodeName(m_dir.path()).constData(), 0755);
    QDir().mkpath(m_dir.filePath(QStringLiteral("docker-config")));
    const ProcessResult starter = berthctl(m_store, {QStringLiteral("starter")});
    QVERIFY2(starter.exitCode == 0, qPrintable(starter.describe()));

    m_socket = m_dir.filePath(QStringLiteral("berth.sock"));
    m_server.setProcessEnvironment(m_store.environment());
    m_server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_server.start(QStringLiteral(BERTH_BERTHCTL),
                   {QStringLiteral("serve"), QStringLiteral("--socket"), m_socket});
    QVERIFY(m_server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(m_socket), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(RawClient(m_socket).connected(), 10000);
}

void TestApi::cleanupTestCase() {
    if (m_server.state() != QProcess::NotRunning) {
        m_server.terminate();
        if (!m_server.waitForFinished(10000))
            m_server.kill();
    }
    // Every container, also those a failed test function left running (a timed-out
    // `run -it` leaves its shell behind).
    if (::geteuid() == 0) {
        ContainerCleanup removeAll(m_store); // removes them as it goes out of scope
    }
}

void TestApi::versionAndInfo() {
    const ProcessResult version = docker({QStringLiteral("version")});
    QVERIFY2(version.exitCode == 0, qPrintable(version.describe()));
    QVERIFY2(version.out.contains("Server: Berth Engine"), version.out.constData());
    QVERIFY2(version.out.contains("API version:       1.43"), version.out.constData());
    // The OCI runtime in use, the same one `berthctl info` names.
    const ProcessResult local = berthctl(m_store, {QStringLiteral("info")});
    const QByteArray runtime =
        local.out.contains("Runtime: crun") ? QByteArray("crun") : QByteArray("runc");
    QVERIFY2(local.out.contains("Runtime: " + runtime), qPrintable(local.describe()));
    QVERIFY2(version.out.contains(runtime), version.out.constData());

    const ProcessResult info = docker({QStringLiteral("info")});
    QVERIFY2(info.exitCode == 0, qPrintable(info.describe()));
    QVERIFY2(info.out.contains("Images: 1"), info.out.constData());
    QVERIFY2(info.out.contains("Default Runtime: " + runtime), info.out.constData());

    const ProcessResult images = docker({QStringLiteral("images")});
    QVERIFY2(images.exitCode == 0, qPrintable(images.describe()));
    QVERIFY2(images.out.contains("berth/busybox"), images.out.constData());
}

void TestApi::runsContainers() {
    const ProcessResult hello =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("berth/busybox"),
                QStringLiteral("sh"), QStringLiteral("-c"),
                QStringLiteral("echo to-out; echo to-err >&2; exit 3")});
    QCOMPARE(hello.exitCode, 3);
    QCOMPARE(hello.out, QByteArray("to-out\n"));
    QCOMPARE(hello.err, QByteArray("to-err\n"));
    // --rm: nothing left behind.
    const ProcessResult ps = docker({QStringLiteral("ps"), QStringLiteral("-a"),
                                     QStringLiteral("--format"), QStringLiteral("{{.Names}}")});
    QVERIFY2(ps.exitCode == 0, qPrintable(ps.describe()));
    QCOMPARE(ps.out.trimmed(), QByteArray());
}

void TestApi::interactiveContainers() {
    // docker run -it on a terminal: the shell's prompt, what is typed computed in the container
    // ($((...)): not just the terminal's echo), the window size following the user's terminal
    // (the CLI's resize calls), and the shell's exit code as docker's.
    const PtyResult it = programInPty(findTool(QStringLiteral("docker")),
                                      {QStringLiteral("run"), QStringLiteral("-it"),
                                       QStringLiteral("--name"), QStringLiteral("api-it"),
                                       QStringLiteral("berth/busybox"), QStringLiteral("sh")},
                                      dockerEnv(),
                                      {{"/ # ", "echo typed-$((40+2)); tty; stty size\r"},
                                       // The CLI sends the new size on a connection of its
                                       // own, so it may come after what is typed next: the
                                       // shell waits for it (a size that never comes fails
                                       // by timeout).
                                       {"30 90",
                                        "until [ \"$(stty size)\" = '41 123' ]; do sleep 0.1; "
                                        "done; echo now-$(stty size | tr ' ' x)\r",
                                        winsize{41, 123, 0, 0}},
                                       {"now-41x123\r\n", "exit 3\r"}},
                                      winsize{30, 90, 0, 0});
    QVERIFY2(!it.timedOut, it.out.constData());
    QVERIFY2(it.exitCode == 3, it.out.constData());
    QVERIFY2(it.out.contains("typed-42\r\n"), it.out.constData());
    QVERIFY2(it.out.contains("/dev/pts/0\r\n"), it.out.constData());
    QVERIFY2(it.out.contains("now-41x123\r\n"), it.out.constData());
    const ProcessResult config =
        docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                QStringLiteral("{{.Config.Tty}} {{.Config.OpenStdin}} {{.State.ExitCode}}"),
                QStringLiteral("api-it")});
    QCOMPARE(config.out.trimmed(), QByteArray("true true 3"));
    QCOMPARE(docker({QStringLiteral("rm"), QStringLiteral("api-it")}).exitCode, 0);

    // docker run -i with piped input: all of it reaches the container, whose stdin then ends.
    const ProcessResult piped =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("-i"),
                QStringLiteral("berth/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                QStringLiteral("tr a-z A-Z; echo done >&2")},
               "first line\nsecond line\n");
    QVERIFY2(piped.exitCode == 0, qPrintable(piped.describe()));
    QCOMPARE(piped.out, QByteArray("FIRST LINE\nSECOND LINE\n"));
    QCOMPARE(piped.err, QByteArray("done\n"));

    // docker attach to a running shell, then ctrl-p ctrl-q: the container runs on.
    QCOMPARE(docker({QStringLiteral("run"), QStringLiteral("-dit"), QStringLiteral("--name"),
                     QStringLiteral("api-att"), QStringLiteral("--restart"),
                     QStringLiteral("on-failure:2"), QStringLiteral("berth/busybox"),
                     QStringLiteral("sh")})
                 .exitCode,
             0);
    const PtyResult attached = programInPty(
        findTool(QStringLiteral("docker")), {QStringLiteral("attach"), QStringLiteral("api-att")},
        dockerEnv(), {{"", "echo attached-$((1+1))\r"}, {"attached-2\r\n", "\x10\x11"}});
    QVERIFY2(!attached.timedOut, attached.out.constData());
    QVERIFY2(attached.out.contains("attached-2\r\n"), attached.out.constData());
    const ProcessResult still =
        docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                QStringLiteral("{{.State.Running}} {{.HostConfig.RestartPolicy.Name}} "
                               "{{.HostConfig.RestartPolicy.MaximumRetryCount}}"),
                QStringLiteral("api-att")});
    QCOMPARE(still.out.trimmed(), QByteArray("true on-failure 2"));
    const ProcessResult rm =
        docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("api-att")});
    QVERIFY2(rm.exitCode == 0, qPrintable(rm.describe()));
}

void TestApi::logsExecStatsAndLifeCycle() {
    const ProcessResult run = docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
         QStringLiteral("api-d1"), QStringLiteral("berth/busybox"), QStringLiteral("sh"),
         QStringLiteral("-c"),
         QStringLiteral("trap 'exit 0' TERM; echo started; while true; do sleep 0.2; done")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QByteArray id = run.out.trimmed();
    QCOMPARE(id.size(), 64);

    QTRY_VERIFY_WITH_TIMEOUT(
        docker({QStringLiteral("logs"), QStringLiteral("api-d1")}).out.contains("started"), 10000);
    // logs -f streams until the container stops.
    QProcess follow;
    follow.setProcessEnvironment(dockerEnv());
    follow.start(findTool(QStringLiteral("docker")),
                 {QStringLiteral("logs"), QStringLiteral("-f"), QStringLiteral("api-d1")});
    QVERIFY(follow.waitForStarted());
    QByteArray followed;
    QTRY_VERIFY_WITH_TIMEOUT((followed += follow.readAllStandardOutput()).contains("started"),
                             10000);
    QCOMPARE(follow.state(), QProcess::Running);

    const ProcessResult ps = docker({QStringLiteral("ps")});
    QVERIFY2(ps.out.contains("api-d1") && ps.out.contains("Up "), ps.out.constData());

    // exec runs inside the container: it sees the container's processes and files.
    const ProcessResult exec =
        docker({QStringLiteral("exec"), QStringLiteral("api-d1"), QStringLiteral("sh"),
                QStringLiteral("-c"), QStringLiteral("cat /etc/hostname; exit 5")});
    QCOMPARE(exec.exitCode, 5);
    QCOMPARE(exec.out.trimmed(), id.left(12));

    const ProcessResult stats =
        docker({QStringLiteral("stats"), QStringLiteral("--no-stream"), QStringLiteral("api-d1")});
    QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));
    QVERIFY2(stats.out.contains("api-d1") && stats.out.contains("%"), stats.out.constData());

    const ProcessResult top = docker({QStringLiteral("top"), QStringLiteral("api-d1")});
    QVERIFY2(top.out.contains("while true"), qPrintable(top.describe()));

    QCOMPARE(docker({QStringLiteral("stop"), QStringLiteral("api-d1")}).exitCode, 0);
    QVERIFY(follow.waitForFinished(10000));
    QCOMPARE(follow.exitCode(), 0);
    const ProcessResult stopped =
        docker({QStringLiteral("ps"), QStringLiteral("-a"), QStringLiteral("--format"),
                QStringLiteral("{{.Names}} {{.Status}}")});
    QVERIFY2(stopped.out.contains("api-d1 Exited (0)"), stopped.out.constData());
    QCOMPARE(docker({QStringLiteral("start"), QStringLiteral("api-d1")}).exitCode, 0);
    QVERIFY(docker({QStringLiteral("ps")}).out.contains("api-d1"));
    // A running container is not removed without -f.
    const ProcessResult refused = docker({QStringLiteral("rm"), QStringLiteral("api-d1")});
    QVERIFY(refused.exitCode != 0);
    QVERIFY2(refused.err.contains("cannot remove a running container"), refused.err.constData());
    QCOMPARE(
        docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("api-d1")}).exitCode, 0);
    QVERIFY(!docker({QStringLiteral("ps"), QStringLiteral("-a")}).out.contains("api-d1"));
}

void TestApi::publishesPortsAndConfines() {
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QString port = QString::number(probe.serverPort());
    probe.close();
    const ProcessResult run =
        docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                QStringLiteral("api-web"), QStringLiteral("-p"), port + QStringLiteral(":80"),
                QStringLiteral("berth/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                QStringLiteral("mkdir -p /www; echo api-page > /www/index.html; "
                               "exec busybox httpd -f -p 80 -h /www")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const ProcessResult ports = docker({QStringLiteral("port"), QStringLiteral("api-web")});
    QVERIFY2(ports.out.contains("80/tcp -> 0.0.0.0:" + port.toUtf8()),
             qPrintable(ports.describe()));
    const ProcessResult ps = docker({QStringLiteral("ps"), QStringLiteral("--format"),
                                     QStringLiteral("{{.Names}} {{.Ports}}")});
    QVERIFY2(ps.out.contains("api-web 0.0.0.0:" + port.toUtf8() + "->80/tcp"), ps.out.constData());
    QByteArray page;
    for (int attempt = 0; attempt < 50 && !page.contains("api-page"); ++attempt) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, quint16(port.toInt()));
        if (socket.waitForConnected(5000)) {
            socket.write("GET / HTTP/1.0\r\n\r\n");
            while (socket.waitForReadyRead(5000))
                page += socket.readAll();
        }
        if (!page.contains("api-page"))
            QThread::msleep(100);
    }
    QVERIFY2(page.contains("api-page"), page.constData());
    QCOMPARE(
        docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("api-web")}).exitCode,
        0);
    // The seccomp options the docker CLI sends reach the container.
    const QString script = QStringLiteral("busybox unshare -U true && echo made-namespace");
    const ProcessResult confined =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("berth/busybox"),
                QStringLiteral("sh"), QStringLiteral("-c"), script});
    QVERIFY2(!confined.out.contains("made-namespace"), qPrintable(confined.describe()));
    const ProcessResult unconfined =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--security-opt"),
                QStringLiteral("seccomp=unconfined"), QStringLiteral("berth/busybox"),
                QStringLiteral("sh"), QStringLiteral("-c"), script});
    QVERIFY2(unconfined.out.contains("made-namespace"), qPrintable(unconfined.describe()));
}

void TestApi::buildsImages() {
    const QString context = m_dir.filePath(QStringLiteral("context"));
    QDir().mkpath(context);
    QFile dockerfile(context + QStringLiteral("/Dockerfile"));
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    dockerfile.write("FROM berth/busybox\nRUN echo built > /built.txt\nCOPY note.txt /note.txt\n"
                     "CMD [\"cat\", \"/built.txt\", \"/note.txt\"]\n");
    dockerfile.close();
    QFile note(context + QStringLiteral("/note.txt"));
    QVERIFY(note.open(QIODevice::WriteOnly));
    note.write("from the context\n");
    note.close();
    const ProcessResult build = docker(
        {QStringLiteral("build"), QStringLiteral("-t"), QStringLiteral("api/built:1"), context});
    QVERIFY2(build.exitCode == 0, qPrintable(build.describe()));
    QVERIFY2(build.out.contains("Step 2/4 : RUN echo built"), build.out.constData());
    QVERIFY2(build.out.contains("Successfully tagged api/built:1"), build.out.constData());
    const ProcessResult run =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("api/built:1")});
    QVERIFY2(run.out == "built\nfrom the context\n", qPrintable(run.describe()));

    // A broken Dockerfile is reported, not a hang or a half image.
    QVERIFY(dockerfile.open(QIODevice::WriteOnly | QIODevice::Truncate));
    dockerfile.write("FROM berth/busybox\nBOGUS instruction\n");
    dockerfile.close();
    const ProcessResult broken = docker({QStringLiteral("build"), context});
    QVERIFY(broken.exitCode != 0);
    QVERIFY2(broken.err.contains("BOGUS") || broken.err.contains("unknown instruction"),
             qPrintable(broken.describe()));
}

// `docker import` (images/create?fromSrc=-), and builds whose context is `remote` (docker-py's
// build(path=URL)): a Dockerfile or a context tarball over http, a git repository.
void TestApi::importsAndBuildsFromRemotes() {
    const QString rootfs = m_dir.filePath(QStringLiteral("import-rootfs"));
    QDir().mkpath(rootfs + QStringLiteral("/bin"));
    QVERIFY(
        QFile::copy(findTool(QStringLiteral("busybox")), rootfs + QStringLiteral("/bin/busybox")));
    QFile hello(rootfs + QStringLiteral("/hello"));
    QVERIFY(hello.open(QIODevice::WriteOnly));
    hello.write("imported through the API\n");
    hello.close();
    const QString tarball = m_dir.filePath(QStringLiteral("import.tar"));
    QCOMPARE(run(findTool(QStringLiteral("tar")), {"-C", rootfs, "-cf", tarball, "."}).exitCode, 0);
    const ProcessResult imported =
        docker({"import", "--change", "CMD [\"/bin/busybox\", \"cat\", \"/hello\"]", "-m",
                "from the api test", tarball, "api/imported:1"});
    QVERIFY2(imported.exitCode == 0 && imported.out.startsWith("sha256:"),
             qPrintable(imported.describe()));
    const ProcessResult ran = docker({"run", "--rm", "api/imported:1"});
    QVERIFY2(ran.out == "imported through the API\n", qPrintable(ran.describe()));
    QVERIFY(docker({"history", "api/imported:1"}).out.contains("from the api test"));
    const ProcessResult garbage = docker({"import", "-", "api/garbage:1"}, "not a tarball\n");
    QVERIFY2(garbage.exitCode != 0 && garbage.err.contains("archive"),
             qPrintable(garbage.describe()));
    QVERIFY(!docker({"images"}).out.contains("api/garbage"));

    // The remote contexts: served by Python's http.server, and a git repository on disk.
    const QString web = m_dir.filePath(QStringLiteral("web"));
    const QString repo = m_dir.filePath(QStringLiteral("repo"));
    QDir().mkpath(web);
    QDir().mkpath(repo);
    auto write = [](const QString &path, const QByteArray &text) {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(text) == text.size();
    };
    QVERIFY(write(web + "/Dockerfile", "FROM berth/busybox\nRUN echo from a remote Dockerfile > "
                                       "/r.txt\nCMD [\"cat\", \"/r.txt\"]\n"));
    QVERIFY(write(repo + "/Dockerfile", "FROM berth/busybox\nCOPY note.txt /note.txt\n"
                                        "CMD [\"cat\", \"/note.txt\"]\n"));
    QVERIFY(write(repo + "/note.txt", "from the remote context\n"));
    QCOMPARE(run(findTool(QStringLiteral("tar")),
                 {"-C", repo, "-czf", web + "/context.tar.gz", "Dockerfile", "note.txt"})
                 .exitCode,
             0);
    const QString git = findTool(QStringLiteral("git"));
    QCOMPARE(run(git, {"-C", repo, "init", "-q"}).exitCode, 0);
    QCOMPARE(run(git, {"-C", repo, "add", "."}).exitCode, 0);
    QCOMPARE(run(git, {"-C", repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit",
                       "-qm", "context"})
                 .exitCode,
             0);
    const QByteArray script = R"PY(
import functools, http.server, sys, threading, docker
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[2])
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = 'http://127.0.0.1:%d/' % server.server_address[1]
client = docker.DockerClient(base_url='unix://' + sys.argv[1], version='auto')
client.images.build(path=base + 'Dockerfile', tag='api/remote-dockerfile:1')
out = client.containers.run('api/remote-dockerfile:1', remove=True)
assert out == b'from a remote Dockerfile\n', out
client.images.build(path=base + 'context.tar.gz', tag='api/remote-tar:1')
out = client.containers.run('api/remote-tar:1', remove=True)
assert out == b'from the remote context\n', out
# docker-py sends only http(s), git:// and github URLs as `remote`: a file:// repository
# goes through the low-level call.
response = client.api._post(client.api._url('/build'),
                            params={'remote': 'file://' + sys.argv[3], 't': 'api/remote-git:1'},
                            stream=True)
lines = [m.get('stream', '') for m in client.api._stream_helper(response, decode=True)]
assert any('Successfully tagged api/remote-git:1' in l for l in lines), lines
out = client.containers.run('api/remote-git:1', remove=True)
assert out == b'from the remote context\n', out
try:
    client.images.build(path=base + 'missing', tag='api/never:1')
    raise SystemExit('a missing remote built something')
except docker.errors.APIError as e:
    assert e.status_code == 400 and '404' in str(e), e
print('ok')
)PY";
    const QString path = m_dir.filePath(QStringLiteral("remote.py"));
    QVERIFY(write(path, script));
    const ProcessResult remote = run(debianPython, {path, m_socket, web, repo});
    QVERIFY2(remote.exitCode == 0 && remote.out.trimmed() == "ok", qPrintable(remote.describe()));
}

void TestApi::volumes() {
    QCOMPARE(docker({QStringLiteral("volume"), QStringLiteral("create"), QStringLiteral("api-vol")})
                 .exitCode,
             0);
    QVERIFY(docker({QStringLiteral("volume"), QStringLiteral("ls")}).out.contains("api-vol"));
    const ProcessResult write =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("-v"),
                QStringLiteral("api-vol:/data"), QStringLiteral("berth/busybox"),
                QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo kept > /data/f")});
    QVERIFY2(write.exitCode == 0, qPrintable(write.describe()));
    const ProcessResult read =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("-v"),
                QStringLiteral("api-vol:/data"), QStringLiteral("berth/busybox"),
                QStringLiteral("cat"), QStringLiteral("/data/f")});
    QCOMPARE(read.out, QByteArray("kept\n"));
    const ProcessResult inspect =
        docker({QStringLiteral("volume"), QStringLiteral("inspect"), QStringLiteral("api-vol")});
    QVERIFY2(inspect.out.contains("\"Driver\": \"local\""), inspect.out.constData());
    QCOMPARE(docker({QStringLiteral("volume"), QStringLiteral("rm"), QStringLiteral("api-vol")})
                 .exitCode,
             0);
    QVERIFY(!docker({QStringLiteral("volume"), QStringLiteral("ls")}).out.contains("api-vol"));
}

void TestApi::copiesFiles() {
    const ProcessResult create = docker({QStringLiteral("create"), QStringLiteral("--name"),
                                         QStringLiteral("api-cp"), QStringLiteral("berth/busybox"),
                                         QStringLiteral("cat"), QStringLiteral("/in/a.txt")});
    QVERIFY2(create.exitCode == 0, qPrintable(create.describe()));
    const QString src = m_dir.filePath(QStringLiteral("cp-src/dir"));
    QDir().mkpath(src);
    QFile a(src + QStringLiteral("/a.txt"));
    QVERIFY(a.open(QIODevice::WriteOnly));
    a.write("copied in\n");
    a.close();
    // Into a stopped container: a directory to a path that does not exist yet becomes that
    // path, with the directory's contents.
    const ProcessResult copyIn = docker({QStringLiteral("cp"), src, QStringLiteral("api-cp:/in/")});
    QVERIFY2(copyIn.exitCode == 0, qPrintable(copyIn.describe()));
    const ProcessResult start =
        docker({QStringLiteral("start"), QStringLiteral("-a"), QStringLiteral("api-cp")});
    QVERIFY2(start.out == "copied in\n", qPrintable(start.describe()));
    // ... and out of it again, to the host.
    const QString out = m_dir.filePath(QStringLiteral("cp-out"));
    const ProcessResult copyOut = docker({QStringLiteral("cp"), QStringLiteral("api-cp:/in"), out});
    QVERIFY2(copyOut.exitCode == 0, qPrintable(copyOut.describe()));
    QFile back(out + QStringLiteral("/a.txt"));
    QVERIFY(back.open(QIODevice::ReadOnly));
    QCOMPARE(back.readAll(), QByteArray("copied in\n"));
    const ProcessResult missing =
        docker({QStringLiteral("cp"), QStringLiteral("api-cp:/no/such/file"), out});
    QVERIFY(missing.exitCode != 0);
    QVERIFY2(missing.err.contains("Could not find"), missing.err.constData());
    QCOMPARE(docker({QStringLiteral("rm"), QStringLiteral("api-cp")}).exitCode, 0);
}

// `..` above a container's root is its root: docker cp and the archive endpoint (GET, HEAD,
// PUT) never reach the container's host-side directory (config.json with the environment, the
// log, the shim's state).
void TestApi::archiveStaysInsideTheRoot() {
    const ProcessResult create =
        docker({QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("api-dd"),
                QStringLiteral("-e"), QStringLiteral("SECRET=berth-secret"),
                QStringLiteral("berth/busybox"), QStringLiteral("true")});
    QVERIFY2(create.exitCode == 0, qPrintable(create.describe()));
    const QStringList hostSide = {QStringLiteral("config.json"), QStringLiteral("ctr.log"),
                                  QStringLiteral("rootfs"),      QStringLiteral("diff"),
                                  QStringLiteral("work"),        QStringLiteral("op.lock")};
    auto checkRoot = [&](const QStringList &names, const QString &what) {
        QVERIFY2(names.contains(QStringLiteral("bin")) && names.contains(QStringLiteral("etc")),
                 qPrintable(what + QStringLiteral(": ") + names.join(QLatin1Char(' '))));
        for (const QString &name : hostSide)
            QVERIFY2(!names.contains(name),
                     qPrintable(what + QStringLiteral(": ") + names.join(QLatin1Char(' '))));
    };
    int n = 0;
    for (const QString &path : {QStringLiteral(".."), QStringLiteral("/tmp/../.."),
                                QStringLiteral("/.."), QStringLiteral("../../")}) {
        // What came back, wherever the CLI put it: the CLI names the copy by rebasing the
        // archive's entries from the path's last component, which for ".." is not the name
        // the archive has, so the root's contents may land next to `out` instead of in it.
        const QString parent = m_dir.filePath(QStringLiteral("dd-out%1").arg(n++));
        QVERIFY(QDir().mkpath(parent));
        const QString out = parent + QStringLiteral("/out");
        const ProcessResult cp =
            docker({QStringLiteral("cp"), QStringLiteral("api-dd:") + path, out});
        QStringList names = QDir(parent).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        names += QDir(out).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
        if (cp.exitCode != 0) { // an error is fine, as long as nothing of the host came
            for (const QString &name : hostSide)
                QVERIFY2(!names.contains(name), qPrintable(names.join(QLatin1Char(' '))));
            continue;
        }
        checkRoot(names, QStringLiteral("docker cp api-dd:") + path);
    }
    // The root itself lands in the destination, as with dockerd.
    const QString rootOut = m_dir.filePath(QStringLiteral("dd-root"));
    const ProcessResult rootCp =
        docker({QStringLiteral("cp"), QStringLiteral("api-dd:/"), rootOut});
    QVERIFY2(rootCp.exitCode == 0, qPrintable(rootCp.describe()));
    QVERIFY(QFileInfo(rootOut + QStringLiteral("/bin/busybox")).isFile());
    // The endpoint itself, as a client that sends the path as it is.
    for (const QByteArray &path : {QByteArray(".."), QByteArray("%2Ftmp%2F..%2F..")}) {
        RawClient head(m_socket);
        QVERIFY(head.send("HEAD /containers/api-dd/archive?path=" + path +
                          " HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"));
        const QByteArray headResponse = head.receive();
        QCOMPARE(head.status(headResponse), 200);
        const qsizetype at = headResponse.indexOf("X-Docker-Container-Path-Stat: ");
        QVERIFY2(at >= 0, headResponse.constData());
        const QByteArray stat = headResponse.mid(at + 30).split('\r').first();
        const QJsonObject o = QJsonDocument::fromJson(QByteArray::fromBase64(stat)).object();
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("/"));

        RawClient get(m_socket);
        QVERIFY(get.send("GET /containers/api-dd/archive?path=" + path +
                         " HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"));
        const QByteArray response = get.receive(10000);
        QCOMPARE(get.status(response), 200);
        const QString tar = m_dir.filePath(QStringLiteral("dd-%1.tar").arg(n++));
        QFile f(tar);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(response.mid(response.indexOf("\r\n\r\n") + 4));
        f.close();
        QStringList top;
        for (const QByteArray &line : run(QStringLiteral("/bin/busybox"),
                                          {QStringLiteral("tar"), QStringLiteral("-tf"), tar})
                                          .out.split('\n')) {
            const QString name = QString::fromUtf8(line).remove(QRegularExpression("^\\.?/"));
            if (!name.isEmpty())
                top.append(name.section(QLatin1Char('/'), 0, 0));
        }
        top.removeDuplicates();
        checkRoot(top, QStringLiteral("GET archive?path=") + QString::fromLatin1(path));
    }
    // PUT: docker cp into `..` writes into the container's root.
    const QString in = m_dir.filePath(QStringLiteral("dd-in.txt"));
    QFile inFile(in);
    QVERIFY(inFile.open(QIODevice::WriteOnly));
    inFile.write("in the root\n");
    inFile.close();
    const ProcessResult put =
        docker({QStringLiteral("cp"), in, QStringLiteral("api-dd:/tmp/../..")});
    QVERIFY2(put.exitCode == 0, qPrintable(put.describe()));
    const QString back = m_dir.filePath(QStringLiteral("dd-back.txt"));
    const ProcessResult out =
        docker({QStringLiteral("cp"), QStringLiteral("api-dd:/dd-in.txt"), back});
    QVERIFY2(out.exitCode == 0, qPrintable(out.describe()));
    QFile backFile(back);
    QVERIFY(backFile.open(QIODevice::ReadOnly));
    QCOMPARE(backFile.readAll(), QByteArray("in the root\n"));
    QCOMPARE(docker({QStringLiteral("rm"), QStringLiteral("api-dd")}).exitCode, 0);
}

void TestApi::saveLoadAndRemoveImages() {
    const ProcessResult tag = docker(
        {QStringLiteral("tag"), QStringLiteral("berth/busybox"), QStringLiteral("api/copy:2")});
    QVERIFY2(tag.exitCode == 0, qPrintable(tag.describe()));
    const ProcessResult save = docker({QStringLiteral("save"), QStringLiteral("api/copy:2")});
    QVERIFY2(save.exitCode == 0 && save.out.size() > 100000, qPrintable(save.describe()));
    const ProcessResult rmi = docker({QStringLiteral("rmi"), QStringLiteral("api/copy:2")});
    QVERIFY2(rmi.out.contains("Untagged: api/copy:2"), qPrintable(rmi.describe()));
    QVERIFY(!docker({QStringLiteral("images")}).out.contains("api/copy"));
    const ProcessResult load = docker({QStringLiteral("load")}, save.out);
    QVERIFY2(load.exitCode == 0, qPrintable(load.describe()));
    QVERIFY2(load.out.contains("Loaded image: api/copy:2"), load.out.constData());
    QVERIFY(docker({QStringLiteral("images")}).out.contains("api/copy"));

    const ProcessResult missing = docker({QStringLiteral("rmi"), QStringLiteral("no/such:image")});
    QVERIFY(missing.exitCode != 0);
    QVERIFY2(missing.err.contains("No such image"), missing.err.constData());
}

void TestApi::pullsFromRegistry() {
    BERTH_REQUIRE_TOOL("docker-registry");
    QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
    const QString remote = m_registry.address() + QStringLiteral("/api/busybox:pulled");
    QCOMPARE(berthctl(m_store, {QStringLiteral("tag"), QStringLiteral("berth/busybox"), remote})
                 .exitCode,
             0);
    const ProcessResult push = docker({QStringLiteral("push"), remote});
    QVERIFY2(push.exitCode == 0, qPrintable(push.describe()));
    QVERIFY2(push.out.contains("digest: sha256:"), push.out.constData());
    QCOMPARE(docker({QStringLiteral("rmi"), remote}).exitCode, 0);

    const ProcessResult pull = docker({QStringLiteral("pull"), remote});
    QVERIFY2(pull.exitCode == 0, qPrintable(pull.describe()));
    QVERIFY2(pull.out.contains("Status: "), pull.out.constData());
    const ProcessResult run = docker({QStringLiteral("run"), QStringLiteral("--rm"), remote,
                                      QStringLiteral("echo"), QStringLiteral("pulled-and-ran")});
    QCOMPARE(run.out, QByteArray("pulled-and-ran\n"));
    const ProcessResult missing =
        docker({QStringLiteral("pull"), m_registry.address() + QStringLiteral("/no/such:tag")});
    QVERIFY(missing.exitCode != 0);
}

void TestApi::eventsFromAnyFace() {
    // An event made by berthctl (another process, another face) reaches the API's stream.
    const QString since = QString::number(QDateTime::currentSecsSinceEpoch() - 1);
    QCOMPARE(berthctl(m_store,
                      {QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("api-ev"),
                       QStringLiteral("berth/busybox"), QStringLiteral("true")})
                 .exitCode,
             0);
    QCOMPARE(berthctl(m_store, {QStringLiteral("rm"), QStringLiteral("api-ev")}).exitCode, 0);
    const QString until = QString::number(QDateTime::currentSecsSinceEpoch() + 1);
    const ProcessResult events =
        docker({QStringLiteral("events"), QStringLiteral("--since"), since,
                QStringLiteral("--until"), until, QStringLiteral("--filter"),
                QStringLiteral("container=api-ev"), QStringLiteral("--format"),
                QStringLiteral("{{.Type}} {{.Action}} {{.Actor.Attributes.name}}")});
    QVERIFY2(events.exitCode == 0, qPrintable(events.describe()));
    QVERIFY2(events.out.contains("container create api-ev"), events.out.constData());
    QVERIFY2(events.out.contains("container destroy api-ev"), events.out.constData());
}

void TestApi::pythonSdk() {
    const ProcessResult probe =
        run(debianPython, {QStringLiteral("-c"), QStringLiteral("import docker")});
    BERTH_REQUIRE(probe.exitCode == 0, QStringLiteral("needs python3-docker installed"));
    const QByteArray script = R"PY(
import sys, docker
client = docker.DockerClient(base_url='unix://' + sys.argv[1], version='auto')
assert client.ping()
images = [t for i in client.images.list() for t in i.tags]
assert 'berth/busybox:latest' in images, images
pulled = client.images.pull(sys.argv[2] + '/api/busybox', tag='pulled')
assert sys.argv[2] + '/api/busybox:pulled' in pulled.tags, pulled.tags
c = client.containers.run(sys.argv[2] + '/api/busybox:pulled', ['sh', '-c', 'echo python-sdk; exit 0'],
                          name='api-py', detach=True)
result = c.wait()
assert result['StatusCode'] == 0, result
logs = c.logs()
assert logs == b'python-sdk\n', logs
c.remove()
names = [x.name for x in client.containers.list(all=True)]
assert 'api-py' not in names, names
print('ok')
)PY";
    const QString path = m_dir.filePath(QStringLiteral("sdk.py"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(script);
    f.close();
    QVERIFY2(!m_registry.address().isEmpty(), "pullsFromRegistry starts the registry");
    const ProcessResult sdk = run(debianPython, {path, m_socket, m_registry.address()});
    QVERIFY2(sdk.exitCode == 0 && sdk.out.trimmed() == "ok", qPrintable(sdk.describe()));
}

// What docker-py does that dockerd allows (issue: API fidelity): a bind given through
// containers.run(volumes=...) arrives both as Config.Volumes and HostConfig.Binds; an exec's
// output is framed as its start request's Tty says; a missing program exits 127, a directory
// 126; kill then remove must not race. The script: tests/data/api/sdk_fidelity.py.
void TestApi::pythonSdkFidelity() {
    const ProcessResult probe =
        run(debianPython, {QStringLiteral("-c"), QStringLiteral("import docker")});
    BERTH_REQUIRE(probe.exitCode == 0, QStringLiteral("needs python3-docker installed"));
    const ProcessResult sdk = run(debianPython,
                                  {QStringLiteral(BERTH_TEST_DATA "/api/sdk_fidelity.py"), m_socket,
                                   m_dir.filePath(QStringLiteral("sdk-shared"))},
                                  QProcessEnvironment::systemEnvironment(), 300000);
    QVERIFY2(sdk.exitCode == 0 && sdk.out.trimmed() == "ok", qPrintable(sdk.describe()));
}

// Log drivers as the docker CLI asks for them: json-file options applied and echoed as
// HostConfig.LogConfig {Type, Config}; none keeps attach working but `logs` refuses, as
// dockerd does; anything else is refused by name.
void TestApi::logDrivers() {
    const ProcessResult none =
        docker({QStringLiteral("run"), QStringLiteral("--name"), QStringLiteral("api-nolog"),
                QStringLiteral("--log-driver"), QStringLiteral("none"),
                QStringLiteral("berth/busybox"), QStringLiteral("echo"), QStringLiteral("shown")});
    QVERIFY2(none.exitCode == 0 && none.out.contains("shown"), qPrintable(none.describe()));
    const ProcessResult logs = docker({QStringLiteral("logs"), QStringLiteral("api-nolog")});
    QVERIFY2(logs.exitCode != 0 && logs.err.contains("does not support reading"),
             qPrintable(logs.describe()));
    const ProcessResult type =
        docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                QStringLiteral("{{.HostConfig.LogConfig.Type}}"), QStringLiteral("api-nolog")});
    QCOMPARE(type.out.trimmed(), QByteArray("none"));
    const ProcessResult options = docker(
        {QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
         QStringLiteral("api-logopt"), QStringLiteral("--log-opt"), QStringLiteral("max-size=1m"),
         QStringLiteral("--log-opt"), QStringLiteral("max-file=2"), QStringLiteral("berth/busybox"),
         QStringLiteral("true")});
    QVERIFY2(options.exitCode == 0, qPrintable(options.describe()));
    const ProcessResult config = docker({QStringLiteral("inspect"), QStringLiteral("-f"),
                                         QStringLiteral("{{json .HostConfig.LogConfig.Config}}"),
                                         QStringLiteral("api-logopt")});
    QVERIFY2(config.out.contains("\"max-size\":\"1048576\"") &&
                 config.out.contains("\"max-file\":\"2\""),
             config.out.constData());
    const ProcessResult unknown =
        docker({QStringLiteral("run"), QStringLiteral("--log-opt"), QStringLiteral("labels=a"),
                QStringLiteral("berth/busybox"), QStringLiteral("true")});
    QVERIFY2(unknown.exitCode != 0 && unknown.err.contains("labels"),
             qPrintable(unknown.describe()));
    QCOMPARE(
        docker({QStringLiteral("rm"), QStringLiteral("api-nolog"), QStringLiteral("api-logopt")})
            .exitCode,
        0);
}

// No HostConfig field is accepted and ignored: what Berth applies shows in inspect (where it
// takes effect is checked by the tests of each option), everything else is a 400 naming it.
void TestApi::hostConfigFieldsAppliedOrRefused() {
    const ProcessResult walk =
        run(debianPython, {QStringLiteral(BERTH_TEST_DATA "/api/hostconfig_fields.py"), m_socket});
    QVERIFY2(walk.exitCode == 0 && walk.out.trimmed() == "ok", qPrintable(walk.describe()));
}

// Health checks as Docker's clients see them: docker run --health-*, State.Health in inspect,
// "(healthy)" in ps and its health= filter; python3-docker's Healthcheck on create.
void TestApi::healthThroughDockerAndPython() {
    ProcessResult r = docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                              QStringLiteral("api-health"), QStringLiteral("--health-cmd"),
                              QStringLiteral("echo api-probe"), QStringLiteral("--health-interval"),
                              QStringLiteral("100ms"), QStringLiteral("berth/busybox"),
                              QStringLiteral("sleep"), QStringLiteral("1000")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto status = [this](const QString &name) {
        return docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                       QStringLiteral("{{.State.Health.Status}}"), name})
            .out.trimmed();
    };
    QTRY_COMPARE_WITH_TIMEOUT(status(QStringLiteral("api-health")), QByteArray("healthy"), 60000);
    r = docker({QStringLiteral("inspect"), QStringLiteral("--format"),
                QStringLiteral("{{(index .State.Health.Log 0).Output}}"),
                QStringLiteral("api-health")});
    QCOMPARE(r.out, QByteArray("api-probe\n\n"));
    r = docker({QStringLiteral("ps"), QStringLiteral("--filter"), QStringLiteral("health=healthy"),
                QStringLiteral("--format"), QStringLiteral("{{.Names}} {{.Status}}")});
    QVERIFY2(r.exitCode == 0 && r.out.startsWith("api-health Up ") && r.out.contains("(healthy)"),
             qPrintable(r.describe()));
    r = docker({QStringLiteral("ps"), QStringLiteral("--filter"),
                QStringLiteral("health=unhealthy"), QStringLiteral("--format"),
                QStringLiteral("{{.Names}}")});
    QVERIFY2(r.exitCode == 0 && r.out.trimmed().isEmpty(), qPrintable(r.describe()));

    const ProcessResult probe =
        run(debianPython, {QStringLiteral("-c"), QStringLiteral("import docker")});
    BERTH_REQUIRE(probe.exitCode == 0, QStringLiteral("needs python3-docker installed"));
    const QByteArray script = R"PY(
import sys, time, docker
client = docker.DockerClient(base_url='unix://' + sys.argv[1], version='auto')
assert client.containers.get('api-health').attrs['State']['Health']['Status'] == 'healthy'
check = docker.types.Healthcheck(test=['CMD-SHELL', 'echo failing; exit 1'],
                                 interval=100 * 1000 * 1000, retries=2)
c = client.containers.run('berth/busybox', ['sleep', '1000'], name='api-py-health',
                          detach=True, healthcheck=check)
for _ in range(600):
    c.reload()
    if c.attrs['State']['Health']['Status'] == 'unhealthy':
        break
    time.sleep(0.1)
health = c.attrs['State']['Health']
assert health['Status'] == 'unhealthy', health
assert health['FailingStreak'] >= 2, health
assert health['Log'][-1]['ExitCode'] == 1 and health['Log'][-1]['Output'] == 'failing\n', health
assert c.attrs['Config']['Healthcheck']['Retries'] == 2, c.attrs['Config']
c.remove(force=True)
print('ok')
)PY";
    const QString path = m_dir.filePath(QStringLiteral("health.py"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(script);
    f.close();
    const ProcessResult sdk = run(debianPython, {path, m_socket});
    QVERIFY2(sdk.exitCode == 0 && sdk.out.trimmed() == "ok", qPrintable(sdk.describe()));
    QCOMPARE(
        docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("api-health")}).exitCode,
        0);
}

void TestApi::malformedRequests() {
    struct Case {
        QByteArray request;
        int status;
        QByteArray bodyContains;
    };
    const QList<Case> cases{
        {"GET /v1.43/nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404, "page not found"},
        {"GET /v1.99/_ping HTTP/1.1\r\nHost: x\r\n\r\n", 400, "too new"},
        {"GET /v1.12/_ping HTTP/1.1\r\nHost: x\r\n\r\n", 400, "too old"},
        {"DELETE /version HTTP/1.1\r\nHost: x\r\n\r\n", 405, "not allowed"},
        {"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
         "Content-Length: 9\r\n\r\n{\"Image\":",
         400, "invalid JSON"},
        {"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n"
         "{\"Image\":\"no/such:1\"}",
         404, "No such image"},
        {"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 34\r\n\r\n"
         "{\"Image\":\"berth/busybox\",\"Cmd\":42}",
         400, "Cmd"},
        {"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n", 413,
         "larger than"},
        {"GET /containers/json?filters=%7Bbad HTTP/1.1\r\nHost: x\r\n\r\n", 400, "filters"},
        {"GARBAGE\r\n\r\n", 400, "malformed request line"},
        // dockerd's shapes that clients rely on.
        {"GET /v1.43/swarm HTTP/1.1\r\nHost: x\r\n\r\n", 503, "not a swarm manager"},
        {"GET /v1.43/services HTTP/1.1\r\nHost: x\r\n\r\n", 503, "not a swarm manager"},
        {"GET /v1.43/info HTTP/1.1\r\nHost: x\r\n\r\n", 200, "\"Debug\":false"},
        {"POST /images/load HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n\r\ngarbage", 200,
         "errorDetail"},
        {"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 70\r\n\r\n"
         "{\"Image\":\"berth/busybox\",\"HostConfig\":{\"LogConfig\":{\"Type\":\"syslog\"}}}",
         400, "syslog"},
        {"GET /_ping HTTP/1.1\r\nbad header line\r\n\r\n", 400, "malformed header"},
        {"GET /_ping HTTP/1.1\r\nX: " + QByteArray(70000, 'a') + "\r\n\r\n", 431, "too large"},
    };
    for (const Case &c : cases) {
        RawClient client(m_socket);
        QVERIFY(client.connected());
        QVERIFY(client.send(c.request));
        const QByteArray response = client.receive(3000);
        QVERIFY2(client.status(response) == c.status,
                 qPrintable(QString::fromLatin1(c.request.left(60)) + QStringLiteral(" -> ") +
                            QString::fromLatin1(response.left(300))));
        QVERIFY2(response.contains(c.bodyContains), response.constData());
    }
    // Unknown fields are ignored like dockerd does; the container is made.
    RawClient client(m_socket);
    const QByteArray body = R"({"Image":"berth/busybox","Cmd":["true"],"NoSuchField":1})";
    QVERIFY(client.send("POST /containers/create?name=api-unknown HTTP/1.1\r\nHost: x\r\n"
                        "Content-Length: " +
                        QByteArray::number(body.size()) + "\r\n\r\n" + body));
    const QByteArray created = client.receive(3000, 12);
    QVERIFY2(client.status(created) == 201, created.constData());
    QCOMPARE(berthctl(m_store, {QStringLiteral("rm"), QStringLiteral("api-unknown")}).exitCode, 0);
    // The server is still fine.
    QCOMPARE(docker({QStringLiteral("version")}).exitCode, 0);
}

void TestApi::slowAndVanishingClients() {
    // A client that never finishes its request head holds only its own connection.
    RawClient slow(m_socket);
    QVERIFY(slow.send("GET /_ping HTTP/1.1\r\nHost: "));
    // Clients that leave in the middle of a stream.
    for (int i = 0; i < 5; ++i) {
        RawClient leaving(m_socket);
        QVERIFY(leaving.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
        QCOMPARE(leaving.status(leaving.receive(3000, 12)), 200);
    }
    RawClient stream(m_socket);
    QVERIFY(stream.send("GET /containers/json HTTP/1.1\r\nHost: x\r\n\r\n"));
    QCOMPARE(stream.status(stream.receive(3000, 12)), 200);
    for (int i = 0; i < 3; ++i) {
        RawClient ping(m_socket);
        QVERIFY(ping.send("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"));
        const QByteArray pong = ping.receive(3000, 10);
        QCOMPARE(ping.status(pong), 200);
    }
    QVERIFY(slow.send("x\r\n\r\n"));
    QCOMPARE(slow.status(slow.receive(3000, 12)), 200);
}

// Stopping a server that still holds connections (a stream, a client in the middle of its
// request head) ends them and exits cleanly: the server joins its connection threads rather
// than leaving them running on a server and an engine that are gone.
void TestApi::stopEndsEveryConnection() {
    const QString socket = m_dir.filePath(QStringLiteral("stopping.sock"));
    QProcess server;
    server.setProcessEnvironment(m_store.environment());
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(QStringLiteral(BERTH_BERTHCTL),
                 {QStringLiteral("serve"), QStringLiteral("--socket"), socket});
    QVERIFY(server.waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(RawClient(socket).connected(), 10000);
    RawClient stream(socket);
    QVERIFY(stream.send("GET /events HTTP/1.1\r\nHost: x\r\n\r\n"));
    QCOMPARE(stream.status(stream.receive(3000, 12)), 200);
    RawClient slow(socket);
    QVERIFY(slow.send("GET /_ping HTTP/1.1\r\nHost: "));
    server.terminate();
    QVERIFY(server.waitForFinished(30000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
    QVERIFY(!QFile::exists(socket));
}

// More idle connections than the server takes (512) do not lock others out: a new client
// closes the longest idle one instead of getting 503.
void TestApi::idleConnectionsCannotLockOut() {
    std::vector<std::unique_ptr<RawClient>> idle;
    for (int i = 0; i < 520; ++i) {
        idle.push_back(std::make_unique<RawClient>(m_socket));
        QVERIFY(idle.back()->connected());
    }
    RawClient ping(m_socket);
    QVERIFY(ping.connected());
    QVERIFY(ping.send("GET /_ping HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n"));
    const QByteArray response = ping.receive(30000);
    QCOMPARE(ping.status(response), 200);
    // The oldest idle connections were closed to make room (end of stream, no 503).
    const QByteArray first = idle.front()->receive(30000);
    QVERIFY2(first.isEmpty(), first.constData());
    const ProcessResult version = docker({QStringLiteral("version")});
    QVERIFY2(version.exitCode == 0, qPrintable(version.describe()));
}

void TestApi::otherUsersCannotConnect() {
    BERTH_REQUIRE_TOOL("runuser");
    struct stat st {};
    QCOMPARE(::stat(QFile::encodeName(m_socket).constData(), &st), 0);
    QCOMPARE(int(st.st_mode & 0777), 0660);
    const QString connect = QStringLiteral("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
                                           "try:\n  s.connect(sys.argv[1]); print('connected')\n"
                                           "except PermissionError: print('denied')\n");
    const ProcessResult nobody =
        run(QStringLiteral("runuser"),
            {QStringLiteral("-u"), QStringLiteral("nobody"), QStringLiteral("--"),
             QStringLiteral("python3"), QStringLiteral("-c"), connect, m_socket});
    QVERIFY2(nobody.out.trimmed() == "denied", qPrintable(nobody.describe()));
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
