// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/diskusagepage.h"

#include "ui/errortext.h"
#include "ui/models/diskusagemodel.h"
#include "ui/models/presentation.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Berth::Gui {

using Engine::StoreMaintenance;

DiskUsagePage::DiskUsagePage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new DiskUsageModel(this)) {
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Disk usage</h2>"), this));
    m_totals = new QLabel(this);
    m_totals->setObjectName(QStringLiteral("diskTotals"));
    m_totals->setWordWrap(true);
    m_totals->setTextFormat(Qt::RichText);
    layout->addWidget(m_totals);

    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(DiskUsageModel::SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("diskUsageView"));
    m_view->setModel(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(DiskUsageModel::Unique, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(DiskUsageModel::Image, QHeaderView::Stretch);
    layout->addWidget(m_view, 1);

    auto *bar = new QHBoxLayout;
    m_scope = new QComboBox(this);
    m_scope->setObjectName(QStringLiteral("pruneScope"));
    m_scope->addItem(tr("Untagged images"));
    m_scope->addItem(tr("All images no container uses"));
    m_prune = new QPushButton(tr("Prune…"), this);
    m_prune->setObjectName(QStringLiteral("pruneButton"));
    m_prune->setToolTip(tr("Shows what would be deleted and asks before deleting anything"));
    bar->addWidget(new QLabel(tr("Remove:"), this));
    bar->addWidget(m_scope);
    bar->addWidget(m_prune);
    bar->addStretch();
    layout->addLayout(bar);
    connect(m_prune, &QPushButton::clicked, this, &DiskUsagePage::prune);
}

void DiskUsagePage::refresh() {
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->maintenance().diskUsage(); })
        .then(this, [this](const Engine::Result<Engine::DiskUsage> &usage) {
            m_refreshing = false;
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refresh();
                return;
            }
            if (!usage) {
                m_totals->setText(tr("Disk usage could not be measured."));
                showError(this, tr("Disk usage could not be measured."), usage.error());
                return;
            }
            m_model->setUsage(*usage);
            qint64 shared = 0;
            for (const Engine::ImageUsage &u : usage->images)
                shared += u.sharedBytes;
            m_totals->setText(
                tr("<b>Images use %1</b> on disk, each shared layer counted once (images: %2). "
                   "The compressed layers kept for saving and pushing take %3.")
                    .arg(formatBytes(usage->imagesBytes))
                    .arg(usage->images.size())
                    .arg(formatBytes(usage->blobBytes)) +
                QStringLiteral("<br>") +
                tr("Untagged images alone use %1. Leftovers no image refers to: %2.")
                    .arg(formatBytes(usage->reclaimableBytes),
                         formatBytes(usage->unreferencedBytes)) +
                QStringLiteral("<br>") +
                tr("<i>Shared</i> bytes are in layers other images use too; <i>Unique</i> bytes "
                   "are what removing that image frees."));
            Q_EMIT refreshed();
        });
}

void DiskUsagePage::prune() {
    const auto scope = m_scope->currentIndex() == 1 ? StoreMaintenance::PruneScope::AllUnused
                                                    : StoreMaintenance::PruneScope::Dangling;
    m_prune->setEnabled(false);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, scope] {
            return engine->maintenance().prune(scope, StoreMaintenance::DryRun::Yes);
        })
        .then(this, [this, scope](const Engine::Result<Engine::RemovalReport> &plan) {
            m_prune->setEnabled(true);
            if (!plan) {
                showError(this, tr("Berth could not work out what to prune."), plan.error());
                return;
            }
            if (plan->deletedImages.isEmpty()) {
                Q_EMIT statusMessage(tr("Nothing to prune: no image matches."));
                auto *box = new QMessageBox(QMessageBox::Information, tr("Prune"),
                                            tr("Nothing to prune: no image matches."),
                                            QMessageBox::Ok, this);
                box->setObjectName(QStringLiteral("pruneNothing"));
                box->setAttribute(Qt::WA_DeleteOnClose);
                box->open();
                return;
            }
            QStringList names;
            for (const QString &tag : plan->untagged)
                if (auto ref = Engine::Reference::parse(tag))
                    names << ref->familiarString();
            QString text = tr("Prune frees %1.\n\nImages to delete: %2. Layers to delete: %3.")
                               .arg(formatBytes(plan->reclaimedBytes))
                               .arg(plan->deletedImages.size())
                               .arg(plan->deletedLayers.size());
            auto *box = new QMessageBox(QMessageBox::Question, tr("Prune images"), text,
                                        QMessageBox::Cancel, this);
            box->setObjectName(QStringLiteral("pruneConfirmation"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            QStringList details;
            for (const Engine::Digest &id : plan->deletedImages)
                details << tr("image %1").arg(id.shortId());
            for (const QString &name : std::as_const(names))
                details << tr("name %1").arg(name);
            for (const Engine::Digest &layer : plan->deletedLayers)
                details << tr("layer %1").arg(layer.shortId());
            box->setInformativeText(
                names.isEmpty() ? tr("Only untagged images are affected.")
                                : tr("Names that go: %1").arg(names.join(QStringLiteral(", "))));
            box->setDetailedText(details.join(QLatin1Char('\n')));
            QPushButton *go = box->addButton(tr("Prune"), QMessageBox::DestructiveRole);
            go->setObjectName(QStringLiteral("confirmPrune"));
            box->setDefaultButton(QMessageBox::Cancel);
            connect(go, &QPushButton::clicked, this, [this, scope] {
                Engine::Engine *engine = &m_engine;
                m_engine
                    .async([engine, scope] {
                        return engine->maintenance().prune(scope, StoreMaintenance::DryRun::No);
                    })
                    .then(this, [this](const Engine::Result<Engine::RemovalReport> &r) {
                        if (!r) {
                            showError(this, tr("Pruning failed."), r.error());
                            return;
                        }
                        Q_EMIT statusMessage(tr("Prune freed %1 (images removed: %2)")
                                                 .arg(formatBytes(r->reclaimedBytes))
                                                 .arg(r->deletedImages.size()));
                        Q_EMIT storeChanged();
                        refresh();
                    });
            });
            box->open();
        });
}

} // namespace Berth::Gui
