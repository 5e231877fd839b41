// SPDX-License-Identifier: GPL-3.0-or-later
// The user guide: F1 (or the "User guide" button) opens it on its contents page in the
// interface's language, its links lead from page to page with the keyboard, and no link in any
// page of any language points at a page that does not exist.
#include "tests/support/testsupport.h"
#include "ui/dialogs/guidewindow.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QDirIterator>
#include <QFile>
#include <QPushButton>
#include <QRegularExpression>
#include <QTest>
#include <QTextBrowser>
#include <QTranslator>

using namespace Berth;
using namespace Berth::Test;

namespace {

// Korean as far as the guide is concerned: the string that names the guide's folder.
class GuideInKorean : public QTranslator {
public:
    bool isEmpty() const override { return false; }
    QString translate(const char *context, const char *source, const char *disambiguation,
                      int) const override {
        if (qstrcmp(context, "Berth::Gui::GuideWindow") == 0 && qstrcmp(source, "en") == 0 &&
            qstrcmp(disambiguation, "guide language") == 0)
            return QStringLiteral("ko");
        return {};
    }
};

QString shownText(const Gui::GuideWindow *guide) {
    return guide->browser()->document()->toPlainText();
}

} // namespace

class TestUserGuide : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void f1OpensTheGuideAndLinksLeadOn() {
        TestStore store;
        Gui::MainWindow window(store.engine());
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(!window.guideWindow());
        QTest::keyClick(&window, Qt::Key_F1);
        Gui::GuideWindow *guide = window.guideWindow();
        QVERIFY(guide);
        QTRY_VERIFY(guide->isVisible());
        QCOMPARE(guide->page(), QUrl(QStringLiteral("qrc:/guide/en/README.md")));
        QVERIFY2(shownText(guide).contains(QStringLiteral("Getting started")),
                 qPrintable(shownText(guide)));

        // The first link (Getting started), reached with Tab and followed with Enter.
        QVERIFY(QTest::qWaitForWindowActive(guide));
        guide->browser()->setFocus();
        QTest::keyClick(guide->browser(), Qt::Key_Tab);
        QTest::keyClick(guide->browser(), Qt::Key_Return);
        QTRY_COMPARE(guide->page(), QUrl(QStringLiteral("qrc:/guide/en/getting-started.md")));
        QVERIFY2(shownText(guide).contains(QStringLiteral("Your first container")),
                 qPrintable(shownText(guide)));
        // Rendered as Markdown, not shown as source.
        QVERIFY(!shownText(guide).contains(QStringLiteral("## Where things are")));

        // The button opens it again on the contents page.
        auto *button = window.findChild<QPushButton *>(QStringLiteral("guideButton"));
        QVERIFY(button);
        button->click();
        QCOMPARE(guide->page(), QUrl(QStringLiteral("qrc:/guide/en/README.md")));
    }

    void followsTheInterfaceLanguage() {
        GuideInKorean korean;
        QCoreApplication::installTranslator(&korean);
        Gui::GuideWindow guide;
        guide.showContents();
        QCoreApplication::removeTranslator(&korean);
        QCOMPARE(guide.page(), QUrl(QStringLiteral("qrc:/guide/ko/README.md")));
        QVERIFY2(shownText(&guide).contains(QStringLiteral("시작하기")),
                 qPrintable(shownText(&guide)));
    }

    void everyLinkLeadsToAPage() {
        QStringList pages;
        QDirIterator it(QStringLiteral(":/guide"), {QStringLiteral("*.md")}, QDir::Files,
                        QDirIterator::Subdirectories);
        while (it.hasNext())
            pages << it.next();
        // Every language has the same pages.
        QVERIFY(pages.contains(QStringLiteral(":/guide/en/README.md")));
        for (const QString &page : std::as_const(pages)) {
            QString other = page;
            other.replace(QStringLiteral("/en/"), QStringLiteral("/ko/"));
            QVERIFY2(!page.contains(QStringLiteral("/en/")) || QFile::exists(other),
                     qPrintable(other + QStringLiteral(" is missing")));
        }
        static const QRegularExpression link(QStringLiteral("\\]\\(([^)#:]+\\.md)\\)"));
        int links = 0;
        for (const QString &page : std::as_const(pages)) {
            QFile f(page);
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QString text = QString::fromUtf8(f.readAll());
            const QUrl base = QUrl(QStringLiteral("qrc") + page);
            for (auto m = link.globalMatch(text); m.hasNext();) {
                const QUrl target = base.resolved(QUrl(m.next().captured(1)));
                QVERIFY2(QFile::exists(QLatin1Char(':') + target.path()),
                         qPrintable(page + QStringLiteral(" links to a missing page: ") +
                                    target.toString()));
                ++links;
            }
        }
        QVERIFY(links > 10);
    }
};

QTEST_MAIN(TestUserGuide)
#include "tst_userguide.moc"
