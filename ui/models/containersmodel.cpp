// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/containersmodel.h"

#include "engine/runtime/ocispec.h"
#include "engine/runtime/publishedports.h"
#include "ui/models/presentation.h"
#include "ui/models/statshistory.h"

#include <QColor>
#include <QCoreApplication>

namespace Berth::Gui {

namespace {
class ContainerTexts {
    Q_DECLARE_TR_FUNCTIONS(Berth::Gui::ContainerTexts)
};
} // namespace

QString durationText(const QDateTime &then, const QDateTime &now) {
    // Whole words rather than %n plurals: English needs no plural .qm this way, Korean has none.
    const qint64 secs = qMax<qint64>(0, then.secsTo(now));
    if (secs < 2)
        return ContainerTexts::tr("1 second");
    if (secs < 60)
        return ContainerTexts::tr("%1 seconds").arg(secs);
    if (secs < 120)
        return ContainerTexts::tr("1 minute");
    if (secs < 3600)
        return ContainerTexts::tr("%1 minutes").arg(secs / 60);
    if (secs < 7200)
        return ContainerTexts::tr("1 hour");
    if (secs < 2 * 86400)
        return ContainerTexts::tr("%1 hours").arg(secs / 3600);
    return ContainerTexts::tr("%1 days").arg(secs / 86400);
}

QString containerStateText(Engine::ContainerState state) {
    switch (state) {
    case Engine::ContainerState::Created:
        return ContainerTexts::tr("Created");
    case Engine::ContainerState::Running:
        return ContainerTexts::tr("Running");
    case Engine::ContainerState::Exited:
        return ContainerTexts::tr("Exited");
    }
    return {};
}

QString containerStatusText(const Engine::ContainerRecord &c, const QDateTime &now) {
    switch (c.state) {
    case Engine::ContainerState::Created:
        return ContainerTexts::tr("Created %1 ago").arg(durationText(c.created, now));
    case Engine::ContainerState::Running:
        // Waiting out its restart policy's delay after an exit.
        if (c.restarting)
            return ContainerTexts::tr("Restarting (%1) %2 ago")
                .arg(c.exitCode)
                .arg(durationText(c.finished.isValid() ? c.finished : c.started, now));
        return ContainerTexts::tr("Up %1").arg(durationText(c.started, now));
    case Engine::ContainerState::Exited:
        return ContainerTexts::tr("Exited (%1) %2 ago")
            .arg(c.exitCode)
            .arg(durationText(c.finished.isValid() ? c.finished : c.created, now));
    }
    return {};
}

QString containerHealthText(Engine::HealthStatus status) {
    switch (status) {
    case Engine::HealthStatus::Starting:
        return ContainerTexts::tr("health: starting");
    case Engine::HealthStatus::Healthy:
        return ContainerTexts::tr("healthy");
    case Engine::HealthStatus::Unhealthy:
        return ContainerTexts::tr("unhealthy");
    case Engine::HealthStatus::None:
        break;
    }
    return {};
}

QColor containerHealthColor(Engine::HealthStatus status) {
    switch (status) {
    case Engine::HealthStatus::Starting:
        return QColor(0xd9, 0x8e, 0x04); // amber
    case Engine::HealthStatus::Healthy:
        return QColor(0x2e, 0x9e, 0x44); // green
    case Engine::HealthStatus::Unhealthy:
        return QColor(0xd1, 0x24, 0x2f); // red
    case Engine::HealthStatus::None:
        break;
    }
    return {};
}

QString containerHealthToolTip(const Engine::ContainerRecord &c) {
    const Engine::HealthState &h = c.health;
    if (h.isNone())
        return {};
    QString text = ContainerTexts::tr("Health check: %1").arg(containerHealthText(h.status));
    if (h.failingStreak > 0)
        text +=
            QLatin1Char('\n') + ContainerTexts::tr("Failed %1 times in a row").arg(h.failingStreak);
    if (!h.log.isEmpty()) {
        const Engine::HealthProbeResult &last = h.log.last();
        text += QLatin1Char('\n') + ContainerTexts::tr("Last probe exited %1").arg(last.exitCode);
        const QString output = last.output.trimmed();
        if (!output.isEmpty())
            text += QStringLiteral(": ") + output.left(200);
    }
    return text;
}

QString containerCommandText(const Engine::ContainerRecord &c) {
    QStringList args = c.spec.args();
    if (c.spec.init)
        args = QStringList{Engine::InitPath, QStringLiteral("--")} + args;
    // One line in a table: a script's newlines and indentation become single spaces.
    return args.join(QLatin1Char(' ')).simplified();
}

ContainersModel::ContainersModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_now(QDateTime::currentDateTimeUtc()) {}

void ContainersModel::setContainers(const QList<Engine::ContainerRecord> &containers) {
    m_now = QDateTime::currentDateTimeUtc();
    bool sameIds = containers.size() == m_rows.size();
    for (int i = 0; sameIds && i < containers.size(); ++i)
        sameIds = containers.at(i).id == m_rows.at(i).id;
    if (sameIds) {
        m_rows = containers;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = containers;
    endResetModel();
}

void ContainersModel::setStatsHistory(StatsHistory *history) {
    if (m_history)
        disconnect(m_history, nullptr, this, nullptr);
    m_history = history;
    if (history)
        connect(history, &StatsHistory::sampled, this, &ContainersModel::containerSampled);
}

void ContainersModel::containerSampled(const QString &id) {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows.at(row).id == id)
            Q_EMIT dataChanged(index(row, Cpu), index(row, Memory));
}

Engine::ContainerRecord ContainersModel::containerAt(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows.at(row) : Engine::ContainerRecord{};
}

int ContainersModel::rowOf(const QString &nameOrId) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).name == nameOrId || m_rows.at(i).id == nameOrId)
            return i;
    return -1;
}

bool ContainersModel::anyRunning() const {
    for (const Engine::ContainerRecord &c : m_rows)
        if (c.isRunning())
            return true;
    return false;
}

void ContainersModel::refreshStatus(const QDateTime &now) {
    m_now = now;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, Status), index(int(m_rows.size()) - 1, Status));
}

int ContainersModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ContainersModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ContainersModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Engine::ContainerRecord &c = m_rows.at(index.row());
    if (index.column() == Cpu || index.column() == Memory) {
        // Samples only while it runs: a stopped container's last figures would mislead.
        const QList<Engine::ContainerStatsSample> samples =
            m_history && c.isRunning() ? m_history->samples(c.id)
                                       : QList<Engine::ContainerStatsSample>();
        const bool cpu = index.column() == Cpu;
        switch (role) {
        case SeriesRole: {
            QList<qreal> series;
            const qsizetype from = qMax<qsizetype>(0, samples.size() - kSeriesSeconds);
            for (qsizetype i = from; i < samples.size(); ++i)
                series << (cpu ? samples.at(i).cpuPercent : qreal(samples.at(i).memoryUsage));
            return QVariant::fromValue(series);
        }
        case SortRole:
            if (samples.isEmpty())
                return -1.0;
            return cpu ? samples.last().cpuPercent : qreal(samples.last().memoryUsage);
        case Qt::DisplayRole:
            if (samples.isEmpty())
                return {};
            return cpu ? QStringLiteral("%1%").arg(samples.last().cpuPercent, 0, 'f', 1)
                       : formatBytes(samples.last().memoryUsage);
        case Qt::ToolTipRole:
            if (samples.isEmpty())
                return c.isRunning() ? tr("No samples yet") : tr("Not running");
            return cpu ? tr("CPU over the last minute (100% is one core)")
                       : tr("Memory over the last minute; %1 of its limit")
                             .arg(QStringLiteral("%1%").arg(samples.last().memoryPercent(), 0, 'f',
                                                            1));
        case Qt::TextAlignmentRole:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            if (role != IdRole && role != NameRole && role != RunningRole)
                return {};
        }
    }
    switch (role) {
    case IdRole:
        return c.id;
    case NameRole:
        return c.name;
    case RunningRole:
        return c.isRunning();
    case HealthRole:
        return Engine::healthStatusName(c.health.status);
    case Qt::DecorationRole:
        // The health badge: a coloured mark before the state.
        if (index.column() == State && c.isRunning() && !c.health.isNone())
            return containerHealthColor(c.health.status);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == State)
            return containerHealthToolTip(c);
        if (index.column() == Status && !c.error.isEmpty())
            return c.error;
        if (index.column() == Name)
            return c.id;
        if (index.column() == Ports && !c.network.ipAddress.isEmpty())
            return tr("Address %1 on the %2 network").arg(c.network.ipAddress, c.network.network);
        return {};
    case SortRole:
        switch (index.column()) {
        case State:
            return int(c.state);
        case Status:
            return c.isRunning() ? c.started : c.finished.isValid() ? c.finished : c.created;
        default:
            break;
        }
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return c.name;
        case Image:
            return c.spec.image;
        case State:
            if (c.restarting)
                return ContainerTexts::tr("Restarting");
            if (c.isRunning() && !c.health.isNone())
                return ContainerTexts::tr("%1 (%2)").arg(containerStateText(c.state),
                                                         containerHealthText(c.health.status));
            return containerStateText(c.state);
        case Status:
            return containerStatusText(c, m_now);
        case Ports:
            return Engine::portsSummary(c.spec, c.network);
        case Command:
            return containerCommandText(c);
        }
        return {};
    default:
        return {};
    }
}

QVariant ContainersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Name:
        return tr("Name");
    case Image:
        return tr("Image");
    case State:
        return tr("State");
    case Status:
        return tr("Status");
    case Ports:
        return tr("Ports");
    case Cpu:
        return tr("CPU");
    case Memory:
        return tr("Memory");
    case Command:
        return tr("Command");
    }
    return {};
}

} // namespace Berth::Gui
