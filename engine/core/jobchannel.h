// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QObject>
#include <atomic>
#include <utility>

namespace Berth::Engine {

// What a GUI job (PullJob, PushJob, BuildJob) shares with its worker on a thread pool. Held in
// a shared_ptr by both, it outlives whichever of them ends last.
//
// The worker posts functors to the job's thread; once the job is gone (detach(), from its
// destructor) they are dropped. What the worker reports often (progress, output lines) waits
// in `Pending` and is delivered by at most one queued functor at a time, so a slow receiver
// gets the latest state (or the lines so far), not a backlog.
template <typename Pending> class JobChannel {
public:
    explicit JobChannel(QObject *job)
        : m_job(job) {}

    std::atomic<bool> cancel = false; // the worker's options point at it

    // Queues `f` to the job's thread, unless the job is gone. Under the mutex, so the job
    // cannot be destroyed between the check and the post (its pending posts die with it).
    template <typename F> void post(F f) {
        QMutexLocker lock(&m_mutex);
        if (m_job)
            QMetaObject::invokeMethod(m_job, std::move(f), Qt::QueuedConnection);
    }

    // From the worker: applies `change` to what waits for delivery. True when the caller must
    // post the delivery (none is queued yet).
    template <typename Change> bool update(Change change) {
        QMutexLocker lock(&m_mutex);
        change(m_pending);
        return !std::exchange(m_delivering, true);
    }

    // In the job's thread, by the delivery: what waited; the next update queues a new one.
    Pending take() {
        QMutexLocker lock(&m_mutex);
        m_delivering = false;
        return std::exchange(m_pending, Pending());
    }

    // From the job's destructor: nothing more reaches it, and the worker stops.
    void detach() {
        QMutexLocker lock(&m_mutex);
        m_job = nullptr;
        cancel = true;
    }

private:
    QMutex m_mutex;
    QObject *m_job;
    Pending m_pending{};
    bool m_delivering = false;
};

} // namespace Berth::Engine
