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

QByteArray statsCsv(const QList<Engine::ContainerStatsSample> &samples) {
    QByteArray out = "time,cpu_percent,memory_bytes,memory_limit_bytes,memory_percent,"
                     "network_rx_bytes,network_tx_bytes,block_read_bytes,block_write_bytes,pids\n";
    for (const Engine::ContainerStatsSample &s : samples) {
        out += s.read.toUTC().toString(Qt::ISODateWithMs).toUtf8() + ',' +
               QByteArray::number(s.cpuPercent, 'f', 2) + ',' + QByteArray::number(s.memoryUsage) +
               ',' + QByteArray::number(s.memoryLimit) + ',' +
               QByteArray::number(s.memoryPercent(), 'f', 2) + ',' +
               QByteArray::number(s.networkRx) + ',' + QByteArray::number(s.networkTx) + ',' +
               QByteArray::number(s.blockRead) + ',' + QByteArray::number(s.blockWrite) + ',' +
               QByteArray::number(s.pids) + '\n';
    }
    return out;
}

} // namespace Berth::Gui
