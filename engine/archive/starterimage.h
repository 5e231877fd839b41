// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/archive/archivestores.h"

#include <QString>

namespace Berth::Engine {

struct StarterOptions {
    QString reference = QStringLiteral("berth/busybox:latest");
    QString busybox = QStringLiteral("/bin/busybox"); // a static busybox (Debian busybox-static)
};

// Builds the offline starter image from the host's static busybox, so a new user can run a
// container without a registry: one layer with /bin/busybox, a symlink per applet in /bin,
// /etc/passwd and /etc/group (root, nobody), /tmp (1777), /root, /home, /var, /proc, /sys, /dev;
// Cmd ["sh"] and a PATH. The layer and config bytes are deterministic (sorted entries, fixed
// mtime, owner 0:0), so building it twice on one host yields the same image ID.
// A missing or dynamically linked busybox is an error that says to install busybox-static.
Result<ImageRecord> installStarterImage(ArchiveStores stores, const StarterOptions &options = {});

} // namespace Berth::Engine
