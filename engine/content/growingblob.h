// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace Berth::Engine {

// Reads a blob while its BlobWriter is still writing it, so a layer can be unpacked as it
// downloads instead of after. Handed out by BlobWriter::follow(); thread-safe: the writer's
// thread reports progress, another thread reads.
//
// read() returns bytes as soon as the writer has written them and waits while the reader has
// caught up. It ends (returns 0) only once the writer committed the blob, so everything read
// is the verified blob; it fails (returns -1, see error()) once the writer restarted from zero,
// aborted, or went away without committing, because the bytes read may then not be the blob's.
class GrowingBlob {
public:
    ~GrowingBlob();
    GrowingBlob(const GrowingBlob &) = delete;
    GrowingBlob &operator=(const GrowingBlob &) = delete;

    // The next bytes, up to `max`; 0 at the end of the committed blob, -1 on failure. Waits for
    // the writer; `cancel` (may be null) stops the wait with a failure.
    qint64 read(char *buffer, qint64 max, const std::atomic<bool> *cancel = nullptr);
    QString error() const;

private:
    friend class BlobWriter;
    GrowingBlob(int fd, qint64 written);
    void wrote(qint64 total);
    void committed();
    void abandoned(const QString &why);

    enum class State { Writing, Committed, Abandoned };
    mutable std::mutex m_mutex;
    std::condition_variable m_grew;
    int m_fd = -1;
    qint64 m_written = 0; // by the writer
    qint64 m_read = 0;    // by the reader
    State m_state = State::Writing;
    QString m_error;
};

} // namespace Berth::Engine
