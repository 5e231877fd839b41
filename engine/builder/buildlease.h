// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/filelock.h"
#include "engine/core/result.h"
#include "engine/core/storepaths.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <memory>

namespace Berth::Engine {

class ContainerRuntime;
class ImageStore;

// What a build owns in the store while it runs: the containers of its RUN steps and the
// intermediate images they run on. A build removes them itself when it ends (done, failed or
// cancelled); the lease is for a build whose process was killed (SIGKILL of berthctl or of the
// app running it), which cannot.
//
// Files, under <root>/builds/:
//   <id>.lock  held (flock, exclusive) by the building process for the build's whole life;
//              the kernel releases it when the process dies, however it dies
//   <id>.json  {"images": [...]}: intermediate images, recorded before they are installed
// The build's containers carry the label berth.build=<id> from their creation on.
//
// A lease whose lock nobody holds belongs to a dead build: findBuildLeftovers names what it
// left (`system check`), removeBuildLeftovers stops and removes its containers, removes its
// images that are still untagged, then the lease (the next build, `system prune`, and every
// command that takes the store lock for writing through the engine).
class BuildLease {
public:
    static constexpr const char *Label = "berth.build";

    static Result<std::unique_ptr<BuildLease>> take(const StorePaths &paths);
    // Releases the lease: its files go (the build has removed what it owned).
    ~BuildLease();
    BuildLease(const BuildLease &) = delete;
    BuildLease &operator=(const BuildLease &) = delete;

    QString id() const { return m_id; }
    // Records an intermediate image before it is installed; forget() when it is the result.
    Status addImage(const Digest &image);
    Status forget(const Digest &image);

private:
    BuildLease(const StorePaths &paths, QString id, FileLock lock)
        : m_paths(paths)
        , m_id(std::move(id))
        , m_lock(std::move(lock)) {}
    Status save() const;

    StorePaths m_paths;
    QString m_id;
    FileLock m_lock;
    QList<Digest> m_images;
};

// What a killed build left: its containers (IDs) and its intermediate images still untagged.
struct BuildLeftover {
    QString build;
    QStringList containers;
    QList<Digest> images;
};

// Leases nobody holds, with what they own. Reads only.
QList<BuildLeftover> findBuildLeftovers(const StorePaths &paths, ContainerRuntime &containers,
                                        ImageStore &images);
// Stops and removes what findBuildLeftovers finds, then the leases; returns one line per thing
// removed ("container <id> of killed build <build>").
Result<QStringList> removeBuildLeftovers(const StorePaths &paths, ContainerRuntime &containers,
                                         ImageStore &images);
// One line per leftover, for `system check`'s notes.
QStringList describeBuildLeftovers(const QList<BuildLeftover> &leftovers);

} // namespace Berth::Engine
