// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/containerfilesystem.h"

#include "engine/archive/archiveio.h"
#include "engine/archive/rootfsimporter.h"
#include "engine/core/fileutil.h"
#include "engine/images/mediatypes.h"
#include "engine/runtime/ocispec.h"
#include "engine/runtime/rootfscopy.h"
#include "engine/snapshots/imageinstaller.h"
#include "engine/snapshots/unpacker.h"
#include "engine/snapshots/whiteouts.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTemporaryDir>
#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <zlib.h>

namespace Berth::Engine {

namespace {

using Fd = ScopedFd;

QByteArray enc(const QString &s) {
    return QFile::encodeName(s);
}

// Paths the runtime creates in the upperdir as mount points.
bool isRuntimeFile(const QString &path) {
    return path == QLatin1String("/etc/hosts") || path == QLatin1String("/etc/hostname") ||
           path == QLatin1String("/etc/resolv.conf") || path == InitPath;
}
bool isRuntimeTree(const QString &path) {
    return path == QLatin1String("/proc") || path == QLatin1String("/sys") ||
           path == QLatin1String("/dev");
}

ContainerChange makeChange(ContainerChange::Kind kind, const QString &path,
                           const struct stat *now = nullptr) {
    ContainerChange c;
    c.kind = kind;
    c.path = path;
    if (now) {
        c.isDir = S_ISDIR(now->st_mode);
        c.size = S_ISREG(now->st_mode) ? qint64(now->st_size) : -1;
    }
    return c;
}

struct Walker {
    QStringList lowers;       // top layer first
    QStringList mountTargets; // the container's mounts, and the runtime files
    // Whether `path` exists in the image (the stack of lowers).
    bool inLower(const QString &path, struct stat *found) const {
        const QStringList parts = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        for (const QString &lower : lowers) {
            struct stat st {};
            if (::lstat(enc(lower + path).constData(), &st) == 0) {
                if (!Whiteout::deletedName(parts.last(), st).isEmpty())
                    return false;
                if (found)
                    *found = st;
                return true;
            }
            // Deleted or hidden in this layer: an OCI-form whiteout, or an opaque or
            // whited-out ancestor.
            QString prefix = lower;
            for (qsizetype i = 0; i < parts.size(); ++i) {
                struct stat wst {};
                const QString wh = prefix + QStringLiteral("/.wh.") + parts[i];
                if (::lstat(enc(wh).constData(), &wst) == 0)
                    return false;
                prefix += QLatin1Char('/') + parts[i];
                if (i + 1 < parts.size() && ::lstat(enc(prefix).constData(), &wst) == 0) {
                    if (!Whiteout::deletedName(parts[i], wst).isEmpty())
                        return false;
                    if (S_ISDIR(wst.st_mode) && Whiteout::isOpaqueDirectory(prefix))
                        return false;
                }
            }
        }
        return false;
    }

    bool leadsToMount(const QString &path) const {
        for (const QString &m : mountTargets)
            if (m == path || m.startsWith(path + QLatin1Char('/')))
                return true;
        return false;
    }

    // Walks the directory `dirFd` (dirPath in the read-write layer); appends its changes to
    // `into`, parents first. Returns whether anything below was reported. Descends through
    // directory fds opened without following symlinks: a running container that swaps a
    // directory for a link meanwhile cannot make the walk read the host's files.
    bool walk(int dirFd, const QString &dirPath, QList<ContainerChange> &into) {
        bool reported = false;
        for (const QString &name : listDir(dirFd)) {
            const QString path = dirPath + QLatin1Char('/') + name;
            struct stat st {};
            if (::fstatat(dirFd, enc(name).constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
                continue;
            const QString deleted = Whiteout::deletedName(name, st);
            if (!deleted.isEmpty()) {
                into.append(makeChange(ContainerChange::Kind::Deleted,
                                       dirPath + QLatin1Char('/') + deleted));
                reported = true;
                continue;
            }
            if (Whiteout::isOpaqueMarker(name) || isRuntimeTree(path))
                continue;
            struct stat lowerSt {};
            const bool existed = inLower(path, &lowerSt);
            const ContainerChange::Kind kind =
                existed ? ContainerChange::Kind::Changed : ContainerChange::Kind::Added;
            if (S_ISDIR(st.st_mode)) {
                Fd child(::openat(dirFd, enc(name).constData(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
                const bool opaque = child.valid() && Whiteout::isOpaqueDirectory(child.get());
                QList<ContainerChange> children;
                const bool below = child.valid() && walk(child.get(), path, children);
                bool report;
                if (!existed)
                    report = !(leadsToMount(path) && !below);
                else
                    report = below || opaque || !S_ISDIR(lowerSt.st_mode) ||
                             (lowerSt.st_mode & 07777) != (st.st_mode & 07777) ||
                             lowerSt.st_uid != st.st_uid || lowerSt.st_gid != st.st_gid;
                if (report) {
                    into.append(makeChange(kind, path, &st));
                    reported = true;
                }
                into.append(children);
                continue;
            }
            if (!existed && S_ISREG(st.st_mode) && st.st_size == 0 &&
                (isRuntimeFile(path) || mountTargets.contains(path)))
                continue;
            into.append(makeChange(kind, path, &st));
            reported = true;
        }
        return reported;
    }
};

struct StatMeta {
    TarWriter::Meta meta;
    explicit StatMeta(const struct stat &st) {
        meta.mode = int(st.st_mode & 07777);
        meta.mtime = st.st_mtim.tv_sec;
        meta.uid = int(st.st_uid);
        meta.gid = int(st.st_gid);
    }
};

// Adds `path` (relative name in the tar) from the open directory `dirFd` entry `name`.
Status addToTar(TarWriter &tar, int dirFd, const QString &name, const QString &tarPath,
                bool recurse) {
    const QByteArray n = enc(name);
    struct stat st {};
    if (::fstatat(dirFd, n.constData(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return failErrno(QStringLiteral("stat %1").arg(tarPath), errno);
    const TarWriter::Meta meta = StatMeta(st).meta;
    if (S_ISDIR(st.st_mode)) {
        // "" and "/" name no entry of their own: the directory's contents at the top, with
        // or without a leading '/'.
        if (!tarPath.isEmpty() && tarPath != QLatin1String("/"))
            if (auto r = tar.addDirectory(tarPath, meta); !r)
                return r;
        if (!recurse)
            return {};
        Fd d(::openat(dirFd, n.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!d.valid())
            return failErrno(QStringLiteral("open %1").arg(tarPath), errno);
        const QString prefix = tarPath.isEmpty() || tarPath.endsWith(QLatin1Char('/'))
                                   ? tarPath
                                   : tarPath + QLatin1Char('/');
        for (const QString &child : listDir(d.get()))
            if (auto r = addToTar(tar, d.get(), child, prefix + child, true); !r)
                return r;
        return {};
    }
    if (S_ISLNK(st.st_mode)) {
        QByteArray target(PATH_MAX, Qt::Uninitialized);
        const ssize_t len =
            ::readlinkat(dirFd, n.constData(), target.data(), size_t(target.size()));
        if (len < 0)
            return failErrno(QStringLiteral("read link %1").arg(tarPath), errno);
        target.truncate(len);
        return tar.addSymlink(tarPath, QFile::decodeName(target), meta);
    }
    if (S_ISREG(st.st_mode)) {
        Fd f(::openat(dirFd, n.constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!f.valid())
            return failErrno(QStringLiteral("open %1").arg(tarPath), errno);
        if (auto r = tar.beginFile(tarPath, st.st_size, meta); !r)
            return r;
        QByteArray buf(1 << 16, Qt::Uninitialized);
        qint64 left = st.st_size;
        while (left > 0) {
            const ssize_t got = ::read(f.get(), buf.data(), size_t(qMin<qint64>(left, buf.size())));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                return fail(ErrorKind::Internal,
                            QStringLiteral("%1 changed while it was read").arg(tarPath));
            if (auto r = tar.writeData(buf.constData(), got); !r)
                return r;
            left -= got;
        }
        return {};
    }
    return {}; // devices, fifos and sockets are not part of an exported filesystem here
}

// A byte sink that gzips (deterministically, as Pusher does) into a blob and hashes the
// uncompressed bytes.
class GzipBlobSink {
public:
    explicit GzipBlobSink(BlobWriter &writer)
        : m_writer(writer) {
        m_ok = deflateInit2(&m_z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~GzipBlobSink() { deflateEnd(&m_z); }
    Status write(const char *data, qint64 size, bool finish) {
        if (!m_ok)
            return fail(ErrorKind::Internal, QStringLiteral("zlib init failed"));
        m_hash.add(data, size);
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        m_z.avail_in = uInt(size);
        QByteArray out(1 << 16, Qt::Uninitialized);
        int rc = Z_OK;
        do {
            m_z.next_out = reinterpret_cast<Bytef *>(out.data());
            m_z.avail_out = uInt(out.size());
            rc = deflate(&m_z, finish ? Z_FINISH : Z_NO_FLUSH);
            const qint64 produced = out.size() - m_z.avail_out;
            if (produced > 0)
                if (auto st = m_writer.write(out.constData(), produced); !st)
                    return st;
        } while (m_z.avail_out == 0 || (finish && rc != Z_STREAM_END));
        return {};
    }
    Digest diffId() { return m_hash.finish(); }

private:
    BlobWriter &m_writer;
    z_stream m_z = {};
    bool m_ok = false;
    Sha256 m_hash;
};

} // namespace

ContainerFilesystem::ContainerFilesystem(ContainerRuntime &runtime, ContentStore &content,
                                         ImageStore &images, SnapshotStore &snapshots)
    : m_runtime(runtime)
    , m_content(content)
    , m_images(images)
    , m_snapshots(snapshots) {}

Result<QList<ContainerChange>> ContainerFilesystem::changes(const ContainerRecord &record) {
    Walker w;
    w.lowers = m_runtime.lowerDirs(record);
    for (const MountSpec &m : record.spec.mounts)
        w.mountTargets.append(m.destination);
    for (const QString &f : {QStringLiteral("/etc/hosts"), QStringLiteral("/etc/hostname"),
                             QStringLiteral("/etc/resolv.conf"), InitPath})
        w.mountTargets.append(f);
    const QString upper = m_runtime.upperDir(record.id);
    Fd upperFd(::open(enc(upper).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!upperFd.valid())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("the read-write layer of %1 is missing").arg(record.name));
    QList<ContainerChange> out;
    w.walk(upperFd.get(), QString(), out);
    // Already in path order per directory; entries of one directory sort by name, so a
    // whiteout (".wh.x" or x) and other names interleave: order them by path as Docker does.
    std::stable_sort(out.begin(), out.end(),
                     [](const ContainerChange &a, const ContainerChange &b) {
                         return a.path.split(QLatin1Char('/')) < b.path.split(QLatin1Char('/'));
                     });
    return out;
}

Result<QList<ContainerChange>> ContainerFilesystem::diff(const QString &nameOrId) {
    auto record = m_runtime.get(nameOrId);
    if (!record)
        return fail(record.error());
    return changes(*record);
}

Status ContainerFilesystem::exportTo(const QString &nameOrId, int fd) {
    return m_runtime.withRootfs(
        nameOrId, [&](const ContainerRecord &, const QString &rootfs) -> Status {
            TarWriter tar(
                [fd](const char *data, qint64 size) { return writeAllToFd(fd, data, size); });
            Fd parent(::open(enc(rootfs).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!parent.valid())
                return failErrno(QStringLiteral("open %1").arg(rootfs), errno);
            if (auto r = addToTar(tar, parent.get(), QStringLiteral("."), QString(), true); !r)
                return r;
            return tar.finish();
        });
}

namespace {

struct CopyTarget {
    Fd dir;       // the directory that receives the entry
    QString name; // the entry's name in it
};

// One side of a copy: the host (paths taken as they are) or a container, whose paths go
// through the in-root resolver (rootfscopy.h) and so never leave its root.
class PathSide {
public:
    static PathSide host() { return PathSide(-1); }
    static PathSide inRoot(int rootFd) { return PathSide(rootFd); }

    QString clean(const QString &path) const {
        return m_root < 0 ? QDir::cleanPath(path) : cleanInRootPath(path);
    }
    int open(const QString &path, int flags) const {
        return m_root < 0 ? ::open(enc(path).constData(), flags | O_CLOEXEC)
                          : openInRoot(m_root, path, flags);
    }
    // `path` as its parent directory and last name.
    Result<InRootEntry> entry(const QString &path) const {
        if (m_root >= 0)
            return resolveInRoot(m_root, path);
        InRootEntry e;
        e.path = QDir::cleanPath(path);
        const bool root = e.path == QLatin1String("/");
        e.name = root ? QStringLiteral(".") : QFileInfo(e.path).fileName();
        const QString parent = root ? e.path : QFileInfo(e.path).path();
        e.parent = Fd(open(parent, O_RDONLY | O_DIRECTORY));
        if (!e.parent.valid())
            return failErrno(QStringLiteral("open %1").arg(parent), errno);
        return e;
    }

private:
    explicit PathSide(int root)
        : m_root(root) {}
    int m_root;
};

// Docker's destination rules, given the source's kind and the destination's state.
Result<CopyTarget> resolveDestination(const PathSide &side, const QString &dst,
                                      const QString &srcName, bool srcIsDir) {
    const bool wantsDir = dst.endsWith(QLatin1Char('/')) || dst.endsWith(QStringLiteral("/."));
    const QString clean = side.clean(dst);
    Fd asDir(side.open(clean, O_RDONLY | O_DIRECTORY));
    if (asDir.valid())
        return CopyTarget{std::move(asDir), srcName};
    const int err = errno;
    if (err == ENOTDIR && srcIsDir)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("cannot copy a directory to a file: %1").arg(dst));
    if (err == ENOTDIR && wantsDir)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("destination \"%1\" must be a directory").arg(dst));
    if (err != ENOTDIR && err != ENOENT)
        return failErrno(QStringLiteral("open %1").arg(dst), err);
    if (err == ENOENT && wantsDir && !srcIsDir)
        return fail(ErrorKind::NotFound, QStringLiteral("no such directory: %1").arg(dst));
    // A new entry (or a file to replace) named by the destination itself.
    auto entry = side.entry(clean);
    if (!entry)
        return fail(entry.error());
    if (entry->isRoot())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("cannot replace the root directory: %1").arg(dst));
    return CopyTarget{std::move(entry->parent), entry->name};
}

// The source as (parent directory, name); "dir/." means the directory's contents. A symlink
// source is copied as the link unless links are followed (-L) or the path ends in "/" or "/."
// (which names what the link points to, as in docker cp); a followed link keeps its own name
// for the copy (`copyName`).
struct CopySource {
    Fd parent;
    QString name;
    QString copyName;
    bool contentsOnly = false;
    bool isDir = false;
};

Result<CopySource> resolveSource(const PathSide &side, const QString &src,
                                 SourceLinks links = SourceLinks::Keep) {
    CopySource s;
    s.contentsOnly = src.endsWith(QStringLiteral("/."));
    const bool follow = links == SourceLinks::Follow || s.contentsOnly ||
                        (src.endsWith(QLatin1Char('/')) && src.size() > 1);
    QString path = src;
    for (int hops = 0;; ++hops) {
        auto entry = side.entry(path);
        if (!entry)
            return fail(entry.error().withContext(QStringLiteral("could not find %1").arg(src)));
        struct stat st {};
        if (::fstatat(entry->parent.get(), enc(entry->name).constData(), &st,
                      AT_SYMLINK_NOFOLLOW) != 0)
            return failErrno(QStringLiteral("could not find %1").arg(src), errno);
        if (s.copyName.isEmpty())
            s.copyName = entry->name;
        if (S_ISLNK(st.st_mode) && follow) {
            if (hops >= 40)
                return failErrno(QStringLiteral("could not find %1").arg(src), ELOOP);
            QByteArray target(PATH_MAX, Qt::Uninitialized);
            const ssize_t len = ::readlinkat(entry->parent.get(), enc(entry->name).constData(),
                                             target.data(), size_t(target.size()));
            if (len < 0)
                return failErrno(QStringLiteral("read link %1").arg(src), errno);
            const QString to = QFile::decodeName(target.left(len));
            // A relative target is relative to the link's directory; the next lookup goes
            // through the same side, so in a container it stays inside the root.
            path = to.startsWith(QLatin1Char('/'))
                       ? to
                       : entry->path.left(entry->path.lastIndexOf(QLatin1Char('/')) + 1) + to;
            if (path.isEmpty())
                path = to;
            continue;
        }
        s.parent = std::move(entry->parent);
        s.name = entry->name;
        s.isDir = S_ISDIR(st.st_mode);
        return s;
    }
}

Status copyResolved(CopySource &src, CopyTarget &dst, bool dstExistedAsDir, Owners owners) {
    if (src.isDir && src.contentsOnly) {
        Fd from(::openat(src.parent.get(), enc(src.name).constData(),
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!from.valid())
            return failErrno(QStringLiteral("open %1").arg(src.name), errno);
        int into = dst.dir.get();
        Fd created;
        if (!dstExistedAsDir) {
            if (::mkdirat(dst.dir.get(), enc(dst.name).constData(), 0755) != 0 && errno != EEXIST)
                return failErrno(QStringLiteral("create %1").arg(dst.name), errno);
            created = Fd(::openat(dst.dir.get(), enc(dst.name).constData(),
                                  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!created.valid())
                return failErrno(QStringLiteral("open %1").arg(dst.name), errno);
            into = created.get();
        }
        for (const QString &child : listDir(from.get()))
            if (auto r = copyEntry(from.get(), child, into, child, owners); !r)
                return r;
        return {};
    }
    return copyEntry(src.parent.get(), src.name, dst.dir.get(), dst.name, owners);
}

} // namespace

namespace {

// Whether `containerPath` (clean) lies inside one of the container's volumes or bind mounts (the
// deepest): that mount and the rest of the path; else nullopt.
std::optional<std::pair<const MountSpec *, QString>> mountedSource(const ContainerRecord &record,
                                                                   const QString &containerPath) {
    const MountSpec *best = nullptr;
    for (const MountSpec &m : record.spec.mounts) {
        const QString dst = QDir::cleanPath(m.destination);
        const bool inside =
            containerPath == dst || containerPath.startsWith(dst + QLatin1Char('/'));
        if (inside && (!best || dst.size() > QDir::cleanPath(best->destination).size()))
            best = &m;
    }
    if (!best)
        return std::nullopt;
    const QString rest = containerPath.mid(QDir::cleanPath(best->destination).size());
    return std::pair(best, rest.isEmpty() ? QStringLiteral("/") : rest);
}

enum class Access { Read, Write };

// Runs `work` with the root `containerPath` lies in, and the path in it: the container's root
// filesystem (mounted meanwhile for a stopped container), or, for a path inside one of its
// volumes or bind mounts, that mount's host directory (dockerd mounts them for cp likewise;
// not the running container's /proc/PID/root, whose /proc and /sys a copy must not read).
Status withRootFd(ContainerRuntime &runtime, const QString &nameOrId, const QString &containerPath,
                  Access access,
                  const std::function<Status(const PathSide &, const QString &)> &work) {
    return runtime.withRootfs(
        nameOrId, [&](const ContainerRecord &record, const QString &rootfs) -> Status {
            QString root = rootfs;
            QString path = containerPath;
            if (auto mounted = mountedSource(record, cleanInRootPath(containerPath))) {
                const MountSpec &m = *mounted->first;
                if (access == Access::Write && m.readOnly)
                    return fail(ErrorKind::InvalidArgument,
                                QStringLiteral("%1 is on a read-only mount").arg(containerPath));
                root = m.type == QLatin1String("bind") ? m.source
                                                       : runtime.volumes().dataPath(m.source);
                path = mounted->second;
            }
            Fd rootFd(::open(enc(root).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
            if (!rootFd.valid())
                return failErrno(QStringLiteral("open %1").arg(root), errno);
            return work(PathSide::inRoot(rootFd.get()), path);
        });
}

// Runs `work` with `containerPath` resolved inside the container's root.
Status withSource(ContainerRuntime &runtime, const QString &nameOrId, const QString &containerPath,
                  SourceLinks links, const std::function<Status(CopySource *)> &work) {
    return withRootFd(runtime, nameOrId, containerPath, Access::Read,
                      [&](const PathSide &container, const QString &path) -> Status {
                          auto src = resolveSource(container, path, links);
                          if (!src)
                              return fail(src.error());
                          if (src->name == QLatin1String("."))
                              src->contentsOnly = true;
                          return work(&*src);
                      });
}

} // namespace

Status ContainerFilesystem::copyIn(const QString &nameOrId, const QString &hostSource,
                                   const QString &containerDestination, SourceLinks links) {
    auto src = resolveSource(PathSide::host(), hostSource, links);
    if (!src)
        return fail(src.error());
    return withRootFd(m_runtime, nameOrId, containerDestination, Access::Write,
                      [&](const PathSide &container, const QString &destination) -> Status {
                          Fd probe(container.open(destination, O_RDONLY | O_DIRECTORY));
                          const bool existedAsDir = probe.valid();
                          auto dst =
                              resolveDestination(container, destination, src->copyName, src->isDir);
                          if (!dst)
                              return fail(dst.error());
                          return copyResolved(*src, *dst, existedAsDir, Owners::Drop);
                      });
}

Status ContainerFilesystem::copyOut(const QString &nameOrId, const QString &containerSource,
                                    const QString &hostDestination, SourceLinks links) {
    return withSource(m_runtime, nameOrId, containerSource, links, [&](CopySource *src) -> Status {
        const PathSide host = PathSide::host();
        Fd probe(host.open(host.clean(hostDestination), O_RDONLY | O_DIRECTORY));
        const bool existedAsDir = probe.valid();
        auto dst = resolveDestination(host, hostDestination, src->copyName, src->isDir);
        if (!dst)
            return fail(dst.error());
        return copyResolved(*src, *dst, existedAsDir, Owners::Drop);
    });
}

Result<ContainerPathStat> ContainerFilesystem::statPath(const QString &nameOrId,
                                                        const QString &containerPath) {
    ContainerPathStat result;
    auto st = withSource(
        m_runtime, nameOrId, containerPath, SourceLinks::Keep, [&](CopySource *src) -> Status {
            struct stat info {};
            if (::fstatat(src->parent.get(), enc(src->name).constData(), &info,
                          AT_SYMLINK_NOFOLLOW) != 0)
                return failErrno(QStringLiteral("stat %1").arg(containerPath), errno);
            result.name = src->copyName == QLatin1String(".") ? QStringLiteral("/") : src->copyName;
            result.size = info.st_size;
            result.permissions = info.st_mode & 07777;
            result.isDir = S_ISDIR(info.st_mode);
            result.isSymlink = S_ISLNK(info.st_mode);
            result.mtime = QDateTime::fromSecsSinceEpoch(info.st_mtim.tv_sec, Qt::UTC);
            if (result.isSymlink) {
                QByteArray target(PATH_MAX, Qt::Uninitialized);
                const ssize_t len = ::readlinkat(src->parent.get(), enc(src->name).constData(),
                                                 target.data(), size_t(target.size()));
                if (len > 0)
                    result.linkTarget = QFile::decodeName(target.left(len));
            }
            return {};
        });
    if (!st)
        return fail(st.error());
    return result;
}

Status ContainerFilesystem::archivePath(const QString &nameOrId, const QString &containerPath,
                                        int fd, SourceLinks links) {
    return withSource(m_runtime, nameOrId, containerPath, links, [&](CopySource *src) -> Status {
        TarWriter tar([fd](const char *data, qint64 size) { return writeAllToFd(fd, data, size); });
        // "dir/.": the directory's contents at the top of the archive. The root:
        // its contents as "/bin", "/etc"..., as dockerd names them (the docker
        // CLI rebases the entries of a root copy by prepending the destination's
        // name to that '/').
        const QString top = src->name == QLatin1String(".") ? QStringLiteral("/")
                            : src->contentsOnly             ? QString()
                                                            : src->copyName;
        if (auto r = addToTar(tar, src->parent.get(), src->name, top, true); !r)
            return r;
        return tar.finish();
    });
}

Status ContainerFilesystem::extractArchive(const QString &nameOrId,
                                           const QString &containerDirectory, int fd) {
    // The archive is unpacked on the host first, with the layer unpacker's safety rules (no
    // entry escapes), then copied in entry by entry with copyIn's in-root resolution.
    // The store's tmp/ (next to containers/): the same filesystem, cleaned by the store.
    const QString tmpBase =
        QDir::cleanPath(m_runtime.directory(QString()) + QStringLiteral("/../tmp"));
    QDir().mkpath(tmpBase);
    QTemporaryDir work(tmpBase + QStringLiteral("/cp-XXXXXX"));
    if (!work.isValid())
        return fail(ErrorKind::Internal,
                    QStringLiteral("cannot create a directory in %1").arg(tmpBase));
    const QString archive = work.filePath(QStringLiteral("archive.tar"));
    {
        Fd out(::open(enc(archive).constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
        if (!out.valid())
            return failErrno(QStringLiteral("create %1").arg(archive), errno);
        char buf[65536];
        for (;;) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return failErrno(QStringLiteral("read the archive"), errno);
            if (n == 0)
                break;
            if (auto w = writeAllToFd(out.get(), buf, n); !w)
                return w;
        }
    }
    const QString unpacked = work.filePath(QStringLiteral("files"));
    QDir().mkpath(unpacked);
    UnpackOptions options = UnpackOptions::forCurrentUser();
    options.allowDevices = false;
    if (auto r = unpackLayer(archive, unpacked, options); !r)
        return fail(r.error().withContext(QStringLiteral("the archive")));
    QString destination = containerDirectory;
    if (!destination.endsWith(QLatin1Char('/')))
        destination += QLatin1Char('/');
    for (const QString &entry : QDir(unpacked).entryList(QDir::AllEntries | QDir::Hidden |
                                                         QDir::System | QDir::NoDotAndDotDot))
        if (auto r = copyIn(nameOrId, unpacked + QLatin1Char('/') + entry, destination); !r)
            return r;
    return {};
}

Result<ImageRecord> ContainerFilesystem::commit(const QString &nameOrId,
                                                const CommitOptions &options) {
    auto record = m_runtime.get(nameOrId);
    if (!record)
        return fail(record.error());
    auto image = m_images.get(record->imageId);
    if (!image)
        return fail(image.error());
    auto config = m_images.config(*image);
    if (!config)
        return fail(config.error());
    auto manifest = m_images.manifest(*image);
    if (!manifest)
        return fail(manifest.error());
    ContainerConfig cc = config->config();
    for (const QString &change : options.changes)
        if (auto st = applyDockerfileChange(cc, change); !st)
            return fail(st.error());
    QList<Reference> tags;
    if (!options.reference.isEmpty()) {
        auto ref = Reference::parse(options.reference);
        if (!ref)
            return fail(ref.error());
        tags.append(*ref);
    }
    auto list = changes(*record);
    if (!list)
        return fail(list.error());

    // The layer: every change, whiteouts as OCI `.wh.` entries.
    auto writer = m_content.openWriter(uniqueTempName(QStringLiteral("commit")));
    if (!writer)
        return fail(writer.error());
    GzipBlobSink sink(**writer);
    const QString upper = m_runtime.upperDir(record->id);
    Status written;
    {
        TarWriter tar([&](const char *data, qint64 size) { return sink.write(data, size, false); });
        Fd upperFd(::open(enc(upper).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!upperFd.valid())
            written = failErrno(QStringLiteral("open %1").arg(upper), errno);
        for (const ContainerChange &c : std::as_const(*list)) {
            if (!written)
                break;
            const QString rel = c.path.mid(1);
            if (c.kind == ContainerChange::Kind::Deleted) {
                const QFileInfo info(rel);
                const QString dir =
                    info.path() == QLatin1String(".") ? QString() : info.path() + QLatin1Char('/');
                written = tar.addFile(dir + Whiteout::Prefix + info.fileName(), {}, {});
                continue;
            }
            // In-root resolution: the container may have changed the layer since the walk.
            auto entry = resolveInRoot(upperFd.get(), c.path);
            if (!entry) {
                written = fail(entry.error());
                break;
            }
            written = addToTar(tar, entry->parent.get(), entry->name, rel, false);
            Fd dir(::openat(entry->parent.get(), enc(entry->name).constData(),
                            O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (written && dir.valid() && Whiteout::isOpaqueDirectory(dir.get()))
                written = tar.addFile(rel + QLatin1Char('/') + Whiteout::OpaqueMarker, {}, {});
        }
        if (written)
            written = tar.finish();
    }
    if (written)
        written = sink.write(nullptr, 0, true);
    if (!written) {
        (*writer)->abort();
        return fail(written.error().withContext(QStringLiteral("commit %1").arg(record->name)));
    }
    const Digest diffId = sink.diffId();
    auto layerDigest = (*writer)->commit();
    if (!layerDigest)
        return fail(layerDigest.error());

    // The config: the image's, plus the layer, a history entry and the changes.
    ImageConfig next = *config;
    QList<Digest> diffIds = next.diffIds();
    diffIds.append(diffId);
    next.setDiffIds(diffIds);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QList<HistoryEntry> history = next.history();
    HistoryEntry entry;
    entry.created = now;
    entry.createdBy = record->spec.args().join(QLatin1Char(' '));
    entry.author = options.author;
    entry.comment = options.message;
    history.append(entry);
    next.setHistory(history);
    next.setConfig(cc);
    next.setCreated(now);
    QJsonObject json = next.json();
    if (!options.author.isEmpty())
        json.insert(QStringLiteral("author"), options.author);
    const QByteArray configJson = QJsonDocument(json).toJson(QJsonDocument::Compact);
    auto configDigest = m_content.write(configJson);
    if (!configDigest)
        return fail(configDigest.error());

    const bool docker = manifest->mediaType == MediaType::DockerManifest;
    Manifest m;
    m.mediaType = docker ? MediaType::DockerManifest : MediaType::OciManifest;
    m.config.mediaType = docker ? MediaType::DockerConfig : MediaType::OciConfig;
    m.config.digest = *configDigest;
    m.config.size = configJson.size();
    m.layers = manifest->layers;
    Descriptor layer;
    layer.mediaType = docker ? MediaType::DockerLayerGzip : MediaType::OciLayerGzip;
    layer.digest = *layerDigest;
    layer.size = m_content.size(*layerDigest).value_or(0);
    m.layers.append(layer);
    ImageInstaller installer(m_content, m_snapshots, m_images);
    auto installed = installer.install(m.toJson(), tags);
    if (!installed)
        return fail(installed.error().withContext(QStringLiteral("commit %1").arg(record->name)));
    return installed;
}

} // namespace Berth::Engine
