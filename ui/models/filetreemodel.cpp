// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/filetreemodel.h"

#include "ui/models/presentation.h"

#include <QFont>
#include <QGuiApplication>
#include <QPalette>
#include <algorithm>

namespace Berth::Gui {

using Engine::ChangeKind;
using Engine::FileNode;
using Engine::FileType;
using Engine::PathId;

FileTreeModel::FileTreeModel(QObject *parent)
    : QAbstractItemModel(parent) {}

void FileTreeModel::setAnalysis(const Engine::LayerAnalysis &analysis, int layer) {
    m_analysis = analysis;
    m_hasAnalysis = true;
    m_layer = std::clamp(layer, 0, qMax(0, analysis.layerCount() - 1));
    rebuild();
}

void FileTreeModel::clear() {
    beginResetModel();
    m_analysis = Engine::LayerAnalysis();
    m_hasAnalysis = false;
    m_items.clear();
    m_changes.clear();
    m_deletedChildren.clear();
    m_keep.clear();
    endResetModel();
}

void FileTreeModel::setLayer(int layer) {
    if (!m_hasAnalysis)
        return;
    m_layer = std::clamp(layer, 0, qMax(0, m_analysis.layerCount() - 1));
    rebuild();
}

void FileTreeModel::setScope(Scope scope) {
    if (scope == m_scope)
        return;
    m_scope = scope;
    if (m_hasAnalysis)
        rebuild();
}

void FileTreeModel::setNameFilter(const QString &text) {
    const QString t = text.trimmed();
    if (t == m_nameFilter)
        return;
    m_nameFilter = t;
    if (m_hasAnalysis)
        rebuild();
}

void FileTreeModel::setChangeFilter(int filter) {
    if (filter == m_changeFilter)
        return;
    m_changeFilter = filter;
    if (m_hasAnalysis)
        rebuild();
}

void FileTreeModel::rebuild() {
    beginResetModel();
    m_items.clear();
    m_changes.clear();
    m_deletedChildren.clear();
    if (m_hasAnalysis && m_analysis.layerCount() > 0) {
        const QList<Engine::FileChange> changes = m_analysis.changes(m_layer);
        for (const Engine::FileChange &c : changes) {
            m_changes.insert(c.pathId, c);
            if (c.kind != ChangeKind::Deleted || m_analysis.node(c.pathId, m_layer))
                continue;
            const qsizetype slash = c.path.lastIndexOf(QLatin1Char('/'));
            const QString parentPath = slash <= 0 ? QStringLiteral("/") : c.path.left(slash);
            const PathId parent = m_analysis.find(parentPath);
            if (parent != Engine::kNoPath)
                m_deletedChildren[parent].append(c.pathId);
        }
        computeFilter();
        Item root;
        root.node.id = Engine::kRootPath;
        root.node.type = FileType::Directory;
        m_items.push_back(root);
        // The top level is fetched right away: a view shows it without asking.
        const QList<PathId> top = childrenOf(Engine::kRootPath);
        for (int row = 0; row < top.size(); ++row) {
            const int child = addItem(top.at(row), 0, row); // may reallocate m_items
            m_items[0].children.append(child);
        }
        m_items[0].fetched = true;
    }
    endResetModel();
}

void FileTreeModel::endResetModel() {
    // Listeners fetch after the reset: rows inserted while it is still being announced would
    // reach listeners that have not finished handling it.
    m_changing = true;
    QAbstractItemModel::endResetModel();
    m_changing = false;
}

QList<PathId> FileTreeModel::childrenOf(PathId dir) const {
    QList<PathId> ids = m_analysis.childIds(dir, m_layer);
    if (auto it = m_deletedChildren.constFind(dir); it != m_deletedChildren.cend()) {
        ids.append(*it);
        // Deleted paths take their place among the others, by name.
        std::sort(ids.begin(), ids.end(), [this](PathId a, PathId b) {
            return m_analysis.pathOf(a) < m_analysis.pathOf(b);
        });
    }
    if (m_filtered)
        ids.removeIf([this](PathId id) { return !m_keep.contains(id); });
    return ids;
}

bool FileTreeModel::matches(PathId id, const QString &path) const {
    const auto it = m_changes.constFind(id);
    const int bit = it == m_changes.cend()             ? ShowUnchanged
                    : it->kind == ChangeKind::Added    ? ShowAdded
                    : it->kind == ChangeKind::Modified ? ShowModified
                                                       : ShowDeleted;
    if (m_scope == Scope::ThisLayer && bit == ShowUnchanged)
        return false;
    if (!(m_changeFilter & bit))
        return false;
    return m_nameFilter.isEmpty() || path.contains(m_nameFilter, Qt::CaseInsensitive);
}

void FileTreeModel::computeFilter() {
    m_keep.clear();
    m_filtered =
        m_scope == Scope::ThisLayer || !m_nameFilter.isEmpty() || m_changeFilter != ShowAll;
    if (!m_filtered)
        return;
    // One depth-first walk: a path stays when it matches or something below it does.
    struct Frame {
        QList<PathId> children;
        qsizetype next = 0;
        QString path;
        bool any = false;
        PathId id = Engine::kRootPath;
    };
    auto childrenAll = [this](PathId dir) {
        QList<PathId> ids = m_analysis.childIds(dir, m_layer);
        if (auto it = m_deletedChildren.constFind(dir); it != m_deletedChildren.cend())
            ids.append(*it);
        return ids;
    };
    std::vector<Frame> stack;
    stack.push_back({childrenAll(Engine::kRootPath), 0, QString(), false, Engine::kRootPath});
    while (!stack.empty()) {
        Frame &f = stack.back();
        if (f.next == f.children.size()) {
            const bool any = f.any;
            const PathId id = f.id;
            stack.pop_back();
            if (any && !stack.empty()) {
                m_keep.insert(id);
                stack.back().any = true;
            }
            continue;
        }
        const PathId c = f.children.at(f.next++);
        const std::optional<FileNode> n = m_analysis.node(c, m_layer);
        const QString path = n ? f.path + QLatin1Char('/') + n->name : m_analysis.pathOf(c);
        if (matches(c, path)) {
            m_keep.insert(c);
            f.any = true;
        }
        if (n && n->type == FileType::Directory)
            stack.push_back({childrenAll(c), 0, path, false, c});
    }
}

int FileTreeModel::addItem(PathId id, int parent, int row) {
    Item item;
    item.parent = parent;
    item.row = row;
    if (std::optional<FileNode> n = m_analysis.node(id, m_layer)) {
        item.node = *n;
        if (auto it = m_changes.constFind(id); it != m_changes.cend())
            item.change = int(it->kind);
    } else {
        // Deleted by this layer: show what was there before.
        const Engine::FileChange c = m_changes.value(id);
        item.deleted = true;
        item.change = int(ChangeKind::Deleted);
        item.node = m_analysis.node(id, m_layer - 1).value_or(FileNode{});
        item.node.id = id;
        item.node.name = c.path.section(QLatin1Char('/'), -1);
        item.node.type = c.type;
        item.node.size = c.size;
        item.bytes = c.size;
    }
    item.path = m_items[parent].path + QLatin1Char('/') + item.node.name;
    m_items.push_back(std::move(item));
    return int(m_items.size() - 1);
}

const FileTreeModel::Item *FileTreeModel::itemAt(const QModelIndex &index) const {
    if (m_items.empty())
        return nullptr;
    if (!index.isValid())
        return &m_items[0];
    const quintptr i = index.internalId();
    return i < m_items.size() ? &m_items[i] : nullptr;
}

QModelIndex FileTreeModel::indexOfItem(int item, int column) const {
    if (item <= 0 || item >= int(m_items.size()))
        return {};
    return createIndex(m_items[item].row, column, quintptr(item));
}

QModelIndex FileTreeModel::index(int row, int column, const QModelIndex &parent) const {
    if (!hasIndex(row, column, parent))
        return {};
    const Item *p = itemAt(parent);
    if (!p)
        return {};
    return createIndex(row, column, quintptr(p->children.at(row)));
}

QModelIndex FileTreeModel::parent(const QModelIndex &child) const {
    if (!child.isValid())
        return {};
    const Item *item = itemAt(child);
    if (!item || item->parent <= 0)
        return {};
    return indexOfItem(item->parent);
}

int FileTreeModel::rowCount(const QModelIndex &parent) const {
    if (parent.column() > 0)
        return 0;
    const Item *item = itemAt(parent);
    return item ? int(item->children.size()) : 0;
}

int FileTreeModel::columnCount(const QModelIndex &parent) const {
    return parent.column() > 0 ? 0 : ColumnCount;
}

bool FileTreeModel::hasChildren(const QModelIndex &parent) const {
    if (parent.column() > 0)
        return false;
    const Item *item = itemAt(parent);
    if (!item || item->deleted || item->node.type != FileType::Directory)
        return false;
    if (item->fetched)
        return !item->children.isEmpty();
    if (!item->pending)
        item->pending = childrenOf(item->node.id);
    return !item->pending->isEmpty();
}

bool FileTreeModel::canFetchMore(const QModelIndex &parent) const {
    if (m_changing)
        return false;
    const Item *item = itemAt(parent);
    return item && !item->fetched && hasChildren(parent);
}

void FileTreeModel::fetchMore(const QModelIndex &parent) {
    if (!canFetchMore(parent))
        return;
    const int p = parent.isValid() ? int(parent.internalId()) : 0;
    const QList<PathId> ids = *m_items[p].pending;
    m_items[p].pending.reset();
    // Fetched before the insertion is announced, so a listener asking again does not re-enter.
    m_items[p].fetched = true;
    // No nested fetch while this insertion is being announced (see endResetModel()).
    m_changing = true;
    beginInsertRows(parent, 0, int(ids.size()) - 1);
    for (int row = 0; row < ids.size(); ++row) {
        const int child = addItem(ids.at(row), p, row);
        m_items[p].children.append(child);
    }
    endInsertRows();
    m_changing = false;
}

QModelIndex FileTreeModel::indexOfPath(const QString &path) {
    if (m_items.empty())
        return {};
    int current = 0;
    const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QModelIndex idx = indexOfItem(current);
        if (canFetchMore(idx))
            fetchMore(idx);
        int found = -1;
        for (int child : std::as_const(m_items[current].children))
            if (m_items[child].node.name == part) {
                found = child;
                break;
            }
        if (found < 0)
            return {};
        current = found;
    }
    return indexOfItem(current);
}

std::optional<FileNode> FileTreeModel::nodeAt(const QModelIndex &index) const {
    const Item *item = index.isValid() ? itemAt(index) : nullptr;
    if (!item)
        return std::nullopt;
    return item->node;
}

QVariant FileTreeModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Item &item = *itemAt(index);
    const FileNode &n = item.node;
    const auto kind = ChangeKind(item.change);
    switch (role) {
    case PathIdRole:
        return n.id;
    case PathRole:
        return item.path;
    case ChangeKindRole:
        return item.change;
    case DeletedRole:
        return item.deleted;
    case FileTypeRole:
        return int(n.type);
    case SourceLayerRole:
        return n.layer;
    case Qt::DecorationRole:
        if (index.column() != Name)
            return {};
        return item.change >= 0 ? changeIcon(kind) : blankIcon();
    case Qt::ForegroundRole:
        if (item.change >= 0 && (index.column() == Name || index.column() == Change))
            return changeColor(kind);
        return {};
    case Qt::FontRole:
        if (item.deleted) {
            QFont f = QGuiApplication::font();
            f.setStrikeOut(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Size || index.column() == Layer)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::ToolTipRole:
        if (item.deleted)
            return tr("%1\nDeleted by layer %2 (%3 no longer reachable)")
                .arg(item.path)
                .arg(m_layer)
                .arg(formatBytes(item.bytes));
        if (item.change >= 0)
            return tr("%1\n%2 by layer %3").arg(item.path, changeKindName(kind)).arg(m_layer);
        return item.path;
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case Name:
        if (n.type == FileType::Symlink && !n.linkTarget.isEmpty())
            return n.name + QStringLiteral(" → ") + n.linkTarget;
        return n.name;
    case Change:
        return item.change >= 0 ? changeKindName(kind) : QString();
    case Size:
        if (n.type == FileType::Directory && item.bytes < 0)
            item.bytes = m_analysis.subtreeBytes(n.id, m_layer);
        if (n.type == FileType::Directory || item.deleted)
            return formatBytes(item.bytes);
        return n.type == FileType::Regular ? formatBytes(n.size) : QString();
    case Permissions:
        return formatMode(n.type, n.mode);
    case Owner:
        return QStringLiteral("%1:%2").arg(n.uid).arg(n.gid);
    case Layer:
        return item.deleted ? m_layer : n.layer;
    }
    return {};
}

QVariant FileTreeModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Change:
        return tr("Change");
    case Size:
        return tr("Size");
    case Permissions:
        return tr("Permissions");
    case Owner:
        return tr("Owner");
    case Layer:
        return tr("Layer");
    }
    return {};
}

} // namespace Berth::Gui
