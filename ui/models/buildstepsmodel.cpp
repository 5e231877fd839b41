// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/buildstepsmodel.h"

#include "ui/models/presentation.h"

#include <QGuiApplication>

namespace Berth::Gui {

using Engine::BuildStepEvent;
using Engine::BuildStepRecord;

namespace {

// A FROM has no history entry of its own.
BuildStepsModel::State stateOf(const BuildStepRecord &r) {
    return r.historyIndex < 0 ? BuildStepsModel::State::Base
           : r.cached         ? BuildStepsModel::State::Cached
                              : BuildStepsModel::State::Ran;
}

} // namespace

BuildStepsModel::BuildStepsModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void BuildStepsModel::clear() {
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int BuildStepsModel::rowOf(int number) const {
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].number == number)
            return i;
    return -1;
}

void BuildStepsModel::stepStarted(const BuildStepEvent &event) {
    Row row{event.number, event.total, State::Running, event.record};
    const int existing = rowOf(event.number);
    if (existing >= 0) {
        m_rows[existing] = row;
        Q_EMIT dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
    m_rows.append(row);
    endInsertRows();
    // ONBUILD triggers raise the total as they are found: the earlier rows say so too.
    for (Row &r : m_rows)
        r.total = event.total;
    if (m_rows.size() > 1)
        Q_EMIT dataChanged(index(0, Step), index(int(m_rows.size()) - 2, Step));
}

void BuildStepsModel::stepFinished(const BuildStepEvent &event) {
    int row = rowOf(event.number);
    if (row < 0) {
        stepStarted(event);
        row = int(m_rows.size()) - 1;
    }
    Row &r = m_rows[row];
    r.record = event.record;
    r.state = stateOf(event.record);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void BuildStepsModel::markRunning(State state) {
    for (int row = 0; row < m_rows.size(); ++row)
        if (m_rows[row].state == State::Running) {
            m_rows[row].state = state;
            Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
        }
}

void BuildStepsModel::setProvenance(const Engine::BuildProvenance &provenance) {
    beginResetModel();
    m_rows.clear();
    const int total = int(provenance.steps.size());
    for (int i = 0; i < total; ++i) {
        const BuildStepRecord &r = provenance.steps[i];
        m_rows.append({i + 1, total, stateOf(r), r});
    }
    endResetModel();
}

int BuildStepsModel::rowForLayer(int layer, const QList<Engine::Digest> &diffIds) const {
    QList<int> made;
    for (int i = 0; i < m_rows.size(); ++i)
        if (!m_rows[i].record.emptyLayer)
            made.append(i);
    const qsizetype base = diffIds.size() - made.size();
    if (base < 0 || layer < base || layer >= diffIds.size())
        return -1;
    const int row = made[layer - base];
    return m_rows[row].record.diffId == diffIds[layer] ? row : -1;
}

int BuildStepsModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int BuildStepsModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString BuildStepsModel::stateText(State state) {
    switch (state) {
    case State::Running:
        return tr("running…");
    case State::Cached:
        return tr("cached");
    case State::Ran:
        return tr("ran");
    case State::Failed:
        return tr("failed");
    case State::Cancelled:
        return tr("cancelled");
    case State::Base:
        return tr("base image");
    }
    return {};
}

QString BuildStepsModel::linesText(const BuildStepRecord &r) {
    if (r.firstLine <= 0)
        return tr("--label");
    QString text = r.lastLine > r.firstLine ? tr("%1–%2").arg(r.firstLine).arg(r.lastLine)
                                            : QString::number(r.firstLine);
    if (r.trigger)
        text = tr("%1 (ONBUILD)").arg(text);
    return text;
}

QString BuildStepsModel::reasonsText(const BuildStepRecord &record) {
    using Kind = Engine::BuildRerunReason::Kind;
    QStringList parts;
    for (const Engine::BuildRerunReason &r : record.reasons) {
        // File lists stay short: the first three names, then how many more.
        QString names = r.names.mid(0, 3).join(QStringLiteral(", "));
        if (r.names.size() > 3)
            names = tr("%1 and %2 more").arg(names).arg(r.names.size() - 3);
        switch (r.kind) {
        case Kind::FirstBuild:
            parts << tr("first build of this step");
            break;
        case Kind::NoCache:
            parts << tr("the cache was not used");
            break;
        case Kind::CacheRemoved:
            parts << tr("the cached result was removed");
            break;
        case Kind::Instruction:
            parts << tr("the instruction changed");
            break;
        case Kind::BuildArgs:
            parts << tr("build arguments changed: %1").arg(names);
            break;
        case Kind::FilesChanged:
            parts << tr("%1 changed").arg(names);
            break;
        case Kind::FilesAdded:
            parts << tr("%1 added").arg(names);
            break;
        case Kind::FilesRemoved:
            parts << tr("%1 removed").arg(names);
            break;
        case Kind::Download:
            parts << tr("the downloaded file changed");
            break;
        case Kind::Parent:
            parts << tr("parent changed");
            break;
        }
    }
    return parts.join(QStringLiteral("; "));
}

QVariant BuildStepsModel::data(const QModelIndex &index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows[index.row()];
    const BuildStepRecord &r = row.record;
    switch (role) {
    case FirstLineRole:
        return r.firstLine;
    case LastLineRole:
        return r.lastLine;
    case StateRole:
        return QVariant::fromValue(row.state);
    case DiffIdRole:
        return r.emptyLayer ? QString() : r.diffId.toString();
    case Qt::DisplayRole:
        switch (index.column()) {
        case Step:
            return tr("%1/%2").arg(row.number).arg(row.total);
        case Line:
            return linesText(r);
        case Instruction:
            return r.instruction.simplified();
        case Cache:
            return stateText(row.state);
        case Reason:
            return reasonsText(r);
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Instruction)
            return r.instruction;
        if (index.column() == Reason && !r.reasons.isEmpty())
            return tr("This step ran because: %1").arg(reasonsText(r));
        if (index.column() == Cache && row.state == State::Cached)
            return tr("Nothing this step depends on changed: its result came from the build "
                      "cache");
        break;
    case Qt::ForegroundRole:
        if (index.column() == Cache) {
            if (row.state == State::Cached)
                return changeColor(Engine::ChangeKind::Added);
            if (row.state == State::Ran)
                return changeColor(Engine::ChangeKind::Modified);
            if (row.state == State::Failed || row.state == State::Cancelled)
                return changeColor(Engine::ChangeKind::Deleted);
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == Step || index.column() == Line)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        break;
    default:
        break;
    }
    return {};
}

QVariant BuildStepsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Step:
        return tr("Step");
    case Line:
        return tr("Line");
    case Instruction:
        return tr("Instruction");
    case Cache:
        return tr("Cache");
    case Reason:
        return tr("Why it ran");
    }
    return {};
}

} // namespace Berth::Gui
