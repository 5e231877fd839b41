// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/jobchannel.h"
#include "engine/registry/pusher.h"

#include <QObject>
#include <QThreadPool>
#include <memory>
#include <optional>

namespace Berth::Engine {

// A push for the GUI, the counterpart of PullJob: runs a Pusher on a thread pool (the
// engine's) and reports what it does as signals delivered in the job's own thread (the GUI
// thread), never blocking it.
//
// Lifecycle: construct, connect, start() once. progressChanged() (coalesced: a slow receiver
// gets the latest state, not a backlog; first the Compressing phase when uncompressed layers
// are gzipped for the registry, then Uploading per blob, then Done), then exactly one of
// succeeded() and failed() (ErrorKind::Cancelled after cancel()), once; result() holds the same
// afterwards. Deleting the job while it runs cancels the push and returns at once; the worker
// winds down on its own and emits nothing. A cancelled push leaves the registry without the
// new tag (the manifest goes last); blobs already sent stay there and are skipped next time.
class PushJob : public QObject {
    Q_OBJECT

public:
    PushJob(const StorePaths &paths, ContentStore &content, ImageStore &images,
            EventJournal *events, QThreadPool *pool, QObject *parent = nullptr);
    ~PushJob() override;

    // `source` is the local image as the user named it, `target` where it goes. `options`'
    // cancel flag and progress callback are the job's own; the rest is used as given.
    void start(const QString &source, const Reference &target, PushOptions options = {});
    void cancel();
    bool isRunning() const { return m_running; }
    QString source() const { return m_source; }
    Reference target() const { return m_target; }
    // The outcome once succeeded() or failed() was emitted; empty before.
    std::optional<Result<PushResult>> result() const { return m_result; }

Q_SIGNALS:
    void progressChanged(const Berth::Engine::PushProgress &progress);
    void succeeded(const Berth::Engine::PushResult &result);
    void failed(const Berth::Engine::Error &error);

private:
    using Channel = JobChannel<std::optional<PushProgress>>; // what the job shares with its worker
    void deliverProgress();

    StorePaths m_paths;
    ContentStore &m_content;
    ImageStore &m_images;
    EventJournal *m_events;
    QThreadPool *m_pool;
    std::shared_ptr<Channel> m_shared;
    QString m_source;
    Reference m_target;
    bool m_running = false;
    std::optional<Result<PushResult>> m_result;
};

} // namespace Berth::Engine
