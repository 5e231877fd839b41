// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerruntime.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QDateTime>

namespace Berth::Gui {

class StatsHistory;

// The containers in the store with the columns people know from `docker ps -a`: name, image,
// state, status ("Up 5 minutes", "Exited (0) 2 hours ago"), ports ("0.0.0.0:8080->80/tcp"),
// CPU and memory (the latest sample, and the last minute's as SeriesRole for sparklines, from
// a StatsHistory when one is set) and command. No widget code: tested
// with QAbstractItemModelTester. Status texts are relative to now(); refreshStatus() re-reads
// the clock so uptimes keep counting between refreshes of the list.
class ContainersModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Image, State, Status, Ports, Cpu, Memory, Command, ColumnCount };
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        RunningRole,
        SortRole,   // raw values (times) for sorting
        SeriesRole, // QList<qreal>: CPU % or memory bytes over the last minute, oldest first
        HealthRole, // "none", "starting", "healthy", "unhealthy" (the State column shows it as
                    // "Running (healthy)" with a coloured mark, the last probe as tool tip)
    };
    static constexpr int kSeriesSeconds = 60;

    explicit ContainersModel(QObject *parent = nullptr);

    // Where the CPU and memory columns come from; their cells change as samples arrive.
    void setStatsHistory(StatsHistory *history);

    // Keeps rows whose ID is unchanged in place, so the selection survives a refresh.
    void setContainers(const QList<Engine::ContainerRecord> &containers);
    Engine::ContainerRecord containerAt(int row) const;
    int rowOf(const QString &nameOrId) const; // -1 when not listed
    bool anyRunning() const;
    void refreshStatus(const QDateTime &now = QDateTime::currentDateTimeUtc());

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void containerSampled(const QString &id);

    QList<Engine::ContainerRecord> m_rows;
    StatsHistory *m_history = nullptr;
    QDateTime m_now;
};

// "Up 5 minutes", "Exited (137) 2 hours ago", "Created": translated, like `docker ps`.
QString containerStatusText(const Engine::ContainerRecord &container, const QDateTime &now);
// "3 minutes", "1 hour", "2 days": how long ago `then` was.
QString durationText(const QDateTime &then, const QDateTime &now);
QString containerStateText(Engine::ContainerState state); // "Running", translated
QString containerCommandText(const Engine::ContainerRecord &container);
// "healthy", "unhealthy", "health: starting" (Docker's words, translated); "" for None.
QString containerHealthText(Engine::HealthStatus status);
// The health badge's colour: green, red, amber; invalid for None.
QColor containerHealthColor(Engine::HealthStatus status);

} // namespace Berth::Gui
