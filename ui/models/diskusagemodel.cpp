// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/diskusagemodel.h"

#include "ui/models/presentation.h"

namespace Berth::Gui {

DiskUsageModel::DiskUsageModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void DiskUsageModel::setUsage(const Engine::DiskUsage &usage) {
    beginResetModel();
    m_usage = usage;
    endResetModel();
}

int DiskUsageModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_usage.images.size());
}

int DiskUsageModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant DiskUsageModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::ImageUsage &u = m_usage.images.at(index.row());
    if (role == ImageIdRole)
        return u.image.id.toString();
    if (role == Qt::TextAlignmentRole && index.column() >= Layers)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == SortRole) {
        switch (index.column()) {
        case Layers:
            return int(u.image.layers.size());
        case Shared:
            return u.sharedBytes;
        case Unique:
            return u.uniqueBytes;
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == Unique)
        return tr("Removing this image frees %1").arg(formatBytes(u.uniqueBytes));
    if (role == Qt::ToolTipRole && index.column() == Shared)
        return tr("%1 in layers other images use too").arg(formatBytes(u.sharedBytes));
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Image: {
        QStringList names;
        for (const QString &tag : u.image.tags) {
            auto ref = Engine::Reference::parse(tag);
            names << (ref ? ref->familiarString() : tag);
        }
        return names.isEmpty() ? tr("<untagged>") : names.join(QStringLiteral(", "));
    }
    case ImageId:
        return u.image.id.shortId();
    case Layers:
        return int(u.image.layers.size());
    case Shared:
        return formatBytes(u.sharedBytes);
    case Unique:
        return formatBytes(u.uniqueBytes);
    }
    return {};
}

QVariant DiskUsageModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Image:
        return tr("Image");
    case ImageId:
        return tr("Image ID");
    case Layers:
        return tr("Layers");
    case Shared:
        return tr("Shared");
    case Unique:
        return tr("Unique");
    }
    return {};
}

} // namespace Berth::Gui
