// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/archiveoperations.h"

#include "engine/enginestores.h"

namespace Berth::Engine {

ArchiveOperations Engine::archives() {
    return ArchiveOperations(*this);
}

ArchiveStores ArchiveOperations::stores() const {
    const EngineStores stores(m_engine);
    return ArchiveStores{stores.content(), stores.snapshots(), stores.images(), m_engine.events()};
}

Result<QList<LoadedImage>> ArchiveOperations::loadPath(const QString &path,
                                                       const ArchiveTask &task) {
    ImageLoader loader(stores());
    loader.setProgressHandler(task.progress);
    loader.setCancelFlag(task.cancel);
    return loader.loadPath(path);
}

Result<QList<LoadedImage>> ArchiveOperations::loadStream(int fd, const QString &name,
                                                         const ArchiveTask &task) {
    ImageLoader loader(stores());
    loader.setProgressHandler(task.progress);
    loader.setCancelFlag(task.cancel);
    return loader.loadStream(fd, name);
}

Status ArchiveOperations::saveToFile(const QStringList &names, ArchiveFormat format,
                                     const QString &path, const ArchiveTask &task) {
    ImageSaver saver(stores());
    saver.setProgressHandler(task.progress);
    return saver.saveToFile(names, format, path);
}

Status ArchiveOperations::saveToFd(const QStringList &names, ArchiveFormat format, int fd,
                                   const ArchiveTask &task) {
    ImageSaver saver(stores());
    saver.setProgressHandler(task.progress);
    return saver.saveToFd(names, format, fd);
}

Result<ImageRecord> ArchiveOperations::importFile(const QString &path, const ImportOptions &options,
                                                  const ArchiveTask &task) {
    RootfsImporter importer(stores());
    importer.setProgressHandler(task.progress);
    return importer.importFile(path, options);
}

Result<ImageRecord> ArchiveOperations::importStream(int fd, const QString &name,
                                                    const ImportOptions &options,
                                                    const ArchiveTask &task) {
    RootfsImporter importer(stores());
    importer.setProgressHandler(task.progress);
    return importer.importStream(fd, name, options);
}

Result<ImageRecord> ArchiveOperations::installStarter(const StarterOptions &options) {
    return installStarterImage(stores(), options);
}

} // namespace Berth::Engine
