// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/charts/statschart.h"

#include "ui/errortext.h"
#include "ui/models/presentation.h"
#include "ui/models/statshistory.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QFileDialog>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QSaveFile>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <optional>

namespace Berth::Gui {

namespace {

struct Plot {
    QChart *chart = nullptr;
    QLineSeries *series = nullptr;
    QLineSeries *second = nullptr; // sent, written: rate charts only
    QDateTimeAxis *x = nullptr;
    QValueAxis *y = nullptr;
};

// `secondName` adds a second line and a legend naming both (`firstName`, `secondName`).
Plot makePlot(const QString &title, QWidget *parent, QGridLayout *grid, int row, int column,
              const QString &firstName = {}, const QString &secondName = {}, int columnSpan = 1) {
    Plot p;
    p.chart = new QChart;
    // Qt Charts does not follow the palette: a dark palette gets its dark theme, not white boxes.
    if (parent->palette().color(QPalette::Base).lightness() < 128)
        p.chart->setTheme(QChart::ChartThemeDark);
    p.chart->setTitle(title);
    p.chart->setMargins(QMargins(4, 4, 4, 4));
    p.series = new QLineSeries(p.chart);
    p.chart->addSeries(p.series);
    if (!secondName.isEmpty()) {
        p.series->setName(firstName);
        p.second = new QLineSeries(p.chart);
        p.second->setName(secondName);
        p.chart->addSeries(p.second);
        p.chart->legend()->setAlignment(Qt::AlignBottom);
    } else {
        p.chart->legend()->hide();
    }
    p.x = new QDateTimeAxis(p.chart);
    p.x->setFormat(QStringLiteral("HH:mm:ss"));
    p.x->setTickCount(4);
    p.y = new QValueAxis(p.chart);
    p.y->setLabelFormat(QStringLiteral("%.0f"));
    p.chart->addAxis(p.x, Qt::AlignBottom);
    p.chart->addAxis(p.y, Qt::AlignLeft);
    for (QLineSeries *series : {p.series, p.second}) {
        if (!series)
            continue;
        series->attachAxis(p.x);
        series->attachAxis(p.y);
    }
    auto *view = new QChartView(p.chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(180);
    grid->addWidget(view, row, column, 1, columnSpan);
    return p;
}

// Bytes per second between two samples, in kB/s; a counter that went back (the container
// started again) draws nothing.
std::optional<qreal> kilobytesPerSecond(qint64 before, qint64 after, const QDateTime &from,
                                        const QDateTime &to) {
    const qint64 ms = from.msecsTo(to);
    if (ms <= 0 || after < before)
        return std::nullopt;
    return qreal(after - before) / 1000.0 / (qreal(ms) / 1000.0);
}

} // namespace

struct StatsChart::Charts {
    Plot cpu;
    Plot memory;
    Plot pids;
    Plot network;
    Plot disk;
};

StatsChart::StatsChart(StatsHistory *history, const QString &containerId, QWidget *parent)
    : QWidget(parent)
    , m_charts(new Charts)
    , m_history(history)
    , m_id(containerId) {
    setObjectName(QStringLiteral("statsChart"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_window = new QComboBox(this);
    m_window->setObjectName(QStringLiteral("statsWindow"));
    m_window->addItem(tr("Last minute"), 1);
    m_window->addItem(tr("Last 5 minutes"), 5);
    m_window->addItem(tr("Last 15 minutes"), 15);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("statsSummary"));
    bar->addWidget(m_window);
    bar->addWidget(m_summary, 1);
    auto *exportButton = new QToolButton(this);
    exportButton->setObjectName(QStringLiteral("statsExport"));
    exportButton->setText(tr("Export CSV…"));
    exportButton->setToolTip(tr("Save every sample kept (up to 15 minutes) as a CSV file"));
    bar->addWidget(exportButton);
    layout->addLayout(bar);
    connect(exportButton, &QToolButton::clicked, this, &StatsChart::chooseExportTarget);
    auto *grid = new QGridLayout;
    m_charts->cpu = makePlot(tr("CPU %"), this, grid, 0, 0);
    m_charts->memory = makePlot(tr("Memory (MB)"), this, grid, 0, 1);
    m_charts->network =
        makePlot(tr("Network (kB/s)"), this, grid, 1, 0, tr("Received"), tr("Sent"));
    m_charts->disk = makePlot(tr("Disk (kB/s)"), this, grid, 1, 1, tr("Read"), tr("Written"));
    m_charts->pids = makePlot(tr("Processes"), this, grid, 2, 0, {}, {}, 2);
    layout->addLayout(grid, 1);
    connect(m_window, &QComboBox::currentIndexChanged, this, &StatsChart::redraw);
    connect(m_history, &StatsHistory::sampled, this, [this](const QString &id) {
        if (id == m_id)
            redraw();
    });
    redraw();
}

StatsChart::~StatsChart() {
    delete m_charts;
}

void StatsChart::setWindowMinutes(int minutes) {
    m_window->setCurrentIndex(m_window->findData(minutes));
}

Engine::Status StatsChart::exportCsv(const QString &path) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Engine::fail(Engine::ErrorKind::PermissionDenied,
                            QStringLiteral("%1: %2").arg(path, file.errorString()));
    file.write(statsCsv(m_history->samples(m_id)));
    if (!file.commit())
        return Engine::fail(Engine::ErrorKind::Unavailable,
                            QStringLiteral("%1: %2").arg(path, file.errorString()));
    return {};
}

void StatsChart::chooseExportTarget() {
    auto *dialog = new QFileDialog(this, tr("Export statistics"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("CSV files (*.csv)"));
    dialog->setDefaultSuffix(QStringLiteral("csv"));
    dialog->selectFile(QStringLiteral("stats-%1.csv").arg(m_id.left(12)));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        if (const Engine::Status status = exportCsv(path); !status)
            showError(this, tr("The statistics could not be exported."), status.error());
        else
            Q_EMIT statusMessage(tr("Exported the statistics to %1").arg(path));
    });
    dialog->open();
}

void StatsChart::redraw() {
    const QList<Engine::ContainerStatsSample> samples = m_history->samples(m_id);
    const int minutes = m_window->currentData().toInt();
    const QDateTime end =
        samples.isEmpty() ? QDateTime::currentDateTimeUtc() : samples.constLast().read;
    const QDateTime start = end.addSecs(-60 * minutes);
    QList<QPointF> cpu, memory, pids, rx, tx, read, written;
    double cpuMax = 1, memoryMax = 1, pidsMax = 1, networkMax = 1, diskMax = 1;
    const Engine::ContainerStatsSample *previous = nullptr;
    for (const Engine::ContainerStatsSample &s : samples) {
        if (s.read < start) {
            previous = &s;
            continue;
        }
        if (previous) {
            const qreal t = qreal(s.read.toMSecsSinceEpoch());
            const auto rate = [&](qint64 before, qint64 after, QList<QPointF> &points,
                                  double &max) {
                if (const auto r = kilobytesPerSecond(before, after, previous->read, s.read)) {
                    points.append({t, *r});
                    max = qMax(max, double(*r));
                }
            };
            rate(previous->networkRx, s.networkRx, rx, networkMax);
            rate(previous->networkTx, s.networkTx, tx, networkMax);
            rate(previous->blockRead, s.blockRead, read, diskMax);
            rate(previous->blockWrite, s.blockWrite, written, diskMax);
        }
        previous = &s;
        const qreal t = qreal(s.read.toMSecsSinceEpoch());
        cpu.append({t, s.cpuPercent});
        memory.append({t, double(s.memoryUsage) / 1e6});
        pids.append({t, double(s.pids)});
        cpuMax = qMax(cpuMax, s.cpuPercent);
        memoryMax = qMax(memoryMax, double(s.memoryUsage) / 1e6);
        pidsMax = qMax(pidsMax, double(s.pids));
    }
    m_drawn = int(cpu.size());
    m_charts->cpu.series->replace(cpu);
    m_charts->memory.series->replace(memory);
    m_charts->pids.series->replace(pids);
    m_charts->network.series->replace(rx);
    m_charts->network.second->replace(tx);
    m_charts->disk.series->replace(read);
    m_charts->disk.second->replace(written);
    const QList<Plot *> plots = {&m_charts->cpu, &m_charts->memory, &m_charts->network,
                                 &m_charts->disk, &m_charts->pids};
    for (Plot *p : plots)
        p->x->setRange(start.toLocalTime(), end.toLocalTime());
    m_charts->cpu.y->setRange(0, cpuMax * 1.2);
    m_charts->memory.y->setRange(0, memoryMax * 1.2);
    m_charts->network.y->setRange(0, networkMax * 1.2);
    m_charts->disk.y->setRange(0, diskMax * 1.2);
    for (Plot *p : plots) {
        if (p == &m_charts->pids)
            continue;
        p->y->applyNiceNumbers(); // readable ticks (0, 0.5, 1) rather than 0, 0.3, 0.6
        p->y->setLabelFormat(p->y->max() < 10 ? QStringLiteral("%.1f") : QStringLiteral("%.0f"));
    }
    // Processes are whole: a tick per process while few (no "0, 1, 1, 2, 2" from half steps).
    const int pidsTop = int(pidsMax) + 1;
    m_charts->pids.y->setRange(0, pidsTop);
    if (pidsTop <= 10)
        m_charts->pids.y->setTickCount(pidsTop + 1);
    else
        m_charts->pids.y->applyNiceNumbers();
    m_charts->pids.y->setLabelFormat(QStringLiteral("%.0f"));
    if (samples.isEmpty()) {
        m_summary->setText(tr("Waiting for samples; a container shows them while it runs."));
    } else {
        const Engine::ContainerStatsSample &s = samples.constLast();
        m_summary->setText(tr("CPU %1%, memory %2 of %3 (%4%), %5 processes")
                               .arg(s.cpuPercent, 0, 'f', 1)
                               .arg(formatBytes(s.memoryUsage), formatBytes(s.memoryLimit))
                               .arg(s.memoryPercent(), 0, 'f', 1)
                               .arg(s.pids));
    }
}

QList<int> StatsChart::ratePointCounts() const {
    return {int(m_charts->network.series->count()), int(m_charts->network.second->count()),
            int(m_charts->disk.series->count()), int(m_charts->disk.second->count())};
}

} // namespace Berth::Gui
