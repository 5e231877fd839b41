// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/images/imagestore.h"
#include "engine/snapshots/snapshotstore.h"

#include <QJsonObject>

namespace Berth::Engine {

class Engine;

// The image operations of the facade: the local images as the front ends show them (list,
// names, configs, layers, inspect) and tagging. Images are named as users type them (reference,
// ID or ID prefix). Synchronous and thread-safe (the GUI runs them through Engine::async); light
// enough for the small berthctl. Removal, prune and disk usage are StoreMaintenance's.
class ImageOperations {
public:
    explicit ImageOperations(Engine &engine)
        : m_engine(engine) {}

    QList<ImageRecord> list() const;
    Result<ImageRecord> get(const Digest &id) const;
    Result<ImageRecord> resolve(const QString &nameOrId) const;
    Status tag(const Digest &id, const Reference &reference);
    Result<ImageConfig> config(const ImageRecord &image) const;
    // `docker image inspect`'s document (the CLI and the API print the same).
    QJsonObject inspectJson(const ImageRecord &image) const;

    // A layer by chain ID (its unpacked size, when it was unpacked), and all of them.
    Result<SnapshotInfo> layer(const Digest &chainId) const;
    QList<SnapshotInfo> layers() const;
    // How many images use each chain ID (by its string form): layers shared between images.
    QHash<QString, int> layerUseCounts() const;
    // How many containers use each image (by its ID's string form).
    QHash<QString, int> containerUseCounts() const;

private:
    Engine &m_engine;
};

} // namespace Berth::Engine
