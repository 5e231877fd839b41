// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/transfermodel.h"

#include "ui/models/presentation.h"

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

namespace Berth::Gui {

using PullLayerState = Engine::PullProgress::LayerState;
using PushBlobState = Engine::PushProgress::BlobState;

TransferModel::TransferModel(QObject *parent)
    : QAbstractTableModel(parent) {}

void TransferModel::setRows(const QList<Row> &rows) {
    bool sameLayers = rows.size() == m_rows.size();
    for (int i = 0; sameLayers && i < rows.size(); ++i)
        sameLayers = rows[i].digest == m_rows[i].digest;
    if (!sameLayers) {
        beginResetModel();
        m_rows = rows;
        endResetModel();
        return;
    }
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i] == m_rows[i])
            continue;
        m_rows[i] = rows[i];
        Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1));
    }
}

void TransferModel::clear() {
    setRows({});
}

void TransferModel::setPullPlan(const Engine::PullPlan &plan) {
    QList<Row> rows;
    for (const Engine::PullLayerPlan &layer : plan.layers) {
        Row r;
        r.digest = layer.blob.digest;
        r.size = layer.blob.size;
        if (layer.present) {
            r.done = r.size;
            r.state = tr("Already here");
            r.outcome = Outcome::Skipped;
        } else {
            r.done = layer.partialBytes;
            r.state = layer.partialBytes > 0 ? tr("Waiting (resumes)") : tr("Waiting");
        }
        rows.append(r);
    }
    setRows(rows);
}

void TransferModel::setPullProgress(const Engine::PullProgress &progress) {
    QList<Row> rows;
    for (const Engine::PullProgress::Layer &layer : progress.layers) {
        Row r;
        r.digest = layer.digest;
        r.size = layer.size;
        r.done = layer.done;
        switch (layer.state) {
        case PullLayerState::Waiting:
            r.state = tr("Waiting");
            break;
        case PullLayerState::Present:
            r.state = tr("Already here");
            r.outcome = Outcome::Skipped;
            r.done = r.size;
            break;
        case PullLayerState::Downloading:
            r.state = tr("Downloading");
            r.outcome = Outcome::Active;
            break;
        case PullLayerState::Verifying:
            r.state = tr("Verifying");
            r.outcome = Outcome::Active;
            break;
        case PullLayerState::Downloaded:
            r.state = progress.phase == Engine::PullProgress::Phase::Done ? tr("Ready")
                                                                          : tr("Downloaded");
            r.outcome = Outcome::Done;
            break;
        case PullLayerState::Failed:
            r.state = tr("Failed");
            r.outcome = Outcome::Failed;
            break;
        }
        rows.append(r);
    }
    setRows(rows);
}

void TransferModel::setPushProgress(const Engine::PushProgress &progress) {
    QList<Row> rows;
    for (int i = 0; i < progress.blobs.size(); ++i) {
        const Engine::PushProgress::Blob &blob = progress.blobs[i];
        Row r;
        r.digest = blob.digest;
        r.size = blob.size;
        r.done = blob.done;
        r.isConfig = i == progress.blobs.size() - 1; // layers first, the config last
        switch (blob.state) {
        case PushBlobState::Waiting:
            r.state = tr("Waiting");
            break;
        case PushBlobState::Exists:
            r.state = tr("Already in the registry");
            r.outcome = Outcome::Skipped;
            r.done = r.size;
            break;
        case PushBlobState::Mounted:
            r.state = tr("Mounted from another repository");
            r.outcome = Outcome::Skipped;
            r.done = r.size;
            break;
        case PushBlobState::Uploading:
            r.state = tr("Uploading");
            r.outcome = Outcome::Active;
            break;
        case PushBlobState::Pushed:
            r.state = tr("Pushed");
            r.outcome = Outcome::Done;
            break;
        case PushBlobState::Failed:
            r.state = tr("Failed");
            r.outcome = Outcome::Failed;
            break;
        }
        rows.append(r);
    }
    setRows(rows);
}

TransferModel::Outcome TransferModel::outcomeAt(int row) const {
    return row >= 0 && row < m_rows.size() ? m_rows[row].outcome : Outcome::Pending;
}

int TransferModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TransferModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TransferModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &r = m_rows.at(index.row());
    const double fraction = r.size > 0 ? qBound(0.0, double(r.done) / double(r.size), 1.0)
                            : r.outcome == Outcome::Done || r.outcome == Outcome::Skipped ? 1.0
                                                                                          : 0.0;
    switch (role) {
    case FractionRole:
        return fraction;
    case DigestRole:
        return r.digest.toString();
    case SortRole:
        switch (index.column()) {
        case Layer:
            return index.row();
        case Size:
            return r.size;
        case Transferred:
            return fraction;
        default:
            return r.state;
        }
    case Qt::ToolTipRole:
        return r.digest.toString();
    case Qt::TextAlignmentRole:
        return index.column() == Size || index.column() == Transferred
                   ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter))
                   : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == State && r.outcome == Outcome::Failed)
            return QColor(0xd5, 0x5e, 0x00); // the palette's "deleted" vermillion
        if (index.column() == State && r.outcome == Outcome::Skipped)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case Layer:
            return r.isConfig ? tr("%1 (config)").arg(r.digest.shortId()) : r.digest.shortId();
        case Size:
            return formatBytes(r.size);
        case Transferred:
            return tr("%1 %").arg(qRound(fraction * 100));
        case State:
            return r.state;
        }
        return {};
    default:
        return {};
    }
}

QVariant TransferModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Layer:
        return tr("Layer");
    case Size:
        return tr("Size");
    case Transferred:
        return tr("Progress");
    case State:
        return tr("State");
    }
    return {};
}

} // namespace Berth::Gui
