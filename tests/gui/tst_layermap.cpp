// SPDX-License-Identifier: GPL-3.0-or-later
// The layer map and the container's Files tab, through the real window on a real store: two
// images built on the same base layer show that layer once, with each image on its own branch
// and a container under its image; selecting a node says what it is, double-clicks open the
// layer explorer and the container's details; a container made by berthctl in another process
// appears. The Files tab lists what a real container wrote (Added) and deleted.
#include "engine/enginestores.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/mainwindow.h"
#include "ui/models/containerchangesmodel.h"
#include "ui/models/containersmodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/layermapmodel.h"
#include "ui/models/presentation.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/pages/layermappage.h"
#include "ui/widgets/containerfilesview.h"
#include "ui/widgets/layermapview.h"

#include <QAbstractItemModelTester>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTest>
#include <QTreeView>

using namespace Berth;
using namespace Berth::Test;

namespace {

using Kind = Gui::LayerMapModel::NodeKind;

Kind kindOf(const QModelIndex &index) {
    return Kind(index.data(Gui::LayerMapModel::KindRole).toInt());
}

QString layerKey(const Engine::ImageRecord &image, int layer) {
    return "layer:" + image.layers.at(layer).chainId.hex();
}

QString imageKey(const Engine::ImageRecord &image) {
    return "image:" + image.id.hex();
}

} // namespace

class TestLayerMap : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sharedBaseLayerOnceContainersUnderImages();
    void filesTabListsWhatTheContainerWrote();
    void changesModelIsATree();
};

void TestLayerMap::sharedBaseLayerOnceContainersUnderImages() {
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    TestStore store;
    ContainerCleanup cleanup(store);
    ImageFixture web;
    web.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder().dir("app").file("app/index.html", "<h1>hi</h1>"),
               LayerBuilder::Compression::Gzip, "COPY index.html /app/")
        .cmd({"sh"});
    ImageFixture tools;
    tools.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder().dir("opt").file("opt/tool", QByteArray(4096, 't')),
               LayerBuilder::Compression::Gzip, "COPY tool /opt/")
        .cmd({"sh"});
    auto webImage = web.install(store, {"demo/web:1"});
    BERTH_VERIFY_OK(webImage);
    auto toolsImage = tools.install(store, {"demo/tools:1"});
    BERTH_VERIFY_OK(toolsImage);
    QCOMPARE(webImage->layers.first().chainId, toolsImage->layers.first().chainId);
    Engine::CreateRequest request;
    request.name = "web-1";
    request.spec.image = "demo/web:1";
    request.spec.cmd = {"sh"};
    BERTH_VERIFY_OK(store.engine().containers().create(request));

    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
    Gui::LayerMapPage *page = window.layerMapPage();
    Gui::LayerMapModel *model = page->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(page, &Gui::LayerMapPage::refreshed);
    QVERIFY(QTest::qWaitForWindowActive(&window)); // shortcuts reach only the active window
    QTest::keyClick(&window, Qt::Key_8, Qt::ControlModifier);
    QCOMPARE(window.currentPage(), page);
    QTRY_VERIFY_WITH_TIMEOUT(model->containerCount() == 1, 10000);

    // One root: the busybox layer both images share, drawn once, with a branch per image.
    QCOMPARE(model->rowCount(), 1);
    const QModelIndex base = model->index(0, 0);
    QCOMPARE(base.data(Gui::LayerMapModel::KeyRole).toString(), layerKey(*webImage, 0));
    QVERIFY(base.data(Gui::LayerMapModel::SharedRole).toBool());
    QCOMPARE(base.data(Gui::LayerMapModel::ImagesRole).toStringList(),
             QStringList({"demo/tools:1", "demo/web:1"}));
    QCOMPARE(base.data(Gui::LayerMapModel::CommandRole).toString(), QString("ADD busybox /"));
    QVERIFY(base.data(Gui::LayerMapModel::SizeRole).toLongLong() > 500000); // busybox itself
    QCOMPARE(model->rowCount(base), 2);
    QCOMPARE(model->layerCount(), 3);
    QCOMPARE(model->sharedLayerCount(), 1);
    const QModelIndex webTop = model->indexOfKey(layerKey(*webImage, 1));
    QCOMPARE(webTop.parent(), base);
    QVERIFY(!webTop.data(Gui::LayerMapModel::SharedRole).toBool());
    QCOMPARE(webTop.data(Gui::LayerMapModel::CommandRole).toString(),
             QString("COPY index.html /app/"));
    // Each image hangs off its own top layer, the container off its image.
    const QModelIndex webNode = model->indexOfKey(imageKey(*webImage));
    QCOMPARE(webNode.parent(), webTop);
    QCOMPARE(model->indexOfKey(imageKey(*toolsImage)).parent(),
             model->indexOfKey(layerKey(*toolsImage, 1)));
    QCOMPARE(model->rowCount(webNode), 1);
    const QModelIndex container = model->index(0, 0, webNode);
    QCOMPARE(kindOf(container), Kind::Container);
    QCOMPARE(container.data().toString(), QString("web-1"));
    QCOMPARE(base.data(Gui::LayerMapModel::ContainersRole).toStringList(), QStringList({"web-1"}));

    // Drawn: one box per node; selecting the base layer says what it is.
    Gui::LayerMapView *view = page->view();
    QCOMPARE(view->nodeCount(), 3 + 2 + 1);
    const QRect baseRect = view->viewportRectOf(layerKey(*webImage, 0));
    QVERIFY(!baseRect.isEmpty());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, baseRect.center());
    QCOMPARE(view->currentKey(), layerKey(*webImage, 0));
    const QString details = page->details()->text();
    QVERIFY2(details.contains(webImage->layers.first().diffId.toString()), qPrintable(details));
    QVERIFY(details.contains("ADD busybox /"));
    QVERIFY(details.contains("demo/tools:1, demo/web:1"));
    QVERIFY(details.contains("web-1"));
    QVERIFY(details.contains("Shared by 2 images"));
    // The keyboard walks the tree: right goes up the stack.
    QTest::keyClick(view, Qt::Key_Right);
    QVERIFY(view->currentKey().startsWith("layer:"));
    QVERIFY(view->currentKey() != layerKey(*webImage, 0));

    // Double-click on the image opens it in the layer explorer.
    view->selectKey(imageKey(*webImage));
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {},
                       view->viewportRectOf(imageKey(*webImage)).center());
    QCOMPARE(window.currentPage(), window.explorerPage());
    QCOMPARE(window.explorerPage()->currentImageId(), webImage->id.toString());

    // Double-click on the container opens its details.
    window.showPage(Gui::MainWindow::Page::LayerMap);
    const QString containerId = container.data(Gui::LayerMapModel::IdRole).toString();
    view->selectKey("container:" + containerId);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {},
                       view->viewportRectOf("container:" + containerId).center());
    QTRY_VERIFY_WITH_TIMEOUT(window.containersPage()->detailsDialog(containerId), 10000);
    window.containersPage()->detailsDialog(containerId)->close();

    // A container created by berthctl in another process appears under its image.
    refreshed.clear();
    const ProcessResult created =
        berthctl(store, {"create", "--name", "tools-cli", "demo/tools:1"});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    QTRY_COMPARE_WITH_TIMEOUT(model->containerCount(), 2, 5000);
    const QModelIndex toolsNode = model->indexOfKey(imageKey(*toolsImage));
    QCOMPARE(model->rowCount(toolsNode), 1);
    QCOMPARE(model->index(0, 0, toolsNode).data().toString(), QString("tools-cli"));
    QCOMPARE(view->nodeCount(), 3 + 2 + 2);
    QVERIFY2(page->summary()->text().contains("Images: 2 · layers: 3"),
             qPrintable(page->summary()->text()));
}

void TestLayerMap::filesTabListsWhatTheContainerWrote() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    ContainerCleanup cleanup(store);
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    BERTH_VERIFY_OK(img.install(store, {"busybox:latest"}));
    Engine::CreateRequest request;
    request.name = "writer";
    request.spec.image = "busybox:latest";
    request.spec.networkMode = "none";
    request.spec.cmd = {"sh", "-c",
                        "mkdir /data && echo hello > /data/greeting.txt && rm /etc/passwd"};
    auto created = store.engine().containers().create(request);
    BERTH_VERIFY_OK(created);
    BERTH_VERIFY_OK(store.engine().containers().start(created->id));
    auto exitCode = store.engine().containers().wait(created->id);
    BERTH_VERIFY_OK(exitCode);
    QCOMPARE(*exitCode, 0);

    Gui::MainWindow window(store.engine());
    window.show();
    window.showPage(Gui::MainWindow::Page::Containers);
    QTRY_VERIFY_WITH_TIMEOUT(window.containersPage()->selectContainer("writer"), 10000);
    window.containersPage()->openDetails(created->id);
    QTRY_VERIFY_WITH_TIMEOUT(window.containersPage()->detailsDialog(created->id), 10000);
    Gui::ContainerDetailsDialog *details = window.containersPage()->detailsDialog(created->id);
    Gui::ContainerFilesView *files = details->filesView();
    QVERIFY(files);
    QAbstractItemModelTester tester(files->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy refreshed(files, &Gui::ContainerFilesView::refreshed);
    details->showFiles();
    QCOMPARE(details->tabs()->currentWidget(), files);
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 1, 10000);

    Gui::ContainerChangesModel *model = files->model();
    const QModelIndex greeting = model->indexOfPath("/data/greeting.txt");
    QVERIFY(greeting.isValid());
    QCOMPARE(greeting.data(Gui::ContainerChangesModel::ChangeKindRole).toInt(),
             int(Engine::ChangeKind::Added));
    QCOMPARE(greeting.siblingAtColumn(Gui::ContainerChangesModel::Change).data().toString(),
             QString("Added"));
    QCOMPARE(greeting.data().toString(), QString("greeting.txt")); // under /data in the tree
    QCOMPARE(greeting.parent(), model->indexOfPath("/data"));
    QCOMPARE(greeting.siblingAtColumn(Gui::ContainerChangesModel::Size).data().toString(),
             Gui::formatBytes(6));
    const QModelIndex passwd = model->indexOfPath("/etc/passwd");
    QVERIFY(passwd.isValid());
    QCOMPARE(passwd.data(Gui::ContainerChangesModel::ChangeKindRole).toInt(),
             int(Engine::ChangeKind::Deleted));
    QCOMPARE(passwd.parent().data(Gui::ContainerChangesModel::ChangeKindRole).toInt(),
             int(Engine::ChangeKind::Modified)); // /etc changed
    QVERIFY(!passwd.data(Qt::DecorationRole).isNull());
    QVERIFY2(files->summary()->text().contains("2 added"), qPrintable(files->summary()->text()));
    // The tree is shown expanded: the file is visible without clicking.
    QVERIFY(files->view()->isExpanded(static_cast<QSortFilterProxyModel *>(files->view()->model())
                                          ->mapFromSource(model->indexOfPath("/data"))));

    // Removing it warns, and offers to keep what it wrote as an image first.
    Gui::ContainersPage *page = window.containersPage();
    QVERIFY(page->selectContainer("writer"));
    page->removeSelected();
    QMessageBox *box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (box = window.findChild<QMessageBox *>("removeContainerConfirmation")) != nullptr, 10000);
    QVERIFY2(box->text().contains("read-write layer"), qPrintable(box->text()));
    auto *commit = box->findChild<QPushButton *>("commitThenRemoveContainer");
    QVERIFY(commit);
    QTest::mouseClick(commit, Qt::LeftButton);
    QInputDialog *ask = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((ask = window.findChild<QInputDialog *>("commitImageName")) != nullptr,
                             5000);
    QCOMPARE(ask->textValue(), QString("writer-snapshot:latest"));
    ask->setTextValue("demo/writer-saved:1");
    ask->accept();
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowOf("writer"), -1, 30000);
    QVERIFY(!store.engine().containers().get(created->id).has_value());
    auto saved = Engine::EngineStores(store.engine()).images().resolve("demo/writer-saved:1");
    BERTH_VERIFY_OK(saved);
    QCOMPARE(saved->layers.size(), 2); // busybox + what the container wrote
    const QString layer =
        Engine::EngineStores(store.engine()).snapshots().filesPath(saved->layers.last().chainId);
    QFile greetingFile(layer + "/data/greeting.txt");
    QVERIFY(greetingFile.open(QIODevice::ReadOnly));
    QCOMPARE(greetingFile.readAll(), QByteArray("hello\n"));
}

void TestLayerMap::changesModelIsATree() {
    Gui::ContainerChangesModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    using K = Engine::ChangeKind;
    auto change = [](K kind, const QString &path, qint64 size = -1, bool dir = false) {
        return Gui::ContainerFileChange{{kind, path}, size, dir};
    };
    model.setChanges({change(K::Modified, "/etc", -1, true), change(K::Added, "/etc/new.conf", 12),
                      change(K::Deleted, "/etc/old"), change(K::Added, "/root.txt", 3),
                      change(K::Added, "/var/lib/x", 1)}); // /var not listed: a root of its own
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.rowCount(model.indexOfPath("/etc")), 2);
    QCOMPARE(model.indexOfPath("/var/lib/x").parent(), QModelIndex());
    QCOMPARE(model.indexOfPath("/var/lib/x").data().toString(), QString("/var/lib/x"));
    QCOMPARE(model.indexOfPath("/etc").data().toString(), QString("/etc/"));
    QCOMPARE(model.count(Engine::ChangeKind::Added), 3);
    model.setChanges({});
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(TestLayerMap)
#include "tst_layermap.moc"
