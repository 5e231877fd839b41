// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerfilesystem.h"

namespace Berth::Engine {

class Engine;

// One path the container's read-write layer added, changed or deleted, with what it holds now.
struct ContainerFileChange {
    ContainerChange change;
    qint64 size = -1; // bytes of a regular file now; -1 for directories and deleted paths
    bool isDir = false;
};

// The container filesystem operations of the facade: a container's read-write layer and its
// merged root (`diff`, `commit`, `export`, `cp`, the API's archive endpoints, the GUI's Files
// tab). Containers are named as users type them. Synchronous and thread-safe; the GUI runs them
// through Engine::async. A file of its own: export and cp write tar (libarchive).
class FilesystemOperations {
public:
    explicit FilesystemOperations(Engine &engine)
        : m_engine(engine) {}

    // `docker diff`: what the read-write layer holds, compared with the image.
    Result<QList<ContainerChange>> diff(const QString &nameOrId);
    // diff() with each path's size and type as it is now (the GUI's Files tab).
    Result<QList<ContainerFileChange>> changesWithDetails(const QString &nameOrId);
    Status exportTo(const QString &nameOrId, int fd);
    Status copyIn(const QString &nameOrId, const QString &hostSource,
                  const QString &containerDestination, SourceLinks links = SourceLinks::Keep);
    Status copyOut(const QString &nameOrId, const QString &containerSource,
                   const QString &hostDestination, SourceLinks links = SourceLinks::Keep);
    Result<ContainerPathStat> statPath(const QString &nameOrId, const QString &containerPath);
    Status archivePath(const QString &nameOrId, const QString &containerPath, int fd,
                       SourceLinks links = SourceLinks::Keep);
    Status extractArchive(const QString &nameOrId, const QString &containerDirectory, int fd);
    // `docker commit`, under the store's write lock (taken here).
    Result<ImageRecord> commit(const QString &nameOrId, const CommitOptions &options);

private:
    ContainerFilesystem filesystem() const;

    Engine &m_engine;
};

} // namespace Berth::Engine
