// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl build with real containers (runc on overlayfs, a busybox base image): multi-stage
// builds, the image runs, no build-stage layer leaks into the final image, the cache is used for
// every step of an unchanged rebuild (same image ID, no new layer), a changed copied file reruns
// only from its COPY on, build args and ARG defaults, .dockerignore, heredocs and whiteouts.
#include "engine/build/builder.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <unistd.h>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

bool writeFile(const QString &path, const QByteArray &data) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// The step lines followed by " ---> Using cache", by step number.
QList<int> cachedSteps(const QByteArray &out) {
    QList<int> steps;
    int current = 0;
    static const QRegularExpression step(QStringLiteral("^Step (\\d+)/\\d+ : "));
    for (const QByteArray &line : out.split('\n')) {
        const auto m = step.match(QString::fromUtf8(line));
        if (m.hasMatch())
            current = m.captured(1).toInt();
        else if (line == " ---> Using cache")
            steps.append(current);
    }
    return steps;
}

int stepCount(const QByteArray &out) {
    static const QRegularExpression re(QStringLiteral("^Step \\d+/(\\d+) : "),
                                       QRegularExpression::MultilineOption);
    const auto m = re.match(QString::fromUtf8(out));
    return m.hasMatch() ? m.captured(1).toInt() : -1;
}

// A git repository made with the git command line, for git build contexts.
class GitRepo {
public:
    explicit GitRepo(const QString &path)
        : m_path(path) {
        m_env = QProcessEnvironment::systemEnvironment();
        for (const char *k : {"GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"})
            m_env.insert(k, "Berth Test");
        for (const char *k : {"GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"})
            m_env.insert(k, "test@berth.invalid");
        m_env.insert("GIT_CONFIG_NOSYSTEM", "1");
        m_env.insert("HOME", path); // no user configuration
    }
    ProcessResult git(const QStringList &args) const {
        return run(findTool("git"), QStringList{"-C", m_path} + args, m_env);
    }
    bool commitAll(const QString &message) const {
        return git({"add", "-A"}).exitCode == 0 &&
               git({"commit", "-q", "-m", message}).exitCode == 0;
    }
    QString revision(const QString &ref) const {
        return QString::fromUtf8(git({"rev-parse", ref + "^{commit}"}).out.trimmed());
    }
    QProcessEnvironment environment() const { return m_env; }

private:
    QString m_path;
    QProcessEnvironment m_env;
};

int freePort() {
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : -1;
}

bool waitForPort(int port) {
    for (int i = 0; i < 200; ++i) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, quint16(port));
        if (s.waitForConnected(100))
            return true;
        QThread::msleep(50);
    }
    return false;
}

} // namespace

class TestBuild : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void multiStageBuildsAndRuns();
    void cacheReuseAndInvalidation();
    void buildArgsAndDefaults();
    void dockerignoreExcludes();
    void runChangesBecomeLayers();
    void errorsNameTheLine();
    void pullsAMissingBase();
    void gitContexts();

private:
    bool setUpStore();
    ProcessResult build(const QStringList &args);
    std::unique_ptr<TestStore> m_store;
    std::unique_ptr<QTemporaryDir> m_context;
    QString ctx(const QString &rel = {}) const {
        return rel.isEmpty() ? m_context->path() : m_context->path() + QLatin1Char('/') + rel;
    }
};

void TestBuild::init() {
    m_store = std::make_unique<TestStore>();
    m_context = std::make_unique<QTemporaryDir>(scratchBase() + QStringLiteral("/ctx-XXXXXX"));
}

void TestBuild::cleanup() {
    if (m_store) {
        ContainerRuntime &rt = m_store->engine().containers();
        for (const ContainerRecord &c : rt.store().list())
            (void)rt.remove(c.id, ContainerRuntime::Force::Yes);
    }
    m_context.reset();
    m_store.reset();
}

bool TestBuild::setUpStore() {
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    return img.install(*m_store, {"busybox:latest"}).has_value();
}

ProcessResult TestBuild::build(const QStringList &args) {
    return berthctl(*m_store, QStringList{"build"} + args);
}

#define REQUIRE_BUILD_PREREQUISITES()                                                              \
    do {                                                                                           \
        BERTH_REQUIRE_ROOT();                                                                      \
        BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");       \
        BERTH_REQUIRE(!findTool("runc").isEmpty() || !findTool("crun").isEmpty(),                  \
                      "needs runc or crun");                                                       \
        QVERIFY(setUpStore());                                                                     \
    } while (false)

void TestBuild::multiStageBuildsAndRuns() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox AS build\n"
                                         "RUN mkdir /out && echo built-in-stage > /out/result\n"
                                         "\n"
                                         "FROM busybox\n"
                                         "COPY --from=build /out/result /app/result\n"
                                         "CMD [\"cat\", \"/app/result\"]\n"));
    const ProcessResult r = build({"-t", "multi:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Step 2/5 : RUN mkdir /out"));
    QVERIFY(r.out.contains("Successfully tagged multi:1"));

    const ProcessResult run = berthctl(*m_store, {"run", "--rm", "multi:1"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    QCOMPARE(run.out, QByteArray("built-in-stage\n"));

    // The final image is busybox's layer plus the COPY layer; the RUN layer of the build stage
    // is not in it.
    auto image = m_store->engine().images().resolve("multi:1");
    QVERIFY(image.has_value());
    auto base = m_store->engine().images().resolve("busybox:latest");
    QVERIFY(base.has_value());
    QCOMPARE(image->layers.size(), 2);
    QCOMPARE(image->layers.first().diffId, base->layers.first().diffId);
    auto provenance = BuildCache::provenance(m_store->paths(), image->id);
    QVERIFY(provenance.has_value());
    const auto &steps = provenance->steps;
    QCOMPARE(steps.size(), 3); // FROM, COPY, CMD of the final stage
    QCOMPARE(steps.at(1).firstLine, 5);
    QCOMPARE(steps.at(1).diffId, image->layers.last().diffId);
    QVERIFY(!steps.at(1).emptyLayer);
    QVERIFY(steps.at(2).emptyLayer);
    auto config = m_store->engine().images().config(*image);
    QVERIFY(config.has_value());
    const auto history = config->history();
    QVERIFY(history.last().emptyLayer);
    QVERIFY(history.last().createdBy.startsWith("CMD [\"cat\",\"/app/result\"]"));
    // Intermediate images are gone.
    QCOMPARE(m_store->engine().images().list().size(), 2);
}

void TestBuild::cacheReuseAndInvalidation() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\n"
                                         "COPY a.txt /a.txt\n"
                                         "RUN cat /a.txt > /a.copy\n"
                                         "COPY b.txt /b.txt\n"
                                         "RUN cat /a.copy /b.txt > /all\n"
                                         "ENV X=1\n"
                                         "CMD [\"cat\", \"/all\"]\n"));
    QVERIFY(writeFile(ctx("a.txt"), "a\n"));
    QVERIFY(writeFile(ctx("b.txt"), "b\n"));
    const ProcessResult first = build({"-t", "cache:1", ctx()});
    QVERIFY2(first.exitCode == 0, qPrintable(first.describe()));
    QVERIFY(cachedSteps(first.out).isEmpty());
    auto image1 = m_store->engine().images().resolve("cache:1");
    QVERIFY(image1.has_value());
    const auto snapshots1 = m_store->engine().snapshots().list().size();
    const auto blobs1 = m_store->engine().content().list().size();

    // Nothing changed: every step after FROM is a cache hit, same image, no new layer.
    const ProcessResult second = build({"-t", "cache:1", ctx()});
    QVERIFY2(second.exitCode == 0, qPrintable(second.describe()));
    QCOMPARE(cachedSteps(second.out), (QList<int>{2, 3, 4, 5, 6, 7}));
    QVERIFY(!second.out.contains("Running in"));
    auto image2 = m_store->engine().images().resolve("cache:1");
    QVERIFY(image2.has_value());
    QCOMPARE(image2->id, image1->id);
    QCOMPARE(m_store->engine().snapshots().list().size(), snapshots1);
    QCOMPARE(m_store->engine().content().list().size(), blobs1);
    auto provenance = BuildCache::provenance(m_store->paths(), image2->id);
    QVERIFY(provenance.has_value());
    for (int i = 1; i < provenance->steps.size(); ++i)
        QVERIFY(provenance->steps.at(i).cached);

    // Touching a file's mtime alone is not a change.
    QVERIFY(writeFile(ctx("b.txt"), "b\n"));
    const ProcessResult touched = build({ctx()});
    QCOMPARE(cachedSteps(touched.out), (QList<int>{2, 3, 4, 5, 6, 7}));

    // A changed copied file reruns from its COPY on.
    QVERIFY(writeFile(ctx("b.txt"), "B changed\n"));
    const ProcessResult third = build({"-t", "cache:2", ctx()});
    QVERIFY2(third.exitCode == 0, qPrintable(third.describe()));
    QCOMPARE(cachedSteps(third.out), (QList<int>{2, 3}));
    const ProcessResult run = berthctl(*m_store, {"run", "--rm", "cache:2"});
    QCOMPARE(run.out, QByteArray("a\nB changed\n"));

    // Provenance: each step's lines, whether it came from the cache, and why a step ran.
    QVERIFY(third.out.contains(" ---> Cache miss: b.txt changed"));
    auto image3 = m_store->engine().images().resolve("cache:2");
    QVERIFY(image3.has_value());
    auto steps = BuildCache::provenance(m_store->paths(), image3->id).value().steps;
    QCOMPARE(steps.size(), 7);
    QCOMPARE(steps[0].instruction, QString("FROM busybox"));
    QVERIFY(steps[1].cached && steps[2].cached);
    QCOMPARE(steps[3].firstLine, 4);
    QVERIFY(!steps[3].cached);
    QCOMPARE(steps[3].reasons, QStringList{"b.txt changed"});
    QCOMPARE(steps[4].reasons, QStringList{"parent changed"});
    QCOMPARE(steps[3].diffId, image3->layers[image3->layers.size() - 2].diffId);
    QCOMPARE(steps[4].diffId, image3->layers.last().diffId);
    const ProcessResult history = berthctl(*m_store, {"history", "--no-trunc", "cache:2"});
    QVERIFY2(history.exitCode == 0, qPrintable(history.describe()));
    const QList<QByteArray> rows = history.out.split('\n');
    QVERIFY(rows[0].contains("LINE") && rows[0].contains("BUILD CACHE"));
    QVERIFY2(rows[4].contains("COPY b.txt /b.txt") && rows[4].contains(" 4 ") &&
                 rows[4].contains("ran: b.txt changed"),
             rows[4].constData());
    QVERIFY2(rows[6].contains("COPY a.txt /a.txt") && rows[6].contains("cached"),
             rows[6].constData());
    const ProcessResult historyJson =
        berthctl(*m_store, {"history", "--format", "json", "cache:2"});
    QVERIFY(historyJson.out.contains("\"RanBecause\":[\"parent changed\"]"));

    // A changed instruction says so.
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\n"
                                         "COPY a.txt /a.txt\n"
                                         "RUN cat /a.txt > /a.copy && echo more >> /a.copy\n"
                                         "COPY b.txt /b.txt\n"
                                         "RUN cat /a.copy /b.txt > /all\n"
                                         "ENV X=1\n"
                                         "CMD [\"cat\", \"/all\"]\n"));
    const ProcessResult edited = build({"-t", "cache:3", ctx()});
    QVERIFY2(edited.exitCode == 0, qPrintable(edited.describe()));
    steps =
        BuildCache::provenance(m_store->paths(), m_store->engine().images().resolve("cache:3")->id)
            .value()
            .steps;
    QCOMPARE(steps[2].reasons, QStringList{"the instruction changed"});

    // --no-cache reruns everything.
    const ProcessResult fresh = build({"--no-cache", "-t", "cache:4", ctx()});
    QVERIFY2(fresh.exitCode == 0, qPrintable(fresh.describe()));
    QVERIFY(cachedSteps(fresh.out).isEmpty());
    steps =
        BuildCache::provenance(m_store->paths(), m_store->engine().images().resolve("cache:4")->id)
            .value()
            .steps;
    QCOMPARE(steps[1].reasons, QStringList{"--no-cache"});

    // The provenance goes with its image.
    const QString provenanceFile =
        m_store->paths().cache() + "/build/provenance/" + image3->id.hex() + ".json";
    QVERIFY(QFile::exists(provenanceFile));
    const ProcessResult rmi = berthctl(*m_store, {"rmi", "cache:2"});
    QVERIFY2(rmi.exitCode == 0, qPrintable(rmi.describe()));
    QVERIFY(!QFile::exists(provenanceFile));
}

void TestBuild::buildArgsAndDefaults() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "ARG BASE=busybox\n"
                                         "FROM ${BASE}\n"
                                         "ARG WHO=default-who\n"
                                         "ARG HOW\n"
                                         "ENV GREETING=\"hello ${WHO}\"\n"
                                         "RUN echo \"$GREETING ${HOW:-plainly}\" > /msg\n"
                                         "CMD [\"cat\", \"/msg\"]\n"));
    ProcessResult r = build({"-t", "args:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "args:1"}).out,
             QByteArray("hello default-who plainly\n"));

    r = build({"-t", "args:2", "--build-arg", "WHO=berth", "--build-arg", "HOW=loudly", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "args:2"}).out, QByteArray("hello berth loudly\n"));
    // A build arg only a RUN sees still invalidates that RUN.
    r = build({"-t", "args:3", "--build-arg", "WHO=berth", "--build-arg", "HOW=softly", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(cachedSteps(r.out), (QList<int>{2, 3, 4}));
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "args:3"}).out, QByteArray("hello berth softly\n"));
    auto args3 = m_store->engine().images().resolve("args:3");
    QVERIFY(args3.has_value());
    QCOMPARE(BuildCache::provenance(m_store->paths(), args3->id).value().steps[4].reasons,
             QStringList{"build arg HOW changed"});

    r = build({"--build-arg", "UNUSED=1", ctx()});
    QVERIFY(r.out.contains("[Warning] One or more build-args [UNUSED] were not consumed"));

    // --target stops at a stage; --label lands in the config.
    QVERIFY(writeFile(ctx("Dockerfile.multi"), "FROM busybox AS one\n"
                                               "RUN echo one > /stage\n"
                                               "FROM busybox AS two\n"
                                               "RUN echo two > /stage\n"));
    r = build({"-f", ctx("Dockerfile.multi"), "--target", "one", "--label", "team=berth", "-t",
               "target:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(stepCount(r.out), 3);
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "target:1", "cat", "/stage"}).out,
             QByteArray("one\n"));
    auto image = m_store->engine().images().resolve("target:1");
    QVERIFY(image.has_value());
    QCOMPARE(m_store->engine().images().config(*image)->config().labels.value("team"),
             QString("berth"));
}

void TestBuild::dockerignoreExcludes() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nCOPY . /src/\nCOPY *.md /docs/\n"));
    QVERIFY(writeFile(ctx("keep.txt"), "keep"));
    QVERIFY(writeFile(ctx("secret.env"), "secret"));
    QVERIFY(writeFile(ctx("README.md"), "readme"));
    QVERIFY(writeFile(ctx("NOTES.md"), "notes"));
    QVERIFY(writeFile(ctx("logs/a.log"), "log"));
    QVERIFY(writeFile(ctx("logs/keep.log"), "kept log"));
    QVERIFY(writeFile(ctx(".dockerignore"), "# comment\n*.env\nlogs\n!logs/keep.log\nNOTES.md\n"));
    const ProcessResult r = build({"-t", "ignore:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult ls = berthctl(
        *m_store, {"run", "--rm", "ignore:1", "sh", "-c", "cd /src && echo * logs/* /docs/*"});
    QCOMPARE(ls.out,
             QByteArray("Dockerfile README.md keep.txt logs logs/keep.log /docs/README.md\n"));

    DockerIgnore rules = DockerIgnore::parse("**/*.tmp\n/build\n!build/keep\n");
    QVERIFY(rules.excludes("a/b/c.tmp"));
    QVERIFY(rules.excludes("c.tmp"));
    QVERIFY(rules.excludes("build/x"));
    QVERIFY(!rules.excludes("build/keep"));
    QVERIFY(!rules.excludes("src/build"));
}

void TestBuild::runChangesBecomeLayers() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\n"
                                         "RUN rm /etc/passwd && mkdir -p /data/sub && "
                                         "echo x > /data/sub/f\n"
                                         "RUN rm -r /data && mkdir /data && echo y > /data/g\n"
                                         "WORKDIR /work\n"
                                         "COPY <<EOF greeting.txt\n"
                                         "hello from a heredoc\n"
                                         "EOF\n"
                                         "RUN <<EOF\n"
                                         "pwd > /where\n"
                                         "EOF\n"));
    const ProcessResult r = build({"-t", "layers:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult ls =
        berthctl(*m_store, {"run", "--rm", "layers:1", "sh", "-c",
                            "cat /etc/passwd 2>/dev/null || echo gone; echo /data/*; cat "
                            "/work/greeting.txt /where"});
    QCOMPARE(ls.out, QByteArray("gone\n/data/g\nhello from a heredoc\n/work\n"));
}

void TestBuild::errorsNameTheLine() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nRUN echo fine\nRUN exit 3\n"));
    ProcessResult r = build({ctx()});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("Dockerfile:3:1: the command '/bin/sh -c exit 3' returned a "
                            "non-zero code: 3"),
             qPrintable(r.describe()));
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM 127.0.0.1:1/nosuchimage:1\n"));
    r = build({ctx()});
    QVERIFY2(r.err.contains("Dockerfile:1:1: FROM 127.0.0.1:1/nosuchimage:1: not in the store, "
                            "and the pull failed: "),
             qPrintable(r.describe()));
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nCOPY missing.txt /\n"));
    r = build({ctx()});
    QVERIFY2(r.err.contains("Dockerfile:2:1: COPY failed: \"missing.txt\" not found"),
             qPrintable(r.describe()));
    // No container is left behind by the failed RUN.
    QCOMPARE(m_store->engine().containers().list().size(), 0);
}

void TestBuild::pullsAMissingBase() {
    REQUIRE_BUILD_PREREQUISITES();
    BERTH_REQUIRE_TOOL("docker-registry");
    BERTH_REQUIRE_TOOL("skopeo");
    RegistryServer registry;
    QVERIFY2(registry.start(), qPrintable(registry.errorString()));
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    QTemporaryDir layout(scratchBase() + QStringLiteral("/berth-oci-XXXXXX"));
    QVERIFY(img.writeOciLayout(layout.path(), QStringLiteral("latest")));
    const ProcessResult pushed =
        run(findTool("skopeo"),
            {"copy", "--dest-tls-verify=false", QStringLiteral("oci:%1:latest").arg(layout.path()),
             QStringLiteral("docker://%1/test/bb:1").arg(registry.address())});
    QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.describe()));
    QVERIFY(writeFile(ctx("Dockerfile"),
                      QStringLiteral("FROM %1/test/bb:1\nRUN echo pulled > /p\nCMD [\"cat\", "
                                     "\"/p\"]\n")
                          .arg(registry.address())
                          .toUtf8()));
    const ProcessResult r = build({"-t", "pulled:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Pulling "));
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "pulled:1"}).out, QByteArray("pulled\n"));
}

// A git repository with two tags: building at a tag builds that tag's content and records the
// commit; local paths, file://, git:// (git daemon) and smart HTTP (git http-backend) all clone
// through libgit2; the checkout is removed afterwards.
void TestBuild::gitContexts() {
    REQUIRE_BUILD_PREREQUISITES();
    BERTH_REQUIRE_TOOL("git");
    BERTH_REQUIRE_TOOL("python3");
    const QString repoPath = ctx("repo");
    QVERIFY(QDir().mkpath(repoPath));
    GitRepo repo(repoPath);
    QVERIFY(repo.git({"init", "-q", "-b", "main"}).exitCode == 0);
    QVERIFY(writeFile(repoPath + "/Dockerfile",
                      "FROM busybox\nCOPY msg /msg\nCMD [\"cat\", \"/msg\"]\n"));
    QVERIFY(writeFile(repoPath + "/msg", "version one\n"));
    QVERIFY(repo.commitAll("one"));
    QVERIFY(repo.git({"tag", "v1"}).exitCode == 0);
    QVERIFY(writeFile(repoPath + "/msg", "version two\n"));
    QVERIFY(writeFile(repoPath + "/app/Dockerfile", "FROM busybox\nCOPY . /app/\n"));
    QVERIFY(writeFile(repoPath + "/app/inner.txt", "inner of two\n"));
    QVERIFY(repo.commitAll("two"));
    QVERIFY(repo.git({"tag", "-a", "-m", "annotated", "v2"}).exitCode == 0);
    QVERIFY(writeFile(repoPath + "/msg", "uncommitted\n")); // the work tree is not the context
    const QString v1 = repo.revision("v1");
    const QString v2 = repo.revision("v2");
    QCOMPARE(v1.size(), 40);

    auto labelsOf = [&](const QString &name) {
        auto image = m_store->engine().images().resolve(name);
        return image ? m_store->engine().images().config(*image)->config().labels
                     : QMap<QString, QString>();
    };
    auto output = [&](const QString &image, const QStringList &cmd = {}) {
        return berthctl(*m_store, QStringList{"run", "--rm", image} + cmd).out;
    };

    // A local repository at a tag.
    ProcessResult r = build({"-t", "git:v1", repoPath + "#v1"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("Cloning " + repoPath.toUtf8()));
    QCOMPARE(output("git:v1"), QByteArray("version one\n"));
    QCOMPARE(labelsOf("git:v1").value("org.opencontainers.image.revision"), v1);
    QCOMPARE(labelsOf("git:v1").value("org.opencontainers.image.source"), repoPath);

    // file:// at an annotated tag with a subdirectory: the context is the subdirectory.
    r = build({"-t", "git:v2app", "file://" + repoPath + "#v2:app"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(output("git:v2app", {"sh", "-c", "ls /app; cat /app/inner.txt"}),
             QByteArray("Dockerfile\ninner.txt\ninner of two\n"));
    QCOMPARE(labelsOf("git:v2app").value("org.opencontainers.image.revision"), v2);

    // A bare repository builds its HEAD; a git context has no .git directory.
    const QString bare = ctx("served/repo.git");
    QVERIFY(run(findTool("git"), {"clone", "-q", "--bare", repoPath, bare}, repo.environment())
                .exitCode == 0);
    r = build({"-t", "git:bare", "-f", "app/Dockerfile", bare});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(output("git:bare", {"sh", "-c", "ls -a /app"}),
             QByteArray(".\n..\nDockerfile\napp\nmsg\n"));
    QCOMPARE(labelsOf("git:bare").value("org.opencontainers.image.revision"), v2);

    // Errors: an unknown ref, a subdirectory that leaves the repository, a Dockerfile outside.
    r = build({repoPath + "#v9"});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("no branch, tag or commit \"v9\" in the repository"),
             qPrintable(r.describe()));
    r = build({repoPath + "#v2:../.."});
    QVERIFY2(r.err.contains("subdirectory \"../..\" leaves the repository"),
             qPrintable(r.describe()));
    r = build({repoPath + "#v1:nope"});
    QVERIFY2(r.err.contains("no directory \"nope\" at v1"), qPrintable(r.describe()));

    // git:// from git daemon.
    const int daemonPort = freePort();
    QProcess daemon;
    daemon.start(findTool("git"), {"daemon", "--reuseaddr", "--export-all",
                                   "--base-path=" + ctx("served"), "--listen=127.0.0.1",
                                   QStringLiteral("--port=%1").arg(daemonPort), ctx("served")});
    QVERIFY(daemon.waitForStarted());
    QVERIFY(waitForPort(daemonPort));
    r = build(
        {"-t", "git:daemon", QStringLiteral("git://127.0.0.1:%1/repo.git#v1").arg(daemonPort)});
    daemon.kill();
    daemon.waitForFinished();
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(output("git:daemon"), QByteArray("version one\n"));

    // Smart HTTP from git http-backend, at a commit.
    QProcess http;
    http.start(
        findTool("python3"),
        {QStringLiteral(BERTH_SOURCE_DIR) + "/tests/support/git-http-server.py", ctx("served")});
    QVERIFY(http.waitForStarted());
    QVERIFY(http.waitForReadyRead(10000));
    const int httpPort = http.readLine().trimmed().toInt();
    QVERIFY(httpPort > 0);
    const QString url = QStringLiteral("http://user:secret@127.0.0.1:%1/repo.git").arg(httpPort);
    r = build({"-t", "git:http", url + "#" + v1});
    http.kill();
    http.waitForFinished();
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(output("git:http"), QByteArray("version one\n"));
    QCOMPARE(labelsOf("git:http").value("org.opencontainers.image.revision"), v1);
    // No credentials in the label.
    QCOMPARE(labelsOf("git:http").value("org.opencontainers.image.source"),
             QStringLiteral("http://127.0.0.1:%1/repo.git").arg(httpPort));

    // Every checkout was removed.
    QCOMPARE(
        QDir(m_store->paths().tmp()).entryList({"build-git-*"}, QDir::AllEntries | QDir::Hidden),
        QStringList());
}

QTEST_GUILESS_MAIN(TestBuild)
#include "tst_build.moc"
