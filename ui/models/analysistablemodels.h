// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"
#include "engine/operations/analysisoperations.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// Small read-only tables the layer explorer shows next to the file tree. No widget code.

// The honest wasted space: each stored copy the final filesystem cannot reach, which layer
// stored it and which layer hid it, biggest first.
class WastedModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Path, Bytes, StoredLayer, HiddenLayer, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };

    explicit WastedModel(QObject *parent = nullptr);
    void setCopies(const QList<Engine::WastedCopy> &copies);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Engine::WastedCopy> m_copies;
};

// One path's history: every event, bottom layer first, including deletions an ancestor caused.
class PathHistoryModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Layer, Change, Size, Details, ColumnCount };

    explicit PathHistoryModel(QObject *parent = nullptr);
    void setHistory(const QList<Engine::FileChange> &history);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Engine::FileChange> m_history;
};

// How another image's final filesystem differs from this one's, in path order.
class ComparisonModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Path, Difference, BaseSize, OtherSize, ColumnCount };
    enum Role { KindRole = Qt::UserRole + 1 }; // int(Engine::ChangeKind)

    explicit ComparisonModel(QObject *parent = nullptr);
    void setDifferences(const QList<Engine::FileDifference> &differences);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Engine::FileDifference> m_differences;
};

} // namespace Berth::Gui
