// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/runtime/containerlogs.h"

#include <QAbstractListModel>
#include <QCache>
#include <QFile>
#include <QFuture>
#include <QRegularExpression>
#include <QThreadPool>
#include <QVector>
#include <atomic>
#include <memory>

namespace Berth::Gui {

// A virtualised view over a container's JSON-lines log file (ctr.log, see shimprotocol.h): it
// never holds the log's text, only the byte offset where each line starts (8 bytes a line, the
// top bit marking stderr), built incrementally by a worker in chunks so the first lines show
// at once and a million-line log does not stop the GUI thread. data() reads and parses just the
// rows a view asks for (the visible ones), with a small cache. poll() indexes what was appended
// since (follow mode); a file that shrank or was replaced (rotation) is indexed again from the
// start. The rotated files (ctr.log.N) are not shown.
//
// Rows are the lines that pass the stream filter. The search runs in the worker too and yields
// the matching rows; highlighting the matches in a row is the view's job (searchPattern()).
// No widget code: tested with QAbstractItemModelTester.
class LogModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum StreamFilter { AllStreams, StdoutOnly, StderrOnly };
    enum Role {
        StreamRole = Qt::UserRole + 1, // "stdout" / "stderr"
        TimestampRole,                 // RFC 3339 with nanoseconds
        MessageRole,                   // the text without timestamp or trailing newline
        LineNumberRole,                // 0-based line in the file
    };

    explicit LogModel(QObject *parent = nullptr);
    ~LogModel() override;

    // Forgets the current file and starts indexing `path` (which may not exist yet).
    void setFile(const QString &path);
    QString file() const { return m_path; }
    // Indexes lines appended since the last look; cheap when nothing changed.
    void poll();
    bool isIndexing() const { return m_indexing; }
    qint64 lineCount() const { return m_starts.size(); }

    void setStreamFilter(StreamFilter filter);
    StreamFilter streamFilter() const { return m_filter; }
    void setShowTimestamps(bool show);
    bool showTimestamps() const { return m_timestamps; }

    // Finds the rows whose message matches (plain text, case-insensitive, or a regular
    // expression) in the worker; searchFinished() reports them in order. An empty pattern clears.
    void setSearch(const QString &pattern, bool regex);
    QRegularExpression searchPattern() const { return m_search; }
    QList<int> matchingRows() const { return m_matchRows; }

    // Writes the rows as shown (filter and timestamps applied) to `path` in the worker.
    QFuture<Engine::Status> exportTo(const QString &path) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

    // One chunk of the index: line starts (with the stderr bit) of complete lines in
    // [from, end), and whether the file has more after `end`.
    struct Chunk {
        QVector<qint64> starts;
        qint64 end = 0;
        bool more = false;
        bool reset = false; // the file shrank or was replaced: start again
    };
    static Chunk indexChunk(const QString &path, qint64 from, qint64 maxBytes, quint64 inode);

Q_SIGNALS:
    void indexingFinished();
    void searchFinished();

private:
    void scheduleIndexing();
    void appendChunk(const Chunk &chunk);
    bool accepts(qint64 start) const;
    int lineOfRow(int row) const;
    bool readEntry(int line, Engine::LogEntry &entry) const;
    QString displayText(const Engine::LogEntry &entry) const;

    QString m_path;
    quint64 m_inode = 0;
    QVector<qint64> m_starts; // line start offsets; bit 62 = stderr
    qint64 m_end = 0;         // byte after the last indexed line
    QVector<int> m_rows;      // lines that pass the filter (unused with AllStreams)
    StreamFilter m_filter = AllStreams;
    bool m_timestamps = false;
    bool m_indexing = false;
    bool m_pollAgain = false;
    quint64 m_generation = 0;
    QRegularExpression m_search;
    QList<int> m_matchRows;
    quint64 m_searchGeneration = 0;
    // The search workers stop early once a newer search started.
    std::shared_ptr<std::atomic<quint64>> m_latestSearch =
        std::make_shared<std::atomic<quint64>>(0);
    mutable QFile m_file;
    mutable QCache<int, Engine::LogEntry> m_cache;
    QThreadPool m_pool; // one thread: chunks are indexed in order
};

} // namespace Berth::Gui
