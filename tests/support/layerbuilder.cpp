// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/layerbuilder.h"

#include <QFile>
#include <archive.h>
#include <archive_entry.h>
#include <sys/sysmacros.h>

namespace Berth::Test {

LayerBuilder &LayerBuilder::file(const QString &path, const QByteArray &content, int mode, int uid,
                                 int gid) {
    Entry e;
    e.path = path;
    e.type = AE_IFREG;
    e.content = content;
    e.mode = mode;
    e.uid = uid;
    e.gid = gid;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::dir(const QString &path, int mode, int uid, int gid) {
    Entry e;
    e.path = path;
    e.type = AE_IFDIR;
    e.mode = mode;
    e.uid = uid;
    e.gid = gid;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::symlink(const QString &path, const QString &target) {
    Entry e;
    e.path = path;
    e.type = AE_IFLNK;
    e.link = target;
    e.mode = 0777;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::hardlink(const QString &path, const QString &target) {
    Entry e;
    e.path = path;
    e.type = AE_IFREG;
    e.link = target;
    e.hardlink = true;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::charDevice(const QString &path, int major, int minor) {
    Entry e;
    e.path = path;
    e.type = AE_IFCHR;
    e.rdevMajor = major;
    e.rdevMinor = minor;
    e.mode = 0666;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::fifo(const QString &path) {
    Entry e;
    e.path = path;
    e.type = AE_IFIFO;
    e.mode = 0644;
    m_entries.append(e);
    return *this;
}

LayerBuilder &LayerBuilder::xattr(const QString &name, const QByteArray &value) {
    if (!m_entries.isEmpty())
        m_entries.last().xattrs.append({name, value});
    return *this;
}

LayerBuilder &LayerBuilder::whiteout(const QString &path) {
    const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
    const QString dir = slash >= 0 ? path.left(slash + 1) : QString();
    const QString name = slash >= 0 ? path.mid(slash + 1) : path;
    return file(dir + QStringLiteral(".wh.") + name, QByteArray());
}

LayerBuilder &LayerBuilder::opaque(const QString &dir) {
    QString d = dir;
    if (!d.isEmpty() && !d.endsWith(QLatin1Char('/')))
        d += QLatin1Char('/');
    return file(d + QStringLiteral(".wh..wh..opq"), QByteArray());
}

QByteArray LayerBuilder::build(Compression compression) const {
    QByteArray out;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (compression == Compression::Gzip)
        archive_write_add_filter_gzip(a);
    else if (compression == Compression::Zstd)
        archive_write_add_filter_zstd(a);
    else if (compression == Compression::Bzip2)
        archive_write_add_filter_bzip2(a);
    else if (compression == Compression::Xz)
        archive_write_add_filter_xz(a);
    archive_write_set_bytes_in_last_block(a, 1);
    archive_write_open(
        a, &out, nullptr,
        [](struct archive *, void *client, const void *buffer, size_t length) -> la_ssize_t {
            static_cast<QByteArray *>(client)->append(static_cast<const char *>(buffer),
                                                      qsizetype(length));
            return la_ssize_t(length);
        },
        nullptr);
    for (const Entry &e : m_entries) {
        struct archive_entry *entry = archive_entry_new();
        const QByteArray path = e.path.toUtf8();
        archive_entry_set_pathname(entry, path.constData());
        archive_entry_set_mtime(entry, 1704067200, 0);
        archive_entry_set_uid(entry, e.uid);
        archive_entry_set_gid(entry, e.gid);
        archive_entry_set_perm(entry, mode_t(e.mode));
        const QByteArray link = e.link.toUtf8();
        if (e.hardlink) {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, link.constData());
            archive_entry_set_size(entry, 0);
        } else {
            archive_entry_set_filetype(entry, unsigned(e.type));
            if (e.type == AE_IFLNK)
                archive_entry_set_symlink(entry, link.constData());
            if (e.type == AE_IFCHR)
                archive_entry_set_rdev(entry, makedev(e.rdevMajor, e.rdevMinor));
            archive_entry_set_size(entry, e.type == AE_IFREG ? e.content.size() : 0);
        }
        for (const auto &x : e.xattrs) {
            const QByteArray name = x.first.toUtf8();
            archive_entry_xattr_add_entry(entry, name.constData(), x.second.constData(),
                                          size_t(x.second.size()));
        }
        archive_write_header(a, entry);
        if (!e.hardlink && e.type == AE_IFREG && !e.content.isEmpty())
            archive_write_data(a, e.content.constData(), size_t(e.content.size()));
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

bool LayerBuilder::writeTo(const QString &path, Compression compression) const {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const QByteArray data = build(compression);
    return f.write(data) == data.size();
}

} // namespace Berth::Test
