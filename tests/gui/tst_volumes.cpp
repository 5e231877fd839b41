// SPDX-License-Identifier: GPL-3.0-or-later
// The Volumes page in the real window on a real store: volumes created by berthctl in another
// process appear with the containers that use them and their size; removing one in use is
// refused in words and keeps it; an unused one is removed after the confirmation (its folder
// goes); create; prune shows what goes and removes exactly that. The model passes
// QAbstractItemModelTester.
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/mainwindow.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/presentation.h"
#include "ui/models/volumesmodel.h"
#include "ui/pages/volumespage.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace Berth;
using namespace Berth::Test;

namespace {

QMessageBox *waitForBox(QWidget *window, const QString &name) {
    QMessageBox *box = nullptr;
    for (int i = 0; i < 200 && !box; ++i) {
        box = window->findChild<QMessageBox *>(name);
        if (!box)
            QTest::qWait(50);
    }
    return box;
}

QString cell(const Gui::VolumesModel *model, const QString &name, int column) {
    const int row = model->rowOf(name);
    return row < 0 ? QString() : model->index(row, column).data().toString();
}

} // namespace

class TestVolumesPage : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void modelIsSound() {
        Gui::VolumesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        Engine::VolumeRecord a{"alpha", {}, false, QDateTime::currentDateTimeUtc(), "/v/alpha"};
        Engine::VolumeRecord b{
            QString(64, QLatin1Char('f')), {}, true, QDateTime::currentDateTimeUtc(), "/v/f"};
        model.setVolumes({{a, {"web", "worker"}, -1}, {b, {}, -1}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(cell(&model, "alpha", Gui::VolumesModel::UsedBy), QString("web, worker"));
        QCOMPARE(cell(&model, "alpha", Gui::VolumesModel::Size), QString("measuring…"));
        QVERIFY(cell(&model, b.name, Gui::VolumesModel::Name).endsWith("(anonymous)"));
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.setSizes({{"alpha", 5000}});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(cell(&model, "alpha", Gui::VolumesModel::Size), Gui::formatBytes(5000));
        // A new list keeps the sizes known until they are measured again.
        model.setVolumes({{a, {}, -1}});
        QCOMPARE(cell(&model, "alpha", Gui::VolumesModel::Size), Gui::formatBytes(5000));
        QCOMPARE(cell(&model, "alpha", Gui::VolumesModel::UsedBy), QString("none"));
        model.setVolumes({});
        QCOMPARE(model.rowCount(), 0);
    }

    void listRemoveCreatePrune() {
        TestStore store;
        ImageFixture img;
        img.layer(LayerBuilder().dir("etc").file("etc/hello", "hello\n"),
                  LayerBuilder::Compression::Gzip, "ADD hello")
            .cmd({"sh"});
        BERTH_VERIFY_OK(img.install(store, {"busybox:latest"}));
        auto cleanup = qScopeGuard([&store] {
            for (const Engine::ContainerRecord &c : store.engine().containers().list())
                (void)store.engine().containers().remove(c.id,
                                                         Engine::ContainerRuntime::Force::Yes);
        });
        Gui::MainWindow window(store.engine());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
        QVERIFY(QTest::qWaitForWindowActive(&window)); // shortcuts reach only the active window
        QTest::keyClick(&window, Qt::Key_7, Qt::ControlModifier);
        Gui::VolumesPage *page = window.volumesPage();
        QCOMPARE(window.currentPage(), page);
        Gui::VolumesModel *model = page->model();
        QAbstractItemModelTester tester(model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);

        // From another process: a container that uses "appdata", and an unused volume.
        ProcessResult r =
            berthctl(store, {"create", "--name", "db", "-v", "appdata:/data", "busybox"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = berthctl(store, {"volume", "create", "scratch"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        auto appdata = store.engine().containers().volumes().get("appdata");
        QVERIFY(appdata.has_value());
        QFile file(appdata->mountpoint + "/table.db");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(5000, 'x'));
        file.close();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf("scratch") >= 0 && model->rowOf("appdata") >= 0,
                                 10000);
        QCOMPARE(cell(model, "appdata", Gui::VolumesModel::UsedBy), QString("db"));
        QCOMPARE(cell(model, "scratch", Gui::VolumesModel::UsedBy), QString("none"));
        QCOMPARE(cell(model, "appdata", Gui::VolumesModel::Mountpoint), appdata->mountpoint);
        QCOMPARE(cell(model, "appdata", Gui::VolumesModel::Driver), QString("local"));
        // The size is the disk the volume's files take (blocks, as du counts), measured again
        // on Refresh.
        const qint64 used = store.engine().containers().volumes().size("appdata");
        QVERIFY(used >= 5000);
        QTest::mouseClick(page->findChild<QPushButton *>("refreshVolumesButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(cell(model, "appdata", Gui::VolumesModel::Size),
                                  Gui::formatBytes(used), 10000);

        // In use: refused, saying by whom; nothing removed.
        QVERIFY(page->selectVolume("appdata"));
        QTest::mouseClick(page->findChild<QPushButton *>("removeVolumeButton"), Qt::LeftButton);
        QMessageBox *inUse = waitForBox(&window, "volumeInUse");
        QVERIFY(inUse);
        QVERIFY2(inUse->text().contains("in use by db"), qPrintable(inUse->text()));
        inUse->accept();
        QVERIFY(QFile::exists(appdata->mountpoint + "/table.db"));
        QVERIFY(store.engine().containers().volumes().get("appdata").has_value());

        // Unused: the Delete key asks, then the volume and its folder go.
        const QString scratchDir = store.engine().containers().volumes().dataPath("scratch");
        QVERIFY(QDir(scratchDir).exists());
        QVERIFY(page->selectVolume("scratch"));
        page->view()->setFocus();
        QTest::keyClick(page->view(), Qt::Key_Delete);
        QMessageBox *confirm = waitForBox(&window, "removeVolumeConfirmation");
        QVERIFY(confirm);
        QVERIFY2(confirm->text().contains("Remove the volume scratch?"),
                 qPrintable(confirm->text()));
        QTest::mouseClick(confirm->findChild<QPushButton *>("confirmRemoveVolume"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowOf("scratch"), -1, 10000);
        QVERIFY(!QDir(scratchDir).exists());
        QCOMPARE(page->status()->text(), QString("Removed the volume scratch."));

        // Create: a bad name is said in words; a good one appears, selected.
        page->create("-bad");
        QVERIFY2(page->status()->text().contains("cannot be a volume name"),
                 qPrintable(page->status()->text()));
        QTest::mouseClick(page->findChild<QPushButton *>("createVolumeButton"), Qt::LeftButton);
        QInputDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<QInputDialog *>("createVolumeDialog")),
                                 5000);
        dialog->setTextValue("cache");
        dialog->accept();
        QTRY_VERIFY_WITH_TIMEOUT(model->rowOf("cache") >= 0, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page->selectedVolume(), QString("cache"), 5000);
        QVERIFY(store.engine().containers().volumes().get("cache").has_value());

        // Prune every unused volume: "cache" goes, "appdata" (in use) stays.
        page->findChild<QComboBox *>("volumePruneScope")->setCurrentIndex(1);
        QTest::mouseClick(page->findChild<QPushButton *>("pruneVolumesButton"), Qt::LeftButton);
        QMessageBox *prune = waitForBox(&window, "pruneVolumesConfirmation");
        QVERIFY(prune);
        QCOMPARE(prune->informativeText(), QString("cache"));
        QTest::mouseClick(prune->findChild<QPushButton *>("confirmPruneVolumes"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(model->rowOf("cache"), -1, 10000);
        QVERIFY(model->rowOf("appdata") >= 0);
        QVERIFY(!store.engine().containers().volumes().get("cache").has_value());
    }
};

QTEST_MAIN(TestVolumesPage)
#include "tst_volumes.moc"
