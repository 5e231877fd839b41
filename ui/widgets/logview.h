// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListView;
class QTimer;
class QToolButton;

namespace Berth::Gui {

class LogModel;

// A container's log: a list view over LogModel (only the visible rows are read), with follow
// mode (keeps the newest line in view; scrolling up turns it off), search with highlighted
// matches (plain text or a regular expression) and next/previous, a stdout/stderr filter, a
// timestamps toggle and export to a text file. Polls the file twice a second for new lines.
class LogView : public QWidget {
    Q_OBJECT
public:
    explicit LogView(QWidget *parent = nullptr);

    void setFile(const QString &path);
    LogModel *model() const { return m_model; }
    QListView *view() const { return m_view; }
    QLineEdit *searchEdit() const { return m_search; }
    bool isFollowing() const;
    void setFollowing(bool follow);
    // The row of the current search match, -1 when none.
    int currentMatchRow() const { return m_currentMatch; }

public Q_SLOTS:
    void findNext();
    void findPrevious();
    void chooseExportTarget();

Q_SIGNALS:
    void statusMessage(const QString &text);

private:
    void startSearch();
    void showMatch(int which);
    void updateMatchLabel();
    void scrollToEndIfFollowing();

    LogModel *m_model = nullptr;
    QListView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QCheckBox *m_regex = nullptr;
    QLabel *m_matches = nullptr;
    QComboBox *m_streams = nullptr;
    QCheckBox *m_timestamps = nullptr;
    QCheckBox *m_follow = nullptr;
    QToolButton *m_export = nullptr;
    QTimer *m_pollTimer = nullptr;
    QTimer *m_searchDelay = nullptr;
    int m_currentMatch = -1;
    int m_matchIndex = -1;
};

} // namespace Berth::Gui
