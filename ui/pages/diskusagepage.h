// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace Berth::Gui {

class DiskUsageModel;

// Where the store's disk space goes: per image the bytes it shares with others and the bytes
// only it uses, the totals, and a prune that first shows exactly what it will delete.
class DiskUsagePage : public QWidget {
    Q_OBJECT
public:
    explicit DiskUsagePage(Engine::Engine &engine, QWidget *parent = nullptr);

    DiskUsageModel *model() const { return m_model; }

public Q_SLOTS:
    void refresh();
    // Runs a dry run and asks for confirmation with its result; then prunes.
    void prune();

Q_SIGNALS:
    void refreshed();
    void storeChanged();
    void statusMessage(const QString &text);

private:
    Engine::Engine &m_engine;
    DiskUsageModel *m_model = nullptr;
    QLabel *m_totals = nullptr;
    QTableView *m_view = nullptr;
    QComboBox *m_scope = nullptr;
    QPushButton *m_prune = nullptr;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
};

} // namespace Berth::Gui
