// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/filesystemoperations.h"

#include "engine/enginestores.h"

namespace Berth::Engine {

FilesystemOperations Engine::filesystem() {
    return FilesystemOperations(*this);
}

ContainerFilesystem FilesystemOperations::filesystem() const {
    const EngineStores stores(m_engine);
    return ContainerFilesystem(m_engine.containers(), stores.content(), stores.images(),
                               stores.snapshots());
}

Result<QList<ContainerChange>> FilesystemOperations::diff(const QString &nameOrId) {
    return filesystem().diff(nameOrId);
}

Result<QList<ContainerFileChange>>
FilesystemOperations::changesWithDetails(const QString &nameOrId) {
    auto changes = filesystem().diff(nameOrId);
    if (!changes)
        return fail(changes.error());
    QList<ContainerFileChange> out;
    out.reserve(changes->size());
    for (const ContainerChange &c : *changes) // the walk saw each path's size and type
        out.append(ContainerFileChange{c, c.size, c.isDir});
    return out;
}

Status FilesystemOperations::exportTo(const QString &nameOrId, int fd) {
    return filesystem().exportTo(nameOrId, fd);
}

Status FilesystemOperations::copyIn(const QString &nameOrId, const QString &hostSource,
                                    const QString &containerDestination, SourceLinks links) {
    return filesystem().copyIn(nameOrId, hostSource, containerDestination, links);
}

Status FilesystemOperations::copyOut(const QString &nameOrId, const QString &containerSource,
                                     const QString &hostDestination, SourceLinks links) {
    return filesystem().copyOut(nameOrId, containerSource, hostDestination, links);
}

Result<ContainerPathStat> FilesystemOperations::statPath(const QString &nameOrId,
                                                         const QString &containerPath) {
    return filesystem().statPath(nameOrId, containerPath);
}

Status FilesystemOperations::archivePath(const QString &nameOrId, const QString &containerPath,
                                         int fd, SourceLinks links) {
    return filesystem().archivePath(nameOrId, containerPath, fd, links);
}

Status FilesystemOperations::extractArchive(const QString &nameOrId,
                                            const QString &containerDirectory, int fd) {
    return filesystem().extractArchive(nameOrId, containerDirectory, fd);
}

Result<ImageRecord> FilesystemOperations::commit(const QString &nameOrId,
                                                 const CommitOptions &options) {
    const auto lock = EngineStores(m_engine).lockForWriting();
    if (!lock)
        return fail(lock.error());
    return filesystem().commit(nameOrId, options);
}

} // namespace Berth::Engine
