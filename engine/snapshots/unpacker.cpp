// SPDX-License-Identifier: GPL-3.0-or-later
// PLACEHOLDER: being written (libarchive extraction); replaced in the next commit.
#include "engine/snapshots/unpacker.h"

#include <unistd.h>

namespace Berth::Engine {

UnpackOptions UnpackOptions::forCurrentUser()
{
    UnpackOptions o;
    const bool root = ::geteuid() == 0;
    o.overlayWhiteouts = root;
    o.allowDevices = root;
    o.preserveOwnership = root;
    return o;
}

Result<UnpackResult> unpackLayer(const QString &, const QString &, const UnpackOptions &)
{
    return fail(ErrorKind::Internal, QStringLiteral("layer unpacking is not implemented yet"));
}

} // namespace Berth::Engine
