// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"
#include "ui/models/runrequest.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace Berth::Gui {

// Creates and starts a container: image, name, command, environment, working directory, user,
// published ports, volumes, limits (memory, CPUs, processes), restart policy, --rm, --init and
// whether to open its logs afterwards. The equivalent `berthctl run` command line is shown live.
// Run creates and starts the container on the engine's pool; problems are shown in the dialog in
// plain words, so nothing typed is lost. Opened with open() (no nested event loop); deletes itself
// when closed.
class RunDialog : public QDialog {
    Q_OBJECT
public:
    RunDialog(Engine::Engine &engine, const QStringList &images, QWidget *parent = nullptr);

    void setImage(const QString &image);
    void setCommand(const QString &command);
    RunOptions options() const;
    QString commandLine() const;
    QPushButton *runButton() const { return m_run; }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    // `openLogs` when the user did not ask to run it in the background (detach off).
    void containerStarted(const QString &id, const QString &name, bool openLogs);

private:
    void updateCommandLine();
    void addEnvRow(const QString &key = {}, const QString &value = {});
    void showProblem(const QString &summary, const QString &detail = {});
    void showStartFailure(const Engine::Error &error);

    Engine::Engine &m_engine;
    QComboBox *m_image = nullptr;
    QLineEdit *m_name = nullptr;
    QLineEdit *m_command = nullptr;
    QTableWidget *m_env = nullptr;
    QLineEdit *m_workdir = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_ports = nullptr;
    QLineEdit *m_volumes = nullptr;
    QComboBox *m_restart = nullptr;
    QSpinBox *m_restartMax = nullptr;
    QLineEdit *m_memory = nullptr;
    QDoubleSpinBox *m_cpus = nullptr;
    QSpinBox *m_pids = nullptr;
    QCheckBox *m_rm = nullptr;
    QCheckBox *m_init = nullptr;
    QCheckBox *m_detach = nullptr;
    QPlainTextEdit *m_commandLine = nullptr;
    QLabel *m_problem = nullptr;
    QPushButton *m_run = nullptr;
    bool m_running = false;
};

} // namespace Berth::Gui
