// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/analysis/layeranalysis.h"

#include "engine/snapshots/whiteouts.h"

#include <QDataStream>
#include <QFile>
#include <QIODevice>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <thread>
#include <unistd.h>
#include <unordered_map>
#include <vector>

namespace Berth::Engine {

namespace {

constexpr quint32 kNone = 0xffffffffu;

// Flat rows, so the whole analysis is a handful of vectors that serialise as raw memory.
struct PathRow {
    quint32 parent = kNone;
    quint32 nameOffset = 0;
    quint32 nameLength = 0;
    quint32 childOffset = 0;
    quint32 childCount = 0;
    quint32 changeOffset = 0;
    quint32 changeCount = 0;
};

enum ChangeFlag : quint8 {
    FlagOpaque = 1,
    FlagHardlinkCopy = 2, // second or later path of an inode in this layer
    FlagImplicit = 4,     // a consequence of an ancestor's change: not listed
};

struct ChangeRow {
    quint32 path = 0;
    quint16 layer = 0;
    quint8 kind = 0;
    quint8 cause = 0;
    quint8 type = 0;
    quint8 flags = 0;
    quint16 reserved = 0;
    quint32 mode = 0;
    quint32 uid = 0;
    quint32 gid = 0;
    quint32 linkOffset = 0;
    quint32 linkLength = 0;
    qint64 size = 0;
};

struct LayerRow {
    qint64 blobSize = 0;
    qint64 size = 0;
    qint64 wastedStored = 0;
    qint64 wastedHiding = 0;
    qint64 diveSize = 0;
    qint32 added = 0;
    qint32 modified = 0;
    qint32 deleted = 0;
    quint32 listedOffset = 0;
    quint32 listedCount = 0;
    quint32 reserved = 0;
};

struct WastedRow {
    quint32 path = 0;
    quint16 storedLayer = 0;
    quint16 hiddenLayer = 0;
    qint64 bytes = 0;
};

struct Totals {
    qint64 imageSize = 0;
    qint64 finalSize = 0;
    qint64 wastedBytes = 0;
    qint64 diveWastedBytes = 0;
    qint64 diveUserSize = 0;
    double diveEfficiency = 1.0;
};

FileType fileTypeOf(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return FileType::Directory;
    case S_IFLNK:
        return FileType::Symlink;
    case S_IFCHR:
        return FileType::CharDevice;
    case S_IFBLK:
        return FileType::BlockDevice;
    case S_IFIFO:
        return FileType::Fifo;
    case S_IFSOCK:
        return FileType::Socket;
    default:
        return FileType::Regular;
    }
}

std::string_view viewOf(const std::string &pool, quint32 offset, quint32 length) {
    return std::string_view(pool.data() + offset, length);
}

} // namespace

struct LayerAnalysis::Data {
    std::vector<PathRow> paths;
    std::string names;
    std::vector<quint32> children;    // grouped per parent, sorted by name
    std::vector<ChangeRow> changes;   // grouped by layer
    std::vector<quint32> pathChanges; // change indices grouped per path, bottom layer first
    std::vector<quint32> listed;      // listed change indices grouped per layer, in tree order
    std::string links;
    std::vector<LayerRow> layerRows;
    std::vector<WastedRow> wasted; // biggest first
    Totals totals;
    QStringList directories;
    QStringList createdBy;
    QList<Digest> diffIds;
    QList<Digest> chainIds;

    std::string_view name(quint32 id) const {
        return viewOf(names, paths[id].nameOffset, paths[id].nameLength);
    }
    // The change describing `id` at `layer`, or kNone when absent there.
    quint32 versionAt(quint32 id, int layer) const {
        const PathRow &p = paths[id];
        for (quint32 k = p.changeCount; k > 0; --k) {
            const quint32 c = pathChanges[p.changeOffset + k - 1];
            if (changes[c].layer <= layer)
                return changes[c].kind == quint8(ChangeKind::Deleted) ? kNone : c;
        }
        return kNone;
    }
    quint32 findChild(quint32 dir, std::string_view name) const {
        const PathRow &p = paths[dir];
        const quint32 *begin = children.data() + p.childOffset;
        const quint32 *end = begin + p.childCount;
        const quint32 *it = std::lower_bound(
            begin, end, name, [this](quint32 c, std::string_view n) { return this->name(c) < n; });
        return it != end && this->name(*it) == name ? *it : kNone;
    }
};

namespace {

// Builds the analysis in one walk of each layer directory, bottom first, keeping the merged
// state (the last change of every path) as it goes.
class Builder {
public:
    explicit Builder(const QList<LayerSource> &layers)
        : m_layers(layers)
        , m_raw(layers.size()) {
        m_paths.push_back(BuildPath{});
        m_current.push_back(kNone);
        m_touched.push_back(0);
        m_slots.assign(1024, kNone);
    }

    Status walkLayer(int layer);
    std::shared_ptr<LayerAnalysis::Data> finish();

private:
    struct BuildPath {
        quint32 parent = kNone;
        quint32 nameOffset = 0;
        quint32 nameLength = 0;
        quint32 firstChild = kNone;
        quint32 nextSibling = kNone;
    };
    struct Entry {
        quint32 nameOffset;
        quint32 nameLength;
        struct stat st;
    };
    // Directory entries of one depth, reused for every directory at that depth.
    struct Frame {
        std::string names;
        std::vector<Entry> entries;
        std::vector<quint8> consumed; // whiteouts and markers, not files
    };
    enum RawFlag : quint8 { RawWhiteout = 1, RawDirectory = 2, RawLeaf = 4 };
    // Every entry of a layer as dive sees it (its tar), for dive's numbers.
    struct RawEntry {
        quint32 path;
        quint8 flags;
        qint64 tarSize;
    };

    quint32 intern(quint32 parent, std::string_view name);
    bool alive(quint32 id) const {
        if (id == 0)
            return true;
        const quint32 c = m_current[id];
        return c != kNone && m_changes[c].kind != quint8(ChangeKind::Deleted);
    }
    bool isDirectory(quint32 id) const {
        return id == 0 || m_changes[m_current[id]].type == quint8(FileType::Directory);
    }
    Status readDirectory(int fd, Frame &frame, const QString &where);
    Status walkDirectory(int fd, quint32 dir, int layer, int depth, const struct stat *self,
                         const QString &where);
    void record(quint32 id, const struct stat &st, int layer, int dirFd, const char *name,
                bool opaque);
    quint32 pushDeletion(quint32 id, int layer, DeletionCause cause, bool listed);
    qint64 deleteTree(quint32 id, int layer, DeletionCause cause, bool listed);
    qint64 deleteDescendants(quint32 id, int layer, DeletionCause cause);
    void hideUntouched(quint32 dir, int layer);

    const QList<LayerSource> &m_layers;
    std::vector<BuildPath> m_paths;
    std::string m_names;
    std::vector<quint32> m_slots;   // open addressing over (parent, name)
    std::vector<quint32> m_current; // last change of each path
    std::vector<quint16> m_touched; // 1 + the last layer that walked or deleted the path
    std::vector<ChangeRow> m_changes;
    std::vector<quint32> m_leader; // hardlink group leader per change (itself when none)
    std::string m_links;
    std::vector<std::vector<RawEntry>> m_raw;
    std::vector<std::unique_ptr<Frame>> m_frames;
    std::unordered_map<quint64, quint32> m_inodes; // (dev, ino) -> first change, this layer
};

quint64 hashName(quint32 parent, std::string_view name) {
    quint64 h = 1469598103934665603ull ^ (quint64(parent) * 0x9E3779B97F4A7C15ull);
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h ^ (h >> 29);
}

quint32 Builder::intern(quint32 parent, std::string_view name) {
    size_t mask = m_slots.size() - 1;
    size_t i = hashName(parent, name) & mask;
    while (m_slots[i] != kNone) {
        const BuildPath &p = m_paths[m_slots[i]];
        if (p.parent == parent && viewOf(m_names, p.nameOffset, p.nameLength) == name)
            return m_slots[i];
        i = (i + 1) & mask;
    }
    const quint32 id = quint32(m_paths.size());
    BuildPath row;
    row.parent = parent;
    row.nameOffset = quint32(m_names.size());
    row.nameLength = quint32(name.size());
    row.nextSibling = m_paths[parent].firstChild;
    m_names.append(name);
    m_paths.push_back(row);
    m_paths[parent].firstChild = id;
    m_current.push_back(kNone);
    m_touched.push_back(0);
    m_slots[i] = id;
    if (m_paths.size() * 2 > m_slots.size()) {
        std::vector<quint32> grown(m_slots.size() * 2, kNone);
        mask = grown.size() - 1;
        for (quint32 k = 1; k < m_paths.size(); ++k) {
            const BuildPath &p = m_paths[k];
            size_t j = hashName(p.parent, viewOf(m_names, p.nameOffset, p.nameLength)) & mask;
            while (grown[j] != kNone)
                j = (j + 1) & mask;
            grown[j] = k;
        }
        m_slots.swap(grown);
    }
    return id;
}

struct LinuxDirent64 {
    quint64 d_ino;
    qint64 d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[1];
};

Status Builder::readDirectory(int fd, Frame &frame, const QString &where) {
    frame.names.clear();
    frame.entries.clear();
    alignas(8) char buffer[32768];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n < 0)
            return failErrno(QStringLiteral("read directory %1").arg(where), errno);
        if (n == 0)
            break;
        for (long offset = 0; offset < n;) {
            const auto *d = reinterpret_cast<const LinuxDirent64 *>(buffer + offset);
            offset += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            Entry e;
            e.nameOffset = quint32(frame.names.size());
            e.nameLength = quint32(std::strlen(name));
            if (::fstatat(fd, name, &e.st, AT_SYMLINK_NOFOLLOW) != 0)
                return failErrno(QStringLiteral("stat %1/%2").arg(where, QFile::decodeName(name)),
                                 errno);
            frame.names.append(name, e.nameLength);
            frame.names.push_back('\0'); // for the *at() calls
            frame.entries.push_back(e);
        }
    }
    const std::string &pool = frame.names;
    std::sort(frame.entries.begin(), frame.entries.end(), [&pool](const Entry &a, const Entry &b) {
        return viewOf(pool, a.nameOffset, a.nameLength) < viewOf(pool, b.nameOffset, b.nameLength);
    });
    return {};
}

Status Builder::walkDirectory(int fd, quint32 dir, int layer, int depth, const struct stat *self,
                              const QString &where) {
    if (int(m_frames.size()) <= depth)
        m_frames.push_back(std::make_unique<Frame>());
    Frame &frame = *m_frames[depth];
    if (auto st = readDirectory(fd, frame, where); !st)
        return st;

    const QByteArray opaqueMarker = Whiteout::OpaqueMarker.toLatin1();
    const std::string_view markerName(opaqueMarker.constData(), size_t(opaqueMarker.size()));
    bool opaque = false;
    bool hasChildren = false;
    for (const Entry &e : frame.entries) {
        if (viewOf(frame.names, e.nameOffset, e.nameLength) == markerName && S_ISREG(e.st.st_mode))
            opaque = true;
        else
            hasChildren = true;
    }
    if (!opaque) {
        char value[4] = {};
        opaque = ::fgetxattr(fd, Whiteout::overlayOpaqueXattr(), value, sizeof value) == 1 &&
                 value[0] == 'y';
    }
    if (self) {
        record(dir, *self, layer, -1, nullptr, opaque);
        m_raw[layer].push_back(
            RawEntry{dir, quint8(RawDirectory | (hasChildren ? 0 : RawLeaf)), 0});
    }

    // Whiteouts first: they delete what lower layers had, before this layer adds anything.
    std::vector<quint8> &consumed = frame.consumed;
    consumed.assign(frame.entries.size(), 0);
    for (size_t k = 0; k < frame.entries.size(); ++k) {
        const Entry &e = frame.entries[k];
        const std::string_view name = viewOf(frame.names, e.nameOffset, e.nameLength);
        if (name == markerName && S_ISREG(e.st.st_mode)) {
            consumed[k] = 1;
            continue;
        }
        const bool candidate = S_ISCHR(e.st.st_mode) || (S_ISREG(e.st.st_mode) && name.size() > 4 &&
                                                         name.substr(0, 4) == ".wh.");
        if (!candidate)
            continue;
        const QString qname = QFile::decodeName(QByteArray(name.data(), qsizetype(name.size())));
        const QString target = Whiteout::deletedName(qname, e.st);
        if (target.isEmpty())
            continue;
        consumed[k] = 1;
        const QByteArray targetBytes = QFile::encodeName(target);
        const quint32 id =
            intern(dir, std::string_view(targetBytes.constData(), size_t(targetBytes.size())));
        m_raw[layer].push_back(RawEntry{id, quint8(RawWhiteout | RawLeaf), 0});
        if (alive(id) && m_touched[id] != layer + 1)
            deleteTree(id, layer, DeletionCause::Whiteout, true);
        m_touched[id] = quint16(layer + 1);
    }

    for (size_t k = 0; k < frame.entries.size(); ++k) {
        if (consumed[k])
            continue;
        const Entry &e = frame.entries[k];
        const char *name = frame.names.data() + e.nameOffset;
        const quint32 id = intern(dir, std::string_view(name, e.nameLength));
        if (S_ISDIR(e.st.st_mode)) {
            const int sub = ::openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            const QString subWhere = where + QLatin1Char('/') + QFile::decodeName(name);
            if (sub < 0)
                return failErrno(QStringLiteral("open %1").arg(subWhere), errno);
            const struct stat st = e.st; // frame entries of this depth stay valid: deeper
                                         // directories use their own frames
            auto status = walkDirectory(sub, id, layer, depth + 1, &st, subWhere);
            ::close(sub);
            if (!status)
                return status;
        } else {
            record(id, e.st, layer, fd, name, false);
            const ChangeRow &c = m_changes[m_current[id]];
            const bool firstCopy = !(c.flags & FlagHardlinkCopy);
            m_raw[layer].push_back(
                RawEntry{id, RawLeaf,
                         S_ISREG(e.st.st_mode) && firstCopy ? qint64(e.st.st_size) : qint64(0)});
        }
    }
    if (opaque)
        hideUntouched(dir, layer);
    return {};
}

void Builder::record(quint32 id, const struct stat &st, int layer, int dirFd, const char *name,
                     bool opaque) {
    const FileType type = fileTypeOf(st.st_mode);
    const quint32 mode = st.st_mode & 07777;
    const quint32 previous = alive(id) ? m_current[id] : kNone;
    m_touched[id] = quint16(layer + 1);
    if (previous != kNone) {
        const ChangeRow &p = m_changes[previous];
        const bool wasDirectory = p.type == quint8(FileType::Directory);
        // A directory listed again only because something inside it changed is no change.
        if (wasDirectory && type == FileType::Directory && p.mode == mode && p.uid == st.st_uid &&
            p.gid == st.st_gid && !opaque)
            return;
        if (wasDirectory && type != FileType::Directory)
            deleteDescendants(id, layer, DeletionCause::AncestorReplaced);
    }
    ChangeRow c;
    c.path = id;
    c.layer = quint16(layer);
    c.kind = quint8(previous != kNone ? ChangeKind::Modified : ChangeKind::Added);
    c.type = quint8(type);
    c.flags = opaque ? FlagOpaque : 0;
    c.mode = mode;
    c.uid = st.st_uid;
    c.gid = st.st_gid;
    const quint32 index = quint32(m_changes.size());
    quint32 leader = index;
    if (type == FileType::Regular) {
        c.size = st.st_size;
        if (st.st_nlink > 1) {
            const quint64 key = (quint64(st.st_dev) << 40) ^ quint64(st.st_ino);
            auto [it, inserted] = m_inodes.try_emplace(key, index);
            if (!inserted) {
                c.flags |= FlagHardlinkCopy;
                leader = it->second;
            }
        }
    } else if (type == FileType::Symlink && name) {
        char target[PATH_MAX];
        const ssize_t n = ::readlinkat(dirFd, name, target, sizeof target);
        if (n > 0) {
            c.linkOffset = quint32(m_links.size());
            c.linkLength = quint32(n);
            m_links.append(target, size_t(n));
        }
    }
    m_changes.push_back(c);
    m_leader.push_back(leader);
    m_current[id] = index;
}

quint32 Builder::pushDeletion(quint32 id, int layer, DeletionCause cause, bool listed) {
    ChangeRow c = m_changes[m_current[id]]; // a copy: push_back may move the vector
    c.layer = quint16(layer);
    c.kind = quint8(ChangeKind::Deleted);
    c.cause = quint8(cause);
    c.flags = listed ? 0 : FlagImplicit;
    c.size = 0;
    const quint32 index = quint32(m_changes.size());
    m_changes.push_back(c);
    m_leader.push_back(index);
    m_current[id] = index;
    m_touched[id] = quint16(layer + 1);
    return index;
}

qint64 Builder::deleteTree(quint32 id, int layer, DeletionCause cause, bool listed) {
    const ChangeRow &previous = m_changes[m_current[id]];
    const bool directory = previous.type == quint8(FileType::Directory);
    const qint64 ownBytes = previous.type == quint8(FileType::Regular) ? previous.size : 0;
    const quint32 index = pushDeletion(id, layer, cause, listed);
    const qint64 bytes =
        ownBytes + (directory ? deleteDescendants(id, layer, DeletionCause::AncestorDeleted) : 0);
    m_changes[index].size = bytes;
    return bytes;
}

qint64 Builder::deleteDescendants(quint32 id, int layer, DeletionCause cause) {
    qint64 bytes = 0;
    for (quint32 c = m_paths[id].firstChild; c != kNone; c = m_paths[c].nextSibling)
        if (alive(c) && m_touched[c] != layer + 1)
            bytes += deleteTree(c, layer, cause, false);
    return bytes;
}

void Builder::hideUntouched(quint32 dir, int layer) {
    for (quint32 c = m_paths[dir].firstChild; c != kNone; c = m_paths[c].nextSibling) {
        if (!alive(c))
            continue;
        if (m_touched[c] != layer + 1)
            deleteTree(c, layer, DeletionCause::OpaqueDirectory, true);
        else if (isDirectory(c))
            hideUntouched(c, layer); // opacity hides lower content at every depth
    }
}

Status Builder::walkLayer(int layer) {
    const QString dir = m_layers[layer].directory;
    const int fd =
        ::open(QFile::encodeName(dir).constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return failErrno(QStringLiteral("open layer %1 (%2)").arg(layer).arg(dir), errno);
    m_inodes.clear();
    auto status = walkDirectory(fd, 0, layer, 0, nullptr, dir);
    ::close(fd);
    return status;
}

std::shared_ptr<LayerAnalysis::Data> Builder::finish() {
    auto d = std::make_shared<LayerAnalysis::Data>();
    const int layerCount = int(m_layers.size());
    const quint32 pathCount = quint32(m_paths.size());
    d->names = std::move(m_names);
    d->links = std::move(m_links);
    d->changes = std::move(m_changes);
    std::vector<ChangeRow> &changes = d->changes;

    // Paths, with children sorted by name.
    d->paths.resize(pathCount);
    d->children.reserve(pathCount);
    std::vector<quint32> scratch;
    for (quint32 id = 0; id < pathCount; ++id) {
        PathRow &row = d->paths[id];
        row.parent = m_paths[id].parent;
        row.nameOffset = m_paths[id].nameOffset;
        row.nameLength = m_paths[id].nameLength;
        scratch.clear();
        for (quint32 c = m_paths[id].firstChild; c != kNone; c = m_paths[c].nextSibling)
            scratch.push_back(c);
        const std::string &pool = d->names;
        const auto &paths = m_paths;
        std::sort(scratch.begin(), scratch.end(), [&](quint32 a, quint32 b) {
            return viewOf(pool, paths[a].nameOffset, paths[a].nameLength) <
                   viewOf(pool, paths[b].nameOffset, paths[b].nameLength);
        });
        row.childOffset = quint32(d->children.size());
        row.childCount = quint32(scratch.size());
        d->children.insert(d->children.end(), scratch.begin(), scratch.end());
    }
    m_paths.clear();
    m_paths.shrink_to_fit();

    // Per-path histories (changes are already in layer order).
    for (const ChangeRow &c : changes)
        ++d->paths[c.path].changeCount;
    quint32 offset = 0;
    for (PathRow &row : d->paths) {
        row.changeOffset = offset;
        offset += row.changeCount;
        row.changeCount = 0;
    }
    d->pathChanges.resize(changes.size());
    for (quint32 i = 0; i < changes.size(); ++i) {
        PathRow &row = d->paths[changes[i].path];
        d->pathChanges[row.changeOffset + row.changeCount++] = i;
    }

    // Tree order (depth first, by name) ranks paths for listing.
    std::vector<quint32> rank(pathCount, 0);
    {
        quint32 next = 0;
        std::vector<quint32> stack{0};
        while (!stack.empty()) {
            const quint32 id = stack.back();
            stack.pop_back();
            rank[id] = next++;
            const PathRow &row = d->paths[id];
            for (quint32 k = row.childCount; k > 0; --k)
                stack.push_back(d->children[row.childOffset + k - 1]);
        }
    }

    // Layers: listed changes and counts.
    d->layerRows.resize(size_t(layerCount));
    for (int l = 0; l < layerCount; ++l)
        d->layerRows[size_t(l)].blobSize = m_layers[l].blobSize;
    std::vector<std::vector<quint32>> listed(static_cast<size_t>(layerCount));
    for (quint32 i = 0; i < changes.size(); ++i) {
        const ChangeRow &c = changes[i];
        LayerRow &row = d->layerRows[c.layer];
        if (c.type == quint8(FileType::Regular) && c.kind != quint8(ChangeKind::Deleted) &&
            !(c.flags & FlagHardlinkCopy))
            row.size += c.size;
        if (c.flags & FlagImplicit)
            continue;
        listed[c.layer].push_back(i);
        if (c.kind == quint8(ChangeKind::Added))
            ++row.added;
        else if (c.kind == quint8(ChangeKind::Modified))
            ++row.modified;
        else
            ++row.deleted;
    }
    for (int l = 0; l < layerCount; ++l) {
        auto &list = listed[size_t(l)];
        std::stable_sort(list.begin(), list.end(), [&](quint32 a, quint32 b) {
            return rank[changes[a].path] < rank[changes[b].path];
        });
        d->layerRows[size_t(l)].listedOffset = quint32(d->listed.size());
        d->layerRows[size_t(l)].listedCount = quint32(list.size());
        d->listed.insert(d->listed.end(), list.begin(), list.end());
        d->totals.imageSize += d->layerRows[size_t(l)].size;
    }

    // Honest wasted bytes: a stored copy is hidden by the next event of its path.
    std::vector<qint32> hiddenAt(changes.size(), -1);
    for (const PathRow &row : d->paths)
        for (quint32 k = 0; k + 1 < row.changeCount; ++k)
            hiddenAt[d->pathChanges[row.changeOffset + k]] =
                changes[d->pathChanges[row.changeOffset + k + 1]].layer;
    // A hardlinked inode is reachable while any of its paths is.
    std::vector<qint32> groupHidden(changes.size(), -1);
    std::vector<bool> groupVisible(changes.size(), false);
    for (quint32 i = 0; i < changes.size(); ++i) {
        const ChangeRow &c = changes[i];
        if (c.type != quint8(FileType::Regular) || c.kind == quint8(ChangeKind::Deleted))
            continue;
        const quint32 g = m_leader[i];
        if (hiddenAt[i] < 0)
            groupVisible[g] = true;
        else
            groupHidden[g] = std::max(groupHidden[g], hiddenAt[i]);
    }
    for (quint32 i = 0; i < changes.size(); ++i) {
        const ChangeRow &c = changes[i];
        if (c.type != quint8(FileType::Regular) || c.kind == quint8(ChangeKind::Deleted) ||
            m_leader[i] != i || groupVisible[i] || groupHidden[i] < 0 || c.size == 0)
            continue;
        d->wasted.push_back(WastedRow{c.path, c.layer, quint16(groupHidden[i]), c.size});
        d->layerRows[c.layer].wastedStored += c.size;
        d->layerRows[size_t(groupHidden[i])].wastedHiding += c.size;
        d->totals.wastedBytes += c.size;
    }
    std::stable_sort(d->wasted.begin(), d->wasted.end(),
                     [](const WastedRow &a, const WastedRow &b) { return a.bytes > b.bytes; });

    // Reachable bytes of the final filesystem.
    for (quint32 id = 1; id < pathCount; ++id) {
        const quint32 c = m_current[id];
        if (c != kNone && changes[c].kind != quint8(ChangeKind::Deleted) &&
            changes[c].type == quint8(FileType::Regular))
            d->totals.finalSize += changes[c].size;
    }

    // dive's numbers, replayed on dive's own stack of layer trees (which ignores opacity).
    {
        std::vector<quint8> exists(pathCount, 0);
        std::vector<quint8> directory(pathCount, 0);
        std::vector<qint64> size(pathCount, 0);
        std::vector<qint64> cumulative(pathCount, 0);
        std::vector<qint64> minimum(pathCount, -1);
        std::vector<quint32> seen(pathCount, 0);
        exists[0] = directory[0] = 1;
        std::vector<quint32> stack;
        auto subtreeSize = [&](quint32 root) {
            qint64 total = 0;
            stack.assign(1, root);
            while (!stack.empty()) {
                const quint32 id = stack.back();
                stack.pop_back();
                total += size[id];
                const PathRow &row = d->paths[id];
                for (quint32 k = 0; k < row.childCount; ++k)
                    if (exists[d->children[row.childOffset + k]])
                        stack.push_back(d->children[row.childOffset + k]);
            }
            return total;
        };
        auto remove = [&](quint32 root) {
            stack.assign(1, root);
            while (!stack.empty()) {
                const quint32 id = stack.back();
                stack.pop_back();
                exists[id] = 0;
                const PathRow &row = d->paths[id];
                for (quint32 k = 0; k < row.childCount; ++k)
                    if (exists[d->children[row.childOffset + k]])
                        stack.push_back(d->children[row.childOffset + k]);
            }
        };
        for (int l = 0; l < layerCount; ++l) {
            qint64 layerSize = 0;
            for (const RawEntry &r : m_raw[size_t(l)]) {
                layerSize += r.tarSize;
                if (!(r.flags & RawLeaf))
                    continue;
                qint64 s = r.tarSize;
                if ((r.flags & RawWhiteout) && exists[r.path] && directory[r.path])
                    s = subtreeSize(r.path);
                cumulative[r.path] += s;
                if (minimum[r.path] < 0 || s < minimum[r.path])
                    minimum[r.path] = s;
                ++seen[r.path];
            }
            for (const RawEntry &r : m_raw[size_t(l)]) {
                if (r.flags & RawWhiteout) {
                    if (exists[r.path])
                        remove(r.path);
                } else {
                    exists[r.path] = 1;
                    directory[r.path] = (r.flags & RawDirectory) ? 1 : 0;
                    size[r.path] = r.tarSize;
                }
            }
            d->layerRows[size_t(l)].diveSize = layerSize;
            if (l > 0)
                d->totals.diveUserSize += layerSize;
        }
        qint64 minimumTotal = 0;
        qint64 seenTotal = 0;
        for (quint32 id = 0; id < pathCount; ++id) {
            if (!seen[id])
                continue;
            minimumTotal += minimum[id];
            seenTotal += cumulative[id];
            if (seen[id] >= 2)
                d->totals.diveWastedBytes += cumulative[id];
        }
        d->totals.diveEfficiency = seenTotal == 0 ? 1.0 : double(minimumTotal) / double(seenTotal);
    }

    for (const LayerSource &l : m_layers) {
        d->directories.append(l.directory);
        d->createdBy.append(l.createdBy);
        d->diffIds.append(l.diffId);
        d->chainIds.append(l.chainId);
    }
    return d;
}

// Reads a tree's metadata into the kernel's caches (and closes `fd`) until `stop` is set.
void warmMetadata(int fd, const std::atomic<bool> &stop) {
    alignas(8) char buffer[16384];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (n <= 0 || stop.load(std::memory_order_relaxed))
            break;
        for (long offset = 0; offset < n;) {
            const auto *d = reinterpret_cast<const LinuxDirent64 *>(buffer + offset);
            offset += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            struct stat st;
            if (::fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
                const int sub = ::openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0)
                    warmMetadata(sub, stop);
            }
        }
    }
    ::close(fd);
}

template <typename T> void writeVector(QDataStream &out, const std::vector<T> &v) {
    out << quint64(v.size());
    out.writeRawData(reinterpret_cast<const char *>(v.data()), int(v.size() * sizeof(T)));
}

void writeString(QDataStream &out, const std::string &s) {
    out << quint64(s.size());
    out.writeRawData(s.data(), int(s.size()));
}

template <typename T> bool readVector(QDataStream &in, std::vector<T> &v, qint64 remaining) {
    quint64 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok || count > quint64(remaining) / sizeof(T))
        return false;
    v.resize(count);
    const qint64 bytes = qint64(count * sizeof(T));
    return in.readRawData(reinterpret_cast<char *>(v.data()), int(bytes)) == bytes;
}

bool readString(QDataStream &in, std::string &s, qint64 remaining) {
    quint64 count = 0;
    in >> count;
    if (in.status() != QDataStream::Ok || count > quint64(remaining))
        return false;
    s.resize(count);
    return in.readRawData(s.data(), int(count)) == qint64(count);
}

constexpr quint32 kMagic = 0x42524c41; // "BRLA"
// Raw rows are only portable between builds with the same layout: part of the header.
constexpr quint32 kLayoutTag = quint32(sizeof(PathRow) << 24 | sizeof(ChangeRow) << 16 |
                                       sizeof(LayerRow) << 8 | sizeof(WastedRow));

} // namespace

QString fileTypeName(FileType type) {
    switch (type) {
    case FileType::Regular:
        return QStringLiteral("file");
    case FileType::Directory:
        return QStringLiteral("dir");
    case FileType::Symlink:
        return QStringLiteral("symlink");
    case FileType::CharDevice:
        return QStringLiteral("char");
    case FileType::BlockDevice:
        return QStringLiteral("block");
    case FileType::Fifo:
        return QStringLiteral("fifo");
    case FileType::Socket:
        return QStringLiteral("socket");
    }
    return QString();
}

QString changeKindLetter(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::Added:
        return QStringLiteral("A");
    case ChangeKind::Modified:
        return QStringLiteral("M");
    case ChangeKind::Deleted:
        return QStringLiteral("D");
    }
    return QString();
}

LayerAnalysis::LayerAnalysis()
    : d([] {
        auto empty = std::make_shared<Data>();
        empty->paths.push_back(PathRow{}); // the root
        return empty;
    }()) {}

LayerAnalysis::LayerAnalysis(std::shared_ptr<const Data> data)
    : d(std::move(data)) {}

Result<LayerAnalysis> LayerAnalysis::analyze(const QList<LayerSource> &layers) {
    if (layers.size() > 65000)
        return fail(ErrorKind::InvalidArgument, QStringLiteral("too many layers"));
    // The walk must go bottom to top, but reading metadata from disk need not: helpers stat the
    // upper layers ahead of it, so a cold walk waits for the disk with several requests queued.
    std::atomic<int> next{1};
    std::atomic<bool> stop{false};
    std::vector<std::thread> helpers;
    const int helperCount = std::clamp(int(layers.size()) - 1, 0, 3);
    for (int i = 0; i < helperCount; ++i)
        helpers.emplace_back([&layers, &next, &stop] {
            for (int l = next++; l < layers.size() && !stop; l = next++) {
                const int fd = ::open(QFile::encodeName(layers[l].directory).constData(),
                                      O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0)
                    warmMetadata(fd, stop);
            }
        });
    Builder builder(layers);
    Status status;
    for (int l = 0; l < layers.size() && status; ++l)
        status = builder.walkLayer(l);
    stop = true; // the walk is done (or failed): nothing left to warm
    for (std::thread &t : helpers)
        t.join();
    if (!status)
        return fail(status.error().withContext(QStringLiteral("analyse layers")));
    return LayerAnalysis(builder.finish());
}

// The cache holds change kinds as their values (engine/core/changekind.h).
static_assert(quint8(ChangeKind::Added) == 0 && quint8(ChangeKind::Modified) == 1 &&
                  quint8(ChangeKind::Deleted) == 2,
              "the analysis cache stores ChangeKind values: bump kFormatVersion with them");

QByteArray LayerAnalysis::serialize() const {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    out.setVersion(QDataStream::Qt_6_4);
    out << kMagic << kFormatVersion << kLayoutTag;
    out << d->createdBy;
    QStringList diffIds, chainIds;
    for (const Digest &g : d->diffIds)
        diffIds.append(g.toString());
    for (const Digest &g : d->chainIds)
        chainIds.append(g.toString());
    out << diffIds << chainIds;
    out << d->totals.imageSize << d->totals.finalSize << d->totals.wastedBytes
        << d->totals.diveWastedBytes << d->totals.diveUserSize << d->totals.diveEfficiency;
    writeVector(out, d->paths);
    writeString(out, d->names);
    writeVector(out, d->children);
    writeVector(out, d->changes);
    writeVector(out, d->pathChanges);
    writeVector(out, d->listed);
    writeString(out, d->links);
    writeVector(out, d->layerRows);
    writeVector(out, d->wasted);
    return bytes;
}

Result<LayerAnalysis> LayerAnalysis::deserialize(const QByteArray &bytes) {
    auto corrupt = [](const QString &what) {
        return fail(ErrorKind::Corrupt, QStringLiteral("layer analysis cache: %1").arg(what));
    };
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0, version = 0, layout = 0;
    in >> magic >> version >> layout;
    if (magic != kMagic || layout != kLayoutTag)
        return corrupt(QStringLiteral("not a cache file"));
    if (version != kFormatVersion)
        return corrupt(
            QStringLiteral("format version %1, expected %2").arg(version).arg(kFormatVersion));
    auto data = std::make_shared<Data>();
    QStringList diffIds, chainIds;
    in >> data->createdBy >> diffIds >> chainIds;
    for (const QString &s : std::as_const(diffIds))
        data->diffIds.append(Digest::parse(s).value_or(Digest()));
    for (const QString &s : std::as_const(chainIds))
        data->chainIds.append(Digest::parse(s).value_or(Digest()));
    Totals &t = data->totals;
    in >> t.imageSize >> t.finalSize >> t.wastedBytes >> t.diveWastedBytes >> t.diveUserSize >>
        t.diveEfficiency;
    const qint64 n = bytes.size();
    if (in.status() != QDataStream::Ok || !readVector(in, data->paths, n) ||
        !readString(in, data->names, n) || !readVector(in, data->children, n) ||
        !readVector(in, data->changes, n) || !readVector(in, data->pathChanges, n) ||
        !readVector(in, data->listed, n) || !readString(in, data->links, n) ||
        !readVector(in, data->layerRows, n) || !readVector(in, data->wasted, n))
        return corrupt(QStringLiteral("truncated"));

    // Every index must be in range: a damaged cache must fail here, not crash a view later.
    const size_t paths = data->paths.size(), changes = data->changes.size();
    const size_t layers = data->layerRows.size();
    if (paths == 0 || qsizetype(layers) != data->createdBy.size() ||
        qsizetype(layers) != data->diffIds.size() || qsizetype(layers) != data->chainIds.size())
        return corrupt(QStringLiteral("inconsistent"));
    for (size_t i = 0; i < paths; ++i) {
        const PathRow &p = data->paths[i];
        if ((i > 0 && p.parent >= paths) ||
            quint64(p.nameOffset) + p.nameLength > data->names.size() ||
            quint64(p.childOffset) + p.childCount > data->children.size() ||
            quint64(p.changeOffset) + p.changeCount > data->pathChanges.size())
            return corrupt(QStringLiteral("bad path row"));
    }
    for (quint32 c : data->children)
        if (c >= paths || c == 0)
            return corrupt(QStringLiteral("bad child"));
    for (const ChangeRow &c : data->changes)
        if (c.path >= paths || c.layer >= layers ||
            quint64(c.linkOffset) + c.linkLength > data->links.size())
            return corrupt(QStringLiteral("bad change"));
    for (quint32 c : data->pathChanges)
        if (c >= changes)
            return corrupt(QStringLiteral("bad history"));
    for (quint32 c : data->listed)
        if (c >= changes)
            return corrupt(QStringLiteral("bad listing"));
    for (const LayerRow &l : data->layerRows)
        if (quint64(l.listedOffset) + l.listedCount > data->listed.size())
            return corrupt(QStringLiteral("bad layer"));
    for (const WastedRow &w : data->wasted)
        if (w.path >= paths || w.storedLayer >= layers || w.hiddenLayer >= layers)
            return corrupt(QStringLiteral("bad wasted row"));
    for (size_t l = 0; l < layers; ++l)
        data->directories.append(QString());
    return LayerAnalysis(std::move(data));
}

void LayerAnalysis::setLayerDirectories(const QStringList &directories) {
    auto copy = std::make_shared<Data>(*d);
    copy->directories = directories;
    d = std::move(copy);
}

int LayerAnalysis::layerCount() const {
    return int(d->layerRows.size());
}

LayerSummary LayerAnalysis::layer(int index) const {
    LayerSummary s;
    if (index < 0 || index >= layerCount())
        return s;
    const LayerRow &r = d->layerRows[size_t(index)];
    s.index = index;
    s.directory = d->directories.value(index);
    s.createdBy = d->createdBy.value(index);
    s.diffId = d->diffIds.value(index);
    s.chainId = d->chainIds.value(index);
    s.blobSize = r.blobSize;
    s.size = r.size;
    s.added = r.added;
    s.modified = r.modified;
    s.deleted = r.deleted;
    s.wastedStored = r.wastedStored;
    s.wastedHiding = r.wastedHiding;
    s.diveSize = r.diveSize;
    return s;
}

QList<LayerSummary> LayerAnalysis::layers() const {
    QList<LayerSummary> out;
    for (int i = 0; i < layerCount(); ++i)
        out.append(layer(i));
    return out;
}

QString LayerAnalysis::pathOf(PathId id) const {
    if (id == kRootPath || id >= d->paths.size())
        return QStringLiteral("/");
    QByteArray bytes;
    std::vector<quint32> chain;
    for (quint32 p = id; p != 0 && p != kNone; p = d->paths[p].parent)
        chain.push_back(p);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        bytes.append('/');
        const std::string_view n = d->name(*it);
        bytes.append(n.data(), qsizetype(n.size()));
    }
    return QFile::decodeName(bytes);
}

PathId LayerAnalysis::find(const QString &path) const {
    const QByteArray bytes = QFile::encodeName(path);
    quint32 id = 0;
    qsizetype start = 0;
    while (start < bytes.size()) {
        qsizetype end = bytes.indexOf('/', start);
        if (end < 0)
            end = bytes.size();
        if (end > start) {
            const std::string_view part(bytes.constData() + start, size_t(end - start));
            if (part != ".") {
                id = d->findChild(id, part);
                if (id == kNone)
                    return kNoPath;
            }
        }
        start = end + 1;
    }
    return id;
}

int LayerAnalysis::resolveLayer(int layer) const {
    return layer < 0 || layer >= layerCount() ? layerCount() - 1 : layer;
}

FileChange LayerAnalysis::toChange(quint32 index) const {
    const ChangeRow &c = d->changes[index];
    FileChange f;
    f.pathId = c.path;
    f.path = pathOf(c.path);
    f.layer = c.layer;
    f.kind = ChangeKind(c.kind);
    f.cause = DeletionCause(c.cause);
    f.type = FileType(c.type);
    f.mode = c.mode;
    f.uid = c.uid;
    f.gid = c.gid;
    f.size = c.size;
    if (c.linkLength)
        f.linkTarget =
            QFile::decodeName(QByteArray(d->links.data() + c.linkOffset, qsizetype(c.linkLength)));
    f.opaque = c.flags & FlagOpaque;
    f.hardlink = c.flags & FlagHardlinkCopy;
    return f;
}

QList<FileChange> LayerAnalysis::changes(int layer) const {
    QList<FileChange> out;
    if (layer < 0 || layer >= layerCount())
        return out;
    const LayerRow &r = d->layerRows[size_t(layer)];
    out.reserve(r.listedCount);
    for (quint32 k = 0; k < r.listedCount; ++k)
        out.append(toChange(d->listed[r.listedOffset + k]));
    return out;
}

QList<FileChange> LayerAnalysis::history(const QString &path) const {
    QList<FileChange> out;
    const PathId id = find(path);
    if (id == kNoPath)
        return out;
    const PathRow &p = d->paths[id];
    for (quint32 k = 0; k < p.changeCount; ++k)
        out.append(toChange(d->pathChanges[p.changeOffset + k]));
    return out;
}

std::optional<FileNode> LayerAnalysis::node(PathId id, int layer) const {
    if (id >= d->paths.size())
        return std::nullopt;
    FileNode n;
    n.id = id;
    if (id == kRootPath) {
        n.name = QStringLiteral("/");
        n.mode = 0755;
        return n;
    }
    const quint32 c = d->versionAt(id, resolveLayer(layer));
    if (c == kNone)
        return std::nullopt;
    const ChangeRow &row = d->changes[c];
    const std::string_view name = d->name(id);
    n.name = QFile::decodeName(QByteArray(name.data(), qsizetype(name.size())));
    n.type = FileType(row.type);
    n.mode = row.mode;
    n.uid = row.uid;
    n.gid = row.gid;
    n.size = row.size;
    if (row.linkLength)
        n.linkTarget = QFile::decodeName(
            QByteArray(d->links.data() + row.linkOffset, qsizetype(row.linkLength)));
    n.layer = row.layer;
    return n;
}

std::optional<FileNode> LayerAnalysis::node(const QString &path, int layer) const {
    const PathId id = find(path);
    return id == kNoPath ? std::nullopt : node(id, layer);
}

QList<PathId> LayerAnalysis::childIds(PathId dir, int layer) const {
    QList<PathId> out;
    if (dir >= d->paths.size())
        return out;
    const int l = resolveLayer(layer);
    if (dir != kRootPath && d->versionAt(dir, l) == kNone)
        return out;
    const PathRow &p = d->paths[dir];
    for (quint32 k = 0; k < p.childCount; ++k) {
        const quint32 c = d->children[p.childOffset + k];
        if (d->versionAt(c, l) != kNone)
            out.append(c);
    }
    return out;
}

QList<FileNode> LayerAnalysis::children(const QString &dirPath, int layer) const {
    QList<FileNode> out;
    const PathId dir = find(dirPath);
    if (dir == kNoPath)
        return out;
    const QList<PathId> ids = childIds(dir, layer);
    for (PathId c : ids)
        if (auto n = node(c, layer))
            out.append(*n);
    return out;
}

qint64 LayerAnalysis::subtreeBytes(PathId id, int layer) const {
    if (id >= d->paths.size())
        return 0;
    const int l = resolveLayer(layer);
    qint64 total = 0;
    std::vector<quint32> stack{id};
    while (!stack.empty()) {
        const quint32 p = stack.back();
        stack.pop_back();
        if (p != kRootPath) {
            const quint32 c = d->versionAt(p, l);
            if (c == kNone)
                continue;
            if (d->changes[c].type == quint8(FileType::Regular))
                total += d->changes[c].size;
        }
        const PathRow &row = d->paths[p];
        for (quint32 k = 0; k < row.childCount; ++k)
            stack.push_back(d->children[row.childOffset + k]);
    }
    return total;
}

qint64 LayerAnalysis::fileCount(int layer) const {
    const int l = resolveLayer(layer);
    qint64 count = 0;
    for (quint32 id = 1; id < d->paths.size(); ++id)
        if (d->versionAt(id, l) != kNone)
            ++count;
    return count;
}

qint64 LayerAnalysis::imageSize() const {
    return d->totals.imageSize;
}
qint64 LayerAnalysis::finalSize() const {
    return d->totals.finalSize;
}
qint64 LayerAnalysis::wastedBytes() const {
    return d->totals.wastedBytes;
}
double LayerAnalysis::diveEfficiency() const {
    return d->totals.diveEfficiency;
}
qint64 LayerAnalysis::diveWastedBytes() const {
    return d->totals.diveWastedBytes;
}
qint64 LayerAnalysis::diveUserSize() const {
    return d->totals.diveUserSize;
}

double LayerAnalysis::diveUserWastedPercent() const {
    // dive divides without a guard: x/0 is +inf (fails any threshold), 0/0 is NaN (passes).
    if (d->totals.diveUserSize == 0)
        return d->totals.diveWastedBytes > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return double(d->totals.diveWastedBytes) / double(d->totals.diveUserSize);
}

QList<WastedPair> LayerAnalysis::wastedPairs() const {
    QList<WastedPair> out;
    for (const WastedRow &w : d->wasted) {
        auto it = std::find_if(out.begin(), out.end(), [&w](const WastedPair &p) {
            return p.storedLayer == w.storedLayer && p.hiddenLayer == w.hiddenLayer;
        });
        if (it == out.end())
            out.append(WastedPair{w.storedLayer, w.hiddenLayer, w.bytes});
        else
            it->bytes += w.bytes;
    }
    std::sort(out.begin(), out.end(), [](const WastedPair &a, const WastedPair &b) {
        return std::pair(a.storedLayer, a.hiddenLayer) < std::pair(b.storedLayer, b.hiddenLayer);
    });
    return out;
}

QList<WastedCopy> LayerAnalysis::wastedCopies(int limit) const {
    QList<WastedCopy> out;
    for (const WastedRow &w : d->wasted) {
        if (limit >= 0 && out.size() >= limit)
            break;
        out.append(WastedCopy{pathOf(w.path), w.storedLayer, w.hiddenLayer, w.bytes});
    }
    return out;
}

QString LayerAnalysis::layerFilePath(const FileNode &node, PathId id) const {
    if (node.layer < 0 || node.layer >= d->directories.size() ||
        d->directories[node.layer].isEmpty())
        return QString();
    return d->directories[node.layer] + pathOf(id);
}

} // namespace Berth::Engine
