// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/overlaymount.h"

#include "engine/core/usernamespace.h"
#include "engine/runtime/rootfscopy.h"

#include <QFile>
#include <QSet>
#include <cerrno>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

// What overlayfs said about a refused parameter (the fs context's log: "e overlay: ...").
QString contextLog(int fsFd) {
    QString out;
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(fsFd, buf, sizeof buf - 1);
        if (n <= 0)
            break;
        buf[n] = '\0';
        QString line = QString::fromUtf8(buf).trimmed();
        if (line.startsWith(QLatin1String("e ")) || line.startsWith(QLatin1String("w ")))
            line = line.mid(2);
        out += (out.isEmpty() ? QString() : QStringLiteral("; ")) + line;
    }
    return out;
}

enum class Api { Used, Unsupported };

// The new mount API; Api::Unsupported when this kernel lacks it or "lowerdir+" (before 6.8),
// or a path is longer than fsconfig takes (256 bytes), so mount(2) should be tried.
Result<Api> mountWithFsconfig(const OverlayLayout &layout, const QString &target) {
    ScopedFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
    if (!fs.valid())
        return errno == ENOSYS || errno == ENODEV
                   ? Result<Api>(Api::Unsupported)
                   : failErrno(QStringLiteral("fsopen overlay"), errno);
    auto set = [&](const char *key, const QString &value) -> Result<Api> {
        const QByteArray v = QFile::encodeName(value);
        if (v.size() >= 256)
            return Api::Unsupported;
        if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, key, v.constData(), 0) == 0)
            return Api::Used;
        const int err = errno;
        const QString log = contextLog(fs.get());
        if (err == EINVAL && qstrcmp(key, "lowerdir+") == 0 &&
            log.contains(QLatin1String("lowerdir+")))
            return Api::Unsupported; // "Unknown parameter 'lowerdir+'"
        return failErrno(QStringLiteral("overlay %1=%2%3")
                             .arg(QString::fromLatin1(key), value,
                                  log.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(log)),
                         err);
    };
    // Rootless: overlayfs keeps its whiteout and opaque marks in user.overlay.* (see whiteouts.h).
    if (UserNamespace::insideUserNamespace() &&
        ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0)
        return failErrno(QStringLiteral("overlay userxattr (%1)").arg(contextLog(fs.get())), errno);
    for (const QString &lower : layout.lowers)
        if (auto r = set("lowerdir+", lower); !r || *r == Api::Unsupported)
            return r;
    for (const auto &[key, value] : {std::pair{"upperdir", layout.upper}, {"workdir", layout.work}})
        if (auto r = set(key, value); !r || *r == Api::Unsupported)
            return r;
    if (layout.sync == OverlayLayout::Sync::Volatile &&
        ::fsconfig(fs.get(), FSCONFIG_SET_FLAG, "volatile", nullptr, 0) != 0)
        contextLog(fs.get()); // an old overlayfs without it: sync at unmount instead
    if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
        const int err = errno;
        const QString log = contextLog(fs.get());
        return failErrno(QStringLiteral("create the overlay filesystem%1")
                             .arg(log.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(log)),
                         err);
    }
    ScopedFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
    if (!mnt.valid())
        return failErrno(QStringLiteral("fsmount overlay"), errno);
    if (::move_mount(mnt.get(), "", AT_FDCWD, QFile::encodeName(target).constData(),
                     MOVE_MOUNT_F_EMPTY_PATH) != 0)
        return failErrno(QStringLiteral("move the overlay mount to %1").arg(target), errno);
    return Api::Used;
}

Status mountWithOptions(const OverlayLayout &layout, const QString &target) {
    QByteArray options = QFile::encodeName(
        QStringLiteral("lowerdir=%1,upperdir=%2,workdir=%3")
            .arg(layout.lowers.join(QLatin1Char(':')), layout.upper, layout.work));
    if (UserNamespace::insideUserNamespace())
        options += ",userxattr";
    const bool skipSync = layout.sync == OverlayLayout::Sync::Volatile;
    if (skipSync)
        options += ",volatile";
    // mount(2) takes at most one page of options.
    if (options.size() >= 4000)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("the image has too many layers (%1) for one overlay mount on "
                                   "this kernel (Linux 6.8 and later take up to %2)")
                        .arg(layout.lowers.size())
                        .arg(OverlayMaxLowers));
    const QByteArray t = QFile::encodeName(target);
    int rc = ::mount("overlay", t.constData(), "overlay", 0, options.constData());
    if (rc != 0 && errno == EINVAL && skipSync) { // a kernel before 5.10 has no "volatile"
        options.chop(int(qstrlen(",volatile")));
        rc = ::mount("overlay", t.constData(), "overlay", 0, options.constData());
    }
    if (rc != 0)
        return failErrno(
            QStringLiteral("mount the container's overlay filesystem on %1").arg(target), errno);
    return {};
}

} // namespace

QStringList distinctLowers(const QStringList &lowers) {
    QStringList out;
    QSet<QString> seen;
    for (const QString &lower : lowers)
        if (!seen.contains(lower)) {
            seen.insert(lower);
            out.append(lower);
        }
    return out;
}

Status mountOverlay(const OverlayLayout &given, const QString &target) {
    OverlayLayout layout = given;
    layout.lowers = distinctLowers(given.lowers);
    if (layout.lowers.size() > OverlayMaxLowers)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("the image has too many layers (%1): overlayfs takes at most %2")
                        .arg(layout.lowers.size())
                        .arg(OverlayMaxLowers));
    auto api = mountWithFsconfig(layout, target);
    if (!api)
        return fail(api.error().withContext(
            QStringLiteral("mount the container's overlay filesystem on %1").arg(target)));
    if (*api == Api::Used)
        return {};
    return mountWithOptions(layout, target);
}

} // namespace Berth::Engine
