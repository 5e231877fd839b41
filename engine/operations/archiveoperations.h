// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/archive/imageloader.h"
#include "engine/archive/imagesaver.h"
#include "engine/archive/rootfsimporter.h"
#include "engine/archive/starterimage.h"

#include <atomic>

namespace Berth::Engine {

class Engine;

// What a caller may ask of a long archive operation: progress reports (from the working
// thread; keep them cheap) and a cancel flag (honoured by load; save and import run to the end).
struct ArchiveTask {
    ArchiveProgressHandler progress;
    const std::atomic<bool> *cancel = nullptr;
};

// The archive operations of the facade: images into and out of tar archives and OCI layouts
// (`load`, `save`, `import`, the starter image). A value over an Engine, cheap to make; every
// operation is synchronous and thread-safe, so the CLI and the API call it on their own thread
// and the GUI through Engine::async. Lives in a file of its own because it links libarchive,
// which the light berthctl does not load (ARCHITECTURE.md, "Operations").
class ArchiveOperations {
public:
    explicit ArchiveOperations(Engine &engine)
        : m_engine(engine) {}

    // A tar file (plain or compressed) or an OCI layout directory.
    Result<QList<LoadedImage>> loadPath(const QString &path, const ArchiveTask &task = {});
    // A tar stream from `fd` (not closed); `name` names it in messages ("stdin").
    Result<QList<LoadedImage>> loadStream(int fd, const QString &name,
                                          const ArchiveTask &task = {});

    // Images named as users type them; a temporary file renamed into place when complete.
    Status saveToFile(const QStringList &names, ArchiveFormat format, const QString &path,
                      const ArchiveTask &task = {});
    // Streams the archive to `fd` (not closed).
    Status saveToFd(const QStringList &names, ArchiveFormat format, int fd,
                    const ArchiveTask &task = {});

    // A root filesystem tarball as a one-layer image (`docker import`).
    Result<ImageRecord> importFile(const QString &path, const ImportOptions &options,
                                   const ArchiveTask &task = {});
    Result<ImageRecord> importStream(int fd, const QString &name, const ImportOptions &options,
                                     const ArchiveTask &task = {});

    // The offline starter image from the host's static busybox.
    Result<ImageRecord> installStarter(const StarterOptions &options = {});

private:
    ArchiveStores stores() const;

    Engine &m_engine;
};

} // namespace Berth::Engine
