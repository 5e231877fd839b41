// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshots/unpacker.h"

#include "engine/content/growingblob.h"
#include "engine/core/usernamespace.h"
#include "engine/snapshots/whiteouts.h"

#include <QFile>
#include <algorithm>
#include <archive.h>
#include <archive_entry.h>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utility>
#include <vector>

// How this works. Two libarchive readers are chained so the uncompressed stream can be hashed
// without ever holding a layer in memory: the outer reader (format "raw", every filter) turns
// the file into decompressed blocks; the inner reader (format tar, no filter) pulls those
// blocks through a read callback that hashes each one on the way. After the tar ends, the rest
// of the stream (zero padding) is drained into the hash too, so the diffID is the sha256 of the
// whole decompressed stream, as `zcat | sha256sum` computes it.
//
// Files are written with *at() system calls relative to directory fds opened from the layer
// root one component at a time with O_NOFOLLOW, so no path from the archive is ever resolved by
// the kernel: `..` is resolved lexically (and refused when it climbs above the root), a leading
// "/" is stripped like Docker and tar do, and a symlink (or any non-directory) in the parent
// chain of an entry is refused. That is stricter than openat2(RESOLVE_IN_ROOT), which Docker's
// chroot extraction resembles, but layers written by real tools never place files below a
// symlink (they are filesystem walks), and refusing keeps the rules simple to audit.

namespace Berth::Engine {

UnpackOptions UnpackOptions::forCurrentUser() {
    UnpackOptions o;
    // Root inside the user's namespace (rootless) may write whiteouts (0:0 devices), FIFOs and
    // owners within its mapping, but no real device nodes: those are skipped with a warning.
    const bool root = ::geteuid() == 0;
    o.overlayWhiteouts = root;
    o.allowDevices = root;
    o.preserveOwnership = root;
    return o;
}

namespace {

constexpr size_t kReadBlockSize = 1 << 20;

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd)
        : m_fd(fd) {}
    Fd(Fd &&o) noexcept
        : m_fd(o.release()) {}
    Fd &operator=(Fd &&o) noexcept {
        if (this != &o) {
            reset();
            m_fd = o.release();
        }
        return *this;
    }
    Fd(const Fd &) = delete;
    Fd &operator=(const Fd &) = delete;
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release() { return std::exchange(m_fd, -1); }
    void reset() {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

struct ArchiveDeleter {
    void operator()(struct archive *a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

QString archiveMessage(struct archive *a) {
    const char *msg = archive_error_string(a);
    return msg ? QString::fromLocal8Bit(msg) : QStringLiteral("unknown archive error");
}

QString entryName(const std::string &raw) {
    return QString::fromUtf8(raw.data(), qsizetype(raw.size()));
}

Error entryError(ErrorKind kind, const std::string &path, const QString &what) {
    return Error{kind, QStringLiteral("layer entry \"%1\": %2").arg(entryName(path), what)};
}

Error entryErrno(const std::string &path, const QString &what, int err) {
    return failErrno(QStringLiteral("layer entry \"%1\": %2").arg(entryName(path), what), err)
        .error();
}

// A chown that failed: rootless, an id the user's namespace does not map (EINVAL) is named
// with the range that is mapped.
Error ownerError(const std::string &path, uid_t uid, gid_t gid, int err) {
    if (err != EINVAL || !UserNamespace::insideUserNamespace())
        return entryErrno(path, QStringLiteral("set owner"), err);
    return entryError(
        ErrorKind::Unavailable, path,
        QStringLiteral("owned by uid %1 gid %2, beyond the ids this user's namespace maps (uids "
                       "0-%3, gids 0-%4: the user and its /etc/subuid and /etc/subgid range); "
                       "a larger range holds it, e.g. sudo usermod --add-subuids "
                       "100000-1165535 --add-subgids 100000-1165535 USER, then end the "
                       "namespace keeper (pkill berth-keeper) when no container runs")
            .arg(uid)
            .arg(gid)
            .arg(UserNamespace::highestMappedUid())
            .arg(UserNamespace::highestMappedGid()));
}

// The decompressed stream: the outer reader, the hash over everything it produced, and why it
// stopped when it failed (the inner reader only sees "read error").
struct Source {
    struct archive *outer = nullptr;
    bool started = false; // outer header read; false for an empty file
    Sha256 sha;
    qint64 total = 0;
    const std::atomic<bool> *cancel = nullptr;
    bool cancelled = false;
    QString error;

    // Next block of the decompressed stream; 0 at the end, -1 on error.
    la_ssize_t next(const void **buffer) {
        if (!started)
            return 0;
        if (cancel && cancel->load(std::memory_order_relaxed)) {
            cancelled = true;
            return -1;
        }
        size_t size = 0;
        la_int64_t offset = 0;
        for (;;) {
            const int r = archive_read_data_block(outer, buffer, &size, &offset);
            if (r == ARCHIVE_EOF)
                return 0;
            if (r < ARCHIVE_WARN) {
                error = archiveMessage(outer);
                return -1;
            }
            if (size == 0)
                continue;
            sha.add(static_cast<const char *>(*buffer), qint64(size));
            total += qint64(size);
            return la_ssize_t(size);
        }
    }

    static la_ssize_t readCallback(struct archive *inner, void *client, const void **buffer) {
        auto *self = static_cast<Source *>(client);
        const la_ssize_t n = self->next(buffer);
        if (n < 0)
            archive_set_error(inner, EIO, "%s",
                              self->cancelled ? "cancelled"
                                              : self->error.toLocal8Bit().constData());
        return n;
    }
};

struct DirMeta {
    mode_t mode = 0755;
    struct timespec times[2] = {};
};

// A path from the archive, cleaned: components without "", "." and "..".
struct CleanPath {
    std::vector<std::string> parts;
    std::string joined() const {
        std::string s;
        for (const std::string &p : parts) {
            if (!s.empty())
                s += '/';
            s += p;
        }
        return s;
    }
};

// Lexical cleaning like Go's filepath.Clean on a path made relative: refuses to climb above
// the root. No component is ever resolved by the kernel with "..".
std::optional<CleanPath> cleanPath(std::string_view raw) {
    CleanPath out;
    size_t pos = 0;
    while (pos <= raw.size()) {
        size_t slash = raw.find('/', pos);
        if (slash == std::string_view::npos)
            slash = raw.size();
        const std::string_view part = raw.substr(pos, slash - pos);
        pos = slash + 1;
        if (part.empty() || part == ".")
            continue;
        if (part == "..") {
            if (out.parts.empty())
                return std::nullopt;
            out.parts.pop_back();
            continue;
        }
        out.parts.emplace_back(part);
    }
    return out;
}

// Whether missing parent directories are created (as tar does for entries) or an error (for
// hardlink targets, which must already be in the layer).
enum class MissingParents { Create, Refuse };

class Extractor {
public:
    Extractor(int rootFd, const UnpackOptions &options)
        : m_root(rootFd)
        , m_options(options)
        , m_isRoot(::geteuid() == 0) {}
    ~Extractor() { closeStack(0); }

    Status extract(struct archive *inner, struct archive_entry *entry);
    Status finish();

private:
    Result<int> parentDir(const CleanPath &path, const std::string &entryPath,
                          MissingParents missing = MissingParents::Create);
    void closeStack(size_t depth);
    Status makeRoom(int dirFd, const CleanPath &path, const std::string &entryPath);
    Status writeFile(struct archive *inner, int dirFd, const CleanPath &path,
                     struct archive_entry *entry, const std::string &entryPath);
    Status applyXattrs(int fd, const char *linkPath, struct archive_entry *entry,
                       const std::string &entryPath);
    Status setOwner(int dirFd, const std::string &name, struct archive_entry *entry,
                    const std::string &entryPath);
    void forgetDirectories(const std::string &prefix);
    mode_t permissions(struct archive_entry *entry) const;
    static void entryTimes(struct archive_entry *entry, struct timespec times[2]);

    int m_root;
    UnpackOptions m_options;
    bool m_isRoot;
    // Open directories of the last parent path, so consecutive entries in one directory (the
    // normal tar order) cost no lookups.
    std::vector<std::pair<std::string, int>> m_stack;
    // Directories whose final mode and times are applied at the end: they must stay writable
    // while their children are created, and creating children changes their mtime.
    std::map<std::string, DirMeta> m_dirs;
    // Entries deliberately not written (devices without allowDevices, AUFS bookkeeping):
    // hardlinks to them are skipped too instead of failing as dangling.
    std::set<std::string> m_skipped;
};

void Extractor::closeStack(size_t depth) {
    while (m_stack.size() > depth) {
        ::close(m_stack.back().second);
        m_stack.pop_back();
    }
}

// Opens (creating missing ones like tar does) the directories above `path`, never following a
// symlink.
Result<int> Extractor::parentDir(const CleanPath &path, const std::string &entryPath,
                                 MissingParents missing) {
    const size_t depth = path.parts.size() - 1;
    size_t common = 0;
    while (common < depth && common < m_stack.size() && m_stack[common].first == path.parts[common])
        ++common;
    closeStack(common);
    for (size_t i = common; i < depth; ++i) {
        const int at = i == 0 ? m_root : m_stack[i - 1].second;
        const char *name = path.parts[i].c_str();
        int fd = ::openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && missing == MissingParents::Create) {
            if (::mkdirat(at, name, 0755) != 0 && errno != EEXIST)
                return fail(
                    entryErrno(entryPath, QStringLiteral("create parent directory"), errno));
            fd = ::openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
            const int err = errno;
            struct stat st;
            if ((err == ELOOP || err == ENOTDIR) &&
                ::fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                CleanPath prefix;
                prefix.parts.assign(path.parts.begin(), path.parts.begin() + qsizetype(i) + 1);
                return fail(
                    entryError(ErrorKind::InvalidArgument, entryPath,
                               QStringLiteral("parent \"%1\" is %2; refusing to write through it")
                                   .arg(entryName(prefix.joined()),
                                        S_ISLNK(st.st_mode) ? QStringLiteral("a symlink")
                                                            : QStringLiteral("not a directory"))));
            }
            return fail(entryErrno(entryPath, QStringLiteral("open parent directory"), err));
        }
        m_stack.emplace_back(path.parts[i], fd);
    }
    return depth == 0 ? m_root : m_stack[depth - 1].second;
}

// Later entries replace earlier ones with the same path: removes whatever is at `path`
// (a whole tree for a directory).
int removeAt(int dirFd, const char *name) {
    if (::unlinkat(dirFd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR)
        return errno;
    const int fd = ::openat(dirFd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno;
    DIR *dir = ::fdopendir(fd);
    if (!dir) {
        const int err = errno;
        ::close(fd);
        return err;
    }
    int err = 0;
    while (struct dirent *de = ::readdir(dir)) {
        if (std::strcmp(de->d_name, ".") == 0 || std::strcmp(de->d_name, "..") == 0)
            continue;
        if ((err = removeAt(fd, de->d_name)) != 0)
            break;
    }
    ::closedir(dir);
    if (err == 0 && ::unlinkat(dirFd, name, AT_REMOVEDIR) != 0)
        err = errno;
    return err;
}

void Extractor::forgetDirectories(const std::string &prefix) {
    for (auto it = m_dirs.lower_bound(prefix);
         it != m_dirs.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
        if (it->first.size() == prefix.size() || it->first[prefix.size()] == '/')
            it = m_dirs.erase(it);
        else
            ++it;
    }
}

Status Extractor::makeRoom(int dirFd, const CleanPath &path, const std::string &entryPath) {
    const std::string &name = path.parts.back();
    struct stat st;
    if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? Status{}
                               : fail(entryErrno(entryPath, QStringLiteral("stat"), errno));
    if (S_ISDIR(st.st_mode)) {
        // Open directory fds below it become stale.
        const size_t depth = path.parts.size() - 1;
        if (m_stack.size() > depth && m_stack[depth].first == name)
            closeStack(depth);
        forgetDirectories(path.joined());
    }
    if (const int err = removeAt(dirFd, name.c_str()); err != 0)
        return fail(entryErrno(entryPath, QStringLiteral("replace existing entry"), err));
    return {};
}

mode_t Extractor::permissions(struct archive_entry *entry) const {
    const mode_t perm = archive_entry_perm(entry);
    return m_options.preserveOwnership ? (perm & 07777) : (perm & 0777);
}

void Extractor::entryTimes(struct archive_entry *entry, struct timespec times[2]) {
    times[1].tv_sec = archive_entry_mtime(entry);
    times[1].tv_nsec = archive_entry_mtime_nsec(entry);
    if (archive_entry_atime_is_set(entry)) {
        times[0].tv_sec = archive_entry_atime(entry);
        times[0].tv_nsec = archive_entry_atime_nsec(entry);
    } else {
        times[0] = times[1];
    }
}

Status Extractor::setOwner(int dirFd, const std::string &name, struct archive_entry *entry,
                           const std::string &entryPath) {
    if (!m_options.preserveOwnership)
        return {};
    const uid_t uid = uid_t(archive_entry_uid(entry));
    const gid_t gid = gid_t(archive_entry_gid(entry));
    const int r = name.empty() ? ::fchown(dirFd, uid, gid)
                               : ::fchownat(dirFd, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (r != 0)
        return fail(ownerError(entryPath, uid, gid, errno));
    return {};
}

// Extended attributes an image may carry: user.*, security.capability (file capabilities of
// binaries such as ping) and, as root, trusted.* except trusted.overlay.*, which overlayfs
// interprets (redirects, metacopy, opaque) and only this unpacker may set, from whiteouts.
// security.selinux and ACLs are host policy, not image content.
Status Extractor::applyXattrs(int fd, const char *linkPath, struct archive_entry *entry,
                              const std::string &entryPath) {
    if (archive_entry_xattr_reset(entry) == 0)
        return {};
    const char *name = nullptr;
    const void *value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK) {
        const std::string_view n(name ? name : "");
        // user.overlay.* is what overlayfs reads rootless (userxattr): never from an image.
        bool wanted = n.starts_with("user.") && !n.starts_with("user.overlay.");
        if (n == "security.capability")
            wanted = m_options.preserveOwnership;
        if (n.starts_with("trusted."))
            wanted = m_isRoot && UserNamespace::hostRoot() && !n.starts_with("trusted.overlay.");
        if (!wanted)
            continue;
        const int r = linkPath ? ::lsetxattr(linkPath, name, value, size, 0)
                               : ::fsetxattr(fd, name, value, size, 0);
        // Not every filesystem (or file type: symlinks refuse user.*) takes every namespace;
        // a missing attribute is better than an image that cannot be used at all.
        if (r != 0 && errno != ENOTSUP && errno != EPERM)
            return fail(
                entryErrno(entryPath, QStringLiteral("set xattr %1").arg(QLatin1String(n)), errno));
    }
    return {};
}

Status Extractor::writeFile(struct archive *inner, int dirFd, const CleanPath &path,
                            struct archive_entry *entry, const std::string &entryPath) {
    const char *name = path.parts.back().c_str();
    constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    // Create first and look only on a clash: one lookup fewer per file in the common case.
    Fd fd(::openat(dirFd, name, flags, 0600));
    if (!fd.valid() && errno == EEXIST) {
        if (auto st = makeRoom(dirFd, path, entryPath); !st)
            return st;
        fd = Fd(::openat(dirFd, name, flags, 0600));
    }
    if (!fd.valid())
        return fail(entryErrno(entryPath, QStringLiteral("create file"), errno));
    qint64 end = 0;
    for (;;) {
        const void *buffer = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        const int r = archive_read_data_block(inner, &buffer, &size, &offset);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return fail(
                entryError(ErrorKind::Corrupt, entryPath,
                           QStringLiteral("corrupt layer archive: %1").arg(archiveMessage(inner))));
        const char *p = static_cast<const char *>(buffer);
        while (size > 0) {
            const ssize_t n = ::pwrite(fd.get(), p, size, offset);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return fail(entryErrno(entryPath, QStringLiteral("write"), errno));
            }
            p += n;
            size -= size_t(n);
            offset += n;
        }
        end = std::max<qint64>(end, offset);
    }
    // A sparse file may end in a hole.
    const qint64 wanted = archive_entry_size(entry);
    if (wanted > end && ::ftruncate(fd.get(), wanted) != 0)
        return fail(entryErrno(entryPath, QStringLiteral("write"), errno));
    // Order matters: chown clears setuid bits and file capabilities, so it comes first.
    if (m_options.preserveOwnership &&
        ::fchown(fd.get(), uid_t(archive_entry_uid(entry)), gid_t(archive_entry_gid(entry))) != 0)
        return fail(ownerError(entryPath, uid_t(archive_entry_uid(entry)),
                               gid_t(archive_entry_gid(entry)), errno));
    if (auto st = applyXattrs(fd.get(), nullptr, entry, entryPath); !st)
        return st;
    if (::fchmod(fd.get(), permissions(entry)) != 0)
        return fail(entryErrno(entryPath, QStringLiteral("set mode"), errno));
    struct timespec times[2];
    entryTimes(entry, times);
    if (::futimens(fd.get(), times) != 0)
        return fail(entryErrno(entryPath, QStringLiteral("set times"), errno));
    return {};
}

Status Extractor::extract(struct archive *inner, struct archive_entry *entry) {
    const char *rawPath = archive_entry_pathname(entry);
    if (!rawPath)
        rawPath = archive_entry_pathname_utf8(entry);
    const std::string entryPath(rawPath ? rawPath : "");
    auto cleaned = cleanPath(entryPath);
    if (!cleaned)
        return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                               QStringLiteral("path escapes the layer root")));
    const CleanPath &path = *cleaned;
    const char *hardlinkTarget = archive_entry_hardlink(entry);
    const mode_t type = archive_entry_filetype(entry);

    // "." or "/": the layer root itself; only its metadata can change.
    if (path.parts.empty()) {
        if (type != AE_IFDIR || hardlinkTarget)
            return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                                   QStringLiteral("cannot replace the layer root")));
        if (auto st = setOwner(m_root, std::string(), entry, entryPath); !st)
            return st;
        if (auto st = applyXattrs(m_root, nullptr, entry, entryPath); !st)
            return st;
        DirMeta &meta = m_dirs[std::string()];
        meta.mode = permissions(entry);
        entryTimes(entry, meta.times);
        return {};
    }

    const std::string &name = path.parts.back();
    const std::string_view nameView(name);
    const bool whiteout = nameView.starts_with(".wh.");
    if (whiteout) {
        const std::string_view deleted = nameView.substr(4);
        if (deleted.empty() || deleted == "." || deleted == "..")
            return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                                   QStringLiteral("invalid whiteout")));
    }
    // .wh..wh.<x> other than the opaque marker is AUFS bookkeeping (.wh..wh.plnk, .wh..wh.orph
    // and what they hold), meaningless outside AUFS; Docker skips it too.
    for (const std::string &part : path.parts) {
        if (std::string_view(part).starts_with(".wh..wh.") &&
            (part != ".wh..wh..opq" || &part != &path.parts.back())) {
            m_skipped.insert(path.joined());
            return {};
        }
    }

    auto parent = parentDir(path, entryPath);
    if (!parent)
        return fail(parent.error());
    const int dirFd = *parent;

    if (whiteout && m_options.overlayWhiteouts) {
        if (nameView == ".wh..wh..opq") {
            if (::fsetxattr(dirFd, Whiteout::overlayOpaqueXattr(), "y", 1, 0) != 0)
                return fail(entryErrno(entryPath, QStringLiteral("mark directory opaque"), errno));
            return {};
        }
        CleanPath deleted = path;
        deleted.parts.back() = name.substr(4);
        const std::string &target = deleted.parts.back();
        if (auto st = makeRoom(dirFd, deleted, entryPath); !st)
            return st;
        if (::mknodat(dirFd, target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
            return fail(entryErrno(entryPath, QStringLiteral("create whiteout"), errno));
        return setOwner(dirFd, target, entry, entryPath);
    }

    if (hardlinkTarget) {
        const std::string linkRaw(hardlinkTarget);
        auto linkPath = cleanPath(linkRaw);
        if (!linkPath)
            return fail(
                entryError(ErrorKind::InvalidArgument, entryPath,
                           QStringLiteral("hardlink target \"%1\" is outside the layer root")
                               .arg(entryName(linkRaw))));
        if (linkPath->parts.empty())
            return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                                   QStringLiteral("hardlink target \"%1\" is the layer root")
                                       .arg(entryName(linkRaw))));
        if (linkPath->parts == path.parts || m_skipped.contains(linkPath->joined()))
            return {};
        if (auto st = makeRoom(dirFd, path, entryPath); !st)
            return st;
        // The target's parents are walked like any entry's (no symlinks); linkat without
        // AT_SYMLINK_FOLLOW links a symlink itself, never what it points to. Resolving the
        // target can move the directory stack, so reopen the link's own parent afterwards.
        auto targetParent = parentDir(*linkPath, entryPath, MissingParents::Refuse);
        if (!targetParent && targetParent.error().kind == ErrorKind::NotFound)
            return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                                   QStringLiteral("hardlink target \"%1\" is not in the layer")
                                       .arg(entryName(linkRaw))));
        if (!targetParent)
            return fail(targetParent.error());
        Fd targetDir(::fcntl(*targetParent, F_DUPFD_CLOEXEC, 0));
        auto linkParent = parentDir(path, entryPath);
        if (!linkParent)
            return fail(linkParent.error());
        if (::linkat(targetDir.get(), linkPath->parts.back().c_str(), *linkParent, name.c_str(),
                     0) != 0) {
            const int err = errno;
            if (err == ENOENT)
                return fail(entryError(ErrorKind::InvalidArgument, entryPath,
                                       QStringLiteral("hardlink target \"%1\" is not in the layer")
                                           .arg(entryName(linkRaw))));
            return fail(entryErrno(
                entryPath, QStringLiteral("hardlink to \"%1\"").arg(entryName(linkRaw)), err));
        }
        return {};
    }

    struct timespec times[2];
    entryTimes(entry, times);

    switch (type) {
    case AE_IFDIR: {
        int r = ::mkdirat(dirFd, name.c_str(), 0700);
        if (r != 0 && errno == EEXIST) {
            struct stat st;
            if (::fstatat(dirFd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                S_ISDIR(st.st_mode))
                r = 0; // directory over directory: only the metadata changes
            else if (auto st2 = makeRoom(dirFd, path, entryPath); !st2)
                return st2;
            else
                r = ::mkdirat(dirFd, name.c_str(), 0700);
        }
        if (r != 0)
            return fail(entryErrno(entryPath, QStringLiteral("create directory"), errno));
        if (auto st = setOwner(dirFd, name, entry, entryPath); !st)
            return st;
        if (archive_entry_xattr_count(entry) > 0) {
            Fd fd(::openat(dirFd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (!fd.valid())
                return fail(entryErrno(entryPath, QStringLiteral("open directory"), errno));
            if (auto st = applyXattrs(fd.get(), nullptr, entry, entryPath); !st)
                return st;
        }
        DirMeta &meta = m_dirs[path.joined()];
        meta.mode = permissions(entry);
        meta.times[0] = times[0];
        meta.times[1] = times[1];
        return {};
    }
    case AE_IFREG:
        return writeFile(inner, dirFd, path, entry, entryPath);
    case AE_IFLNK: {
        const char *target = archive_entry_symlink(entry);
        if (!target)
            target = archive_entry_symlink_utf8(entry);
        if (!target)
            return fail(entryError(ErrorKind::Corrupt, entryPath,
                                   QStringLiteral("symlink without a target")));
        int r = ::symlinkat(target, dirFd, name.c_str());
        if (r != 0 && errno == EEXIST) {
            if (auto st = makeRoom(dirFd, path, entryPath); !st)
                return st;
            r = ::symlinkat(target, dirFd, name.c_str());
        }
        if (r != 0)
            return fail(entryErrno(entryPath, QStringLiteral("create symlink"), errno));
        if (auto st = setOwner(dirFd, name, entry, entryPath); !st)
            return st;
        if (archive_entry_xattr_count(entry) > 0) {
            // lsetxattr needs a path; this one goes through our own fd, not the archive's path.
            const QByteArray proc =
                "/proc/self/fd/" + QByteArray::number(dirFd) + '/' + name.c_str();
            if (auto st = applyXattrs(-1, proc.constData(), entry, entryPath); !st)
                return st;
        }
        if (::utimensat(dirFd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return fail(entryErrno(entryPath, QStringLiteral("set times"), errno));
        return {};
    }
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO: {
        if (!m_options.allowDevices) {
            m_skipped.insert(path.joined()); // as documented in unpacker.h
            return {};
        }
        if (type != AE_IFIFO && UserNamespace::insideUserNamespace()) {
            // A user namespace cannot make device nodes; the image still works without them
            // (the runtime provides /dev).
            qWarning("berth: rootless: skipped device node \"%s\" of a layer (a user namespace "
                     "cannot create devices)",
                     entryName(entryPath).toLocal8Bit().constData());
            m_skipped.insert(path.joined());
            return {};
        }
        if (auto st = makeRoom(dirFd, path, entryPath); !st)
            return st;
        const dev_t dev = type == AE_IFIFO ? 0 : archive_entry_rdev(entry);
        if (::mknodat(dirFd, name.c_str(), mode_t(type) | 0600, dev) != 0)
            return fail(entryErrno(entryPath, QStringLiteral("create device node"), errno));
        if (auto st = setOwner(dirFd, name, entry, entryPath); !st)
            return st;
        if (::fchmodat(dirFd, name.c_str(), permissions(entry), 0) != 0)
            return fail(entryErrno(entryPath, QStringLiteral("set mode"), errno));
        if (::utimensat(dirFd, name.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
            return fail(entryErrno(entryPath, QStringLiteral("set times"), errno));
        return {};
    }
    default:
        // Sockets and unknown types have no place in an image; tar skips them too.
        return {};
    }
}

Status Extractor::finish() {
    // Deepest first (a path sorts before its descendants), so a directory made read-only or
    // unsearchable never blocks fixing what lies below it.
    for (auto it = m_dirs.rbegin(); it != m_dirs.rend(); ++it) {
        const DirMeta &meta = it->second;
        if (it->first.empty()) {
            if (::fchmod(m_root, meta.mode) != 0 || ::futimens(m_root, meta.times) != 0)
                return failErrno(QStringLiteral("layer root: set mode and times"), errno);
            continue;
        }
        auto path = cleanPath(it->first);
        auto parent = parentDir(*path, it->first, MissingParents::Refuse);
        if (!parent && parent.error().kind == ErrorKind::NotFound)
            continue;
        if (!parent)
            return fail(parent.error());
        const char *name = path->parts.back().c_str();
        struct stat st;
        if (::fstatat(*parent, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (::fchmodat(*parent, name, meta.mode, 0) != 0)
            return fail(entryErrno(it->first, QStringLiteral("set mode"), errno));
        if (::utimensat(*parent, name, meta.times, AT_SYMLINK_NOFOLLOW) != 0)
            return fail(entryErrno(it->first, QStringLiteral("set times"), errno));
    }
    closeStack(0);
    return {};
}

Error corrupt(const QString &message) {
    return Error{ErrorKind::Corrupt, QStringLiteral("corrupt layer archive: ") + message};
}

} // namespace

namespace {

// The layer's bytes from a blob still being downloaded.
struct GrowingReader {
    GrowingBlob *blob = nullptr;
    const std::atomic<bool> *cancel = nullptr;
    std::vector<char> buffer = std::vector<char>(kReadBlockSize);

    static la_ssize_t read(struct archive *a, void *client, const void **out) {
        auto *self = static_cast<GrowingReader *>(client);
        const qint64 n =
            self->blob->read(self->buffer.data(), qint64(self->buffer.size()), self->cancel);
        if (n < 0) {
            archive_set_error(a, EIO, "%s", self->blob->error().toLocal8Bit().constData());
            return -1;
        }
        *out = self->buffer.data();
        return la_ssize_t(n);
    }
};

ArchivePtr newOuterArchive() {
    ArchivePtr outer(archive_read_new());
    archive_read_support_filter_all(outer.get());
    archive_read_support_format_raw(outer.get());
    archive_read_support_format_empty(outer.get());
    return outer;
}

Result<UnpackResult> unpackOpened(struct archive *outer, const QString &targetDir,
                                  const UnpackOptions &options);

} // namespace

Result<UnpackResult> unpackLayer(const QString &archivePath, const QString &targetDir,
                                 const UnpackOptions &options) {
    Fd file(::open(QFile::encodeName(archivePath).constData(), O_RDONLY | O_CLOEXEC));
    if (!file.valid())
        return failErrno(QStringLiteral("open layer %1").arg(archivePath), errno);
    ArchivePtr outer = newOuterArchive();
    if (archive_read_open_fd(outer.get(), file.get(), kReadBlockSize) != ARCHIVE_OK)
        return fail(corrupt(archiveMessage(outer.get())));
    return unpackOpened(outer.get(), targetDir, options);
}

Result<UnpackResult> unpackLayer(GrowingBlob &archive, const QString &targetDir,
                                 const UnpackOptions &options) {
    GrowingReader reader;
    reader.blob = &archive;
    reader.cancel = options.cancel;
    ArchivePtr outer = newOuterArchive();
    if (archive_read_open(outer.get(), &reader, nullptr, &GrowingReader::read, nullptr) !=
        ARCHIVE_OK)
        return fail(corrupt(archiveMessage(outer.get())));
    return unpackOpened(outer.get(), targetDir, options);
}

namespace {

Result<UnpackResult> unpackOpened(struct archive *outer, const QString &targetDir,
                                  const UnpackOptions &options) {
    Fd root(::open(QFile::encodeName(targetDir).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid())
        return failErrno(QStringLiteral("open %1").arg(targetDir), errno);

    Source source;
    source.cancel = options.cancel;
    source.outer = outer;
    {
        struct archive_entry *rawEntry = nullptr;
        const int r = archive_read_next_header(outer, &rawEntry);
        if (r < ARCHIVE_WARN)
            return fail(corrupt(archiveMessage(outer)));
        source.started = r != ARCHIVE_EOF; // EOF: an empty file, an empty layer
    }

    ArchivePtr inner(archive_read_new());
    archive_read_support_format_tar(inner.get());
    archive_read_support_format_empty(inner.get());
    auto failed = [&](struct archive *a, const std::string *entryPath) -> Error {
        if (source.cancelled)
            return Error{ErrorKind::Cancelled, QStringLiteral("layer unpacking cancelled")};
        const Error e = corrupt(source.error.isEmpty() ? archiveMessage(a) : source.error);
        return entryPath ? entryError(e.kind, *entryPath, e.message) : e;
    };
    if (archive_read_open(inner.get(), &source, nullptr, &Source::readCallback, nullptr) !=
        ARCHIVE_OK)
        return fail(failed(inner.get(), nullptr));

    Extractor extractor(root.get(), options);
    UnpackResult result;
    for (;;) {
        if (options.cancel && options.cancel->load(std::memory_order_relaxed))
            return fail(ErrorKind::Cancelled, QStringLiteral("layer unpacking cancelled"));
        struct archive_entry *entry = nullptr;
        const int r = archive_read_next_header(inner.get(), &entry);
        if (r == ARCHIVE_EOF)
            break;
        if (r < ARCHIVE_WARN)
            return fail(failed(inner.get(), nullptr));
        ++result.entries;
        if (auto st = extractor.extract(inner.get(), entry); !st) {
            if (source.cancelled)
                return fail(ErrorKind::Cancelled, QStringLiteral("layer unpacking cancelled"));
            if (!source.error.isEmpty()) {
                const char *p = archive_entry_pathname(entry);
                const std::string path(p ? p : "");
                return fail(failed(inner.get(), &path));
            }
            return fail(st.error());
        }
    }
    // The tar ended; the stream may not have (zero padding to a record size). The diffID covers
    // every byte of it.
    for (;;) {
        const void *buffer = nullptr;
        const la_ssize_t n = source.next(&buffer);
        if (n == 0)
            break;
        if (n < 0)
            return fail(failed(inner.get(), nullptr));
    }
    if (auto st = extractor.finish(); !st)
        return fail(st.error());
    // One flush per layer instead of one per file: the snapshot becomes visible by a rename
    // afterwards, which must not overtake the data.
    if (::syncfs(root.get()) != 0)
        return failErrno(QStringLiteral("sync %1").arg(targetDir), errno);
    result.uncompressedSize = source.total;
    result.diffId = source.sha.finish();
    return result;
}

} // namespace

} // namespace Berth::Engine
