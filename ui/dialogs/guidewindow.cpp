// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/dialogs/guidewindow.h"

#include <QFile>
#include <QHBoxLayout>
#include <QTextBrowser>
#include <QToolButton>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {
QUrl contentsPage(const QString &language) {
    return QUrl(QStringLiteral("qrc:/guide/%1/README.md").arg(language));
}
} // namespace

GuideWindow::GuideWindow(QWidget *parent)
    : QDialog(parent) {
    setWindowTitle(tr("Berth user guide"));
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_back = new QToolButton(this);
    m_back->setText(tr("Back"));
    m_back->setToolTip(tr("The page shown before (Alt+Left)"));
    m_back->setShortcut(QKeySequence::Back);
    m_forward = new QToolButton(this);
    m_forward->setText(tr("Forward"));
    m_forward->setShortcut(QKeySequence::Forward);
    auto *contents = new QToolButton(this);
    contents->setText(tr("Contents"));
    bar->addWidget(m_back);
    bar->addWidget(m_forward);
    bar->addWidget(contents);
    bar->addStretch(1);
    layout->addLayout(bar);

    m_browser = new QTextBrowser(this);
    m_browser->setObjectName(QStringLiteral("guideBrowser"));
    m_browser->setOpenExternalLinks(true); // http(s) links go to the web browser
    layout->addWidget(m_browser, 1);

    connect(m_back, &QToolButton::clicked, m_browser, &QTextBrowser::backward);
    connect(m_forward, &QToolButton::clicked, m_browser, &QTextBrowser::forward);
    connect(contents, &QToolButton::clicked, this, &GuideWindow::showContents);
    connect(m_browser, &QTextBrowser::historyChanged, this, &GuideWindow::updateButtons);
    resize(760, 640);
}

QString GuideWindow::language() {
    //: The folder of the user guide in this language (docs/<folder>): "ko" in Korean.
    const QString folder = tr("en", "guide language");
    return QFile::exists(QStringLiteral(":/guide/%1/README.md").arg(folder)) ? folder
                                                                             : QStringLiteral("en");
}

void GuideWindow::showContents() {
    m_browser->setSource(contentsPage(language()), QTextDocument::MarkdownResource);
    show();
    raise();
    activateWindow();
}

QUrl GuideWindow::page() const {
    return m_browser->source();
}

void GuideWindow::updateButtons() {
    m_back->setEnabled(m_browser->isBackwardAvailable());
    m_forward->setEnabled(m_browser->isForwardAvailable());
}

} // namespace Berth::Gui
