// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QDateTime>
#include <QString>
#include <QUrl>
#include <atomic>

namespace Berth::Engine {

// A file ADD fetched from an http(s) URL into a temporary file (removed by the destructor).
class DownloadedFile {
public:
    DownloadedFile() = default;
    ~DownloadedFile();
    DownloadedFile(DownloadedFile &&other) noexcept;
    DownloadedFile &operator=(DownloadedFile &&other) noexcept;
    DownloadedFile(const DownloadedFile &) = delete;
    DownloadedFile &operator=(const DownloadedFile &) = delete;

    QString path;           // the temporary file
    QString fileName;       // the last segment of the URL's path (after redirects: the first)
    QDateTime lastModified; // the Last-Modified header; invalid when none
    Digest digest;          // sha256 of the content
    qint64 size = 0;
};

// Downloads `url` into a new file in `dir`, following redirects, hashing while it writes.
// Fails with the HTTP status for an error answer; with ErrorKind::Cancelled once `cancelled`
// becomes true. Blocks the calling thread (runs its own event loop; never the GUI thread).
Result<DownloadedFile> downloadUrl(const QUrl &url, const QString &dir,
                                   const std::atomic<bool> *cancelled = nullptr);

} // namespace Berth::Engine
