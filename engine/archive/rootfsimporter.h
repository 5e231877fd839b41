// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/archive/archivestores.h"
#include "engine/images/imageconfig.h"

#include <QStringList>

namespace Berth::Engine {

struct ImportOptions {
    QString reference;   // "name[:tag]"; empty: untagged
    QStringList changes; // Dockerfile instructions applied to the config ("CMD [\"sh\"]")
    QString message;     // the history entry's comment
};

// Turns a root filesystem tarball into a one-layer image, like `docker import`.
//
// The input (a file or a stream such as stdin; plain tar or gzip/zstd/bzip2/xz compressed) is
// decompressed while it is copied into the content store, so the stored layer is a plain tar
// whose digest is its diffID. The config says os linux and the host's architecture, has one
// history entry ("import") and the settings from `changes`. Options are checked before any
// input is read. Holds the store's shared write lock.
class RootfsImporter {
public:
    explicit RootfsImporter(ArchiveStores stores);

    void setProgressHandler(ArchiveProgressHandler handler) { m_progress = std::move(handler); }

    Result<ImageRecord> importFile(const QString &path, const ImportOptions &options);
    // Reads the tarball from `fd` (not closed); `name` names it in messages.
    Result<ImageRecord> importStream(int fd, const QString &name, const ImportOptions &options);

private:
    Result<ImageRecord> run(const QString &name, const QString &path, int fd,
                            const ImportOptions &options);

    ArchiveStores m_stores;
    ArchiveProgressHandler m_progress;
};

// Applies one Dockerfile instruction to a config, as `docker import --change` and `docker
// commit --change` do: CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, LABEL, VOLUME, STOPSIGNAL.
// CMD/ENTRYPOINT take the JSON form (["sh","-c","x"]) or the shell form (wrapped in
// /bin/sh -c). Errors name the instruction.
Status applyDockerfileChange(ContainerConfig &config, const QString &change);

} // namespace Berth::Engine
