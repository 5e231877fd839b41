// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Mounting a container's root: overlayfs over the image's layer directories.
#include "engine/core/result.h"

#include <QString>
#include <QStringList>

namespace Berth::Engine {

struct OverlayLayout {
    enum class Sync { Full, Volatile }; // Volatile: no sync at unmount (a --rm container's writes)
    QStringList lowers;                 // the image's layer directories, top layer first
    QString upper;
    QString work;
    Sync sync = Sync::Full;
};

// overlayfs takes at most this many lower directories (the kernel's OVL_MAX_STACK).
inline constexpr int OverlayMaxLowers = 500;

// The lower directories overlayfs is given: `lowers` with every directory that appears again
// higher up left out (overlayfs refuses the same directory twice, and the lower copy of a layer
// shows nothing the higher copy does not: every path it has, the higher one has too, and the
// higher one's whiteouts hide what the lower one's would).
QStringList distinctLowers(const QStringList &lowers);

// Mounts the overlay on `target`. With the new mount API (fsopen/fsconfig, Linux 6.8's
// "lowerdir+") each lower directory is one parameter of its own, so an image may have as many
// layers as overlayfs takes (500), whatever the length of the store's path. Older kernels get
// mount(2), whose options are limited to one page (about 40 layers in /var/lib/berth): more is
// refused with an error that says so. A failed mount leaves nothing mounted.
Status mountOverlay(const OverlayLayout &layout, const QString &target);

} // namespace Berth::Engine
