// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/operations/registryoperations.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// The per-layer detail of a pull or a push: one row per layer (and the config, for a push),
// with its size, how much of it moved and what is happening to it. Fed the engine's progress
// snapshots; rows keep their place while a transfer runs (only their cells change), so a view
// scrolled to a layer stays there. No widget code: tested with QAbstractItemModelTester.
class TransferModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Layer, Size, Transferred, State, ColumnCount };
    enum Role {
        FractionRole = Qt::UserRole + 1, // 0..1 of the layer moved (double), for a bar
        DigestRole,                      // "sha256:…"
        SortRole,
    };
    // What a layer's state means for the user, for colours and icons in the view.
    enum class Outcome { Pending, Active, Skipped, Done, Failed };

    explicit TransferModel(QObject *parent = nullptr);

    void setPullPlan(const Engine::PullPlan &plan);
    void setPullProgress(const Engine::PullProgress &progress);
    void setPushProgress(const Engine::PushProgress &progress);
    void clear();

    Outcome outcomeAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    struct Row {
        Engine::Digest digest;
        qint64 size = 0;
        qint64 done = 0;
        QString state;
        Outcome outcome = Outcome::Pending;
        bool isConfig = false;
        friend bool operator==(const Row &, const Row &) = default;
    };
    void setRows(const QList<Row> &rows);

    QList<Row> m_rows;
};

} // namespace Berth::Gui
