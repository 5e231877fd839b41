// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/buildjob.h"

#include "engine/core/filelock.h"

#include <QtConcurrent/QtConcurrentRun>

namespace Berth::Engine {

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
    , m_shared(std::make_shared<Channel>(this)) {}

BuildJob::~BuildJob() {
    m_shared->detach();
}

void BuildJob::cancel() {
    m_shared->cancel = true;
}

void BuildJob::deliverOutput() {
    if (const QStringList lines = m_shared->take(); !lines.isEmpty())
        Q_EMIT output(lines);
}

void BuildJob::start(BuildOptions options) {
    if (m_running)
        return;
    m_running = true;
    const std::shared_ptr<Channel> shared = m_shared;
    BuildJob *job = this; // used only inside functors queued to it: they run while it lives
    options.cancel = &shared->cancel;
    auto builder =
        std::make_shared<Builder>(m_paths, m_content, m_snapshots, m_images, m_containers);
    builder->setOutputHandler([shared, job](const QString &line) {
        if (shared->update([&](QStringList &pending) { pending.append(line); }))
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
            auto lock = FileLock::acquire(lockFile, FileLock::Mode::Shared);
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
