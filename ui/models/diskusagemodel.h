// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/maintenance/storemaintenance.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// Per image: the bytes of its layers that other images share and the bytes only it uses (what
// removing it would free). One row per image, whatever its number of tags.
class DiskUsageModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Image, ImageId, Layers, Shared, Unique, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, ImageIdRole };

    explicit DiskUsageModel(QObject *parent = nullptr);
    void setUsage(const Engine::DiskUsage &usage);
    const Engine::DiskUsage &usage() const { return m_usage; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    Engine::DiskUsage m_usage;
};

} // namespace Berth::Gui
