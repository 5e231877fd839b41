// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <sys/stat.h>

namespace Berth::Engine {

// Layers say "this path was deleted" (a whiteout) and "hide everything below this directory"
// (an opaque directory). In a layer tar (OCI) these are the files `.wh.<name>` and
// `.wh..wh..opq`. Unpacked as root they become what overlayfs reads: a 0:0 character device
// named <name>, and the xattr trusted.overlay.opaque="y" on the directory (user.overlay.opaque
// rootless, inside the user's namespace, where overlay is mounted with userxattr). Without root the
// OCI names are kept as empty files. These helpers recognise both, so readers of snapshots
// (analysis, diff, export) need not care which form a store uses.
namespace Whiteout {

inline const QString Prefix = QStringLiteral(".wh.");
inline const QString OpaqueMarker = QStringLiteral(".wh..wh..opq");
// trusted.overlay.opaque, or user.overlay.opaque inside a user namespace (rootless).
const char *overlayOpaqueXattr();

// The name deleted by the entry `name` with status `st`, or an empty string when the entry is
// not a whiteout. Covers both forms (0:0 char device `x`, OCI file `.wh.x`).
QString deletedName(const QString &name, const struct stat &st);

// Whether `dirPath` (a directory inside a snapshot) is opaque: has the overlay xattr, or
// contains the OCI marker file.
bool isOpaqueDirectory(const QString &dirPath);
// The same for an open directory (for walks that must not follow a path's symlinks).
bool isOpaqueDirectory(int dirFd);

// Whether a directory entry is bookkeeping that is not part of the image's filesystem
// (the OCI opaque marker).
inline bool isOpaqueMarker(const QString &name) {
    return name == OpaqueMarker;
}

} // namespace Whiteout
} // namespace Berth::Engine
