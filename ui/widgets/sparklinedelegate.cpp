// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/sparklinedelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace Berth::Gui {

namespace {
constexpr int kLineWidth = 64; // pixels of line left of the text
}

SparklineDelegate::SparklineDelegate(int seriesRole, Scale scale, qreal span, QObject *parent)
    : QStyledItemDelegate(parent)
    , m_role(seriesRole)
    , m_scale(scale)
    , m_span(span) {}

void SparklineDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString text = opt.text;
    opt.text.clear();
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget); // background, selection

    const bool selected = opt.state & QStyle::State_Selected;
    const QColor textColor =
        opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
    const QRect area = opt.rect.adjusted(4, 3, -4, -3);
    const QList<qreal> series = index.data(m_role).value<QList<qreal>>();
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (series.size() >= 2) {
        qreal low = series.first();
        qreal high = series.first();
        for (qreal v : series) {
            low = qMin(low, v);
            high = qMax(high, v);
        }
        qreal bottom = 0;
        qreal top = qMax(high, m_span);
        if (m_scale == Scale::DataRange) {
            // The series' range, centred when it is narrower than the span.
            const qreal pad = qMax<qreal>(0, m_span - (high - low)) / 2;
            bottom = low - pad;
            top = high + pad;
        }
        const qreal height = qMax<qreal>(top - bottom, 1e-9);
        const QRectF line(area.left(), area.top(), qMin(kLineWidth, area.width() / 2),
                          area.height());
        QPainterPath path;
        for (qsizetype i = 0; i < series.size(); ++i) {
            const QPointF p(line.left() + line.width() * qreal(i) / qreal(series.size() - 1),
                            line.bottom() -
                                line.height() *
                                    qBound<qreal>(0, (series.at(i) - bottom) / height, 1));
            if (i == 0)
                path.moveTo(p);
            else
                path.lineTo(p);
        }
        QColor lineColor = selected ? textColor : opt.palette.color(QPalette::Highlight);
        painter->setPen(QPen(lineColor, 1.5));
        painter->drawPath(path);
    }
    painter->setPen(textColor);
    painter->drawText(area, Qt::AlignRight | Qt::AlignVCenter, text);
    painter->restore();
}

QSize SparklineDelegate::sizeHint(const QStyleOptionViewItem &option,
                                  const QModelIndex &index) const {
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const int textWidth = option.fontMetrics.horizontalAdvance(QStringLiteral("000.0 MB"));
    size.setWidth(qMax(size.width(), kLineWidth + textWidth + 16));
    return size;
}

} // namespace Berth::Gui
