// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/changekind.h"
#include "engine/runtime/containerruntime.h"
#include <QDateTime>

#include <QList>
#include <QString>
#include <QStringList>

namespace Berth::Engine {

// One entry of `diff`: a path of the container's filesystem that its read-write layer added,
// changed or deleted, relative to the image.
struct ContainerChange {
    ChangeKind kind = ChangeKind::Added;
    QString path; // absolute inside the container: "/etc/passwd"
    // What the path holds now, as the walk saw it (the GUI shows it; nobody re-reads the
    // layer by path): bytes of a regular file, -1 otherwise; whether it is a directory.
    qint64 size = -1;
    bool isDir = false;
    // Docker's letters for `diff`: A, C (changed), D.
    QChar letter() const {
        return kind == ChangeKind::Added      ? QLatin1Char('A')
               : kind == ChangeKind::Modified ? QLatin1Char('C')
                                              : QLatin1Char('D');
    }
};

// What `docker cp` learns about a path before copying (the API's X-Docker-Container-Path-Stat).
struct ContainerPathStat {
    QString name; // the last component
    qint64 size = 0;
    uint permissions = 0; // mode & 07777
    bool isDir = false;
    bool isSymlink = false;
    QDateTime mtime;
    QString linkTarget;
};

// Whether a copy follows a symlink named as its source (`cp -L`). Without it the link itself is
// copied, unless the source path ends in "/" or "/." (then it names what the link points to).
enum class SourceLinks { Keep, Follow };

struct CommitOptions {
    QString reference;   // "repo[:tag]"; empty: an untagged image
    QString message;     // the history entry's comment
    QString author;      // the config's author
    QStringList changes; // Dockerfile instructions applied to the config ("CMD [\"sh\"]")
};

// The filesystem side of containers: diff, commit, export and cp, from the read-write layer
// (overlay upperdir) and the merged root.
//
// What the runtime itself puts into the upperdir (mount points runc creates: /proc, /sys, /dev,
// empty /etc/hosts, /etc/hostname, /etc/resolv.conf, the --init binary, empty volume mount
// points and the directories made for them) is not the container's change: diff and commit
// leave it out, like Docker's init layer does.
//
// Paths inside the container are always resolved with openat2(RESOLVE_IN_ROOT): a symlink in
// the container (/x -> /etc) resolves inside the container's root, never to the host's. Copies
// never follow symlinks below the resolved path and replace (never write through) an existing
// symlink at the destination.
//
// A stopped container's filesystem is mounted for export/cp while the call runs (under the
// container's operation lock, so it cannot start meanwhile). For a running container, files in
// its volumes and bind mounts are not reached (they are mounted in its own mount namespace), and
// commit does not pause it: a file being written while the layer is read may be captured half
// written (Docker pauses; pause belongs to the runtime's pause/unpause).
class ContainerFilesystem {
public:
    ContainerFilesystem(ContainerRuntime &runtime, ContentStore &content, ImageStore &images,
                        SnapshotStore &snapshots);

    // Sorted by path; parents before children.
    Result<QList<ContainerChange>> diff(const QString &nameOrId);
    // Writes the container's merged filesystem as a tar to `fd` (not closed).
    Status exportTo(const QString &nameOrId, int fd);
    // Docker's `cp SRC CONTAINER:DST` and `cp CONTAINER:SRC DST`, with its rules for files and
    // directories: an existing directory destination receives SRC by its name, a missing one is
    // created with SRC's contents; "SRC/." copies a directory's contents.
    Status copyIn(const QString &nameOrId, const QString &hostSource,
                  const QString &containerDestination, SourceLinks links = SourceLinks::Keep);
    Status copyOut(const QString &nameOrId, const QString &containerSource,
                   const QString &hostDestination, SourceLinks links = SourceLinks::Keep);
    // The API's side of `docker cp` (the client handles the destination rules): the path's
    // stat; a tar of the path (its root entry named by the path's last component, or the
    // directory's contents for "dir/.") written to `fd`; a tar read from `fd` extracted into
    // the existing directory `containerDirectory`. Paths resolve inside the container's root.
    Result<ContainerPathStat> statPath(const QString &nameOrId, const QString &containerPath);
    Status archivePath(const QString &nameOrId, const QString &containerPath, int fd,
                       SourceLinks links = SourceLinks::Keep);
    Status extractArchive(const QString &nameOrId, const QString &containerDirectory, int fd);
    // Turns the read-write layer into a new image: the image's layers plus one gzip layer
    // (deterministic bytes) with whiteouts as `.wh.` entries, the image's config with the new
    // diffID, a history entry and `changes` applied. The caller holds the store's write lock.
    Result<ImageRecord> commit(const QString &nameOrId, const CommitOptions &options);

private:
    Result<QList<ContainerChange>> changes(const ContainerRecord &record);

    ContainerRuntime &m_runtime;
    ContentStore &m_content;
    ImageStore &m_images;
    SnapshotStore &m_snapshots;
};

} // namespace Berth::Engine
