// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/containerterminal.h"

#include "engine/runtime/containerexec.h"
#include "ui/errortext.h"
#include "ui/widgets/terminalview.h"

#include <QFile>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace Berth::Gui {

namespace {

// A started shell's pty master until the view takes it: closed if nobody does (the tab was
// closed while the shell started), which hangs the shell up.
struct StartedShell {
    int master = -1;
    int pid = 0;
    QString shell;
    bool notRunning = false;
    ~StartedShell() {
        if (master >= 0)
            ::close(master);
    }
};

// The first shell the container's filesystem has. lstat: an absolute symlink (/bin/sh ->
// /bin/busybox) must not be followed on the host.
QString findShell(const QString &rootfs) {
    for (const char *candidate : {"/bin/bash", "/bin/sh", "/bin/ash", "/busybox/sh"}) {
        struct stat st {};
        if (::lstat(QFile::encodeName(rootfs + QLatin1String(candidate)).constData(), &st) == 0)
            return QLatin1String(candidate);
    }
    return QStringLiteral("/bin/sh");
}

} // namespace

ContainerTerminal::ContainerTerminal(Engine::Engine &engine, const QString &containerId,
                                     QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_id(containerId) {
    setObjectName(QStringLiteral("containerTerminal"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_banner = new QWidget(this);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    m_message = new QLabel(m_banner);
    m_message->setObjectName(QStringLiteral("terminalMessage"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_connect = new QPushButton(m_banner);
    m_connect->setObjectName(QStringLiteral("terminalConnect"));
    connect(m_connect, &QPushButton::clicked, this, &ContainerTerminal::connectShell);
    bannerLayout->addWidget(m_message, 1);
    bannerLayout->addWidget(m_connect);
    m_view = new TerminalView(this);
    layout->addWidget(m_banner);
    layout->addWidget(m_view, 1);
    connect(m_view, &TerminalView::sessionEnded, this, [this] {
        setState(State::Ended, tr("Session ended: the shell exited or the container stopped."),
                 tr("Reconnect"));
    });
    setState(State::Idle, tr("A shell in the container opens when this tab is shown."),
             tr("Open a shell"));
}

QString ContainerTerminal::message() const {
    return m_banner->isHidden() ? QString() : m_message->text();
}

void ContainerTerminal::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    if (m_state == State::Idle)
        connectShell();
}

void ContainerTerminal::setState(State state, const QString &message, const QString &button) {
    m_state = state;
    m_message->setText(message);
    m_connect->setText(button);
    m_connect->setVisible(!button.isEmpty());
    m_banner->setVisible(!message.isEmpty());
    Q_EMIT stateChanged(state);
}

void ContainerTerminal::connectShell() {
    if (m_state == State::Connecting || m_state == State::Connected)
        return;
    setState(State::Connecting, tr("Starting a shell in the container..."));
    Engine::Engine *engine = &m_engine;
    const QString id = m_id;
    const QSize grid = m_view->gridSize();
    m_engine
        .async([engine, id, grid]() -> Engine::Result<std::shared_ptr<StartedShell>> {
            auto started = std::make_shared<StartedShell>();
            auto record = engine->containers().get(id);
            if (!record)
                return Engine::fail(record.error());
            if (!record->isRunning()) {
                started->notRunning = true;
                return started;
            }
            started->shell = findShell(engine->containers().rootfs(id));
            Engine::ExecRequest request;
            request.cmd = {started->shell};
            Engine::ContainerExec exec(engine->containers());
            auto terminal = exec.startTerminal(id, request, grid.height(), grid.width());
            if (!terminal)
                return Engine::fail(terminal.error());
            started->master = terminal->master;
            started->pid = terminal->pid;
            return started;
        })
        .then(this, [this](const Engine::Result<std::shared_ptr<StartedShell>> &started) {
            if (!started) {
                const ErrorText text =
                    errorText(tr("The shell could not be started."), started.error());
                setState(State::Failed, text.summary + QLatin1Char('\n') + text.detail,
                         tr("Try again"));
                return;
            }
            StartedShell &shell = **started;
            if (shell.notRunning) {
                setState(State::NotRunning,
                         tr("The container is not running. Start it, then open a shell."),
                         tr("Open a shell"));
                return;
            }
            m_shell = shell.shell;
            m_view->attach(shell.master, shell.pid);
            shell.master = -1; // the view owns it now
            setState(State::Connected, QString());
            m_view->setFocus();
        });
}

} // namespace Berth::Gui
