// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pulljob.h"

#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>

namespace Berth::Engine {

// What the worker and the job share; it outlives whichever of them ends last.
struct PullJob::Shared {
    std::atomic<bool> cancel = false;
    QMutex mutex;
    PullJob *job = nullptr;             // null once the job is gone
    std::optional<PullProgress> latest; // not yet delivered

    // Queues `f` to the job's thread, unless the job is gone. Under the mutex, so the job
    // cannot be destroyed between the check and the post (its pending posts die with it).
    template <typename F> void post(F f) {
        QMutexLocker lock(&mutex);
        if (job)
            QMetaObject::invokeMethod(job, std::move(f), Qt::QueuedConnection);
    }
};

PullJob::PullJob(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
                 ImageStore &images, EventJournal *events, QThreadPool *pool, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_events(events)
    , m_pool(pool)
    , m_shared(std::make_shared<Shared>()) {
    m_shared->job = this;
}

PullJob::~PullJob() {
    QMutexLocker lock(&m_shared->mutex);
    m_shared->job = nullptr;
    m_shared->cancel = true;
}

void PullJob::cancel() {
    m_shared->cancel = true;
}

void PullJob::deliverProgress() {
    std::optional<PullProgress> progress;
    {
        QMutexLocker lock(&m_shared->mutex);
        progress.swap(m_shared->latest);
    }
    if (progress)
        Q_EMIT progressChanged(*progress);
}

void PullJob::start(const Reference &reference, PullOptions options) {
    if (m_running)
        return;
    m_running = true;
    m_reference = reference;
    const std::shared_ptr<Shared> shared = m_shared;
    PullJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    options.onPlan = [shared, job](const PullPlan &plan) {
        shared->post([job, plan] { Q_EMIT job->planned(plan); });
    };
    options.onProgress = [shared, job](const PullProgress &progress) {
        bool post = false;
        {
            QMutexLocker lock(&shared->mutex);
            post = !shared->latest; // one delivery in flight at a time
            shared->latest = progress;
        }
        if (post)
            shared->post([job] { job->deliverProgress(); });
    };
    Puller puller(m_paths, m_content, m_snapshots, m_images, m_events);
    auto run = [shared, job, puller, reference, options]() mutable {
        const Result<ImageRecord> result = puller.pull(reference, options);
        shared->post([job, result] {
            job->deliverProgress(); // the last state before the end
            job->m_running = false;
            job->m_result = result;
            if (result)
                Q_EMIT job->succeeded(*result);
            else
                Q_EMIT job->failed(result.error());
        });
    };
    if (m_pool)
        (void)QtConcurrent::run(m_pool, std::move(run));
    else
        (void)QtConcurrent::run(std::move(run));
}

} // namespace Berth::Engine
