// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/volumeoperations.h"

#include "engine/engine.h"

namespace Berth::Engine {

namespace {

VolumeStore &storeOf(Engine &engine) {
    return engine.containers().volumes();
}

bool inScope(const VolumeRecord &v, VolumeOperations::PruneScope scope) {
    return v.anonymous || scope == VolumeOperations::PruneScope::AllUnused;
}

} // namespace

VolumeOperations Engine::volumes() {
    return VolumeOperations(*this);
}

bool VolumeOperations::isValidName(const QString &name) {
    return VolumeStore::isValidName(name);
}

QList<VolumeRecord> VolumeOperations::list() const {
    return storeOf(m_engine).list();
}

QList<VolumeUsage> VolumeOperations::listWithUsers() const {
    const VolumeStore &volumes = storeOf(m_engine);
    QList<VolumeUsage> out;
    for (const VolumeRecord &v : volumes.list())
        out.append({v, volumes.users(v.name)});
    return out;
}

Result<VolumeRecord> VolumeOperations::get(const QString &name) const {
    return storeOf(m_engine).get(name);
}

QStringList VolumeOperations::users(const QString &name) const {
    return storeOf(m_engine).users(name);
}

qint64 VolumeOperations::size(const QString &name) const {
    return storeOf(m_engine).size(name);
}

Result<VolumeRecord> VolumeOperations::create(const QString &name,
                                              const QMap<QString, QString> &labels, Kind kind) {
    return storeOf(m_engine).create(name, labels, kind == Kind::Anonymous);
}

Status VolumeOperations::remove(const QString &name, Force force) {
    return storeOf(m_engine).remove(name, force == Force::Yes ? VolumeStore::Force::Yes
                                                              : VolumeStore::Force::No);
}

VolumePruneReport VolumeOperations::planPrune(PruneScope scope) const {
    const VolumeStore &volumes = storeOf(m_engine);
    VolumePruneReport plan;
    for (const VolumeRecord &v : volumes.list()) {
        if (inScope(v, scope) && volumes.users(v.name).isEmpty()) {
            plan.names << v.name;
            plan.bytes += volumes.size(v.name);
        }
    }
    return plan;
}

Result<VolumePruneReport> VolumeOperations::prune(PruneScope scope) {
    auto pruned = storeOf(m_engine).prune(scope == PruneScope::AllUnused);
    if (!pruned)
        return fail(pruned.error());
    return VolumePruneReport{pruned->first, pruned->second};
}

} // namespace Berth::Engine
