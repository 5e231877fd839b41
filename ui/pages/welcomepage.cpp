// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/welcomepage.h"

#include "ui/widgets/pullbox.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace Berth::Gui {

WelcomePage::WelcomePage(Engine::Engine &engine, QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(48, 32, 48, 32);
    layout->setSpacing(16);
    auto *title = new QLabel(tr("Welcome to Berth"), this);
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.8);
    titleFont.setBold(true);
    title->setFont(titleFont);
    layout->addWidget(title);

    auto *explanation = new QLabel(
        tr("An <b>image</b> holds everything a program needs to run: its files, libraries and "
           "settings. It never changes.<br><br>"
           "An image is a stack of read-only <b>layers</b>; each layer adds or changes files, and "
           "images that share layers store them only once.<br><br>"
           "A <b>container</b> is a running copy of an image with one writable layer on top, so "
           "starting many containers costs little disk."),
        this);
    explanation->setWordWrap(true);
    explanation->setTextFormat(Qt::RichText);
    layout->addWidget(explanation);

    m_starterButton = new QPushButton(tr("Create a starter image (no network needed)"), this);
    m_starterButton->setObjectName(QStringLiteral("starterImageButton"));
    m_starterButton->setDefault(true);
    m_starterButton->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    connect(m_starterButton, &QPushButton::clicked, this, &WelcomePage::starterImageRequested);
    layout->addWidget(m_starterButton);

    auto *hint = new QLabel(tr("It is a small image made from this computer's BusyBox: a shell "
                               "and the usual command-line tools."),
                            this);
    hint->setWordWrap(true);
    hint->setEnabled(false);
    layout->addWidget(hint);

    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->hide();
    layout->addWidget(m_status);
    m_detailsButton = new QPushButton(tr("Details"), this);
    m_detailsButton->setCheckable(true);
    m_detailsButton->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    m_detailsButton->hide();
    m_details = new QLabel(this);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->hide();
    connect(m_detailsButton, &QPushButton::toggled, m_details, &QLabel::setVisible);
    layout->addWidget(m_detailsButton);
    layout->addWidget(m_details);

    auto *pullTitle = new QLabel(tr("<b>Or pull an image from a registry</b> such as Docker Hub "
                                    "(needs the network):"),
                                 this);
    pullTitle->setWordWrap(true);
    layout->addSpacing(12);
    layout->addWidget(pullTitle);
    m_pullBox = new PullBox(engine, this);
    layout->addWidget(m_pullBox);
    auto *login = new QPushButton(tr("Log in to a registry first…"), this);
    login->setObjectName(QStringLiteral("welcomeLoginButton"));
    login->setFlat(true);
    login->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    connect(login, &QPushButton::clicked, this, &WelcomePage::registriesRequested);
    layout->addWidget(login);
    layout->addStretch();
}

void WelcomePage::setBusy(bool busy) {
    m_starterButton->setEnabled(!busy);
    m_starterButton->setText(busy ? tr("Creating the starter image…")
                                  : tr("Create a starter image (no network needed)"));
    if (busy) {
        m_status->hide();
        m_detailsButton->hide();
        m_detailsButton->setChecked(false);
    }
}

void WelcomePage::showError(const QString &summary, const QString &detail) {
    m_status->setText(summary);
    m_status->show();
    m_details->setText(detail);
    m_detailsButton->setVisible(!detail.isEmpty());
}

} // namespace Berth::Gui
