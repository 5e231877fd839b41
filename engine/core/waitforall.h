// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QFuture>
#include <QList>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace Berth::Engine {

// Waits until every one of a batch of parallel transfers (pull's, push's) has finished, and
// returns their outcome: the first real error (a cancellation only when nothing else failed),
// or Cancelled when `cancel` was set. Each transfer's end wakes the waiter (a condition
// variable notified from the finishing thread), so the batch's end is seen at once. While they
// run, every `intervalMs` it passes the caller's cancellation to them (sets `abortAll`, which
// each transfer watches: the caller's flag is a plain atomic and notifies nobody) and calls
// `tick` (e.g. to deliver progress held back by throttling).
inline Status waitForAll(const QList<QFuture<Status>> &futures, const std::atomic<bool> *cancel,
                         std::atomic<bool> &abortAll, const std::function<void()> &tick = {},
                         int intervalMs = 100) {
    struct Remaining {
        std::mutex mutex;
        std::condition_variable ended;
        qsizetype count = 0;
    };
    // Shared with the continuations, which may still be notifying when the wait returns.
    auto remaining = std::make_shared<Remaining>();
    remaining->count = futures.size();
    for (QFuture<Status> f : futures)
        f.then(QtFuture::Launch::Sync, [remaining](const Status &) {
            std::lock_guard lock(remaining->mutex);
            --remaining->count;
            remaining->ended.notify_all();
        });
    {
        std::unique_lock lock(remaining->mutex);
        while (remaining->count > 0) {
            remaining->ended.wait_for(lock, std::chrono::milliseconds(intervalMs));
            if (cancel && cancel->load())
                abortAll = true;
            if (tick) {
                lock.unlock();
                tick();
                lock.lock();
            }
        }
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
