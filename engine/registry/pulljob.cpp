// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pulljob.h"

#include <QtConcurrent/QtConcurrentRun>

namespace Berth::Engine {

PullJob::PullJob(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
                 ImageStore &images, EventJournal *events, QThreadPool *pool, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_events(events)
    , m_pool(pool)
    , m_shared(std::make_shared<Channel>(this)) {}

PullJob::~PullJob() {
    m_shared->detach();
}

void PullJob::cancel() {
    m_shared->cancel = true;
}

void PullJob::deliverProgress() {
    if (const std::optional<PullProgress> progress = m_shared->take())
        Q_EMIT progressChanged(*progress);
}

void PullJob::start(const Reference &reference, PullOptions options) {
    if (m_running)
        return;
    m_running = true;
    m_reference = reference;
    const std::shared_ptr<Channel> shared = m_shared;
    PullJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    options.onPlan = [shared, job](const PullPlan &plan) {
        shared->post([job, plan] { Q_EMIT job->planned(plan); });
    };
    options.onProgress = [shared, job](const PullProgress &progress) {
        if (shared->update([&](std::optional<PullProgress> &latest) { latest = progress; }))
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
