// SPDX-License-Identifier: GPL-3.0-or-later
// Writing to the content store (hashing what comes in), apart from contentstore.cpp so that a
// program that only reads the store (berthctl's container commands) does not load OpenSSL.
#include "engine/content/contentstore.h"

#include "engine/content/growingblob.h"
#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {
bool validRef(const QString &ref) {
    if (ref.isEmpty() || ref.size() > 200 || ref.startsWith(QLatin1Char('.')))
        return false;
    for (QChar c : ref)
        if (!(c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_') ||
              c == QLatin1Char('.')))
            return false;
    return true;
}
} // namespace

Result<Digest> ContentStore::write(const QByteArray &data, const Digest &expected) {
    const Digest actual = Digest::ofData(data);
    if (expected.isValid() && actual != expected)
        return fail(ErrorKind::Corrupt, QStringLiteral("digest mismatch: expected %1, got %2")
                                            .arg(expected.toString(), actual.toString()));
    if (contains(actual))
        return actual;
    if (auto st = writeFileAtomically(blobPath(actual), data, 0444); !st)
        return fail(st.error().withContext(QStringLiteral("write blob %1").arg(actual.toString())));
    return actual;
}

Result<std::unique_ptr<BlobWriter>>
ContentStore::openWriter(const QString &ref, const Digest &expected, qint64 expectedSize) {
    if (!validRef(ref))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid ingest ref \"%1\"").arg(ref));
    std::unique_ptr<BlobWriter> w(new BlobWriter);
    w->m_store = this;
    w->m_dir = m_paths.ingest() + QLatin1Char('/') + ref;
    w->m_dataPath = w->m_dir + QStringLiteral("/data");
    w->m_expected = expected;
    w->m_expectedSize = expectedSize;
    // One writer per ref: a second process waits on the lock until the first commits or gives
    // up. A committed ingest was renamed away, so after waiting, make sure the locked file is
    // still the one at the ingest path; otherwise start on a fresh file.
    for (;;) {
        if (auto st = makeDirectories(w->m_dir); !st)
            return fail(st.error());
        auto lock = FileLock::acquire(w->m_dataPath, FileLock::Mode::Exclusive);
        if (!lock)
            return fail(lock.error().withContext(QStringLiteral("ingest %1").arg(ref)));
        if (lock->isStillAt(w->m_dataPath)) {
            w->m_fd = std::move(*lock).intoDescriptor(); // writes through the locked file
            break;
        }
    }
    if (auto st = w->resumeHash(); !st)
        return fail(st.error());
    return w;
}

Result<Digest> ContentStore::ingest(QIODevice &in, const Digest &expected, qint64 maxSize) {
    auto writer = openWriter(uniqueTempName(QStringLiteral("stream")), expected);
    if (!writer)
        return fail(writer.error());
    BlobWriter &w = **writer;
    QByteArray buf(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 n = in.read(buf.data(), buf.size());
        if (n < 0) {
            w.abort();
            return fail(ErrorKind::Corrupt, QStringLiteral("read: %1").arg(in.errorString()));
        }
        if (n == 0 && (in.atEnd() || !in.waitForReadyRead(30000)))
            break;
        if (maxSize >= 0 && w.offset() + n > maxSize) {
            w.abort();
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("blob is larger than the %1 bytes allowed").arg(maxSize));
        }
        if (auto st = w.write(buf.constData(), n); !st) {
            w.abort();
            return fail(st.error());
        }
    }
    return w.commit();
}

BlobWriter::~BlobWriter() {
    if (m_follower)
        m_follower->abandoned(QStringLiteral("the download stopped"));
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<std::shared_ptr<GrowingBlob>> BlobWriter::follow() {
    const int fd = ::open(QFile::encodeName(m_dataPath).constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return failErrno(QStringLiteral("open %1").arg(m_dataPath), errno);
    if (m_follower)
        m_follower->abandoned(QStringLiteral("followed anew"));
    m_follower = std::shared_ptr<GrowingBlob>(new GrowingBlob(fd, m_written));
    return m_follower;
}

Status BlobWriter::resumeHash() {
    m_hash = std::make_unique<Sha256>();
    m_written = 0;
    QByteArray buf(1 << 20, Qt::Uninitialized);
    ::lseek(m_fd, 0, SEEK_SET);
    for (;;) {
        const ssize_t n = ::read(m_fd, buf.data(), size_t(buf.size()));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return failErrno(QStringLiteral("read ingest %1").arg(m_dataPath), errno);
        }
        if (n == 0)
            break;
        m_hash->add(buf.constData(), n);
        m_written += n;
    }
    return {};
}

Status BlobWriter::write(const char *data, qint64 size) {
    if (m_expectedSize >= 0 && m_written + size > m_expectedSize)
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("blob %1 is larger than its declared size of %2 bytes")
                        .arg(m_expected.isValid() ? m_expected.toString() : QStringLiteral("data"))
                        .arg(m_expectedSize));
    qint64 done = 0;
    while (done < size) {
        const ssize_t n = ::write(m_fd, data + done, size_t(size - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return failErrno(QStringLiteral("write blob"), errno);
        }
        done += n;
    }
    m_hash->add(data, size);
    m_written += size;
    if (m_follower)
        m_follower->wrote(m_written);
    return {};
}

Status BlobWriter::restart() {
    if (m_follower)
        m_follower->abandoned(QStringLiteral("the download started over"));
    if (::ftruncate(m_fd, 0) != 0)
        return failErrno(QStringLiteral("truncate ingest"), errno);
    ::lseek(m_fd, 0, SEEK_SET);
    m_hash = std::make_unique<Sha256>();
    m_written = 0;
    return {};
}

Result<Digest> BlobWriter::commit() {
    const Digest actual = m_hash->finish();
    m_hash = std::make_unique<Sha256>(); // finish() consumed the state
    if (m_expectedSize >= 0 && m_written != m_expectedSize) {
        abort();
        return fail(ErrorKind::Corrupt, QStringLiteral("size mismatch: expected %1 bytes, got %2")
                                            .arg(m_expectedSize)
                                            .arg(m_written));
    }
    if (m_expected.isValid() && actual != m_expected) {
        abort();
        return fail(ErrorKind::Corrupt, QStringLiteral("digest mismatch: expected %1, got %2")
                                            .arg(m_expected.toString(), actual.toString()));
    }
    if (::fsync(m_fd) != 0) {
        const int err = errno;
        abort();
        return failErrno(QStringLiteral("fsync blob"), err);
    }
    ::fchmod(m_fd, 0444);
    const QString target = m_store->blobPath(actual);
    if (::rename(QFile::encodeName(m_dataPath).constData(),
                 QFile::encodeName(target).constData()) != 0) {
        const int err = errno;
        abort();
        return failErrno(QStringLiteral("store blob %1").arg(actual.toString()), err);
    }
    fsyncDirectoryOf(target);
    removeTree(m_dir);
    ::close(m_fd);
    m_fd = -1;
    if (m_follower)
        m_follower->committed();
    return actual;
}

void BlobWriter::abort() {
    if (m_follower)
        m_follower->abandoned(QStringLiteral("the blob was discarded"));
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    removeTree(m_dir);
}

} // namespace Berth::Engine
