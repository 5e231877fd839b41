// SPDX-License-Identifier: GPL-3.0-or-later
// Compose files as `compose config` resolves them: interpolation, .env, profiles, anchors and
// merge keys, long forms, several -f files merged, and errors that point at file:line:column.
// Real files in a temporary directory, read by the engine's loader.
#include "engine/compose/composeloader.h"
#include "engine/compose/composetree.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QTemporaryDir>

using namespace Berth::Engine;

class TestComposeFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void resolvedConfig();
    void interpolation_data();
    void interpolation();
    void profiles();
    void projectName();
    void overrideMergeRules();
    void errorsPointAtTheirPlace_data();
    void errorsPointAtTheirPlace();
    void warnings();

private:
    QString write(const QString &name, const QByteArray &text);
    Result<ComposeProject> load(const QStringList &files, ComposeLoadOptions o = {});
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestComposeFile::init() {
    // The directory name is the default project name: a fixed one inside the temporary dir.
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(QDir(m_dir->path()).mkdir(QStringLiteral("My App")));
}

QString TestComposeFile::write(const QString &name, const QByteArray &text) {
    const QString path = m_dir->path() + QStringLiteral("/My App/") + name;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

Result<ComposeProject> TestComposeFile::load(const QStringList &files, ComposeLoadOptions o) {
    for (const QString &f : files)
        o.files.append(m_dir->path() + QStringLiteral("/My App/") + f);
    return loadComposeProject(o);
}

// The issue's acceptance case: interpolation, .env, profiles, anchors, long-form ports and
// volumes and an override file produce the expected `compose config`.
void TestComposeFile::resolvedConfig() {
    write(".env", "TAG=1.36\nWEB_PORT=8080\n# a comment\nexport GREETING=\"hello world\"\n");
    write("web.env", "FROM_FILE=yes\nGREETING=overridden by environment\n");
    write("compose.yaml", R"(
x-common: &common
  restart: unless-stopped
  labels:
    team: berth
services:
  web:
    <<: *common
    image: busybox:${TAG}
    command: httpd -f -p 80 -h "/srv/www root"
    env_file: web.env
    environment:
      - GREETING=${GREETING}
      - MISSING=${NOT_SET:-fallback}
      - COST=$$5
    ports:
      - "${WEB_PORT}:80"
      - target: 443
        published: "8443"
        host_ip: 127.0.0.1
        protocol: tcp
    volumes:
      - data:/data
      - ./site:/srv/www:ro
      - type: tmpfs
        target: /tmp
    healthcheck:
      test: wget -q -O- http://localhost/
      interval: 1s
      retries: 3
  client:
    <<: *common
    image: busybox:${TAG}
    depends_on:
      web:
        condition: service_healthy
      init:
        condition: service_completed_successfully
  init:
    image: busybox:${TAG}
    command: ["true"]
  debug:
    image: busybox
    profiles: [debug]
volumes:
  data: {}
)");
    write("compose.override.yaml", R"(
services:
  web:
    command: ["httpd", "-f", "-p", "80"]
    ports:
      - target: 443
        published: "8443"
        host_ip: 127.0.0.1
        protocol: tcp
      - "9090:90/udp"
    volumes:
      - other:/data
volumes:
  other:
)");
    ComposeLoadOptions o;
    o.environment.insert(QStringLiteral("TAG"), QStringLiteral("latest")); // wins over .env
    auto project = load({"compose.yaml", "compose.override.yaml"}, o);
    BERTH_VERIFY_OK(project);
    const QString dir = m_dir->path() + QStringLiteral("/My App");
    const QByteArray expected = QStringLiteral(R"(name: myapp
services:
  client:
    depends_on:
      init:
        condition: service_completed_successfully
        required: true
      web:
        condition: service_healthy
        required: true
    image: busybox:latest
    labels:
      team: berth
    networks:
      default: ~
    restart: unless-stopped
  init:
    command:
      - "true"
    image: busybox:latest
    networks:
      default: ~
  web:
    command:
      - httpd
      - -f
      - -p
      - "80"
    environment:
      COST: $5
      FROM_FILE: "yes"
      GREETING: hello world
      MISSING: fallback
    healthcheck:
      interval: 1s
      retries: 3
      test:
        - CMD-SHELL
        - wget -q -O- http://localhost/
    image: busybox:latest
    labels:
      team: berth
    networks:
      default: ~
    ports:
      - protocol: tcp
        published: "8080"
        target: 80
      - host_ip: 127.0.0.1
        protocol: tcp
        published: "8443"
        target: 443
      - protocol: udp
        published: "9090"
        target: 90
    restart: unless-stopped
    volumes:
      - source: other
        target: /data
        type: volume
      - read_only: true
        source: DIR/site
        target: /srv/www
        type: bind
      - target: /tmp
        type: tmpfs
networks:
  default:
    name: myapp_default
volumes:
  data:
    name: myapp_data
  other:
    name: myapp_other
)")
                                    .replace(QStringLiteral("DIR"), dir)
                                    .toUtf8();
    const QByteArray actual = composeConfigYaml(*project);
    if (actual != expected)
        qWarning().noquote() << "got:\n" << actual;
    QCOMPARE(actual, expected);
    QCOMPARE(project->disabledServices, QStringList{QStringLiteral("debug")});
    QCOMPARE(project->startOrder(), QStringList({"init", "web", "client"}));
}

void TestComposeFile::interpolation_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected"); // "ERROR: part of the message" for errors
    QTest::newRow("braced") << "${A}"
                            << "a";
    QTest::newRow("plain") << "x$A.y"
                           << "xa.y";
    QTest::newRow("unset empty") << "[${UNSET}]"
                                 << "[]";
    QTest::newRow(":- unset") << "${UNSET:-d}"
                              << "d";
    QTest::newRow(":- empty") << "${EMPTY:-d}"
                              << "d";
    QTest::newRow("- empty") << "${EMPTY-d}"
                             << "";
    QTest::newRow("- unset") << "${UNSET-d}"
                             << "d";
    QTest::newRow("nested default") << "${UNSET:-${A}b}"
                                    << "ab";
    QTest::newRow(":+ set") << "${A:+yes}"
                            << "yes";
    QTest::newRow("dollar dollar") << "$$A $${A}"
                                   << "$A ${A}";
    QTest::newRow(":? set") << "${A:?needed}"
                            << "a";
    QTest::newRow(":? empty") << "${EMPTY:?give EMPTY a value}"
                              << "ERROR: required variable EMPTY is missing a value: give EMPTY "
                                 "a value";
    QTest::newRow("? unset") << "${UNSET?}"
                             << "ERROR: required variable UNSET is missing a value";
    QTest::newRow("? empty is set") << "${EMPTY?no}"
                                    << "";
    QTest::newRow("unclosed") << "${A"
                              << "ERROR: unclosed";
    QTest::newRow("bad name") << "${-x}"
                              << "ERROR: invalid interpolation format";
}

void TestComposeFile::interpolation() {
    QFETCH(QString, text);
    QFETCH(QString, expected);
    const QMap<QString, QString> env{{"A", "a"}, {"EMPTY", ""}};
    auto value = interpolateText(text, [&env](const QString &name) -> std::optional<QString> {
        return env.contains(name) ? std::optional(env.value(name)) : std::nullopt;
    });
    if (expected.startsWith(QStringLiteral("ERROR: "))) {
        QVERIFY2(!value, qPrintable(value.value_or(QString())));
        QVERIFY2(value.error().message.contains(expected.mid(7)),
                 qPrintable(value.error().message));
    } else {
        BERTH_VERIFY_OK(value);
        QCOMPARE(*value, expected);
    }
}

void TestComposeFile::profiles() {
    write("compose.yaml", R"(
services:
  app: {image: busybox}
  db: {image: busybox, profiles: [backend]}
  tools: {image: busybox, profiles: [debug, tools], depends_on: [db]}
)");
    auto none = load({"compose.yaml"});
    BERTH_VERIFY_OK(none);
    QCOMPARE(none->services.keys(), QStringList{"app"});

    ComposeLoadOptions byFlag;
    byFlag.profiles = {"backend"};
    auto backend = load({"compose.yaml"}, byFlag);
    BERTH_VERIFY_OK(backend);
    QCOMPARE(backend->services.keys(), QStringList({"app", "db"}));

    ComposeLoadOptions byEnv;
    byEnv.environment.insert("COMPOSE_PROFILES", "debug,backend");
    auto both = load({"compose.yaml"}, byEnv);
    BERTH_VERIFY_OK(both);
    QCOMPARE(both->services.keys(), QStringList({"app", "db", "tools"}));

    // tools needs db, which only the backend profile enables.
    ComposeLoadOptions debugOnly;
    debugOnly.profiles = {"debug"};
    auto broken = load({"compose.yaml"}, debugOnly);
    QVERIFY(!broken);
    QVERIFY2(broken.error().message.contains("depends on \"db\", which no active profile"),
             qPrintable(broken.error().message));

    ComposeLoadOptions named;
    named.services = {"db"};
    auto explicitly = load({"compose.yaml"}, named);
    BERTH_VERIFY_OK(explicitly);
    QVERIFY(explicitly->services.contains("db"));
}

void TestComposeFile::projectName() {
    write("compose.yaml", "services:\n  a: {image: busybox}\n");
    auto fromDir = load({"compose.yaml"});
    BERTH_VERIFY_OK(fromDir);
    QCOMPARE(fromDir->name, QStringLiteral("myapp"));
    QCOMPARE(fromDir->workingDir, m_dir->path() + QStringLiteral("/My App"));

    ComposeLoadOptions flag;
    flag.projectName = "demo_1";
    auto fromFlag = load({"compose.yaml"}, flag);
    BERTH_VERIFY_OK(fromFlag);
    QCOMPARE(fromFlag->name, QStringLiteral("demo_1"));

    write("named.yaml", "name: ${PROJECT:-stack}\nservices:\n  a: {image: busybox}\n");
    auto fromFile = load({"named.yaml"});
    BERTH_VERIFY_OK(fromFile);
    QCOMPARE(fromFile->name, QStringLiteral("stack"));
    QCOMPARE(fromFile->volumes.size(), 0);
    QCOMPARE(fromFile->networks.value("default").name, QStringLiteral("stack_default"));

    ComposeLoadOptions bad;
    bad.projectName = "Bad Name";
    auto refused = load({"compose.yaml"}, bad);
    QVERIFY(!refused);
    QVERIFY(refused.error().message.contains("invalid project name"));

    // Without -f: compose.yaml and its override in the working directory.
    write("compose.override.yaml", "services:\n  a: {command: [echo, hi]}\n");
    ComposeLoadOptions found;
    found.workingDirectory = m_dir->path() + QStringLiteral("/My App");
    auto discovered = loadComposeProject(found);
    BERTH_VERIFY_OK(discovered);
    QCOMPARE(discovered->configFiles.size(), 2);
    QCOMPARE(*discovered->services["a"].command, QStringList({"echo", "hi"}));
}

void TestComposeFile::overrideMergeRules() {
    write("a.yaml", R"(
services:
  s:
    image: busybox
    entrypoint: [sh, -c]
    command: [echo, one]
    environment: {A: "1", B: "2"}
    labels: [x=1]
    expose: ["80"]
    ports: ["8080:80"]
    volumes: ["v1:/data", "/host:/etc/x"]
    healthcheck: {test: [CMD, "true"], interval: 5s}
volumes:
  v1:
  v2:
)");
    write("b.yaml", R"(
services:
  s:
    command: echo two
    environment: [B=3, C=4]
    labels: {y: "2"}
    expose: ["81"]
    ports: ["8080:80", "8081:81"]
    volumes: ["v2:/data"]
    healthcheck: {test: [CMD, "false"]}
    entrypoint: !reset []
)");
    auto p = load({"a.yaml", "b.yaml"});
    BERTH_VERIFY_OK(p);
    const ComposeService &s = p->services["s"];
    QCOMPARE(*s.command, QStringList({"echo", "two"}));
    QVERIFY(!s.entrypoint);
    QCOMPARE(s.environment, (QMap<QString, QString>{{"A", "1"}, {"B", "3"}, {"C", "4"}}));
    QCOMPARE(s.labels, (QMap<QString, QString>{{"x", "1"}, {"y", "2"}}));
    QCOMPARE(s.expose, QStringList({"80/tcp", "81/tcp"}));
    QCOMPARE(s.ports.size(), 2);
    QCOMPARE(s.volumes.size(), 2);
    QCOMPARE(s.volumes[0].source, QStringLiteral("v2"));
    QCOMPARE(s.volumes[1].source, QStringLiteral("/host"));
    QCOMPARE(s.healthcheck->test, QStringList({"CMD", "false"}));
    QCOMPARE(s.healthcheck->interval, QStringLiteral("5s"));
}

void TestComposeFile::errorsPointAtTheirPlace_data() {
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("malformed yaml")
        << QByteArray("services:\n  a:\n    image: [busybox\n") << "compose.yaml:4:1: ";
    QTest::newRow("wrong type") << QByteArray("services:\n  a:\n    image: busybox\n    tty: "
                                              "maybe\n")
                                << "compose.yaml:4:10: services.a.tty: must be a boolean";
    QTest::newRow("ports not a list")
        << QByteArray("services:\n  a:\n    image: busybox\n    ports: 80\n")
        << "compose.yaml:4:12: services.a.ports: must be a list";
    QTest::newRow("bad port") << QByteArray("services:\n  a:\n    image: busybox\n    ports:\n  "
                                            "    - \"80:http\"\n")
                              << "compose.yaml:5:9: services.a.ports: invalid port \"http\"";
    QTest::newRow("unknown dependency")
        << QByteArray("services:\n  a:\n    image: busybox\n    depends_on: [b]\n")
        << "compose.yaml:4:17: services.a.depends_on: service \"a\" depends on undefined "
           "service \"b\"";
    QTest::newRow("cycle") << QByteArray("services:\n  a:\n    image: busybox\n    depends_on: "
                                         "[b]\n  b:\n    image: busybox\n    depends_on: [a]\n")
                           << "dependency cycle: a -> b -> a";
    QTest::newRow("required variable")
        << QByteArray("services:\n  a:\n    image: ${IMAGE:?set IMAGE}\n")
        << "compose.yaml:3:12: services.a.image: required variable IMAGE is missing a value: "
           "set IMAGE";
    QTest::newRow("no image") << QByteArray("services:\n  a:\n    command: [x]\n")
                              << "services.a: has neither an image nor a build context";
    QTest::newRow("undefined volume")
        << QByteArray("services:\n  a:\n    image: busybox\n    volumes: [\"data:/d\"]\n")
        << "refers to undefined volume \"data\"";
    QTest::newRow("duplicate key") << QByteArray("services:\n  a:\n    image: x\n    image: y\n")
                                   << "compose.yaml:4:5: duplicate key \"image\"";
    QTest::newRow("bad duration")
        << QByteArray("services:\n  a:\n    image: x\n    stop_grace_period: 10 seconds\n")
        << "services.a.stop_grace_period: invalid duration";
}

void TestComposeFile::errorsPointAtTheirPlace() {
    QFETCH(QByteArray, text);
    QFETCH(QString, message);
    write("compose.yaml", text);
    auto p = load({"compose.yaml"});
    QVERIFY(!p);
    QCOMPARE(p.error().kind, ErrorKind::InvalidArgument);
    QVERIFY2(p.error().message.contains(message), qPrintable(p.error().message));
    if (message.startsWith("compose.yaml"))
        QVERIFY2(p.error().message.startsWith(m_dir->path()), qPrintable(p.error().message));
}

void TestComposeFile::warnings() {
    write("compose.yaml", R"(
version: "3.8"
x-anything: {a: 1}
services:
  a:
    image: busybox
    deploy: {replicas: 2}
    colour: blue
    x-mine: ok
    cap_add: [NET_ADMIN]
)");
    auto p = load({"compose.yaml"});
    BERTH_VERIFY_OK(p);
    const QString all = p->warnings.join('\n');
    QVERIFY2(all.contains("compose.yaml:2:10: version: obsolete, ignored"), qPrintable(all));
    QVERIFY2(all.contains("compose.yaml:7:13: services.a.deploy: swarm-only, ignored"),
             qPrintable(all));
    QVERIFY2(all.contains("services.a.colour: unknown key, ignored"), qPrintable(all));
    QVERIFY2(all.contains("services.a.cap_add: not supported by Berth yet"), qPrintable(all));
    QVERIFY2(!all.contains("x-"), qPrintable(all));
}

QTEST_GUILESS_MAIN(TestComposeFile)
#include "tst_composefile.moc"
