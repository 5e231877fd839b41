// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Berth::Test {

// One filesystem entry as the comparison sees it (mtimes and link counts are ignored: tools
// differ there and images do not promise them).
struct TreeEntry {
    char type = '?';   // f, d, l, c, b, p, s
    unsigned mode = 0; // permission bits incl. setuid/setgid/sticky
    unsigned uid = 0;
    unsigned gid = 0;
    qint64 size = 0;   // regular files
    QString target;    // symlinks
    QByteArray sha256; // regular files (hex)
    unsigned rdev = 0; // devices

    bool operator==(const TreeEntry &) const = default;
    QString describe() const;
};

// Every entry below `root` (not root itself), keyed by relative path.
QMap<QString, TreeEntry> scanTree(const QString &root);

// Differences between two trees, one line each ("missing in b: etc/x", "etc/y: mode 644 vs
// 600"), at most `limit` lines; empty when equal.
QStringList compareTrees(const QString &a, const QString &b, int limit = 20);

// Applies layer directories (snapshot `fs` dirs, lowest first) onto `target` the way overlayfs
// shows them: whiteouts (overlay 0:0 char devices or OCI .wh. files) delete, opaque directories
// (xattr or .wh..wh..opq) hide what is below. Ownership is kept when running as root.
// Returns an error message, or an empty string on success.
QString mergeLayers(const QStringList &layerDirs, const QString &target);

} // namespace Berth::Test
