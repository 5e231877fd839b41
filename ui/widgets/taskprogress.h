// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>
#include <atomic>
#include <memory>
#include <mutex>

class QLabel;
class QProgressBar;
class QTimer;
class QToolButton;

namespace Berth::Gui {

// The progress of one long engine operation (load, save, import), shown in the status bar.
// The worker thread writes into a shared State; the widget polls it a few times a second, so a
// fast progress handler never floods the GUI thread with events.
class TaskProgress : public QWidget {
    Q_OBJECT
public:
    struct State {
        std::atomic<qint64> done{0};
        std::atomic<qint64> total{-1};
        std::atomic<bool> cancel{false};
        void setItem(const QString &item) {
            std::lock_guard lock(mutex);
            m_item = item;
        }
        QString item() const {
            std::lock_guard lock(mutex);
            return m_item;
        }

    private:
        mutable std::mutex mutex;
        QString m_item;
    };

    explicit TaskProgress(QWidget *parent = nullptr);

    // Shows `title` and a progress bar until finish(); the Cancel button sets State::cancel.
    enum class Cancellable { No, Yes };
    std::shared_ptr<State> start(const QString &title, Cancellable cancellable);
    void finish();
    bool isRunning() const { return m_state != nullptr; }

private:
    void poll();

    std::shared_ptr<State> m_state;
    QString m_title;
    QLabel *m_label = nullptr;
    QProgressBar *m_bar = nullptr;
    QToolButton *m_cancel = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace Berth::Gui
