// SPDX-License-Identifier: GPL-3.0-or-later
// A container's filesystem through berthctl with real containers (runc on overlayfs): diff lists
// exactly what the read-write layer added, changed and deleted; commit turns it into an image
// whose containers see the change (deleted files stay deleted) and whose --change applies;
// export writes the merged filesystem; cp copies both ways, running or stopped, and a symlink
// in the container never leads to the host's files.
#include "engine/archive/archiveio.h"
#include "engine/enginestores.h"
#include "engine/operations/filesystemoperations.h"
#include "engine/runtime/containerfilesystem.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <unistd.h>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

QByteArray readFile(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// Names of the entries of a tar (via busybox tar, which reads what TarWriter writes).
QStringList tarNames(const QString &file) {
    const ProcessResult r = run("/bin/busybox", {"tar", "-tf", file});
    QStringList out;
    for (const QByteArray &line : r.out.split('\n'))
        if (!line.isEmpty())
            out.append(QString::fromUtf8(line));
    return out;
}

} // namespace

class TestContainerFs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void diffListsAddedChangedDeleted();
    void commitThenRunShowsTheChange();
    void commitChangeSetsTheCommand();
    void exportWritesTheMergedFilesystem();
    void cpBothWaysStoppedAndRunning();
    void cpStaysInsideTheContainer();
    void cpDotDotIsTheContainerRoot();
    void cpStreamsTarsAndFollowsLinks();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerFs::init() {
    BERTH_REQUIRE_CONTAINERS();
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder()
                   .dir("etc")
                   .file("etc/old", "old\n")
                   .file("etc/keep", "keep\n")
                   .dir("srv")
                   .file("srv/a", "a\n"),
               LayerBuilder::Compression::Gzip, "ADD files /")
        .cmd({"sh"});
    BERTH_VERIFY_OK(img.install(*m_store, {"busybox:latest"}));
}

void TestContainerFs::diffListsAddedChangedDeleted() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r =
        berthctl(store, {"run", "--name", "d", "busybox", "sh", "-c",
                         "echo new > /added && echo more >> /etc/keep && rm /etc/old && "
                         "mkdir -p /newdir/sub && echo x > /newdir/sub/f && rm -r /srv"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult diff = berthctl(store, {"diff", "d"});
    QVERIFY2(diff.exitCode == 0, qPrintable(diff.describe()));
    QCOMPARE(QString::fromUtf8(diff.out).split('\n', Qt::SkipEmptyParts),
             QStringList({"A /added", "C /etc", "C /etc/keep", "D /etc/old", "A /newdir",
                          "A /newdir/sub", "A /newdir/sub/f", "D /srv"}));
    // A fresh container changed nothing (the runtime's mount points are not changes).
    const ProcessResult clean =
        berthctl(store, {"run", "--name", "clean", "busybox", "sh", "-c", "true"});
    QVERIFY2(clean.exitCode == 0, qPrintable(clean.describe()));
    QCOMPARE(berthctl(store, {"diff", "clean"}).out, QByteArray());
}

void TestContainerFs::commitThenRunShowsTheChange() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r =
        berthctl(store, {"run", "--name", "c", "busybox", "sh", "-c",
                         "echo committed > /etc/new && rm /etc/old && rm -r /srv && mkdir /srv && "
                         "echo fresh > /srv/b"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult commit =
        berthctl(store, {"commit", "-m", "my change", "-a", "Tester", "c", "committed:1"});
    QVERIFY2(commit.exitCode == 0, qPrintable(commit.describe()));
    QVERIFY(commit.out.startsWith("sha256:"));
    const ProcessResult check =
        berthctl(store, {"run", "--rm", "committed:1", "sh", "-c",
                         "cat /etc/new /etc/keep /srv/b; test ! -e /etc/old && echo gone; "
                         "test ! -e /srv/a && echo opaque"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    QCOMPARE(check.out, QByteArray("committed\nkeep\nfresh\ngone\nopaque\n"));
    // The history says what made the layer.
    auto image = EngineStores(store.engine()).images().resolve("committed:1");
    BERTH_VERIFY_OK(image);
    auto config = EngineStores(store.engine()).images().config(*image);
    BERTH_VERIFY_OK(config);
    QCOMPARE(config->history().last().comment, QString("my change"));
    QCOMPARE(config->author(), QString("Tester"));
    QCOMPARE(config->diffIds().size(), 3);
}

void TestContainerFs::commitChangeSetsTheCommand() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r = berthctl(store, {"run", "--name", "x", "busybox", "sh", "-c", "true"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const ProcessResult commit =
        berthctl(store, {"commit", "-c", "CMD [\"sh\",\"-c\",\"echo x\"]", "x", "withcmd"});
    QVERIFY2(commit.exitCode == 0, qPrintable(commit.describe()));
    const ProcessResult check = berthctl(store, {"run", "--rm", "withcmd"});
    QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    QCOMPARE(check.out, QByteArray("x\n"));
    const ProcessResult bad = berthctl(store, {"commit", "-c", "BOGUS x", "x"});
    QVERIFY(bad.exitCode != 0);
}

void TestContainerFs::exportWritesTheMergedFilesystem() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r = berthctl(
        store, {"run", "--name", "e", "busybox", "sh", "-c", "echo mine > /mine && rm /etc/old"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTemporaryDir out(scratchBase() + "/export-XXXXXX");
    const QString file = out.path() + "/e.tar";
    const ProcessResult ex = berthctl(store, {"export", "-o", file, "e"});
    QVERIFY2(ex.exitCode == 0, qPrintable(ex.describe()));
    const QStringList names = tarNames(file);
    QVERIFY2(names.contains("mine"), qPrintable(names.join(' ')));
    QVERIFY(names.contains("etc/keep"));
    QVERIFY(names.contains("bin/busybox"));
    QVERIFY(!names.contains("etc/old"));
    const ProcessResult x = run("/bin/busybox", {"tar", "-xf", file, "-C", out.path(), "mine"});
    QVERIFY2(x.exitCode == 0, qPrintable(x.describe()));
    QCOMPARE(readFile(out.path() + "/mine"), QByteArray("mine\n"));
    // The temporary mount of the stopped container is gone.
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
}

void TestContainerFs::cpBothWaysStoppedAndRunning() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    QTemporaryDir host(scratchBase() + "/cp-XXXXXX");
    QVERIFY(writeFile(host.path() + "/in.txt", "from host\n"));
    QVERIFY(QDir().mkpath(host.path() + "/tree/sub"));
    QVERIFY(writeFile(host.path() + "/tree/sub/deep", "deep\n"));

    // Stopped (created, never started).
    const ProcessResult created =
        berthctl(store, {"create", "--name", "s", "busybox", "sh", "-c",
                         "cat /in.txt /etc/in.txt /copied/sub/deep /tree/sub/deep"});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    for (const QStringList &args :
         {QStringList{"cp", host.path() + "/in.txt", "s:/"},
          QStringList{"cp", host.path() + "/in.txt", "s:/etc/in.txt"},
          QStringList{"cp", host.path() + "/tree", "s:/copied"}, // missing: created as the copy
          QStringList{"cp", host.path() + "/tree", "s:/"}}) {    // existing dir: by its name
        const ProcessResult cp = berthctl(store, args);
        QVERIFY2(cp.exitCode == 0, qPrintable(cp.describe()));
    }
    QVERIFY2(mountsUnder(store.root()).isEmpty(), qPrintable(mountsUnder(store.root()).join('\n')));
    const ProcessResult started = berthctl(store, {"start", "-a", "s"});
    QVERIFY2(started.exitCode == 0, qPrintable(started.describe()));
    QCOMPARE(started.out, QByteArray("from host\nfrom host\ndeep\ndeep\n"));
    // Out of a stopped container: a file, and a directory into an existing directory.
    QVERIFY2(berthctl(store, {"cp", "s:/etc/keep", host.path() + "/keep"}).exitCode == 0, "cp");
    QCOMPARE(readFile(host.path() + "/keep"), QByteArray("keep\n"));
    QVERIFY(QDir().mkpath(host.path() + "/outdir"));
    QVERIFY2(berthctl(store, {"cp", "s:/copied", host.path() + "/outdir"}).exitCode == 0, "cp");
    QCOMPARE(readFile(host.path() + "/outdir/copied/sub/deep"), QByteArray("deep\n"));

    // Running.
    const ProcessResult r = berthctl(store, {"run", "-d", "--name", "r", "busybox", "sh", "-c",
                                             "echo live > /live; while [ ! -s /go ]; do sleep "
                                             "0.05; done; cat /go"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(writeFile(host.path() + "/go", "went\n"));
    // The container writes /live first; retry the copy out until it is there.
    ProcessResult out;
    for (int i = 0; i < 200; ++i) {
        out = berthctl(store, {"cp", "r:/live", host.path() + "/live"});
        if (out.exitCode == 0)
            break;
        QThread::msleep(50);
    }
    QVERIFY2(out.exitCode == 0, qPrintable(out.describe()));
    QCOMPARE(readFile(host.path() + "/live"), QByteArray("live\n"));
    const ProcessResult in = berthctl(store, {"cp", host.path() + "/go", "r:/go"});
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    auto code = store.engine().containers().wait("r");
    BERTH_VERIFY_OK(code);
    QCOMPARE(*code, 0);
    // (The loop waits for /go to have content: cp, like Docker's, creates the file before
    // it writes it, and a container that looked in between printed nothing.)
    QTRY_COMPARE_WITH_TIMEOUT(berthctl(store, {"logs", "r"}).out, QByteArray("went\n"), 10000);
}

void TestContainerFs::cpStaysInsideTheContainer() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // /escape -> /etc and /abs -> /etc/passwd: absolute links that on the host would be the
    // host's files.
    const ProcessResult r =
        berthctl(store, {"run", "--name", "l", "busybox", "sh", "-c",
                         "busybox ln -s /etc /escape && busybox ln -s /etc/keep /abs"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTemporaryDir host(scratchBase() + "/cpl-XXXXXX");
    const QString marker = QStringLiteral("berth-cp-test-%1").arg(::getpid());
    QVERIFY(writeFile(host.path() + "/" + marker, "contained\n"));
    QVERIFY(!QFile::exists("/etc/" + marker));

    const ProcessResult in = berthctl(store, {"cp", host.path() + "/" + marker, "l:/escape/"});
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    QVERIFY2(!QFile::exists("/etc/" + marker), "cp wrote into the host's /etc");
    QFile::remove("/etc/" + marker);
    auto record = store.engine().containers().get("l");
    BERTH_VERIFY_OK(record);
    QCOMPARE(readFile(store.engine().containers().upperDir(record->id) + "/etc/" + marker),
             QByteArray("contained\n"));

    // Reading through the links gives the container's files, not the host's.
    QVERIFY2(berthctl(store, {"cp", "l:/escape/keep", host.path() + "/k1"}).exitCode == 0, "cp");
    QCOMPARE(readFile(host.path() + "/k1"), QByteArray("keep\n"));
    // The link itself is copied as a link, not followed.
    QVERIFY2(berthctl(store, {"cp", "l:/abs", host.path() + "/abs"}).exitCode == 0, "cp");
    QCOMPARE(QFileInfo(host.path() + "/abs").symLinkTarget(), QString("/etc/keep"));
    QVERIFY(QFileInfo(host.path() + "/abs").isSymLink());
    // Replacing the link with a file writes a file, not through the link to the host's /etc.
    QVERIFY(writeFile(host.path() + "/repl", "replaced\n"));
    const QByteArray hostKeepBefore = readFile("/etc/keep");
    QVERIFY2(berthctl(store, {"cp", host.path() + "/repl", "l:/abs"}).exitCode == 0, "cp");
    QCOMPARE(readFile("/etc/keep"), hostKeepBefore);
    QCOMPARE(readFile(store.engine().containers().upperDir(record->id) + "/abs"),
             QByteArray("replaced\n"));
}

// `..` above the container's root is its root, as for its own processes: cp and the archive
// calls never reach the container's host-side directory (config.json with the environment,
// the log, the shim's state, the overlay's upper and work directories).
void TestContainerFs::cpDotDotIsTheContainerRoot() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult created =
        berthctl(store, {"create", "--name", "dd", "-e", "SECRET=berth-secret", "busybox", "true"});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    const ProcessResult running =
        berthctl(store, {"run", "-d", "--name", "dr", "busybox", "busybox", "sleep", "60"});
    QVERIFY2(running.exitCode == 0, qPrintable(running.describe()));
    QStringList hostSide;
    for (const char *name : {"dd", "dr"}) {
        auto record = store.engine().containers().get(name);
        BERTH_VERIFY_OK(record);
        hostSide += QDir(store.engine().containers().directory(record->id))
                        .entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    }
    QVERIFY2(hostSide.contains("config.json"), qPrintable(hostSide.join(' ')));
    QTemporaryDir host(scratchBase() + "/cpdd-XXXXXX");
    int n = 0;
    for (const QString &container : {QStringLiteral("dd"), QStringLiteral("dr")}) {
        for (const QString &path :
             QStringList{"..", "/..", "../..", "/tmp/../..", "/etc/../../..", "tmp/../../"}) {
            const QString out = host.path() + QStringLiteral("/out%1").arg(n++);
            const ProcessResult cp = berthctl(store, {"cp", container + ":" + path, out});
            const QStringList names = QDir(out).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
            const QString what = container + ":" + path + " gave: " + names.join(' ') + " " +
                                 QString::fromUtf8(cp.err);
            // The container's root (or an error), never the host-side directory.
            QVERIFY2(cp.exitCode == 0, qPrintable(what));
            QVERIFY2(names.contains("bin") && names.contains("etc") && names.contains("srv"),
                     qPrintable(what));
            for (const QString &name : hostSide)
                QVERIFY2(!names.contains(name), qPrintable(what));
        }
        // Copying in to `..` writes into the container's root.
        QVERIFY(writeFile(host.path() + "/in-" + container, "in\n"));
        const ProcessResult in =
            berthctl(store, {"cp", host.path() + "/in-" + container, container + ":/tmp/../.."});
        QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
        auto c = store.engine().containers().get(container);
        BERTH_VERIFY_OK(c);
        QVERIFY(!QFile::exists(store.engine().containers().directory(c->id) + "/in-" + container));
        QCOMPARE(readFile(store.engine().containers().upperDir(c->id) + "/in-" + container),
                 QByteArray("in\n"));
    }
    // The archive calls (the API's GET/HEAD) resolve the same way.
    FilesystemOperations fs = store.engine().filesystem();
    auto st = fs.statPath("dd", "/tmp/../..");
    BERTH_VERIFY_OK(st);
    QCOMPARE(st->name, QString("/"));
    QVERIFY(st->isDir);
    const QString tar = host.path() + "/root.tar";
    {
        QFile f(tar);
        QVERIFY(f.open(QIODevice::WriteOnly));
        BERTH_VERIFY_OK(fs.archivePath("dd", "..", f.handle()));
    }
    const QStringList names = tarNames(tar);
    // The root's contents (named "/bin", "/etc"... as dockerd does; busybox tar strips the '/').
    QVERIFY2(names.contains("bin/") && names.contains("etc/old"), qPrintable(names.join(' ')));
    for (const QString &name : names)
        QVERIFY2(!name.contains("config.json") && !name.contains("shim") && !name.contains("upper"),
                 qPrintable(names.join(' ')));
}

// `cp CTR:SRC -` writes a tar to stdout and `cp - CTR:DIR` reads one; -L follows a symlink
// source (the copy keeps the link's name); "link/." names what the link points to.
void TestContainerFs::cpStreamsTarsAndFollowsLinks() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult made = berthctl(
        store, {"run", "--name", "t", "busybox", "sh", "-c",
                "mkdir /d && echo x > /d/f && busybox ln -s /d /ld && busybox ln -s /d/f /lf"});
    QVERIFY2(made.exitCode == 0, qPrintable(made.describe()));
    QTemporaryDir host(scratchBase() + "/cps-XXXXXX");

    const ProcessResult out = berthctl(store, {"cp", "t:/d", "-"});
    QVERIFY2(out.exitCode == 0, qPrintable(out.describe()));
    QVERIFY(writeFile(host.path() + "/d.tar", out.out));
    QCOMPARE(tarNames(host.path() + "/d.tar"), QStringList({"d/", "d/f"}));

    const QByteArray tar = LayerBuilder().file("new.txt", "streamed in\n").build();
    const ProcessResult in =
        run(QStringLiteral(BERTH_BERTHCTL), {"cp", "-", "t:/d"}, store.environment(), 60000, tar);
    QVERIFY2(in.exitCode == 0, qPrintable(in.describe()));
    QVERIFY2(berthctl(store, {"cp", "t:/d/new.txt", host.path() + "/new"}).exitCode == 0, "cp");
    QCOMPARE(readFile(host.path() + "/new"), QByteArray("streamed in\n"));
    const ProcessResult intoFile =
        run(QStringLiteral(BERTH_BERTHCTL), {"cp", "-", "t:/d/f"}, store.environment(), 60000, tar);
    QVERIFY2(intoFile.exitCode == 125 && intoFile.err.contains("must be a directory"),
             qPrintable(intoFile.describe()));

    // A link is copied as a link; -L copies what it points to, under the link's name.
    QVERIFY2(berthctl(store, {"cp", "t:/lf", host.path() + "/link"}).exitCode == 0, "cp");
    QCOMPARE(QFileInfo(host.path() + "/link").symLinkTarget(), QString("/d/f"));
    QVERIFY2(berthctl(store, {"cp", "-L", "t:/lf", host.path() + "/followed"}).exitCode == 0,
             "cp -L");
    QVERIFY(!QFileInfo(host.path() + "/followed").isSymLink());
    QCOMPARE(readFile(host.path() + "/followed"), QByteArray("x\n"));
    QVERIFY(QDir().mkpath(host.path() + "/into"));
    QVERIFY2(berthctl(store, {"cp", "-L", "t:/lf", host.path() + "/into"}).exitCode == 0, "cp -L");
    QCOMPARE(readFile(host.path() + "/into/lf"), QByteArray("x\n"));
    // "link/." is the directory the link points to: its contents.
    QVERIFY2(berthctl(store, {"cp", "t:/ld/.", host.path() + "/contents"}).exitCode == 0, "cp");
    QCOMPARE(readFile(host.path() + "/contents/f"), QByteArray("x\n"));
    QVERIFY(!QFileInfo(host.path() + "/contents").isSymLink());
    // On the host side too: -L copies a host link's target in.
    QVERIFY(writeFile(host.path() + "/target", "host target\n"));
    QVERIFY(QFile::link(host.path() + "/target", host.path() + "/hostlink"));
    QVERIFY2(berthctl(store, {"cp", "-L", host.path() + "/hostlink", "t:/d/"}).exitCode == 0,
             "cp -L in");
    QVERIFY2(berthctl(store, {"cp", "t:/d/hostlink", host.path() + "/back"}).exitCode == 0, "cp");
    QVERIFY(!QFileInfo(host.path() + "/back").isSymLink());
    QCOMPARE(readFile(host.path() + "/back"), QByteArray("host target\n"));

    // --help lines up every summary in one column, also after "container commit".
    const ProcessResult help = berthctl(store, {"--help"});
    QCOMPARE(help.exitCode, 0);
    qsizetype column = -1;
    for (const QByteArray &line : help.out.split('\n')) {
        if (!line.startsWith("  ") || line.startsWith("   "))
            continue;
        const qsizetype gap = line.indexOf("  ", 2);
        QVERIFY2(gap > 2, line.constData());
        qsizetype summary = gap;
        while (summary < line.size() && line[summary] == ' ')
            ++summary;
        if (column < 0)
            column = summary;
        QVERIFY2(summary == column, line.constData());
    }
    QVERIFY(help.out.contains("container commit  "));
}

QTEST_GUILESS_MAIN(TestContainerFs)
#include "tst_container_fs.moc"
