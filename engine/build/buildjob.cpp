// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/build/buildjob.h"

#include "engine/core/storelock.h"

#include <QMetaObject>
#include <QMutex>
#include <QMutexLocker>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>

namespace Berth::Engine {

// What the worker and the job share; it outlives whichever of them ends last.
struct BuildJob::Shared {
    std::atomic<bool> cancel = false;
    QMutex mutex;
    BuildJob *job = nullptr; // null once the job is gone
    QStringList pending;     // output lines not yet delivered
    bool delivering = false; // a delivery is queued

    // Queues `f` to the job's thread, unless the job is gone. Under the mutex, so the job
    // cannot be destroyed between the check and the post (its pending posts die with it).
    template <typename F> void post(F f) {
        QMutexLocker lock(&mutex);
        if (job)
            QMetaObject::invokeMethod(job, std::move(f), Qt::QueuedConnection);
    }
};

BuildJob::BuildJob(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
                   ImageStore &images, ContainerRuntime &containers, QThreadPool *pool,
                   QObject *parent)
    : QObject(parent)
    , m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_containers(containers)
    , m_pool(pool)
    , m_shared(std::make_shared<Shared>()) {
    m_shared->job = this;
}

BuildJob::~BuildJob() {
    QMutexLocker lock(&m_shared->mutex);
    m_shared->job = nullptr;
    m_shared->cancel = true;
}

void BuildJob::cancel() {
    m_shared->cancel = true;
}

void BuildJob::deliverOutput() {
    QStringList lines;
    {
        QMutexLocker lock(&m_shared->mutex);
        lines.swap(m_shared->pending);
        m_shared->delivering = false;
    }
    if (!lines.isEmpty())
        Q_EMIT output(lines);
}

void BuildJob::start(BuildOptions options) {
    if (m_running)
        return;
    m_running = true;
    const std::shared_ptr<Shared> shared = m_shared;
    BuildJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    auto builder =
        std::make_shared<Builder>(m_paths, m_content, m_snapshots, m_images, m_containers);
    builder->setOutputHandler([shared, job](const QString &line) {
        bool post = false;
        {
            QMutexLocker lock(&shared->mutex);
            shared->pending.append(line);
            post = !shared->delivering;
            shared->delivering = true;
        }
        if (post)
            shared->post([job] { job->deliverOutput(); });
    });
    builder->setDockerfileHandler([shared, job](const QString &name, const QString &text) {
        shared->post([job, name, text] { Q_EMIT job->dockerfileRead(name, text); });
    });
    builder->setStepHandler([shared, job](const BuildStepEvent &event) {
        // Output before the step event, so a receiver sees "Step 2/5" before step 2 starts.
        shared->post([job, event] {
            job->deliverOutput();
            if (event.kind == BuildStepEvent::Kind::Started)
                Q_EMIT job->stepStarted(event);
            else
                Q_EMIT job->stepFinished(event);
        });
    });
    const QString lockFile = m_paths.lockFile();
    auto run = [shared, job, builder, options, lockFile]() {
        Result<BuildResult> result = [&]() -> Result<BuildResult> {
            auto lock = StoreLock::acquire(lockFile, StoreLock::Mode::Shared);
            if (!lock)
                return fail(lock.error());
            return builder->build(options);
        }();
        shared->post([job, result] {
            job->deliverOutput(); // the last lines before the end
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
