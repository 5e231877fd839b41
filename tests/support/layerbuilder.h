// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace Berth::Test {

// Builds layer tarballs for tests, entry by entry, including hostile ones (any path, any link
// target), with libarchive. Paths are written exactly as given.
class LayerBuilder {
public:
    enum class Compression { None, Gzip, Zstd, Bzip2, Xz };

    LayerBuilder &file(const QString &path, const QByteArray &content, int mode = 0644, int uid = 0,
                       int gid = 0);
    LayerBuilder &dir(const QString &path, int mode = 0755, int uid = 0, int gid = 0);
    LayerBuilder &symlink(const QString &path, const QString &target);
    LayerBuilder &hardlink(const QString &path, const QString &target);
    LayerBuilder &charDevice(const QString &path, int major, int minor);
    LayerBuilder &fifo(const QString &path);
    LayerBuilder &xattr(const QString &name, const QByteArray &value); // on the last entry
    // OCI whiteout of `path` (writes "<dir>/.wh.<name>").
    LayerBuilder &whiteout(const QString &path);
    // OCI opaque marker in directory `dir` (writes "<dir>/.wh..wh..opq").
    LayerBuilder &opaque(const QString &dir);

    // The tar bytes (optionally compressed). Entries have mtime 2024-01-01 for reproducibility.
    QByteArray build(Compression compression = Compression::None) const;
    // Writes build() to `path`; returns false on failure.
    bool writeTo(const QString &path, Compression compression = Compression::None) const;

private:
    struct Entry {
        QString path;
        int type = 0; // AE_IF* values
        QByteArray content;
        QString link;
        bool hardlink = false;
        int mode = 0644;
        int uid = 0;
        int gid = 0;
        int rdevMajor = 0;
        int rdevMinor = 0;
        QList<QPair<QString, QByteArray>> xattrs;
    };
    QList<Entry> m_entries;
};

} // namespace Berth::Test
