// SPDX-License-Identifier: GPL-3.0-or-later
// The layer explorer, driven through the real window: open an image from the images page,
// find files in the layer that added, modified or deleted them, filter by name, preview text,
// refuse binaries, wasted space with its layers, extraction and comparison.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/mainwindow.h"
#include "ui/models/analysistablemodels.h"
#include "ui/models/filetreemodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/layersmodel.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/layerexplorerpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTreeView>

using namespace Berth;
using namespace Berth::Test;
using Gui::FileTreeModel;

namespace {

// Three layers: a base, one that adds and modifies, one that deletes what layer 1 stored.
ImageFixture explorerImage() {
    ImageFixture img;
    QByteArray binary("\x7f"
                      "ELF\0\0\0binary",
                      14);
    img.layer(LayerBuilder()
                  .dir("etc")
                  .file("etc/os-release", "NAME=Base\n")
                  .dir("bin")
                  .file("bin/tool", binary, 0755)
                  .dir("usr")
                  .dir("usr/share")
                  .file("usr/share/readme.txt", "read me\n"),
              LayerBuilder::Compression::Gzip, "ADD rootfs.tar /")
        .layer(LayerBuilder()
                   .dir("etc")
                   .file("etc/hello", "hello from layer 1\n")
                   .file("etc/os-release", "NAME=Changed\n")
                   .dir("tmp")
                   .file("tmp/big", QByteArray(4000, 'x')),
               LayerBuilder::Compression::None, "RUN echo hello > /etc/hello")
        .emptyLayerHistory("ENV A=b")
        .layer(LayerBuilder().whiteout("tmp/big").dir("app").file("app/config.txt", "key=value\n"),
               LayerBuilder::Compression::None, "RUN rm /tmp/big")
        .cmd({"sh"});
    return img;
}

int changeAt(FileTreeModel *model, const QString &path) {
    const QModelIndex index = model->indexOfPath(path);
    return index.isValid() ? index.data(FileTreeModel::ChangeKindRole).toInt() : -2;
}

} // namespace

class TestLayerExplorer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void exploresLayersThroughTheWindow();
    void treeModelIsSoundWhileFilteringAndFetching();
    void comparesWithAnotherImage();
};

void TestLayerExplorer::exploresLayersThroughTheWindow() {
    TestStore store;
    const ImageFixture img = explorerImage();
    BERTH_VERIFY_OK(img.install(store, {"explore:1"}));
    Gui::MainWindow window(store.engine());
    Gui::LayerExplorerPage *page = window.explorerPage();
    // Every model the explorer shows is checked while the window drives it.
    QAbstractItemModelTester t1(page->layersModel(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(page->treeModel(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(page->wastedModel(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(page->historyModel(),
                                QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);

    // Double-clicking the image opens it in the explorer.
    QSignalSpy shown(page, &Gui::LayerExplorerPage::analysisShown);
    QTableView *images = window.imagesPage()->view();
    const QRect rect = images->visualRect(images->model()->index(0, 0));
    QTest::mouseClick(images->viewport(), Qt::LeftButton, {}, rect.center());
    QTest::mouseDClick(images->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
    QCOMPARE(window.currentPage(), page);
    QCOMPARE(page->currentImageId(), img.id().toString());

    // Layers: three (the ENV step made none), with their commands; the last one selected.
    Gui::LayersModel *layers = page->layersModel();
    QCOMPARE(layers->rowCount(), 3);
    QVERIFY(layers->index(1, Gui::LayersModel::Command).data().toString().contains("echo hello"));
    QCOMPARE(page->treeModel()->layer(), 2);

    // Layer 1 added /etc/hello and modified /etc/os-release; layer 0 has no /etc/hello.
    page->layersView()->selectRow(1);
    QCOMPARE(page->treeModel()->layer(), 1);
    FileTreeModel *tree = page->treeModel();
    QCOMPARE(changeAt(tree, "/etc/hello"), int(Engine::ChangeKind::Added));
    QCOMPARE(changeAt(tree, "/etc/os-release"), int(Engine::ChangeKind::Modified));
    QCOMPARE(changeAt(tree, "/usr/share/readme.txt"), -1); // unchanged here
    page->selectLayer(0);
    QCOMPARE(changeAt(tree, "/etc/hello"), -2); // not there yet
    QCOMPARE(changeAt(tree, "/etc/os-release"), int(Engine::ChangeKind::Added));
    // Layer 2 deleted /tmp/big: still listed, marked Deleted.
    page->selectLayer(2);
    const QModelIndex big = tree->indexOfPath("/tmp/big");
    QVERIFY(big.isValid());
    QCOMPARE(big.data(FileTreeModel::ChangeKindRole).toInt(), int(Engine::ChangeKind::Deleted));
    QVERIFY(big.data(FileTreeModel::DeletedRole).toBool());
    QVERIFY(!big.data(Qt::DecorationRole).isNull()); // an icon, not only a colour

    // "Only this layer's changes" hides what layer 2 did not touch.
    page->findChild<QComboBox *>("treeScope")->setCurrentIndex(1);
    QVERIFY(!tree->indexOfPath("/usr").isValid());
    QVERIFY(tree->indexOfPath("/app/config.txt").isValid());
    page->findChild<QComboBox *>("treeScope")->setCurrentIndex(0);

    // The wasted space, biggest first: 4000 bytes stored by layer 1, hidden by layer 2; then
    // the base's /etc/os-release, overwritten by layer 1.
    Gui::WastedModel *wasted = page->wastedModel();
    QCOMPARE(wasted->rowCount(), 2);
    QCOMPARE(wasted->index(1, Gui::WastedModel::Path).data().toString(),
             QString("/etc/os-release"));
    QCOMPARE(wasted->index(0, Gui::WastedModel::Path).data().toString(), QString("/tmp/big"));
    QCOMPARE(wasted->index(0, Gui::WastedModel::StoredLayer).data().toInt(), 1);
    QCOMPARE(wasted->index(0, Gui::WastedModel::HiddenLayer).data().toInt(), 2);

    // Filter by name, typed into the box.
    QTest::keyClicks(page->filterEdit(), "HELLO");
    QTRY_VERIFY_WITH_TIMEOUT(tree->isFiltered(), 5000);
    QCOMPARE(tree->filteredCount(), 2); // /etc and /etc/hello
    QCOMPARE(tree->rowCount(), 1);
    QVERIFY(tree->indexOfPath("/etc/hello").isValid());
    QVERIFY(!tree->indexOfPath("/app").isValid());
    page->filterEdit()->clear();
    QTRY_VERIFY_WITH_TIMEOUT(!tree->isFiltered(), 5000);

    // Selecting a path shows its history and previews its content at the layer.
    QSignalSpy previewed(page, &Gui::LayerExplorerPage::previewShown);
    page->selectLayer(1);
    QVERIFY(page->selectPath("/etc/os-release"));
    QTRY_VERIFY_WITH_TIMEOUT(page->preview()->toPlainText().contains("NAME=Changed"), 5000);
    QCOMPARE(page->historyModel()->rowCount(), 2);
    QCOMPARE(page->historyModel()->index(1, Gui::PathHistoryModel::Layer).data().toInt(), 1);
    page->selectLayer(0);
    QTRY_VERIFY_WITH_TIMEOUT(page->preview()->toPlainText().contains("NAME=Base"), 5000);
    // A binary file is refused politely.
    QVERIFY(page->selectPath("/bin/tool"));
    QTRY_VERIFY_WITH_TIMEOUT(page->preview()->toPlainText().contains("binary"), 5000);

    // Extract a directory as it is at layer 1.
    page->selectLayer(1);
    QVERIFY(page->selectPath("/etc"));
    QTemporaryDir out;
    QSignalSpy status(page, &Gui::LayerExplorerPage::statusMessage);
    page->extractSelected(out.path() + "/etc");
    QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty(), 5000);
    QFile hello(out.path() + "/etc/hello");
    QVERIFY(hello.open(QIODevice::ReadOnly));
    QCOMPARE(hello.readAll(), QByteArray("hello from layer 1\n"));
    QFile release(out.path() + "/etc/os-release");
    QVERIFY(release.open(QIODevice::ReadOnly));
    QCOMPARE(release.readAll(), QByteArray("NAME=Changed\n"));
}

void TestLayerExplorer::treeModelIsSoundWhileFilteringAndFetching() {
    TestStore store;
    const ImageFixture img = explorerImage();
    auto record = img.install(store, {"tree:1"});
    BERTH_VERIFY_OK(record);
    Engine::ImageAnalyzer analyzer(store.engine().paths(),
                                   Engine::EngineStores(store.engine()).images(),
                                   Engine::EngineStores(store.engine()).snapshots());
    auto analysis = analyzer.analyze(*record);
    BERTH_VERIFY_OK(analysis);
    FileTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setAnalysis(*analysis, 2);
    // Lazy: nothing below the top level until asked.
    const QModelIndex etc = model.indexOfPath("/etc");
    QVERIFY(etc.isValid());
    QVERIFY(model.canFetchMore(model.indexOfPath("/usr")));
    QVERIFY(model.indexOfPath("/usr/share/readme.txt").isValid());
    model.setChangeFilter(FileTreeModel::ShowDeleted);
    QCOMPARE(model.filteredCount(), 2); // /tmp, /tmp/big
    model.setChangeFilter(FileTreeModel::ShowAll);
    model.setNameFilter("config");
    QVERIFY(model.indexOfPath("/app/config.txt").isValid());
    model.setNameFilter("no such path");
    QCOMPARE(model.rowCount(), 0);
    model.setNameFilter({});
    for (int layer = 0; layer < 3; ++layer) {
        model.setLayer(layer);
        model.setScope(layer % 2 ? FileTreeModel::Scope::ThisLayer
                                 : FileTreeModel::Scope::Everything);
        QVERIFY(model.rowCount() > 0);
    }
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestLayerExplorer::comparesWithAnotherImage() {
    TestStore store;
    ImageFixture base;
    base.layer(LayerBuilder().dir("etc").file("etc/a", "a\n"));
    ImageFixture other;
    other.layer(LayerBuilder().dir("etc").file("etc/a", "a\n"))
        .layer(LayerBuilder().dir("etc").file("etc/b", "b\n"));
    BERTH_VERIFY_OK(base.install(store, {"base:1"}));
    BERTH_VERIFY_OK(other.install(store, {"other:1"}));
    Gui::MainWindow window(store.engine());
    Gui::LayerExplorerPage *page = window.explorerPage();
    QAbstractItemModelTester tester(page->comparisonModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
    QSignalSpy shown(page, &Gui::LayerExplorerPage::analysisShown);
    window.exploreImage(base.id().toString());
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 20000);
    QSignalSpy compared(page, &Gui::LayerExplorerPage::comparisonShown);
    page->compareWith(other.id().toString());
    QTRY_VERIFY_WITH_TIMEOUT(!compared.isEmpty(), 20000);
    Gui::ComparisonModel *diff = page->comparisonModel();
    QCOMPARE(diff->rowCount(), 1);
    QCOMPARE(diff->index(0, Gui::ComparisonModel::Path).data().toString(), QString("/etc/b"));
    QVERIFY(page->findChild<QLabel *>("compareSummary")
                ->text()
                .contains(": 1. The images diverge at layer 1."));
}

QTEST_MAIN(TestLayerExplorer)
#include "tst_layerexplorer.moc"
