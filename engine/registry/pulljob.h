// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/jobchannel.h"
#include "engine/registry/puller.h"

#include <QObject>
#include <QThreadPool>
#include <memory>
#include <optional>

namespace Berth::Engine {

// A pull for the GUI: runs a Puller on a thread pool (the engine's) and reports what it does
// as signals delivered in the job's own thread (the GUI thread), never blocking it.
//
// Lifecycle: construct, connect, start() once. planned() comes once before any layer moves,
// then progressChanged() (coalesced: a slow receiver gets the latest state, not a backlog),
// then exactly one of succeeded() and failed() (ErrorKind::Cancelled after cancel()), once;
// result() holds the same afterwards. Deleting the job while it runs cancels the pull and returns
// at once; the worker winds down on its own (partial layers stay in ingest/ for the next pull) and
// emits nothing.
//
// The engine facade hands these out (engine/registry does not know the facade).
class PullJob : public QObject {
    Q_OBJECT

public:
    PullJob(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
            ImageStore &images, EventJournal *events, QThreadPool *pool, QObject *parent = nullptr);
    ~PullJob() override;

    // `options`' cancel flag and callbacks are the job's own; the rest is used as given.
    void start(const Reference &reference, PullOptions options = {});
    void cancel();
    bool isRunning() const { return m_running; }
    Reference reference() const { return m_reference; }
    // The outcome once succeeded() or failed() was emitted; empty before.
    std::optional<Result<ImageRecord>> result() const { return m_result; }

Q_SIGNALS:
    void planned(const Berth::Engine::PullPlan &plan);
    void progressChanged(const Berth::Engine::PullProgress &progress);
    void succeeded(const Berth::Engine::ImageRecord &image);
    void failed(const Berth::Engine::Error &error);

private:
    using Channel = JobChannel<std::optional<PullProgress>>; // what the job shares with its worker
    void deliverProgress();

    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    EventJournal *m_events;
    QThreadPool *m_pool;
    std::shared_ptr<Channel> m_shared;
    Reference m_reference;
    bool m_running = false;
    std::optional<Result<ImageRecord>> m_result;
};

} // namespace Berth::Engine
