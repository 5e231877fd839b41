// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"
#include "engine/core/storepaths.h"

#include <QByteArray>
#include <QIODevice>
#include <QList>
#include <QString>
#include <memory>

namespace Berth::Engine {

class BlobWriter;
class GrowingBlob;

// Content-addressed blob store: blobs/sha256/<hex>, one immutable file per digest.
//
// Guarantees: a blob is visible under its digest only once its bytes hash to that digest; it is
// written to ingest/ first, hashed while written, fsynced, then renamed into place, so a crash
// leaves at most an ingest file and never a wrong or partial blob. Writes of the same blob by
// several processes are safe (the later rename finds the blob already present). Removal is
// the caller's business (garbage collection decides what is unreferenced).
class ContentStore {
public:
    explicit ContentStore(const StorePaths &paths);

    Status init();

    bool contains(const Digest &digest) const;
    QString blobPath(const Digest &digest) const;
    Result<qint64> size(const Digest &digest) const;
    // Reads a whole blob; refuses blobs larger than `maxSize`.
    Result<QByteArray> read(const Digest &digest, qint64 maxSize) const;
    QList<Digest> list() const;
    Status remove(const Digest &digest);

    // Stores a small blob held in memory. When `expected` is valid, the data must hash to it.
    Result<Digest> write(const QByteArray &data, const Digest &expected = {});

    // Opens a writer for streaming a blob. `ref` names the ingest (the expected digest's hex for
    // downloads), so an interrupted write resumes where it stopped: offset() tells how many bytes
    // are already there. `expected` may be invalid when the digest is only known at the end.
    Result<std::unique_ptr<BlobWriter>> openWriter(const QString &ref, const Digest &expected = {},
                                                   qint64 expectedSize = -1);

    // Copies a stream into the store, verifying `expected` when given. At most `maxSize`
    // bytes are accepted (-1: unlimited).
    Result<Digest> ingest(QIODevice &in, const Digest &expected = {}, qint64 maxSize = -1);

    // Removes ingest files whose writer process is gone; returns bytes freed.
    qint64 cleanIngest();

    const StorePaths &paths() const { return m_paths; }

private:
    StorePaths m_paths;
};

// A blob being written into ingest/. Not copyable; one writer per ref at a time (an exclusive
// lock on the ingest file makes a second writer wait for the first).
class BlobWriter {
public:
    ~BlobWriter(); // keeps the partial data for resume unless abort() was called

    qint64 offset() const { return m_written; }
    Status write(const char *data, qint64 size);
    Status write(const QByteArray &data) { return write(data.constData(), data.size()); }
    // Verifies size and digest, fsyncs and renames into blobs/. On a mismatch the ingest data
    // is deleted and the error says which digest was expected and which was found.
    Result<Digest> commit();
    // Deletes the partial data.
    void abort();
    // Truncates to zero and starts over (the server ignored a Range request, for example).
    Status restart();
    // A reader of the blob while it is written (see GrowingBlob), starting from its first
    // byte; it ends when commit() succeeds and fails on restart(), abort() or destruction.
    Result<std::shared_ptr<GrowingBlob>> follow();

private:
    friend class ContentStore;
    BlobWriter() = default;
    Status resumeHash();

    ContentStore *m_store = nullptr;
    QString m_dir;
    QString m_dataPath;
    Digest m_expected;
    qint64 m_expectedSize = -1;
    qint64 m_written = 0;
    int m_fd = -1;
    std::unique_ptr<Sha256> m_hash;
    std::shared_ptr<GrowingBlob> m_follower;
};

} // namespace Berth::Engine
