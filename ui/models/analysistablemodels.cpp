// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/analysistablemodels.h"

#include "ui/models/presentation.h"

namespace Berth::Gui {

using Engine::ChangeKind;

namespace {
constexpr int kRightAligned = int(Qt::AlignRight | Qt::AlignVCenter);
}

// --- WastedModel

WastedModel::WastedModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void WastedModel::setCopies(const QList<Engine::WastedCopy> &copies) {
    beginResetModel();
    m_copies = copies;
    endResetModel();
}

int WastedModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_copies.size());
}

int WastedModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WastedModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::WastedCopy &c = m_copies.at(index.row());
    if (role == Qt::TextAlignmentRole && index.column() != Path)
        return kRightAligned;
    if (role == Qt::ToolTipRole)
        return tr("%1 (%2) was stored by layer %3 and hidden by layer %4")
            .arg(c.path, formatBytes(c.bytes))
            .arg(c.storedLayer)
            .arg(c.hiddenLayer);
    if (role == SortRole)
        return index.column() == Bytes ? QVariant(c.bytes) : data(index, Qt::DisplayRole);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Path:
        return c.path;
    case Bytes:
        return formatBytes(c.bytes);
    case StoredLayer:
        return c.storedLayer;
    case HiddenLayer:
        return c.hiddenLayer;
    }
    return {};
}

QVariant WastedModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Path:
        return tr("Unreachable copy");
    case Bytes:
        return tr("Size");
    case StoredLayer:
        return tr("Stored by");
    case HiddenLayer:
        return tr("Hidden by");
    }
    return {};
}

// --- PathHistoryModel

PathHistoryModel::PathHistoryModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void PathHistoryModel::setHistory(const QList<Engine::FileChange> &history) {
    beginResetModel();
    m_history = history;
    endResetModel();
}

int PathHistoryModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_history.size());
}

int PathHistoryModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PathHistoryModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::FileChange &c = m_history.at(index.row());
    if (role == Qt::DecorationRole && index.column() == Change)
        return changeIcon(c.kind);
    if (role == Qt::ForegroundRole && index.column() == Change)
        return changeColor(c.kind);
    if (role == Qt::TextAlignmentRole && (index.column() == Layer || index.column() == Size))
        return kRightAligned;
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Layer:
        return c.layer;
    case Change:
        return changeKindName(c.kind);
    case Size:
        return c.type == Engine::FileType::Regular || c.kind == ChangeKind::Deleted
                   ? formatBytes(c.size)
                   : QString();
    case Details:
        switch (c.cause) {
        case Engine::DeletionCause::Whiteout:
            return tr("deleted (whiteout)");
        case Engine::DeletionCause::OpaqueDirectory:
            return tr("hidden by an opaque directory");
        case Engine::DeletionCause::AncestorDeleted:
            return tr("a parent directory was deleted");
        case Engine::DeletionCause::AncestorReplaced:
            return tr("a parent directory was replaced");
        case Engine::DeletionCause::None:
            break;
        }
        return QStringLiteral("%1 %2:%3%4")
            .arg(formatMode(c.type, c.mode))
            .arg(c.uid)
            .arg(c.gid)
            .arg(c.linkTarget.isEmpty() ? QString() : QStringLiteral(" → ") + c.linkTarget);
    }
    return {};
}

QVariant PathHistoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Layer:
        return tr("Layer");
    case Change:
        return tr("Change");
    case Size:
        return tr("Size");
    case Details:
        return tr("Details");
    }
    return {};
}

// --- ComparisonModel

ComparisonModel::ComparisonModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void ComparisonModel::setDifferences(const QList<Engine::FileDifference> &differences) {
    beginResetModel();
    m_differences = differences;
    endResetModel();
}

int ComparisonModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_differences.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Engine::FileDifference &d = m_differences.at(index.row());
    if (role == KindRole)
        return int(d.kind);
    if (role == Qt::DecorationRole && index.column() == Path)
        return changeIcon(d.kind);
    if (role == Qt::ForegroundRole && index.column() == Difference)
        return changeColor(d.kind);
    if (role == Qt::TextAlignmentRole && index.column() >= BaseSize)
        return kRightAligned;
    if (role != Qt::DisplayRole)
        return {};
    auto size = [](const std::optional<Engine::FileNode> &n) {
        return n && n->type == Engine::FileType::Regular ? formatBytes(n->size) : QString();
    };
    switch (index.column()) {
    case Path:
        return d.path;
    case Difference:
        switch (d.kind) {
        case ChangeKind::Added:
            return tr("only in the other image");
        case ChangeKind::Deleted:
            return tr("only in this image");
        case ChangeKind::Modified:
            return tr("differs: %1").arg(Engine::aspectNames(d.aspects));
        }
        return {};
    case BaseSize:
        return size(d.base);
    case OtherSize:
        return size(d.other);
    }
    return {};
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Path:
        return tr("Path");
    case Difference:
        return tr("Difference");
    case BaseSize:
        return tr("Size here");
    case OtherSize:
        return tr("Size there");
    }
    return {};
}

} // namespace Berth::Gui
