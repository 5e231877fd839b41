// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl build with real containers (runc on overlayfs, a busybox base image): multi-stage
// builds, the image runs, no build-stage layer leaks into the final image, the cache is used for
// every step of an unchanged rebuild (same image ID, no new layer), a changed copied file reruns
// only from its COPY on, build args and ARG defaults, .dockerignore, heredocs and whiteouts.
#include "engine/builder/builder.h"
#include "engine/core/fileutil.h"
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/layerbuilder.h"
#include "tests/support/podman.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <csignal>
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
    void addExtractsLocalArchives();
    void addDownloadsUrls();
    void onbuildTriggers();
    void copyOwnersExcludesAndParents();
    void podmanRunsABuiltImage();
    void sideDataOfGoneContextsIsCollected();
    void interruptedBuildLeavesNothingRunning();
    void killedBuildIsRemovedByTheNextCommand();

private:
    bool setUpStore();
    ProcessResult build(const QStringList &args);
    // Starts `berthctl build` of the context in `p`; returns its output once a RUN step
    // printed "started" (or it gave up waiting).
    QByteArray startBuildUntilStarted(QProcess &p);
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

QByteArray TestBuild::startBuildUntilStarted(QProcess &p) {
    p.setProcessEnvironment(m_store->environment());
    p.start(QStringLiteral(BERTH_BERTHCTL), {"build", ctx()});
    QByteArray out;
    for (int i = 0; i < 600 && !out.contains("started\n"); ++i)
        if (p.waitForReadyRead(100))
            out += p.readAllStandardOutput();
    return out;
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
    auto image = EngineStores(m_store->engine()).images().resolve("multi:1");
    QVERIFY(image.has_value());
    auto base = EngineStores(m_store->engine()).images().resolve("busybox:latest");
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
    auto config = EngineStores(m_store->engine()).images().config(*image);
    QVERIFY(config.has_value());
    const auto history = config->history();
    QVERIFY(history.last().emptyLayer);
    QVERIFY(history.last().createdBy.startsWith("CMD [\"cat\",\"/app/result\"]"));
    // Intermediate images are gone.
    QCOMPARE(EngineStores(m_store->engine()).images().list().size(), 2);
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
    auto image1 = EngineStores(m_store->engine()).images().resolve("cache:1");
    QVERIFY(image1.has_value());
    const auto snapshots1 = EngineStores(m_store->engine()).snapshots().list().size();
    const auto blobs1 = EngineStores(m_store->engine()).content().list().size();

    // Nothing changed: every step after FROM is a cache hit, same image, no new layer.
    const ProcessResult second = build({"-t", "cache:1", ctx()});
    QVERIFY2(second.exitCode == 0, qPrintable(second.describe()));
    QCOMPARE(cachedSteps(second.out), (QList<int>{2, 3, 4, 5, 6, 7}));
    QVERIFY(!second.out.contains("Running in"));
    auto image2 = EngineStores(m_store->engine()).images().resolve("cache:1");
    QVERIFY(image2.has_value());
    QCOMPARE(image2->id, image1->id);
    QCOMPARE(EngineStores(m_store->engine()).snapshots().list().size(), snapshots1);
    QCOMPARE(EngineStores(m_store->engine()).content().list().size(), blobs1);
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
    auto image3 = EngineStores(m_store->engine()).images().resolve("cache:2");
    QVERIFY(image3.has_value());
    auto steps = BuildCache::provenance(m_store->paths(), image3->id).value().steps;
    QCOMPARE(steps.size(), 7);
    QCOMPARE(steps[0].instruction, QString("FROM busybox"));
    QVERIFY(steps[1].cached && steps[2].cached);
    QCOMPARE(steps[3].firstLine, 4);
    QVERIFY(!steps[3].cached);
    QCOMPARE(steps[3].reasonTexts(), QStringList{"b.txt changed"});
    QCOMPARE(steps[4].reasonTexts(), QStringList{"parent changed"});
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
    steps = BuildCache::provenance(m_store->paths(),
                                   EngineStores(m_store->engine()).images().resolve("cache:3")->id)
                .value()
                .steps;
    QCOMPARE(steps[2].reasonTexts(), QStringList{"the instruction changed"});

    // --no-cache reruns everything.
    const ProcessResult fresh = build({"--no-cache", "-t", "cache:4", ctx()});
    QVERIFY2(fresh.exitCode == 0, qPrintable(fresh.describe()));
    QVERIFY(cachedSteps(fresh.out).isEmpty());
    steps = BuildCache::provenance(m_store->paths(),
                                   EngineStores(m_store->engine()).images().resolve("cache:4")->id)
                .value()
                .steps;
    QCOMPARE(steps[1].reasonTexts(), QStringList{"--no-cache"});

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
    auto args3 = EngineStores(m_store->engine()).images().resolve("args:3");
    QVERIFY(args3.has_value());
    QCOMPARE(BuildCache::provenance(m_store->paths(), args3->id).value().steps[4].reasonTexts(),
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
    auto image = EngineStores(m_store->engine()).images().resolve("target:1");
    QVERIFY(image.has_value());
    QCOMPARE(EngineStores(m_store->engine()).images().config(*image)->config().labels.value("team"),
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
        auto image = EngineStores(m_store->engine()).images().resolve(name);
        return image ? EngineStores(m_store->engine()).images().config(*image)->config().labels
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
    // ADD of a repository copies its files at the ref, without .git.
    QVERIFY(writeFile(ctx("add-git/Dockerfile"),
                      QStringLiteral("FROM busybox\nADD git://127.0.0.1:%1/repo.git#v2:app /src/\n")
                          .arg(daemonPort)
                          .toUtf8()));
    const ProcessResult added = build({"-t", "git:add", ctx("add-git")});
    daemon.kill();
    daemon.waitForFinished();
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(output("git:daemon"), QByteArray("version one\n"));
    QVERIFY2(added.exitCode == 0, qPrintable(added.describe()));
    QCOMPARE(output("git:add", {"sh", "-c", "ls -A /src; cat /src/inner.txt"}),
             QByteArray("Dockerfile\ninner.txt\ninner of two\n"));

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

// ADD unpacks a local tar archive (plain, gzip, bzip2, xz) named as a source, keeping modes,
// owners, symlinks and hard links; a compressed file that is no tar, and anything COPY copies,
// stay as they are; an archive that reaches outside its destination is refused.
void TestBuild::addExtractsLocalArchives() {
    REQUIRE_BUILD_PREREQUISITES();
    using C = LayerBuilder::Compression;
    auto archive = [](const QString &tag) {
        return LayerBuilder()
            .dir("pkg", 0750, 1000, 1000)
            .file("pkg/hello.txt", "hello from " + tag.toUtf8() + "\n", 0640, 1000, 1000)
            .symlink("pkg/link", "hello.txt")
            .hardlink("pkg/hard", "pkg/hello.txt");
    };
    QVERIFY(archive("plain").writeTo(ctx("plain.tar"), C::None));
    QVERIFY(archive("gzip").writeTo(ctx("data.tar.gz"), C::Gzip));
    QVERIFY(archive("bzip2").writeTo(ctx("b.tar.bz2"), C::Bzip2));
    QVERIFY(archive("xz").writeTo(ctx("x.tar.xz"), C::Xz));
    QVERIFY(writeFile(ctx("notes.txt.gz"), compressBytes("just notes\n", C::Gzip)));
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\n"
                                         "ADD plain.tar /plain\n"
                                         "ADD data.tar.gz /gz/\n"
                                         "ADD *.tar.bz2 x.tar.xz /multi/\n"
                                         "ADD notes.txt.gz /notes/\n"
                                         "ADD --chown=7:8 data.tar.gz /owned\n"
                                         "COPY data.tar.gz /copied/\n"));
    const ProcessResult r = build({"-t", "add:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult ls = berthctl(
        *m_store, {"run", "--rm", "add:1", "sh", "-c",
                   "cat /plain/pkg/hello.txt /gz/pkg/link /multi/pkg/hello.txt; "
                   "stat -c '%a %u:%g %h' /plain/pkg /plain/pkg/hello.txt /owned/pkg/hello.txt; "
                   "readlink /gz/pkg/link; ls /notes; ls /copied; zcat /notes/notes.txt.gz"});
    QVERIFY2(ls.exitCode == 0, qPrintable(ls.describe()));
    // The bzip2 and xz archives land in the same place: the later one wins.
    QCOMPARE(ls.out, QByteArray("hello from plain\nhello from gzip\nhello from xz\n"
                                "750 1000:1000 2\n640 1000:1000 2\n640 7:8 2\n"
                                "hello.txt\nnotes.txt.gz\ndata.tar.gz\njust notes\n"));

    QVERIFY(LayerBuilder().file("../escape.txt", "x").writeTo(ctx("evil.tar"), C::None));
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nADD evil.tar /in/\n"));
    const ProcessResult evil = build({ctx()});
    QVERIFY(evil.exitCode != 0);
    // The layer unpacker refuses it, naming the entry.
    QVERIFY2(evil.err.contains("ADD evil.tar: ") &&
                 evil.err.contains("\"../escape.txt\": path escapes the layer root"),
             qPrintable(evil.describe()));
}

// ADD of an http URL downloads the file (never extracted; mode 0600; mtime from Last-Modified)
// and checks --checksum; an error answer is an error at the ADD line.
void TestBuild::addDownloadsUrls() {
    REQUIRE_BUILD_PREREQUISITES();
    BERTH_REQUIRE_TOOL("python3");
    QTemporaryDir served(scratchBase() + "/served-XXXXXX");
    const QByteArray tarball =
        LayerBuilder().file("inside.txt", "x").build(LayerBuilder::Compression::Gzip);
    QVERIFY(writeFile(served.path() + "/pkg.tar.gz", tarball));
    QFile pkg(served.path() + "/pkg.tar.gz");
    QVERIFY(pkg.open(QIODevice::ReadWrite));
    QVERIFY(pkg.setFileTime(QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC),
                            QFileDevice::FileModificationTime));
    pkg.close();
    const int port = freePort();
    QProcess http;
    http.setWorkingDirectory(served.path());
    http.start(findTool("python3"),
               {"-m", "http.server", "--bind", "127.0.0.1", QString::number(port)});
    QVERIFY(http.waitForStarted());
    QVERIFY(waitForPort(port));
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(port);
    const QString digest = Digest::ofData(tarball).toString();

    QVERIFY(writeFile(ctx("Dockerfile"),
                      QStringLiteral("FROM busybox\n"
                                     "ADD %1/pkg.tar.gz /dl/\n"
                                     "ADD --checksum=%2 %1/pkg.tar.gz /renamed.tgz\n")
                          .arg(base, digest)
                          .toUtf8()));
    ProcessResult r = build({"-t", "url:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult ls =
        berthctl(*m_store, {"run", "--rm", "url:1", "sh", "-c",
                            "stat -c '%a %Y' /dl/pkg.tar.gz; sha256sum /renamed.tgz | cut -c1-64"});
    QCOMPARE(ls.out, "600 1700000000\n" + digest.mid(7).toUtf8() + "\n");
    // Unchanged content: the cache is used after the download.
    r = build({ctx()});
    QCOMPARE(cachedSteps(r.out), (QList<int>{2, 3}));

    QVERIFY(writeFile(ctx("Dockerfile"),
                      QStringLiteral("FROM busybox\nADD --checksum=sha256:%1 %2/pkg.tar.gz /x\n")
                          .arg(QString(64, QLatin1Char('0')), base)
                          .toUtf8()));
    r = build({ctx()});
    QVERIFY2(r.err.contains("Dockerfile:2:1: --checksum=sha256:000"), qPrintable(r.describe()));
    QVERIFY(r.err.contains("the download has " + digest.toUtf8()));
    QVERIFY(writeFile(ctx("Dockerfile"),
                      QStringLiteral("FROM busybox\nADD %1/missing.txt /x\n").arg(base).toUtf8()));
    r = build({ctx()});
    QVERIFY2(r.err.contains("Dockerfile:2:1: download " + base.toUtf8() + "/missing.txt: HTTP 404"),
             qPrintable(r.describe()));
    QVERIFY(writeFile(ctx("Dockerfile"),
                      QStringLiteral("FROM busybox\nCOPY %1/pkg.tar.gz /x\n").arg(base).toUtf8()));
    r = build({ctx()});
    QVERIFY2(r.err.contains("COPY cannot copy from a URL"), qPrintable(r.describe()));
    http.kill();
    http.waitForFinished();
    // No download is left behind.
    QCOMPARE(QDir(m_store->paths().tmp()).entryList({"build-download-*"}, QDir::Files),
             QStringList());
}

// ONBUILD triggers are stored in the image, run (in order, with the child's context) when a
// build uses the image as its base, and are not inherited by the child.
void TestBuild::onbuildTriggers() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("parent/Dockerfile"), "FROM busybox\n"
                                                "ONBUILD COPY app.txt /app/\n"
                                                "ONBUILD RUN cat /app/app.txt > /app/seen\n"));
    ProcessResult r = build({"-t", "parent:1", ctx("parent")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto parent = EngineStores(m_store->engine()).images().resolve("parent:1");
    QVERIFY(parent.has_value());
    QVERIFY(EngineStores(m_store->engine())
                .images()
                .rawConfig(*parent)
                ->contains(
                    "\"OnBuild\":[\"COPY app.txt /app/\",\"RUN cat /app/app.txt > /app/seen\"]"));

    QVERIFY(writeFile(ctx("child/app.txt"), "from the child's context\n"));
    QVERIFY(writeFile(ctx("child/Dockerfile"), "FROM parent:1\nCMD [\"cat\", \"/app/seen\"]\n"));
    r = build({"-t", "child:1", ctx("child")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains("# Executing 2 build triggers"));
    QCOMPARE(berthctl(*m_store, {"run", "--rm", "child:1"}).out,
             QByteArray("from the child's context\n"));
    auto child = EngineStores(m_store->engine()).images().resolve("child:1");
    QVERIFY(child.has_value());
    QVERIFY(!EngineStores(m_store->engine()).images().rawConfig(*child)->contains("OnBuild"));
    const auto steps = BuildCache::provenance(m_store->paths(), child->id).value().steps;
    QCOMPARE(steps.size(), 4);
    QVERIFY(steps[1].trigger && steps[2].trigger && !steps[3].trigger);
    QCOMPARE(steps[1].firstLine, 1);

    // The grandchild does not run them again.
    QVERIFY(writeFile(ctx("grandchild/Dockerfile"), "FROM child:1\nRUN test ! -e /app/again\n"));
    r = build({ctx("grandchild")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!r.out.contains("build trigger"));

    // A failing trigger is reported at the FROM line that brought it in.
    QVERIFY(writeFile(ctx("child2/Dockerfile"), "# comment\nFROM parent:1\n"));
    r = build({ctx("child2")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("Dockerfile:2:1: COPY failed: \"app.txt\" not found"),
             qPrintable(r.describe()));
}

// --chown takes names from the image's /etc/passwd and /etc/group; --exclude leaves files out;
// --parents keeps source paths (below a /./ pivot).
void TestBuild::copyOwnersExcludesAndParents() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("f.txt"), "f\n"));
    QVERIFY(writeFile(ctx("logs/keep.txt"), "k\n"));
    QVERIFY(writeFile(ctx("logs/drop.log"), "d\n"));
    QVERIFY(writeFile(ctx("logs/sub/deep.log"), "deep\n"));
    QVERIFY(writeFile(ctx("logs/secret/s.txt"), "s\n"));
    QVERIFY(writeFile(ctx("a/b/c.txt"), "c\n"));
    QVERIFY(writeFile(ctx("a/d/e.txt"), "e\n"));
    QVERIFY(writeFile(ctx("Dockerfile"),
                      "FROM busybox\n"
                      "RUN echo 'app:x:1234:2345::/home/app:/bin/sh' >> /etc/passwd && "
                      "echo 'crew:x:3456:' >> /etc/group\n"
                      "COPY --chown=app:crew f.txt /o/both\n"
                      "COPY --chown=app f.txt /o/user\n"
                      "COPY --chown=app:99 f.txt /o/mixed\n"
                      "COPY --exclude=*.log --exclude=secret logs/ /ex/\n"
                      "COPY --parents a/b/c.txt a/./d/e.txt /par/\n"));
    ProcessResult r = build({"-t", "own:1", ctx()});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult out =
        berthctl(*m_store, {"run", "--rm", "own:1", "sh", "-c",
                            "stat -c '%u:%g' /o/both /o/user /o/mixed; cd /ex && find . | sort; "
                            "cd /par && find . -type f | sort"});
    QCOMPARE(out.out, QByteArray("1234:3456\n1234:1234\n1234:99\n"
                                 ".\n./keep.txt\n./sub\n./sub/deep.log\n"
                                 "./a/b/c.txt\n./d/e.txt\n"));

    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nCOPY --chown=nobody2 f.txt /\n"));
    r = build({ctx()});
    QVERIFY2(r.err.contains("Dockerfile:2:1: --chown=nobody2: no user \"nobody2\" in the "
                            "image's /etc/passwd"),
             qPrintable(r.describe()));
}

// Acceptance: an image Berth built (multi-stage, COPY, RUN, ENV, ENTRYPOINT + CMD), pushed to
// the local registry, is pulled and run by podman; saved with berthctl save, podman loads it.
void TestBuild::podmanRunsABuiltImage() {
    REQUIRE_BUILD_PREREQUISITES();
    BERTH_REQUIRE_TOOL("docker-registry");
    BERTH_REQUIRE_TOOL("podman");
    BERTH_REQUIRE_TOOL("runc");
    RegistryServer registry;
    QVERIFY2(registry.start(), qPrintable(registry.errorString()));
    PodmanSandbox podman;
    QVERIFY2(podman.configure({registry.address()}), qPrintable(podman.errorString()));

    QVERIFY(writeFile(ctx("greet.sh"), "#!/bin/sh\ncat /msg\necho \"hello $WHO, argument: $1\"\n"));
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox AS build\n"
                                         "RUN echo built by berth > /msg\n"
                                         "FROM busybox\n"
                                         "COPY --from=build /msg /msg\n"
                                         "COPY greet.sh /usr/local/bin/greet\n"
                                         "RUN chmod 755 /usr/local/bin/greet\n"
                                         "ENV WHO=podman\n"
                                         "ENTRYPOINT [\"/usr/local/bin/greet\"]\n"
                                         "CMD [\"default\"]\n"));
    const QString ref = registry.address() + "/berth/built:1";
    const ProcessResult built = build({"-t", ref, ctx()});
    QVERIFY2(built.exitCode == 0, qPrintable(built.describe()));
    auto image = EngineStores(m_store->engine()).images().resolve(ref);
    QVERIFY(image.has_value());
    const ProcessResult pushed = berthctl(*m_store, {"push", ref});
    QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.describe()));

    const ProcessResult pulled = podman.run({"pull", "-q", ref});
    QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.describe()));
    QCOMPARE(QString::fromUtf8(pulled.out.trimmed()), image->id.hex());
    const ProcessResult ran = podman.run({"run", "--rm", "--network", "none", ref});
    QVERIFY2(ran.exitCode == 0, qPrintable(ran.describe()));
    QCOMPARE(ran.out, QByteArray("built by berth\nhello podman, argument: default\n"));

    const QString archive = ctx("built.tar");
    const ProcessResult saved = berthctl(*m_store, {"save", "-o", archive, ref});
    QVERIFY2(saved.exitCode == 0, qPrintable(saved.describe()));
    QVERIFY(podman.run({"rmi", "-f", ref}).exitCode == 0);
    const ProcessResult loaded = podman.run({"load", "-q", "-i", archive});
    QVERIFY2(loaded.exitCode == 0, qPrintable(loaded.describe()));
    const ProcessResult again =
        podman.run({"run", "--rm", "--network", "none", image->id.hex(), "loaded"});
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));
    QCOMPARE(again.out, QByteArray("built by berth\nhello podman, argument: loaded\n"));
}

// What a build keeps to explain the next one (each step's inputs) goes when its context
// directory is gone (as an API build's temporary context is), at the next garbage collection;
// a context that still exists keeps it.
void TestBuild::sideDataOfGoneContextsIsCollected() {
    REQUIRE_BUILD_PREREQUISITES();
    for (const QString &dir : {ctx("kept"), ctx("gone")}) {
        QVERIFY(writeFile(dir + "/Dockerfile", "FROM busybox\nCOPY f /f\nENV A=1\n"));
        QVERIFY(writeFile(dir + "/f", dir.toUtf8()));
        const ProcessResult r = build({"-t", "side:" + QFileInfo(dir).fileName(), dir});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    const QDir steps(m_store->paths().cache() + "/build/steps");
    QCOMPARE(steps.entryList(QDir::Files).size(), 4); // COPY and ENV of each context
    QVERIFY(QDir(ctx("gone")).removeRecursively());
    const ProcessResult prune = berthctl(*m_store, {"system", "prune", "-f"});
    QVERIFY2(prune.exitCode == 0, qPrintable(prune.describe()));
    QCOMPARE(steps.entryList(QDir::Files).size(), 2);
    // The kept context's steps still explain a rerun.
    QVERIFY(writeFile(ctx("kept/f"), "changed"));
    const ProcessResult again = build({ctx("kept")});
    QVERIFY2(again.out.contains(" ---> Cache miss: f changed"), qPrintable(again.describe()));
}

// Ctrl+C during a RUN step cancels the build: the step's container is removed, no intermediate
// image stays, and berthctl says it was cancelled.
void TestBuild::interruptedBuildLeavesNothingRunning() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nRUN echo started; sleep 600\n"));
    QProcess p;
    const QByteArray out = startBuildUntilStarted(p);
    QVERIFY2(out.contains("started\n"), out.constData());
    QCOMPARE(m_store->engine().containers().list().size(), 1);
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QVERIFY(p.exitCode() != 0);
    QVERIFY2(p.readAllStandardError().contains("cancelled"), out.constData());
    QCOMPARE(m_store->engine().containers().list().size(), 0);
    QCOMPARE(EngineStores(m_store->engine()).images().list().size(), 1); // busybox only
}

// A build killed with SIGKILL during a RUN step cannot clean up after itself: its step's
// container goes on running and its intermediate image stays. `system check` names them, and
// the next build (as any command that takes the store lock for writing, or system prune)
// stops and removes them.
void TestBuild::killedBuildIsRemovedByTheNextCommand() {
    REQUIRE_BUILD_PREREQUISITES();
    QVERIFY(writeFile(ctx("Dockerfile"),
                      "FROM busybox\nRUN echo one > /one\nRUN echo started; sleep 600\n"));
    QProcess p;
    const QByteArray out = startBuildUntilStarted(p);
    QVERIFY2(out.contains("started\n"), out.constData());
    ::kill(pid_t(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished(60000));

    ContainerRuntime &rt = m_store->engine().containers();
    const QList<ContainerRecord> left = rt.list();
    QCOMPARE(left.size(), 1);
    const ContainerRecord step = left.first();
    QVERIFY(step.isRunning());
    QVERIFY(step.pid > 0 && ::kill(pid_t(step.pid), 0) == 0);
    QList<Digest> intermediates;
    for (const ImageRecord &image : m_store->engine().images().list())
        if (image.tags.isEmpty())
            intermediates.append(image.id);
    QVERIFY(!intermediates.isEmpty());

    const ProcessResult check = berthctl(*m_store, {"system", "check"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    QVERIFY2(
        check.out.contains(QStringLiteral("container %1 of killed build").arg(step.id).toUtf8()),
        qPrintable(check.describe()));
    for (const Digest &image : std::as_const(intermediates))
        QVERIFY2(check.out.contains(image.toString().toUtf8()), qPrintable(check.describe()));

    QVERIFY(writeFile(ctx("Dockerfile"), "FROM busybox\nLABEL next=1\n"));
    const ProcessResult next = build({"-t", "next:1", ctx()});
    QVERIFY2(next.exitCode == 0, qPrintable(next.describe()));
    QVERIFY(rt.list().isEmpty());
    // The step's process is gone (a zombie at most until its reaper collects it).
    for (int i = 0; i < 100 && ::kill(pid_t(step.pid), 0) == 0; ++i) {
        const QByteArray stat = readFileLimited(QStringLiteral("/proc/%1/stat").arg(step.pid), 4096)
                                    .value_or(QByteArray());
        if (stat.contains(") Z "))
            break;
        QThread::msleep(50);
    }
    const QByteArray stat =
        readFileLimited(QStringLiteral("/proc/%1/stat").arg(step.pid), 4096).value_or(QByteArray());
    QVERIFY2(stat.isEmpty() || stat.contains(") Z "), stat.constData());
    for (const ImageRecord &image : m_store->engine().images().list())
        QVERIFY2(!intermediates.contains(image.id), qPrintable(image.id.toString()));
    const ProcessResult after = berthctl(*m_store, {"system", "check"});
    QVERIFY2(!after.out.contains("killed build"), qPrintable(after.describe()));
}

QTEST_GUILESS_MAIN(TestBuild)
#include "tst_build.moc"
