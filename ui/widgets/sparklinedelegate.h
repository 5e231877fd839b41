// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace Berth::Gui {

// Paints a small line of a cell's recent values (the model's `seriesRole`, a QList<qreal>,
// oldest first) with the latest value as text on the right, like a stock ticker. Scaled to the
// series' own maximum, or to `floor` when the values stay below it (so an idle 0.2% CPU stays
// flat instead of filling the cell).
class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    SparklineDelegate(int seriesRole, qreal floor, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_role;
    qreal m_floor;
};

} // namespace Berth::Gui
