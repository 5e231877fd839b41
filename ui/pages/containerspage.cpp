// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/containerspage.h"

#include "engine/operations/filesystemoperations.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/dialogs/rundialog.h"
#include "ui/errortext.h"
#include "ui/models/containersmodel.h"
#include "ui/models/presentation.h"
#include "ui/widgets/sparklinedelegate.h"

#include <QAction>
#include <QDesktopServices>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <csignal>

namespace Berth::Gui {

namespace {

QToolButton *toolButton(const QString &text, const QString &objectName, const QString &tip,
                        QWidget *parent) {
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setObjectName(objectName);
    b->setToolTip(tip);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
}

struct RemovalInfo {
    Engine::ContainerRecord container;
    qint64 rwBytes = 0;
};

} // namespace

ContainersPage::ContainersPage(Engine::Engine &engine, StatsHistory *stats, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_model(new ContainersModel(this))
    , m_stats(stats) {
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Containers</h2>"), this));

    auto *bar = new QHBoxLayout;
    auto *run = toolButton(tr("Run…"), QStringLiteral("runContainerButton"),
                           tr("Create and start a container from an image"), this);
    m_start = toolButton(tr("Start"), QStringLiteral("startButton"),
                         tr("Start the container again, with the files it wrote"), this);
    m_stop = toolButton(tr("Stop"), QStringLiteral("stopButton"),
                        tr("Ask the container's program to end; force it after 10 seconds"), this);
    m_restart = toolButton(tr("Restart"), QStringLiteral("restartButton"),
                           tr("Stop the container, then start it again"), this);
    m_kill = toolButton(tr("Kill"), QStringLiteral("killButton"),
                        tr("End the container's program at once (SIGKILL)"), this);
    m_remove = toolButton(tr("Remove"), QStringLiteral("removeContainerButton"),
                          tr("Delete the container and the files it wrote"), this);
    m_logs = toolButton(tr("Logs"), QStringLiteral("logsButton"),
                        tr("Open the container's logs and details (double-click)"), this);
    m_browse = toolButton(tr("Open in browser"), QStringLiteral("openBrowserButton"),
                          tr("Open the container's published port in the web browser"), this);
    m_browse->setPopupMode(QToolButton::MenuButtonPopup);
    m_browse->setMenu(new QMenu(m_browse));
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("containersFilter"));
    m_filter->setPlaceholderText(tr("Filter by name, image or command"));
    m_filter->setClearButtonEnabled(true);
    for (QToolButton *b : {run, m_start, m_stop, m_restart, m_kill, m_remove, m_logs, m_browse})
        bar->addWidget(b);
    bar->addStretch();
    bar->addWidget(m_filter, 1);
    layout->addLayout(bar);

    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(ContainersModel::SortRole);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("containersView"));
    m_view->setWordWrap(false); // one line a container; long commands are elided
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setAlternatingRowColors(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ContainersModel::Name, Qt::AscendingOrder);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(ContainersModel::Command,
                                                     QHeaderView::Stretch);
    // CPU and memory of the last minute as small lines: CPU from 0 (at least 10% tall, so an
    // idle container draws a flat line rather than noise), memory over its own range (at least
    // 1 MB), where growth and drops show.
    m_model->setStatsHistory(stats);
    m_view->setItemDelegateForColumn(ContainersModel::Cpu,
                                     new SparklineDelegate(ContainersModel::SeriesRole,
                                                           SparklineDelegate::Scale::FromZero, 10.0,
                                                           m_view));
    m_view->setItemDelegateForColumn(ContainersModel::Memory,
                                     new SparklineDelegate(ContainersModel::SeriesRole,
                                                           SparklineDelegate::Scale::DataRange,
                                                           1024.0 * 1024, m_view));
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    layout->addWidget(m_view);

    auto *empty = new QLabel(tr("No containers yet. A container is a running copy of an image: "
                                "choose Run… to start one."),
                             this);
    empty->setObjectName(QStringLiteral("noContainersHint"));
    empty->setWordWrap(true);
    layout->addWidget(empty);
    connect(m_model, &QAbstractItemModel::modelReset, empty,
            [this, empty] { empty->setVisible(m_model->rowCount() == 0); });

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(run, &QToolButton::clicked, this, [this] {
        const Engine::ContainerRecord c = selectedContainer();
        openRunDialog(c.spec.image);
    });
    connect(m_start, &QToolButton::clicked, this, &ContainersPage::startSelected);
    connect(m_stop, &QToolButton::clicked, this, &ContainersPage::stopSelected);
    connect(m_restart, &QToolButton::clicked, this, &ContainersPage::restartSelected);
    connect(m_kill, &QToolButton::clicked, this, &ContainersPage::killSelected);
    connect(m_remove, &QToolButton::clicked, this, &ContainersPage::removeSelected);
    connect(m_logs, &QToolButton::clicked, this, [this] {
        if (const Engine::ContainerRecord c = selectedContainer(); !c.id.isEmpty())
            openDetails(c.id);
    });
    connect(m_browse, &QToolButton::clicked, this, &ContainersPage::openSelectedInBrowser);
    connect(m_view, &QTableView::activated, this, [this](const QModelIndex &index) {
        openDetails(index.data(ContainersModel::IdRole).toString());
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ContainersPage::updateActions);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &ContainersPage::updateActions);
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &ContainersPage::updateActions);

    const QList<std::pair<QToolButton *, QKeySequence>> actions = {
        {m_logs, QKeySequence()},  {m_start, QKeySequence()},
        {m_stop, QKeySequence()},  {m_restart, QKeySequence()},
        {m_kill, QKeySequence()},  {m_remove, QKeySequence(QKeySequence::Delete)},
        {m_browse, QKeySequence()}};
    for (const auto &[button, key] : actions) {
        auto *action = new QAction(button->text(), this);
        action->setShortcut(key);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, button, &QToolButton::click);
        m_view->addAction(action);
    }

    m_runningTimer = new QTimer(this);
    m_runningTimer->setInterval(2000);
    connect(m_runningTimer, &QTimer::timeout, this, [this] {
        if (m_model->anyRunning() && isVisible())
            refresh();
    });
    m_runningTimer->start();
    updateActions();
}

Engine::ContainerRecord ContainersPage::selectedContainer() const {
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return m_model->containerAt(m_proxy->mapToSource(rows.first()).row());
}

bool ContainersPage::selectContainer(const QString &nameOrId) {
    const int row = m_model->rowOf(nameOrId);
    if (row < 0)
        return false;
    m_view->selectRow(m_proxy->mapFromSource(m_model->index(row, 0)).row());
    return true;
}

ContainerDetailsDialog *ContainersPage::detailsDialog(const QString &id) const {
    return m_details.value(id);
}

void ContainersPage::updateActions() {
    const Engine::ContainerRecord c = selectedContainer();
    const bool selected = !c.id.isEmpty();
    m_start->setEnabled(selected && !c.isRunning());
    m_stop->setEnabled(selected && c.isRunning());
    m_restart->setEnabled(selected);
    m_kill->setEnabled(selected && c.isRunning());
    m_remove->setEnabled(selected);
    m_logs->setEnabled(selected);
    const QList<QUrl> urls = browserUrls(c);
    m_browse->setEnabled(!urls.isEmpty());
    if (urls == m_browseUrls) // an open menu stays open through the periodic refresh
        return;
    m_browseUrls = urls;
    m_browse->menu()->clear();
    for (const QUrl &url : urls)
        m_browse->menu()->addAction(url.toString(), this,
                                    [url] { QDesktopServices::openUrl(url); });
}

QList<QUrl> ContainersPage::browserUrls(const Engine::ContainerRecord &container) {
    QList<QUrl> urls;
    if (!container.isRunning())
        return urls;
    for (const Engine::PortBinding &port : container.network.ports) {
        if (port.protocol != QLatin1String("tcp") || port.hostPort <= 0)
            continue;
        const bool anyAddress = port.hostIp.isEmpty() || port.hostIp == QLatin1String("0.0.0.0") ||
                                port.hostIp == QLatin1String("::");
        QUrl url;
        url.setScheme(QStringLiteral("http"));
        url.setHost(anyAddress ? QStringLiteral("127.0.0.1") : port.hostIp);
        url.setPort(port.hostPort);
        url.setPath(QStringLiteral("/"));
        if (!urls.contains(url))
            urls << url;
    }
    return urls;
}

void ContainersPage::openSelectedInBrowser() {
    const QList<QUrl> urls = browserUrls(selectedContainer());
    if (urls.isEmpty())
        return;
    if (!QDesktopServices::openUrl(urls.first()))
        Q_EMIT statusMessage(tr("No web browser could open %1.").arg(urls.first().toString()));
}

void ContainersPage::refresh() {
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->containers().list(); })
        .then(this, [this](const QList<Engine::ContainerRecord> &containers) {
            m_refreshing = false;
            const QString selected = selectedContainer().id;
            m_model->setContainers(containers);
            if (selected.isEmpty() || !selectContainer(selected))
                if (m_proxy->rowCount() > 0)
                    m_view->selectRow(0);
            updateActions();
            Q_EMIT refreshed();
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refresh();
            }
        });
}

RunDialog *ContainersPage::openRunDialog(const QString &image, const QString &command) {
    auto *dialog = new RunDialog(m_engine, m_imageNames, this);
    if (!image.isEmpty())
        dialog->setImage(image);
    if (!command.isEmpty())
        dialog->setCommand(command);
    connect(dialog, &RunDialog::containerStarted, this,
            [this](const QString &id, const QString &name, bool openLogs) {
                Q_EMIT statusMessage(tr("Started the container %1").arg(name));
                refresh();
                if (openLogs)
                    openDetails(id);
            });
    connect(dialog, &QDialog::finished, this, &ContainersPage::refresh);
    dialog->open();
    return dialog;
}

ContainerDetailsDialog *ContainersPage::openDetails(const QString &id) {
    if (id.isEmpty())
        return nullptr;
    if (ContainerDetailsDialog *open = m_details.value(id)) {
        open->raise();
        open->activateWindow();
        return open;
    }
    const int row = m_model->rowOf(id);
    if (row < 0) {
        // Not listed yet (just started): read it, then open.
        Engine::Engine *engine = &m_engine;
        m_engine.async([engine, id] { return engine->containers().get(id); })
            .then(this, [this, id](const Engine::Result<Engine::ContainerRecord> &c) {
                if (!c)
                    showError(this, tr("The container could not be opened."), c.error());
                else if (!m_details.value(id))
                    showDetails(*c);
            });
        return nullptr;
    }
    return showDetails(m_model->containerAt(row));
}

ContainerDetailsDialog *ContainersPage::showDetails(const Engine::ContainerRecord &container) {
    auto *dialog = new ContainerDetailsDialog(m_engine, container, m_stats, this);
    dialog->setWindowFlag(Qt::Window);
    connect(dialog, &ContainerDetailsDialog::statusMessage, this, &ContainersPage::statusMessage);
    m_details.insert(container.id, dialog);
    dialog->show();
    return dialog;
}

void ContainersPage::runOperation(const QString &doing, const QString &done, const QString &failed,
                                  const Operation &operation) {
    const Engine::ContainerRecord c = selectedContainer();
    if (c.id.isEmpty())
        return;
    Q_EMIT statusMessage(doing.arg(c.name));
    Engine::Engine *engine = &m_engine;
    const QString id = c.id;
    const QString name = c.name;
    m_engine.async([engine, id, operation] { return operation(engine->containers(), id); })
        .then(this, [this, name, done, failed](const Engine::Status &status) {
            if (!status)
                showError(this, failed.arg(name), status.error());
            else
                Q_EMIT statusMessage(done.arg(name));
            refresh();
        });
}

void ContainersPage::startSelected() {
    runOperation(tr("Starting %1…"), tr("Started %1"), tr("The container %1 could not be started."),
                 [](Engine::ContainerRuntime &rt, const QString &id) -> Engine::Status {
                     auto r = rt.start(id);
                     if (!r)
                         return Engine::fail(r.error());
                     return {};
                 });
}

void ContainersPage::stopSelected() {
    runOperation(tr("Stopping %1…"), tr("Stopped %1"), tr("The container %1 could not be stopped."),
                 [](Engine::ContainerRuntime &rt, const QString &id) { return rt.stop(id); });
}

void ContainersPage::restartSelected() {
    runOperation(tr("Restarting %1…"), tr("Restarted %1"),
                 tr("The container %1 could not be restarted."),
                 [](Engine::ContainerRuntime &rt, const QString &id) { return rt.restart(id); });
}

void ContainersPage::killSelected() {
    runOperation(
        tr("Killing %1…"), tr("Killed %1"), tr("The container %1 could not be killed."),
        [](Engine::ContainerRuntime &rt, const QString &id) { return rt.kill(id, SIGKILL); });
}

void ContainersPage::removeSelected() {
    const Engine::ContainerRecord selected = selectedContainer();
    if (selected.id.isEmpty())
        return;
    Engine::Engine *engine = &m_engine;
    const QString id = selected.id;
    m_engine
        .async([engine, id]() -> Engine::Result<RemovalInfo> {
            auto c = engine->containers().get(id);
            if (!c)
                return Engine::fail(c.error());
            return RemovalInfo{*c, engine->containers().rwSize(id)};
        })
        .then(this, [this](const Engine::Result<RemovalInfo> &info) {
            if (!info) {
                showError(this, tr("The container could not be removed."), info.error());
                return;
            }
            const Engine::ContainerRecord &c = info->container;
            QString text =
                info->rwBytes > 0
                    ? tr("Remove the container %1?\n\nThe %2 it wrote (its read-write layer) "
                         "will be lost. Data in volumes stays, and so does the image %3.")
                          .arg(c.name, formatBytes(info->rwBytes), c.spec.image)
                    : tr("Remove the container %1?\n\nIt has not written any files, so nothing "
                         "is lost. The image %2 stays.")
                          .arg(c.name, c.spec.image);
            if (c.isRunning())
                text += QStringLiteral("\n\n") + tr("It is running and will be stopped first.");
            auto *box = new QMessageBox(QMessageBox::Warning, tr("Remove container"), text,
                                        QMessageBox::Cancel, this);
            box->setObjectName(QStringLiteral("removeContainerConfirmation"));
            box->setAttribute(Qt::WA_DeleteOnClose);
            QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
            remove->setObjectName(QStringLiteral("confirmRemoveContainer"));
            box->setDefaultButton(QMessageBox::Cancel);
            const QString id = c.id;
            const QString name = c.name;
            const auto force = c.isRunning() ? Engine::ContainerRuntime::Force::Yes
                                             : Engine::ContainerRuntime::Force::No;
            if (info->rwBytes > 0) {
                // Keeps what it wrote as a new image (its image's layers plus one), then removes.
                QPushButton *commit =
                    box->addButton(tr("Commit to image first…"), QMessageBox::ActionRole);
                commit->setObjectName(QStringLiteral("commitThenRemoveContainer"));
                commit->setToolTip(tr("Save the files it wrote as a new image, then remove it"));
                connect(commit, &QPushButton::clicked, this, [this, id, name, force] {
                    auto *ask = new QInputDialog(this);
                    ask->setObjectName(QStringLiteral("commitImageName"));
                    ask->setAttribute(Qt::WA_DeleteOnClose);
                    ask->setWindowTitle(tr("Commit to image"));
                    ask->setLabelText(tr("Name of the new image (repository:tag):"));
                    ask->setTextValue(name.toLower() + QStringLiteral("-snapshot:latest"));
                    connect(ask, &QInputDialog::textValueSelected, this,
                            [this, id, name, force](const QString &reference) {
                                commitThenRemove(id, name, reference.trimmed(), force);
                            });
                    ask->open();
                });
            }
            connect(remove, &QPushButton::clicked, this, [this, id, name, force] {
                if (ContainerDetailsDialog *details = m_details.value(id))
                    details->close();
                Engine::Engine *engine = &m_engine;
                m_engine
                    .async([engine, id, force] { return engine->containers().remove(id, force); })
                    .then(this, [this, name](const Engine::Status &status) {
                        if (!status)
                            showError(this, tr("The container %1 could not be removed.").arg(name),
                                      status.error());
                        else
                            Q_EMIT statusMessage(tr("Removed the container %1").arg(name));
                        refresh();
                        Q_EMIT storeChanged();
                    });
            });
            box->open();
        });
}

void ContainersPage::commitThenRemove(const QString &id, const QString &name,
                                      const QString &reference,
                                      Engine::ContainerRuntime::Force force) {
    if (ContainerDetailsDialog *details = m_details.value(id))
        details->close();
    Q_EMIT statusMessage(tr("Committing %1 to %2…").arg(name, reference));
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine, id, reference, force]() -> Engine::Result<Engine::ImageRecord> {
            Engine::CommitOptions options;
            options.reference = reference;
            auto image = engine->filesystem().commit(id, options);
            if (!image)
                return image;
            // Only once the image holds its files is the container removed.
            if (auto removed = engine->containers().remove(id, force); !removed)
                return Engine::fail(removed.error());
            return image;
        })
        .then(this, [this, name, reference](const Engine::Result<Engine::ImageRecord> &image) {
            if (!image)
                showError(this,
                          tr("The container %1 could not be committed and removed.").arg(name),
                          image.error());
            else
                Q_EMIT statusMessage(
                    tr("Saved the files of %1 as the image %2 and removed the container")
                        .arg(name, reference));
            refresh();
            Q_EMIT storeChanged();
        });
}

} // namespace Berth::Gui
