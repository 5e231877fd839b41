// SPDX-License-Identifier: GPL-3.0-or-later
// The Build page, driven through the real window with real builds (runc, a busybox base): the
// steps appear with their Dockerfile lines and cache use (a rebuild comes from the cache; a
// changed copied file reruns from its COPY, saying why), the output streams, the result opens
// in the layer explorer with each layer's Dockerfile line, an error is shown at its line, and a
// running build can be cancelled without leaving a container behind. The steps model is sound.
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/mainwindow.h"
#include "ui/models/buildstepsmodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/pages/buildpage.h"
#include "ui/pages/layerexplorerpage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTextBlock>

using namespace Berth;
using namespace Berth::Test;
using State = Gui::BuildStepsModel::State;

namespace {

bool writeFile(const QString &path, const QByteArray &data) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

QList<State> states(const Gui::BuildStepsModel *model) {
    QList<State> out;
    for (int row = 0; row < model->rowCount(); ++row)
        out << model->state(row);
    return out;
}

} // namespace

class TestBuildPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void stepsModelIsSound();
    void buildsShowsStepsAndExplores();
    void errorAtItsLineAndCancel();
};

void TestBuildPage::stepsModelIsSound() {
    Gui::BuildStepsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    Engine::BuildStepEvent from{Engine::BuildStepEvent::Kind::Started, 1, 2, {}};
    from.record.instruction = "FROM busybox";
    from.record.firstLine = from.record.lastLine = 1;
    model.stepStarted(from);
    from.kind = Engine::BuildStepEvent::Kind::Finished;
    model.stepFinished(from);
    Engine::BuildStepEvent run{Engine::BuildStepEvent::Kind::Started, 2, 3, {}};
    run.record.instruction = "RUN make \\\n  all";
    run.record.firstLine = 2;
    run.record.lastLine = 3;
    model.stepStarted(run);
    QCOMPARE(states(&model), (QList<State>{State::Base, State::Running}));
    QCOMPARE(model.index(0, Gui::BuildStepsModel::Step).data().toString(), QString("1/3"));
    QCOMPARE(model.index(1, Gui::BuildStepsModel::Line).data().toString(), QString("2–3"));
    QCOMPARE(model.index(1, Gui::BuildStepsModel::Instruction).data().toString(),
             QString("RUN make \\ all"));
    run.kind = Engine::BuildStepEvent::Kind::Finished;
    run.record.historyIndex = 4;
    run.record.reasons = {{Engine::BuildRerunReason::Kind::FilesChanged, {"a.txt"}},
                          {Engine::BuildRerunReason::Kind::Parent, {}}};
    model.stepFinished(run);
    QCOMPARE(model.index(1, Gui::BuildStepsModel::Cache).data().toString(), QString("ran"));
    QCOMPARE(model.index(1, Gui::BuildStepsModel::Reason).data().toString(),
             QString("a.txt changed; parent changed"));
    model.stepStarted({Engine::BuildStepEvent::Kind::Started, 3, 3, {}});
    model.markRunning(State::Failed);
    QCOMPARE(states(&model), (QList<State>{State::Base, State::Ran, State::Failed}));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestBuildPage::buildsShowsStepsAndExplores() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    BERTH_VERIFY_OK(img.install(store, {"busybox:latest"}));
    QTemporaryDir context(scratchBase() + "/gui-ctx-XXXXXX");
    QVERIFY(writeFile(context.filePath("Dockerfile"), "FROM busybox\n"
                                                      "COPY a.txt /a.txt\n"
                                                      "RUN cat /a.txt > /copy \\\n"
                                                      " && echo built\n"
                                                      "COPY b.txt /b.txt\n"
                                                      "CMD [\"cat\", \"/copy\"]\n"));
    QVERIFY(writeFile(context.filePath("a.txt"), "a\n"));
    QVERIFY(writeFile(context.filePath("b.txt"), "b\n"));

    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    window.showPage(Gui::MainWindow::Page::Build);
    Gui::BuildPage *page = window.buildPage();
    QCOMPARE(window.currentPage(), page);
    auto *contextEdit = page->findChild<QLineEdit *>("buildContext");
    auto *tagEdit = page->findChild<QLineEdit *>("buildTag");
    auto *buildButton = page->findChild<QPushButton *>("buildButton");
    auto *output = page->findChild<QPlainTextEdit *>("buildOutput");
    QVERIFY(contextEdit && tagEdit && buildButton && output);
    contextEdit->setText(context.path());
    tagEdit->setText("gui/built:1");
    QSignalSpy finished(page, &Gui::BuildPage::buildFinished);
    QTest::mouseClick(buildButton, Qt::LeftButton);
    QVERIFY(page->isBuilding());
    QVERIFY(!buildButton->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
    QCOMPARE(finished.at(0).at(0).toBool(), true);
    Gui::BuildStepsModel *steps = page->stepsModel();
    QCOMPARE(states(steps),
             (QList<State>{State::Base, State::Ran, State::Ran, State::Ran, State::Ran}));
    QCOMPARE(steps->index(2, Gui::BuildStepsModel::Line).data().toString(), QString("3–4"));
    QVERIFY(output->toPlainText().contains("Successfully tagged gui/built:1"));
    QVERIFY(output->toPlainText().contains("\nbuilt\n")); // the RUN's own output
    QVERIFY(page->findChild<QLabel *>("buildResult")->text().contains("gui/built:1"));
    // The new image reaches the images list.
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);

    // Again: everything from the cache.
    QTest::mouseClick(buildButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 120000);
    QCOMPARE(states(steps), (QList<State>{State::Base, State::Cached, State::Cached, State::Cached,
                                          State::Cached}));

    // A changed copied file: that COPY and what follows run, and say why.
    QVERIFY(writeFile(context.filePath("b.txt"), "b, changed\n"));
    QTest::mouseClick(buildButton, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 120000);
    QCOMPARE(finished.at(2).at(0).toBool(), true);
    QCOMPARE(states(steps),
             (QList<State>{State::Base, State::Cached, State::Cached, State::Ran, State::Ran}));
    QCOMPARE(steps->index(3, Gui::BuildStepsModel::Reason).data().toString(),
             QString("b.txt changed"));
    QCOMPARE(steps->index(4, Gui::BuildStepsModel::Reason).data().toString(),
             QString("parent changed"));
    const QString builtId = page->builtImageId();
    QVERIFY(!builtId.isEmpty());

    // The result in the layer explorer: its top layer was made by line 5, and it ran.
    Gui::LayerExplorerPage *explorer = window.explorerPage();
    QSignalSpy provenance(explorer, &Gui::LayerExplorerPage::provenanceShown);
    QSignalSpy analysed(explorer, &Gui::LayerExplorerPage::analysisShown);
    QTest::mouseClick(page->findChild<QPushButton *>("buildExplore"), Qt::LeftButton);
    QCOMPARE(window.currentPage(), explorer);
    QCOMPARE(explorer->currentImageId(), builtId);
    QTRY_VERIFY_WITH_TIMEOUT(provenance.size() >= 1 && analysed.size() >= 1, 30000);
    QCOMPARE(explorer->buildStepsModel()->rowCount(), 5);
    QVERIFY2(explorer->buildSummary()->text().contains("Dockerfile line 5") &&
                 explorer->buildSummary()->text().contains("b.txt changed"),
             qPrintable(explorer->buildSummary()->text()));
    QVERIFY(explorer->buildSummary()->isVisible()); // the Build tab is the one shown
    explorer->selectLayer(1);
    QVERIFY2(explorer->buildSummary()->text().contains("Dockerfile line 2") &&
                 explorer->buildSummary()->text().contains("build cache"),
             qPrintable(explorer->buildSummary()->text()));
    explorer->selectLayer(0);
    QVERIFY2(explorer->buildSummary()->text().contains("base image"),
             qPrintable(explorer->buildSummary()->text()));
}

void TestBuildPage::errorAtItsLineAndCancel() {
    BERTH_REQUIRE_CONTAINERS();
    TestStore store;
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /").cmd({"sh"});
    BERTH_VERIFY_OK(img.install(store, {"busybox:latest"}));
    auto cleanup = qScopeGuard([&store] {
        for (const Engine::ContainerRecord &c : store.engine().containers().list())
            (void)store.engine().containers().remove(c.id, Engine::ContainerRuntime::Force::Yes);
    });
    QTemporaryDir context(scratchBase() + "/gui-ctx-XXXXXX");
    QVERIFY(writeFile(context.filePath("Dockerfile"),
                      "FROM busybox\nWORKDIR /w\nRUN echo about to fail \\\n && exit 3\n"));
    Gui::MainWindow window(store.engine());
    window.show();
    QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
    window.showPage(Gui::MainWindow::Page::Build);
    Gui::BuildPage *page = window.buildPage();
    page->setContext(context.path());
    QSignalSpy finished(page, &Gui::BuildPage::buildFinished);
    page->startBuild();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
    QCOMPARE(finished.at(0).at(0).toBool(), false);
    auto *error = page->findChild<QLabel *>("buildError");
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().startsWith("Line 3 of the Dockerfile: the command "),
             qPrintable(error->text()));
    QVERIFY(error->text().contains("returned a non-zero code: 3"));
    QCOMPARE(states(page->stepsModel()), (QList<State>{State::Base, State::Ran, State::Failed}));
    // The Dockerfile is shown with the failing instruction's lines marked.
    auto *dockerfile = page->findChild<QPlainTextEdit *>("buildDockerfileView");
    QCOMPARE(page->findChild<QTabWidget *>()->currentWidget(), dockerfile);
    QVERIFY(dockerfile->toPlainText().startsWith("FROM busybox\nWORKDIR /w\n"));
    const QList<QTextEdit::ExtraSelection> marks = dockerfile->extraSelections();
    QCOMPARE(marks.size(), 2);
    QCOMPARE(marks[0].cursor.blockNumber(), 2);
    QCOMPARE(marks[1].cursor.blockNumber(), 3);

    // A parse error: its line and column.
    QVERIFY(writeFile(context.filePath("Dockerfile"), "FROM busybox\nCOPY onlyone\n"));
    page->startBuild();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
    QVERIFY2(error->text().startsWith("Line 2 of the Dockerfile: COPY requires at least two "
                                      "arguments"),
             qPrintable(error->text()));

    // Cancel while a RUN runs: the build stops, says so, and leaves no container.
    // (The container's own line: the step's header, "RUN echo ...", comes before the container.)
    QVERIFY(writeFile(context.filePath("Dockerfile"),
                      "FROM busybox\nRUN echo $((6 * 7)) started; sleep 600\n"));
    page->startBuild();
    auto *output = page->findChild<QPlainTextEdit *>("buildOutput");
    QTRY_VERIFY_WITH_TIMEOUT(output->toPlainText().contains("42 started"), 60000);
    QVERIFY(page->isBuilding());
    QCOMPARE(store.engine().containers().list().size(), 1);
    QTest::mouseClick(page->findChild<QPushButton *>("buildCancel"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 60000);
    QCOMPARE(finished.at(2).at(0).toBool(), false);
    QCOMPARE(states(page->stepsModel()), (QList<State>{State::Base, State::Cancelled}));
    QVERIFY(error->text().contains("cancelled"));
    QCOMPARE(store.engine().containers().list().size(), 0);
    QVERIFY(page->findChild<QPushButton *>("buildButton")->isEnabled());
}

QTEST_MAIN(TestBuildPage)
#include "tst_buildpage.moc"
