// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/treecompare.h"

#include "engine/core/fileutil.h"
#include "engine/snapshots/whiteouts.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace Berth::Test {

namespace {

char typeOf(mode_t m) {
    if (S_ISREG(m))
        return 'f';
    if (S_ISDIR(m))
        return 'd';
    if (S_ISLNK(m))
        return 'l';
    if (S_ISCHR(m))
        return 'c';
    if (S_ISBLK(m))
        return 'b';
    if (S_ISFIFO(m))
        return 'p';
    return 's';
}

QStringList children(const QString &dir) {
    QStringList out;
    DIR *d = ::opendir(QFile::encodeName(dir).constData());
    if (!d)
        return out;
    while (struct dirent *e = ::readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
            continue;
        out.append(QFile::decodeName(e->d_name));
    }
    ::closedir(d);
    out.sort();
    return out;
}

QString readLink(const QString &path) {
    char buf[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buf, sizeof buf);
    return n < 0 ? QString() : QFile::decodeName(QByteArray(buf, n));
}

void scan(const QString &root, const QString &rel, QMap<QString, TreeEntry> &out) {
    const QString dir = rel.isEmpty() ? root : root + QLatin1Char('/') + rel;
    for (const QString &name : children(dir)) {
        const QString relPath = rel.isEmpty() ? name : rel + QLatin1Char('/') + name;
        const QString path = root + QLatin1Char('/') + relPath;
        struct stat st;
        if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
            continue;
        TreeEntry e;
        e.type = typeOf(st.st_mode);
        e.mode = st.st_mode & 07777;
        e.uid = st.st_uid;
        e.gid = st.st_gid;
        if (e.type == 'f') {
            e.size = st.st_size;
            QFile f(path);
            if (f.open(QIODevice::ReadOnly)) {
                QCryptographicHash h(QCryptographicHash::Sha256);
                h.addData(&f);
                e.sha256 = h.result().toHex();
            }
        } else if (e.type == 'l') {
            e.target = readLink(path);
            e.mode = 0777; // symlink modes mean nothing on Linux
        } else if (e.type == 'c' || e.type == 'b') {
            e.rdev = unsigned(st.st_rdev);
        }
        out.insert(relPath, e);
        if (e.type == 'd')
            scan(root, relPath, out);
    }
}

QString errnoText(const QString &what) {
    return what + QStringLiteral(": ") + QString::fromLocal8Bit(strerror(errno));
}

// Removes whatever is at `path` (file or tree).
void removeAny(const QString &path) {
    struct stat st;
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0)
        return;
    if (S_ISDIR(st.st_mode))
        Engine::removeTree(path);
    else
        ::unlink(QFile::encodeName(path).constData());
}

QString copyEntry(const QString &src, const QString &dst, const struct stat &st) {
    const QByteArray s = QFile::encodeName(src);
    const QByteArray d = QFile::encodeName(dst);
    const bool root = ::geteuid() == 0;
    if (S_ISREG(st.st_mode)) {
        removeAny(dst);
        QFile in(src);
        QFile out(dst);
        if (!in.open(QIODevice::ReadOnly) || !out.open(QIODevice::WriteOnly))
            return QStringLiteral("copy %1").arg(src);
        while (!in.atEnd())
            out.write(in.read(1 << 20));
        out.close();
    } else if (S_ISLNK(st.st_mode)) {
        removeAny(dst);
        if (::symlink(QFile::encodeName(readLink(src)).constData(), d.constData()) != 0)
            return errnoText(QStringLiteral("symlink ") + dst);
        if (root)
            ::lchown(d.constData(), st.st_uid, st.st_gid);
        return {};
    } else if (S_ISDIR(st.st_mode)) {
        struct stat existing;
        if (::lstat(d.constData(), &existing) == 0 && !S_ISDIR(existing.st_mode))
            removeAny(dst);
        if (::mkdir(d.constData(), 0700) != 0 && errno != EEXIST)
            return errnoText(QStringLiteral("mkdir ") + dst);
    } else {
        removeAny(dst);
        if (::mknod(d.constData(), st.st_mode, st.st_rdev) != 0)
            return errnoText(QStringLiteral("mknod ") + dst);
    }
    if (root)
        ::lchown(d.constData(), st.st_uid, st.st_gid);
    ::chmod(d.constData(), st.st_mode & 07777);
    return {};
}

QString merge(const QString &layer, const QString &target, const QString &rel) {
    const QString srcDir = rel.isEmpty() ? layer : layer + QLatin1Char('/') + rel;
    const QString dstDir = rel.isEmpty() ? target : target + QLatin1Char('/') + rel;
    for (const QString &name : children(srcDir)) {
        if (Engine::Whiteout::isOpaqueMarker(name))
            continue;
        const QString src = srcDir + QLatin1Char('/') + name;
        struct stat st;
        if (::lstat(QFile::encodeName(src).constData(), &st) != 0)
            return errnoText(QStringLiteral("lstat ") + src);
        const QString deleted = Engine::Whiteout::deletedName(name, st);
        if (!deleted.isEmpty()) {
            removeAny(dstDir + QLatin1Char('/') + deleted);
            continue;
        }
        const QString dst = dstDir + QLatin1Char('/') + name;
        if (S_ISDIR(st.st_mode) && Engine::Whiteout::isOpaqueDirectory(src))
            removeAny(dst); // hides everything the lower layers had in it
        if (QString e = copyEntry(src, dst, st); !e.isEmpty())
            return e;
        if (S_ISDIR(st.st_mode)) {
            // Write permission is needed while filling the directory; restore it after.
            ::chmod(QFile::encodeName(dst).constData(), 0700);
            if (QString e =
                    merge(layer, target, rel.isEmpty() ? name : rel + QLatin1Char('/') + name);
                !e.isEmpty())
                return e;
            ::chmod(QFile::encodeName(dst).constData(), st.st_mode & 07777);
        }
    }
    return {};
}

} // namespace

QString TreeEntry::describe() const {
    QString s = QStringLiteral("%1 %2 %3:%4")
                    .arg(QChar::fromLatin1(type))
                    .arg(mode, 4, 8, QLatin1Char('0'))
                    .arg(uid)
                    .arg(gid);
    if (type == 'f')
        s += QStringLiteral(" size %1 sha256 %2")
                 .arg(size)
                 .arg(QString::fromLatin1(sha256.left(12)));
    if (type == 'l')
        s += QStringLiteral(" -> ") + target;
    if (type == 'c' || type == 'b')
        s += QStringLiteral(" %1:%2").arg(major(rdev)).arg(minor(rdev));
    return s;
}

QMap<QString, TreeEntry> scanTree(const QString &root) {
    QMap<QString, TreeEntry> out;
    scan(root, QString(), out);
    return out;
}

QStringList compareTrees(const QString &a, const QString &b, int limit) {
    const QMap<QString, TreeEntry> ta = scanTree(a);
    const QMap<QString, TreeEntry> tb = scanTree(b);
    QStringList diffs;
    for (auto it = ta.begin(); it != ta.end() && diffs.size() < limit; ++it) {
        auto other = tb.constFind(it.key());
        if (other == tb.constEnd())
            diffs.append(QStringLiteral("only in %1: %2 (%3)").arg(a, it.key(), it->describe()));
        else if (!(*other == *it))
            diffs.append(
                QStringLiteral("%1: %2 vs %3").arg(it.key(), it->describe(), other->describe()));
    }
    for (auto it = tb.begin(); it != tb.end() && diffs.size() < limit; ++it)
        if (!ta.contains(it.key()))
            diffs.append(QStringLiteral("only in %1: %2 (%3)").arg(b, it.key(), it->describe()));
    return diffs;
}

QString mergeLayers(const QStringList &layerDirs, const QString &target) {
    if (!QDir().mkpath(target))
        return QStringLiteral("cannot create %1").arg(target);
    for (const QString &layer : layerDirs)
        if (QString e = merge(layer, target, QString()); !e.isEmpty())
            return e;
    return {};
}

} // namespace Berth::Test
