// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tests/support/testsupport.h"

#include <QByteArray>
#include <QList>
#include <QProcessEnvironment>
#include <QStringList>
#include <sys/ioctl.h>

namespace Berth::Test {

// One thing a user does at a terminal: wait until the output shows `after` (searched after
// where the previous step's text was found; "" = at once), then resize the terminal (when
// resize.ws_row > 0) and type `input`.
struct PtyStep {
    QByteArray after;
    QByteArray input;
    winsize resize{};
};

struct PtyResult {
    int exitCode = -1;
    QByteArray out;        // everything the terminal showed
    bool timedOut = false; // the session was killed after two minutes
    int stepsDone = 0;
};

// Runs berthctl with a pseudo-terminal of `size` as its stdio (the user's terminal; QProcess
// has none), plays `steps`, and collects what it printed until it exits and nothing holds
// the terminal any more.
PtyResult berthctlInPty(const TestStore &store, const QStringList &args,
                        const QList<PtyStep> &steps = {}, winsize size = {24, 80, 0, 0});

// The same for any program (the docker CLI).
PtyResult programInPty(const QString &program, const QStringList &args,
                       const QProcessEnvironment &environment, const QList<PtyStep> &steps = {},
                       winsize size = {24, 80, 0, 0});

} // namespace Berth::Test
