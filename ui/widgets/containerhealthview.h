// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLabel;
class QTimer;
class QTreeWidget;

namespace Berth::Gui {

// A container's Health tab (shown only when it has a health check): its status as a coloured
// badge, the failing streak, the check itself (command, interval, timeout, retries, start
// period) and the last probes (start, duration, exit code, output) as its berth-shim recorded
// them. Read on the engine's pool by refresh(); while shown it refreshes every two seconds.
class ContainerHealthView : public QWidget {
    Q_OBJECT
public:
    ContainerHealthView(Engine::Engine &engine, const Engine::ContainerRecord &container,
                        QWidget *parent = nullptr);

    QLabel *statusLabel() const { return m_status; }
    QTreeWidget *probes() const { return m_probes; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void show(const Engine::ContainerRecord &container);

    Engine::Engine &m_engine;
    QString m_id;
    QLabel *m_status = nullptr;
    QLabel *m_check = nullptr;
    QTreeWidget *m_probes = nullptr;
    QTimer *m_timer = nullptr;
    bool m_refreshing = false;
};

} // namespace Berth::Gui
