// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerstats.h"

#include "engine/core/fileutil.h"
#include "engine/runtime/containercontrol.h"
#include "engine/runtime/rootless.h"

#include <QFileInfo>
#include <QHash>
#include <QThread>
#include <QTimer>
#include <unistd.h>

namespace Berth::Engine {

namespace {

QByteArray readSmall(const QString &path) {
    return readFileLimited(path, 1 << 20).value_or(QByteArray());
}

qint64 readNumber(const QString &path) {
    return readSmall(path).trimmed().toLongLong();
}

// "key value" lines (memory.stat, cpu.stat).
qint64 statValue(const QByteArray &text, const char *key) {
    const QByteArray k = QByteArray(key) + ' ';
    for (const QByteArray &line : text.split('\n'))
        if (line.startsWith(k))
            return line.mid(k.size()).trimmed().toLongLong();
    return 0;
}

quint64 systemUsageNs(const QString &proc) {
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    const QByteArray stat = readSmall(proc + QStringLiteral("/stat"));
    const QByteArray first = stat.left(stat.indexOf('\n'));
    if (!first.startsWith("cpu "))
        return 0;
    quint64 total = 0;
    const QList<QByteArray> fields = first.simplified().split(' ');
    // user nice system idle iowait irq softirq steal (guest time is already in user/nice).
    for (qsizetype i = 1; i < fields.size() && i <= 8; ++i)
        total += fields[i].toULongLong();
    return total * (1000000000ULL / quint64(ticks));
}

qint64 hostMemory(const QString &proc) {
    for (const QByteArray &line : readSmall(proc + QStringLiteral("/meminfo")).split('\n'))
        if (line.startsWith("MemTotal:"))
            return line.mid(9).simplified().split(' ').value(0).toLongLong() * 1024;
    return 0;
}

// Rootless without a cgroup of its own: the sums over the container's processes (CPU time
// and resident memory from /proc/PID/stat, block I/O from /proc/PID/io). Memory counts pages
// shared between the processes once per process.
Status readProcessStats(ContainerStatsSample &s, const ContainerRecord &container,
                        const QString &proc) {
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    static const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (container.pid <= 0 || !QFileInfo::exists(proc + QStringLiteral("/%1").arg(container.pid)))
        return fail(ErrorKind::NotFound,
                    QStringLiteral("container %1 is not running").arg(container.name));
    for (const qint64 pid : Cgroups::processTree(proc, container.pid)) {
        const QByteArray stat = readSmall(proc + QStringLiteral("/%1/stat").arg(pid));
        // Fields after the command name: state is field 3, utime 14, stime 15, rss 24.
        const QList<QByteArray> f = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
        if (f.size() < 22)
            continue;
        ++s.pids;
        s.cpuUsageNs +=
            (f[11].toULongLong() + f[12].toULongLong()) * (1000000000ULL / quint64(ticks));
        s.memoryUsage += f[21].toLongLong() * pageSize;
        // "read_bytes: N" lines, made "key value" for statValue.
        const QByteArray io =
            readSmall(proc + QStringLiteral("/%1/io").arg(pid)).replace(':', QByteArray());
        s.blockRead += statValue(io, "read_bytes");
        s.blockWrite += statValue(io, "write_bytes");
    }
    return {};
}

} // namespace

Result<ContainerStatsSample> ContainerStats::read(const ContainerRecord &container,
                                                  const QString &cgroupsPath) {
    return read(container, cgroupsPath, StatsSources::host());
}

StatsSources StatsSources::host() {
    return StatsSources{QStringLiteral("/sys/fs/cgroup"), Cgroups::unified(),
                        QStringLiteral("/proc")};
}

QString StatsSources::directory(const QString &cgroupsPath, const QString &controller) const {
    return unified ? cgroupRoot + cgroupsPath
                   : cgroupRoot + QLatin1Char('/') + controller + cgroupsPath;
}

Result<ContainerStatsSample> ContainerStats::read(const ContainerRecord &container,
                                                  const QString &cgroupsPath,
                                                  const StatsSources &sources) {
    ContainerStatsSample s;
    s.id = container.id;
    s.name = container.name;
    s.read = QDateTime::currentDateTimeUtc();
    s.systemUsageNs = systemUsageNs(sources.proc);
    s.onlineCpus = int(qMax(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
    const qint64 host = hostMemory(sources.proc);
    if (Rootless::active()) {
        if (auto st = readProcessStats(s, container, sources.proc); !st)
            return fail(st.error());
        s.memoryLimit = host;
    } else if (sources.unified) {
        const QString dir = sources.directory(cgroupsPath, QString());
        if (!QFileInfo(dir).isDir())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("container %1 has no cgroup").arg(container.name));
        s.cpuUsageNs =
            quint64(statValue(readSmall(dir + QStringLiteral("/cpu.stat")), "usage_usec")) * 1000;
        const qint64 current = readNumber(dir + QStringLiteral("/memory.current"));
        const qint64 inactive =
            statValue(readSmall(dir + QStringLiteral("/memory.stat")), "inactive_file");
        s.memoryUsage = inactive < current ? current - inactive : current;
        const QByteArray max = readSmall(dir + QStringLiteral("/memory.max")).trimmed();
        s.memoryLimit = max == "max" || max.isEmpty() ? host : qMin(max.toLongLong(), host);
        for (const QByteArray &line : readSmall(dir + QStringLiteral("/io.stat")).split('\n'))
            for (const QByteArray &field : line.split(' ')) {
                if (field.startsWith("rbytes="))
                    s.blockRead += field.mid(7).toLongLong();
                else if (field.startsWith("wbytes="))
                    s.blockWrite += field.mid(7).toLongLong();
            }
        s.pids = readNumber(dir + QStringLiteral("/pids.current"));
    } else {
        const QString memory = sources.directory(cgroupsPath, QStringLiteral("memory"));
        if (!QFileInfo(memory).isDir())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("container %1 has no cgroup").arg(container.name));
        s.cpuUsageNs =
            quint64(readNumber(sources.directory(cgroupsPath, QStringLiteral("cpuacct")) +
                               QStringLiteral("/cpuacct.usage")));
        const qint64 usage = readNumber(memory + QStringLiteral("/memory.usage_in_bytes"));
        const qint64 inactive =
            statValue(readSmall(memory + QStringLiteral("/memory.stat")), "total_inactive_file");
        s.memoryUsage = inactive < usage ? usage - inactive : usage;
        const qint64 limit = readNumber(memory + QStringLiteral("/memory.limit_in_bytes"));
        s.memoryLimit = limit > 0 && limit < host ? limit : host;
        for (const QByteArray &line :
             readSmall(sources.directory(cgroupsPath, QStringLiteral("blkio")) +
                       QStringLiteral("/blkio.throttle.io_service_bytes"))
                 .split('\n')) {
            const QList<QByteArray> f = line.simplified().split(' ');
            if (f.size() != 3)
                continue;
            if (f[1] == "Read")
                s.blockRead += f[2].toLongLong();
            else if (f[1] == "Write")
                s.blockWrite += f[2].toLongLong();
        }
        s.pids = readNumber(sources.directory(cgroupsPath, QStringLiteral("pids")) +
                            QStringLiteral("/pids.current"));
    }
    if (container.pid > 0) {
        // "iface: rx_bytes packets errs drop fifo frame compressed multicast tx_bytes ..."
        const QList<QByteArray> lines =
            readSmall(sources.proc + QStringLiteral("/%1/net/dev").arg(container.pid)).split('\n');
        for (const QByteArray &line : lines) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0 || line.left(colon).trimmed() == "lo")
                continue;
            const QList<QByteArray> f = line.mid(colon + 1).simplified().split(' ');
            if (f.size() < 9)
                continue;
            s.networkRx += f[0].toLongLong();
            s.networkTx += f[8].toLongLong();
        }
    }
    return s;
}

void ContainerStats::computeCpu(ContainerStatsSample &current,
                                const ContainerStatsSample &previous) {
    const double container = current.cpuUsageNs > previous.cpuUsageNs
                                 ? double(current.cpuUsageNs - previous.cpuUsageNs)
                                 : 0.0;
    const double system = current.systemUsageNs > previous.systemUsageNs
                              ? double(current.systemUsageNs - previous.systemUsageNs)
                              : 0.0;
    current.cpuPercent = system > 0 ? container / system * current.onlineCpus * 100.0 : 0.0;
}

namespace {

// Lives on the sampler's thread: its timer, its database connection, its previous samples.
class SamplerWorker : public QObject {
    Q_OBJECT
public:
    SamplerWorker(ContainerRuntime &runtime, int intervalMs)
        : m_runtime(runtime)
        , m_timer(new QTimer(this)) {
        m_timer->setInterval(intervalMs);
        connect(m_timer, &QTimer::timeout, this, &SamplerWorker::round);
    }

    void begin() {
        round();
        m_timer->start();
    }

    void round() {
        QList<ContainerStatsSample> batch;
        QHash<QString, ContainerStatsSample> next;
        // Rows only (no reconcile, which may write): a container that just exited has no
        // cgroup any more and is left out.
        for (const ContainerRecord &c : m_runtime.store().list()) {
            if (!c.isRunning())
                continue;
            auto s = ContainerStats::read(c, m_runtime.cgroupsPath(c.id));
            if (!s)
                continue;
            if (auto it = m_previous.constFind(c.id); it != m_previous.cend())
                ContainerStats::computeCpu(*s, *it);
            next.insert(c.id, *s);
            if (m_previous.contains(c.id))
                batch.append(*s);
        }
        m_previous = next;
        if (m_primed)
            Q_EMIT sampled(batch);
        m_primed = true;
    }

Q_SIGNALS:
    void sampled(const QList<Berth::Engine::ContainerStatsSample> &samples);

private:
    ContainerRuntime &m_runtime;
    QTimer *m_timer;
    QHash<QString, ContainerStatsSample> m_previous;
    bool m_primed = false;
};

} // namespace

StatsSampler::StatsSampler(ContainerRuntime &runtime, int intervalMs, QObject *parent)
    : QObject(parent)
    , m_runtime(runtime)
    , m_intervalMs(intervalMs > 0 ? intervalMs : 1000) {
    qRegisterMetaType<Berth::Engine::ContainerStatsSample>();
    qRegisterMetaType<QList<Berth::Engine::ContainerStatsSample>>();
}

StatsSampler::~StatsSampler() {
    stop();
}

bool StatsSampler::isRunning() const {
    return m_thread != nullptr;
}

void StatsSampler::start() {
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("berth-stats"));
    auto *worker = new SamplerWorker(m_runtime, m_intervalMs);
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &SamplerWorker::begin);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    connect(worker, &SamplerWorker::sampled, this, &StatsSampler::sampled);
    m_thread->start();
}

void StatsSampler::stop() {
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

QList<ContainerStatsSample> sampleOnce(ContainerRuntime &runtime,
                                       const QList<ContainerRecord> &containers, int intervalMs) {
    QHash<QString, ContainerStatsSample> first;
    for (const ContainerRecord &c : containers)
        if (c.isRunning())
            if (auto s = ContainerStats::read(c, runtime.cgroupsPath(c.id)))
                first.insert(c.id, *s);
    if (intervalMs > 0)
        QThread::msleep(ulong(intervalMs));
    QList<ContainerStatsSample> out;
    for (const ContainerRecord &c : containers) {
        if (!c.isRunning())
            continue;
        auto s = ContainerStats::read(c, runtime.cgroupsPath(c.id));
        if (!s)
            continue;
        if (auto it = first.constFind(c.id); it != first.cend())
            ContainerStats::computeCpu(*s, *it);
        out.append(*s);
    }
    return out;
}

} // namespace Berth::Engine

#include "containerstats.moc"
