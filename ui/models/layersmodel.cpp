// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/layersmodel.h"

#include "ui/models/presentation.h"

#include <QGuiApplication>
#include <QPalette>

namespace Berth::Gui {

namespace {

// "/bin/sh -c #(nop) COPY file:abc in /" reads better as "COPY file:abc in /".
QString readableCommand(const QString &createdBy) {
    QString s = createdBy.simplified();
    const QString nop = QStringLiteral("/bin/sh -c #(nop) ");
    if (s.startsWith(nop))
        return s.mid(nop.size());
    const QString run = QStringLiteral("/bin/sh -c ");
    if (s.startsWith(run))
        return QStringLiteral("RUN ") + s.mid(run.size());
    return s;
}

} // namespace

LayersModel::LayersModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void LayersModel::setAnalysis(const Engine::LayerAnalysis &analysis) {
    beginResetModel();
    m_layers = analysis.layers();
    endResetModel();
}

void LayersModel::clear() {
    beginResetModel();
    m_layers.clear();
    endResetModel();
}

int LayersModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_layers.size());
}

int LayersModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayersModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::LayerSummary &l = m_layers.at(index.row());
    if (role == LayerRole)
        return l.index;
    if (role == Qt::TextAlignmentRole && (index.column() == Size || index.column() == Wasted))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == Wasted && l.wastedStored > 0)
        return changeColor(Engine::ChangeKind::Deleted);
    if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Command:
            return l.createdBy.isEmpty() ? tr("No history recorded for this layer") : l.createdBy;
        case Wasted:
            return tr("%1 stored here that the final image cannot reach; this layer hides %2 "
                      "of earlier layers")
                .arg(formatBytes(l.wastedStored), formatBytes(l.wastedHiding));
        case Changes:
            return tr("Added: %1, modified: %2, deleted: %3")
                .arg(l.added)
                .arg(l.modified)
                .arg(l.deleted);
        default:
            break;
        }
    }
    if (role == SortRole) {
        switch (index.column()) {
        case Size:
            return l.size;
        case Wasted:
            return l.wastedStored;
        default:
            break;
        }
    }
    if (role != Qt::DisplayRole && role != SortRole && role != Qt::ToolTipRole)
        return {};
    switch (index.column()) {
    case Index:
        return l.index;
    case Command:
        return l.createdBy.isEmpty() ? tr("(no history)") : readableCommand(l.createdBy);
    case Size:
        return formatBytes(l.size);
    case Wasted:
        return l.wastedStored > 0 ? formatBytes(l.wastedStored) : QStringLiteral("–");
    case Changes:
        return QStringLiteral("+%1 ~%2 −%3").arg(l.added).arg(l.modified).arg(l.deleted);
    }
    return {};
}

QVariant LayersModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Index:
        return tr("Layer");
    case Command:
        return tr("Created by");
    case Size:
        return tr("Size");
    case Wasted:
        return tr("Wasted");
    case Changes:
        return tr("Changes");
    }
    return {};
}

} // namespace Berth::Gui
