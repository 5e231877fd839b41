// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QGraphicsView>
#include <QHash>
#include <QPersistentModelIndex>

namespace Berth::Gui {

class LayerMapModel;
class LayerMapNodeItem;

// Draws a LayerMapModel as a tree from left to right: the layers (base layers in the first
// column, each layer right of the one below it), then every image in one column, then the
// containers, with a line from each node to what it stands on. Nodes show their name and size;
// shared layers say by how many images. Scrolls (drag, wheel) and zooms (Ctrl+wheel, zoomIn/
// zoomOut/fitAll). A click selects a node, a double-click or Enter activates it; the arrow keys
// walk the tree (left: down the stack, right: up to the first child, up/down: siblings).
// Rebuilt on every model reset, keeping the selection (by key) and the zoom.
class LayerMapView : public QGraphicsView {
    Q_OBJECT
public:
    explicit LayerMapView(QWidget *parent = nullptr);

    void setModel(LayerMapModel *model);
    LayerMapModel *model() const { return m_model; }

    QString currentKey() const;
    QModelIndex currentIndex() const;
    // Selects the node with this key and scrolls to it; false when there is none.
    bool selectKey(const QString &key);
    // Where a node is drawn, in viewport coordinates (tests click there); empty when absent.
    QRect viewportRectOf(const QString &key) const;
    int nodeCount() const { return int(m_items.size()); }
    double zoom() const;

public Q_SLOTS:
    void zoomIn();
    void zoomOut();
    void resetZoom();
    void fitAll();
    // fitAll(), but never smaller than text stays readable; then scrolled to the right end.
    void fitReadable();

Q_SIGNALS:
    void currentChanged(const QModelIndex &index);
    void activated(const QModelIndex &index);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void rebuild();
    void scaleBy(double factor);
    void selectIndex(const QModelIndex &index);

    LayerMapModel *m_model = nullptr;
    QHash<QString, LayerMapNodeItem *> m_items;
};

} // namespace Berth::Gui
