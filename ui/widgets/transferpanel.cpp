// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/transferpanel.h"

#include "ui/errortext.h"
#include "ui/models/presentation.h"
#include "ui/models/transfermodel.h"

#include <QApplication>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace Berth::Gui {

namespace {

// The Progress column as a small bar per layer, its percentage written on it.
class LayerProgressDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override {
        QStyleOptionProgressBar bar;
        bar.rect = option.rect.adjusted(2, 3, -2, -3);
        bar.state = option.state | QStyle::State_Horizontal;
        bar.direction = option.direction;
        bar.fontMetrics = option.fontMetrics;
        bar.palette = option.palette;
        bar.minimum = 0;
        bar.maximum = 1000;
        bar.progress = int(index.data(TransferModel::FractionRole).toDouble() * 1000);
        bar.text = index.data().toString();
        bar.textVisible = true;
        bar.textAlignment = Qt::AlignCenter;
        const QWidget *widget = option.widget;
        QStyle *style = widget ? widget->style() : QApplication::style();
        style->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
    }
};

QString layerCount(int n) {
    return n == 1 ? TransferPanel::tr("1 layer") : TransferPanel::tr("%1 layers").arg(n);
}

} // namespace

TransferPanel::TransferPanel(Engine::Engine &engine, QWidget *parent)
    : QFrame(parent)
    , m_engine(engine)
    , m_model(new TransferModel(this)) {
    setObjectName(QStringLiteral("transferPanel"));
    setFrameShape(QFrame::StyledPanel);
    // Exactly as tall as what it shows; the page's table below takes the rest.
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    auto *layout = new QVBoxLayout(this);

    auto *head = new QHBoxLayout;
    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("transferTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_layersButton = new QToolButton(this);
    m_layersButton->setObjectName(QStringLiteral("transferLayersButton"));
    m_layersButton->setText(tr("Layers"));
    m_layersButton->setToolTip(tr("Show the progress of each layer"));
    m_layersButton->setCheckable(true);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("transferCancelButton"));
    m_dismiss = new QToolButton(this);
    m_dismiss->setObjectName(QStringLiteral("transferDismissButton"));
    m_dismiss->setText(tr("Close"));
    m_dismiss->setToolTip(tr("Hide this panel"));
    head->addWidget(m_title, 1);
    head->addWidget(m_layersButton);
    head->addWidget(m_cancel);
    head->addWidget(m_dismiss);
    layout->addLayout(head);

    m_plan = new QLabel(this);
    m_plan->setObjectName(QStringLiteral("transferPlan"));
    m_plan->setWordWrap(true);
    layout->addWidget(m_plan);
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(QStringLiteral("transferProgress"));
    m_bar->setRange(0, 1000); // permille: any size fits an int
    m_bar->setAccessibleName(tr("Total progress"));
    layout->addWidget(m_bar);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("transferStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto *errorRow = new QHBoxLayout;
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("transferError"));
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorDetailsButton = new QToolButton(this);
    m_errorDetailsButton->setText(tr("Details"));
    m_errorDetailsButton->setCheckable(true);
    errorRow->addWidget(m_error, 1);
    errorRow->addWidget(m_errorDetailsButton, 0, Qt::AlignTop);
    layout->addLayout(errorRow);
    m_errorDetails = new QLabel(this);
    m_errorDetails->setWordWrap(true);
    m_errorDetails->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_errorDetails->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_errorDetails);

    m_layers = new QTableView(this);
    m_layers->setObjectName(QStringLiteral("transferLayers"));
    m_layers->setModel(m_model);
    m_layers->setItemDelegateForColumn(TransferModel::Transferred,
                                       new LayerProgressDelegate(m_layers));
    m_layers->setSelectionMode(QAbstractItemView::NoSelection);
    m_layers->setFocusPolicy(Qt::NoFocus);
    m_layers->verticalHeader()->hide();
    m_layers->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_layers->horizontalHeader()->setSectionResizeMode(TransferModel::Transferred,
                                                       QHeaderView::Stretch);
    layout->addWidget(m_layers);
    // As tall as its rows (up to eight; then it scrolls), so no empty block under two layers.
    auto fitLayers = [this] {
        const int rows = qBound(1, m_model->rowCount(), 8);
        const int rowHeight = m_layers->verticalHeader()->defaultSectionSize();
        m_layers->setFixedHeight(m_layers->horizontalHeader()->sizeHint().height() +
                                 rows * rowHeight + 2 * m_layers->frameWidth());
    };
    connect(m_model, &QAbstractItemModel::modelReset, this, fitLayers);
    fitLayers();

    connect(m_layersButton, &QToolButton::toggled, m_layers, &QWidget::setVisible);
    connect(m_errorDetailsButton, &QToolButton::toggled, m_errorDetails, &QWidget::setVisible);
    connect(m_cancel, &QPushButton::clicked, this, &TransferPanel::cancel);
    connect(m_dismiss, &QToolButton::clicked, this, &QWidget::hide);
    m_layersButton->setChecked(true); // the detail is shown; one click hides it
    m_error->hide();
    m_errorDetailsButton->hide();
    m_errorDetails->hide();
    hide();
}

void TransferPanel::begin(const QString &title) {
    m_running = true;
    m_clock.start();
    m_model->clear();
    m_title->setText(title);
    m_plan->setText(tr("Asking the registry what to transfer…"));
    m_plan->show();
    m_bar->setRange(0, 0); // busy until the sizes are known
    m_bar->show();
    m_status->clear();
    m_status->show();
    m_error->hide();
    m_errorDetailsButton->hide();
    m_errorDetailsButton->setChecked(false);
    m_cancel->setEnabled(true);
    m_cancel->show();
    m_dismiss->hide();
    show();
    Q_EMIT runningChanged(true);
}

void TransferPanel::finish() {
    m_running = false;
    m_cancel->hide();
    m_dismiss->show();
    if (m_job)
        m_job->deleteLater();
    m_job = nullptr;
    Q_EMIT runningChanged(false);
}

void TransferPanel::cancel() {
    if (!m_running)
        return;
    m_cancel->setEnabled(false);
    m_status->setText(tr("Cancelling…"));
    if (auto *pull = qobject_cast<Engine::PullJob *>(m_job.data()))
        pull->cancel();
    if (auto *push = qobject_cast<Engine::PushJob *>(m_job.data()))
        push->cancel();
}

void TransferPanel::showProblem(const QString &summary, const QString &detail) {
    if (m_running)
        return;
    m_title->setText(summary);
    m_plan->hide();
    m_bar->hide();
    m_status->hide();
    m_error->hide();
    m_errorDetails->setText(detail);
    m_errorDetailsButton->setVisible(!detail.isEmpty());
    m_errorDetailsButton->setChecked(false);
    m_cancel->hide();
    m_dismiss->show();
    show();
}

void TransferPanel::startPull(const Engine::Reference &reference) {
    if (m_running)
        return;
    const QString name = reference.familiarString();
    begin(tr("Pulling %1").arg(name));
    auto *job = m_engine.createPullJob(this);
    m_job = job;
    connect(job, &Engine::PullJob::planned, this, &TransferPanel::showPlan);
    connect(job, &Engine::PullJob::progressChanged, this, &TransferPanel::showPullProgress);
    connect(job, &Engine::PullJob::succeeded, this, [this, name](const Engine::ImageRecord &image) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(1000);
        const QString text =
            tr("Pulled %1 in %2").arg(name, formatDuration(m_clock.elapsed() / 1000));
        m_status->setText(text);
        finish();
        Q_EMIT statusMessage(text);
        Q_EMIT pulled(name, image);
    });
    connect(job, &Engine::PullJob::failed, this, [this, name](const Engine::Error &error) {
        showError(tr("%1 could not be pulled.").arg(name), error);
        finish();
    });
    job->start(reference);
}

void TransferPanel::startPush(const QString &source, const Engine::Reference &target) {
    if (m_running)
        return;
    const QString name = target.familiarString();
    begin(tr("Pushing %1").arg(name));
    auto *job = m_engine.createPushJob(this);
    m_job = job;
    connect(job, &Engine::PushJob::progressChanged, this, &TransferPanel::showPushProgress);
    connect(job, &Engine::PushJob::succeeded, this, [this, name](const Engine::PushResult &result) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(1000);
        const int skipped = result.existing + result.mounted;
        const QString text =
            skipped > 0 ? tr("Pushed %1 in %2: %3 sent, %4 the registry already had")
                              .arg(name, formatDuration(m_clock.elapsed() / 1000))
                              .arg(result.uploaded)
                              .arg(skipped)
                        : tr("Pushed %1 in %2").arg(name, formatDuration(m_clock.elapsed() / 1000));
        m_status->setText(text);
        finish();
        Q_EMIT statusMessage(text);
        Q_EMIT pushed(name, result);
    });
    connect(job, &Engine::PushJob::failed, this, [this, name](const Engine::Error &error) {
        showError(tr("%1 could not be pushed.").arg(name), error);
        finish();
    });
    job->start(source, target);
}

void TransferPanel::showPlan(const Engine::PullPlan &plan) {
    const int layers = int(plan.layers.size());
    const int present =
        int(std::count_if(plan.layers.cbegin(), plan.layers.cend(),
                          [](const Engine::PullLayerPlan &l) { return l.present; }));
    qint64 partial = 0;
    for (const Engine::PullLayerPlan &l : plan.layers)
        if (!l.present)
            partial += l.partialBytes;
    QString text;
    if (present == layers)
        text = tr("%1, all already here: nothing to download").arg(layerCount(layers));
    else
        text = tr("%1, %2 already here, %3 to download")
                   .arg(layerCount(layers))
                   .arg(present)
                   .arg(formatBytes(plan.bytesToDownload));
    if (partial > 0)
        text += QLatin1Char(' ') + tr("(%1 kept from an interrupted pull is not downloaded again)")
                                       .arg(formatBytes(partial));
    m_plan->setText(text);
    m_model->setPullPlan(plan);
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
}

void TransferPanel::showTotals(qint64 done, qint64 total, double rate, qint64 eta) {
    m_bar->setRange(0, 1000);
    m_bar->setValue(total > 0 ? int(std::clamp<qint64>(done * 1000 / total, 0, 1000)) : 0);
    QString text = tr("%1 of %2").arg(formatBytes(done), formatBytes(total));
    if (rate > 0)
        text += QStringLiteral(" · ") + formatRate(rate);
    if (eta >= 0 && done < total)
        text += QStringLiteral(" · ") + tr("about %1 left").arg(formatDuration(eta));
    m_status->setText(text);
}

void TransferPanel::showPullProgress(const Engine::PullProgress &progress) {
    m_model->setPullProgress(progress);
    switch (progress.phase) {
    case Engine::PullProgress::Phase::Downloading:
        showTotals(progress.doneBytes, progress.totalBytes, progress.bytesPerSecond,
                   progress.etaSeconds);
        break;
    case Engine::PullProgress::Phase::Unpacking:
        m_bar->setRange(0, 0);
        m_status->setText(
            tr("Downloaded %1; unpacking the layers…").arg(formatBytes(progress.doneBytes)));
        break;
    case Engine::PullProgress::Phase::Done:
        m_bar->setRange(0, 1000);
        m_bar->setValue(1000);
        break;
    }
}

void TransferPanel::showPushProgress(const Engine::PushProgress &progress) {
    switch (progress.phase) {
    case Engine::PushProgress::Phase::Compressing:
        m_plan->setText(tr("Compressing the layers stored uncompressed, for the registry"));
        showTotals(progress.doneBytes, progress.totalBytes, progress.bytesPerSecond,
                   progress.etaSeconds);
        return;
    case Engine::PushProgress::Phase::Uploading:
    case Engine::PushProgress::Phase::Done: {
        m_model->setPushProgress(progress);
        int skipped = 0;
        for (const Engine::PushProgress::Blob &b : progress.blobs)
            skipped += b.state == Engine::PushProgress::BlobState::Exists ||
                       b.state == Engine::PushProgress::BlobState::Mounted;
        m_plan->setText(tr("%1 and the config, %2 already in the registry")
                            .arg(layerCount(int(progress.blobs.size()) - 1))
                            .arg(skipped));
        showTotals(progress.doneBytes, progress.totalBytes, progress.bytesPerSecond,
                   progress.etaSeconds);
        return;
    }
    }
}

void TransferPanel::showError(const QString &action, const Engine::Error &error) {
    m_bar->setRange(0, 1000);
    if (error.kind == Engine::ErrorKind::Cancelled) {
        m_status->setText(tr("Cancelled. What was already transferred is kept, and the next "
                             "attempt continues from there."));
        Q_EMIT statusMessage(tr("Cancelled"));
        return;
    }
    const ErrorText text = registryErrorText(action, error);
    m_status->hide();
    m_error->setText(text.summary);
    m_error->show();
    m_errorDetails->setText(text.detail);
    m_errorDetailsButton->setVisible(!text.detail.isEmpty());
    Q_EMIT statusMessage(action);
}

} // namespace Berth::Gui
