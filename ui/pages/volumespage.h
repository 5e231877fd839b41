// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace Berth::Gui {

class VolumesModel;

// Volumes: folders kept outside every container, so their data outlives it. Lists them with
// the containers that use them and their size (measured after the list is shown), creates,
// removes (refused in words while a container uses the volume) and prunes (first showing
// exactly which volumes go). Every engine call runs on the engine's pool.
class VolumesPage : public QWidget {
    Q_OBJECT
public:
    explicit VolumesPage(Engine::Engine &engine, QWidget *parent = nullptr);

    VolumesModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QLabel *status() const { return m_status; }
    bool selectVolume(const QString &name);
    QString selectedVolume() const;

public Q_SLOTS:
    void refresh();
    // Asks for a name, then creates the volume.
    void createVolume();
    void create(const QString &name);
    // Says who uses the selected volume if any (and stops there); else asks, then removes it.
    void removeSelected();
    // Lists what would go and asks; then removes exactly those volumes.
    void prune();

Q_SIGNALS:
    void refreshed();
    void statusMessage(const QString &text);

private:
    void measureSizes(int generation, const QStringList &names);
    void remove(const QString &name);
    void updateActions();
    void say(const QString &text, const QString &detail = {});

    Engine::Engine &m_engine;
    VolumesModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_prune = nullptr;
    QComboBox *m_pruneScope = nullptr;
    int m_generation = 0;
};

} // namespace Berth::Gui
