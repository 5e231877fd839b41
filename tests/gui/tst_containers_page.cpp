// SPDX-License-Identifier: GPL-3.0-or-later
// The containers experience, driven through the real window: run a container from the Run
// dialog (its berthctl command line matches the options), see its log line in the Logs tab and
// its JSON in Inspect, stop it, and remove it after the warning that names what is lost;
// containers created by berthctl in another process appear. The log model is virtualised: a
// 200,000-line log opens with the last lines in view (follow mode), filters and searches.
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/charts/statschart.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/dialogs/rundialog.h"
#include "ui/mainwindow.h"
#include "ui/models/containersmodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/logmodel.h"
#include "ui/models/presentation.h"
#include "ui/models/runrequest.h"
#include "ui/models/statshistory.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/welcomepage.h"
#include "ui/widgets/containerhealthview.h"
#include "ui/widgets/logview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDesktopServices>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

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

QByteArray logLine(int i, const char *stream) {
    return QByteArray("{\"time\":\"2026-01-02T03:04:05.") +
           QByteArray::number(i % 1000000000).rightJustified(9, '0') + "Z\",\"stream\":\"" +
           stream + "\",\"log\":\"line " + QByteArray::number(i) + "\\n\"}\n";
}

bool logHas(Gui::LogModel *model, const QString &text) {
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row).data(Gui::LogModel::MessageRole).toString() == text)
            return true;
    return false;
}

// Receives the URLs the app asks the desktop to open (QDesktopServices::setUrlHandler).
class UrlCatcher : public QObject {
    Q_OBJECT
public:
    QList<QUrl> opened;
public Q_SLOTS:
    void open(const QUrl &url) { opened << url; }
};

} // namespace

class TestContainersPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runOptionsMakeRequestAndCommandLine();
    void containersModelIsSound();
    void logModelOpensLargeLogFollowing();
    void runLogsStopRemove();
    void failedRunLeavesNothing();
    void starterImageOffersFirstRun();
    void healthShowsInStateAndDetails();
};

void TestContainersPage::runOptionsMakeRequestAndCommandLine() {
    Gui::RunOptions o;
    o.image = "busybox:latest";
    o.name = "web";
    o.command = "sh -c 'echo \"hi there\"; sleep 1'";
    o.env = {{"GREETING", "hello world"}, {"", "ignored"}};
    o.workingDir = "/tmp";
    o.user = "1000:1000";
    o.ports = "8080:80, 127.0.0.1:5353:53/udp";
    o.volumes = "data:/data, /srv/my files:/srv:ro";
    o.restartPolicy = "on-failure:3";
    o.memory = "512m";
    o.cpus = 1.5;
    o.pidsLimit = 64;
    o.autoRemove = true;
    o.init = true;
    o.detach = true;
    QCOMPARE(Gui::berthctlCommandLine(o),
             QString("berthctl run -d --rm --init --name web -e 'GREETING=hello world' -w /tmp "
                     "-u 1000:1000 -p 8080:80 -p 127.0.0.1:5353:53/udp -v data:/data "
                     "-v '/srv/my files:/srv:ro' --restart on-failure:3 -m 512m --cpus 1.5 "
                     "--pids-limit 64 busybox:latest sh -c 'echo \"hi there\"; sleep 1'"));
    auto request = Gui::createRequest(o);
    BERTH_VERIFY_OK(request);
    QCOMPARE(request->name, QString("web"));
    QCOMPARE(request->spec.cmd, QStringList({"sh", "-c", "echo \"hi there\"; sleep 1"}));
    QCOMPARE(request->spec.env, QStringList({"GREETING=hello world"}));
    QCOMPARE(request->spec.memory, 512LL << 20);
    QCOMPARE(request->spec.nanoCpus, 1500000000LL);
    QCOMPARE(request->spec.pidsLimit, 64LL);
    QCOMPARE(request->spec.portBindings,
             QList<Engine::PortBinding>({{"tcp", 80, "", 8080}, {"udp", 53, "127.0.0.1", 5353}}));
    QVERIFY(request->spec.autoRemove && request->spec.init);
    QCOMPARE(request->spec.mounts.size(), 2);
    QCOMPARE(request->spec.mounts.at(0).destination, QString("/data"));
    QCOMPARE(request->spec.mounts.at(1).destination, QString("/srv"));
    QCOMPARE(request->spec.restartPolicy.toString(), QString("on-failure:3"));
    o.restartPolicy = "no";
    QVERIFY(!Gui::berthctlCommandLine(o).contains("--restart"));
    o.restartPolicy = "sometimes";
    QVERIFY(!Gui::createRequest(o));
    o.restartPolicy.clear();
    o.volumes = "relative:path";
    QVERIFY(!Gui::createRequest(o));
    o.volumes.clear();
    // The shell's rules both ways: what the command line shows splits back to the arguments.
    QCOMPARE(Gui::splitCommandLine("a 'b c' \"d \\\"e\\\"\" f\\ g"),
             QStringList({"a", "b c", "d \"e\"", "f g"}));
    o.ports = "80:80:80";
    QVERIFY(!Gui::createRequest(o));
    o.ports.clear();
    o.memory = "lots";
    QVERIFY(!Gui::createRequest(o));
    // The size grammar berthctl's -m reads: a terabyte is a size too.
    o.memory = "1t";
    request = Gui::createRequest(o);
    BERTH_VERIFY_OK(request);
    QCOMPARE(request->spec.memory, 1LL << 40);
    o.memory.clear();
    o.workingDir = "relative";
    QVERIFY(!Gui::createRequest(o));
}

void TestContainersPage::containersModelIsSound() {
    Gui::ContainersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Engine::ContainerRecord running;
    running.id = QString(64, 'a');
    running.name = "runner";
    running.spec.image = "busybox:latest";
    running.spec.cmd = {"sleep", "100"};
    running.state = Engine::ContainerState::Running;
    running.created = now.addSecs(-600);
    running.started = now.addSecs(-300);
    running.spec.exposedPorts = {"80/tcp", "53/udp"};
    running.network.ipAddress = "10.89.0.7";
    running.network.ports = {Engine::PortBinding{"tcp", 80, "0.0.0.0", 8080}};
    Engine::ContainerRecord exited = running;
    exited.network = {};
    exited.id = QString(64, 'b');
    exited.name = "done";
    exited.state = Engine::ContainerState::Exited;
    exited.exitCode = 137;
    exited.finished = now.addSecs(-7200);
    model.setContainers({running, exited});
    QCOMPARE(model.rowCount(), 2);
    model.refreshStatus(now);
    QCOMPARE(model.index(0, Gui::ContainersModel::Status).data().toString(),
             QString("Up 5 minutes"));
    QCOMPARE(model.index(1, Gui::ContainersModel::Status).data().toString(),
             QString("Exited (137) 2 hours ago"));
    QCOMPARE(model.index(0, Gui::ContainersModel::Command).data().toString(), QString("sleep 100"));
    // Published ports while it runs, like `docker ps`; exposed ones alone once it stopped.
    QCOMPARE(model.index(0, Gui::ContainersModel::Ports).data().toString(),
             QString("0.0.0.0:8080->80/tcp, 53/udp"));
    QCOMPARE(model.index(1, Gui::ContainersModel::Ports).data().toString(),
             QString("80/tcp, 53/udp"));
    // CPU and memory from the stats history: the latest sample as text, the last minute as a
    // series for the sparkline; nothing for a stopped container.
    Gui::StatsHistory history;
    model.setStatsHistory(&history);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QList<Engine::ContainerStatsSample> samples;
    for (int i = 0; i < 70; ++i) {
        Engine::ContainerStatsSample s;
        s.id = running.id;
        s.read = now.addSecs(i - 70);
        s.cpuPercent = i == 69 ? 12.5 : 1.0;
        s.memoryUsage = (i + 1) * 1000000LL;
        s.memoryLimit = 1000000000LL;
        samples << s;
    }
    history.addSamples(samples);
    QVERIFY(!changed.isEmpty());
    QCOMPARE(changed.last().at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(model.index(0, Gui::ContainersModel::Cpu).data().toString(), QString("12.5%"));
    QCOMPARE(model.index(0, Gui::ContainersModel::Memory).data().toString(),
             Gui::formatBytes(70000000));
    const QList<qreal> cpu = model.index(0, Gui::ContainersModel::Cpu)
                                 .data(Gui::ContainersModel::SeriesRole)
                                 .value<QList<qreal>>();
    QCOMPARE(cpu.size(), Gui::ContainersModel::kSeriesSeconds);
    QCOMPARE(cpu.last(), 12.5);
    QCOMPARE(model.index(0, Gui::ContainersModel::Memory)
                 .data(Gui::ContainersModel::SeriesRole)
                 .value<QList<qreal>>()
                 .first(),
             11000000.0);
    QVERIFY(model.index(1, Gui::ContainersModel::Cpu).data().toString().isEmpty());
    QVERIFY(model.index(1, Gui::ContainersModel::Cpu)
                .data(Gui::ContainersModel::SeriesRole)
                .value<QList<qreal>>()
                .isEmpty());
    QVERIFY(model.anyRunning());
    QCOMPARE(model.rowOf("done"), 1);
    model.setContainers({exited});
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(!model.anyRunning());
    model.setContainers({});
    QCOMPARE(model.rowCount(), 0);
}

void TestContainersPage::logModelOpensLargeLogFollowing() {
    QTemporaryDir dir;
    const QString path = dir.filePath("ctr.log");
    constexpr int lines = 200000;
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        QByteArray buffer;
        for (int i = 0; i < lines; ++i) {
            buffer += logLine(i, i % 10 == 0 ? "stderr" : "stdout");
            if (buffer.size() > (1 << 20)) {
                f.write(buffer);
                buffer.clear();
            }
        }
        f.write(buffer);
        f.write("{\"time\":\"2026-01-02T03:04:05Z\",\"stream\":\"stdout\",\"log\":\"incompl");
    }
    Gui::LogView view;
    Gui::LogModel *model = view.model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    view.resize(800, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(view.isFollowing());
    view.setFile(path);
    QTRY_COMPARE_WITH_TIMEOUT(model->lineCount(), qint64(lines), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(!model->isIndexing(), 10000);
    QCOMPARE(model->rowCount(), lines); // the incomplete last line is not shown yet
    QCOMPARE(model->index(lines - 1).data().toString(), QString("line 199999"));
    // The file is read in 8 MiB blocks: lines cut by a block's end are whole, once each.
    for (int i = 0; i < lines; i += 997)
        QCOMPARE(model->index(i).data().toString(), QString("line %1").arg(i));
    QCOMPARE(model->index(0).data(Gui::LogModel::StreamRole).toString(), QString("stderr"));
    // Follow mode: the last line is in view.
    QTRY_COMPARE_WITH_TIMEOUT(view.view()->verticalScrollBar()->value(),
                              view.view()->verticalScrollBar()->maximum(), 5000);
    QVERIFY(view.view()->viewport()->rect().intersects(
        view.view()->visualRect(model->index(lines - 1))));

    // Appended lines appear and stay in view.
    {
        QFile f(path);
        QVERIFY(f.open(QIODevice::Append));
        f.write("ete\\n\"}\n");
        f.write(logLine(lines, "stdout"));
    }
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), lines + 2, 10000);
    QCOMPARE(model->index(lines).data().toString(), QString("incomplete"));
    QTRY_COMPARE_WITH_TIMEOUT(view.view()->verticalScrollBar()->value(),
                              view.view()->verticalScrollBar()->maximum(), 5000);

    // Timestamps, stream filter, search.
    view.findChild<QCheckBox *>("logTimestamps")->setChecked(true);
    QCOMPARE(model->index(1).data().toString(), QString("2026-01-02T03:04:05.000000001Z line 1"));
    view.findChild<QComboBox *>("logStreams")->setCurrentIndex(2); // stderr only
    QCOMPARE(model->rowCount(), lines / 10);
    QCOMPARE(model->index(1).data(Gui::LogModel::MessageRole).toString(), QString("line 10"));
    view.findChild<QComboBox *>("logStreams")->setCurrentIndex(0);
    QCOMPARE(model->rowCount(), lines + 2);
    view.searchEdit()->setText("line 19999");
    QTRY_COMPARE_WITH_TIMEOUT(model->matchingRows().size(), 11, 120000); // 19999, 199990..9
    QTRY_COMPARE_WITH_TIMEOUT(view.currentMatchRow(), 19999, 5000);
    QVERIFY(!view.isFollowing()); // looking at a match
    view.findNext();
    QCOMPARE(view.currentMatchRow(), 199990);
    view.findChild<QCheckBox *>("logRegex")->setChecked(true);
    view.searchEdit()->setText("^line 1234[05]$");
    QTRY_COMPARE_WITH_TIMEOUT(model->matchingRows(), QList<int>({12340, 12345}), 120000);

    // Export writes the lines as shown.
    const QString exported = dir.filePath("export.txt");
    auto future = model->exportTo(exported);
    QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 120000);
    BERTH_VERIFY_OK(future.result());
    QFile out(exported);
    QVERIFY(out.open(QIODevice::ReadOnly));
    QCOMPARE(out.readLine(), QByteArray("2026-01-02T03:04:05.000000000Z line 0\n"));
}

// A Run whose start fails (a host port another program holds) says so plainly and leaves no
// container behind, so Run again with another port works under the same name.
void TestContainersPage::failedRunLeavesNothing() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    BERTH_VERIFY_OK(installBusyboxImage(store, {}));
    ContainerCleanup cleanup(store); // whatever happens, no container outlives the test
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    window.showPage(Gui::MainWindow::Page::Containers);
    Gui::ContainersPage *page = window.containersPage();
    Gui::RunDialog *dialog = page->openRunDialog("busybox:latest", "no-such-program");
    dialog->findChild<QLineEdit *>("runName")->setText("gui-busy-port");
    auto *ports = dialog->findChild<QLineEdit *>("runPorts");
    ports->setText(QStringLiteral("127.0.0.1:%1:80").arg(holder.serverPort()));
    QTest::mouseClick(dialog->runButton(), Qt::LeftButton);
    auto *problem = dialog->findChild<QLabel *>("runProblem");
    QTRY_VERIFY_WITH_TIMEOUT(problem->isVisible(), 30000);
    QVERIFY2(problem->text().contains("already in use"), qPrintable(problem->text()));
    QVERIFY(dialog->isVisible());
    QVERIFY(store.engine().containers().list().isEmpty());
    // A command the image does not have: said so, nothing left either.
    ports->setText(QStringLiteral("80"));
    QTest::mouseClick(dialog->runButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->runButton()->isEnabled(), 30000);
    QVERIFY2(problem->text().contains("no-such-program") &&
                 problem->text().contains("does not exist in the image"),
             qPrintable(problem->text()));
    QVERIFY(store.engine().containers().list().isEmpty());
    // Again with a command it has and a free port: the same name is free.
    dialog->findChild<QLineEdit *>("runCommand")->setText("sh -c 'sleep 100'");
    // The dialog closes (and deletes itself) once the container runs.
    QPointer<Gui::RunDialog> open = dialog;
    QPointer<QLabel> said = problem;
    QTest::mouseClick(dialog->runButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!open || !open->isVisible() || open->runButton()->isEnabled(), 30000);
    QVERIFY2(!open || !open->isVisible(), qPrintable(said ? said->text() : QString()));
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf("gui-busy-port") >= 0, 30000);
}

void TestContainersPage::runLogsStopRemove() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    BERTH_VERIFY_OK(installBusyboxImage(store, {}));
    ContainerCleanup cleanup(store); // whatever happens, no container outlives the test
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    window.showPage(Gui::MainWindow::Page::Containers);
    Gui::ContainersPage *page = window.containersPage();
    QCOMPARE(window.currentPage(), page);
    QAbstractItemModelTester tester(page->model(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);

    // The Run dialog: the options and the command line that does the same.
    Gui::RunDialog *dialog =
        page->openRunDialog("busybox:latest", "sh -c 'echo hello-from-berth; sleep 100'");
    dialog->findChild<QLineEdit *>("runName")->setText("gui-test");
    QCOMPARE(dialog->commandLine(), QString("berthctl run --name gui-test busybox:latest sh -c "
                                            "'echo hello-from-berth; sleep 100'"));
    dialog->findChild<QLineEdit *>("runMemory")->setText("64m");
    QCOMPARE(dialog->commandLine(), Gui::berthctlCommandLine(dialog->options()));
    QVERIFY(dialog->commandLine().contains(" -m 64m "));
    // A published port (a free host port) and a named volume.
    dialog->findChild<QLineEdit *>("runPorts")->setText("80");
    dialog->findChild<QLineEdit *>("runVolumes")->setText("gui-data:/data");
    QVERIFY(dialog->commandLine().contains(" -p 80 -v gui-data:/data "));
    auto *restart = dialog->findChild<QComboBox *>("runRestart");
    auto *restartMax = dialog->findChild<QSpinBox *>("runRestartMax");
    QVERIFY(!restartMax->isEnabled()); // only on-failure takes a maximum
    restart->setCurrentIndex(restart->findData("on-failure"));
    QVERIFY(restartMax->isEnabled());
    restartMax->setValue(3);
    QVERIFY(dialog->commandLine().contains(" --restart on-failure:3 "));
    QCOMPARE(dialog->options().restartPolicy, QString("on-failure:3"));
    restart->setCurrentIndex(restart->findData("unless-stopped"));
    QVERIFY(!restartMax->isEnabled());
    QVERIFY(dialog->commandLine().contains(" --restart unless-stopped "));
    restart->setCurrentIndex(restart->findData("no"));
    QVERIFY(!dialog->commandLine().contains("--restart"));
    QTest::mouseClick(dialog->runButton(), Qt::LeftButton);

    // It runs, and its logs open with the line it printed.
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf("gui-test") >= 0, 30000);
    const QString id = page->model()->containerAt(page->model()->rowOf("gui-test")).id;
    QTRY_VERIFY_WITH_TIMEOUT(page->detailsDialog(id), 10000);
    Gui::ContainerDetailsDialog *details = page->detailsDialog(id);
    QCOMPARE(details->tabs()->currentWidget(), details->logView());
    QTRY_VERIFY_WITH_TIMEOUT(logHas(details->logView()->model(), "hello-from-berth"), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        page->model()->containerAt(page->model()->rowOf("gui-test")).isRunning(), 10000);
    QVERIFY(page->model()
                ->index(page->model()->rowOf("gui-test"), Gui::ContainersModel::Status)
                .data()
                .toString()
                .startsWith("Up "));
    // The Images page says the image is in use.
    QTRY_COMPARE_WITH_TIMEOUT(
        window.imagesModel()->index(0, Gui::ImagesModel::InUse).data().toString(),
        QString("1 container"), 10000);
    // The Stats chart receives samples while it runs.
    QVERIFY(details->statsChart());
    QTRY_VERIFY_WITH_TIMEOUT(details->statsChart()->sampleCount() >= 2, 20000);
    // Network and disk rates are drawn between samples: a point per line once two arrived.
    QTRY_VERIFY_WITH_TIMEOUT(!details->statsChart()->ratePointCounts().contains(0), 10000);
    // ... and exports the kept history as CSV, a line per sample.
    QTemporaryDir exportDir;
    const QString csvPath = exportDir.filePath("stats.csv");
    BERTH_VERIFY_OK(details->statsChart()->exportCsv(csvPath));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> csvLines = csv.readAll().trimmed().split('\n');
    QVERIFY(csvLines.first().startsWith("time,cpu_percent,memory_bytes,"));
    QVERIFY2(csvLines.size() >= 3, csvLines.join('\n').constData());
    QCOMPARE(csvLines.at(1).split(',').size(), 10);
    QVERIFY(csvLines.at(1).split(',').at(2).toLongLong() > 0); // memory in use
    // The containers table draws its CPU and memory from the same samples.
    const int guiRow = page->model()->rowOf("gui-test");
    QTRY_VERIFY_WITH_TIMEOUT(page->model()
                                     ->index(guiRow, Gui::ContainersModel::Memory)
                                     .data(Gui::ContainersModel::SeriesRole)
                                     .value<QList<qreal>>()
                                     .size() >= 2,
                             10000);
    details->showInspect();
    QTRY_VERIFY_WITH_TIMEOUT(
        details->inspectView()->toPlainText().contains("\"Name\": \"/gui-test\""), 10000);
    QVERIFY(details->inspectView()->toPlainText().contains("\"Memory\": 67108864"));
    QVERIFY(details->inspectView()->toPlainText().contains("\"Name\": \"gui-data\""));

    // Its published port opens in the browser, on the host port it got.
    UrlCatcher browser;
    QDesktopServices::setUrlHandler("http", &browser, "open");
    auto unsetHandler = qScopeGuard([] { QDesktopServices::unsetUrlHandler("http"); });
    QVERIFY(page->selectContainer("gui-test"));
    const Engine::ContainerRecord running =
        page->model()->containerAt(page->model()->rowOf("gui-test"));
    QCOMPARE(running.network.ports.size(), 1);
    const int hostPort = running.network.ports.first().hostPort;
    QVERIFY(hostPort > 0);
    auto *browse = page->findChild<QToolButton *>("openBrowserButton");
    QTRY_VERIFY(browse->isEnabled());
    QTest::mouseClick(browse, Qt::LeftButton, {}, QPoint(4, browse->height() / 2));
    QCOMPARE(browser.opened, QList<QUrl>({QUrl(QString("http://127.0.0.1:%1/").arg(hostPort))}));

    // A container created by berthctl in another process appears.
    const ProcessResult created = berthctl(store, {"create", "--name", "from-cli", "busybox"});
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf("from-cli") >= 0, 5000);

    // Stop.
    QVERIFY(page->selectContainer("gui-test"));
    page->stopSelected();
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->containerAt(page->model()->rowOf("gui-test")).state,
                              Engine::ContainerState::Exited, 60000);
    QTRY_VERIFY(!browse->isEnabled()); // nothing listens once it stopped

    // Remove: the warning names what is lost, then it is gone.
    const qint64 rw = store.engine().containers().rwSize(id);
    QVERIFY(page->selectContainer("gui-test"));
    page->removeSelected();
    QMessageBox *box = waitForBox(&window, "removeContainerConfirmation");
    QVERIFY(box);
    QVERIFY2(box->text().contains("Remove the container gui-test?"), qPrintable(box->text()));
    QVERIFY2(rw > 0 ? box->text().contains(Gui::formatBytes(rw)) &&
                          box->text().contains("read-write layer")
                    : box->text().contains("not written any files"),
             qPrintable(box->text()));
    QVERIFY(store.engine().containers().get(id).has_value()); // nothing before the answer
    QTest::mouseClick(box->findChild<QPushButton *>("confirmRemoveContainer"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowOf("gui-test"), -1, 20000);
    QVERIFY(!store.engine().containers().get(id).has_value());
    QTRY_VERIFY_WITH_TIMEOUT(!page->detailsDialog(id), 5000);
}

void TestContainersPage::starterImageOffersFirstRun() {
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static");
    TestStore store;
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.currentPage(), window.welcomePage(), 5000);
    QTest::mouseClick(window.findChild<QPushButton *>("starterImageButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(window.currentPage(), window.imagesPage(), 30000);
    QTRY_VERIFY_WITH_TIMEOUT(window.imagesPage()->firstRunBanner()->isVisible(), 10000);
    QTest::mouseClick(window.findChild<QPushButton *>("runFirstContainerButton"), Qt::LeftButton);
    QCOMPARE(window.currentPage(), window.containersPage());
    auto *dialog = window.findChild<Gui::RunDialog *>("runDialog");
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->options().image, QString("berth/busybox:latest"));
    QVERIFY(dialog->options().command.contains("Hello from your first container"));
    QVERIFY(!dialog->options().detach); // its logs open right away
    dialog->reject();
}

// A container's health check in the window: "Running (healthy)" with a green mark in the
// Containers page's state column (the last probe as its tool tip), and the details window's
// Health tab with the probes its shim ran.
void TestContainersPage::healthShowsInStateAndDetails() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    BERTH_VERIFY_OK(installBusyboxImage(store, {QStringLiteral("sleep")}));
    ContainerCleanup cleanup(store); // whatever happens, no container outlives the test
    const ProcessResult r =
        berthctl(store, {"run", "-d", "--name", "checked", "--health-cmd", "echo gui-probe",
                         "--health-interval", "100ms", "busybox", "sleep", "1000"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    Gui::MainWindow window(store.engine());
    window.show();
    window.showPage(Gui::MainWindow::Page::Containers);
    Gui::ContainersPage *page = window.containersPage();
    QTRY_VERIFY_WITH_TIMEOUT(page->model()->rowOf("checked") >= 0, 10000);
    auto state = [page] {
        return page->model()->index(page->model()->rowOf("checked"), Gui::ContainersModel::State);
    };
    QTRY_COMPARE_WITH_TIMEOUT(state().data().toString(), QString("Running (healthy)"), 60000);
    QCOMPARE(state().data(Gui::ContainersModel::HealthRole).toString(), QString("healthy"));
    QCOMPARE(state().data(Qt::DecorationRole).value<QColor>(),
             Gui::containerHealthColor(Engine::HealthStatus::Healthy));
    QVERIFY2(state().data(Qt::ToolTipRole).toString().contains("gui-probe"),
             qPrintable(state().data(Qt::ToolTipRole).toString()));

    auto record = store.engine().containers().get("checked");
    BERTH_VERIFY_OK(record);
    auto *details = new Gui::ContainerDetailsDialog(store.engine(), *record, nullptr, &window);
    details->show();
    QVERIFY(details->healthView());
    details->tabs()->setCurrentWidget(details->healthView());
    QTRY_VERIFY_WITH_TIMEOUT(details->healthView()->probes()->topLevelItemCount() > 0, 20000);
    QVERIFY2(details->healthView()->statusLabel()->text().contains("healthy"),
             qPrintable(details->healthView()->statusLabel()->text()));
    QCOMPARE(details->healthView()->probes()->topLevelItem(0)->text(3), QString("gui-probe"));
    details->close();
}

QTEST_MAIN(TestContainersPage)
#include "tst_containers_page.moc"
