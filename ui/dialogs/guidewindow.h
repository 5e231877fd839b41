// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QTextBrowser;
class QToolButton;

namespace Berth::Gui {

// The user guide (docs/<language>/*.md, compiled into the app's resources under :/guide):
// a window that shows its Markdown pages and follows the links between them; links to the web
// open in the browser. The language is the interface's: the translation of the string "en"
// names the guide's folder, and a language without a guide shows the English one.
// Lifecycle: one window per main window, created on first use, hidden (not deleted) on close.
class GuideWindow : public QDialog {
    Q_OBJECT
public:
    explicit GuideWindow(QWidget *parent = nullptr);

    // The guide's contents page in the interface's language.
    void showContents();
    // The page currently shown (qrc:/guide/<language>/<page>.md).
    QUrl page() const;
    QTextBrowser *browser() const { return m_browser; }

    // The folder of the guide in the interface's language ("en" without a translation).
    static QString language();

private:
    void updateButtons();

    QTextBrowser *m_browser = nullptr;
    QToolButton *m_back = nullptr;
    QToolButton *m_forward = nullptr;
};

} // namespace Berth::Gui
