// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/volumespage.h"

#include "ui/errortext.h"
#include "ui/models/presentation.h"
#include "ui/models/volumesmodel.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace Berth::Gui {

VolumesPage::VolumesPage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new VolumesModel(this)) {
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Volumes</h2>"), this));
    auto *intro = new QLabel(
        tr("A volume is a folder kept outside every container: what a container writes there "
           "stays when the container is removed, and another container can use it next."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("volumesSummary"));
    layout->addWidget(m_summary);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(VolumesModel::SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("volumesView"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(VolumesModel::Name, Qt::AscendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(VolumesModel::Mountpoint,
                                                     QHeaderView::Stretch);
    m_view->setTextElideMode(Qt::ElideMiddle);
    layout->addWidget(m_view, 1);

    auto *bar = new QHBoxLayout;
    auto *create = new QPushButton(tr("Create…"), this);
    create->setObjectName(QStringLiteral("createVolumeButton"));
    create->setToolTip(tr("Make a new, empty volume"));
    m_remove = new QPushButton(tr("Remove…"), this);
    m_remove->setObjectName(QStringLiteral("removeVolumeButton"));
    m_remove->setToolTip(tr("Delete the selected volume and its files (Delete)"));
    auto *refreshButton = new QPushButton(tr("Refresh"), this);
    refreshButton->setObjectName(QStringLiteral("refreshVolumesButton"));
    m_pruneScope = new QComboBox(this);
    m_pruneScope->setObjectName(QStringLiteral("volumePruneScope"));
    m_pruneScope->addItem(tr("Anonymous volumes no container uses"));
    m_pruneScope->addItem(tr("All volumes no container uses"));
    m_pruneScope->setAccessibleName(tr("Volumes to prune"));
    m_prune = new QPushButton(tr("Prune…"), this);
    m_prune->setObjectName(QStringLiteral("pruneVolumesButton"));
    m_prune->setToolTip(tr("Shows which volumes would be deleted and asks first"));
    bar->addWidget(create);
    bar->addWidget(m_remove);
    bar->addWidget(refreshButton);
    bar->addStretch();
    bar->addWidget(m_pruneScope);
    bar->addWidget(m_prune);
    layout->addLayout(bar);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("volumesStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    // The Delete key removes, as the button does.
    auto *removeAction = new QAction(tr("Remove…"), m_view);
    removeAction->setShortcut(QKeySequence::Delete);
    removeAction->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(removeAction);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);

    connect(create, &QPushButton::clicked, this, &VolumesPage::createVolume);
    connect(m_remove, &QPushButton::clicked, this, &VolumesPage::removeSelected);
    connect(removeAction, &QAction::triggered, this, &VolumesPage::removeSelected);
    connect(refreshButton, &QPushButton::clicked, this, &VolumesPage::refresh);
    connect(m_prune, &QPushButton::clicked, this, &VolumesPage::prune);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &VolumesPage::updateActions);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &VolumesPage::updateActions);
    updateActions();
}

void VolumesPage::updateActions() {
    m_remove->setEnabled(m_view->selectionModel()->hasSelection());
}

void VolumesPage::say(const QString &text, const QString &detail) {
    setStatusText(m_status, text, detail);
    Q_EMIT statusMessage(text);
}

QString VolumesPage::selectedVolume() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(VolumesModel::NameRole).toString();
}

bool VolumesPage::selectVolume(const QString &name) {
    const int row = m_model->rowOf(name);
    if (row < 0)
        return false;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    m_view->setCurrentIndex(index);
    m_view->selectRow(index.row());
    return true;
}

void VolumesPage::refresh() {
    const int generation = ++m_generation;
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine] {
            QList<VolumeRow> rows;
            for (const auto &[volume, users] : engine->volumes().listWithUsers())
                rows.append({volume, users, -1});
            return rows;
        })
        .then(this, [this, generation](const QList<VolumeRow> &rows) {
            if (generation != m_generation)
                return; // a newer refresh is on its way
            const QString selected = selectedVolume();
            m_model->setVolumes(rows);
            // Keep the selection; else select the first row so the actions apply at once.
            if ((selected.isEmpty() || !selectVolume(selected)) && m_proxy->rowCount() > 0)
                m_view->selectRow(0);
            int used = 0;
            QStringList names;
            for (const VolumeRow &r : rows) {
                used += !r.users.isEmpty();
                names << r.volume.name;
            }
            m_summary->setText(rows.isEmpty()
                                   ? tr("No volumes yet. Create one here, or give "
                                        "a container one in the Run dialog.")
                                   : tr("Volumes: %1, in use: %2.").arg(rows.size()).arg(used));
            Q_EMIT refreshed();
            measureSizes(generation, names);
        });
}

void VolumesPage::measureSizes(int generation, const QStringList &names) {
    if (names.isEmpty())
        return;
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, names] {
            QHash<QString, qint64> sizes;
            for (const QString &name : names)
                sizes.insert(name, engine->volumes().size(name));
            return sizes;
        })
        .then(this, [this, generation](const QHash<QString, qint64> &sizes) {
            if (generation == m_generation)
                m_model->setSizes(sizes);
        });
}

void VolumesPage::createVolume() {
    auto *dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("createVolumeDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Create volume"));
    dialog->setLabelText(tr("Name of the new volume (letters, digits, and . _ - after the "
                            "first):"));
    connect(dialog, &QInputDialog::textValueSelected, this,
            [this](const QString &name) { create(name.trimmed()); });
    dialog->open();
}

void VolumesPage::create(const QString &name) {
    if (name.isEmpty()) {
        say(tr("A volume needs a name."));
        return;
    }
    if (!Engine::VolumeOperations::isValidName(name)) {
        say(tr("\"%1\" cannot be a volume name: use letters, digits, and . _ - after the first "
               "character.")
                .arg(name));
        return;
    }
    Engine::Engine *engine = &m_engine;
    const bool existed = m_model->rowOf(name) >= 0;
    m_engine.async([engine, name] { return engine->volumes().create(name); })
        .then(this, [this, name, existed](const Engine::Result<Engine::VolumeRecord> &v) {
            if (!v) {
                const ErrorText text =
                    errorText(tr("The volume %1 could not be created.").arg(name), v.error());
                say(text.summary, text.detail);
                return;
            }
            say(existed ? tr("The volume %1 already exists; nothing changed.").arg(name)
                        : tr("Created the volume %1.").arg(name));
            connect(
                this, &VolumesPage::refreshed, this, [this, name] { selectVolume(name); },
                Qt::SingleShotConnection);
            refresh();
        });
}

void VolumesPage::removeSelected() {
    const int row = m_model->rowOf(selectedVolume());
    if (row < 0)
        return;
    const VolumeRow volume = m_model->volumeAt(row);
    const QString name = volume.volume.name;
    if (!volume.users.isEmpty()) {
        // Docker refuses too; saying who uses it is the useful part.
        const QString text =
            tr("The volume %1 is in use by %2, so it cannot be removed. Remove the "
               "container first (Containers page); the volume keeps its files until then.")
                .arg(name, volume.users.join(QStringLiteral(", ")));
        say(text);
        auto *box = new QMessageBox(QMessageBox::Information, tr("Volume in use"), text,
                                    QMessageBox::Ok, this);
        box->setObjectName(QStringLiteral("volumeInUse"));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        return;
    }
    const QString size = volume.size >= 0 ? formatBytes(volume.size) : tr("an unknown amount");
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Remove volume"),
        tr("Remove the volume %1? Its files (%2) are deleted for good.").arg(name, size),
        QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeVolumeConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *go = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    go->setObjectName(QStringLiteral("confirmRemoveVolume"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(go, &QPushButton::clicked, this, [this, name] { remove(name); });
    box->open();
}

void VolumesPage::remove(const QString &name) {
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine, name] { return engine->volumes().remove(name); })
        .then(this, [this, name](const Engine::Status &st) {
            if (!st) {
                const ErrorText text =
                    st.error().kind == Engine::ErrorKind::Conflict
                        ? ErrorText{tr("The volume %1 cannot be removed: a container uses it "
                                       "(it may have just been created). Remove the container "
                                       "first.")
                                        .arg(name),
                                    QStringLiteral("%1: %2").arg(
                                        Engine::errorKindName(st.error().kind), st.error().message)}
                        : errorText(tr("The volume %1 could not be removed.").arg(name),
                                    st.error());
                say(text.summary, text.detail);
            } else {
                say(tr("Removed the volume %1.").arg(name));
            }
            refresh();
        });
}

void VolumesPage::prune() {
    const bool all = m_pruneScope->currentIndex() == 1;
    m_prune->setEnabled(false);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, all] {
            return engine->volumes().planPrune(
                all ? Engine::VolumeOperations::PruneScope::AllUnused
                    : Engine::VolumeOperations::PruneScope::Anonymous);
        })
        .then(this, [this, all](const Engine::VolumePruneReport &plan) {
            m_prune->setEnabled(true);
            if (plan.names.isEmpty()) {
                say(all ? tr("Nothing to prune: every volume is in use.")
                        : tr("Nothing to prune: no anonymous volume is unused."));
                return;
            }
            auto *box = new QMessageBox(
                QMessageBox::Question, tr("Prune volumes"),
                tr("Delete the volumes no container uses? Volumes: %1, freeing %2. Their files "
                   "are deleted for good.")
                    .arg(plan.names.size())
                    .arg(formatBytes(plan.bytes)),
                QMessageBox::Cancel, this);
            box->setObjectName(QStringLiteral("pruneVolumesConfirmation"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->setInformativeText(plan.names.join(QStringLiteral(", ")));
            QPushButton *go = box->addButton(tr("Prune"), QMessageBox::DestructiveRole);
            go->setObjectName(QStringLiteral("confirmPruneVolumes"));
            box->setDefaultButton(QMessageBox::Cancel);
            const QStringList names = plan.names;
            connect(go, &QPushButton::clicked, this, [this, names] {
                Engine::Engine *engine = &m_engine;
                // Exactly the volumes shown; one taken into use meanwhile is refused and kept.
                m_engine
                    .async([engine, names] {
                        Engine::VolumeOperations volumes = engine->volumes();
                        QStringList kept;
                        for (const QString &name : names)
                            if (!volumes.remove(name))
                                kept << name;
                        return kept;
                    })
                    .then(this, [this, names](const QStringList &kept) {
                        const int removed = int(names.size() - kept.size());
                        say(kept.isEmpty()
                                ? tr("Pruned volumes: %1.").arg(removed)
                                : tr("Pruned volumes: %1. Kept (in use or already gone): %2.")
                                      .arg(removed)
                                      .arg(kept.join(QStringLiteral(", "))));
                        refresh();
                    });
            });
            box->open();
        });
}

} // namespace Berth::Gui
