// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal helpers of engine/archive: compression sniffing, decompressing readers and a tar
// writer over any byte sink, all on libarchive. Not part of the engine's public API.

#include "engine/core/result.h"

#include <QByteArray>
#include <QString>
#include <functional>
#include <memory>
#include <optional>

struct archive;

namespace Berth::Engine {

enum class Compression { None, Gzip, Zstd, Bzip2, Xz };

// Compression of a stream, from its first bytes (magic numbers).
Compression detectCompression(const QByteArray &head);
// Compression of a file's content; an error when it cannot be read.
Result<Compression> detectFileCompression(const QString &path);

// Reads the decompressed bytes of a file or file descriptor that may be compressed with any
// filter libarchive knows (or not at all).
class DecompressingReader {
public:
    ~DecompressingReader();
    static Result<std::unique_ptr<DecompressingReader>> openFile(const QString &path);
    // Does not take ownership of `fd`.
    static Result<std::unique_ptr<DecompressingReader>> openFd(int fd);
    // Bytes read, 0 at the end; an error for corrupt or truncated input.
    Result<qint64> read(char *buffer, qint64 size);

private:
    DecompressingReader() = default;
    Status start();
    struct archive *m_archive = nullptr;
    bool m_atEnd = false;
};

// Reads the entries of a tar archive that may be compressed with any filter libarchive knows
// (gzip, bzip2, xz, zstd, ...) or not at all. Names come as stored: callers sanitise them.
class TarReader {
public:
    ~TarReader();
    static Result<std::unique_ptr<TarReader>> openFile(const QString &path);
    // Whether the file is a tar archive (compressed or not) with at least one entry: what ADD
    // extracts. Anything else (a plain or compressed file that holds no tar) is not.
    static bool isTarArchive(const QString &path);

    struct Entry {
        QString path;
        unsigned type = 0; // S_IFREG, S_IFDIR, S_IFLNK, ... (a hard link is S_IFREG)
        int mode = 0;      // permission bits
        qint64 mtime = 0;
        int uid = 0;
        int gid = 0;
        qint64 size = 0;
        QString symlinkTarget;
        QString hardlinkTarget; // set for a hard link to an earlier entry
    };
    // The next entry; std::nullopt at the end.
    Result<std::optional<Entry>> next();
    // The current entry's data; 0 at its end.
    Result<qint64> read(char *buffer, qint64 size);

private:
    TarReader() = default;
    struct archive *m_archive = nullptr;
    QString m_path;
};

// Writes a tar (POSIX pax, deterministic: no atime/ctime, names as given) to a sink.
class TarWriter {
public:
    using Sink = std::function<Status(const char *data, qint64 size)>;
    explicit TarWriter(Sink sink);
    ~TarWriter();
    TarWriter(const TarWriter &) = delete;
    TarWriter &operator=(const TarWriter &) = delete;

    struct Meta {
        int mode = 0644;
        qint64 mtime = 0;
        int uid = 0;
        int gid = 0;
    };

    Status addDirectory(const QString &path, const Meta &meta);
    Status addSymlink(const QString &path, const QString &target, const Meta &meta);
    // A hard link to `target`, an earlier entry of this archive.
    Status addHardlink(const QString &path, const QString &target, const Meta &meta);
    // Starts a regular file of exactly `size` bytes; follow with writeData() calls.
    Status beginFile(const QString &path, qint64 size, const Meta &meta);
    Status writeData(const char *data, qint64 size);
    Status addFile(const QString &path, const QByteArray &content, const Meta &meta);
    // Writes the end-of-archive blocks; the writer cannot be used afterwards.
    Status finish();

private:
    Status check(int rc, const QString &what);
    struct archive *m_archive = nullptr;
    Sink m_sink;
    Error m_sinkError;
    bool m_sinkFailed = false;
    bool m_finished = false;
};

// Writes all of `data` to `fd`, retrying on EINTR and short writes.
Status writeAllToFd(int fd, const char *data, qint64 size);

} // namespace Berth::Engine
