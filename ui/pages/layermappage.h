// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLabel;
class QTimer;
class QToolButton;

namespace Berth::Gui {

class LayerMapModel;
class LayerMapView;

// The whole store on one screen: every image as a tree of shared layers (a base layer several
// images use is drawn once), each container hanging off its image as its own read-write layer,
// sizes on the nodes. Selecting a node shows what it is (digest, the command that created it,
// size, who uses it); double-clicking an image opens it in the layer explorer, a container its
// details. Read on the engine's pool when shown and when the store changes (refresh()); while
// visible and a container runs, every few seconds too, since read-write layers grow.
class LayerMapPage : public QWidget {
    Q_OBJECT
public:
    explicit LayerMapPage(Engine::Engine &engine, QWidget *parent = nullptr);

    LayerMapModel *model() const { return m_model; }
    LayerMapView *view() const { return m_view; }
    QLabel *details() const { return m_details; }
    QLabel *summary() const { return m_summary; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();
    void exploreRequested(const QString &imageId);
    void containerRequested(const QString &containerId);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void showDetails(const QModelIndex &index);

    Engine::Engine &m_engine;
    LayerMapModel *m_model = nullptr;
    LayerMapView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_details = nullptr;
    QTimer *m_runningTimer = nullptr;
    QByteArray m_signature; // of what the model shows
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    bool m_fitted = false;
    bool m_anyRunning = false;
};

} // namespace Berth::Gui
