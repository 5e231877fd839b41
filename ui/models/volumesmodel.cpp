// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/volumesmodel.h"

#include "ui/models/presentation.h"

#include <QGuiApplication>
#include <QLocale>
#include <QPalette>

namespace Berth::Gui {

VolumesModel::VolumesModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void VolumesModel::setVolumes(const QList<VolumeRow> &rows) {
    // Sizes already measured stay until the next measurement replaces them.
    QHash<QString, qint64> known;
    for (const VolumeRow &r : std::as_const(m_rows))
        known.insert(r.volume.name, r.size);
    beginResetModel();
    m_rows = rows;
    for (VolumeRow &r : m_rows)
        if (r.size < 0)
            r.size = known.value(r.volume.name, -1);
    endResetModel();
}

void VolumesModel::setSizes(const QHash<QString, qint64> &sizes) {
    for (int row = 0; row < m_rows.size(); ++row) {
        auto it = sizes.constFind(m_rows[row].volume.name);
        if (it == sizes.constEnd() || *it == m_rows[row].size)
            continue;
        m_rows[row].size = *it;
        Q_EMIT dataChanged(index(row, Size), index(row, Size));
    }
}

int VolumesModel::rowOf(const QString &name) const {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows[row].volume.name == name)
            return row;
    return -1;
}

int VolumesModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int VolumesModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VolumesModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const VolumeRow &r = m_rows.at(index.row());
    switch (role) {
    case NameRole:
        return r.volume.name;
    case InUseRole:
        return !r.users.isEmpty();
    case SortRole:
        switch (index.column()) {
        case Size:
            return r.size;
        case Created:
            return r.volume.created;
        case UsedBy:
            return int(r.users.size());
        default:
            return data(index, Qt::DisplayRole);
        }
    case Qt::TextAlignmentRole:
        return index.column() == Size ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                                      : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == UsedBy && r.users.isEmpty())
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Name:
            return r.volume.anonymous
                       ? tr("An anonymous volume, made for a VOLUME of an image; it goes "
                            "with its container when that is removed with its volumes")
                       : r.volume.name;
        case UsedBy:
            return r.users.isEmpty() ? tr("No container uses this volume; removing it is safe "
                                          "(its files are lost)")
                                     : tr("Used by: %1").arg(r.users.join(QStringLiteral(", ")));
        case Mountpoint:
            return r.volume.mountpoint;
        default:
            return {};
        }
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            // Anonymous volumes have 64-hex names; the start is enough to tell them apart.
            return r.volume.anonymous ? tr("%1… (anonymous)").arg(r.volume.name.left(12))
                                      : r.volume.name;
        case Driver:
            return QStringLiteral("local");
        case UsedBy:
            return r.users.isEmpty() ? tr("none") : r.users.join(QStringLiteral(", "));
        case Size:
            return r.size < 0 ? tr("measuring…") : formatBytes(r.size);
        case Created:
            return QLocale().toString(r.volume.created.toLocalTime(), QLocale::ShortFormat);
        case Mountpoint:
            return r.volume.mountpoint;
        }
        return {};
    default:
        return {};
    }
}

QVariant VolumesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Driver:
        return tr("Driver");
    case UsedBy:
        return tr("Used by");
    case Size:
        return tr("Size");
    case Created:
        return tr("Created");
    case Mountpoint:
        return tr("Folder on the host");
    }
    return {};
}

} // namespace Berth::Gui
