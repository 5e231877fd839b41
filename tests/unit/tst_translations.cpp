// SPDX-License-Identifier: GPL-3.0-or-later
// Every user-visible string in the GUI has a Korean translation: lupdate run over the current
// sources finds nothing new or unfinished in translations/berth_ko.ts.
#include "tests/support/testsupport.h"

#include <QFile>
#include <QLibraryInfo>

using namespace Berth::Test;

class TestTranslations : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void koreanIsComplete();
};

void TestTranslations::koreanIsComplete() {
    const QString lupdate = QLibraryInfo::path(QLibraryInfo::BinariesPath) + "/lupdate";
    const QString lupdateAlt = "/usr/lib/qt6/bin/lupdate";
    const QString tool = QFile::exists(lupdate) ? lupdate : lupdateAlt;
    BERTH_REQUIRE(QFile::exists(tool), "needs lupdate (qt6-l10n-tools)");
    QTemporaryDir dir;
    const QString ts = dir.path() + "/berth_ko.ts";
    QVERIFY(QFile::copy(QStringLiteral(BERTH_SOURCE_DIR "/translations/berth_ko.ts"), ts));
    QFile::setPermissions(ts, QFile::ReadOwner | QFile::WriteOwner);
    const ProcessResult r = run(tool, {"-no-obsolete", "-locations", "none", "-extensions", "cpp,h",
                                       "-I", QStringLiteral(BERTH_SOURCE_DIR),
                                       QStringLiteral(BERTH_SOURCE_DIR "/ui"), "-ts", ts});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QFile f(ts);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    QVERIFY2(text.count("<message>") > 5, "no strings found: is ui/ still using tr()?");
    // Report the untranslated sources by name, so the fix is obvious.
    QStringList missing;
    const QStringList messages = text.split("<message>");
    for (const QString &m : messages)
        if (m.contains("type=\"unfinished\"") || m.contains("type=\"vanished\""))
            missing << m.section("<source>", 1).section("</source>", 0, 0);
    QVERIFY2(missing.isEmpty(), qPrintable("untranslated: " + missing.join(" | ") +
                                           "\nrun: cmake --build build --target berth_ui_lupdate, "
                                           "then translate translations/berth_ko.ts"));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
