// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/taskprogress.h"

#include "ui/models/presentation.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QTimer>
#include <QToolButton>
#include <algorithm>

namespace Berth::Gui {

TaskProgress::TaskProgress(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_label = new QLabel(this);
    m_bar = new QProgressBar(this);
    m_bar->setMaximumWidth(200);
    m_bar->setTextVisible(false);
    m_cancel = new QToolButton(this);
    m_cancel->setText(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("cancelTask"));
    layout->addWidget(m_label);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_state)
            m_state->cancel = true;
        m_cancel->setEnabled(false);
    });
    m_timer = new QTimer(this);
    m_timer->setInterval(150);
    connect(m_timer, &QTimer::timeout, this, &TaskProgress::poll);
    hide();
}

std::shared_ptr<TaskProgress::State> TaskProgress::start(const QString &title,
                                                         Cancellable cancellable) {
    m_state = std::make_shared<State>();
    m_title = title;
    m_cancel->setVisible(cancellable == Cancellable::Yes);
    m_cancel->setEnabled(true);
    poll();
    show();
    m_timer->start();
    return m_state;
}

void TaskProgress::finish() {
    m_state.reset();
    m_timer->stop();
    hide();
}

void TaskProgress::poll() {
    if (!m_state)
        return;
    const qint64 done = m_state->done;
    const qint64 total = m_state->total;
    const QString item = m_state->item();
    QString text = m_title;
    if (total > 0) {
        // Permille keeps the bar's int range safe for any size.
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(std::clamp<qint64>(done * 1000 / total, 0, 1000)));
        text += QStringLiteral(" %1 / %2").arg(formatBytes(done), formatBytes(total));
    } else {
        m_bar->setRange(0, 0); // busy indicator
        if (done > 0)
            text += QStringLiteral(" %1").arg(formatBytes(done));
    }
    m_label->setText(text);
    m_label->setToolTip(item);
}

} // namespace Berth::Gui
