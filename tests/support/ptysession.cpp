// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/ptysession.h"

#include <QDeadlineTimer>
#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace Berth::Test {

PtyResult berthctlInPty(const TestStore &store, const QStringList &args,
                        const QList<PtyStep> &steps, winsize size) {
    return programInPty(QStringLiteral(BERTH_BERTHCTL), args, store.environment(), steps, size);
}

PtyResult programInPty(const QString &program, const QStringList &args,
                       const QProcessEnvironment &environment, const QList<PtyStep> &steps,
                       winsize size) {
    QList<QByteArray> storage{program.toLocal8Bit()};
    for (const QString &a : args)
        storage.append(a.toUtf8());
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    QList<QByteArray> envStorage;
    for (const QString &e : environment.toStringList())
        envStorage.append(e.toUtf8());
    std::vector<char *> envp;
    for (QByteArray &e : envStorage)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    PtyResult result;
    int master = -1;
    const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
    if (pid < 0)
        return result;
    if (pid == 0) {
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    // A generous bound so a hung test fails instead of blocking the suite; not a timing claim.
    QDeadlineTimer deadline(120000);
    qsizetype searchFrom = 0;
    for (;;) {
        while (result.stepsDone < steps.size()) {
            const PtyStep &step = steps[result.stepsDone];
            const qsizetype at = result.out.indexOf(step.after, searchFrom);
            if (at < 0)
                break;
            searchFrom = at + step.after.size();
            if (step.resize.ws_row > 0)
                ::ioctl(master, TIOCSWINSZ, &step.resize);
            if (!step.input.isEmpty() &&
                ::write(master, step.input.constData(), size_t(step.input.size())) < 0)
                break;
            ++result.stepsDone;
        }
        pollfd p{master, POLLIN, 0};
        if (::poll(&p, 1, 200) > 0) {
            char buf[4096];
            const ssize_t n = ::read(master, buf, sizeof buf);
            if (n > 0) {
                result.out.append(buf, n);
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            break; // EIO: the program and everything holding the terminal is gone
        }
        if (deadline.hasExpired()) {
            result.timedOut = true;
            ::kill(pid, SIGKILL);
            break;
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(master);
    result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

} // namespace Berth::Test
