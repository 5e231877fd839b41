// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/layermappage.h"

#include "ui/models/layermapmodel.h"
#include "ui/models/presentation.h"
#include "ui/widgets/layermapview.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {

QToolButton *zoomButton(const QString &text, const QString &tip, const QString &name,
                        QWidget *parent) {
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setObjectName(name);
    b->setAutoRaise(true);
    return b;
}

QString row(const QString &label, const QString &valueHtml) {
    return QStringLiteral("<tr><td style='padding-right:8px'><b>%1</b></td><td>%2</td></tr>")
        .arg(label.toHtmlEscaped(), valueHtml);
}

QString code(const QString &text) {
    return QStringLiteral("<code>%1</code>").arg(text.toHtmlEscaped());
}

QString listOrNone(const QStringList &items) {
    return items.isEmpty() ? LayerMapPage::tr("none")
                           : items.join(QStringLiteral(", ")).toHtmlEscaped();
}

// What the map draws, in a comparable form: nodes, links, names, sizes and states.
QByteArray layerMapSignature(const LayerMapData &data) {
    QByteArray out;
    for (const Engine::ImageRecord &image : data.images) {
        out += image.id.hex().toUtf8() + image.tags.join(QLatin1Char(',')).toUtf8() + '\n';
        for (const Engine::LayerRecord &l : image.layers)
            out += l.chainId.hex().toUtf8() + ' ' +
                   QByteArray::number(data.layers.value(l.chainId.hex()).size) + '\n';
    }
    for (const LayerMapData::Container &c : data.containers)
        out += c.record.id.toUtf8() + c.record.name.toUtf8() + ' ' +
               QByteArray::number(int(c.record.state)) + ' ' + QByteArray::number(c.rwBytes) + '\n';
    return out;
}

} // namespace

LayerMapPage::LayerMapPage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new LayerMapModel(this)) {
    auto *layout = new QVBoxLayout(this);
    auto *header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("<h2>Layer map</h2>"), this));
    header->addStretch();
    auto *zoomOut = zoomButton(tr("−"), tr("Zoom out (Ctrl+wheel, −)"),
                               QStringLiteral("layerMapZoomOut"), this);
    auto *zoomIn =
        zoomButton(tr("+"), tr("Zoom in (Ctrl+wheel, +)"), QStringLiteral("layerMapZoomIn"), this);
    auto *actual =
        zoomButton(tr("100%"), tr("Actual size"), QStringLiteral("layerMapActual"), this);
    auto *fit =
        zoomButton(tr("Fit"), tr("Show the whole map"), QStringLiteral("layerMapFit"), this);
    for (QToolButton *b : {zoomOut, zoomIn, actual, fit})
        header->addWidget(b);
    layout->addLayout(header);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("layerMapSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    // The details below the map, so the map has the window's width.
    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_view = new LayerMapView(splitter);
    m_view->setModel(m_model);
    m_view->setAccessibleName(tr("Layer map"));
    splitter->addWidget(m_view);
    auto *scroll = new QScrollArea(splitter);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_details = new QLabel(scroll);
    m_details->setObjectName(QStringLiteral("layerMapDetails"));
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_details->setMargin(8);
    scroll->setWidget(m_details);
    splitter->addWidget(scroll);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({520, 170});
    layout->addWidget(splitter, 1);

    connect(zoomIn, &QToolButton::clicked, m_view, &LayerMapView::zoomIn);
    connect(zoomOut, &QToolButton::clicked, m_view, &LayerMapView::zoomOut);
    connect(actual, &QToolButton::clicked, m_view, &LayerMapView::resetZoom);
    connect(fit, &QToolButton::clicked, m_view, &LayerMapView::fitAll);
    connect(m_view, &LayerMapView::currentChanged, this, &LayerMapPage::showDetails);
    connect(m_view, &LayerMapView::activated, this, [this](const QModelIndex &index) {
        const auto kind = LayerMapModel::NodeKind(index.data(LayerMapModel::KindRole).toInt());
        const QString id = index.data(LayerMapModel::IdRole).toString();
        if (kind == LayerMapModel::NodeKind::Image)
            Q_EMIT exploreRequested(id);
        else if (kind == LayerMapModel::NodeKind::Container)
            Q_EMIT containerRequested(id);
    });
    showDetails({});

    m_runningTimer = new QTimer(this);
    m_runningTimer->setInterval(3000);
    connect(m_runningTimer, &QTimer::timeout, this, [this] {
        if (m_anyRunning && isVisible())
            refresh();
    });
    m_runningTimer->start();
}

void LayerMapPage::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    refresh();
}

void LayerMapPage::refresh() {
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return readLayerMap(*engine); })
        .then(this, [this](const LayerMapData &data) {
            m_refreshing = false;
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refresh();
                return;
            }
            m_anyRunning = std::any_of(data.containers.begin(), data.containers.end(),
                                       [](const auto &c) { return c.record.isRunning(); });
            // Redrawn only when something on the map changed (the timer reads every few seconds).
            const QByteArray signature = layerMapSignature(data);
            if (signature == m_signature) {
                Q_EMIT refreshed();
                return;
            }
            m_signature = signature;
            m_model->setData(data);
            qint64 layerBytes = 0;
            for (const LayerMapData::Layer &l : data.layers)
                layerBytes += qMax<qint64>(0, l.size);
            qint64 rwBytes = 0;
            for (const LayerMapData::Container &c : data.containers)
                rwBytes += c.rwBytes;
            m_summary->setText(
                // Counts after labels: no singular/plural forms to get wrong ("1 images").
                tr("Images: %1 · layers: %2 (%3 on disk, each stored once) · shared by several "
                   "images: %4 · containers: %5, adding %6 in their read-write layers")
                    .arg(m_model->imageCount())
                    .arg(m_model->layerCount())
                    .arg(formatBytes(layerBytes))
                    .arg(m_model->sharedLayerCount())
                    .arg(m_model->containerCount())
                    .arg(formatBytes(rwBytes)));
            if (!m_view->currentIndex().isValid())
                showDetails({});
            if (!m_fitted && m_view->isVisible()) {
                // A first look at a big store shows all of it; a small one stays at 100%.
                m_fitted = true;
                m_view->fitReadable();
            }
            Q_EMIT refreshed();
        });
}

void LayerMapPage::showDetails(const QModelIndex &index) {
    if (!index.isValid()) {
        m_details->setText(
            tr("<p>Each box is a layer, an image or a container. Lines connect each one to what "
               "it stands on: a layer to the layer below it, an image to its top layer, a "
               "container to its image.</p><p>A layer several images share is stored once and "
               "drawn once. A container only adds its own read-write layer (dashed): the files "
               "it wrote.</p><p>Select a box to see what it is; double-click an image to open "
               "it in the layer explorer, or a container to see its logs and files.</p>"));
        return;
    }
    const auto kind = LayerMapModel::NodeKind(index.data(LayerMapModel::KindRole).toInt());
    const QString id = index.data(LayerMapModel::IdRole).toString();
    const QString size = formatBytes(index.data(LayerMapModel::SizeRole).toLongLong());
    const QStringList images = index.data(LayerMapModel::ImagesRole).toStringList();
    const QStringList containers = index.data(LayerMapModel::ContainersRole).toStringList();
    QString html;
    switch (kind) {
    case LayerMapModel::NodeKind::Layer:
        html = QStringLiteral("<h3>%1</h3><table>").arg(tr("Layer").toHtmlEscaped()) +
               row(tr("Created by"), code(index.data(LayerMapModel::CommandRole).toString())) +
               row(tr("Size"), size.toHtmlEscaped()) +
               row(tr("Digest"), code(index.data(LayerMapModel::DigestRole).toString())) +
               row(tr("Chain ID"), code(id)) + row(tr("Images"), listOrNone(images)) +
               row(tr("Containers"), listOrNone(containers)) + QStringLiteral("</table>");
        if (images.size() > 1)
            html += QStringLiteral("<p>%1</p>")
                        .arg(tr("Shared by %1 images: stored once, its %2 counted once.")
                                 .arg(images.size())
                                 .arg(size)
                                 .toHtmlEscaped());
        break;
    case LayerMapModel::NodeKind::Image:
        html =
            QStringLiteral("<h3>%1</h3><table>")
                .arg(index.siblingAtColumn(LayerMapModel::Name).data().toString().toHtmlEscaped()) +
            row(tr("Image ID"), code(id)) +
            row(tr("Manifest"), code(index.data(LayerMapModel::DigestRole).toString())) +
            row(tr("Size"), size.toHtmlEscaped()) + row(tr("Tags"), listOrNone(images)) +
            row(tr("Containers"), listOrNone(containers)) + QStringLiteral("</table><p>") +
            tr("Double-click to open it in the layer explorer.").toHtmlEscaped() +
            QStringLiteral("</p>");
        break;
    case LayerMapModel::NodeKind::Container:
        html =
            QStringLiteral("<h3>%1</h3><table>")
                .arg(index.siblingAtColumn(LayerMapModel::Name).data().toString().toHtmlEscaped()) +
            row(tr("Container ID"), code(id)) +
            row(tr("State"),
                (index.data(LayerMapModel::RunningRole).toBool() ? tr("Running") : tr("Stopped"))
                    .toHtmlEscaped()) +
            row(tr("Command"), code(index.data(LayerMapModel::CommandRole).toString())) +
            row(tr("Read-write layer"), size.toHtmlEscaped()) +
            row(tr("Image"), listOrNone(images)) + QStringLiteral("</table><p>") +
            tr("What it wrote is lost when it is removed, unless it is committed to an image "
               "first. Double-click to see its logs and files.")
                .toHtmlEscaped() +
            QStringLiteral("</p>");
        break;
    }
    m_details->setText(html);
}

} // namespace Berth::Gui
