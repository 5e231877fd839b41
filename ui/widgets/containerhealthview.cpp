// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/containerhealthview.h"

#include "ui/errortext.h"
#include "ui/models/containersmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {

// "30 s", "500 ms": a health check's durations, short.
QString durationShort(qint64 ns) {
    if (ns % 1'000'000'000 == 0)
        return ContainerHealthView::tr("%1 s").arg(ns / 1'000'000'000);
    return ContainerHealthView::tr("%1 ms").arg(ns / 1'000'000);
}

QString checkText(const Engine::HealthConfig &c) {
    using Engine::HealthConfig;
    const QString command = c.test.value(0) == QLatin1String("CMD-SHELL")
                                ? c.test.value(1)
                                : c.test.mid(1).join(QLatin1Char(' '));
    auto value = [](qint64 v, qint64 fallback) { return durationShort(v > 0 ? v : fallback); };
    const int retries = c.retries > 0 ? c.retries : HealthConfig::DefaultRetries;
    const QString every = value(c.interval, HealthConfig::DefaultInterval);
    const QString timeout = value(c.timeout, HealthConfig::DefaultTimeout);
    if (c.startPeriod <= 0)
        return ContainerHealthView::tr("Probe: %1\nEvery %2, timeout %3, unhealthy after %4 "
                                       "failures in a row")
            .arg(command, every, timeout)
            .arg(retries);
    // The start interval applies only during a start period.
    return ContainerHealthView::tr("Probe: %1\nEvery %2 (%3 while starting), timeout %4, "
                                   "unhealthy after %5 failures in a row, start period %6")
        .arg(command, every, value(c.startInterval, HealthConfig::DefaultStartInterval), timeout)
        .arg(retries)
        .arg(durationShort(c.startPeriod));
}

} // namespace

ContainerHealthView::ContainerHealthView(Engine::Engine &engine,
                                         const Engine::ContainerRecord &container, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_id(container.id) {
    auto *layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("healthStatus"));
    m_status->setTextFormat(Qt::RichText);
    m_check = new QLabel(this);
    m_check->setWordWrap(true);
    m_check->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_probes = new QTreeWidget(this);
    m_probes->setObjectName(QStringLiteral("healthProbes"));
    m_probes->setRootIsDecorated(false);
    m_probes->setHeaderLabels({tr("Started"), tr("Took"), tr("Exit code"), tr("Output")});
    m_probes->header()->setStretchLastSection(true);
    layout->addWidget(m_status);
    layout->addWidget(m_check);
    layout->addWidget(m_probes, 1);
    m_timer = new QTimer(this);
    m_timer->setInterval(2000);
    connect(m_timer, &QTimer::timeout, this, &ContainerHealthView::refresh);
    show(container);
}

void ContainerHealthView::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    refresh();
    m_timer->start();
}

void ContainerHealthView::hideEvent(QHideEvent *event) {
    m_timer->stop();
    QWidget::hideEvent(event);
}

void ContainerHealthView::refresh() {
    if (m_refreshing)
        return;
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    const QString id = m_id;
    m_engine.async([engine, id] { return engine->containers().get(id); })
        .then(this, [this](const Engine::Result<Engine::ContainerRecord> &record) {
            m_refreshing = false;
            if (!record)
                m_status->setText(
                    errorText(tr("The container could not be read."), record.error()).summary);
            else
                show(*record);
            Q_EMIT refreshed();
        });
}

void ContainerHealthView::show(const Engine::ContainerRecord &c) {
    const Engine::HealthState &h = c.health;
    const QColor color = containerHealthColor(h.status);
    const QString status =
        h.isNone() ? tr("not checked (the container does not run)") : containerHealthText(h.status);
    QString text =
        QStringLiteral("<span style=\"color:%1; font-size:x-large\">&#9679;</span> "
                       "<b>%2</b>")
            .arg(color.isValid() ? color.name() : QStringLiteral("gray"), status.toHtmlEscaped());
    if (h.failingStreak > 0)
        text += QStringLiteral(" &mdash; ") +
                tr("failed %1 times in a row").arg(h.failingStreak).toHtmlEscaped();
    m_status->setText(text);
    m_check->setText(checkText(c.spec.healthcheck));
    m_probes->clear();
    // Newest first.
    for (auto it = h.log.crbegin(); it != h.log.crend(); ++it) {
        auto *item = new QTreeWidgetItem(m_probes);
        item->setText(0, QLocale().toString(it->start.toLocalTime(), QLocale::ShortFormat));
        item->setText(1, tr("%1 ms").arg(it->start.msecsTo(it->end)));
        item->setText(2, QString::number(it->exitCode));
        item->setText(3, it->output.trimmed());
        item->setToolTip(3, it->output);
        item->setForeground(2, containerHealthColor(it->exitCode == 0
                                                        ? Engine::HealthStatus::Healthy
                                                        : Engine::HealthStatus::Unhealthy));
    }
    for (int column = 0; column < 3; ++column)
        m_probes->resizeColumnToContents(column);
}

} // namespace Berth::Gui
