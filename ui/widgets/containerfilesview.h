// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTreeView;

namespace Berth::Gui {

class ContainerChangesModel;

// A container's Files tab: what its read-write layer added, changed and deleted compared with
// its image, as a tree marked like the layer explorer's, with the sizes of the files it holds.
// Read on the engine's pool when refresh() is called (the tab calls it when shown, and the
// Refresh button); the list is a snapshot, since a running container keeps writing.
class ContainerFilesView : public QWidget {
    Q_OBJECT
public:
    ContainerFilesView(Engine::Engine &engine, const QString &containerId,
                       QWidget *parent = nullptr);

    ContainerChangesModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLabel *summary() const { return m_summary; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();

private:
    Engine::Engine &m_engine;
    QString m_id;
    ContainerChangesModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
};

} // namespace Berth::Gui
