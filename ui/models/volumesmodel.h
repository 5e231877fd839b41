// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/operations/volumeoperations.h"

#include <QAbstractTableModel>
#include <QHash>

namespace Berth::Gui {

// One volume as the Volumes page shows it: the store's record, the containers that use it
// (running or not) and its size once measured (-1 until then: sizes are measured after the
// list is shown, since they walk the volume's files).
struct VolumeRow {
    Engine::VolumeRecord volume;
    QStringList users;
    qint64 size = -1;
};

// The volumes in the store. Rows are replaced whole by setVolumes(); setSizes() only changes
// the Size cells. No widget code: tested with QAbstractItemModelTester.
class VolumesModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Driver, UsedBy, Size, Created, Mountpoint, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, NameRole, InUseRole };

    explicit VolumesModel(QObject *parent = nullptr);
    void setVolumes(const QList<VolumeRow> &rows);
    void setSizes(const QHash<QString, qint64> &sizes);
    const QList<VolumeRow> &volumes() const { return m_rows; }
    int rowOf(const QString &name) const;
    VolumeRow volumeAt(int row) const { return m_rows.value(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<VolumeRow> m_rows;
};

} // namespace Berth::Gui
