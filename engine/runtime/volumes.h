// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"
#include "engine/core/storepaths.h"
#include "engine/runtime/containerstore.h"

#include <QDateTime>
#include <QMap>
#include <QStringList>

namespace Berth::Engine {

struct VolumeRecord {
    QString name;
    QMap<QString, QString> labels;
    bool anonymous = false; // made for an image's VOLUME; removed with its container by rm -v
    QDateTime created;
    QString mountpoint; // <store>/volumes/<name>/_data
};

// Named volumes: directories that outlive containers. Each volume is a row of the volumes
// table and the directory volumes/<name>/_data (Docker's layout). A volume is "in use" while
// any container (running or not) lists it in its mounts; remove() refuses then, as Docker does.
// Thread-safe and synchronous like the other stores.
class VolumeStore {
public:
    VolumeStore(const StorePaths &paths, Database &db, ContainerStore &containers);

    static bool isValidName(const QString &name);
    QString dataPath(const QString &name) const;

    // Creates the volume; an existing one with that name is returned as it is (Docker's
    // `volume create` is idempotent). An empty name creates an anonymous volume with a random
    // 64-hex name.
    Result<VolumeRecord> create(const QString &name, const QMap<QString, QString> &labels = {},
                                bool anonymous = false);
    Result<VolumeRecord> get(const QString &name) const;
    QList<VolumeRecord> list() const;
    // Names of the containers that use the volume.
    QStringList users(const QString &name) const;
    enum class Force { No, Yes };
    // Conflict while in use (unless Force, which still refuses a running user).
    Status remove(const QString &name, Force force = Force::No);
    // Removes unused volumes: anonymous ones only, or every unused one with `all`.
    // Returns the removed names and the bytes reclaimed.
    Result<QPair<QStringList, qint64>> prune(bool all);
    qint64 size(const QString &name) const;

    // For create: the user's mounts checked and completed (volumes created when missing,
    // anonymous volumes added for the image's VOLUMEs that no user mount covers).
    Result<QList<MountSpec>> prepareMounts(const QList<MountSpec> &requested,
                                           const QStringList &imageVolumes);
    // For start: the mounts with host sources (volume names turned into their _data paths).
    // An empty volume is first seeded with what the container's rootfs holds at the mount's
    // destination (Docker copies the image's content into a new volume).
    Result<QList<MountSpec>> hostMounts(const QList<MountSpec> &mounts, const QString &rootfs);

private:
    StorePaths m_paths;
    Database &m_db;
    ContainerStore &m_containers;
};

// Parses Docker's `-v` forms: NAME:/dst[:ro|rw], /host:/dst[:ro|rw], /dst (anonymous volume).
Result<MountSpec> parseVolumeOption(const QString &text);
// Parses Docker's `--mount type=bind|volume,source=...,target=...,readonly`.
Result<MountSpec> parseMountOption(const QString &text);

} // namespace Berth::Engine
