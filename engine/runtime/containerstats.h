// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerruntime.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>

class QThread;
class QTimer;

namespace Berth::Engine {

// One reading of a running container's resource use. Counters are cumulative; cpuPercent is
// computed against an earlier reading (ContainerStats::computeCpu), like Docker's: the
// container's CPU time delta over the host's CPU time delta, times the online CPUs, times 100
// (so one busy thread on any host reads about 100%).
struct ContainerStatsSample {
    QString id;
    QString name;
    QDateTime read;
    quint64 cpuUsageNs = 0;    // the cgroup's CPU time
    quint64 systemUsageNs = 0; // the host's CPU time (all CPUs, /proc/stat)
    int onlineCpus = 1;
    double cpuPercent = 0;  // 0 until computed against a previous sample
    qint64 memoryUsage = 0; // bytes, without the inactive page cache (Docker's rule)
    qint64 memoryLimit = 0; // bytes: the cgroup's limit, or the host's memory when unlimited
    qint64 networkRx = 0;   // bytes, all interfaces but loopback
    qint64 networkTx = 0;
    qint64 blockRead = 0; // bytes
    qint64 blockWrite = 0;
    qint64 pids = 0;

    double memoryPercent() const {
        return memoryLimit > 0 ? 100.0 * double(memoryUsage) / double(memoryLimit) : 0;
    }
};

// Where samples are read from: the host's cgroup tree (v1/hybrid or pure v2, see Cgroups) and
// /proc; tests point these at fixture trees.
struct StatsSources {
    QString cgroupRoot; // "/sys/fs/cgroup"
    bool unified = false;
    QString proc; // "/proc"

    static StatsSources host();
    QString directory(const QString &cgroupsPath, const QString &controller) const;
};

// Reads samples from the container's cgroup (v1/hybrid and v2 files) and the /proc of its
// init process. Stateless and thread-safe.
class ContainerStats {
public:
    // NotFound when the container's cgroup is gone (not running).
    static Result<ContainerStatsSample> read(const ContainerRecord &container,
                                             const QString &cgroupsPath);
    static Result<ContainerStatsSample>
    read(const ContainerRecord &container, const QString &cgroupsPath, const StatsSources &sources);
    // Sets `current.cpuPercent` from the deltas since `previous` (same container).
    static void computeCpu(ContainerStatsSample &current, const ContainerStatsSample &previous);
};

// Samples every running container at a fixed interval (1 s by default) on its own worker
// thread and emits one batch per round, so the GUI subscribes with a queued connection and
// never reads cgroups on its own thread. The first batch comes one interval after start() (CPU %
// needs two readings); a container appears from its second reading on. start()/stop() are called
// from the owner's thread; the destructor stops the thread.
class StatsSampler : public QObject {
    Q_OBJECT
public:
    explicit StatsSampler(ContainerRuntime &runtime, int intervalMs = 1000,
                          QObject *parent = nullptr);
    ~StatsSampler() override;

    void start();
    void stop();
    bool isRunning() const;

Q_SIGNALS:
    // Every running container's sample of one round (possibly empty).
    void sampled(const QList<Berth::Engine::ContainerStatsSample> &samples);

private:
    ContainerRuntime &m_runtime;
    int m_intervalMs;
    QThread *m_thread = nullptr;
};

// Samples `containers` (running ones; ignored otherwise) once, then again after `intervalMs`,
// and returns the second round with CPU % computed: what `stats --no-stream` shows. Blocks.
QList<ContainerStatsSample> sampleOnce(ContainerRuntime &runtime,
                                       const QList<ContainerRecord> &containers, int intervalMs);

} // namespace Berth::Engine

Q_DECLARE_METATYPE(Berth::Engine::ContainerStatsSample)
