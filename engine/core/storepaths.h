// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Berth::Engine {

// Where a store lives on disk. The root is $BERTH_ROOT when set, else /var/lib/berth for root
// and $XDG_DATA_HOME/berth for other users; runtime state goes under /run/berth or
// $XDG_RUNTIME_DIR/berth (or <root>/run when BERTH_ROOT is set, so private stores stay private).
class StorePaths {
public:
    explicit StorePaths(const QString &root, const QString &runtimeRoot = QString());
    static StorePaths fromEnvironment();

    QString root() const { return m_root; }
    QString runtimeRoot() const { return m_runtimeRoot; }
    QString database() const { return m_root + QStringLiteral("/berth.db"); }
    QString blobs() const { return m_root + QStringLiteral("/blobs/sha256"); }
    QString ingest() const { return m_root + QStringLiteral("/ingest"); }
    QString snapshots() const { return m_root + QStringLiteral("/snapshots"); }
    QString containers() const { return m_root + QStringLiteral("/containers"); }
    QString volumes() const { return m_root + QStringLiteral("/volumes"); }
    QString cache() const { return m_root + QStringLiteral("/cache"); }
    QString tmp() const { return m_root + QStringLiteral("/tmp"); }
    QString lockFile() const { return m_root + QStringLiteral("/store.lock"); }

private:
    QString m_root;
    QString m_runtimeRoot;
};

} // namespace Berth::Engine
