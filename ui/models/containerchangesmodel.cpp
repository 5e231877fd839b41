// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/containerchangesmodel.h"

#include "ui/models/presentation.h"

#include <QFont>
#include <QGuiApplication>

namespace Berth::Gui {

ContainerChangesModel::ContainerChangesModel(QObject *parent)
    : QAbstractItemModel(parent) {}

void ContainerChangesModel::setChanges(const QList<ContainerFileChange> &changes) {
    beginResetModel();
    m_items.clear();
    m_roots.clear();
    QHash<QString, int> byPath;
    for (const ContainerFileChange &c : changes) {
        Item item;
        item.change = c;
        item.kind = c.change.kind;
        // Under the nearest listed directory above it; the name is the rest of the path.
        QString above = c.change.path;
        int parent = -1;
        while (parent < 0) {
            const qsizetype slash = above.lastIndexOf(QLatin1Char('/'));
            if (slash <= 0)
                break;
            above.truncate(slash);
            parent = byPath.value(above, -1);
        }
        item.parent = parent;
        item.name = parent < 0 ? c.change.path
                               : c.change.path.mid(m_items[parent].change.change.path.size() + 1);
        const int i = int(m_items.size());
        byPath.insert(c.change.path, i);
        QList<int> &siblings = parent < 0 ? m_roots : m_items[parent].children;
        item.row = int(siblings.size());
        siblings.append(i);
        m_items.push_back(item);
    }
    endResetModel();
}

int ContainerChangesModel::count(Engine::ChangeKind kind) const {
    return int(std::count_if(m_items.begin(), m_items.end(),
                             [kind](const Item &i) { return i.kind == kind; }));
}

QModelIndex ContainerChangesModel::indexOfPath(const QString &path) const {
    for (int i = 0; i < int(m_items.size()); ++i)
        if (m_items[i].change.change.path == path)
            return indexOfItem(i);
    return {};
}

QModelIndex ContainerChangesModel::indexOfItem(int item, int column) const {
    return createIndex(m_items[item].row, column, quintptr(item));
}

QModelIndex ContainerChangesModel::index(int row, int column, const QModelIndex &parent) const {
    if (!hasIndex(row, column, parent))
        return {};
    const QList<int> &list =
        parent.isValid() ? m_items[quintptr(parent.internalId())].children : m_roots;
    return indexOfItem(list.at(row), column);
}

QModelIndex ContainerChangesModel::parent(const QModelIndex &child) const {
    if (!child.isValid())
        return {};
    const int p = m_items[quintptr(child.internalId())].parent;
    return p < 0 ? QModelIndex() : indexOfItem(p);
}

int ContainerChangesModel::rowCount(const QModelIndex &parent) const {
    if (parent.column() > 0)
        return 0;
    return int(parent.isValid() ? m_items[quintptr(parent.internalId())].children.size()
                                : m_roots.size());
}

int ContainerChangesModel::columnCount(const QModelIndex &) const {
    return ColumnCount;
}

QVariant ContainerChangesModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Item &item = m_items[quintptr(index.internalId())];
    switch (role) {
    case PathRole:
        return item.change.change.path;
    case ChangeKindRole:
        return int(item.kind);
    case Qt::ToolTipRole:
        return item.change.change.path;
    case Qt::DecorationRole:
        return index.column() == Name ? QVariant(changeIcon(item.kind)) : QVariant();
    case Qt::ForegroundRole:
        return index.column() == Size ? QVariant() : QVariant(changeColor(item.kind));
    case Qt::FontRole:
        if (item.kind == Engine::ChangeKind::Deleted) {
            QFont f = QGuiApplication::font();
            f.setStrikeOut(true);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Size ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole:
        if (index.column() == Size)
            return item.change.size;
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return item.change.isDir ? item.name + QLatin1Char('/') : item.name;
        case Change:
            return changeKindName(item.kind);
        case Size:
            return item.change.size >= 0 ? formatBytes(item.change.size) : QString();
        }
        return {};
    default:
        return {};
    }
}

QVariant ContainerChangesModel::headerData(int section, Qt::Orientation orientation,
                                           int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Path");
    case Change:
        return tr("Change");
    case Size:
        return tr("Size");
    }
    return {};
}

} // namespace Berth::Gui
