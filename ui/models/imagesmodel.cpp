// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/imagesmodel.h"

#include "ui/models/presentation.h"

#include <QLocale>

namespace Berth::Gui {

ImagesModel::ImagesModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void ImagesModel::setImages(const QList<Engine::ImageRecord> &images) {
    beginResetModel();
    m_rows.clear();
    for (const Engine::ImageRecord &image : images) {
        if (image.tags.isEmpty()) {
            m_rows.append({QStringLiteral("<none>"), QStringLiteral("<none>"), QString(), image});
            continue;
        }
        for (const QString &tag : image.tags) {
            auto ref = Engine::Reference::parse(tag);
            if (!ref)
                continue;
            m_rows.append({ref->familiarName(), ref->tag(), tag, image});
        }
    }
    endResetModel();
}

void ImagesModel::setContainerCounts(const QHash<QString, int> &countsByImageId) {
    if (countsByImageId == m_containerCounts)
        return;
    m_containerCounts = countsByImageId;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, InUse), index(int(m_rows.size()) - 1, InUse));
}

Engine::ImageRecord ImagesModel::imageAt(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).image : Engine::ImageRecord();
}

int ImagesModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ImagesModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImagesModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == ImageIdRole)
        return row.image.id.toString();
    if (role == ReferenceRole)
        return row.reference;
    if (role == TagCountRole)
        return int(row.image.tags.size());
    if (role == SortRole) {
        switch (index.column()) {
        case Created:
            return row.image.created;
        case Size:
            return row.image.size;
        case InUse:
            return m_containerCounts.value(row.image.id.toString());
        default:
            return data(index, Qt::DisplayRole);
        }
    }
    if (role == FilterRole)
        return QStringList({row.repository, row.tag, row.image.id.toString()})
            .join(QLatin1Char(' '));
    if (role == Qt::TextAlignmentRole && index.column() == Size)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Repository:
        return row.repository;
    case Tag:
        return row.tag;
    case ImageId:
        return role == Qt::ToolTipRole ? row.image.id.toString() : row.image.id.shortId();
    case Created:
        return role == Qt::ToolTipRole
                   ? QLocale().toString(row.image.created.toLocalTime())
                   : QLocale().toString(row.image.created.toLocalTime(), QLocale::ShortFormat);
    case Size:
        return formatBytes(row.image.size);
    case InUse: {
        const int count = m_containerCounts.value(row.image.id.toString());
        if (count == 0)
            return QString();
        return count == 1 ? tr("1 container") : tr("%1 containers").arg(count);
    }
    }
    return {};
}

QVariant ImagesModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Repository:
        return tr("Repository");
    case Tag:
        return tr("Tag");
    case ImageId:
        return tr("Image ID");
    case Created:
        return tr("Created");
    case Size:
        return tr("Size");
    case InUse:
        return tr("In use by");
    }
    return {};
}

} // namespace Berth::Gui
