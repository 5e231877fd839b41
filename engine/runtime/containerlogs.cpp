// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerlogs.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <sys/stat.h>

namespace Berth::Engine {

namespace {

constexpr qint64 kBlock = 64 * 1024;

quint64 inodeOf(const QString &path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? quint64(st.st_ino) : 0;
}

// Complete lines of `data` (the part after the last newline is left out).
QList<QByteArray> completeLines(const QByteArray &data) {
    QList<QByteArray> lines = data.split('\n');
    lines.removeLast(); // after the final newline: empty or a partial line
    return lines;
}

// Parses "2024-01-02T03:04:05.123456789Z" (or with an offset) into nanoseconds.
bool parseRfc3339Ns(QStringView text, qint64 &ns) {
    if (text.size() < 19)
        return false;
    const QDateTime base =
        QDateTime::fromString(text.left(19).toString(), QStringLiteral("yyyy-MM-ddTHH:mm:ss"));
    if (!base.isValid())
        return false;
    qsizetype i = 19;
    qint64 fraction = 0;
    int digits = 0;
    if (i < text.size() && text[i] == QLatin1Char('.')) {
        ++i;
        while (i < text.size() && text[i].isDigit()) {
            if (digits < 9) {
                fraction = fraction * 10 + text[i].digitValue();
                ++digits;
            }
            ++i;
        }
    }
    for (; digits < 9; ++digits)
        fraction *= 10;
    qint64 offsetSecs = 0;
    if (i < text.size() && (text[i] == QLatin1Char('+') || text[i] == QLatin1Char('-'))) {
        const QStringView off = text.mid(i + 1);
        if (off.size() < 5)
            return false;
        offsetSecs = (off.left(2).toInt() * 60 + off.mid(3, 2).toInt()) * 60;
        if (text[i] == QLatin1Char('+'))
            offsetSecs = -offsetSecs;
    } else if (i >= text.size() || (text[i] != QLatin1Char('Z') && text[i] != QLatin1Char('z'))) {
        return false;
    }
    QDateTime utc = base;
    utc.setTimeSpec(Qt::UTC);
    ns = (utc.toSecsSinceEpoch() + offsetSecs) * 1000000000LL + fraction;
    return true;
}

} // namespace

QDateTime LogEntry::time() const {
    return QDateTime::fromMSecsSinceEpoch(timeNs / 1000000LL, Qt::UTC);
}

QString LogEntry::timestamp() const {
    const QDateTime t = QDateTime::fromSecsSinceEpoch(timeNs / 1000000000LL, Qt::UTC);
    return t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")) +
           QStringLiteral("%1Z").arg(timeNs % 1000000000LL, 9, 10, QLatin1Char('0'));
}

bool parseLogLine(const QByteArray &line, LogEntry &entry) {
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.isEmpty())
        return false;
    if (!parseRfc3339Ns(o.value(QStringLiteral("time")).toString(), entry.timeNs))
        return false;
    entry.stream = o.value(QStringLiteral("stream")).toString();
    entry.text = o.value(QStringLiteral("log")).toString().toUtf8();
    return true;
}

Result<qint64> parseLogTime(const QString &text, const QDateTime &now) {
    const QString t = text.trimmed();
    qint64 ns = 0;
    if (parseRfc3339Ns(t, ns))
        return ns;
    static const QRegularExpression unixTime(QStringLiteral("^(\\d+)(?:\\.(\\d{1,9}))?$"));
    if (auto m = unixTime.match(t); m.hasMatch()) {
        QString frac = m.captured(2);
        frac = frac.leftJustified(9, QLatin1Char('0'));
        return m.captured(1).toLongLong() * 1000000000LL + frac.toLongLong();
    }
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ms|h|m|s)"));
    static const QRegularExpression whole(QStringLiteral("^(?:\\d+(?:\\.\\d+)?(?:ms|h|m|s))+$"));
    if (whole.match(t).hasMatch()) {
        double seconds = 0;
        for (auto it = part.globalMatch(t); it.hasNext();) {
            const auto m = it.next();
            const double v = m.captured(1).toDouble();
            const QString unit = m.captured(2);
            seconds += unit == QLatin1String("h")    ? v * 3600
                       : unit == QLatin1String("m")  ? v * 60
                       : unit == QLatin1String("ms") ? v / 1000
                                                     : v;
        }
        return now.toMSecsSinceEpoch() * 1000000LL - qint64(seconds * 1e9);
    }
    return fail(ErrorKind::InvalidArgument,
                QStringLiteral("invalid time \"%1\" (use RFC 3339, a Unix timestamp or a "
                               "duration like 10m)")
                    .arg(text));
}

LogReader::LogReader(const QString &logPath)
    : m_path(logPath) {}

QList<QByteArray> LogReader::linesOf(const QString &file, int tail, qint64 end) const {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = end < 0 ? f.size() : qMin(end, f.size());
    if (tail < 0)
        return completeLines(f.read(size));
    // Backwards in blocks until tail + 1 newlines are seen (the first one ends the last line).
    qint64 pos = size;
    QByteArray data;
    while (pos > 0 && data.count('\n') <= tail) {
        const qint64 start = qMax<qint64>(0, pos - kBlock);
        f.seek(start);
        data.prepend(f.read(pos - start));
        pos = start;
    }
    QList<QByteArray> lines = completeLines(data);
    if (pos > 0 && !lines.isEmpty())
        lines.removeFirst(); // may start in the middle of a line
    if (lines.size() > tail)
        lines = lines.mid(lines.size() - tail);
    return lines;
}

Result<QList<LogEntry>> LogReader::read(const LogQuery &query) {
    QStringList files; // newest first
    files.append(m_path);
    for (int i = 1;; ++i) {
        const QString rotated = m_path + QLatin1Char('.') + QString::number(i);
        if (!QFileInfo::exists(rotated))
            break;
        files.append(rotated);
    }
    // Pin the end of the current file at its last complete line: what comes later is
    // follow()'s, so nothing is lost or shown twice between the two.
    m_inode = inodeOf(m_path);
    m_offset = 0;
    if (QFile f(m_path); f.open(QIODevice::ReadOnly)) {
        const qint64 size = f.size();
        for (qint64 pos = size; pos > 0;) {
            const qint64 start = qMax<qint64>(0, pos - kBlock);
            f.seek(start);
            const qsizetype nl = f.read(pos - start).lastIndexOf('\n');
            if (nl >= 0) {
                m_offset = start + nl + 1;
                break;
            }
            pos = start;
        }
    }
    QList<QByteArray> lines;
    for (const QString &file : std::as_const(files)) {
        const int wanted = query.tail < 0 ? -1 : query.tail - int(lines.size());
        if (wanted == 0)
            break;
        lines = linesOf(file, wanted, file == m_path ? m_offset : -1) + lines;
    }
    QList<LogEntry> out;
    out.reserve(lines.size());
    for (const QByteArray &line : std::as_const(lines)) {
        LogEntry e;
        if (!parseLogLine(line, e))
            continue;
        if (query.sinceNs > 0 && e.timeNs < query.sinceNs)
            continue;
        if (query.untilNs > 0 && e.timeNs >= query.untilNs)
            continue;
        out.append(e);
    }
    return out;
}

QList<LogEntry> LogReader::follow() {
    QList<QByteArray> lines;
    const quint64 inode = inodeOf(m_path);
    if (inode != m_inode && m_inode != 0) {
        // Rotated: finish the file we were reading, now ctr.log.1.
        const QString rotated = m_path + QStringLiteral(".1");
        if (inodeOf(rotated) == m_inode) {
            QFile old(rotated);
            if (old.open(QIODevice::ReadOnly) && old.seek(m_offset))
                lines += completeLines(old.readAll());
        }
        m_offset = 0;
    }
    m_inode = inode;
    QFile f(m_path);
    if (f.open(QIODevice::ReadOnly)) {
        if (f.size() < m_offset)
            m_offset = 0; // truncated in place (max-file 1)
        f.seek(m_offset);
        const QByteArray data = f.readAll();
        const qsizetype nl = data.lastIndexOf('\n');
        if (nl >= 0) {
            lines += completeLines(data.left(nl + 1));
            m_offset += nl + 1;
        }
    }
    QList<LogEntry> out;
    for (const QByteArray &line : std::as_const(lines)) {
        LogEntry e;
        if (parseLogLine(line, e))
            out.append(e);
    }
    return out;
}

} // namespace Berth::Engine
