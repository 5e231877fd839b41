// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/pullbox.h"

#include "ui/errortext.h"
#include "ui/widgets/transferpanel.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace Berth::Gui {

PullBox::PullBox(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("pullName"));
    m_name->setPlaceholderText(
        tr("Image to pull, for example busybox or localhost:5000/team/app:1.0"));
    m_name->setClearButtonEnabled(true);
    m_name->setAccessibleName(tr("Image to pull"));
    m_button = new QPushButton(tr("Pull"), this);
    m_button->setObjectName(QStringLiteral("pullButton"));
    m_button->setToolTip(tr("Download the image; layers already in the store are not "
                            "downloaded again"));
    row->addWidget(m_name, 1);
    row->addWidget(m_button);
    layout->addLayout(row);
    m_panel = new TransferPanel(engine, this);
    layout->addWidget(m_panel);

    connect(m_button, &QPushButton::clicked, this, [this] { pull(); });
    connect(m_name, &QLineEdit::returnPressed, this, [this] { pull(); });
    connect(m_panel, &TransferPanel::runningChanged, this, [this](bool running) {
        m_button->setEnabled(!running);
        m_button->setToolTip(running ? tr("Wait for the current transfer, or cancel it")
                                     : tr("Download the image; layers already in the store are "
                                          "not downloaded again"));
    });
    connect(m_panel, &TransferPanel::pulled, this,
            [this](const QString &reference, const Engine::ImageRecord &) {
                m_name->clear();
                Q_EMIT pulled(reference);
            });
    connect(m_panel, &TransferPanel::statusMessage, this, &PullBox::statusMessage);
}

void PullBox::pull(const QString &name) {
    if (m_panel->isRunning())
        return;
    const QString text = (name.isEmpty() ? m_name->text() : name).trimmed();
    if (text.isEmpty()) {
        m_name->setFocus();
        return;
    }
    if (!name.isEmpty())
        m_name->setText(text);
    auto reference = Engine::Reference::parse(text);
    if (!reference) {
        const ErrorText words =
            errorText(tr("\"%1\" is not a valid image name.").arg(text), reference.error());
        m_panel->showProblem(words.summary, words.detail);
        return;
    }
    m_panel->startPull(*reference);
}

} // namespace Berth::Gui
