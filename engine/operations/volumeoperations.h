// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/volumes.h"

namespace Berth::Engine {

class Engine;

// A volume with the names of the containers that use it (running or not).
struct VolumeUsage {
    VolumeRecord volume;
    QStringList users;
};

// What a prune removed, or (planPrune) would remove now.
struct VolumePruneReport {
    QStringList names;
    qint64 bytes = 0;
};

// The volume operations of the facade (`berthctl volume`, the API's /volumes, the Volumes
// page): named directories that outlive containers. A volume in use by a container is never
// removed (Conflict), as in Docker. Synchronous and thread-safe (the GUI runs them through
// Engine::async); light enough for the small berthctl.
class VolumeOperations {
public:
    enum class Kind { Named, Anonymous }; // anonymous volumes go with a plain prune
    enum class Force { No, Yes };         // Yes: remove a volume only stopped containers use
    enum class PruneScope { Anonymous, AllUnused };

    explicit VolumeOperations(Engine &engine)
        : m_engine(engine) {}

    static bool isValidName(const QString &name);

    QList<VolumeRecord> list() const;
    QList<VolumeUsage> listWithUsers() const;
    Result<VolumeRecord> get(const QString &name) const;
    QStringList users(const QString &name) const;
    // Bytes under the volume's directory, measured now (a walk: not for every repaint).
    qint64 size(const QString &name) const;

    // Idempotent, as `docker volume create`: an existing volume is returned as it is. An empty
    // name makes a random 64-hex one.
    Result<VolumeRecord> create(const QString &name, const QMap<QString, QString> &labels = {},
                                Kind kind = Kind::Named);
    Status remove(const QString &name, Force force = Force::No);
    // The unused volumes in `scope` with their sizes; removes nothing (the GUI's confirmation).
    VolumePruneReport planPrune(PruneScope scope) const;
    // Removes the unused volumes in `scope`; one taken into use meanwhile is kept.
    Result<VolumePruneReport> prune(PruneScope scope);

private:
    Engine &m_engine;
};

} // namespace Berth::Engine
