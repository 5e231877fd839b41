// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace Berth::Engine {

// One line of a container's log (written by berth-shim, see shimprotocol.h).
struct LogEntry {
    qint64 timeNs = 0; // nanoseconds since the epoch (the log keeps nanoseconds)
    QString stream;    // "stdout" or "stderr"
    QByteArray text;   // as the container wrote it, with its trailing newline if it had one

    QDateTime time() const;
    // RFC 3339 with nanoseconds, as Docker prints with `logs -t`.
    QString timestamp() const;
};

struct LogQuery {
    int tail = -1;      // only the last N lines (-1: all); read from the end of the file
    qint64 sinceNs = 0; // only lines at or after this time (0: no bound)
    qint64 untilNs = 0; // only lines before this time (0: no bound)
};

// Parses the time formats `logs --since/--until` accept: RFC 3339 ("2024-01-02T03:04:05Z",
// with fraction or offset), a Unix timestamp with optional fraction ("1704164645.5"), or a
// duration before now ("10m", "1h30m", "45s"). Returns nanoseconds since the epoch.
Result<qint64> parseLogTime(const QString &text,
                            const QDateTime &now = QDateTime::currentDateTimeUtc());

// Reads a container's JSON-lines log and its rotated files (ctr.log.N ... ctr.log.1, ctr.log).
// --tail reads blocks backwards from the end, so the cost depends on N, not the log's size.
// A line still being written (no newline yet) is not returned until it is complete.
class LogReader {
public:
    explicit LogReader(const QString &logPath);

    // The matching lines, oldest first. Afterwards the reader is positioned at the end of the
    // current file, so follow() continues exactly where this left off.
    Result<QList<LogEntry>> read(const LogQuery &query);
    // Lines appended since the last read()/follow(); survives rotation (the old file is
    // finished first).
    QList<LogEntry> follow();

private:
    // Complete lines of `file` before byte `end` (-1: its size), the last `tail` (-1: all).
    QList<QByteArray> linesOf(const QString &file, int tail, qint64 end) const;
    QString m_path;
    quint64 m_inode = 0;
    qint64 m_offset = 0;
};

// Parses one log line; false when it is not a valid entry.
bool parseLogLine(const QByteArray &line, LogEntry &entry);

} // namespace Berth::Engine
