// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/operations/buildoperations.h"

#include <QAbstractTableModel>

namespace Berth::Gui {

// The steps of a build: the Dockerfile line(s) of each, its instruction, whether it came from
// the build cache or ran (and why it ran). Fed live by a BuildJob's step events (the Build page)
// or all at once from an image's recorded provenance (the layer explorer).
class BuildStepsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Step, Line, Instruction, Cache, Reason, ColumnCount };
    enum Role {
        FirstLineRole = Qt::UserRole + 1, // int; 0 for a step no Dockerfile line made (--label)
        LastLineRole,
        StateRole, // State
        DiffIdRole // the layer the step made ("" for config-only steps)
    };
    enum class State { Running, Cached, Ran, Failed, Cancelled, Base };
    Q_ENUM(State)

    explicit BuildStepsModel(QObject *parent = nullptr);

    void clear();
    void stepStarted(const Engine::BuildStepEvent &event);
    void stepFinished(const Engine::BuildStepEvent &event);
    // The running step (if any) failed, or the build was cancelled.
    void markRunning(State state);
    void setProvenance(const Engine::BuildProvenance &provenance);

    const Engine::BuildStepRecord &record(int row) const { return m_rows.at(row).record; }
    State state(int row) const { return m_rows.at(row).state; }
    // The row of the step that made layer `layer` (0 = bottom) of an image with `diffIds`:
    // the build's layer-making steps made the top layers, in order; the ones below came with
    // the base image. -1 for a base image layer, or when the records do not fit the image.
    int rowForLayer(int layer, const QList<Engine::Digest> &diffIds) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    static QString stateText(State state);
    static QString linesText(const Engine::BuildStepRecord &record);
    // Why the step ran, in the user's language: "b.txt changed; parent changed".
    static QString reasonsText(const Engine::BuildStepRecord &record);

private:
    struct Row {
        int number = 0;
        int total = 0;
        State state = State::Running;
        Engine::BuildStepRecord record;
    };
    int rowOf(int number) const;
    QList<Row> m_rows;
};

} // namespace Berth::Gui
