// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"
#include "engine/engine.h"
#include "engine/operations/filesystemoperations.h"

#include <QAbstractItemModel>

namespace Berth::Gui {

// Read by Engine::FilesystemOperations::changesWithDetails.
using ContainerFileChange = Engine::ContainerFileChange;

// The read-write layer's changes as a tree: each path under the nearest changed directory above
// it (Docker lists a directory as changed when something inside it changed). Added, Changed
// (shown as Modified, like the layer explorer) and Deleted carry the explorer's colour, icon and
// word. No widget code; tested with QAbstractItemModelTester.
class ContainerChangesModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Change, Size, ColumnCount };
    enum Role {
        PathRole = Qt::UserRole + 1, // "/tmp/hello"
        ChangeKindRole,              // int(Engine::ChangeKind)
        SortRole,
    };

    explicit ContainerChangesModel(QObject *parent = nullptr);

    void setChanges(const QList<ContainerFileChange> &changes);
    int count(Engine::ChangeKind kind) const;
    QModelIndex indexOfPath(const QString &path) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Item {
        ContainerFileChange change;
        Engine::ChangeKind kind = Engine::ChangeKind::Added;
        QString name;
        int parent = -1;
        int row = 0;
        QList<int> children;
    };
    QModelIndex indexOfItem(int item, int column = 0) const;

    std::vector<Item> m_items;
    QList<int> m_roots;
};

} // namespace Berth::Gui
