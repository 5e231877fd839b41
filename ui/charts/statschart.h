// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerstats.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace Berth::Gui {

class StatsHistory;

// A container's CPU %, memory, network and disk rates (received/sent, read/written) and
// processes over the last 1, 5 or 15 minutes, as line charts (Qt Charts' dark theme on a dark
// palette).
// The only widget that uses Qt Charts (deprecated from Qt 6.10), so replacing it touches this
// file alone. Redraws when the history receives a sample of this container.
class StatsChart : public QWidget {
    Q_OBJECT
public:
    StatsChart(StatsHistory *history, const QString &containerId, QWidget *parent = nullptr);
    ~StatsChart() override;

    // Samples currently drawn (within the chosen window).
    int sampleCount() const { return m_drawn; }
    // Points drawn in the network (received, sent) and disk (read, written) charts: rates
    // between two samples, so one less than the samples.
    QList<int> ratePointCounts() const;
    void setWindowMinutes(int minutes);
    // Writes every kept sample of the container (up to 15 minutes) as CSV; see statsCsv().
    Engine::Status exportCsv(const QString &path) const;

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void redraw();
    void chooseExportTarget();

    struct Charts;
    Charts *m_charts = nullptr;
    StatsHistory *m_history = nullptr;
    QString m_id;
    QComboBox *m_window = nullptr;
    QLabel *m_summary = nullptr;
    int m_drawn = 0;
};

} // namespace Berth::Gui
