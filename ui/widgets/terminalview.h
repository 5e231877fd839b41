// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractScrollArea>
#include <QByteArray>
#include <QList>
#include <QVector>
#include <memory>

struct VTerm;
struct VTermScreen;
class QSocketNotifier;

namespace Berth::Gui {

// A terminal on a pseudo-terminal master: libvterm parses what the process writes and keeps
// the screen; this widget paints its cells (a monospace grid with colours, attributes, the
// cursor and a scrollback of a few thousand lines), turns key presses into the bytes a
// terminal sends (through vterm's keyboard functions: ctrl-keys, arrows, function keys) and
// sets the pty's window size when the widget is resized. The master is read when a
// QSocketNotifier says it is readable and written without blocking (what the pty cannot take
// yet waits in a buffer), so the GUI thread never waits on the process.
class TerminalView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit TerminalView(QWidget *parent = nullptr);
    ~TerminalView() override;

    // Takes ownership of `masterFd` (a pty master) and shows its session on a cleared screen.
    // `pid` is the process on the other side, watched for its end (0: only the pty tells).
    void attach(int masterFd, int pid);
    // Closes the master, which hangs the session up (the shell gets SIGHUP).
    void detach();
    bool isAttached() const { return m_master >= 0; }

    // Columns x rows that fit the widget now (what a session started now should get).
    QSize gridSize() const { return QSize(m_cols, m_rows); }
    // The visible screen (not the scrollback), one line per row, trailing blanks removed.
    QString screenText() const;
    int scrollbackLines() const { return int(m_scrollback.size()); }
    // Sends text as if typed (a paste).
    void sendText(const QString &text);

Q_SIGNALS:
    // The process ended (or hung up); the last screen stays visible.
    void sessionEnded();

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void inputMethodEvent(QInputMethodEvent *event) override;
    QVariant inputMethodQuery(Qt::InputMethodQuery query) const override;
    void focusInEvent(QFocusEvent *event) override;
    void focusOutEvent(QFocusEvent *event) override;
    bool focusNextPrevChild(bool next) override;
    void scrollContentsBy(int dx, int dy) override;
    void changeEvent(QEvent *event) override;

private:
    // One cell as painted (resolved from libvterm's cell, also kept in the scrollback).
    struct Cell {
        char32_t ch = 0; // 0: blank; 0xFFFFFFFF: right half of a wide character
        char32_t combining = 0;
        quint32 fg = 0; // QRgb, unless DefaultFg
        quint32 bg = 0; // QRgb, unless DefaultBg
        quint8 flags = 0;
        quint8 width = 1;
    };
    enum CellFlag : quint8 {
        Bold = 1,
        Italic = 2,
        Underline = 4,
        Strike = 8,
        Reverse = 16,
        DefaultFg = 32,
        DefaultBg = 64
    };
    using Line = QVector<Cell>;

    void readMaster();
    void writePending();
    void endSession();
    void updateGrid();
    void updateScrollBar(bool stickToBottom);
    Line screenLine(int row) const;
    // Line `line` of scrollback followed by screen (0: the oldest scrollback line).
    Line lineAt(int line) const;

    friend struct TerminalCallbacks;

    VTerm *m_vt = nullptr;
    VTermScreen *m_screen = nullptr;
    int m_rows = 24;
    int m_cols = 80;
    int m_cellWidth = 8;
    int m_cellHeight = 16;
    int m_ascent = 12;
    int m_cursorRow = 0;
    int m_cursorCol = 0;
    bool m_cursorVisible = true;
    QList<Line> m_scrollback; // oldest first
    int m_master = -1;
    int m_pidfd = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QSocketNotifier *m_exitNotifier = nullptr;
    QByteArray m_pending; // typed bytes the pty has not taken yet
};

} // namespace Berth::Gui
