// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's registry jobs, apart from engine.cpp so that a program that never pulls or pushes
// (berthctl's container commands) does not link Qt Network and the keychain, and starts faster.
#include "engine/engine.h"

namespace Berth::Engine {

PullJob *Engine::createPullJob(QObject *parent) {
    return new PullJob(m_paths, *m_content, *m_snapshots, *m_images, m_events.get(), &m_pool,
                       parent);
}

PushJob *Engine::createPushJob(QObject *parent) {
    return new PushJob(m_paths, *m_content, *m_images, m_events.get(), &m_pool, parent);
}

} // namespace Berth::Engine
