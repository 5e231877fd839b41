// SPDX-License-Identifier: GPL-3.0-or-later
// The main window lists the store's images, and changes made by berthctl in another process
// appear within a second.
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/mainwindow.h"
#include "ui/models/imagesmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QSignalSpy>

using namespace Berth;
using namespace Berth::Test;

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void imagesModelIsSound();
    void listsImagesAndFollowsOtherProcesses();
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
    model.setImages(store.engine().images().list());
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

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
