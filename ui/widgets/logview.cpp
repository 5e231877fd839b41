// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/logview.h"

#include "ui/errortext.h"
#include "ui/models/logmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPainter>
#include <QScrollBar>
#include <QStyledItemDelegate>
#include <QTextLayout>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {

// Draws a log row with the search matches highlighted and stderr in a warning colour.
class LogDelegate : public QStyledItemDelegate {
public:
    LogDelegate(LogModel *model, QObject *parent)
        : QStyledItemDelegate(parent)
        , m_model(model) {}

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override {
        QStyleOptionViewItem opt = option;
        initStyleOption(&opt, index);
        const QString text = opt.text;
        opt.text.clear();
        const QWidget *widget = opt.widget;
        QStyle *style = widget ? widget->style() : nullptr;
        if (!style)
            return;
        style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
        const QRect rect = style->subElementRect(QStyle::SE_ItemViewItemText, &opt, widget);

        QList<QTextLayout::FormatRange> formats;
        const QRegularExpression re = m_model->searchPattern();
        if (re.isValid() && !re.pattern().isEmpty()) {
            QTextCharFormat match;
            match.setBackground(QColor(0xff, 0xd8, 0x4d));
            match.setForeground(Qt::black);
            auto it = re.globalMatch(text);
            while (it.hasNext() && formats.size() < 100) {
                const auto m = it.next();
                if (m.capturedLength() == 0)
                    break;
                formats.append({int(m.capturedStart()), int(m.capturedLength()), match});
            }
        }
        QTextLayout layout(text, opt.font);
        layout.setFormats(formats);
        layout.beginLayout();
        QTextLine line = layout.createLine();
        if (line.isValid())
            line.setLineWidth(1e6);
        layout.endLayout();

        const bool selected = opt.state & QStyle::State_Selected;
        QColor color = opt.palette.color(selected ? QPalette::HighlightedText : QPalette::Text);
        if (!selected && index.data(LogModel::StreamRole).toString() == QLatin1String("stderr")) {
            const bool dark = opt.palette.color(QPalette::Base).lightness() < 128;
            color = dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x1c, 0x10);
        }
        painter->save();
        painter->setClipRect(rect);
        painter->setPen(color);
        const qreal y = rect.top() + (rect.height() - (line.isValid() ? line.height() : 0)) / 2;
        layout.draw(painter, QPointF(rect.left(), y));
        painter->restore();
    }

private:
    LogModel *m_model;
};

} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent)
    , m_model(new LogModel(this)) {
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("logSearch"));
    m_search->setPlaceholderText(tr("Search the log"));
    m_search->setClearButtonEnabled(true);
    m_regex = new QCheckBox(tr("Regular expression"), this);
    m_regex->setObjectName(QStringLiteral("logRegex"));
    auto *previous = new QToolButton(this);
    previous->setText(tr("Previous"));
    previous->setShortcut(QKeySequence::FindPrevious);
    auto *next = new QToolButton(this);
    next->setText(tr("Next"));
    next->setShortcut(QKeySequence::FindNext);
    m_matches = new QLabel(this);
    m_matches->setObjectName(QStringLiteral("logMatches"));
    m_streams = new QComboBox(this);
    m_streams->setObjectName(QStringLiteral("logStreams"));
    m_streams->addItem(tr("stdout and stderr"), LogModel::AllStreams);
    m_streams->addItem(tr("stdout only"), LogModel::StdoutOnly);
    m_streams->addItem(tr("stderr only"), LogModel::StderrOnly);
    m_timestamps = new QCheckBox(tr("Timestamps"), this);
    m_timestamps->setObjectName(QStringLiteral("logTimestamps"));
    m_follow = new QCheckBox(tr("Follow"), this);
    m_follow->setObjectName(QStringLiteral("logFollow"));
    m_follow->setToolTip(tr("Keep the newest line in view"));
    m_follow->setChecked(true);
    m_export = new QToolButton(this);
    m_export->setText(tr("Export…"));
    m_export->setToolTip(tr("Save the lines shown to a text file"));
    bar->addWidget(m_search, 1);
    for (QWidget *w : {static_cast<QWidget *>(m_regex), static_cast<QWidget *>(previous),
                       static_cast<QWidget *>(next), static_cast<QWidget *>(m_matches),
                       static_cast<QWidget *>(m_streams), static_cast<QWidget *>(m_timestamps),
                       static_cast<QWidget *>(m_follow), static_cast<QWidget *>(m_export)})
        bar->addWidget(w);
    layout->addLayout(bar);

    m_view = new QListView(this);
    m_view->setObjectName(QStringLiteral("logView"));
    m_view->setModel(m_model);
    m_view->setUniformItemSizes(true); // what makes millions of rows cheap
    m_view->setLayoutMode(QListView::SinglePass);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setItemDelegate(new LogDelegate(m_model, m_view));
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_view->setAccessibleName(tr("Log"));
    layout->addWidget(m_view, 1);

    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(250);
    connect(m_searchDelay, &QTimer::timeout, this, &LogView::startSearch);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &LogView::findNext);
    connect(m_regex, &QCheckBox::toggled, this, &LogView::startSearch);
    connect(next, &QToolButton::clicked, this, &LogView::findNext);
    connect(previous, &QToolButton::clicked, this, &LogView::findPrevious);
    connect(m_model, &LogModel::searchFinished, this, [this] {
        m_matchIndex = -1;
        m_currentMatch = -1;
        updateMatchLabel();
        m_view->viewport()->update();
        if (!m_model->matchingRows().isEmpty())
            findNext();
    });
    connect(m_streams, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setStreamFilter(LogModel::StreamFilter(m_streams->currentData().toInt()));
        scrollToEndIfFollowing();
    });
    connect(m_timestamps, &QCheckBox::toggled, m_model, &LogModel::setShowTimestamps);
    connect(m_follow, &QCheckBox::toggled, this, &LogView::scrollToEndIfFollowing);
    connect(m_export, &QToolButton::clicked, this, &LogView::chooseExportTarget);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &LogView::scrollToEndIfFollowing);
    connect(m_model, &QAbstractItemModel::modelReset, this, &LogView::scrollToEndIfFollowing);
    // Scrolling up by hand stops following; scrolling back to the end resumes it.
    QScrollBar *bar2 = m_view->verticalScrollBar();
    connect(bar2, &QScrollBar::actionTriggered, this, [this, bar2] {
        QTimer::singleShot(0, this,
                           [this, bar2] { setFollowing(bar2->value() >= bar2->maximum()); });
    });

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, m_model, &LogModel::poll);
    m_pollTimer->start();
}

void LogView::setFile(const QString &path) {
    m_model->setFile(path);
}

bool LogView::isFollowing() const {
    return m_follow->isChecked();
}

void LogView::setFollowing(bool follow) {
    m_follow->setChecked(follow);
}

void LogView::scrollToEndIfFollowing() {
    if (m_follow->isChecked())
        m_view->scrollToBottom();
}

void LogView::startSearch() {
    m_searchDelay->stop();
    m_model->setSearch(m_search->text(), m_regex->isChecked());
    if (!m_search->text().isEmpty() && !m_model->searchPattern().isValid())
        m_matches->setText(tr("Not a valid regular expression"));
}

void LogView::findNext() {
    const QList<int> rows = m_model->matchingRows();
    if (rows.isEmpty())
        return;
    showMatch(m_matchIndex + 1 >= rows.size() ? 0 : m_matchIndex + 1);
}

void LogView::findPrevious() {
    const QList<int> rows = m_model->matchingRows();
    if (rows.isEmpty())
        return;
    showMatch(m_matchIndex <= 0 ? int(rows.size()) - 1 : m_matchIndex - 1);
}

void LogView::showMatch(int which) {
    const QList<int> rows = m_model->matchingRows();
    if (which < 0 || which >= rows.size() || rows.at(which) >= m_model->rowCount())
        return;
    setFollowing(false); // looking at a match: do not jump away from it
    m_matchIndex = which;
    m_currentMatch = rows.at(which);
    const QModelIndex index = m_model->index(m_currentMatch);
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index, QAbstractItemView::PositionAtCenter);
    updateMatchLabel();
}

void LogView::updateMatchLabel() {
    const qsizetype count = m_model->matchingRows().size();
    if (m_search->text().isEmpty())
        m_matches->clear();
    else if (count == 0)
        m_matches->setText(tr("No matches"));
    else if (m_matchIndex < 0)
        m_matches->setText(count == 1 ? tr("1 match") : tr("%1 matches").arg(count));
    else
        m_matches->setText(tr("%1 of %2").arg(m_matchIndex + 1).arg(count));
}

void LogView::chooseExportTarget() {
    auto *dialog = new QFileDialog(this, tr("Export log"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilter(tr("Text files (*.txt *.log)"));
    dialog->selectFile(QStringLiteral("container.log"));
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_model->exportTo(path).then(this, [this, path](const Engine::Status &status) {
            if (!status)
                showError(this, tr("The log could not be exported."), status.error());
            else
                Q_EMIT statusMessage(tr("Exported the log to %1").arg(path));
        });
    });
    dialog->open();
}

} // namespace Berth::Gui
