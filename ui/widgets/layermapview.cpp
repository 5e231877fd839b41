// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/layermapview.h"

#include "ui/models/layermapmodel.h"
#include "ui/models/presentation.h"

#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QKeyEvent>
#include <QPainter>
#include <QPainterPath>
#include <QScrollBar>
#include <QStyleOptionGraphicsItem>
#include <QWheelEvent>
#include <functional>

namespace Berth::Gui {

namespace {
constexpr qreal kNodeWidth = 200;
constexpr qreal kNodeHeight = 52;
constexpr qreal kRowHeight = 62;
constexpr qreal kColumnWidth = 236;
constexpr qreal kHeaderHeight = 40;
constexpr double kMinZoom = 0.15;
constexpr double kMaxZoom = 3.0;
constexpr double kReadableZoom = 0.8; // node text stays legible down to here

// Okabe-Ito colours, like the change marks: safe for the common colour-vision deficiencies.
const QColor kImageColor(0x00, 0x72, 0xb2);   // blue
const QColor kRunningColor(0x00, 0x9e, 0x73); // bluish green
const QColor kSharedColor(0x56, 0xb4, 0xe9);  // sky blue
const QColor kLayerColor(0x99, 0x99, 0x99);   // neutral

QColor tint(const QColor &color, const QColor &base, double amount) {
    return QColor::fromRgbF(float(base.redF() + (color.redF() - base.redF()) * amount),
                            float(base.greenF() + (color.greenF() - base.greenF()) * amount),
                            float(base.blueF() + (color.blueF() - base.blueF()) * amount));
}
} // namespace

// One node: a rounded box with a bold first line (a layer's command, an image's or container's
// name) and a second line with its ID and size.
class LayerMapNodeItem : public QGraphicsItem {
public:
    explicit LayerMapNodeItem(const QModelIndex &index)
        : m_index(index) {
        setFlags(ItemIsSelectable | ItemIsFocusable);
        setAcceptHoverEvents(true);
        const auto kind = LayerMapModel::NodeKind(index.data(LayerMapModel::KindRole).toInt());
        m_kind = kind;
        m_running = index.data(LayerMapModel::RunningRole).toBool();
        m_shared = index.data(LayerMapModel::SharedRole).toBool();
        const qint64 size = index.data(LayerMapModel::SizeRole).toLongLong();
        const QString command = index.data(LayerMapModel::CommandRole).toString();
        const QString id = index.data(LayerMapModel::IdRole).toString();
        const QString shortId = id.mid(id.indexOf(QLatin1Char(':')) + 1).left(12);
        switch (kind) {
        case LayerMapModel::NodeKind::Layer: {
            m_title = command.isEmpty()
                          ? LayerMapView::tr("Layer %1")
                                .arg(index.data(LayerMapModel::DigestRole).toString().mid(7, 12))
                          : command;
            const int images = int(index.data(LayerMapModel::ImagesRole).toStringList().size());
            m_detail = m_shared ? LayerMapView::tr("%1 · shared by %2 images")
                                      .arg(formatBytes(size))
                                      .arg(images)
                                : formatBytes(size);
            break;
        }
        case LayerMapModel::NodeKind::Image:
            m_title = index.siblingAtColumn(LayerMapModel::Name).data().toString();
            m_detail = LayerMapView::tr("Image %1 · %2").arg(shortId, formatBytes(size));
            break;
        case LayerMapModel::NodeKind::Container:
            m_title = index.siblingAtColumn(LayerMapModel::Name).data().toString();
            m_detail = (m_running ? LayerMapView::tr("Running · %1 written")
                                  : LayerMapView::tr("Stopped · %1 written"))
                           .arg(formatBytes(size));
            break;
        }
        setToolTip(index.data(Qt::ToolTipRole).toString());
    }

    QString key() const { return m_index.data(LayerMapModel::KeyRole).toString(); }
    QModelIndex index() const { return m_index; }

    QRectF boundingRect() const override { return QRectF(-2, -2, kNodeWidth + 4, kNodeHeight + 4); }

    void paint(QPainter *p, const QStyleOptionGraphicsItem *option, QWidget *widget) override {
        const QPalette palette = widget ? widget->palette() : QPalette();
        const QColor base = palette.color(QPalette::Base);
        QColor accent;
        switch (m_kind) {
        case LayerMapModel::NodeKind::Layer:
            accent = m_shared ? kSharedColor : kLayerColor;
            break;
        case LayerMapModel::NodeKind::Image:
            accent = kImageColor;
            break;
        case LayerMapModel::NodeKind::Container:
            accent = m_running ? kRunningColor : kLayerColor;
            break;
        }
        const bool selected = option->state & QStyle::State_Selected;
        const QRectF box(0, 0, kNodeWidth, kNodeHeight);
        p->setRenderHint(QPainter::Antialiasing);
        QPen pen(selected ? palette.color(QPalette::Highlight) : accent, selected ? 3 : 1.5);
        // A container's read-write layer is drawn dashed: it is the only writable part.
        if (m_kind == LayerMapModel::NodeKind::Container && !selected)
            pen.setStyle(Qt::DashLine);
        p->setPen(pen);
        p->setBrush(tint(accent, base, m_kind == LayerMapModel::NodeKind::Layer ? 0.12 : 0.22));
        p->drawRoundedRect(box, 7, 7);
        // A coloured strip on the left says the kind at a glance.
        p->setPen(Qt::NoPen);
        p->setBrush(accent);
        p->drawRoundedRect(QRectF(0, 0, 6, kNodeHeight), 3, 3);

        const QRectF text = box.adjusted(14, 6, -8, -6);
        QFont bold = p->font();
        bold.setBold(true);
        p->setFont(bold);
        p->setPen(palette.color(QPalette::Text));
        const QFontMetrics boldMetrics(bold);
        p->drawText(QRectF(text.left(), text.top(), text.width(), text.height() / 2),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    boldMetrics.elidedText(m_title, Qt::ElideRight, int(text.width())));
        QFont normal = p->font();
        normal.setBold(false);
        p->setFont(normal);
        p->setPen(tint(palette.color(QPalette::Text), base, 0.75));
        const QFontMetrics metrics(normal);
        p->drawText(QRectF(text.left(), text.center().y(), text.width(), text.height() / 2),
                    Qt::AlignLeft | Qt::AlignVCenter,
                    metrics.elidedText(m_detail, Qt::ElideRight, int(text.width())));
    }

private:
    QPersistentModelIndex m_index;
    LayerMapModel::NodeKind m_kind = LayerMapModel::NodeKind::Layer;
    QString m_title;
    QString m_detail;
    bool m_running = false;
    bool m_shared = false;
};

LayerMapView::LayerMapView(QWidget *parent)
    : QGraphicsView(parent) {
    setObjectName(QStringLiteral("layerMapView"));
    setScene(new QGraphicsScene(this));
    setRenderHint(QPainter::Antialiasing);
    setDragMode(QGraphicsView::ScrollHandDrag);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setFocusPolicy(Qt::StrongFocus);
    connect(scene(), &QGraphicsScene::selectionChanged, this,
            [this] { Q_EMIT currentChanged(currentIndex()); });
}

void LayerMapView::setModel(LayerMapModel *model) {
    m_model = model;
    connect(model, &QAbstractItemModel::modelReset, this, &LayerMapView::rebuild);
    rebuild();
}

QString LayerMapView::currentKey() const {
    const QList<QGraphicsItem *> selected = scene()->selectedItems();
    return selected.isEmpty() ? QString()
                              : static_cast<LayerMapNodeItem *>(selected.first())->key();
}

QModelIndex LayerMapView::currentIndex() const {
    const QList<QGraphicsItem *> selected = scene()->selectedItems();
    return selected.isEmpty() ? QModelIndex()
                              : static_cast<LayerMapNodeItem *>(selected.first())->index();
}

bool LayerMapView::selectKey(const QString &key) {
    LayerMapNodeItem *item = m_items.value(key);
    if (!item)
        return false;
    scene()->clearSelection();
    item->setSelected(true);
    item->setFocus();
    ensureVisible(item, 40, 40);
    return true;
}

void LayerMapView::selectIndex(const QModelIndex &index) {
    if (index.isValid())
        selectKey(index.data(LayerMapModel::KeyRole).toString());
}

QRect LayerMapView::viewportRectOf(const QString &key) const {
    LayerMapNodeItem *item = m_items.value(key);
    if (!item)
        return {};
    return mapFromScene(item->mapToScene(QRectF(0, 0, kNodeWidth, kNodeHeight))).boundingRect();
}

double LayerMapView::zoom() const {
    return transform().m11();
}

void LayerMapView::rebuild() {
    const QString selected = currentKey();
    scene()->clear();
    m_items.clear();
    if (!m_model)
        return;

    // Columns: a layer's depth in its stack; all images in the column after the deepest layer,
    // containers in the next, so images and containers line up and read as lists.
    int deepest = -1;
    std::function<void(const QModelIndex &, int)> measure = [&](const QModelIndex &parent,
                                                                int depth) {
        for (int row = 0; row < m_model->rowCount(parent); ++row) {
            const QModelIndex index = m_model->index(row, 0, parent);
            if (LayerMapModel::NodeKind(index.data(LayerMapModel::KindRole).toInt()) ==
                LayerMapModel::NodeKind::Layer) {
                deepest = qMax(deepest, depth);
                measure(index, depth + 1);
            }
        }
    };
    measure({}, 0);
    const int imageColumn = deepest + 1;

    // Rows: leaves take the next row; a parent sits level with the middle of its children.
    qreal nextRow = 0;
    const QPen edgePen(palette().color(QPalette::Mid), 1.5);
    std::function<qreal(const QModelIndex &, int)> place = [&](const QModelIndex &index,
                                                               int depth) -> qreal {
        const auto kind = LayerMapModel::NodeKind(index.data(LayerMapModel::KindRole).toInt());
        const int column = kind == LayerMapModel::NodeKind::Layer   ? depth
                           : kind == LayerMapModel::NodeKind::Image ? imageColumn
                                                                    : imageColumn + 1;
        QList<qreal> childRows;
        QList<LayerMapNodeItem *> children;
        for (int row = 0; row < m_model->rowCount(index); ++row) {
            const QModelIndex child = m_model->index(row, 0, index);
            childRows << place(child, depth + 1);
            children << m_items.value(child.data(LayerMapModel::KeyRole).toString());
        }
        const qreal y = childRows.isEmpty() ? nextRow++ * kRowHeight
                                            : (childRows.first() + childRows.last()) / 2;
        auto *item = new LayerMapNodeItem(index);
        item->setPos(column * kColumnWidth, kHeaderHeight + y);
        scene()->addItem(item);
        m_items.insert(item->key(), item);
        // Lines from this node's right edge to each child's left edge.
        const QPointF from = item->pos() + QPointF(kNodeWidth, kNodeHeight / 2);
        for (LayerMapNodeItem *child : children) {
            const QPointF to = child->pos() + QPointF(0, kNodeHeight / 2);
            QPainterPath path(from);
            const qreal bend = qMin<qreal>(60, (to.x() - from.x()) / 2);
            path.cubicTo(from + QPointF(bend, 0), to - QPointF(bend, 0), to);
            QGraphicsPathItem *edge = scene()->addPath(path, edgePen);
            edge->setZValue(-1);
        }
        return y;
    };
    for (int row = 0; row < m_model->rowCount(); ++row)
        place(m_model->index(row, 0), 0);

    // Column headings.
    QFont heading = font();
    heading.setBold(true);
    auto addHeading = [&](const QString &text, int column) {
        QGraphicsSimpleTextItem *t = scene()->addSimpleText(text, heading);
        t->setBrush(tint(palette().color(QPalette::Text), palette().color(QPalette::Base), 0.7));
        t->setPos(column * kColumnWidth, 8);
    };
    if (imageColumn > 0)
        addHeading(tr("Layers, from the base up"), 0);
    if (m_model->imageCount() > 0)
        addHeading(tr("Images"), imageColumn);
    if (m_model->containerCount() > 0)
        addHeading(tr("Containers (read-write layers)"), imageColumn + 1);

    scene()->setBackgroundBrush(palette().color(QPalette::Base));
    scene()->setSceneRect(scene()->itemsBoundingRect().adjusted(-16, -8, 16, 16));
    // The same node stays selected, without scrolling to it: the user may have scrolled away.
    if (LayerMapNodeItem *item = m_items.value(selected))
        item->setSelected(true);
}

void LayerMapView::scaleBy(double factor) {
    const double target = std::clamp(zoom() * factor, kMinZoom, kMaxZoom);
    const double f = target / zoom();
    scale(f, f);
}

void LayerMapView::zoomIn() {
    scaleBy(1.25);
}

void LayerMapView::zoomOut() {
    scaleBy(0.8);
}

void LayerMapView::resetZoom() {
    resetTransform();
}

void LayerMapView::fitAll() {
    fitInView(scene()->sceneRect(), Qt::KeepAspectRatio);
    if (zoom() > 1.0)
        resetTransform(); // a small store is not blown up
    else if (zoom() < kMinZoom)
        scaleBy(1.0);
}

void LayerMapView::fitReadable() {
    fitAll();
    if (zoom() < kReadableZoom) {
        scaleBy(kReadableZoom / zoom());
        // Too big to see whole: show where images and containers begin, the newcomer's view.
        horizontalScrollBar()->setValue(horizontalScrollBar()->maximum());
        verticalScrollBar()->setValue(verticalScrollBar()->minimum());
    }
}

void LayerMapView::wheelEvent(QWheelEvent *event) {
    if (event->modifiers() & Qt::ControlModifier) {
        scaleBy(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
        event->accept();
        return;
    }
    QGraphicsView::wheelEvent(event);
}

void LayerMapView::mouseDoubleClickEvent(QMouseEvent *event) {
    if (auto *item = dynamic_cast<LayerMapNodeItem *>(itemAt(event->pos()))) {
        selectKey(item->key());
        Q_EMIT activated(item->index());
        event->accept();
        return;
    }
    QGraphicsView::mouseDoubleClickEvent(event);
}

void LayerMapView::keyPressEvent(QKeyEvent *event) {
    const QModelIndex current = currentIndex();
    if (!m_model || m_items.isEmpty()) {
        QGraphicsView::keyPressEvent(event);
        return;
    }
    if (!current.isValid() && (event->key() == Qt::Key_Left || event->key() == Qt::Key_Right ||
                               event->key() == Qt::Key_Up || event->key() == Qt::Key_Down)) {
        selectIndex(m_model->index(0, 0));
        return;
    }
    switch (event->key()) {
    case Qt::Key_Left:
        selectIndex(current.parent());
        return;
    case Qt::Key_Right:
        selectIndex(m_model->index(0, 0, current));
        return;
    case Qt::Key_Up:
        selectIndex(current.sibling(current.row() - 1, 0));
        return;
    case Qt::Key_Down:
        selectIndex(current.sibling(current.row() + 1, 0));
        return;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (current.isValid())
            Q_EMIT activated(current);
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    default:
        QGraphicsView::keyPressEvent(event);
    }
}

void LayerMapView::changeEvent(QEvent *event) {
    QGraphicsView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild(); // edges and headings take the palette's colours
}

} // namespace Berth::Gui
