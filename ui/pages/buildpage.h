// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QPointer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableView;

namespace Berth {
namespace Engine {
class BuildJob;
struct BuildResult;
struct BuildStepEvent;
struct Error;
} // namespace Engine
} // namespace Berth

namespace Berth::Gui {

class BuildStepsModel;

// Builds an image from a Dockerfile: a folder or a git URL as the context, the Dockerfile, a
// tag, build arguments, a target stage, no-cache. The build runs as a BuildJob on the engine's
// pool (never on the GUI thread) and can be cancelled; its steps appear as they run with their
// Dockerfile lines and whether they came from the cache (and why not), its output streams
// below, the Dockerfile is shown with the running step's lines marked, an error is shown at
// its line, and the result opens in the layer explorer.
class BuildPage : public QWidget {
    Q_OBJECT
public:
    explicit BuildPage(Engine::Engine &engine, QWidget *parent = nullptr);
    ~BuildPage() override;

    void setContext(const QString &context);
    void setTag(const QString &tag);
    bool isBuilding() const;
    QString builtImageId() const { return m_builtImageId; }
    BuildStepsModel *stepsModel() const { return m_steps; }

public Q_SLOTS:
    void startBuild();
    void cancelBuild();

Q_SIGNALS:
    void buildFinished(bool succeeded);
    void exploreRequested(const QString &imageId);
    void storeChanged();
    void statusMessage(const QString &text);

private:
    void chooseFolder();
    void chooseDockerfile();
    void setBusy(bool busy);
    void showDockerfile(const QString &name, const QString &text);
    // Marks lines first..last of the shown Dockerfile (1-based) and scrolls to them.
    void markLines(int first, int last, bool error);
    void stepStarted(const Engine::BuildStepEvent &event);
    void succeeded(const Engine::BuildResult &result);
    void failed(const Engine::Error &error);

    Engine::Engine &m_engine;
    QPointer<Engine::BuildJob> m_job;
    BuildStepsModel *m_steps = nullptr;
    QString m_builtImageId;
    int m_runningFirstLine = 0;
    int m_runningLastLine = 0;

    QLineEdit *m_context = nullptr;
    QLineEdit *m_dockerfile = nullptr;
    QLineEdit *m_tag = nullptr;
    QLineEdit *m_target = nullptr;
    QLineEdit *m_buildArgs = nullptr;
    QCheckBox *m_noCache = nullptr;
    QPushButton *m_build = nullptr;
    QPushButton *m_cancel = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_error = nullptr;
    QTableView *m_stepsView = nullptr;
    QTabWidget *m_tabs = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QPlainTextEdit *m_dockerfileView = nullptr;
    QLabel *m_result = nullptr;
    QPushButton *m_explore = nullptr;
};

} // namespace Berth::Gui
