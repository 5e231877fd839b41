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
    // The size of one character cell in pixels.
    QSize cellSize() const { return QSize(m_cellWidth, m_cellHeight); }
    // What the mouse selected (lines joined by '\n', trailing blanks removed); "" when nothing.
    QString selectedText() const;

public Q_SLOTS:
    void copy();  // the selection to the clipboard
    void paste(); // the clipboard's text to the process

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
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

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
    QPoint cellAt(const QPoint &viewportPos) const; // (column, line) under a point
    bool hasSelection() const { return m_selectionAnchor != m_selectionEnd; }
    bool isSelected(int line, int col) const;
    void clearSelection();

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
    // The mouse selection, in (line of scrollback + screen, column) positions; anchor and
    // moving end, in any order. Equal: nothing selected.
    QPoint m_selectionAnchor;
    QPoint m_selectionEnd;
    bool m_selecting = false;
};

} // namespace Berth::Gui
