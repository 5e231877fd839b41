// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/pushjob.h"

#include <QtConcurrent/QtConcurrentRun>

namespace Berth::Engine {

PushJob::PushJob(const StorePaths &paths, ContentStore &content, ImageStore &images,
                 EventJournal *events, QThreadPool *pool, QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_content(content)
    , m_images(images)
    , m_events(events)
    , m_pool(pool)
    , m_shared(std::make_shared<Channel>(this)) {}

PushJob::~PushJob() {
    m_shared->detach();
}

void PushJob::cancel() {
    m_shared->cancel = true;
}

void PushJob::deliverProgress() {
    if (const std::optional<PushProgress> progress = m_shared->take())
        Q_EMIT progressChanged(*progress);
}

void PushJob::start(const QString &source, const Reference &target, PushOptions options) {
    if (m_running)
        return;
    m_running = true;
    m_source = source;
    m_target = target;
    const std::shared_ptr<Channel> shared = m_shared;
    PushJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    options.onProgress = [shared, job](const PushProgress &progress) {
        if (shared->update([&](std::optional<PushProgress> &latest) { latest = progress; }))
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
