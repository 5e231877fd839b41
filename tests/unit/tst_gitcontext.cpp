// SPDX-License-Identifier: GPL-3.0-or-later
// Which build contexts are git repositories, and how `URL#REF:SUBDIR` splits (Docker's rules).
#include "engine/builder/gitcontext.h"
#include "tests/support/testsupport.h"

#include <QDir>

using namespace Berth::Engine;

class TestGitContext : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parses_data();
    void parses();
    void localRepositories();
};

void TestGitContext::parses_data() {
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("expected"); // "url|ref|subdir|publicUrl", or "-" for no git

    QTest::newRow("https with ref and subdir")
        << "https://example.com/team/app.git#v1.2:docker/web"
        << "https://example.com/team/app.git|v1.2|docker/web|https://example.com/team/app.git";
    QTest::newRow("https without fragment") << "https://example.com/app.git"
                                            << "https://example.com/app.git|||"
                                               "https://example.com/app.git";
    QTest::newRow("credentials stay out of the label")
        << "https://user:token@example.com/app.git#main"
        << "https://user:token@example.com/app.git|main||https://example.com/app.git";
    QTest::newRow("https not ending in .git is a plain URL") << "https://example.com/ctx.tar.gz"
                                                             << "-";
    QTest::newRow("git protocol") << "git://127.0.0.1:9418/repo.git#refs/pull/1/head"
                                  << "git://127.0.0.1:9418/repo.git|refs/pull/1/head||"
                                     "git://127.0.0.1:9418/repo.git";
    QTest::newRow("scp-like ssh, subdir only") << "git@example.com:team/app.git#:sub"
                                               << "git@example.com:team/app.git||sub|"
                                                  "git@example.com:team/app.git";
    QTest::newRow("github shorthand") << "github.com/team/app#main"
                                      << "https://github.com/team/app|main||"
                                         "https://github.com/team/app";
    QTest::newRow("file URL") << "file:///srv/git/app#v2:dir"
                              << "/srv/git/app|v2|dir|/srv/git/app";
    QTest::newRow("a path that does not exist") << "/nonexistent/berth/repo#v1"
                                                << "-";
}

void TestGitContext::parses() {
    QFETCH(QString, context);
    QFETCH(QString, expected);
    const auto spec = GitContextSpec::parse(context);
    const QString got =
        spec ? QStringList{spec->url, spec->ref, spec->subdir, spec->publicUrl()}.join(
                   QLatin1Char('|'))
             : QStringLiteral("-");
    QCOMPARE(got, expected);
}

// A local work tree is a directory context unless a ref is named; a bare repository is always
// a git context; a directory that is no repository never is.
void TestGitContext::localRepositories() {
    QTemporaryDir dir;
    const QString work = dir.path() + QStringLiteral("/work");
    const QString bare = dir.path() + QStringLiteral("/bare.git");
    const QString plain = dir.path() + QStringLiteral("/plain");
    QVERIFY(QDir().mkpath(work + QStringLiteral("/.git")));
    QVERIFY(QDir().mkpath(bare + QStringLiteral("/objects")));
    QVERIFY(QDir().mkpath(bare + QStringLiteral("/refs")));
    QFile head(bare + QStringLiteral("/HEAD"));
    QVERIFY(head.open(QIODevice::WriteOnly));
    head.write("ref: refs/heads/main\n");
    head.close();
    QVERIFY(QDir().mkpath(plain));

    QVERIFY(!GitContextSpec::parse(work).has_value());
    const auto atTag = GitContextSpec::parse(work + QStringLiteral("#v1"));
    QVERIFY(atTag.has_value());
    QCOMPARE(atTag->url, work);
    QCOMPARE(atTag->ref, QStringLiteral("v1"));
    QVERIFY(GitContextSpec::parse(bare).has_value());
    QVERIFY(!GitContextSpec::parse(plain).has_value());
    QVERIFY(!GitContextSpec::parse(plain + QStringLiteral("#v1")).has_value());
}

QTEST_GUILESS_MAIN(TestGitContext)
#include "tst_gitcontext.moc"
