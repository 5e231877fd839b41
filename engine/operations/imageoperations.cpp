// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/imageoperations.h"

#include "engine/enginestores.h"
#include "engine/images/imageinspect.h"

namespace Berth::Engine {

ImageOperations Engine::images() {
    return ImageOperations(*this);
}

QList<ImageRecord> ImageOperations::list() const {
    return EngineStores(m_engine).images().list();
}

Result<ImageRecord> ImageOperations::get(const Digest &id) const {
    return EngineStores(m_engine).images().get(id);
}

Result<ImageRecord> ImageOperations::resolve(const QString &nameOrId) const {
    return EngineStores(m_engine).images().resolve(nameOrId);
}

Status ImageOperations::tag(const Digest &id, const Reference &reference) {
    return EngineStores(m_engine).images().tag(id, reference);
}

Result<ImageConfig> ImageOperations::config(const ImageRecord &image) const {
    return EngineStores(m_engine).images().config(image);
}

QJsonObject ImageOperations::inspectJson(const ImageRecord &image) const {
    return imageInspectJson(EngineStores(m_engine).images(), image);
}

Result<SnapshotInfo> ImageOperations::layer(const Digest &chainId) const {
    return EngineStores(m_engine).snapshots().info(chainId);
}

QList<SnapshotInfo> ImageOperations::layers() const {
    return EngineStores(m_engine).snapshots().list();
}

QHash<QString, int> ImageOperations::layerUseCounts() const {
    return EngineStores(m_engine).images().chainIdUseCounts();
}

QHash<QString, int> ImageOperations::containerUseCounts() const {
    return m_engine.containers().store().imageUseCounts();
}

} // namespace Berth::Engine
