// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerlogs.h"
#include "engine/runtime/containerstore.h"

#include <QFile>
#include <QRegularExpression>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace Berth::Engine {

namespace {

constexpr qint64 kBackwardBlock = 64 * 1024;
constexpr qint64 kMinReadBlock = 64 * 1024;
constexpr qint64 kMaxReadBlock = 1 << 20;

const QString &stdoutName() {
    static const QString name = QStringLiteral("stdout");
    return name;
}
const QString &stderrName() {
    static const QString name = QStringLiteral("stderr");
    return name;
}

// An open file descriptor, closed with the object.
class Fd {
public:
    explicit Fd(int fd = -1)
        : m_fd(fd) {}
    Fd(Fd &&other) noexcept
        : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd &operator=(Fd &&other) noexcept {
        std::swap(m_fd, other.m_fd);
        return *this;
    }
    ~Fd() {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }

private:
    int m_fd;
};

struct OpenLog {
    Fd fd;
    quint64 inode = 0;
    qint64 size = 0;
};

OpenLog openLog(const QString &path) {
    OpenLog log;
    log.fd = Fd(::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (log.fd.valid() && ::fstat(log.fd.get(), &st) == 0) {
        log.inode = quint64(st.st_ino);
        log.size = st.st_size;
    }
    return log;
}

// The rotated files that exist, newest first (ctr.log.1, ctr.log.2, ...), leaving out one
// that is `current` (it was rotated after `current` was opened: the same file).
std::vector<OpenLog> openRotated(const QString &path, quint64 current) {
    std::vector<OpenLog> files;
    for (int i = 1;; ++i) {
        OpenLog log = openLog(path + QLatin1Char('.') + QString::number(i));
        if (!log.fd.valid())
            break;
        if (log.inode != current)
            files.push_back(std::move(log));
    }
    return files;
}

int digits(const char *p, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS" (UTC), or false. Lines of one log mostly
// share their second, so the last answer is kept.
bool parseRfc3339Seconds(const char *p, qint64 &seconds) {
    thread_local char lastText[19] = {};
    thread_local qint64 lastSeconds = 0;
    if (std::memcmp(p, lastText, 19) == 0) {
        seconds = lastSeconds;
        return true;
    }
    if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't' && p[10] != ' ') ||
        p[13] != ':' || p[16] != ':')
        return false;
    const int year = digits(p, 4), month = digits(p + 5, 2), day = digits(p + 8, 2);
    const int hour = digits(p + 11, 2), minute = digits(p + 14, 2), second = digits(p + 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
        minute < 0 || minute > 59 || second < 0 || second > 60)
        return false;
    tm t{};
    t.tm_year = year - 1900;
    t.tm_mon = month - 1;
    t.tm_mday = day;
    t.tm_hour = hour;
    t.tm_min = minute;
    t.tm_sec = second;
    seconds = ::timegm(&t); // UTC: reads no time zone
    if (t.tm_mday != day)
        return false; // 31 February and the like
    std::memcpy(lastText, p, 19);
    lastSeconds = seconds;
    return true;
}

// Parses "2024-01-02T03:04:05.123456789Z" (or with an offset "+01:00") into nanoseconds.
bool parseRfc3339Ns(QByteArrayView text, qint64 &ns) {
    if (text.size() < 20)
        return false;
    const char *p = text.data();
    qint64 seconds = 0;
    if (!parseRfc3339Seconds(p, seconds))
        return false;
    qsizetype i = 19;
    qint64 fraction = 0;
    int count = 0;
    if (p[i] == '.') {
        ++i;
        for (; i < text.size() && p[i] >= '0' && p[i] <= '9'; ++i) {
            if (count < 9) {
                fraction = fraction * 10 + (p[i] - '0');
                ++count;
            }
        }
        if (count == 0)
            return false;
    }
    for (; count < 9; ++count)
        fraction *= 10;
    qint64 offset = 0;
    if (i < text.size() && (p[i] == '+' || p[i] == '-')) {
        if (text.size() - i != 6 || p[i + 3] != ':')
            return false;
        const int hours = digits(p + i + 1, 2), minutes = digits(p + i + 4, 2);
        if (hours < 0 || minutes < 0)
            return false;
        offset = (hours * 60 + minutes) * 60;
        if (p[i] == '+')
            offset = -offset;
    } else if (text.size() - i != 1 || (p[i] != 'Z' && p[i] != 'z')) {
        return false;
    }
    ns = (seconds + offset) * 1000000000LL + fraction;
    return true;
}

void appendUtf8(QByteArray &out, char32_t c) {
    if (c < 0x80) {
        out.append(char(c));
    } else if (c < 0x800) {
        out.append(char(0xC0 | (c >> 6)));
        out.append(char(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        out.append(char(0xE0 | (c >> 12)));
        out.append(char(0x80 | ((c >> 6) & 0x3F)));
        out.append(char(0x80 | (c & 0x3F)));
    } else {
        out.append(char(0xF0 | (c >> 18)));
        out.append(char(0x80 | ((c >> 12) & 0x3F)));
        out.append(char(0x80 | ((c >> 6) & 0x3F)));
        out.append(char(0x80 | (c & 0x3F)));
    }
}

// A JSON string starting after its opening quote: appends its decoded bytes to `out` and
// moves `p` past the closing quote. Bytes that are not escapes are copied as they are (the
// shim writes what the container printed, valid UTF-8 or not).
bool decodeString(const char *&p, const char *end, QByteArray &out) {
    for (;;) {
        const char *quote = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
        if (!quote)
            return false;
        const char *escape = static_cast<const char *>(std::memchr(p, '\\', size_t(quote - p)));
        if (!escape) {
            out.append(p, quote - p);
            p = quote + 1;
            return true;
        }
        out.append(p, escape - p);
        p = escape + 1;
        if (p >= end)
            return false;
        const char c = *p++;
        switch (c) {
        case '"':
        case '\\':
        case '/':
            out.append(c);
            break;
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'u': {
            auto hex4 = [&](char32_t &unit) {
                if (end - p < 4)
                    return false;
                unit = 0;
                for (int i = 0; i < 4; ++i) {
                    const char h = *p++;
                    const int v = h >= '0' && h <= '9'   ? h - '0'
                                  : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                  : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                         : -1;
                    if (v < 0)
                        return false;
                    unit = unit * 16 + char32_t(v);
                }
                return true;
            };
            char32_t unit = 0;
            if (!hex4(unit))
                return false;
            if (unit >= 0xD800 && unit <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                const char *save = p;
                p += 2;
                char32_t low = 0;
                if (hex4(low) && low >= 0xDC00 && low <= 0xDFFF)
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                else
                    p = save;
            }
            if (unit >= 0xD800 && unit <= 0xDFFF)
                unit = 0xFFFD; // a lone surrogate
            appendUtf8(out, unit);
            break;
        }
        default:
            return false;
        }
    }
}

void skipSpace(const char *&p, const char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        ++p;
}

// Skips a JSON value other than the strings we read (numbers, literals, nested objects).
bool skipValue(const char *&p, const char *end) {
    int depth = 0;
    QByteArray scratch;
    while (p < end) {
        const char c = *p;
        if (c == '"') {
            ++p;
            scratch.resize(0);
            if (!decodeString(p, end, scratch))
                return false;
        } else if (c == '{' || c == '[') {
            ++depth;
            ++p;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return true;
            --depth;
            ++p;
        } else if (c == ',' && depth == 0) {
            return true;
        } else {
            ++p;
        }
        if (depth == 0 && c == '"')
            return true;
    }
    return false;
}

} // namespace

QDateTime LogEntry::time() const {
    return QDateTime::fromMSecsSinceEpoch(timeNs / 1000000LL, Qt::UTC);
}

QString LogEntry::timestamp() const {
    QByteArray text;
    appendLogTimestamp(text, timeNs);
    return QString::fromLatin1(text);
}

void appendLogTimestamp(QByteArray &out, qint64 ns) {
    qint64 seconds = ns / 1000000000LL;
    qint64 fraction = ns % 1000000000LL;
    if (fraction < 0) {
        fraction += 1000000000LL;
        --seconds;
    }
    thread_local qint64 lastSeconds = -1;
    thread_local char lastText[64] = {}; // 19 used; room for what snprintf could write
    if (seconds != lastSeconds) {
        const time_t t = time_t(seconds);
        tm parts{};
        ::gmtime_r(&t, &parts);
        std::snprintf(lastText, sizeof lastText, "%04d-%02d-%02dT%02d:%02d:%02d",
                      parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
                      parts.tm_min, parts.tm_sec);
        lastSeconds = seconds;
    }
    char text[31];
    std::memcpy(text, lastText, 19);
    text[19] = '.';
    for (int i = 28; i >= 20; --i) {
        text[i] = char('0' + fraction % 10);
        fraction /= 10;
    }
    text[29] = 'Z';
    out.append(text, 30);
}

bool parseLogLine(QByteArrayView line, LogEntry &entry) {
    const char *p = line.data();
    const char *const end = p + line.size();
    entry.timeNs = 0;
    entry.stream = QString();
    entry.text.resize(0);
    bool haveTime = false;
    skipSpace(p, end);
    if (p >= end || *p++ != '{')
        return false;
    for (bool first = true;; first = false) {
        skipSpace(p, end);
        if (p < end && *p == '}' && first)
            return false;
        if (p >= end || *p++ != '"')
            return false;
        const char *key = p;
        const char *keyEnd = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
        if (!keyEnd || std::memchr(key, '\\', size_t(keyEnd - key)))
            return false; // our keys are plain words
        const QByteArrayView name(key, keyEnd - key);
        p = keyEnd + 1;
        skipSpace(p, end);
        if (p >= end || *p++ != ':')
            return false;
        skipSpace(p, end);
        if (p >= end)
            return false;
        if (*p == '"' && name == "log") {
            ++p;
            if (!decodeString(p, end, entry.text))
                return false;
        } else if (*p == '"' && (name == "time" || name == "stream")) {
            const char *value = ++p;
            const char *valueEnd = static_cast<const char *>(std::memchr(p, '"', size_t(end - p)));
            if (!valueEnd || std::memchr(value, '\\', size_t(valueEnd - value)))
                return false;
            const QByteArrayView text(value, valueEnd - value);
            p = valueEnd + 1;
            if (name == "time") {
                haveTime = parseRfc3339Ns(text, entry.timeNs);
                if (!haveTime)
                    return false;
            } else {
                entry.stream = text == "stdout"   ? stdoutName()
                               : text == "stderr" ? stderrName()
                                                  : QString::fromUtf8(text);
            }
        } else if (!skipValue(p, end)) {
            return false;
        }
        skipSpace(p, end);
        if (p >= end)
            return false;
        const char next = *p++;
        if (next == '}')
            break;
        if (next != ',')
            return false;
    }
    skipSpace(p, end);
    return haveTime && p == end;
}

qint64 forEachLogLine(int fd, qint64 from, qint64 to,
                      const std::function<bool(QByteArrayView line)> &line) {
    qint64 limit = to;
    if (limit < 0) {
        struct stat st {};
        if (::fstat(fd, &st) != 0)
            return -1;
        limit = st.st_size; // what is appended meanwhile is the next call's
    }
    qint64 block = qBound(kMinReadBlock, limit - from, kMaxReadBlock);
    std::vector<char> buffer(static_cast<size_t>(block));
    qint64 done = from; // after the last complete line handed out
    qint64 pos = from;  // the next byte to read
    size_t have = 0;    // bytes in the buffer: an incomplete line
    while (pos < limit) {
        if (have == buffer.size())
            buffer.resize(buffer.size() * 2); // a line longer than the buffer
        const ssize_t n =
            ::pread(fd, buffer.data() + have,
                    size_t(qMin<qint64>(qint64(buffer.size() - have), limit - pos)), pos);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break; // shorter than it was
        pos += n;
        const char *begin = buffer.data();
        const char *const stop = begin + have + size_t(n);
        const char *start = begin;
        while (start < stop) {
            const char *nl =
                static_cast<const char *>(std::memchr(start, '\n', size_t(stop - start)));
            if (!nl)
                break;
            const bool more = line(QByteArrayView(start, nl - start));
            done += nl + 1 - start;
            start = nl + 1;
            if (!more)
                return done;
        }
        have = size_t(stop - start);
        std::memmove(buffer.data(), start, have);
    }
    return done;
}

Result<qint64> parseLogTime(const QString &text, const QDateTime &now) {
    const QString t = text.trimmed();
    qint64 ns = 0;
    if (parseRfc3339Ns(t.toLatin1(), ns))
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

namespace {

// Where the last `tail` complete lines of a file that ends at `end` begin, and how many of
// them it holds (fewer than `tail`: they begin at 0 and the older file holds the rest).
struct TailStart {
    qint64 offset = 0;
    int lines = 0;
};

Result<TailStart> tailStart(int fd, qint64 end, int tail) {
    // The position after the (tail + 1)th newline from the end (the last newline ends the last
    // complete line; what follows it is a line still being written).
    int newlines = 0;
    std::vector<char> block(static_cast<size_t>(kBackwardBlock));
    for (qint64 pos = end; pos > 0;) {
        const qint64 start = qMax<qint64>(0, pos - kBackwardBlock);
        const ssize_t n = ::pread(fd, block.data(), size_t(pos - start), start);
        if (n < 0 && errno == EINTR)
            continue;
        if (n != pos - start)
            return failErrno(QStringLiteral("read log"), n < 0 ? errno : EIO);
        for (qint64 i = n - 1; i >= 0; --i) {
            if (block[size_t(i)] == '\n' && ++newlines == tail + 1)
                return TailStart{start + i + 1, tail};
        }
        pos = start;
    }
    return TailStart{0, newlines};
}

} // namespace

LogReader::LogReader(const QString &logPath)
    : m_path(logPath) {}

void LogReader::keepPosition(int fd, quint64 inode, qint64 offset) {
    m_inode = inode;
    m_offset = offset;
    m_mark.resize(qMin<qint64>(offset, 64));
    if (::pread(fd, m_mark.data(), size_t(m_mark.size()), offset - m_mark.size()) != m_mark.size())
        m_mark.clear();
}

bool LogReader::positionHolds(int fd) const {
    QByteArray now(m_mark.size(), Qt::Uninitialized);
    return ::pread(fd, now.data(), size_t(now.size()), m_offset - now.size()) == now.size() &&
           now == m_mark;
}

Status LogReader::read(const LogQuery &query, const LogSink &sink) {
    OpenLog current = openLog(m_path);
    keepPosition(current.fd.get(), current.inode, 0);
    if (!current.fd.valid())
        return {}; // nothing logged yet
    std::vector<OpenLog> files = openRotated(m_path, current.inode);
    std::reverse(files.begin(), files.end()); // oldest first
    files.push_back(std::move(current));
    // Where to begin: the first file and its offset.
    size_t first = 0;
    qint64 firstOffset = 0;
    if (query.tail >= 0) {
        first = files.size() - 1;
        for (int wanted = query.tail;;) {
            auto start = tailStart(files[first].fd.get(), files[first].size, wanted);
            if (!start)
                return fail(start.error().withContext(m_path));
            firstOffset = start->offset;
            wanted -= start->lines;
            if (wanted == 0 || first == 0)
                break;
            --first;
        }
    }
    LogEntry entry;
    bool stopped = false;
    for (size_t i = first; i < files.size() && !stopped; ++i) {
        const qint64 from = i == first ? firstOffset : 0;
        // The current file is pinned at its size now: what comes later is follow()'s.
        const qint64 end =
            forEachLogLine(files[i].fd.get(), from, files[i].size, [&](QByteArrayView line) {
                if (!parseLogLine(line, entry))
                    return true;
                if ((query.sinceNs > 0 && entry.timeNs < query.sinceNs) ||
                    (query.untilNs > 0 && entry.timeNs >= query.untilNs))
                    return true;
                stopped = !sink(entry);
                return !stopped;
            });
        if (end < 0)
            return failErrno(QStringLiteral("read %1").arg(m_path), errno);
        if (i + 1 == files.size())
            keepPosition(files[i].fd.get(), files[i].inode, end);
    }
    return {};
}

Result<QList<LogEntry>> LogReader::read(const LogQuery &query) {
    QList<LogEntry> entries;
    auto done = read(query, [&](const LogEntry &e) {
        entries.append(e);
        return true;
    });
    if (!done)
        return fail(done.error());
    return entries;
}

Status LogReader::follow(const LogSink &sink) {
    OpenLog current = openLog(m_path);
    if (!current.fd.valid())
        return {};
    LogEntry entry;
    bool stopped = false;
    auto each = [&](QByteArrayView line) {
        if (parseLogLine(line, entry))
            stopped = !sink(entry);
        return !stopped;
    };
    if (m_inode != 0 && current.inode != m_inode) {
        // Rotated since: finish the file we were reading, then the ones rotated after it.
        std::vector<OpenLog> rotated = openRotated(m_path, current.inode);
        size_t i = 0;
        while (i < rotated.size() && rotated[i].inode != m_inode)
            ++i;
        for (size_t k = i + 1; k-- > 0 && !stopped;) {
            if (k >= rotated.size())
                continue; // the file we read is gone (more rotations than files kept)
            if (forEachLogLine(rotated[k].fd.get(), k == i ? m_offset : 0, -1, each) < 0)
                return failErrno(QStringLiteral("read %1").arg(m_path), errno);
        }
        m_offset = 0;
        m_mark.clear();
    }
    if (current.size < m_offset || !positionHolds(current.fd.get()))
        m_offset = 0; // truncated in place (max-file 1)
    const qint64 end = forEachLogLine(current.fd.get(), m_offset, -1, each);
    if (end < 0)
        return failErrno(QStringLiteral("read %1").arg(m_path), errno);
    keepPosition(current.fd.get(), current.inode, end);
    return {};
}

QList<LogEntry> LogReader::follow() {
    QList<LogEntry> entries;
    (void)follow([&](const LogEntry &e) {
        entries.append(e);
        return true;
    });
    return entries;
}

Status logsReadable(const ContainerSpec &spec) {
    if (spec.logDriver == ContainerSpec::LogDriver::None)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("configured logging driver does not support reading"));
    return {};
}

} // namespace Berth::Engine
