// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshots/whiteouts.h"

#include "engine/core/usernamespace.h"

#include <QFile>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace Berth::Engine::Whiteout {

const char *overlayOpaqueXattr() {
    return UserNamespace::insideUserNamespace() ? "user.overlay.opaque" : "trusted.overlay.opaque";
}

QString deletedName(const QString &name, const struct stat &st) {
    if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 0 && minor(st.st_rdev) == 0)
        return name;
    if (name.startsWith(Prefix) && name != OpaqueMarker && S_ISREG(st.st_mode))
        return name.mid(Prefix.size());
    return QString();
}

bool isOpaqueDirectory(const QString &dirPath) {
    char value[4] = {};
    const QByteArray p = QFile::encodeName(dirPath);
    const ssize_t n = ::lgetxattr(p.constData(), overlayOpaqueXattr(), value, sizeof value);
    if (n == 1 && value[0] == 'y')
        return true;
    struct stat st;
    return ::lstat(QFile::encodeName(dirPath + QLatin1Char('/') + OpaqueMarker).constData(), &st) ==
           0;
}

bool isOpaqueDirectory(int dirFd) {
    char value[4] = {};
    const ssize_t n = ::fgetxattr(dirFd, overlayOpaqueXattr(), value, sizeof value);
    if (n == 1 && value[0] == 'y')
        return true;
    struct stat st;
    return ::fstatat(dirFd, QFile::encodeName(OpaqueMarker).constData(), &st,
                     AT_SYMLINK_NOFOLLOW) == 0;
}

} // namespace Berth::Engine::Whiteout
