// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pushjob.h"

#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>

namespace Berth::Engine {

// What the worker and the job share; it outlives whichever of them ends last.
struct PushJob::Shared {
    std::atomic<bool> cancel = false;
    QMutex mutex;
    PushJob *job = nullptr;             // null once the job is gone
    std::optional<PushProgress> latest; // not yet delivered

    // Queues `f` to the job's thread, unless the job is gone. Under the mutex, so the job
    // cannot be destroyed between the check and the post (its pending posts die with it).
    template <typename F> void post(F f) {
        QMutexLocker lock(&mutex);
        if (job)
            QMetaObject::invokeMethod(job, std::move(f), Qt::QueuedConnection);
    }
};

PushJob::PushJob(const StorePaths &paths, ContentStore &content, ImageStore &images,
                 EventJournal *events, QThreadPool *pool, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_content(content)
    , m_images(images)
    , m_events(events)
    , m_pool(pool)
    , m_shared(std::make_shared<Shared>()) {
    m_shared->job = this;
}

PushJob::~PushJob() {
    QMutexLocker lock(&m_shared->mutex);
    m_shared->job = nullptr;
    m_shared->cancel = true;
}

void PushJob::cancel() {
    m_shared->cancel = true;
}

void PushJob::deliverProgress() {
    std::optional<PushProgress> progress;
    {
        QMutexLocker lock(&m_shared->mutex);
        progress.swap(m_shared->latest);
    }
    if (progress)
        Q_EMIT progressChanged(*progress);
}

void PushJob::start(const QString &source, const Reference &target, PushOptions options) {
    if (m_running)
        return;
    m_running = true;
    m_source = source;
    m_target = target;
    const std::shared_ptr<Shared> shared = m_shared;
    PushJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    options.onProgress = [shared, job](const PushProgress &progress) {
        bool post = false;
        {
            QMutexLocker lock(&shared->mutex);
            post = !shared->latest; // one delivery in flight at a time
            shared->latest = progress;
        }
        if (post)
            shared->post([job] { job->deliverProgress(); });
    };
    Pusher pusher(m_paths, m_content, m_images, m_events);
    auto run = [shared, job, pusher, source, target, options]() mutable {
        const Result<PushResult> result = pusher.push(source, target, options);
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
