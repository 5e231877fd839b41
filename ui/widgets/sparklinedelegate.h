// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStyledItemDelegate>

namespace Berth::Gui {

// Paints a small line of a cell's recent values (the model's `seriesRole`, a QList<qreal>,
// oldest first) with the latest value as text on the right, like a stock ticker.
// Scale::FromZero draws from 0 up to the series' maximum, or to `span` when the values stay
// below it (an idle 0.2% CPU stays flat at the bottom instead of filling the cell);
// Scale::DataRange draws the series' own range, at least `span` tall (memory: its growth and
// drops show, whatever the absolute size).
class SparklineDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    enum class Scale { FromZero, DataRange };
    SparklineDelegate(int seriesRole, Scale scale, qreal span, QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

private:
    int m_role;
    Scale m_scale;
    qreal m_span;
};

} // namespace Berth::Gui
