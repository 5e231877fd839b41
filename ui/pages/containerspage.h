// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QHash>
#include <QPointer>
#include <QUrl>
#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QToolButton;

namespace Berth::Gui {

class ContainerDetailsDialog;
class ContainersModel;
class RunDialog;
class StatsHistory;

// The containers in the store (like `docker ps -a`) with Run, Start, Stop, Restart, Kill and
// Remove; removal says how much the container wrote (its read-write layer) that will be lost
// and offers to commit it to an image first.
// A running container's published TCP ports open in the web browser (http://127.0.0.1:PORT).
// Double-click opens the container's details (logs, inspect). Reads the list on the engine's
// pool: when asked (the main window calls refresh() when another process changed the store)
// and every two seconds while a container runs, since a container that exits changes nothing
// until someone looks.
class ContainersPage : public QWidget {
    Q_OBJECT
public:
    // `stats` (may be null) feeds the details' Stats tab.
    ContainersPage(Engine::Engine &engine, StatsHistory *stats, QWidget *parent = nullptr);

    ContainersModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    Engine::ContainerRecord selectedContainer() const;
    bool selectContainer(const QString &nameOrId);
    // The open details window of a container, if any.
    ContainerDetailsDialog *detailsDialog(const QString &id) const;
    void setImageNames(const QStringList &names) { m_imageNames = names; }
    // http://HOST:PORT/ for each TCP port a running container publishes, the host 127.0.0.1
    // when bound on every address; empty when it does not run.
    static QList<QUrl> browserUrls(const Engine::ContainerRecord &container);

public Q_SLOTS:
    void refresh();
    // The Run dialog, with `image` (and `command`) filled in.
    RunDialog *openRunDialog(const QString &image = {}, const QString &command = {});
    // Opens (or raises) the container's details window; returns it, or nullptr when the
    // container is not listed yet and is read first (the window opens a moment later).
    ContainerDetailsDialog *openDetails(const QString &id);
    void startSelected();
    void stopSelected();
    void restartSelected();
    void killSelected();
    // Asks for confirmation with the size of the read-write layer, then removes.
    void removeSelected();
    // Opens the selected container's first published port in the browser (the button's menu
    // lists every port).
    void openSelectedInBrowser();

Q_SIGNALS:
    void statusMessage(const QString &text);
    void refreshed();
    void storeChanged();

private:
    void updateActions();
    // Commits the container's read-write layer as the image `reference`, then removes it; a
    // failed commit removes nothing.
    void commitThenRemove(const QString &id, const QString &name, const QString &reference,
                          Engine::ContainerRuntime::Force force);
    ContainerDetailsDialog *showDetails(const Engine::ContainerRecord &container);
    using Operation = std::function<Engine::Status(Engine::ContainerRuntime &, const QString &)>;
    void runOperation(const QString &doing, const QString &done, const QString &failed,
                      const Operation &operation);

    Engine::Engine &m_engine;
    ContainersModel *m_model = nullptr;
    StatsHistory *m_stats = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QToolButton *m_start = nullptr;
    QToolButton *m_stop = nullptr;
    QToolButton *m_restart = nullptr;
    QToolButton *m_kill = nullptr;
    QToolButton *m_remove = nullptr;
    QToolButton *m_logs = nullptr;
    QToolButton *m_browse = nullptr;
    QList<QUrl> m_browseUrls; // what m_browse's menu lists
    QTimer *m_runningTimer = nullptr;
    QStringList m_imageNames;
    QHash<QString, QPointer<ContainerDetailsDialog>> m_details;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
};

} // namespace Berth::Gui
