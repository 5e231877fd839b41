// SPDX-License-Identifier: GPL-3.0-or-later
// The dependency direction app -> ui -> engine holds: the engine never includes GUI code, and
// inside the engine lower layers never include higher ones (DESIGN.md §2).
#include "tests/support/testsupport.h"

#include <QDirIterator>
#include <QProcess>
#include <QRegularExpression>

class TestArchitecture : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void engineHasNoGuiIncludes();
    void engineLayersPointDownwards();
    void frontEndsUseOperations();
    void berthctlStartsWithoutNetworkLibraries();
};

namespace {
// Every #include "..." / <...> in a folder's sources, as (file, included path).
QList<QPair<QString, QString>> includesIn(const QString &folder) {
    QList<QPair<QString, QString>> out;
    static const QRegularExpression include(
        QStringLiteral("^\\s*#\\s*include\\s*[<\"]([^>\"]+)[>\"]"),
        QRegularExpression::MultilineOption);
    QDirIterator it(QStringLiteral(BERTH_SOURCE_DIR "/") + folder, {"*.h", "*.cpp"}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const QString text = QString::fromUtf8(f.readAll());
        auto matches = include.globalMatch(text);
        while (matches.hasNext())
            out.append({path.mid(QStringLiteral(BERTH_SOURCE_DIR "/").size()),
                        matches.next().captured(1)});
    }
    return out;
}
QList<QPair<QString, QString>> engineIncludes() {
    return includesIn(QStringLiteral("engine"));
}
} // namespace

void TestArchitecture::engineHasNoGuiIncludes() {
    // The API server is a face of the engine like the CLI: no GUI either.
    const auto includes = engineIncludes() + includesIn(QStringLiteral("api"));
    QVERIFY(includes.size() > 20);
    static const QRegularExpression forbidden("^(QtGui|QtWidgets|QtCharts|QtQuick|ui/|app/"
                                              ")|^Q(Widget|Application|Pixmap|Image|Icon|Color|"
                                              "Painter|Font|Action|MainWindow|Dialog|Chart)\\b");
    for (const auto &[file, included] : includes)
        QVERIFY2(!forbidden.match(included).hasMatch(), qPrintable(file + " includes " + included));
}

void TestArchitecture::engineLayersPointDownwards() {
    // Rank of each engine folder: a folder may include only folders of lower or equal rank
    // (same-rank folders side by side do not include each other either).
    const QHash<QString, int> rank{{"core", 0},      {"content", 1},     {"images", 2},
                                   {"snapshots", 3}, {"registry", 4},    {"analysis", 4},
                                   {"archive", 4},   {"maintenance", 4}, {"runtime", 5},
                                   {"builder", 6},   {"compose", 6},     {"operations", 7}};
    for (const auto &[file, included] : engineIncludes()) {
        const QStringList from = file.split('/');
        const QStringList to = included.split('/');
        if (from.size() < 3 || to.size() < 3 || to[0] != "engine")
            continue; // the facade (engine/engine.h) may include everything
        const QString a = from[1], b = to[1];
        if (a == b)
            continue;
        QVERIFY2(rank.contains(a) && rank.contains(b),
                 qPrintable("unknown engine folder in " + file + " -> " + included));
        QVERIFY2(rank[b] < rank[a],
                 qPrintable(file + " (" + a + ") must not include " + included + " (" + b + ")"));
    }
}

// The CLI, the API and the GUI ask the engine facade for operations (Engine::images(),
// archives(), registry(), builds(), analysis(), filesystem(), containers(), maintenance()) and
// neither reach the stores behind it nor assemble the engine's workers from them: the facade is
// the only composition root (ARCHITECTURE.md, "The facade"). Tests may use both.
// (imagestore.h, containerstore.h and volumes.h stay allowed for the record types they define.)
void TestArchitecture::frontEndsUseOperations() {
    const auto includes = includesIn(QStringLiteral("app")) + includesIn(QStringLiteral("api")) +
                          includesIn(QStringLiteral("ui"));
    QVERIFY(includes.size() > 50);
    static const QRegularExpression forbidden(
        "^engine/(enginestores|.*/(database|contentstore|snapshotstore|archivestores|puller|"
        "pusher|builder|buildjob|imageloader|imagesaver|rootfsimporter|starterimage|"
        "imageanalyzer|containerfilesystem))\\.h$");
    for (const auto &[file, included] : includes)
        QVERIFY2(!forbidden.match(included).hasMatch(), qPrintable(file + " includes " + included));
}

// berthctl leaves the registry, build, API, tar archive and hashing commands to berthctl-full so
// that it starts without loading Qt Network, the keychain, libgit2, libarchive and OpenSSL
// (app/CMakeLists.txt); a container command that starts to use them would slow every `berthctl
// run` down again.
void TestArchitecture::berthctlStartsWithoutNetworkLibraries() {
    QProcess readelf;
    readelf.start(QStringLiteral("readelf"),
                  {QStringLiteral("-d"), QStringLiteral(BERTH_BERTHCTL)});
    QVERIFY2(readelf.waitForFinished(30000) && readelf.exitCode() == 0,
             "readelf (binutils) could not read berthctl");
    const QString dynamic = QString::fromUtf8(readelf.readAllStandardOutput());
    QVERIFY(dynamic.contains(QStringLiteral("libQt6Core")));
    for (const char *heavy :
         {"libQt6Network", "libqt6keychain", "libgit2", "libQt6DBus", "libarchive", "libcrypto"})
        QVERIFY2(!dynamic.contains(QLatin1String(heavy)), heavy);

    // ...and what it leaves out still works through it, under its name.
    QProcess help;
    help.start(QStringLiteral(BERTH_BERTHCTL), {QStringLiteral("login"), QStringLiteral("--help")});
    QVERIFY(help.waitForFinished(30000));
    QCOMPARE(help.exitCode(), 0);
    QVERIFY(help.readAllStandardOutput().startsWith("Usage: berthctl login"));
    QProcess list;
    list.start(QStringLiteral(BERTH_BERTHCTL), {QStringLiteral("--help")});
    QVERIFY(list.waitForFinished(30000));
    const QByteArray commands = list.readAllStandardOutput();
    QVERIFY(commands.contains("\n  build ") && commands.contains("\n  run ") &&
            commands.contains("\n  serve "));
}

QTEST_GUILESS_MAIN(TestArchitecture)
#include "tst_architecture.moc"
