// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/logmodel.h"

#include <QFileInfo>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentRun>
#include <cstring>
#include <sys/stat.h>

namespace Berth::Gui {

namespace {

constexpr qint64 kStderrBit = qint64(1) << 62;
constexpr qint64 kOffsetMask = kStderrBit - 1;
// One round of indexing covers up to kChunkBytes of the file (a 1,000,000-line log is one
// round): every round inserts rows, and the list view lays out all its rows again each time,
// so few big rounds beat many small ones. The file is read kReadBlock at a time.
constexpr qint64 kChunkBytes = qint64(256) << 20;
constexpr qint64 kReadBlock = 8 << 20;
const QByteArray kStderrMarker = QByteArrayLiteral("\"stream\":\"stderr\"");

quint64 inodeOf(const QString &path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? quint64(st.st_ino) : 0;
}

QString messageOf(const Engine::LogEntry &entry) {
    QByteArray text = entry.text;
    if (text.endsWith('\n'))
        text.chop(1);
    if (text.endsWith('\r'))
        text.chop(1);
    return QString::fromUtf8(text);
}

bool passes(qint64 start, LogModel::StreamFilter filter) {
    switch (filter) {
    case LogModel::AllStreams:
        return true;
    case LogModel::StdoutOnly:
        return !(start & kStderrBit);
    case LogModel::StderrOnly:
        return start & kStderrBit;
    }
    return true;
}

// Calls fn(line, entry) for each indexed line of `path`, reading it in large blocks.
template <typename Fn>
void forEachLine(const QString &path, const QVector<qint64> &starts, qint64 end, Fn fn) {
    QFile file(path);
    if (starts.isEmpty() || !file.open(QIODevice::ReadOnly))
        return;
    int line = 0;
    Engine::LogEntry entry;
    Engine::forEachLogLine(file.handle(), starts.first() & kOffsetMask, end,
                           [&](QByteArrayView raw) {
                               if (line >= starts.size())
                                   return false;
                               if (!Engine::parseLogLine(raw, entry))
                                   entry.text = raw.toByteArray();
                               return fn(line++, entry);
                           });
}

} // namespace

LogModel::LogModel(QObject *parent)
    : QAbstractListModel(parent)
    , m_cache(2048) {
    m_pool.setMaxThreadCount(1);
}

LogModel::~LogModel() {
    ++m_generation;
    m_pool.clear();
    m_pool.waitForDone();
}

LogModel::Chunk LogModel::indexChunk(const QString &path, qint64 from, qint64 maxBytes,
                                     quint64 inode) {
    Chunk chunk;
    chunk.end = from;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return chunk;
    const qint64 size = file.size();
    if (size < from || (inode != 0 && inodeOf(path) != inode)) {
        chunk.reset = true;
        return chunk;
    }
    const qint64 wanted = qMin(maxBytes, size - from);
    const qint64 limit = from + wanted;
    chunk.starts.reserve(int(qMin<qint64>(wanted / 64, 1 << 24)));
    qint64 pos = from; // the first byte not indexed yet
    qint64 blockSize = kReadBlock;
    while (pos < limit) {
        const qint64 length = qMin(blockSize, limit - pos);
        if (!file.seek(pos))
            break;
        const QByteArray data = file.read(length);
        const char *begin = data.constData();
        const char *const stop = begin + data.size();
        const char *line = begin;
        while (line < stop) {
            const char *nl = static_cast<const char *>(memchr(line, '\n', size_t(stop - line)));
            if (!nl)
                break; // an incomplete line: the next block (or chunk, or poll) takes it
            // glibc's memmem: several times faster than QByteArrayView::indexOf here.
            const bool isStderr = ::memmem(line, size_t(nl - line), kStderrMarker.constData(),
                                           size_t(kStderrMarker.size())) != nullptr;
            chunk.starts.append((pos + (line - begin)) | (isStderr ? kStderrBit : 0));
            line = nl + 1;
        }
        pos += line - begin;
        if (data.size() < length)
            break; // the file is shorter than it was
        if (line == begin) {
            // Not one whole line in the block: read a bigger one, unless the limit is reached.
            if (pos + length >= limit)
                break;
            blockSize *= 2;
        } else {
            blockSize = kReadBlock;
        }
    }
    chunk.end = pos;
    // More to read when the chunk was full; a chunk too small for one line is read bigger.
    chunk.more = chunk.end < size && wanted == maxBytes;
    return chunk;
}

void LogModel::setFile(const QString &path) {
    beginResetModel();
    ++m_generation;
    m_path = path;
    m_inode = 0;
    m_starts.clear();
    m_rows.clear();
    m_end = 0;
    m_cache.clear();
    m_matchRows.clear();
    m_file.close();
    m_file.setFileName(path);
    m_indexing = false;
    m_pollAgain = false;
    endResetModel();
    scheduleIndexing();
}

void LogModel::poll() {
    if (m_path.isEmpty())
        return;
    if (m_indexing) {
        m_pollAgain = true;
        return;
    }
    const QFileInfo info(m_path);
    if (info.exists() && (info.size() != m_end || (m_inode && inodeOf(m_path) != m_inode)))
        scheduleIndexing();
}

void LogModel::scheduleIndexing() {
    if (m_path.isEmpty())
        return;
    m_indexing = true;
    if (m_inode == 0)
        m_inode = inodeOf(m_path);
    const quint64 generation = m_generation;
    const QString path = m_path;
    const qint64 from = m_end;
    const quint64 inode = m_inode;
    QtConcurrent::run(&m_pool, [path, from, inode] {
        return indexChunk(path, from, kChunkBytes, inode);
    }).then(this, [this, generation](const Chunk &chunk) {
        if (generation != m_generation)
            return;
        m_indexing = false;
        if (chunk.reset) {
            setFile(m_path);
            return;
        }
        appendChunk(chunk);
        if (chunk.more || m_pollAgain) {
            m_pollAgain = false;
            if (chunk.more)
                scheduleIndexing();
            else
                poll();
            if (m_indexing)
                return;
        }
        Q_EMIT indexingFinished();
    });
}

void LogModel::appendChunk(const Chunk &chunk) {
    m_end = chunk.end;
    if (chunk.starts.isEmpty())
        return;
    if (m_filter == AllStreams) {
        const int first = int(m_starts.size());
        beginInsertRows({}, first, first + int(chunk.starts.size()) - 1);
        m_starts.append(chunk.starts);
        endInsertRows();
        return;
    }
    QVector<int> added;
    for (int i = 0; i < chunk.starts.size(); ++i)
        if (passes(chunk.starts.at(i), m_filter))
            added.append(int(m_starts.size()) + i);
    if (added.isEmpty()) {
        m_starts.append(chunk.starts);
        return;
    }
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(added.size()) - 1);
    m_starts.append(chunk.starts);
    m_rows.append(added);
    endInsertRows();
}

void LogModel::setStreamFilter(StreamFilter filter) {
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    m_rows.clear();
    if (filter != AllStreams)
        for (int i = 0; i < m_starts.size(); ++i)
            if (passes(m_starts.at(i), filter))
                m_rows.append(i);
    m_matchRows.clear();
    endResetModel();
    if (!m_search.pattern().isEmpty())
        setSearch(m_search.pattern(), true);
}

void LogModel::setShowTimestamps(bool show) {
    if (show == m_timestamps)
        return;
    m_timestamps = show;
    if (rowCount() > 0)
        Q_EMIT dataChanged(index(0), index(rowCount() - 1), {Qt::DisplayRole});
}

void LogModel::setSearch(const QString &pattern, bool regex) {
    const quint64 generation = ++m_searchGeneration;
    m_latestSearch->store(generation);
    m_search = QRegularExpression();
    m_matchRows.clear();
    if (pattern.isEmpty()) {
        Q_EMIT searchFinished();
        return;
    }
    m_search = QRegularExpression(regex ? pattern : QRegularExpression::escape(pattern),
                                  regex ? QRegularExpression::NoPatternOption
                                        : QRegularExpression::CaseInsensitiveOption);
    if (!m_search.isValid()) {
        Q_EMIT searchFinished();
        return;
    }
    const QRegularExpression re = m_search;
    const QString path = m_path;
    const QVector<qint64> starts = m_starts;
    const qint64 end = m_end;
    const StreamFilter filter = m_filter;
    const auto latest = m_latestSearch;
    QtConcurrent::run([path, starts, end, filter, re, latest, generation] {
        QList<int> rows;
        int row = 0;
        forEachLine(path, starts, end, [&](int line, const Engine::LogEntry &entry) {
            if ((line & 1023) == 0 && latest->load() != generation)
                return false; // a newer search replaced this one
            if (!passes(starts.at(line), filter))
                return true;
            if (re.match(messageOf(entry)).hasMatch())
                rows.append(row);
            ++row;
            return true;
        });
        return rows;
    }).then(this, [this, generation](const QList<int> &rows) {
        if (generation != m_searchGeneration)
            return;
        m_matchRows = rows;
        Q_EMIT searchFinished();
    });
}

QFuture<Engine::Status> LogModel::exportTo(const QString &target) const {
    const QString path = m_path;
    const QVector<qint64> starts = m_starts;
    const qint64 end = m_end;
    const StreamFilter filter = m_filter;
    const bool timestamps = m_timestamps;
    return QtConcurrent::run([=]() -> Engine::Status {
        QSaveFile out(target);
        if (!out.open(QIODevice::WriteOnly))
            return Engine::fail(Engine::ErrorKind::PermissionDenied,
                                QStringLiteral("open %1: %2").arg(target, out.errorString()));
        forEachLine(path, starts, end, [&](int line, const Engine::LogEntry &entry) {
            if (!passes(starts.at(line), filter))
                return true;
            QString text = messageOf(entry);
            if (timestamps)
                text = entry.timestamp() + QLatin1Char(' ') + text;
            out.write(text.toUtf8());
            out.write("\n", 1);
            return true;
        });
        if (!out.commit())
            return Engine::fail(Engine::ErrorKind::Unavailable,
                                QStringLiteral("write %1: %2").arg(target, out.errorString()));
        return {};
    });
}

int LogModel::rowCount(const QModelIndex &parent) const {
    if (parent.isValid())
        return 0;
    return m_filter == AllStreams ? int(m_starts.size()) : int(m_rows.size());
}

int LogModel::lineOfRow(int row) const {
    return m_filter == AllStreams ? row : m_rows.at(row);
}

bool LogModel::readEntry(int line, Engine::LogEntry &entry) const {
    if (const Engine::LogEntry *cached = m_cache.object(line)) {
        entry = *cached;
        return true;
    }
    if (!m_file.isOpen() && !m_file.open(QIODevice::ReadOnly))
        return false;
    const qint64 from = m_starts.at(line) & kOffsetMask;
    const qint64 to = line + 1 < m_starts.size() ? m_starts.at(line + 1) & kOffsetMask : m_end;
    if (!m_file.seek(from))
        return false;
    const QByteArray raw = m_file.read(to - from);
    if (!Engine::parseLogLine(raw, entry)) {
        entry = {};
        entry.stream =
            (m_starts.at(line) & kStderrBit) ? QStringLiteral("stderr") : QStringLiteral("stdout");
        entry.text = raw; // not JSON: show it as it is rather than hide it
    }
    m_cache.insert(line, new Engine::LogEntry(entry));
    return true;
}

QString LogModel::displayText(const Engine::LogEntry &entry) const {
    const QString message = messageOf(entry);
    return m_timestamps && entry.timeNs ? entry.timestamp() + QLatin1Char(' ') + message : message;
}

QVariant LogModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const int line = lineOfRow(index.row());
    if (role == LineNumberRole)
        return line;
    if (role == StreamRole)
        return (m_starts.at(line) & kStderrBit) ? QStringLiteral("stderr")
                                                : QStringLiteral("stdout");
    if (role != Qt::DisplayRole && role != TimestampRole && role != MessageRole &&
        role != Qt::ToolTipRole)
        return {};
    Engine::LogEntry entry;
    if (!readEntry(line, entry))
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return displayText(entry);
    case TimestampRole:
        return entry.timeNs ? entry.timestamp() : QString();
    case MessageRole:
        return messageOf(entry);
    case Qt::ToolTipRole:
        return entry.timeNs ? entry.timestamp() + QLatin1Char(' ') + entry.stream : QString();
    }
    return {};
}

} // namespace Berth::Gui
