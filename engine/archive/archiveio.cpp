// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/archive/archiveio.h"

#include <QFile>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <unistd.h>

namespace Berth::Engine {

Compression detectCompression(const QByteArray &head) {
    const auto *b = reinterpret_cast<const unsigned char *>(head.constData());
    const qsizetype n = head.size();
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return Compression::Gzip;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return Compression::Zstd;
    if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h')
        return Compression::Bzip2;
    if (n >= 6 && b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' &&
        b[5] == 0)
        return Compression::Xz;
    return Compression::None;
}

Result<Compression> detectFileCompression(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("open %1: %2").arg(path, f.errorString()));
    return detectCompression(f.read(8));
}

DecompressingReader::~DecompressingReader() {
    if (m_archive)
        archive_read_free(m_archive);
}

Result<std::unique_ptr<DecompressingReader>> DecompressingReader::openFile(const QString &path) {
    std::unique_ptr<DecompressingReader> r(new DecompressingReader);
    r->m_archive = archive_read_new();
    archive_read_support_filter_all(r->m_archive);
    archive_read_support_format_raw(r->m_archive);
    const QByteArray name = QFile::encodeName(path);
    if (archive_read_open_filename(r->m_archive, name.constData(), 1 << 16) != ARCHIVE_OK)
        return fail(ErrorKind::NotFound,
                    QStringLiteral("open %1: %2")
                        .arg(path, QString::fromUtf8(archive_error_string(r->m_archive))));
    if (auto st = r->start(); !st)
        return fail(st.error());
    return r;
}

Result<std::unique_ptr<DecompressingReader>> DecompressingReader::openFd(int fd) {
    std::unique_ptr<DecompressingReader> r(new DecompressingReader);
    r->m_archive = archive_read_new();
    archive_read_support_filter_all(r->m_archive);
    archive_read_support_format_raw(r->m_archive);
    if (archive_read_open_fd(r->m_archive, fd, 1 << 16) != ARCHIVE_OK)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("read input: %1")
                        .arg(QString::fromUtf8(archive_error_string(r->m_archive))));
    if (auto st = r->start(); !st)
        return fail(st.error());
    return r;
}

Status DecompressingReader::start() {
    struct archive_entry *entry = nullptr;
    const int rc = archive_read_next_header(m_archive, &entry);
    if (rc == ARCHIVE_EOF) {
        m_atEnd = true; // empty input
        return {};
    }
    if (rc < ARCHIVE_WARN)
        return fail(ErrorKind::Corrupt, QString::fromUtf8(archive_error_string(m_archive)));
    return {};
}

Result<qint64> DecompressingReader::read(char *buffer, qint64 size) {
    if (m_atEnd)
        return 0;
    const la_ssize_t n = archive_read_data(m_archive, buffer, size_t(size));
    if (n < 0)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("corrupt or truncated data: %1")
                        .arg(QString::fromUtf8(archive_error_string(m_archive))));
    if (n == 0)
        m_atEnd = true;
    return qint64(n);
}

TarReader::~TarReader() {
    if (m_archive)
        archive_read_free(m_archive);
}

Result<std::unique_ptr<TarReader>> TarReader::openFile(const QString &path) {
    std::unique_ptr<TarReader> r(new TarReader);
    r->m_path = path;
    r->m_archive = archive_read_new();
    archive_read_support_filter_all(r->m_archive);
    archive_read_support_format_tar(r->m_archive);
    archive_read_support_format_gnutar(r->m_archive);
    const QByteArray name = QFile::encodeName(path);
    if (archive_read_open_filename(r->m_archive, name.constData(), 1 << 16) != ARCHIVE_OK)
        return fail(ErrorKind::NotFound,
                    QStringLiteral("open %1: %2")
                        .arg(path, QString::fromUtf8(archive_error_string(r->m_archive))));
    return r;
}

bool TarReader::isTarArchive(const QString &path) {
    auto reader = openFile(path);
    if (!reader)
        return false;
    auto first = (*reader)->next();
    return first && first->has_value();
}

Result<std::optional<TarReader::Entry>> TarReader::next() {
    struct archive_entry *e = nullptr;
    const int rc = archive_read_next_header(m_archive, &e);
    if (rc == ARCHIVE_EOF)
        return std::optional<Entry>();
    if (rc < ARCHIVE_WARN)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("%1: %2").arg(
                        m_path, QString::fromUtf8(archive_error_string(m_archive))));
    Entry entry;
    const char *name = archive_entry_pathname_utf8(e);
    entry.path = name ? QString::fromUtf8(name) : QString::fromLocal8Bit(archive_entry_pathname(e));
    entry.type = archive_entry_filetype(e);
    entry.mode = int(archive_entry_perm(e));
    entry.mtime = archive_entry_mtime(e);
    entry.uid = int(archive_entry_uid(e));
    entry.gid = int(archive_entry_gid(e));
    entry.size = archive_entry_size(e);
    if (const char *link = archive_entry_symlink_utf8(e))
        entry.symlinkTarget = QString::fromUtf8(link);
    if (const char *link = archive_entry_hardlink_utf8(e)) {
        entry.hardlinkTarget = QString::fromUtf8(link);
        entry.type = AE_IFREG;
    }
    return std::optional<Entry>(entry);
}

Result<qint64> TarReader::read(char *buffer, qint64 size) {
    const la_ssize_t n = archive_read_data(m_archive, buffer, size_t(size));
    if (n < 0)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("%1: corrupt or truncated data: %2")
                        .arg(m_path, QString::fromUtf8(archive_error_string(m_archive))));
    return qint64(n);
}

Status writeAllToFd(int fd, const char *data, qint64 size) {
    qint64 done = 0;
    while (done < size) {
        const ssize_t n = ::write(fd, data + done, size_t(size - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return failErrno(QStringLiteral("write"), errno);
        }
        done += n;
    }
    return {};
}

TarWriter::TarWriter(Sink sink)
    : m_sink(std::move(sink)) {
    m_archive = archive_write_new();
    archive_write_set_format_pax_restricted(m_archive);
    // Pad only to the 512-byte record, not libarchive's default 10 KiB block.
    archive_write_set_bytes_per_block(m_archive, 0);
    archive_write_open(
        m_archive, this, nullptr,
        [](struct archive *, void *client, const void *buffer, size_t length) -> la_ssize_t {
            auto *self = static_cast<TarWriter *>(client);
            if (self->m_sinkFailed)
                return -1;
            if (auto st = self->m_sink(static_cast<const char *>(buffer), qint64(length)); !st) {
                self->m_sinkFailed = true;
                self->m_sinkError = st.error();
                return -1;
            }
            return la_ssize_t(length);
        },
        nullptr);
}

TarWriter::~TarWriter() {
    if (m_archive) {
        if (!m_finished)
            archive_write_fail(m_archive); // do not write end blocks of a failed archive
        archive_write_free(m_archive);
    }
}

Status TarWriter::check(int rc, const QString &what) {
    if (rc >= ARCHIVE_WARN)
        return {};
    if (m_sinkFailed)
        return fail(m_sinkError);
    return fail(ErrorKind::Internal, QStringLiteral("%1: %2").arg(
                                         what, QString::fromUtf8(archive_error_string(m_archive))));
}

namespace {
struct archive_entry *newEntry(const QString &path, unsigned type, const TarWriter::Meta &meta) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, path.toUtf8().constData());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, mode_t(meta.mode));
    archive_entry_set_mtime(e, time_t(meta.mtime), 0);
    archive_entry_set_uid(e, meta.uid);
    archive_entry_set_gid(e, meta.gid);
    return e;
}
} // namespace

Status TarWriter::addDirectory(const QString &path, const Meta &meta) {
    struct archive_entry *e = newEntry(path, AE_IFDIR, meta);
    const int rc = archive_write_header(m_archive, e);
    archive_entry_free(e);
    return check(rc, QStringLiteral("write %1").arg(path));
}

Status TarWriter::addSymlink(const QString &path, const QString &target, const Meta &meta) {
    struct archive_entry *e = newEntry(path, AE_IFLNK, meta);
    archive_entry_set_symlink_utf8(e, target.toUtf8().constData());
    const int rc = archive_write_header(m_archive, e);
    archive_entry_free(e);
    return check(rc, QStringLiteral("write %1").arg(path));
}

Status TarWriter::addHardlink(const QString &path, const QString &target, const Meta &meta) {
    struct archive_entry *e = newEntry(path, AE_IFREG, meta);
    archive_entry_set_hardlink_utf8(e, target.toUtf8().constData());
    archive_entry_set_size(e, 0);
    const int rc = archive_write_header(m_archive, e);
    archive_entry_free(e);
    return check(rc, QStringLiteral("write %1").arg(path));
}

Status TarWriter::beginFile(const QString &path, qint64 size, const Meta &meta) {
    struct archive_entry *e = newEntry(path, AE_IFREG, meta);
    archive_entry_set_size(e, size);
    const int rc = archive_write_header(m_archive, e);
    archive_entry_free(e);
    return check(rc, QStringLiteral("write %1").arg(path));
}

Status TarWriter::writeData(const char *data, qint64 size) {
    while (size > 0) {
        const la_ssize_t n = archive_write_data(m_archive, data, size_t(size));
        if (n <= 0)
            return check(n < 0 ? int(n) : ARCHIVE_FATAL, QStringLiteral("write data"));
        data += n;
        size -= n;
    }
    return {};
}

Status TarWriter::addFile(const QString &path, const QByteArray &content, const Meta &meta) {
    if (auto st = beginFile(path, content.size(), meta); !st)
        return st;
    return writeData(content.constData(), content.size());
}

Status TarWriter::finish() {
    m_finished = true;
    return check(archive_write_close(m_archive), QStringLiteral("finish archive"));
}

} // namespace Berth::Engine
