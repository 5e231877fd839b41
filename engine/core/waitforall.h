// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QFuture>
#include <QList>
#include <QThread>
#include <atomic>
#include <functional>
#include <optional>

namespace Berth::Engine {

// Waits until every one of a batch of parallel transfers (pull's, push's) has finished, and
// returns their outcome: the first real error (a cancellation only when nothing else failed),
// or Cancelled when `cancel` was set. While they run it passes the caller's cancellation to
// them (sets `abortAll`, which each transfer watches) and calls `tick` (e.g. to flush progress
// after a quiet spell) every `intervalMs`. QFuture has no wait on several futures that also
// watches an atomic flag, hence the short sleeps.
inline Status waitForAll(const QList<QFuture<Status>> &futures, const std::atomic<bool> *cancel,
                         std::atomic<bool> &abortAll, const std::function<void()> &tick = {},
                         int intervalMs = 20) {
    for (;;) {
        bool running = false;
        for (const QFuture<Status> &f : futures)
            running = running || !f.isFinished();
        if (!running)
            break;
        if (cancel && cancel->load())
            abortAll = true;
        if (tick)
            tick();
        QThread::msleep(quint64(intervalMs));
    }
    std::optional<Error> error;
    for (const QFuture<Status> &f : futures) {
        const Status st = f.result();
        if (!st && (!error || error->kind == ErrorKind::Cancelled))
            error = st.error();
    }
    if (cancel && cancel->load())
        error = Error{ErrorKind::Cancelled, QStringLiteral("cancelled")};
    if (error)
        return fail(*error);
    return {};
}

} // namespace Berth::Engine
