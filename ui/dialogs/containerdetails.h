// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QDialog>

class QPlainTextEdit;
class QTabWidget;

namespace Berth::Gui {

class ContainerFilesView;
class ContainerHealthView;
class ContainerTerminal;
class LogView;
class StatsChart;
class StatsHistory;

// One container up close, in its own window: Logs (a virtualised, followable, searchable view
// of its log file), Stats (CPU, memory and processes over time, when `stats` is given),
// Terminal (a shell in it, see ContainerTerminal), Files (what its read-write layer changed),
// Health (with a health check: its status and last probes, see ContainerHealthView) and
// Inspect (its configuration and state as JSON, like `berthctl inspect`).
// Not modal; deletes itself when closed.
class ContainerDetailsDialog : public QDialog {
    Q_OBJECT
public:
    ContainerDetailsDialog(Engine::Engine &engine, const Engine::ContainerRecord &container,
                           StatsHistory *stats = nullptr, QWidget *parent = nullptr);

    QString containerId() const { return m_id; }
    LogView *logView() const { return m_logs; }
    QTabWidget *tabs() const { return m_tabs; }
    StatsChart *statsChart() const { return m_stats; }
    QPlainTextEdit *inspectView() const { return m_inspect; }
    ContainerTerminal *terminal() const { return m_terminal; }
    ContainerFilesView *filesView() const { return m_files; }
    ContainerHealthView *healthView() const { return m_health; } // null without a health check

public Q_SLOTS:
    void showLogs();
    void showTerminal();
    void showInspect();
    void showFiles();
    void refreshInspect();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    Engine::Engine &m_engine;
    QString m_id;
    QTabWidget *m_tabs = nullptr;
    LogView *m_logs = nullptr;
    StatsChart *m_stats = nullptr;
    QPlainTextEdit *m_inspect = nullptr;
    ContainerTerminal *m_terminal = nullptr;
    ContainerFilesView *m_files = nullptr;
    ContainerHealthView *m_health = nullptr;
};

} // namespace Berth::Gui
