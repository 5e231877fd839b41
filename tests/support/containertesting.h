// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containercontrol.h"
#include "engine/runtime/containerruntime.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QStringList>

namespace Berth::Test {

// Removes every container of the store when the test ends, passed or failed, so no container,
// mount or cgroup outlives a test (paused ones are thawed first: a frozen process cannot die).
class ContainerCleanup {
public:
    explicit ContainerCleanup(TestStore &store)
        : m_store(store) {}
    ~ContainerCleanup() {
        Engine::ContainerRuntime &rt = m_store.engine().containers();
        for (const Engine::ContainerRecord &c : rt.store().list()) {
            if (Engine::ContainerControl::isPaused(rt, c.id))
                Engine::ContainerControl::unpause(rt, c.id);
            rt.remove(c.id, Engine::ContainerRuntime::Force::Yes);
        }
    }
    ContainerCleanup(const ContainerCleanup &) = delete;
    ContainerCleanup &operator=(const ContainerCleanup &) = delete;

private:
    TestStore &m_store;
};

// Lines of /proc/self/mountinfo that mention `path` (leaked mounts show up here).
inline QStringList mountsUnder(const QString &path) {
    QFile f(QStringLiteral("/proc/self/mountinfo"));
    QStringList out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.contains(path.toUtf8()))
            out.append(QString::fromUtf8(line));
    return out;
}

} // namespace Berth::Test
