// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/terminalview.h"

#include <QApplication>
#include <QClipboard>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QSocketNotifier>
#include <cerrno>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <vterm.h>

namespace Berth::Gui {

namespace {

constexpr int kScrollbackLimit = 5000;
// Read at most this much per wake-up, so a process that floods its terminal cannot starve the
// GUI thread; the notifier fires again for the rest.
constexpr qsizetype kReadBudget = 256 << 10;
constexpr char32_t kWideRightHalf = 0xFFFFFFFF;
constexpr int kPadding = 4; // pixels between the frame and the character grid

VTermKey vtermKey(int key) {
    switch (key) {
    case Qt::Key_Return:
    case Qt::Key_Enter:
        return VTERM_KEY_ENTER;
    case Qt::Key_Tab:
    case Qt::Key_Backtab:
        return VTERM_KEY_TAB;
    case Qt::Key_Backspace:
        return VTERM_KEY_BACKSPACE;
    case Qt::Key_Escape:
        return VTERM_KEY_ESCAPE;
    case Qt::Key_Up:
        return VTERM_KEY_UP;
    case Qt::Key_Down:
        return VTERM_KEY_DOWN;
    case Qt::Key_Left:
        return VTERM_KEY_LEFT;
    case Qt::Key_Right:
        return VTERM_KEY_RIGHT;
    case Qt::Key_Insert:
        return VTERM_KEY_INS;
    case Qt::Key_Delete:
        return VTERM_KEY_DEL;
    case Qt::Key_Home:
        return VTERM_KEY_HOME;
    case Qt::Key_End:
        return VTERM_KEY_END;
    case Qt::Key_PageUp:
        return VTERM_KEY_PAGEUP;
    case Qt::Key_PageDown:
        return VTERM_KEY_PAGEDOWN;
    default:
        break;
    }
    if (key >= Qt::Key_F1 && key <= Qt::Key_F12)
        return VTermKey(VTERM_KEY_FUNCTION(key - Qt::Key_F1 + 1));
    return VTERM_KEY_NONE;
}

VTermModifier vtermModifiers(Qt::KeyboardModifiers m) {
    int mod = VTERM_MOD_NONE;
    if (m & Qt::ShiftModifier)
        mod |= VTERM_MOD_SHIFT;
    if (m & Qt::AltModifier)
        mod |= VTERM_MOD_ALT;
    if (m & Qt::ControlModifier)
        mod |= VTERM_MOD_CTRL;
    return VTermModifier(mod);
}

// Keys left to the dialog around the terminal: switching tabs.
bool leftToParent(const QKeyEvent *e) {
    return (e->modifiers() & Qt::ControlModifier) &&
           (e->key() == Qt::Key_Tab || e->key() == Qt::Key_Backtab || e->key() == Qt::Key_PageUp ||
            e->key() == Qt::Key_PageDown);
}

bool isCopy(const QKeyEvent *e) {
    const Qt::KeyboardModifiers m = e->modifiers() & ~Qt::KeypadModifier;
    return m == (Qt::ControlModifier | Qt::ShiftModifier) && e->key() == Qt::Key_C;
}

bool isPaste(const QKeyEvent *e) {
    const Qt::KeyboardModifiers m = e->modifiers() & ~Qt::KeypadModifier;
    return (m == (Qt::ControlModifier | Qt::ShiftModifier) && e->key() == Qt::Key_V) ||
           (m == Qt::ShiftModifier && e->key() == Qt::Key_Insert);
}

} // namespace

struct TerminalCallbacks {
    static TerminalView *view(void *user) { return static_cast<TerminalView *>(user); }

    static TerminalView::Cell convert(const VTermScreen *screen, const VTermScreenCell &c) {
        TerminalView::Cell out;
        out.ch = c.chars[0];
        if (out.ch != 0 && out.ch != kWideRightHalf)
            out.combining = c.chars[1];
        out.width = quint8(qBound(1, int(c.width), 2));
        quint8 flags = 0;
        if (c.attrs.bold)
            flags |= TerminalView::Bold;
        if (c.attrs.italic)
            flags |= TerminalView::Italic;
        if (c.attrs.underline)
            flags |= TerminalView::Underline;
        if (c.attrs.strike)
            flags |= TerminalView::Strike;
        if (c.attrs.reverse)
            flags |= TerminalView::Reverse;
        if (VTERM_COLOR_IS_DEFAULT_FG(&c.fg)) {
            flags |= TerminalView::DefaultFg;
        } else {
            VTermColor fg = c.fg;
            vterm_screen_convert_color_to_rgb(screen, &fg);
            out.fg = qRgb(fg.rgb.red, fg.rgb.green, fg.rgb.blue);
        }
        if (VTERM_COLOR_IS_DEFAULT_BG(&c.bg)) {
            flags |= TerminalView::DefaultBg;
        } else {
            VTermColor bg = c.bg;
            vterm_screen_convert_color_to_rgb(screen, &bg);
            out.bg = qRgb(bg.rgb.red, bg.rgb.green, bg.rgb.blue);
        }
        out.flags = flags;
        return out;
    }

    static void output(const char *bytes, size_t len, void *user) {
        view(user)->m_pending.append(bytes, qsizetype(len));
    }

    static int moveCursor(VTermPos pos, VTermPos, int, void *user) {
        TerminalView *v = view(user);
        v->m_cursorRow = pos.row;
        v->m_cursorCol = pos.col;
        return 1;
    }

    static int setProperty(VTermProp prop, VTermValue *value, void *user) {
        if (prop == VTERM_PROP_CURSORVISIBLE) {
            view(user)->m_cursorVisible = value->boolean;
        }
        return 1;
    }

    static int pushLine(int cols, const VTermScreenCell *cells, void *user) {
        TerminalView *v = view(user);
        // Trailing blanks cost memory and time (most lines are short) and tell nothing.
        int used = cols;
        while (used > 0 && cells[used - 1].chars[0] == 0 &&
               VTERM_COLOR_IS_DEFAULT_BG(&cells[used - 1].bg) && !cells[used - 1].attrs.reverse)
            --used;
        TerminalView::Line line(used);
        for (int i = 0; i < used; ++i)
            line[i] = convert(v->m_screen, cells[i]);
        v->m_scrollback.append(std::move(line));
        if (v->m_scrollback.size() > kScrollbackLimit)
            v->m_scrollback.removeFirst();
        return 1;
    }

    static int popLine(int cols, VTermScreenCell *cells, void *user) {
        TerminalView *v = view(user);
        if (v->m_scrollback.isEmpty())
            return 0;
        const TerminalView::Line line = v->m_scrollback.takeLast();
        VTermColor defaultFg, defaultBg;
        vterm_state_get_default_colors(vterm_obtain_state(v->m_vt), &defaultFg, &defaultBg);
        for (int i = 0; i < cols; ++i) {
            VTermScreenCell &c = cells[i];
            c = VTermScreenCell{};
            c.width = 1;
            c.fg = defaultFg;
            c.bg = defaultBg;
            if (i >= line.size())
                continue;
            const TerminalView::Cell &from = line[i];
            c.chars[0] = from.ch;
            c.chars[1] = from.ch && from.ch != kWideRightHalf ? from.combining : 0;
            c.width = char(from.width);
            c.attrs.bold = (from.flags & TerminalView::Bold) != 0;
            c.attrs.italic = (from.flags & TerminalView::Italic) != 0;
            c.attrs.underline = (from.flags & TerminalView::Underline) ? 1 : 0;
            c.attrs.strike = (from.flags & TerminalView::Strike) != 0;
            c.attrs.reverse = (from.flags & TerminalView::Reverse) != 0;
            if (!(from.flags & TerminalView::DefaultFg))
                vterm_color_rgb(&c.fg, quint8(qRed(from.fg)), quint8(qGreen(from.fg)),
                                quint8(qBlue(from.fg)));
            if (!(from.flags & TerminalView::DefaultBg))
                vterm_color_rgb(&c.bg, quint8(qRed(from.bg)), quint8(qGreen(from.bg)),
                                quint8(qBlue(from.bg)));
        }
        return 1;
    }
};

namespace {
// No damage callback: the view repaints once after each read from the pty (and on resize),
// not once per changed cell.
const VTermScreenCallbacks kScreenCallbacks = {
    nullptr, nullptr, TerminalCallbacks::moveCursor, TerminalCallbacks::setProperty,
    nullptr, nullptr, TerminalCallbacks::pushLine,   TerminalCallbacks::popLine,
};
} // namespace

TerminalView::TerminalView(QWidget *parent)
    : QAbstractScrollArea(parent) {
    setObjectName(QStringLiteral("terminalView"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAutoFillBackground(false);

    m_vt = vterm_new(m_rows, m_cols);
    vterm_set_utf8(m_vt, 1);
    vterm_output_set_callback(m_vt, TerminalCallbacks::output, this);
    m_screen = vterm_obtain_screen(m_vt);
    vterm_screen_set_callbacks(m_screen, &kScreenCallbacks, this);
    vterm_screen_enable_altscreen(m_screen, 1);
    vterm_screen_reset(m_screen, 1);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont)); // updates the grid
    updateGrid();
}

TerminalView::~TerminalView() {
    detach();
    vterm_free(m_vt);
}

void TerminalView::attach(int masterFd, int pid) {
    detach();
    m_scrollback.clear();
    clearSelection();
    vterm_screen_reset(m_screen, 1);
    m_cursorVisible = true;
    m_master = masterFd;
    winsize ws{};
    ws.ws_row = ushort(m_rows);
    ws.ws_col = ushort(m_cols);
    ::ioctl(m_master, TIOCSWINSZ, &ws);
    m_readNotifier = new QSocketNotifier(m_master, QSocketNotifier::Read, this);
    connect(m_readNotifier, &QSocketNotifier::activated, this, &TerminalView::readMaster);
    m_writeNotifier = new QSocketNotifier(m_master, QSocketNotifier::Write, this);
    m_writeNotifier->setEnabled(false);
    connect(m_writeNotifier, &QSocketNotifier::activated, this, &TerminalView::writePending);
    if (pid > 0)
        m_pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
    if (m_pidfd >= 0) {
        m_exitNotifier = new QSocketNotifier(m_pidfd, QSocketNotifier::Read, this);
        connect(m_exitNotifier, &QSocketNotifier::activated, this, [this] {
            readMaster(); // what it wrote just before it ended
            if (isAttached())
                endSession();
        });
    }
    updateScrollBar(true);
    viewport()->update();
}

void TerminalView::detach() {
    delete m_readNotifier;
    m_readNotifier = nullptr;
    delete m_writeNotifier;
    m_writeNotifier = nullptr;
    delete m_exitNotifier;
    m_exitNotifier = nullptr;
    if (m_master >= 0)
        ::close(m_master);
    m_master = -1;
    if (m_pidfd >= 0)
        ::close(m_pidfd);
    m_pidfd = -1;
    m_pending.clear();
}

void TerminalView::endSession() {
    detach();
    viewport()->update();
    Q_EMIT sessionEnded();
}

void TerminalView::readMaster() {
    if (m_master < 0)
        return;
    const bool atBottom = verticalScrollBar()->value() == verticalScrollBar()->maximum();
    char buf[65536];
    qsizetype total = 0;
    bool ended = false;
    while (total < kReadBudget) {
        const ssize_t n = ::read(m_master, buf, sizeof buf);
        if (n > 0) {
            vterm_input_write(m_vt, buf, size_t(n));
            total += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        // 0 or EIO: nobody holds the terminal's other side any more.
        ended = n == 0 || errno != EAGAIN;
        break;
    }
    updateScrollBar(atBottom);
    viewport()->update();
    writePending(); // answers to the process's queries (cursor position and the like)
    if (ended)
        endSession();
}

void TerminalView::writePending() {
    while (!m_pending.isEmpty() && m_master >= 0) {
        const ssize_t n = ::write(m_master, m_pending.constData(), size_t(m_pending.size()));
        if (n > 0) {
            m_pending.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            m_writeNotifier->setEnabled(true);
            return;
        }
        m_pending.clear(); // the session is ending; the read side reports it
    }
    if (m_writeNotifier)
        m_writeNotifier->setEnabled(false);
}

void TerminalView::sendText(const QString &text) {
    vterm_keyboard_start_paste(m_vt);
    for (const char32_t u : text.toUcs4())
        if (u >= 0x20 || u == '\n' || u == '\r' || u == '\t')
            vterm_keyboard_unichar(m_vt, u == '\n' ? '\r' : u, VTERM_MOD_NONE);
    vterm_keyboard_end_paste(m_vt);
    writePending();
}

void TerminalView::updateGrid() {
    const QFontMetrics fm(font());
    m_cellWidth = qMax(1, fm.horizontalAdvance(QLatin1Char('M')));
    m_cellHeight = qMax(1, fm.height());
    m_ascent = fm.ascent();
    const int cols = qMax(2, (viewport()->width() - 2 * kPadding) / m_cellWidth);
    const int rows = qMax(2, (viewport()->height() - 2 * kPadding) / m_cellHeight);
    if (cols != m_cols || rows != m_rows) {
        const bool atBottom = verticalScrollBar()->value() == verticalScrollBar()->maximum();
        m_cols = cols;
        m_rows = rows;
        vterm_set_size(m_vt, rows, cols);
        if (m_master >= 0) {
            winsize ws{};
            ws.ws_row = ushort(rows);
            ws.ws_col = ushort(cols);
            ::ioctl(m_master, TIOCSWINSZ, &ws); // the kernel tells the process (SIGWINCH)
        }
        updateScrollBar(atBottom);
    }
    viewport()->update();
}

void TerminalView::updateScrollBar(bool stickToBottom) {
    QScrollBar *bar = verticalScrollBar();
    const int value = bar->value();
    bar->setRange(0, int(m_scrollback.size()));
    bar->setPageStep(m_rows);
    bar->setSingleStep(1);
    bar->setValue(stickToBottom ? bar->maximum() : value);
}

TerminalView::Line TerminalView::screenLine(int row) const {
    Line line(m_cols);
    for (int col = 0; col < m_cols; ++col) {
        VTermScreenCell cell{};
        vterm_screen_get_cell(m_screen, VTermPos{row, col}, &cell);
        line[col] = TerminalCallbacks::convert(m_screen, cell);
    }
    return line;
}

TerminalView::Line TerminalView::lineAt(int line) const {
    if (line < 0)
        return {};
    if (line < m_scrollback.size())
        return m_scrollback.at(line);
    const int row = line - int(m_scrollback.size());
    return row < m_rows ? screenLine(row) : Line();
}

QString TerminalView::screenText() const {
    QStringList lines;
    for (int row = 0; row < m_rows; ++row) {
        QString text;
        for (const Cell &c : screenLine(row)) {
            if (c.ch == kWideRightHalf)
                continue;
            text += c.ch ? QString::fromUcs4(&c.ch, 1) : QStringLiteral(" ");
        }
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        lines.append(text);
    }
    return lines.join(QLatin1Char('\n'));
}

void TerminalView::paintEvent(QPaintEvent *) {
    QPainter p(viewport());
    const QColor defaultFg = palette().color(QPalette::Text);
    const QColor defaultBg = palette().color(QPalette::Base);
    p.fillRect(viewport()->rect(), defaultBg);
    p.translate(kPadding, kPadding);
    const int top = verticalScrollBar()->value();
    const QFont base = font();
    for (int r = 0; r < m_rows; ++r) {
        const Line line = lineAt(top + r);
        const int y = r * m_cellHeight;
        int col = 0;
        while (col < line.size()) {
            const Cell &first = line[col];
            if (first.ch == kWideRightHalf) {
                ++col;
                continue;
            }
            // A run of cells with one style; plain ASCII runs are drawn as one string, other
            // characters one cell at a time so fallback fonts cannot shift the grid.
            const bool ascii = first.ch < 0x80 && first.width == 1 && !first.combining;
            int end = col + 1;
            QString text = first.ch ? QString::fromUcs4(&first.ch, 1) : QStringLiteral(" ");
            if (first.combining)
                text += QString::fromUcs4(&first.combining, 1);
            while (ascii && end < line.size() && line[end].ch < 0x80 && line[end].width == 1 &&
                   !line[end].combining && line[end].flags == first.flags &&
                   line[end].fg == first.fg && line[end].bg == first.bg) {
                text += line[end].ch ? QChar(char16_t(line[end].ch)) : QLatin1Char(' ');
                ++end;
            }
            const int cells = ascii ? end - col : first.width;
            QColor fg = first.flags & DefaultFg ? defaultFg : QColor(QRgb(first.fg));
            QColor bg = first.flags & DefaultBg ? defaultBg : QColor(QRgb(first.bg));
            if (first.flags & Reverse)
                std::swap(fg, bg);
            const QRect rect(col * m_cellWidth, y, cells * m_cellWidth, m_cellHeight);
            if (bg != defaultBg)
                p.fillRect(rect, bg);
            if (!text.trimmed().isEmpty()) {
                QFont f = base;
                f.setBold(first.flags & Bold);
                f.setItalic(first.flags & Italic);
                f.setUnderline(first.flags & Underline);
                f.setStrikeOut(first.flags & Strike);
                p.setFont(f);
                p.setPen(fg);
                p.drawText(QPoint(rect.left(), y + m_ascent), text);
            }
            col = ascii ? end : col + first.width;
        }
    }
    // The selection over what is painted.
    if (hasSelection()) {
        const QColor highlight = palette().color(QPalette::Highlight);
        const QColor highlighted = palette().color(QPalette::HighlightedText);
        p.setFont(base);
        for (int r = 0; r < m_rows; ++r) {
            const Line line = lineAt(top + r);
            for (int col = 0; col < m_cols; ++col) {
                if (!isSelected(top + r, col))
                    continue;
                const QRect rect(col * m_cellWidth, r * m_cellHeight, m_cellWidth, m_cellHeight);
                p.fillRect(rect, highlight);
                if (col < line.size() && line[col].ch && line[col].ch != kWideRightHalf) {
                    p.setPen(highlighted);
                    p.drawText(QPoint(rect.left(), rect.top() + m_ascent),
                               QString::fromUcs4(&line[col].ch, 1));
                }
            }
        }
    }
    // The cursor, when its row is in view: a block while focused, an outline otherwise.
    const int cursorLine = int(m_scrollback.size()) + m_cursorRow - top;
    if (m_cursorVisible && isAttached() && cursorLine >= 0 && cursorLine < m_rows) {
        const QRect rect(m_cursorCol * m_cellWidth, cursorLine * m_cellHeight, m_cellWidth,
                         m_cellHeight);
        if (hasFocus()) {
            p.fillRect(rect, defaultFg);
            VTermScreenCell cell{};
            vterm_screen_get_cell(m_screen, VTermPos{m_cursorRow, m_cursorCol}, &cell);
            if (cell.chars[0] && cell.chars[0] != kWideRightHalf) {
                const char32_t ch = cell.chars[0];
                p.setFont(base);
                p.setPen(defaultBg);
                p.drawText(QPoint(rect.left(), rect.top() + m_ascent), QString::fromUcs4(&ch, 1));
            }
        } else {
            p.setPen(defaultFg);
            p.drawRect(rect.adjusted(0, 0, -1, -1));
        }
    }
}

void TerminalView::resizeEvent(QResizeEvent *event) {
    QAbstractScrollArea::resizeEvent(event);
    updateGrid();
}

bool TerminalView::event(QEvent *event) {
    // Ctrl-keys and Escape belong to the shell, not to the window's shortcuts.
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (!leftToParent(key)) {
            key->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

bool TerminalView::focusNextPrevChild(bool) {
    return false; // Tab completes in the shell; Ctrl+Tab leaves (QTabWidget)
}

void TerminalView::keyPressEvent(QKeyEvent *e) {
    if (leftToParent(e)) {
        e->ignore();
        return;
    }
    QScrollBar *bar = verticalScrollBar();
    const Qt::KeyboardModifiers m = e->modifiers() & ~Qt::KeypadModifier;
    if (m == Qt::ShiftModifier && (e->key() == Qt::Key_PageUp || e->key() == Qt::Key_PageDown)) {
        bar->setValue(bar->value() + (e->key() == Qt::Key_PageUp ? -1 : 1) * bar->pageStep());
        return;
    }
    if (isCopy(e)) {
        copy();
        return;
    }
    if (isPaste(e)) {
        paste();
        return;
    }
    const VTermModifier mod = vtermModifiers(m);
    const VTermModifier noShift = VTermModifier(mod & ~VTERM_MOD_SHIFT);
    const int key = e->key();
    if (const VTermKey special = vtermKey(key); special != VTERM_KEY_NONE) {
        vterm_keyboard_key(m_vt, special, mod);
    } else if ((m & Qt::ControlModifier) && key >= Qt::Key_A && key <= Qt::Key_Z) {
        vterm_keyboard_unichar(m_vt, uint32_t('a' + (key - Qt::Key_A)), noShift);
    } else if ((m & Qt::ControlModifier) && key == Qt::Key_BracketLeft) {
        vterm_keyboard_key(m_vt, VTERM_KEY_ESCAPE, VTermModifier(noShift & ~VTERM_MOD_CTRL));
    } else if ((m & Qt::ControlModifier) &&
               (key == Qt::Key_Backslash || key == Qt::Key_BracketRight ||
                key == Qt::Key_AsciiCircum || key == Qt::Key_Underscore)) {
        const char ch = key == Qt::Key_Backslash      ? '\\'
                        : key == Qt::Key_BracketRight ? ']'
                        : key == Qt::Key_AsciiCircum  ? '^'
                                                      : '_';
        vterm_keyboard_unichar(m_vt, uint32_t(ch), noShift);
    } else if ((m & Qt::ControlModifier) && (key == Qt::Key_Space || key == Qt::Key_At)) {
        vterm_keyboard_unichar(m_vt, ' ', noShift); // NUL
    } else {
        const QString text = e->text();
        bool sent = false;
        for (const char32_t u : text.toUcs4()) {
            if (u < 0x20 || u == 0x7f)
                continue;
            vterm_keyboard_unichar(m_vt, u, VTermModifier(mod & VTERM_MOD_ALT));
            sent = true;
        }
        if (!sent) {
            e->ignore();
            return;
        }
    }
    e->accept();
    clearSelection();
    bar->setValue(bar->maximum());
    writePending();
}

void TerminalView::inputMethodEvent(QInputMethodEvent *event) {
    for (const char32_t u : event->commitString().toUcs4())
        vterm_keyboard_unichar(m_vt, u, VTERM_MOD_NONE);
    writePending();
    event->accept();
}

QVariant TerminalView::inputMethodQuery(Qt::InputMethodQuery query) const {
    if (query == Qt::ImCursorRectangle)
        return QRect(kPadding + m_cursorCol * m_cellWidth,
                     kPadding +
                         (int(m_scrollback.size()) + m_cursorRow - verticalScrollBar()->value()) *
                             m_cellHeight,
                     m_cellWidth, m_cellHeight);
    if (query == Qt::ImFont)
        return font();
    return QAbstractScrollArea::inputMethodQuery(query);
}

void TerminalView::focusInEvent(QFocusEvent *event) {
    QAbstractScrollArea::focusInEvent(event);
    viewport()->update();
}

void TerminalView::focusOutEvent(QFocusEvent *event) {
    QAbstractScrollArea::focusOutEvent(event);
    viewport()->update();
}

void TerminalView::scrollContentsBy(int, int) {
    viewport()->update();
}

void TerminalView::changeEvent(QEvent *event) {
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        updateGrid();
    else if (event->type() == QEvent::PaletteChange)
        viewport()->update();
}

QPoint TerminalView::cellAt(const QPoint &pos) const {
    const int col = qBound(0, (pos.x() - kPadding + m_cellWidth / 2) / m_cellWidth, m_cols);
    const int row = qBound(0, (pos.y() - kPadding) / m_cellHeight, m_rows - 1);
    return QPoint(col, verticalScrollBar()->value() + row);
}

bool TerminalView::isSelected(int line, int col) const {
    if (!hasSelection())
        return false;
    auto before = [](QPoint a, QPoint b) { // in reading order
        return a.y() < b.y() || (a.y() == b.y() && a.x() < b.x());
    };
    const QPoint start =
        before(m_selectionEnd, m_selectionAnchor) ? m_selectionEnd : m_selectionAnchor;
    const QPoint end = start == m_selectionAnchor ? m_selectionEnd : m_selectionAnchor;
    const QPoint cell(col, line);
    return !before(cell, start) && before(cell, end);
}

QString TerminalView::selectedText() const {
    if (!hasSelection())
        return QString();
    const int first = qMin(m_selectionAnchor.y(), m_selectionEnd.y());
    const int last = qMax(m_selectionAnchor.y(), m_selectionEnd.y());
    QStringList lines;
    for (int l = first; l <= last; ++l) {
        const Line line = lineAt(l);
        QString text;
        for (int col = 0; col < line.size(); ++col) {
            const Cell &c = line[col];
            if (!isSelected(l, col) || c.ch == kWideRightHalf)
                continue;
            text += c.ch ? QString::fromUcs4(&c.ch, 1) : QStringLiteral(" ");
        }
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        lines.append(text);
    }
    return lines.join(QLatin1Char('\n'));
}

void TerminalView::clearSelection() {
    if (!hasSelection())
        return;
    m_selectionEnd = m_selectionAnchor;
    viewport()->update();
}

void TerminalView::copy() {
    if (hasSelection())
        QApplication::clipboard()->setText(selectedText());
}

void TerminalView::paste() {
    sendText(QApplication::clipboard()->text());
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

void TerminalView::mousePressEvent(QMouseEvent *event) {
    if (event->button() == Qt::LeftButton) {
        setFocus(Qt::MouseFocusReason);
        m_selecting = true;
        m_selectionAnchor = m_selectionEnd = cellAt(event->position().toPoint());
        viewport()->update();
    } else if (event->button() == Qt::MiddleButton &&
               QApplication::clipboard()->supportsSelection()) {
        sendText(QApplication::clipboard()->text(QClipboard::Selection)); // X11's paste
    }
}

void TerminalView::mouseMoveEvent(QMouseEvent *event) {
    if (!m_selecting)
        return;
    m_selectionEnd = cellAt(event->position().toPoint());
    viewport()->update();
}

void TerminalView::mouseReleaseEvent(QMouseEvent *event) {
    if (event->button() != Qt::LeftButton || !m_selecting)
        return;
    m_selecting = false;
    if (hasSelection() && QApplication::clipboard()->supportsSelection())
        QApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
}

void TerminalView::mouseDoubleClickEvent(QMouseEvent *event) {
    if (event->button() != Qt::LeftButton)
        return;
    // The word under the pointer.
    const QPoint cell = cellAt(event->position().toPoint() - QPoint(m_cellWidth / 2, 0));
    const Line line = lineAt(cell.y());
    auto isWordChar = [&line](int col) {
        return col >= 0 && col < line.size() && line[col].ch > ' ' &&
               line[col].ch != kWideRightHalf;
    };
    if (!isWordChar(cell.x()))
        return;
    int start = cell.x();
    int end = cell.x() + 1;
    while (isWordChar(start - 1))
        --start;
    while (isWordChar(end))
        ++end;
    m_selectionAnchor = QPoint(start, cell.y());
    m_selectionEnd = QPoint(end, cell.y());
    m_selecting = false;
    if (QApplication::clipboard()->supportsSelection())
        QApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
    viewport()->update();
}

void TerminalView::contextMenuEvent(QContextMenuEvent *event) {
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("Copy"), this, &TerminalView::copy);
    copyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    copyAction->setEnabled(hasSelection());
    QAction *pasteAction = menu.addAction(tr("Paste"), this, &TerminalView::paste);
    pasteAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_V));
    pasteAction->setEnabled(isAttached() && !QApplication::clipboard()->text().isEmpty());
    menu.exec(event->globalPos());
}

} // namespace Berth::Gui
