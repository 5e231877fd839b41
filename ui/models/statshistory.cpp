// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/statshistory.h"

namespace Berth::Gui {

StatsHistory::StatsHistory(QObject *parent)
    : QObject(parent) {}

void StatsHistory::addSamples(const QList<Engine::ContainerStatsSample> &samples) {
    for (const Engine::ContainerStatsSample &sample : samples) {
        QList<Engine::ContainerStatsSample> &list = m_samples[sample.id];
        list.append(sample);
        const QDateTime oldest = sample.read.addSecs(-kKeepSeconds);
        qsizetype drop = 0;
        while (drop < list.size() && list.at(drop).read < oldest)
            ++drop;
        list.remove(0, drop);
        Q_EMIT sampled(sample.id);
    }
}

} // namespace Berth::Gui
