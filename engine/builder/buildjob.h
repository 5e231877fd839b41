// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/builder/builder.h"
#include "engine/core/jobchannel.h"

#include <QObject>
#include <QStringList>
#include <QThreadPool>
#include <memory>
#include <optional>

namespace Berth::Engine {

// A build for the GUI: runs a Builder on a thread pool (the engine's), holding the store's write
// lock, and reports what it does as signals delivered in the job's own thread (the GUI thread),
// never blocking it.
//
// Lifecycle: construct, connect, start() once. stepStarted()/stepFinished() come for every
// step, output() with the build's lines in batches (a noisy RUN cannot flood the receiver:
// lines gather while one batch is on its way), then exactly one of succeeded() and failed()
// (ErrorKind::Cancelled after cancel()), once; result() holds the same afterwards. Deleting the
// job while it runs cancels the build and returns at once; the worker winds down on its own
// (removing its container) and emits nothing.
class BuildJob : public QObject {
    Q_OBJECT

public:
    BuildJob(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
             ImageStore &images, ContainerRuntime &containers, QThreadPool *pool,
             QObject *parent = nullptr);
    ~BuildJob() override;

    // `options.cancel` is the job's own.
    void start(BuildOptions options);
    void cancel();
    bool isRunning() const { return m_running; }
    std::optional<Result<BuildResult>> result() const { return m_result; }

Q_SIGNALS:
    void dockerfileRead(const QString &name, const QString &text);
    void output(const QStringList &lines);
    void stepStarted(const Berth::Engine::BuildStepEvent &event);
    void stepFinished(const Berth::Engine::BuildStepEvent &event);
    void succeeded(const Berth::Engine::BuildResult &result);
    void failed(const Berth::Engine::Error &error);

private:
    using Channel = JobChannel<QStringList>; // what the job shares with its worker
    void deliverOutput();

    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    ContainerRuntime &m_containers;
    QThreadPool *m_pool;
    std::shared_ptr<Channel> m_shared;
    bool m_running = false;
    std::optional<Result<BuildResult>> m_result;
};

} // namespace Berth::Engine
