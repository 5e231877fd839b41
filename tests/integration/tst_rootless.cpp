// SPDX-License-Identifier: GPL-3.0-or-later
// Rootless Berth: berthctl run as a normal user (uid != 0, with a subordinate id range), in its
// own store under its home, inside the user namespace its keeper holds. The suite runs as root
// (as CI does), so it makes the user itself when the machine lacks one (useradd gives it a
// subordinate range), opens /dev/net/tun as a desktop has it, and runs berthctl through
// setpriv with that user's ids and a home and runtime directory of its own.
#include "tests/support/imagefixture.h"
#include "tests/support/ptysession.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTest>
#include <csignal>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Berth;
using namespace Berth::Test;

namespace {

const QString kUser = QStringLiteral("berthtest");

// Every directory above `path` lets others through (the test user runs the build's berthctl).
QString unreachableAncestor(const QString &path) {
    QString dir = QFileInfo(path).absolutePath();
    while (!dir.isEmpty() && dir != QLatin1String("/")) {
        struct stat st;
        if (::stat(QFile::encodeName(dir).constData(), &st) != 0 || (st.st_mode & S_IXOTH) == 0)
            return dir;
        dir = QFileInfo(dir).absolutePath();
    }
    return QString();
}

} // namespace

class TestRootless : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void infoSaysRootless();
    void runPrintsOutput();
    void ownershipFollowsTheMapping();
    void stoppedContainerKeepsItsWrites();
    void lifecycleCommands();
    void execAndTerminal();
    void logs();
    void limitsAreRefused();
    void statsFromProc();
    void defaultNetwork();
    void dockerCliThroughUserSocket();
    void killedKeeperIsReplaced();

private:
    ProcessResult asUser(const QStringList &args, int timeoutMs = 120000) const;
    QProcessEnvironment userEnvironment() const;
    // setpriv's arguments that run `program` with the user's ids and no other groups.
    QStringList asUserArguments(const QString &program) const;
    QString store() const { return m_home + QStringLiteral("/.local/share/berth"); }

    uid_t m_uid = 0;
    gid_t m_gid = 0;
    QString m_base;    // scratch dir holding home and runtime dir
    QString m_home;    // the user's HOME for this test (its store is the default under it)
    QString m_runtime; // XDG_RUNTIME_DIR
    QString m_image;   // docker-archive with busybox and a file of uid 33
};

QProcessEnvironment TestRootless::userEnvironment() const {
    QProcessEnvironment env;
    env.insert(QStringLiteral("PATH"),
               QStringLiteral("/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
    env.insert(QStringLiteral("HOME"), m_home);
    env.insert(QStringLiteral("USER"), kUser);
    env.insert(QStringLiteral("LOGNAME"), kUser);
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_runtime);
    env.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    return env;
}

QStringList TestRootless::asUserArguments(const QString &program) const {
    return {QStringLiteral("--reuid=%1").arg(m_uid), QStringLiteral("--regid=%1").arg(m_gid),
            QStringLiteral("--clear-groups"), QStringLiteral("--"), program};
}

ProcessResult TestRootless::asUser(const QStringList &args, int timeoutMs) const {
    return run(QStringLiteral("setpriv"), asUserArguments(QStringLiteral(BERTH_BERTHCTL)) + args,
               userEnvironment(), timeoutMs);
}

void TestRootless::initTestCase() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE_TOOL("setpriv");
    BERTH_REQUIRE_TOOL("newuidmap");
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    // The test user, made as a desktop installer would: useradd gives it a subordinate range.
    if (!::getpwnam(qPrintable(kUser))) {
        const ProcessResult added =
            run(QStringLiteral("useradd"), {QStringLiteral("-m"), QStringLiteral("-U"), kUser});
        QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    }
    const passwd *pw = ::getpwnam(qPrintable(kUser));
    QVERIFY(pw);
    m_uid = pw->pw_uid;
    m_gid = pw->pw_gid;
    for (const char *file : {"/etc/subuid", "/etc/subgid"}) {
        QFile f(QString::fromLatin1(file));
        QVERIFY(f.open(QIODevice::ReadOnly) || !f.exists());
        if (!f.readAll().contains(kUser.toUtf8() + ':')) {
            // An older useradd, or a user made without a range: give it one that is free.
            const ProcessResult added =
                run(QStringLiteral("usermod"),
                    {QStringLiteral("--add-subuids"), QStringLiteral("300000-365535"),
                     QStringLiteral("--add-subgids"), QStringLiteral("300000-365535"), kUser});
            QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
        }
    }
    // Desktop Debian opens /dev/net/tun to everyone (udev); slirp4netns needs it.
    QVERIFY(::chmod("/dev/net/tun", 0666) == 0);
    const QString blocked = unreachableAncestor(QStringLiteral(BERTH_BERTHCTL));
    QVERIFY2(
        blocked.isEmpty(),
        qPrintable(QStringLiteral("%1 cannot reach berthctl: %2 is not o+x").arg(kUser, blocked)));

    m_base = QDir(scratchBase()).filePath(QStringLiteral("berth-rootless-%1").arg(::getpid()));
    m_home = m_base + QStringLiteral("/home");
    m_runtime = m_base + QStringLiteral("/run");
    QVERIFY(QDir().mkpath(m_home) && QDir().mkpath(m_runtime));
    for (const QString &dir : {m_base, m_home, m_runtime}) {
        QVERIFY(::chown(QFile::encodeName(dir).constData(), m_uid, m_gid) == 0);
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0700) == 0);
    }
    QVERIFY(::chmod(QFile::encodeName(m_base).constData(), 0755) == 0);

    // busybox, a file of uid 33 (www-data) and a device node, which rootless cannot make.
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder()
                   .dir("data")
                   .file("data/www", "served\n", 0644, 33, 33)
                   .dir("dev")
                   .charDevice("dev/berth-null", 1, 3),
               LayerBuilder::Compression::Gzip, "COPY data /data")
        .cmd({"sh"});
    m_image = m_base + QStringLiteral("/image.tar");
    QVERIFY(img.writeDockerArchive(m_image, {"rootless/busybox:latest"}));
    QVERIFY(::chmod(QFile::encodeName(m_image).constData(), 0644) == 0);
    const ProcessResult loaded = asUser({QStringLiteral("load"), QStringLiteral("-i"), m_image});
    QVERIFY2(loaded.exitCode == 0, qPrintable(loaded.describe()));
    QVERIFY2(loaded.err.contains("skipped device node"), qPrintable(loaded.describe()));
}

void TestRootless::cleanupTestCase() {
    if (m_base.isEmpty())
        return;
    const ProcessResult listed = asUser({QStringLiteral("ps"), QStringLiteral("-aq")});
    const QStringList ids =
        QString::fromUtf8(listed.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    if (!ids.isEmpty())
        asUser(QStringList{QStringLiteral("rm"), QStringLiteral("-f")} + ids);
    // The keeper goes with the test's runtime directory; its namespace (and the mounts in it)
    // ends with it.
    QFile keeper(m_runtime + QStringLiteral("/berth/keeper"));
    if (keeper.open(QIODevice::ReadOnly)) {
        const pid_t pid = pid_t(keeper.readAll().split(' ').value(0).toInt());
        if (pid > 0)
            ::kill(pid, SIGKILL);
    }
    QDir(m_base).removeRecursively();
}

void TestRootless::infoSaysRootless() {
    const ProcessResult info = asUser({QStringLiteral("info")});
    QVERIFY2(info.exitCode == 0, qPrintable(info.describe()));
    QVERIFY2(info.out.contains("Store: " + store().toUtf8()), qPrintable(info.describe()));
    QVERIFY2(info.out.contains("Mode: rootless"), qPrintable(info.describe()));
    QVERIFY2(info.out.contains("keeper pid"), qPrintable(info.describe()));
    QVERIFY2(QRegularExpression(QStringLiteral("Runtime: (crun|runc)"))
                 .match(QString::fromUtf8(info.out))
                 .hasMatch(),
             qPrintable(info.describe()));
    // The host's cgroups are not delegated here: the fix is named.
    QVERIFY2(info.out.contains("missing: no cgroup delegated"), qPrintable(info.describe()));
}

void TestRootless::runPrintsOutput() {
    const ProcessResult r =
        asUser({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
                QStringLiteral("none"), QStringLiteral("rootless/busybox"), QStringLiteral("echo"),
                QStringLiteral("hi")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("hi\n"));
    const ProcessResult ps = asUser({QStringLiteral("ps"), QStringLiteral("-aq")});
    QCOMPARE(ps.out, QByteArray());
}

void TestRootless::ownershipFollowsTheMapping() {
    const ProcessResult r = asUser(
        {QStringLiteral("run"), QStringLiteral("--name"), QStringLiteral("owner"),
         QStringLiteral("--network"), QStringLiteral("none"), QStringLiteral("rootless/busybox"),
         QStringLiteral("sh"), QStringLiteral("-c"),
         QStringLiteral("stat -c '%u:%g %n' /data/www; id -u; echo mine > /written-by-root")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    // Inside: the image's uid 33 is uid 33, and the container runs as root.
    QCOMPARE(r.out, QByteArray("33:33 /data/www\n0\n"));
    // On the host: what container root wrote belongs to the user; uid 33 is in its range.
    QString written;
    QString www;
    for (QDirIterator it(store(), QDir::Files | QDir::Hidden | QDir::System,
                         QDirIterator::Subdirectories);
         it.hasNext();) {
        const QString path = it.next();
        if (path.endsWith(QLatin1String("/written-by-root")))
            written = path;
        if (path.endsWith(QLatin1String("/data/www")))
            www = path;
    }
    QVERIFY2(!written.isEmpty(), "the container's write is in its read-write layer");
    struct stat st;
    QVERIFY(::stat(QFile::encodeName(written).constData(), &st) == 0);
    QCOMPARE(st.st_uid, m_uid);
    QVERIFY(!www.isEmpty());
    QVERIFY(::stat(QFile::encodeName(www).constData(), &st) == 0);
    QVERIFY2(st.st_uid != 33 && st.st_uid != 0 && st.st_uid != m_uid,
             qPrintable(QStringLiteral("uid 33 of the image is %1 on the host").arg(st.st_uid)));
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("owner")}).exitCode == 0);
}

void TestRootless::stoppedContainerKeepsItsWrites() {
    const ProcessResult created =
        asUser({QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("keeper"),
                QStringLiteral("--network"), QStringLiteral("none"),
                QStringLiteral("rootless/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                QStringLiteral("echo run >> /count; cat /count")});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    const ProcessResult first =
        asUser({QStringLiteral("start"), QStringLiteral("-a"), QStringLiteral("keeper")});
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    QCOMPARE(first.out, QByteArray("run\n"));
    const ProcessResult second =
        asUser({QStringLiteral("start"), QStringLiteral("-a"), QStringLiteral("keeper")});
    QVERIFY2(second.exitCode == 0, qPrintable(second.describe()));
    QCOMPARE(second.out, QByteArray("run\nrun\n"));
    const QString id = QString::fromUtf8(
        asUser({QStringLiteral("ps"), QStringLiteral("-aq"), QStringLiteral("--no-trunc")})
            .out.trimmed());
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("keeper")}).exitCode == 0);
    QVERIFY2(!QFileInfo::exists(store() + QStringLiteral("/containers/") + id),
             "rm deletes the container's read-write layer");
}

void TestRootless::lifecycleCommands() {
    const ProcessResult started =
        asUser({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                QStringLiteral("life"), QStringLiteral("--network"), QStringLiteral("none"),
                QStringLiteral("rootless/busybox"), QStringLiteral("busybox"),
                QStringLiteral("sleep"), QStringLiteral("1000")});
    QVERIFY2(started.exitCode == 0, qPrintable(started.describe()));
    auto status = [&] {
        const QJsonArray inspected =
            QJsonDocument::fromJson(asUser({QStringLiteral("inspect"), QStringLiteral("life")}).out)
                .array();
        return inspected.first()
            .toObject()
            .value(QStringLiteral("State"))
            .toObject()
            .value(QStringLiteral("Status"))
            .toString()
            .toUtf8();
    };
    QVERIFY2(status() == "running", status().constData());
    const QList<QPair<QStringList, QByteArray>> steps{
        {{QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("1")}, "exited"},
        {{QStringLiteral("start")}, "running"},
        {{QStringLiteral("restart"), QStringLiteral("-t"), QStringLiteral("1")}, "running"},
        {{QStringLiteral("kill")}, "exited"}};
    for (const auto &[command, expected] : steps) {
        const ProcessResult r = asUser(command + QStringList{QStringLiteral("life")});
        QVERIFY2(r.exitCode == 0, qPrintable(command.first() + r.describe()));
        // kill returns once the signal is sent, as Docker's does: the end follows.
        for (int i = 0; i < 50 && status() != expected; ++i)
            QTest::qWait(100);
        QVERIFY2(status() == expected,
                 qPrintable(command.first() + QLatin1String(": ") + QString::fromUtf8(status())));
    }
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("life")}).exitCode == 0);
    QCOMPARE(asUser({QStringLiteral("ps"), QStringLiteral("-aq")}).out, QByteArray());
}

void TestRootless::execAndTerminal() {
    QVERIFY(asUser({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                    QStringLiteral("shell"), QStringLiteral("--network"), QStringLiteral("none"),
                    QStringLiteral("rootless/busybox"), QStringLiteral("busybox"),
                    QStringLiteral("sleep"), QStringLiteral("1000")})
                .exitCode == 0);
    const ProcessResult exec = asUser({QStringLiteral("exec"), QStringLiteral("shell"),
                                       QStringLiteral("cat"), QStringLiteral("/data/www")});
    QVERIFY2(exec.exitCode == 0, qPrintable(exec.describe()));
    QCOMPARE(exec.out, QByteArray("served\n"));
    // top lists the container's processes (no cgroup: its init's process tree).
    const ProcessResult top = asUser({QStringLiteral("top"), QStringLiteral("shell")});
    QVERIFY2(top.exitCode == 0 && top.out.contains("sleep 1000"), qPrintable(top.describe()));
    // pause needs the freezer cgroup a rootless container does not have here: said so.
    const ProcessResult pause = asUser({QStringLiteral("pause"), QStringLiteral("shell")});
    QVERIFY2(pause.exitCode != 0 && pause.err.contains("cgroup"), qPrintable(pause.describe()));
    QVERIFY(
        asUser({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("shell")}).exitCode ==
        0);

    const PtyResult pty = programInPty(
        findTool(QStringLiteral("setpriv")),
        asUserArguments(QStringLiteral(BERTH_BERTHCTL)) +
            QStringList{QStringLiteral("run"), QStringLiteral("-it"), QStringLiteral("--rm"),
                        QStringLiteral("--network"), QStringLiteral("none"),
                        QStringLiteral("rootless/busybox"), QStringLiteral("sh")},
        userEnvironment(), {{"#", "tty; echo pty-$((6*7))\rexit 3\r"}});
    QVERIFY2(!pty.timedOut, pty.out.constData());
    QVERIFY2(pty.out.contains("/dev/pts/"), pty.out.constData());
    QVERIFY2(pty.out.contains("pty-42"), pty.out.constData());
    QCOMPARE(pty.exitCode, 3);
}

void TestRootless::logs() {
    QVERIFY(asUser({QStringLiteral("run"), QStringLiteral("--name"), QStringLiteral("talker"),
                    QStringLiteral("--network"), QStringLiteral("none"),
                    QStringLiteral("rootless/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("echo out; echo err >&2")})
                .exitCode == 0);
    const ProcessResult logs = asUser({QStringLiteral("logs"), QStringLiteral("talker")});
    QVERIFY2(logs.exitCode == 0, qPrintable(logs.describe()));
    QCOMPARE(logs.out, QByteArray("out\n"));
    QCOMPARE(logs.err, QByteArray("err\n"));
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("talker")}).exitCode == 0);
}

void TestRootless::limitsAreRefused() {
    const QByteArray before = asUser({QStringLiteral("ps"), QStringLiteral("-aq")}).out;
    for (const QStringList &limit :
         {QStringList{QStringLiteral("--memory"), QStringLiteral("64m")},
          QStringList{QStringLiteral("--cpus"), QStringLiteral("1")},
          QStringList{QStringLiteral("--pids-limit"), QStringLiteral("10")}}) {
        const ProcessResult r =
            asUser(QStringList{QStringLiteral("run"), QStringLiteral("--rm")} + limit +
                   QStringList{QStringLiteral("--network"), QStringLiteral("none"),
                               QStringLiteral("rootless/busybox"), QStringLiteral("true")});
        QVERIFY2(r.exitCode != 0, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(limit.first().toUtf8() + " is not available") &&
                     r.err.contains("cgroup"),
                 qPrintable(r.describe()));
    }
    QCOMPARE(asUser({QStringLiteral("ps"), QStringLiteral("-aq")}).out, before);
}

// No cgroup of its own: stats are the sums over the container's processes in /proc.
void TestRootless::statsFromProc() {
    QVERIFY(asUser({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                    QStringLiteral("busy"), QStringLiteral("--network"), QStringLiteral("none"),
                    QStringLiteral("rootless/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                    QStringLiteral("while :; do :; done")})
                .exitCode == 0);
    const ProcessResult stats =
        asUser({QStringLiteral("stats"), QStringLiteral("--no-stream"), QStringLiteral("--format"),
                QStringLiteral("json"), QStringLiteral("busy")});
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("busy")}).exitCode ==
            0);
    QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));
    const QJsonObject sample = QJsonDocument::fromJson(stats.out.trimmed()).object();
    QVERIFY2(sample.value(QStringLiteral("CPUPercent")).toDouble() > 0, stats.out.constData());
    QVERIFY2(sample.value(QStringLiteral("MemoryUsageBytes")).toDouble() > 0,
             stats.out.constData());
    QVERIFY2(sample.value(QStringLiteral("PidsCurrent")).toInt() >= 1, stats.out.constData());
}

// The default network through slirp4netns: outward (here the host's loopback, 10.0.2.2 from
// inside) and a published port answering on the host's 127.0.0.1.
void TestRootless::defaultNetwork() {
    BERTH_REQUIRE_TOOL("slirp4netns");
    BERTH_REQUIRE_TOOL("curl");
    BERTH_REQUIRE_TOOL("python3");
    auto freePort = [] {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    };
    const QString served = m_base + QStringLiteral("/served");
    QVERIFY(QDir().mkpath(served));
    QFile page(served + QStringLiteral("/page"));
    QVERIFY(page.open(QIODevice::WriteOnly) && page.write("from-the-host\n") > 0);
    page.close();
    const quint16 hostPort = freePort();
    QProcess server;
    server.setWorkingDirectory(served);
    server.start(QStringLiteral("python3"),
                 {QStringLiteral("-m"), QStringLiteral("http.server"), QStringLiteral("--bind"),
                  QStringLiteral("127.0.0.1"), QString::number(hostPort)});
    QVERIFY(server.waitForStarted());
    const ProcessResult out = asUser(
        {QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("rootless/busybox"),
         QStringLiteral("sh"), QStringLiteral("-c"),
         QStringLiteral("for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://10.0.2.2:%1/page && "
                        "exit; sleep 0.3; done; exit 1")
             .arg(hostPort)});
    server.kill();
    server.waitForFinished();
    QVERIFY2(out.exitCode == 0, qPrintable(out.describe()));
    QCOMPARE(out.out, QByteArray("from-the-host\n"));

    const quint16 published = freePort();
    const ProcessResult web =
        asUser({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                QStringLiteral("web"), QStringLiteral("-p"),
                QStringLiteral("127.0.0.1:%1:80").arg(published),
                QStringLiteral("rootless/busybox"), QStringLiteral("sh"), QStringLiteral("-c"),
                QStringLiteral("mkdir /www && echo served-rootless > /www/index.html && "
                               "exec httpd -f -p 80 -h /www")});
    QVERIFY2(web.exitCode == 0, qPrintable(web.describe()));
    ProcessResult curl;
    for (int attempt = 0; attempt < 20 && curl.out != "served-rootless\n"; ++attempt) {
        if (attempt > 0)
            QTest::qWait(200); // httpd starts after the container does
        curl = run(QStringLiteral("curl"),
                   {QStringLiteral("-s"), QStringLiteral("--max-time"), QStringLiteral("5"),
                    QStringLiteral("http://127.0.0.1:%1/").arg(published)});
    }
    const ProcessResult port = asUser({QStringLiteral("port"), QStringLiteral("web")});
    QVERIFY(asUser({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("web")}).exitCode ==
            0);
    QCOMPARE(curl.out, QByteArray("served-rootless\n"));
    QCOMPARE(port.out, QStringLiteral("80/tcp -> 127.0.0.1:%1\n").arg(published).toUtf8());
    // Its slirp4netns ends with it (SIGTERM, then reaped by whoever inherited it).
    ProcessResult slirps;
    for (int attempt = 0; attempt < 30; ++attempt) {
        slirps =
            run(QStringLiteral("pgrep"), {QStringLiteral("-u"), QString::number(m_uid),
                                          QStringLiteral("-x"), QStringLiteral("slirp4netns")});
        if (slirps.exitCode != 0)
            break;
        QTest::qWait(100);
    }
    QVERIFY2(slirps.exitCode != 0, slirps.out.constData());
}

// `berthctl serve` as the user listens on $XDG_RUNTIME_DIR/berth/berth.sock; the docker CLI
// (run as the user too) works through it.
void TestRootless::dockerCliThroughUserSocket() {
    BERTH_REQUIRE_TOOL("docker");
    const QString socket = m_runtime + QStringLiteral("/berth/berth.sock");
    QFile::remove(socket);
    QProcess serve;
    serve.setProcessEnvironment(userEnvironment());
    serve.start(findTool(QStringLiteral("setpriv")),
                asUserArguments(QStringLiteral(BERTH_BERTHCTL)) +
                    QStringList{QStringLiteral("serve")});
    QVERIFY(serve.waitForStarted());
    for (int i = 0; i < 100 && !QFileInfo::exists(socket); ++i)
        QTest::qWait(50);
    QProcessEnvironment env = userEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix://") + socket);
    auto docker = [&](const QStringList &args) {
        return run(findTool(QStringLiteral("setpriv")),
                   asUserArguments(findTool(QStringLiteral("docker"))) + args, env, 120000);
    };
    const ProcessResult ran =
        docker({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("rootless/busybox"),
                QStringLiteral("echo"), QStringLiteral("via-docker")});
    const ProcessResult started =
        docker({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                QStringLiteral("dlog"), QStringLiteral("rootless/busybox"), QStringLiteral("sh"),
                QStringLiteral("-c"), QStringLiteral("echo logged-by-docker; exec sleep 1000")});
    ProcessResult logs;
    for (int i = 0; i < 50 && !logs.out.contains("logged-by-docker"); ++i) {
        if (i > 0)
            QTest::qWait(100);
        logs = docker({QStringLiteral("logs"), QStringLiteral("dlog")});
    }
    const ProcessResult ps = docker({QStringLiteral("ps")});
    docker({QStringLiteral("rm"), QStringLiteral("-f"), QStringLiteral("dlog")});
    serve.terminate();
    serve.waitForFinished(10000);
    QVERIFY2(ran.exitCode == 0, qPrintable(ran.describe()));
    QCOMPARE(ran.out, QByteArray("via-docker\n"));
    QVERIFY2(started.exitCode == 0, qPrintable(started.describe()));
    QVERIFY2(ps.out.contains("dlog"), qPrintable(ps.describe()));
    QCOMPARE(logs.out, QByteArray("logged-by-docker\n"));
}

// The keeper killed while a container runs: the next command makes a new one; the container
// still shows as running, can be stopped and removed, and new containers run.
void TestRootless::killedKeeperIsReplaced() {
    QVERIFY(asUser({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                    QStringLiteral("survivor"), QStringLiteral("--network"), QStringLiteral("none"),
                    QStringLiteral("rootless/busybox"), QStringLiteral("busybox"),
                    QStringLiteral("sleep"), QStringLiteral("1000")})
                .exitCode == 0);
    auto keeperPid = [&] {
        QFile keeper(m_runtime + QStringLiteral("/berth/keeper"));
        return keeper.open(QIODevice::ReadOnly) ? keeper.readAll().split(' ').value(0).toInt() : 0;
    };
    const int old = keeperPid();
    QVERIFY(old > 0);
    QVERIFY(::kill(old, SIGKILL) == 0);
    const ProcessResult ps = asUser({QStringLiteral("ps")});
    QVERIFY2(ps.exitCode == 0 && ps.out.contains("survivor"), qPrintable(ps.describe()));
    QVERIFY(keeperPid() > 0 && keeperPid() != old);
    const ProcessResult fresh =
        asUser({QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
                QStringLiteral("none"), QStringLiteral("rootless/busybox"), QStringLiteral("echo"),
                QStringLiteral("after")});
    QVERIFY2(fresh.exitCode == 0 && fresh.out == "after\n", qPrintable(fresh.describe()));
    const ProcessResult stopped = asUser({QStringLiteral("stop"), QStringLiteral("-t"),
                                          QStringLiteral("1"), QStringLiteral("survivor")});
    QVERIFY2(stopped.exitCode == 0, qPrintable(stopped.describe()));
    const ProcessResult removed = asUser({QStringLiteral("rm"), QStringLiteral("survivor")});
    QVERIFY2(removed.exitCode == 0, qPrintable(removed.describe()));
}

QTEST_GUILESS_MAIN(TestRootless)
#include "tst_rootless.moc"
