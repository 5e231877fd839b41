// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QElapsedTimer>
#include <QFrame>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class QToolButton;

namespace Berth::Gui {

class TransferModel;

// One pull or push at a time, as the user sees it: what it is, the plan before anything moves
// ("5 layers, 3 already here, 42 MB to download"), one total progress bar with the rate and
// the time left, the per-layer detail one click away, Cancel, and afterwards the outcome in
// words (errors through errorText(), the technical detail behind a button). Runs the engine's
// PullJob/PushJob, so the GUI thread never waits.
class TransferPanel : public QFrame {
    Q_OBJECT
public:
    explicit TransferPanel(Engine::Engine &engine, QWidget *parent = nullptr);

    bool isRunning() const { return m_running; }
    void startPull(const Engine::Reference &reference);
    // `source` is the local image as the user named it; `target` where it goes.
    void startPush(const QString &source, const Engine::Reference &target);
    // A problem found before anything started (a name that does not parse), shown like errors.
    void showProblem(const QString &summary, const QString &detail);

    TransferModel *model() const { return m_model; }

public Q_SLOTS:
    void cancel();

Q_SIGNALS:
    void runningChanged(bool running);
    void pulled(const QString &reference, const Berth::Engine::ImageRecord &image);
    void pushed(const QString &target, const Berth::Engine::PushResult &result);
    void statusMessage(const QString &text);

private:
    void begin(const QString &title);
    void finish();
    void showPlan(const Engine::PullPlan &plan);
    void showPullProgress(const Engine::PullProgress &progress);
    void showPushProgress(const Engine::PushProgress &progress);
    void showTotals(qint64 done, qint64 total, double rate, qint64 eta);
    void showError(const QString &action, const Engine::Error &error);

    Engine::Engine &m_engine;
    TransferModel *m_model = nullptr;
    QLabel *m_title = nullptr;
    QLabel *m_plan = nullptr;
    QProgressBar *m_bar = nullptr;
    QLabel *m_status = nullptr;
    QToolButton *m_layersButton = nullptr;
    QPushButton *m_cancel = nullptr;
    QToolButton *m_dismiss = nullptr;
    QTableView *m_layers = nullptr;
    QLabel *m_error = nullptr;
    QToolButton *m_errorDetailsButton = nullptr;
    QLabel *m_errorDetails = nullptr;
    QPointer<QObject> m_job;
    QElapsedTimer m_clock;
    bool m_running = false;
};

} // namespace Berth::Gui
