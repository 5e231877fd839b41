// SPDX-License-Identifier: GPL-3.0-or-later
// The container details' Terminal tab against a real container: a shell opens when the tab is
// shown; keys typed into the widget (QTest key events) reach it through libvterm (Enter,
// Backspace, Tab, arrows, ctrl-c) and its output is on the screen; resizing the widget
// resizes the pty (`stty size`); `exit` ends the session and Reconnect opens a new one; a
// stopped container says it is not running.
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/widgets/containerterminal.h"
#include "ui/widgets/terminalview.h"

#include <QApplication>
#include <QClipboard>
#include <QMouseEvent>
#include <QPushButton>
#include <QScopeGuard>
#include <QTabWidget>
#include <QTest>

using namespace Berth;
using namespace Berth::Test;

namespace {

QStringList screenLines(Gui::TerminalView *view) {
    return view->screenText().split('\n');
}

int countLines(Gui::TerminalView *view, const QString &line) {
    return int(screenLines(view).count(line));
}

void type(Gui::TerminalView *view, const QString &text) {
    QTest::keyClicks(view, text);
}

void enter(Gui::TerminalView *view) {
    QTest::keyClick(view, Qt::Key_Return);
}

} // namespace

class TestTerminal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shellInRunningContainer();
};

void TestTerminal::shellInRunningContainer() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    ImageFixture img;
    LayerBuilder tools = busyboxLayer();
    for (const char *applet : {"sleep", "stty", "seq"})
        tools.symlink(QString("bin/") + applet, "busybox");
    img.layer(tools, LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    BERTH_VERIFY_OK(img.install(store, {"busybox:latest"}));
    ContainerCleanup cleanup(store);
    const ProcessResult run =
        berthctl(store, {"run", "-d", "--name", "term", "busybox:latest", "sleep", "1000"});
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    auto record = store.engine().containers().get("term");
    BERTH_VERIFY_OK(record);

    auto *details = new Gui::ContainerDetailsDialog(store.engine(), *record);
    auto closeDetails = qScopeGuard([details] { delete details; });
    details->resize(900, 600);
    details->show();
    Gui::ContainerTerminal *terminal = details->terminal();
    Gui::TerminalView *view = terminal->view();
    // Nothing starts before the tab is shown.
    QCOMPARE(terminal->state(), Gui::ContainerTerminal::State::Idle);
    details->showTerminal();
    QTRY_COMPARE_WITH_TIMEOUT(terminal->state(), Gui::ContainerTerminal::State::Connected, 30000);
    QCOMPARE(terminal->shell(), QString("/bin/sh")); // busybox has no bash
    QVERIFY(terminal->message().isEmpty());
    // busybox sh's prompt for root.
    QTRY_VERIFY_WITH_TIMEOUT(view->screenText().contains("#"), 10000);

    // Arithmetic by the shell, typed key by key.
    type(view, "echo $((6*7))");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "42") == 1, qPrintable(view->screenText()), 10000);

    // Select it with the mouse, copy (ctrl-shift-c), and paste it back (ctrl-shift-v).
    const int row = int(screenLines(view).indexOf("42"));
    const QSize cell = view->cellSize();
    const QPoint from(1, row * cell.height() + cell.height() / 2);
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, from);
    QMouseEvent move(QEvent::MouseMove, QPointF(from + QPoint(2 * cell.width(), 0)),
                     view->viewport()->mapToGlobal(QPointF(from + QPoint(2 * cell.width(), 0))),
                     Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(view->viewport(), &move);
    QTest::mouseRelease(view->viewport(), Qt::LeftButton, {}, from + QPoint(2 * cell.width(), 0));
    QCOMPARE(view->selectedText(), QString("42"));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::clipboard()->text(), QString("42"));
    type(view, "echo ");
    QVERIFY(view->selectedText().isEmpty()); // typing ends the selection
    QTest::keyClick(view, Qt::Key_V, Qt::ControlModifier | Qt::ShiftModifier);
    type(view, "0");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "420") == 1, qPrintable(view->screenText()), 10000);

    // Backspace edits the line.
    type(view, "echo abx");
    QTest::keyClick(view, Qt::Key_Backspace);
    type(view, "c");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "abc") == 1, qPrintable(view->screenText()), 10000);
    // Up recalls the last command (an escape sequence through libvterm's keyboard).
    QTest::keyClick(view, Qt::Key_Up);
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "abc") == 2, qPrintable(view->screenText()), 10000);
    // Left moves the cursor back into the line.
    type(view, "echo xz");
    QTest::keyClick(view, Qt::Key_Left);
    type(view, "y");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "xyz") == 1, qPrintable(view->screenText()), 10000);
    // Tab completes a file name.
    type(view, "cat /etc/hostn");
    QTest::keyClick(view, Qt::Key_Tab);
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(screenLines(view).contains(record->id.left(12)),
                              qPrintable(view->screenText()), 10000);
    // Ctrl-C interrupts a foreground command: the next command runs at once.
    type(view, "sleep 600");
    enter(view);
    QTest::qWait(300);
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    type(view, "echo after-$((1+1))");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "after-2") == 1, qPrintable(view->screenText()),
                              10000);

    // Resizing the widget resizes the pty.
    const QSize before = view->gridSize();
    details->resize(700, 450);
    QTRY_VERIFY(view->gridSize() != before);
    const QSize after = view->gridSize();
    type(view, "stty size");
    enter(view);
    const QString expected = QString("%1 %2").arg(after.height()).arg(after.width());
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, expected) == 1,
                              qPrintable(expected + " in\n" + view->screenText()), 10000);

    // Output beyond the screen goes to the scrollback.
    type(view, "seq 1 200");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "200") == 1, qPrintable(view->screenText()), 10000);
    QVERIFY(view->scrollbackLines() >= 200 - after.height());

    // The shell ends: the tab says so, and Reconnect opens a new one.
    type(view, "exit");
    enter(view);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->state(), Gui::ContainerTerminal::State::Ended, 10000);
    QVERIFY2(terminal->message().contains("Session ended"), qPrintable(terminal->message()));
    QVERIFY(!view->isAttached());
    auto *connectButton = terminal->findChild<QPushButton *>("terminalConnect");
    QVERIFY(connectButton && connectButton->isVisible());
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->state(), Gui::ContainerTerminal::State::Connected, 30000);
    type(view, "echo again-$((2*3))");
    enter(view);
    QTRY_VERIFY2_WITH_TIMEOUT(countLines(view, "again-6") == 1, qPrintable(view->screenText()),
                              10000);

    // The container stops: the session ends, and a new one is refused in words.
    const ProcessResult stop = berthctl(store, {"stop", "-t", "1", "term"});
    QVERIFY2(stop.exitCode == 0, qPrintable(stop.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(terminal->state(), Gui::ContainerTerminal::State::Ended, 20000);
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(terminal->state(), Gui::ContainerTerminal::State::NotRunning, 20000);
    QVERIFY2(terminal->message().contains("not running"), qPrintable(terminal->message()));
}

QTEST_MAIN(TestTerminal)
#include "tst_terminal.moc"
