// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace Berth::Gui {

class TerminalView;

// A container's Terminal tab: a shell in the running container (an exec with a pty, the first
// of /bin/bash, /bin/sh, /bin/ash the image has) shown in a TerminalView. The shell starts the
// first time the tab is shown, off the GUI thread. A banner says when the container is not
// running or the shell ended, with a button to connect again.
class ContainerTerminal : public QWidget {
    Q_OBJECT
public:
    enum class State { Idle, Connecting, Connected, NotRunning, Ended, Failed };

    ContainerTerminal(Engine::Engine &engine, const QString &containerId,
                      QWidget *parent = nullptr);

    TerminalView *view() const { return m_view; }
    State state() const { return m_state; }
    QString message() const; // the banner's text ("" when hidden)
    QString shell() const { return m_shell; }

public Q_SLOTS:
    // Starts a new shell (a no-op while one runs or is starting).
    void connectShell();

Q_SIGNALS:
    void stateChanged(ContainerTerminal::State state);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void setState(State state, const QString &message, const QString &button = QString());

    Engine::Engine &m_engine;
    QString m_id;
    State m_state = State::Idle;
    QString m_shell;
    TerminalView *m_view = nullptr;
    QWidget *m_banner = nullptr;
    QLabel *m_message = nullptr;
    QPushButton *m_connect = nullptr;
};

} // namespace Berth::Gui
