// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/containerfilesview.h"

#include "ui/errortext.h"
#include "ui/models/containerchangesmodel.h"
#include "ui/models/presentation.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace Berth::Gui {

ContainerFilesView::ContainerFilesView(Engine::Engine &engine, const QString &containerId,
                                       QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_id(containerId)
    , m_model(new ContainerChangesModel(this)) {
    setObjectName(QStringLiteral("containerFiles"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("containerFilesSummary"));
    m_summary->setWordWrap(true);
    auto *refresh = new QToolButton(this);
    refresh->setObjectName(QStringLiteral("containerFilesRefresh"));
    refresh->setText(tr("Refresh"));
    refresh->setToolTip(tr("Read the container's changes again"));
    bar->addWidget(m_summary, 1);
    bar->addWidget(refresh);
    layout->addLayout(bar);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ContainerChangesModel::SortRole);
    m_view = new QTreeView(this);
    m_view->setObjectName(QStringLiteral("containerFilesView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ContainerChangesModel::Name, Qt::AscendingOrder);
    m_view->setUniformRowHeights(true);
    m_view->setAlternatingRowColors(true);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(ContainerChangesModel::Name, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(ContainerChangesModel::Change,
                                           QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(ContainerChangesModel::Size,
                                           QHeaderView::ResizeToContents);
    layout->addWidget(m_view, 1);
    connect(refresh, &QToolButton::clicked, this, &ContainerFilesView::refresh);
}

void ContainerFilesView::refresh() {
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    m_summary->setText(tr("Reading the container's changes…"));
    Engine::Engine *engine = &m_engine;
    const QString id = m_id;
    m_engine.async([engine, id] { return engine->filesystem().changesWithDetails(id); })
        .then(this, [this](const Engine::Result<QList<ContainerFileChange>> &changes) {
            m_refreshing = false;
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refresh();
                return;
            }
            if (!changes) {
                m_model->setChanges({});
                const ErrorText text =
                    errorText(tr("The container's changes could not be read."), changes.error());
                m_summary->setText(text.summary);
                m_summary->setToolTip(text.detail);
                Q_EMIT refreshed();
                return;
            }
            m_model->setChanges(*changes);
            m_view->expandAll();
            qint64 bytes = 0;
            for (const ContainerFileChange &c : *changes)
                bytes += qMax<qint64>(0, c.size);
            m_summary->setToolTip({});
            m_summary->setText(
                changes->isEmpty()
                    ? tr("The container has not changed any files of its image.")
                    : tr("Its read-write layer: %1 added, %2 modified, %3 deleted (%4 in files). "
                         "These are lost when the container is removed.")
                          .arg(m_model->count(Engine::ChangeKind::Added))
                          .arg(m_model->count(Engine::ChangeKind::Modified))
                          .arg(m_model->count(Engine::ChangeKind::Deleted))
                          .arg(formatBytes(bytes)));
            Q_EMIT refreshed();
        });
}

} // namespace Berth::Gui
