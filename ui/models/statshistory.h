// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerstats.h"

#include <QHash>
#include <QObject>

namespace Berth::Gui {

// Every running container's resource samples (from the engine's StatsSampler, once a second)
// for the last 15 minutes, kept while the app runs so a container's Stats tab opened later
// still shows its history. No widget code.
class StatsHistory : public QObject {
    Q_OBJECT
public:
    static constexpr int kKeepSeconds = 15 * 60;

    explicit StatsHistory(QObject *parent = nullptr);

    QList<Engine::ContainerStatsSample> samples(const QString &id) const {
        return m_samples.value(id);
    }

public Q_SLOTS:
    void addSamples(const QList<Berth::Engine::ContainerStatsSample> &samples);

Q_SIGNALS:
    void sampled(const QString &id);

private:
    QHash<QString, QList<Engine::ContainerStatsSample>> m_samples;
};

// The samples as CSV (a header line, then one line per sample, oldest first): UTC time with
// milliseconds, CPU %, memory bytes, limit and %, network and block I/O bytes, processes.
QByteArray statsCsv(const QList<Engine::ContainerStatsSample> &samples);

} // namespace Berth::Gui
