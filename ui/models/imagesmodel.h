// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/operations/imageoperations.h"

#include <QAbstractTableModel>
#include <QHash>

namespace Berth::Gui {

// The images in the store, one row per tag (an untagged image is one "<none>" row), with the
// columns `docker images` shows. No widget code: tested with QAbstractItemModelTester.
class ImagesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Repository, Tag, ImageId, Created, Size, InUse, ColumnCount };
    enum Role {
        ImageIdRole = Qt::UserRole + 1,
        ReferenceRole, // the fully qualified tag, empty for an untagged image
        SortRole,      // raw values (bytes, dates) for sorting
        FilterRole,    // every column's text, for the filter box
        TagCountRole,  // how many tags the image has
    };

    explicit ImagesModel(QObject *parent = nullptr);

    void setImages(const QList<Engine::ImageRecord> &images);
    // The image behind a row (for actions on the selection).
    Engine::ImageRecord imageAt(int row) const;
    // How many containers (running or not) each image ID has: the In use column.
    void setContainerCounts(const QHash<QString, int> &countsByImageId);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        QString repository;
        QString tag;
        QString reference;
        Engine::ImageRecord image;
    };
    QList<Row> m_rows;
    QHash<QString, int> m_containerCounts;
};

} // namespace Berth::Gui
