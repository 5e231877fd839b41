// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// An analysed image's layers, bottom (0) first: the command that created each, its size, what
// it wastes and how many paths it added, modified and deleted. History steps that created no
// layer (ENV, CMD...) are not layers and are not listed.
class LayersModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Index, Command, Size, Wasted, Changes, ColumnCount };
    enum Role { LayerRole = Qt::UserRole + 1, SortRole };

    explicit LayersModel(QObject *parent = nullptr);

    void setAnalysis(const Engine::LayerAnalysis &analysis);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<Engine::LayerSummary> m_layers;
};

} // namespace Berth::Gui
