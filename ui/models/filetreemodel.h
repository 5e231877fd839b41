// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QSet>
#include <optional>
#include <vector>

namespace Berth::Gui {

// The merged filesystem of an analysed image at one layer, as a lazy tree: a directory's
// children are computed from the analysis' path ids only when a view expands it
// (canFetchMore/fetchMore), so a 20k-file image paints at once. Paths the selected layer
// changed carry their change kind; paths it deleted stay visible, marked Deleted.
//
// Scope Everything shows the whole filesystem up to the layer; ThisLayer only the layer's
// changes (and the directories leading to them). The name and change-kind filters are applied
// by one walk over path ids that records which paths stay (a match or the ancestor of one),
// instead of a proxy model that would have to load the whole tree first.
class FileTreeModel : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Column { Name, Change, Size, Permissions, Owner, Layer, ColumnCount };
    enum Role {
        PathIdRole = Qt::UserRole + 1,
        PathRole,       // "/etc/passwd"
        ChangeKindRole, // int(Engine::ChangeKind), or -1 when unchanged at this layer
        DeletedRole,    // bool: deleted by this layer (the node shows what was deleted)
        FileTypeRole,   // int(Engine::FileType)
        SourceLayerRole // the layer that holds this version's content
    };
    enum class Scope { Everything, ThisLayer };
    enum ChangeFilter {
        ShowAdded = 1,
        ShowModified = 2,
        ShowDeleted = 4,
        ShowUnchanged = 8,
        ShowAll = 15,
    };

    explicit FileTreeModel(QObject *parent = nullptr);

    void setAnalysis(const Engine::LayerAnalysis &analysis, int layer);
    void clear();
    void setLayer(int layer);
    void setScope(Scope scope);
    // Case-insensitive substring of the full path ("etc/ss" keeps /etc/ssl and all below).
    void setNameFilter(const QString &text);
    void setChangeFilter(int filter); // ChangeFilter flags

    int layer() const { return m_layer; }
    Scope scope() const { return m_scope; }
    bool isFiltered() const { return m_filtered; }
    // Paths kept by the current filter (matches and their ancestors); -1 when unfiltered.
    qsizetype filteredCount() const { return m_filtered ? m_keep.size() : -1; }
    const Engine::LayerAnalysis &analysis() const { return m_analysis; }
    // The index of a path, fetching its ancestors; invalid when not shown.
    QModelIndex indexOfPath(const QString &path);
    // The node shown at `index`: for a deleted path, what the layer deleted.
    std::optional<Engine::FileNode> nodeAt(const QModelIndex &index) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Item {
        Engine::FileNode node;
        QString path;
        int parent = -1;
        int row = 0;
        int change = -1; // ChangeKind, -1 unchanged
        bool deleted = false;
        bool fetched = false;
        mutable std::optional<QList<Engine::PathId>> pending; // children not yet fetched
        mutable qint64 bytes = -1; // subtree bytes, computed when first shown
        QList<int> children;
    };
    void rebuild();
    void endResetModel();
    void computeFilter();
    QList<Engine::PathId> childrenOf(Engine::PathId dir) const;
    int addItem(Engine::PathId id, int parent, int row);
    const Item *itemAt(const QModelIndex &index) const;
    QModelIndex indexOfItem(int item, int column = 0) const;
    bool matches(Engine::PathId id, const QString &path) const;

    Engine::LayerAnalysis m_analysis;
    bool m_hasAnalysis = false;
    int m_layer = 0;
    Scope m_scope = Scope::Everything;
    QString m_nameFilter;
    int m_changeFilter = ShowAll;
    bool m_filtered = false;
    bool m_changing = false; // a structural change is being announced

    // Per layer: what it changed, and the deleted paths (absent from the merged tree at the
    // layer) by parent directory.
    QHash<Engine::PathId, Engine::FileChange> m_changes;
    QHash<Engine::PathId, QList<Engine::PathId>> m_deletedChildren;
    QSet<Engine::PathId> m_keep;
    std::vector<Item> m_items; // 0 is the root directory, never shown
};

} // namespace Berth::Gui
