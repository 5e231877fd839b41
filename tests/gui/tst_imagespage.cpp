// SPDX-License-Identifier: GPL-3.0-or-later
// The images page and the disk usage page, driven through the real window: the welcome page's
// button creates the starter image, removal confirms with what it frees, the filter box, prune
// previews before deleting, and engine errors become plain words with the details behind a click.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/errortext.h"
#include "ui/mainwindow.h"
#include "ui/models/diskusagemodel.h"
#include "ui/models/filetreemodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/presentation.h"
#include "ui/pages/diskusagepage.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/pages/welcomepage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QLineEdit>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Berth;
using namespace Berth::Test;

namespace {

// The dialog a page opened (window-modal, never exec()), once it is there.
QMessageBox *waitForBox(QWidget *window, const QString &name) {
    QMessageBox *box = nullptr;
    for (int i = 0; i < 200 && !box; ++i) {
        box = window->findChild<QMessageBox *>(name);
        if (!box)
            QTest::qWait(50);
    }
    return box;
}

qint64 uniqueBytes(TestStore &store, const Engine::ImageRecord &image) {
    const QHash<QString, int> uses =
        Engine::EngineStores(store.engine()).images().chainIdUseCounts();
    qint64 bytes = 0;
    for (const Engine::LayerRecord &layer : image.layers)
        if (uses.value(layer.chainId.toString()) == 1)
            bytes += Engine::EngineStores(store.engine()).snapshots().info(layer.chainId)->size +
                     layer.blob.size;
    return bytes;
}

} // namespace

class TestImagesPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void welcomeButtonCreatesStarterAndExplorerFindsBusybox();
    void removeConfirmsWithFreedSize();
    void filterBoxAndTagOnlyRemoval();
    void removingAnImageInUseNamesItsContainers();
    void diskUsagePrunesAfterPreview();
    void errorsInPlainWords();
};

void TestImagesPage::welcomeButtonCreatesStarterAndExplorerFindsBusybox() {
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static");
    TestStore store;
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.currentPage(), window.welcomePage(), 5000);
    QVERIFY(!window.findChild<QListWidget *>("navigation")->isVisible());
    auto *button = window.findChild<QPushButton *>("starterImageButton");
    QVERIFY(button);
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(window.currentPage(), window.imagesPage(), 5000);
    QVERIFY(window.findChild<QListWidget *>("navigation")->isVisible());

    // The layer explorer finds /bin/busybox, added by layer 0.
    Gui::LayerExplorerPage *page = window.explorerPage();
    QSignalSpy shown(page, &Gui::LayerExplorerPage::analysisShown);
    QVERIFY(window.imagesPage()->selectRow("berth/busybox:latest"));
    QTest::mouseClick(window.imagesPage()->findChild<QWidget *>("exploreButton"), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 30000);
    page->selectLayer(0);
    const QModelIndex busybox = page->treeModel()->indexOfPath("/bin/busybox");
    QVERIFY(busybox.isValid());
    QCOMPARE(busybox.data(Gui::FileTreeModel::ChangeKindRole).toInt(),
             int(Engine::ChangeKind::Added));
    QCOMPARE(busybox.data(Gui::FileTreeModel::SourceLayerRole).toInt(), 0);
    // And previews /etc/passwd as text.
    QVERIFY(page->selectPath("/etc/passwd"));
    QTRY_VERIFY_WITH_TIMEOUT(page->preview()->toPlainText().contains("root:"), 5000);
}

void TestImagesPage::removeConfirmsWithFreedSize() {
    TestStore store;
    ImageFixture keep;
    keep.layer(LayerBuilder().file("base", QByteArray(3000, 'b')));
    ImageFixture gone;
    gone.layer(LayerBuilder().file("base", QByteArray(3000, 'b')))
        .layer(LayerBuilder().file("extra", QByteArray(7000, 'e')));
    BERTH_VERIFY_OK(keep.install(store, {"keep:1"}));
    auto goneRecord = gone.install(store, {"gone:1"});
    BERTH_VERIFY_OK(goneRecord);
    const qint64 freed = uniqueBytes(store, *goneRecord);
    QVERIFY(freed > 7000);

    Gui::MainWindow window(store.engine());
    QAbstractItemModelTester tester(window.imagesModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
    Gui::ImagesPage *page = window.imagesPage();
    QVERIFY(page->selectRow("gone:1"));
    QTest::mouseClick(page->findChild<QWidget *>("removeButton"), Qt::LeftButton);
    QMessageBox *box = waitForBox(&window, "removeConfirmation");
    QVERIFY(box);
    QVERIFY2(box->text().contains(Gui::formatBytes(freed)), qPrintable(box->text()));
    QVERIFY(box->text().contains("gone:1"));
    QTest::mouseClick(box->findChild<QPushButton *>("confirmRemove"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    QCOMPARE(window.imagesModel()->index(0, Gui::ImagesModel::Repository).data().toString(),
             QString("keep"));
    QVERIFY(!Engine::EngineStores(store.engine())
                 .snapshots()
                 .exists(goneRecord->layers.last().chainId));
}

void TestImagesPage::filterBoxAndTagOnlyRemoval() {
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("x", "x"));
    BERTH_VERIFY_OK(img.install(store, {"alpha:1", "beta:2"}));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
    Gui::ImagesPage *page = window.imagesPage();
    QTest::keyClicks(page->filterEdit(), "bet");
    QCOMPARE(page->view()->model()->rowCount(), 1);
    page->filterEdit()->clear();
    QCOMPARE(page->view()->model()->rowCount(), 2);

    // Removing one of two names only untags, and the confirmation says nothing is freed.
    QVERIFY(page->selectRow("alpha:1"));
    page->removeSelected();
    QMessageBox *box = waitForBox(&window, "removeConfirmation");
    QVERIFY(box);
    QVERIFY2(box->text().contains("no disk space is freed"), qPrintable(box->text()));
    QVERIFY(box->text().contains("beta:2"));
    QTest::mouseClick(box->findChild<QPushButton *>("confirmRemove"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    QVERIFY(Engine::EngineStores(store.engine()).images().get(img.id()).has_value());
}

// An image a container uses: the question names the container and offers to remove both.
void TestImagesPage::removingAnImageInUseNamesItsContainers() {
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("u", QByteArray(3000, 'u')));
    BERTH_VERIFY_OK(img.install(store, {"inuse:1"}));
    Engine::CreateRequest request;
    request.name = QStringLiteral("user-of-image");
    request.spec.image = QStringLiteral("inuse:1");
    request.spec.cmd = QStringList{QStringLiteral("true")};
    BERTH_VERIFY_OK(store.engine().containers().create(request));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    Gui::ImagesPage *page = window.imagesPage();
    QVERIFY(page->selectRow("inuse:1"));
    page->removeSelected();
    QMessageBox *box = waitForBox(&window, "removeConfirmation");
    QVERIFY(box);
    QVERIFY2(box->text().contains("user-of-image"), qPrintable(box->text()));
    QVERIFY(!box->findChild<QPushButton *>("confirmRemove"));
    QTest::mouseClick(box->findChild<QPushButton *>("confirmRemoveWithContainers"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 0, 10000);
    QVERIFY(store.engine().containers().list().isEmpty());
}

void TestImagesPage::diskUsagePrunesAfterPreview() {
    TestStore store;
    ImageFixture tagged;
    tagged.layer(LayerBuilder().file("t", QByteArray(2000, 't')));
    ImageFixture dangling;
    dangling.layer(LayerBuilder().file("d", QByteArray(5000, 'd')));
    BERTH_VERIFY_OK(tagged.install(store, {"tagged:1"}));
    BERTH_VERIFY_OK(dangling.install(store, {}));
    Gui::MainWindow window(store.engine());
    Gui::DiskUsagePage *page = window.diskUsagePage();
    QAbstractItemModelTester tester(page->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
    // Keyboard: Ctrl+4 opens the disk usage page. Shortcuts reach only the active window, which
    // the window becomes a moment after show() (under load, after the key was sent).
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QTest::keyClick(&window, Qt::Key_4, Qt::ControlModifier);
    QCOMPARE(window.currentPage(), page);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 2, 10000);
    QTest::mouseClick(page->findChild<QWidget *>("pruneButton"), Qt::LeftButton);
    QMessageBox *box = waitForBox(&window, "pruneConfirmation");
    QVERIFY(box);
    QVERIFY2(box->text().contains("Images to delete: 1."), qPrintable(box->text()));
    QVERIFY(box->detailedText().contains(dangling.id().shortId()));
    // Nothing is gone before the confirmation.
    QVERIFY(Engine::EngineStores(store.engine()).images().get(dangling.id()).has_value());
    QTest::mouseClick(box->findChild<QPushButton *>("confirmPrune"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 1, 10000);
    QVERIFY(!Engine::EngineStores(store.engine()).images().get(dangling.id()).has_value());
    QVERIFY(Engine::EngineStores(store.engine()).images().get(tagged.id()).has_value());
}

void TestImagesPage::errorsInPlainWords() {
    using Engine::ErrorKind;
    for (ErrorKind kind :
         {ErrorKind::NotFound, ErrorKind::AlreadyExists, ErrorKind::InvalidArgument,
          ErrorKind::Conflict, ErrorKind::PermissionDenied, ErrorKind::Unavailable,
          ErrorKind::Corrupt, ErrorKind::Cancelled, ErrorKind::Internal}) {
        const Gui::ErrorText text =
            Gui::errorText("It failed.", Engine::Error{kind, "open /x: technical words"});
        QVERIFY(text.summary.startsWith("It failed. "));
        QVERIFY(text.summary.size() > 30);
        QVERIFY(!text.summary.contains("technical words"));
        QVERIFY(text.detail.contains("open /x: technical words"));
    }
    // Through the window: loading a file that is no archive shows the words and the details.
    TestStore store;
    ImageFixture img;
    img.layer(LayerBuilder().file("x", "x"));
    BERTH_VERIFY_OK(img.install(store, {"x:1"}));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    QTemporaryDir dir;
    QFile junk(dir.path() + "/junk.tar");
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("this is not a tar archive");
    junk.close();
    window.imagesPage()->loadArchive(junk.fileName());
    QMessageBox *box = waitForBox(&window, "errorMessage");
    QVERIFY(box);
    QVERIFY(box->text().contains("could not be loaded"));
    QVERIFY(!box->detailedText().isEmpty());
}

QTEST_MAIN(TestImagesPage)
#include "tst_imagespage.moc"
