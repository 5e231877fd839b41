// SPDX-License-Identifier: GPL-3.0-or-later
// The main window lists the store's images, and changes made by berthctl in another process
// appear within a second. The keyboard reaches every page (Ctrl+1..8), and Tab walks the Run
// dialog's fields in the order they are shown.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/dialogs/rundialog.h"
#include "ui/mainwindow.h"
#include "ui/models/imagesmodel.h"
#include "ui/pages/buildpage.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/diskusagepage.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/pages/layermappage.h"
#include "ui/pages/registriespage.h"
#include "ui/pages/volumespage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>
#include <QTest>

using namespace Berth;
using namespace Berth::Test;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void imagesModelIsSound();
    void listsImagesAndFollowsOtherProcesses();
    void keyboardReachesPagesAndRunFields();
};

void TestMainWindow::imagesModelIsSound() {
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("hello", "hi"));
    auto record = img.install(store, {"a:1", "b:2"});
    BERTH_VERIFY_OK(record);
    auto untagged = ImageFixture().layer(LayerBuilder().file("other", "x")).install(store, {});
    BERTH_VERIFY_OK(untagged);
    Gui::ImagesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setImages(Engine::EngineStores(store.engine()).images().list());
    QCOMPARE(model.rowCount(), 3); // one row per tag, one for the untagged image
    QStringList repos;
    for (int row = 0; row < model.rowCount(); ++row)
        repos << model.index(row, Gui::ImagesModel::Repository).data().toString();
    repos.sort();
    QCOMPARE(repos, QStringList({"<none>", "a", "b"}));
    model.setImages({});
    QCOMPARE(model.rowCount(), 0);
}

void TestMainWindow::listsImagesAndFollowsOtherProcesses() {
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("hello", "hi"));
    BERTH_VERIFY_OK(img.install(store, {"shown:1"}));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 5000);
    QCOMPARE(window.imagesModel()->index(0, Gui::ImagesModel::Repository).data().toString(),
             QString("shown"));
    QCOMPARE(window.imagesModel()->index(0, Gui::ImagesModel::ImageId).data().toString(),
             img.id().shortId());

    // Another process adds a tag: the window shows it without being asked.
    const ProcessResult r = berthctl(store, {"tag", "shown:1", "also:2"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 5000);
}

void TestMainWindow::keyboardReachesPagesAndRunFields() {
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("hello", "hi"));
    BERTH_VERIFY_OK(img.install(store, {"keys:1"}));
    Gui::MainWindow window(store.engine());
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 5000);
    const QList<QWidget *> pages = {
        window.imagesPage(), window.containersPage(), window.explorerPage(), window.diskUsagePage(),
        window.buildPage(),  window.registriesPage(), window.volumesPage(),  window.layerMapPage()};
    for (int i = int(pages.size()) - 1; i >= 0; --i) {
        QTest::keyClick(&window, Qt::Key(Qt::Key_1 + i), Qt::ControlModifier);
        QCOMPARE(window.currentPage(), pages.at(i));
    }

    window.runImage("keys:1");
    auto *dialog = window.findChild<Gui::RunDialog *>("runDialog");
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    // The field that has the focus, by name (an editor inside a field counts as the field).
    const auto focused = [] {
        for (QWidget *w = QApplication::focusWidget(); w; w = w->parentWidget())
            if (w->objectName().startsWith("run"))
                return w->objectName();
        return QString();
    };
    dialog->findChild<QWidget *>("runImage")->setFocus();
    QTRY_COMPARE(focused(), QString("runImage"));
    const QStringList order = {"runName",      "runCommand", "runEnv",  "runAddEnv",
                               "runRemoveEnv", "runWorkdir", "runUser", "runPorts",
                               "runVolumes",   "runMemory",  "runCpus", "runPids",
                               "runRestart",   "runRm",      "runInit", "runDetach"};
    // (runRestartMax sits between runRestart and runRm once "on-failure" enables it.)
    for (const QString &name : order) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(focused(), name);
    }
    dialog->reject();
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
