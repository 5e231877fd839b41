// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/content/growingblob.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <unistd.h>

namespace Berth::Engine {

GrowingBlob::GrowingBlob(int fd, qint64 written)
    : m_fd(fd)
    , m_written(written) {}

GrowingBlob::~GrowingBlob() {
    if (m_fd >= 0)
        ::close(m_fd);
}

void GrowingBlob::wrote(qint64 total) {
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Writing)
            return;
        m_written = total;
    }
    m_grew.notify_all();
}

void GrowingBlob::committed() {
    {
        std::lock_guard lock(m_mutex);
        if (m_state == State::Writing)
            m_state = State::Committed;
    }
    m_grew.notify_all();
}

void GrowingBlob::abandoned(const QString &why) {
    {
        std::lock_guard lock(m_mutex);
        if (m_state != State::Writing)
            return;
        m_state = State::Abandoned;
        m_error = why;
    }
    m_grew.notify_all();
}

QString GrowingBlob::error() const {
    std::lock_guard lock(m_mutex);
    return m_error;
}

qint64 GrowingBlob::read(char *buffer, qint64 max, const std::atomic<bool> *cancel) {
    qint64 available = 0;
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (m_state == State::Abandoned)
                return -1;
            if (cancel && cancel->load(std::memory_order_relaxed)) {
                m_error = QStringLiteral("cancelled");
                return -1;
            }
            available = m_written - m_read;
            if (available > 0)
                break;
            if (m_state == State::Committed)
                return 0;
            // Woken by the writer; the timeout only serves the cancel flag.
            m_grew.wait_for(lock, std::chrono::milliseconds(100));
        }
    }
    for (;;) {
        const ssize_t n = ::pread(m_fd, buffer, size_t(qMin(max, available)), m_read);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            std::lock_guard lock(m_mutex);
            m_error = n < 0 ? QString::fromLocal8Bit(std::strerror(errno))
                            : QStringLiteral("the blob is shorter than written");
            return -1;
        }
        std::lock_guard lock(m_mutex);
        m_read += n;
        return n;
    }
}

} // namespace Berth::Engine
