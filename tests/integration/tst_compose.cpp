// SPDX-License-Identifier: GPL-3.0-or-later
// `berthctl compose` with real containers (the busybox starter image, default bridge): a project
// comes up in dependency order, ps/ls/logs show it as it is, up again recreates only what
// changed, what cannot work is refused before anything starts, a later service failing leaves
// a state ps shows truthfully, and down -v leaves nothing behind.
#include "engine/operations/composeoperations.h"
#include "tests/support/containertesting.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QTcpServer>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestCompose : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void upPsLogsDown();
    void upRecreatesOnlyChangedServices();
    void refusedBeforeAnythingStarts();
    void laterServiceFailingLeavesATruthfulState();
    void runAndExec();
    void configThroughTheCli();
    void buildsThroughTheBuilder();
    void projectsMadeElsewhereAreFoundByLabels();
    void upInTheForegroundShowsWhatRunsNow();

private:
    QString writeProject(const QString &name, const QByteArray &compose);
    ProcessResult compose(const QStringList &args);
    QStringList containerNames();
    std::unique_ptr<TestStore> m_store;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_file;
};

void TestCompose::init() {
    BERTH_REQUIRE_CONTAINERS();
    m_store = std::make_unique<TestStore>();
    // The offline starter image (every busybox applet, httpd and wget among them).
    const ProcessResult starter = berthctl(*m_store, {"starter", "busybox:latest"});
    QVERIFY2(starter.exitCode == 0, qPrintable(starter.describe()));
    m_dir = std::make_unique<QTemporaryDir>(scratchBase() + "/compose-XXXXXX");
}

void TestCompose::cleanup() {
    if (m_store)
        ContainerCleanup cleanup(*m_store);
    m_store.reset();
}

QString TestCompose::writeProject(const QString &name, const QByteArray &text) {
    QDir(m_dir->path()).mkpath(name);
    m_file = m_dir->path() + "/" + name + "/compose.yaml";
    QFile f(m_file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(m_file));
    return m_file;
}

ProcessResult TestCompose::compose(const QStringList &args) {
    return berthctl(*m_store, QStringList{"compose", "-f", m_file} + args);
}

QStringList TestCompose::containerNames() {
    QStringList names;
    for (const ContainerRecord &r : m_store->engine().containers().list())
        names.append(r.name);
    names.sort();
    return names;
}

namespace {
int freePort() {
    QTcpServer server;
    server.listen(QHostAddress::Any, 0);
    return server.serverPort();
}

// A one-shot `init` writes the page into the shared volume, `web` serves it on a published
// port, `client` fetches it through the host once both are there.
QByteArray threeServices(int port) {
    return QStringLiteral(R"(
x-base: &base
  image: busybox
services:
  init:
    <<: *base
    command: ["sh", "-c", "echo hello from init > /data/index.html"]
    volumes: [data:/data]
  web:
    <<: *base
    command: httpd -f -p 80 -h /data
    ports: ["%1:80"]
    volumes: [data:/data]
    depends_on:
      init: {condition: service_completed_successfully}
  client:
    <<: *base
    command: ["sh", "-c", "for i in $$(seq 100); do wget -q -O- http://10.89.0.1:%1/index.html && exec sleep 1000; sleep 0.1; done; exit 1"]
    depends_on: [web]
volumes:
  data:
)")
        .arg(port)
        .toUtf8();
}
} // namespace

void TestCompose::upPsLogsDown() {
    writeProject("demo", threeServices(freePort()));
    const ProcessResult up = compose({"up", "-d", "--wait"});
    QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
    QVERIFY2(up.err.contains("Container demo-client-1  Started"), qPrintable(up.describe()));
    QCOMPARE(containerNames(), QStringList({"demo-client-1", "demo-init-1", "demo-web-1"}));

    // Docker's labels and names, so other tools see the same project.
    auto web = m_store->engine().containers().get("demo-web-1");
    BERTH_VERIFY_OK(web);
    QCOMPARE(web->spec.labels.value("com.docker.compose.project"), QStringLiteral("demo"));
    QCOMPARE(web->spec.labels.value("com.docker.compose.service"), QStringLiteral("web"));
    QCOMPARE(web->spec.labels.value("com.docker.compose.container-number"), QStringLiteral("1"));
    QCOMPARE(web->spec.labels.value("com.docker.compose.oneoff"), QStringLiteral("False"));
    QCOMPARE(web->spec.labels.value("com.docker.compose.project.config_files"), m_file);
    QCOMPARE(web->spec.labels.value("com.docker.compose.config-hash").size(), 64);
    QVERIFY(m_store->engine().containers().volumes().get("demo_data"));

    const ProcessResult ps = compose({"ps", "-a"});
    QVERIFY2(ps.exitCode == 0, qPrintable(ps.describe()));
    QVERIFY2(ps.out.contains("demo-init-1") && ps.out.contains("Exited (0)"), ps.out.constData());
    QVERIFY2(ps.out.contains("0.0.0.0:"), ps.out.constData());
    const ProcessResult running = compose({"ps"});
    QVERIFY2(!running.out.contains("demo-init-1") && running.out.contains("demo-web-1"),
             running.out.constData());

    const ProcessResult logs = compose({"logs", "client"});
    QVERIFY2(logs.out.contains("demo-client-1 | hello from init"), qPrintable(logs.describe()));
    const ProcessResult all = compose({"logs", "--no-color"});
    QVERIFY2(!all.out.contains("\x1b["), all.out.constData());

    const ProcessResult ls = berthctl(*m_store, {"compose", "ls"});
    QVERIFY2(ls.out.contains("demo") && ls.out.contains("running(2)") &&
                 ls.out.contains(m_file.toUtf8()),
             ls.out.constData());

    const ProcessResult down = compose({"down", "-v"});
    QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
    QVERIFY(containerNames().isEmpty());
    QVERIFY(!m_store->engine().containers().volumes().get("demo_data"));
    QVERIFY(m_store->engine().containers().volumes().list().isEmpty());
    const ProcessResult lsAfter = berthctl(*m_store, {"compose", "ls", "-a"});
    QVERIFY2(!lsAfter.out.contains("demo"), lsAfter.out.constData());
}

void TestCompose::upRecreatesOnlyChangedServices() {
    const QByteArray text = R"(
services:
  a: {image: busybox, init: true, command: [sleep, "1000"]}
  b: {image: busybox, init: true, command: [sleep, "1000"]}
)";
    writeProject("recreate", text);
    QVERIFY2(compose({"up", "-d"}).exitCode == 0, "first up");
    auto a1 = m_store->engine().containers().get("recreate-a-1");
    auto b1 = m_store->engine().containers().get("recreate-b-1");
    BERTH_VERIFY_OK(a1);
    BERTH_VERIFY_OK(b1);

    QByteArray changed = text;
    changed.replace("b: {image: busybox, init: true, command: [sleep, \"1000\"]}",
                    "b: {image: busybox, init: true, command: [sleep, \"2000\"]}");
    writeProject("recreate", changed);
    const ProcessResult again = compose({"up", "-d"});
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    QVERIFY2(again.err.contains("Container recreate-a-1  Running") &&
                 again.err.contains("Container recreate-b-1  Recreate"),
             again.err.constData());
    auto a2 = m_store->engine().containers().get("recreate-a-1");
    auto b2 = m_store->engine().containers().get("recreate-b-1");
    BERTH_VERIFY_OK(a2);
    BERTH_VERIFY_OK(b2);
    QCOMPARE(a2->id, a1->id);
    QCOMPARE(a2->started, a1->started);
    QVERIFY(a2->isRunning());
    QVERIFY(b2->id != b1->id);
    QCOMPARE(b2->spec.cmd, QStringList({"sleep", "2000"}));
    QVERIFY(b2->isRunning());
    QVERIFY(compose({"down"}).exitCode == 0);
    QVERIFY(containerNames().isEmpty());
}

void TestCompose::refusedBeforeAnythingStarts() {
    // service_healthy waits for the dependency's health check; one that turns unhealthy
    // stops the project before its dependents start.
    writeProject("healthy", R"(
services:
  db:
    image: busybox
    init: true
    command: [sleep, "1000"]
    healthcheck: {test: ["CMD-SHELL", "exit 1"], interval: 100ms, retries: 2}
  app:
    image: busybox
    init: true
    command: [sleep, "1000"]
    depends_on: {db: {condition: service_healthy}}
)");
    ProcessResult r = compose({"up", "-d"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("unhealthy"), qPrintable(r.describe()));
    QVERIFY(!containerNames().contains("healthy-app-1"));
    QVERIFY(compose({"down"}).exitCode == 0);
    QVERIFY(containerNames().isEmpty());
    writeProject("healthy", R"(
services:
  db:
    image: busybox
    init: true
    command: [sleep, "1000"]
    healthcheck: {test: ["CMD-SHELL", "exit 0"], interval: 100ms}
  app:
    image: busybox
    init: true
    command: [sleep, "1000"]
    depends_on: {db: {condition: service_healthy}}
)");
    r = compose({"up", "-d"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto db = m_store->engine().containers().get("healthy-db-1");
    BERTH_VERIFY_OK(db);
    QCOMPARE(db->health.status, HealthStatus::Healthy);
    QVERIFY(containerNames().contains("healthy-app-1"));
    QVERIFY(compose({"down"}).exitCode == 0);
    QVERIFY(containerNames().isEmpty());

    // A published port something else holds.
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::Any, 0));
    writeProject("ports", QStringLiteral("services:\n  a: {image: busybox, command: [sleep, "
                                         "\"1000\"]}\n  b: {image: busybox, ports: "
                                         "[\"%1:80\"]}\n")
                              .arg(holder.serverPort())
                              .toUtf8());
    r = compose({"up", "-d"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("is already in use"), qPrintable(r.describe()));
    QVERIFY(containerNames().isEmpty());

    // A dependency cycle and an undefined service.
    writeProject("cycle", "services:\n  a: {image: busybox, depends_on: [b]}\n  b: {image: "
                          "busybox, depends_on: [a]}\n");
    r = compose({"up", "-d"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("dependency cycle"), qPrintable(r.describe()));
    writeProject("unknown", "services:\n  a: {image: busybox, depends_on: [nope]}\n");
    r = compose({"up", "-d"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("compose.yaml:2:") &&
                 r.err.contains("undefined service \"nope\""),
             qPrintable(r.describe()));
    // User-defined networks are not there yet: said, not ignored.
    writeProject("nets", "services:\n  a: {image: busybox, networks: [front]}\nnetworks:\n  "
                         "front: {}\n");
    r = compose({"up", "-d"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("network \"front\""), qPrintable(r.describe()));
    QVERIFY(containerNames().isEmpty());
}

void TestCompose::laterServiceFailingLeavesATruthfulState() {
    writeProject("partial", R"(
services:
  first: {image: busybox, init: true, command: [sleep, "1000"]}
  second:
    image: busybox
    command: [/no/such/program]
    depends_on: [first]
  third:
    image: busybox
    init: true
    command: [sleep, "1000"]
    depends_on: [second]
)");
    const ProcessResult up = compose({"up", "-d"});
    QVERIFY2(up.exitCode != 0 && up.err.contains("service \"second\""), qPrintable(up.describe()));
    const ProcessResult ps = compose({"ps", "-a"});
    QVERIFY2(ps.out.contains("partial-first-1") && ps.out.contains("Up "), ps.out.constData());
    QVERIFY2(ps.out.contains("partial-second-1"), ps.out.constData());
    QVERIFY2(!ps.out.contains("partial-third-1"), ps.out.constData());
    auto first = m_store->engine().containers().get("partial-first-1");
    BERTH_VERIFY_OK(first);
    QVERIFY(first->isRunning());
    auto second = m_store->engine().containers().get("partial-second-1");
    BERTH_VERIFY_OK(second);
    QVERIFY(!second->isRunning());

    const ProcessResult down = compose({"down"});
    QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
    QVERIFY(containerNames().isEmpty());
}

void TestCompose::runAndExec() {
    writeProject("tools", R"(
services:
  web: {image: busybox, init: true, command: [sleep, "1000"], environment: {WHO: web}}
  job: {image: busybox, environment: {WHO: job}, depends_on: [web]}
)");
    const ProcessResult run = compose({"run", "--rm", "-T", "job", "sh", "-c", "echo I am $WHO"});
    QVERIFY2(run.exitCode == 0 && run.out.contains("I am job"), qPrintable(run.describe()));
    // The dependency came up; the one-off is gone (--rm).
    QCOMPARE(containerNames(), QStringList{"tools-web-1"});
    const ProcessResult exec = compose({"exec", "-T", "web", "sh", "-c", "echo in $WHO"});
    QVERIFY2(exec.exitCode == 0 && exec.out.contains("in web"), qPrintable(exec.describe()));
    const ProcessResult code = compose({"run", "--rm", "-T", "job", "sh", "-c", "exit 3"});
    QCOMPARE(code.exitCode, 3);
    QVERIFY(compose({"stop"}).exitCode == 0);
    auto web = m_store->engine().containers().get("tools-web-1");
    BERTH_VERIFY_OK(web);
    QVERIFY(!web->isRunning());
    QVERIFY(compose({"start", "web"}).exitCode == 0);
    QVERIFY(m_store->engine().containers().get("tools-web-1")->isRunning());
    QVERIFY(compose({"down"}).exitCode == 0);
    QVERIFY(containerNames().isEmpty());
}

void TestCompose::configThroughTheCli() {
    writeProject("cfg",
                 "services:\n  a:\n    image: busybox:${TAG:-1.36}\n    ports: [\"8080:80\"]\n");
    QFile override(m_dir->path() + "/cfg/override.yaml");
    QVERIFY(override.open(QIODevice::WriteOnly));
    override.write("services:\n  a:\n    command: echo hi\n");
    override.close();
    const ProcessResult r =
        berthctl(*m_store, {"compose", "-f", m_file, "-f", override.fileName(), "config"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("name: cfg\nservices:\n  a:\n    command:\n      - echo\n      - "
                               "hi\n    image: busybox:1.36\n    networks:\n      default: ~\n"
                               "    ports:\n      - protocol: tcp\n        published: \"8080\"\n"
                               "        target: 80\nnetworks:\n  default:\n    name: "
                               "cfg_default\n"));
}

void TestCompose::buildsThroughTheBuilder() {
    writeProject("made", R"(
services:
  app:
    build: ./app
    command: [cat, /built]
)");
    QDir(m_dir->path()).mkpath("made/app");
    QFile dockerfile(m_dir->path() + "/made/app/Dockerfile");
    QVERIFY(dockerfile.open(QIODevice::WriteOnly));
    dockerfile.write("FROM busybox\nRUN echo built by compose > /built\n");
    dockerfile.close();
    const ProcessResult up = compose({"up", "-d"});
    QVERIFY2(up.exitCode == 0 && up.err.contains("Image made-app  Built"),
             qPrintable(up.describe()));
    auto app = m_store->engine().containers().get("made-app-1");
    BERTH_VERIFY_OK(app);
    QCOMPARE(app->spec.image, QStringLiteral("made-app"));
    QVERIFY(m_store->engine().images().resolve("made-app"));
    BERTH_VERIFY_OK(m_store->engine().containers().wait(app->id));
    QVERIFY(compose({"logs"}).out.contains("made-app-1 | built by compose"));
    // Up again without --build keeps the image and the container (nothing changed).
    const ProcessResult again = compose({"up", "-d"});
    QVERIFY2(again.exitCode == 0 && !again.err.contains("Building") &&
                 !again.err.contains("Recreate"),
             qPrintable(again.describe()));
    QVERIFY(compose({"down"}).exitCode == 0);
}

// A container another tool labelled (docker-compose through the API does the same) is part of
// its project: ls lists it, ps -p shows it, down -p removes it without any compose file.
void TestCompose::projectsMadeElsewhereAreFoundByLabels() {
    const ProcessResult made = berthctl(
        *m_store,
        {"run", "-d", "--init", "--name", "elsewhere_web_1", "--label",
         "com.docker.compose.project=elsewhere", "--label", "com.docker.compose.service=web",
         "--label", "com.docker.compose.container-number=1", "--label",
         "com.docker.compose.project.config_files=/srv/elsewhere/docker-compose.yml", "busybox",
         "sleep", "1000"});
    QVERIFY2(made.exitCode == 0, qPrintable(made.describe()));
    const ProcessResult ls = berthctl(*m_store, {"compose", "ls"});
    QVERIFY2(ls.out.contains("elsewhere") && ls.out.contains("running(1)") &&
                 ls.out.contains("/srv/elsewhere/docker-compose.yml"),
             ls.out.constData());
    const ProcessResult ps = berthctl(*m_store, {"compose", "-p", "elsewhere", "ps"});
    QVERIFY2(ps.exitCode == 0 && ps.out.contains("elsewhere_web_1") && ps.out.contains("web"),
             qPrintable(ps.describe()));
    const ProcessResult down = berthctl(*m_store, {"compose", "-p", "elsewhere", "down"});
    QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
    QVERIFY(containerNames().isEmpty());
}

// Without -d, up prints the services' output prefixed with their containers until they stop;
// a container kept from the last up shows only its new run.
void TestCompose::upInTheForegroundShowsWhatRunsNow() {
    writeProject("fg", "services:\n  a: {image: busybox, command: [sh, -c, \"echo out; echo err "
                       ">&2\"]}\n");
    for (int run = 0; run < 2; ++run) {
        const ProcessResult up = compose({"up"});
        QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
        // stdout and stderr are two pipes: their relative order is not kept.
        QCOMPARE(up.out.count("fg-a-1 | out\n"), 1);
        QCOMPARE(up.out.count("fg-a-1 | err\n"), 1);
        QCOMPARE(up.out.size(), qsizetype(strlen("fg-a-1 | out\nfg-a-1 | err\n")));
    }
    QVERIFY(compose({"down"}).exitCode == 0);
}

QTEST_GUILESS_MAIN(TestCompose)
#include "tst_compose.moc"
