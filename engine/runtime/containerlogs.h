// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>
#include <functional>

namespace Berth::Engine {

// One line of a container's log (written by berth-shim, see shimprotocol.h).
struct LogEntry {
    qint64 timeNs = 0; // nanoseconds since the epoch (the log keeps nanoseconds)
    QString stream;    // "stdout" or "stderr" (shared static strings: copying them is free)
    QByteArray text;   // as the container wrote it, with its trailing newline if it had one

    bool isStderr() const { return stream == QLatin1String("stderr"); }
    QDateTime time() const;
    // RFC 3339 with nanoseconds, as Docker prints with `logs -t`.
    QString timestamp() const;
};

// Appends `ns` (nanoseconds since the epoch) as Docker's `logs -t` prints it,
// "2024-01-02T03:04:05.000000006Z" (30 bytes), without allocating beyond `out`'s growth.
void appendLogTimestamp(QByteArray &out, qint64 ns);

struct LogQuery {
    int tail = -1;      // only the last N lines (-1: all); read from the end of the files
    qint64 sinceNs = 0; // only lines at or after this time (0: no bound)
    qint64 untilNs = 0; // only lines before this time (0: no bound)
};

// Parses the time formats `logs --since/--until` accept: RFC 3339 ("2024-01-02T03:04:05Z",
// with fraction or offset), a Unix timestamp with optional fraction ("1704164645.5"), or a
// duration before now ("10m", "1h30m", "45s"). Returns nanoseconds since the epoch.
Result<qint64> parseLogTime(const QString &text,
                            const QDateTime &now = QDateTime::currentDateTimeUtc());

// Called for each entry, oldest first; the entry (and its text) is only valid during the call.
// Returning false stops the reading.
using LogSink = std::function<bool(const LogEntry &)>;

struct ContainerSpec;

// Whether `logs` can read a container's output: not with the none log driver (dockerd's
// refusal, word for word, as clients show it).
Status logsReadable(const ContainerSpec &spec);

// Reads a container's JSON-lines log and its rotated files (ctr.log.N ... ctr.log.1, ctr.log)
// in that order. The files are read in large blocks and decoded in place, so the cost is that
// of reading the bytes: no system call per line. --tail reads blocks backwards from the end,
// so its cost depends on N, not on the log's size. A line still being written (no newline yet)
// is not returned until it is complete; lines that are not valid entries are skipped.
class LogReader {
public:
    explicit LogReader(const QString &logPath);

    // The matching lines, oldest first (the tail is taken first, then since/until filter it).
    // Afterwards the reader is positioned at the end of the current file, so follow()
    // continues exactly where this left off.
    Status read(const LogQuery &query, const LogSink &sink);
    // The same, collected (for small logs and tests).
    Result<QList<LogEntry>> read(const LogQuery &query);
    // Lines appended since the last read()/follow(). Survives rotation: the file that was
    // being read is finished first (found among the rotated files by its inode), then the
    // files rotated after it, then the current one.
    Status follow(const LogSink &sink);
    QList<LogEntry> follow();

private:
    // Where follow() goes on: the current file and the offset after its last line read, and
    // the bytes just before that offset (a file truncated in place and written again past the
    // offset no longer has them there).
    void keepPosition(int fd, quint64 inode, qint64 offset);
    bool positionHolds(int fd) const;
    QString m_path;
    quint64 m_inode = 0;
    qint64 m_offset = 0;
    QByteArray m_mark;
};

// Parses one log line (with or without its newline); false when it is not a valid entry.
// Decodes in place into `entry`, reusing its text's capacity.
bool parseLogLine(QByteArrayView line, LogEntry &entry);

// Calls `line` for each complete line (without its newline) of the file open as `fd` in the
// byte range [from, to) (to < 0: the end of the file), reading in large blocks. Returns the
// offset after the last complete line handed out, or -1 when reading failed. `line` returns
// false to stop (the offset is then after that line).
qint64 forEachLogLine(int fd, qint64 from, qint64 to,
                      const std::function<bool(QByteArrayView line)> &line);

} // namespace Berth::Engine
