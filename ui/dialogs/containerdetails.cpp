// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/dialogs/containerdetails.h"

#include "engine/runtime/containerinspect.h"
#include "ui/charts/statschart.h"
#include "ui/errortext.h"
#include "ui/widgets/containerfilesview.h"
#include "ui/widgets/containerhealthview.h"
#include "ui/widgets/containerterminal.h"
#include "ui/widgets/logview.h"

#include <QFontDatabase>
#include <QJsonDocument>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Berth::Gui {

ContainerDetailsDialog::ContainerDetailsDialog(Engine::Engine &engine,
                                               const Engine::ContainerRecord &container,
                                               StatsHistory *stats, QWidget *parent)
    : QDialog(parent)
    , m_engine(engine)
    , m_id(container.id) {
    setObjectName(QStringLiteral("containerDetails"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Container %1").arg(container.name));
    setSizeGripEnabled(true);
    auto *layout = new QVBoxLayout(this);
    m_tabs = new QTabWidget(this);
    m_logs = new LogView(m_tabs);
    m_logs->setFile(engine.containers().logPath(container.id));
    m_tabs->addTab(m_logs, tr("Logs"));
    if (stats) {
        m_stats = new StatsChart(stats, container.id, m_tabs);
        m_tabs->addTab(m_stats, tr("Stats"));
        connect(m_stats, &StatsChart::statusMessage, this, &ContainerDetailsDialog::statusMessage);
    }
    m_terminal = new ContainerTerminal(engine, container.id, m_tabs);
    m_tabs->addTab(m_terminal, tr("Terminal"));
    m_files = new ContainerFilesView(engine, container.id, m_tabs);
    m_tabs->addTab(m_files, tr("Files"));
    if (container.spec.healthcheck.runsProbe()) {
        m_health = new ContainerHealthView(engine, container, m_tabs);
        m_tabs->addTab(m_health, tr("Health"));
    }
    m_inspect = new QPlainTextEdit(m_tabs);
    m_inspect->setObjectName(QStringLiteral("inspectView"));
    m_inspect->setReadOnly(true);
    m_inspect->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_inspect->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_inspect, tr("Inspect"));
    layout->addWidget(m_tabs);
    connect(m_logs, &LogView::statusMessage, this, &ContainerDetailsDialog::statusMessage);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_inspect)
            refreshInspect();
        if (m_tabs->currentWidget() == m_files)
            m_files->refresh();
    });
    resize(1000, 620);
}

void ContainerDetailsDialog::showLogs() {
    m_tabs->setCurrentWidget(m_logs);
}

void ContainerDetailsDialog::showTerminal() {
    m_tabs->setCurrentWidget(m_terminal);
}

void ContainerDetailsDialog::showInspect() {
    m_tabs->setCurrentWidget(m_inspect);
}

void ContainerDetailsDialog::showFiles() {
    m_tabs->setCurrentWidget(m_files);
}

void ContainerDetailsDialog::refreshInspect() {
    Engine::Engine *engine = &m_engine;
    const QString id = m_id;
    m_engine
        .async([engine, id]() -> Engine::Result<QByteArray> {
            auto record = engine->containers().get(id);
            if (!record)
                return Engine::fail(record.error());
            return QJsonDocument(Engine::containerInspectJson(engine->containers(), *record))
                .toJson(QJsonDocument::Indented);
        })
        .then(this, [this](const Engine::Result<QByteArray> &json) {
            if (!json) {
                m_inspect->setPlainText(
                    errorText(tr("The container could not be read."), json.error()).summary);
                return;
            }
            const int scroll = m_inspect->verticalScrollBar()->value();
            m_inspect->setPlainText(QString::fromUtf8(*json));
            m_inspect->verticalScrollBar()->setValue(scroll);
        });
}

} // namespace Berth::Gui
