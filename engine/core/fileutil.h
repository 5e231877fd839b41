// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QString>

namespace Berth::Engine {

// Creates the directory and its parents.
Status makeDirectories(const QString &path);

// Writes `data` to `path` atomically: temporary file in the same directory, fsync, rename,
// fsync of the directory. Readers see the old content or the new one, never a half file.
Status writeFileAtomically(const QString &path, const QByteArray &data, int mode = 0644);

// Reads a whole file, refusing files larger than `maxSize` (hostile inputs must not exhaust
// memory).
Result<QByteArray> readFileLimited(const QString &path, qint64 maxSize);

// Writes all of `data` to `fd`, also when it is non-blocking (waits for room on EAGAIN);
// false on any other error (the reader is gone).
bool writeAll(int fd, const char *data, size_t size);

Status fsyncPath(const QString &path);
Status fsyncDirectoryOf(const QString &path);

// Removes a tree without following symlinks, also when directories lack write permission
// (layers can contain read-only directories).
Status removeTree(const QString &path);

// Sum of st_blocks*512 of every inode under `path`, counting hardlinked inodes once.
qint64 diskUsage(const QString &path);
// Sum of the sizes of every non-directory under `path`, counting hardlinked inodes once: what
// Docker reports as a container's SizeRw (a 3-byte file is 3 bytes, not one 4 kB block).
qint64 apparentSize(const QString &path);

// A unique name for temporary files: "<prefix>-<pid>-<random>".
QString uniqueTempName(const QString &prefix);
// Whether the pid embedded by uniqueTempName() in `name` is still a running process.
bool tempNameOwnerAlive(const QString &name);

} // namespace Berth::Engine
