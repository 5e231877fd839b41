// SPDX-License-Identifier: GPL-3.0-or-later
// Layer extraction: faithful for real layers, and nothing written outside the target directory
// for hostile ones.
#include "engine/core/fileutil.h"
#include "engine/snapshots/unpacker.h"
#include "engine/snapshots/whiteouts.h"
#include "tests/support/layerbuilder.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

using namespace Berth::Engine;
using Berth::Test::LayerBuilder;
using Compression = Berth::Test::LayerBuilder::Compression;

Q_DECLARE_METATYPE(ErrorKind)

namespace {

constexpr qint64 kMtime = 1704067200; // LayerBuilder's fixed mtime

// A parent directory holding only the target directory, so anything written beside the target
// (an escape) shows up as an extra entry.
struct Sandbox {
    QTemporaryDir parent{Berth::Test::scratchBase() + QStringLiteral("/berth-unpack-XXXXXX")};
    QString root;
    Sandbox() {
        root = parent.path() + QStringLiteral("/root");
        QDir().mkpath(root);
    }
    // Layers may hold read-only directories, which QTemporaryDir cannot remove without root.
    ~Sandbox() { removeTree(parent.path()); }
    QString path(const QString &rel) const { return root + QLatin1Char('/') + rel; }
    bool onlyTarget() const {
        return QDir(parent.path())
                   .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                              QDir::System) == QStringList{QStringLiteral("root")};
    }
    QStringList rootEntries() const {
        return QDir(root).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                                    QDir::System);
    }
};

bool lstatOf(const QString &path, struct stat &st) {
    return ::lstat(QFile::encodeName(path).constData(), &st) == 0;
}

QByteArray readAll(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QByteArray xattrOf(const QString &path, const char *name) {
    char buf[256];
    const ssize_t n = ::lgetxattr(QFile::encodeName(path).constData(), name, buf, sizeof buf);
    return n < 0 ? QByteArray() : QByteArray(buf, n);
}

// Content that does not compress, so a truncated compressed stream ends inside it.
QByteArray noise(qsizetype size) {
    QByteArray out(size, Qt::Uninitialized);
    quint32 x = 2463534242u;
    for (qsizetype i = 0; i < size; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = char(x & 0xff);
    }
    return out;
}

UnpackOptions userOptions() {
    UnpackOptions o;
    o.overlayWhiteouts = false;
    o.allowDevices = false;
    o.preserveOwnership = false;
    return o;
}

} // namespace

class TestUnpacker : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void regularTree();
    void ownershipAsRoot();
    void withoutOwnership();
    void diffIdMatchesDecompressedStream_data();
    void diffIdMatchesDecompressedStream();
    void trailingPaddingIsHashed();
    void bigFile();
    void overlayWhiteouts();
    void ociWhiteouts();
    void laterEntriesReplaceEarlier();
    void absolutePathsLandInside();
    void dotDotInsideIsCleaned();
    void nonAsciiNames();
    void hostile_data();
    void hostile();
    void devicesSkippedByDefault();
    void devicesWhenAllowed();
    void emptyArchives();
    void cancelled();
    void missingArchive();

private:
    Result<UnpackResult> unpack(const QByteArray &layer, const Sandbox &box,
                                const UnpackOptions &options = userOptions());
    QString writeLayer(const QByteArray &layer);

    QTemporaryDir m_layers{Berth::Test::scratchBase() + QStringLiteral("/berth-layers-XXXXXX")};
    QTemporaryDir m_outside{Berth::Test::scratchBase() + QStringLiteral("/berth-outside-XXXXXX")};
    int m_counter = 0;
};

void TestUnpacker::initTestCase() {
    QVERIFY(m_layers.isValid());
    QVERIFY(m_outside.isValid());
}

QString TestUnpacker::writeLayer(const QByteArray &layer) {
    const QString path = m_layers.path() + QStringLiteral("/layer-%1").arg(++m_counter);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(layer) != layer.size())
        qFatal("cannot write test layer");
    return path;
}

Result<UnpackResult> TestUnpacker::unpack(const QByteArray &layer, const Sandbox &box,
                                          const UnpackOptions &options) {
    return unpackLayer(writeLayer(layer), box.root, options);
}

void TestUnpacker::regularTree() {
    LayerBuilder b;
    b.dir("etc", 0755)
        .file("etc/hosts", "127.0.0.1 localhost\n", 0644)
        .xattr("user.berth.test", "hello")
        .symlink("etc/abs", "/etc/hosts")
        .symlink("etc/rel", "../nowhere/at/all")
        .hardlink("etc/hosts.hard", "etc/hosts")
        .file("usr/bin/tool", "#!/bin/sh\n", 0755)
        .dir("ro", 0555)
        .file("ro/inside", "x", 0444)
        .dir("private", 0700);
    Sandbox box;
    auto r = unpack(b.build(Compression::Gzip), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->entries, qint64(9));
    QVERIFY(box.onlyTarget());

    QCOMPARE(readAll(box.path("etc/hosts")), QByteArray("127.0.0.1 localhost\n"));
    QCOMPARE(xattrOf(box.path("etc/hosts"), "user.berth.test"), QByteArray("hello"));
    QCOMPARE(QFileInfo(box.path("etc/abs")).symLinkTarget().isEmpty(), false);
    struct stat st, st2;
    QVERIFY(lstatOf(box.path("etc/abs"), st));
    QVERIFY(S_ISLNK(st.st_mode));
    char link[256] = {};
    QCOMPARE(::readlink(QFile::encodeName(box.path("etc/abs")).constData(), link, sizeof link - 1),
             ssize_t(10));
    QCOMPARE(QByteArray(link), QByteArray("/etc/hosts")); // verbatim, never resolved
    QCOMPARE(::readlink(QFile::encodeName(box.path("etc/rel")).constData(), link, sizeof link - 1),
             ssize_t(17));
    QVERIFY(lstatOf(box.path("etc/hosts"), st));
    QVERIFY(lstatOf(box.path("etc/hosts.hard"), st2));
    QCOMPARE(st.st_ino, st2.st_ino);
    QCOMPARE(st.st_nlink, nlink_t(2));
    QCOMPARE(st.st_mode & 07777, mode_t(0644));
    QCOMPARE(st.st_mtim.tv_sec, kMtime);
    QVERIFY(lstatOf(box.path("usr/bin/tool"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(0755));
    // Implicit parents exist as directories.
    QVERIFY(lstatOf(box.path("usr/bin"), st));
    QVERIFY(S_ISDIR(st.st_mode));
    // Read-only directories were filled, then made read-only; their mtime survives children.
    QVERIFY(lstatOf(box.path("ro"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(0555));
    QCOMPARE(st.st_mtim.tv_sec, kMtime);
    QCOMPARE(readAll(box.path("ro/inside")), QByteArray("x"));
    QVERIFY(lstatOf(box.path("etc"), st));
    QCOMPARE(st.st_mtim.tv_sec, kMtime);
    QCOMPARE(st.st_mode & 07777, mode_t(0755));
    QVERIFY(lstatOf(box.path("private"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(0700));
    QVERIFY(lstatOf(box.path("etc/abs"), st));
    QCOMPARE(st.st_mtim.tv_sec, kMtime);
}

void TestUnpacker::ownershipAsRoot() {
    BERTH_REQUIRE_ROOT();
    LayerBuilder b;
    b.dir("home/user", 0750, 1000, 1001)
        .file("home/user/file", "data", 0640, 1000, 1001)
        .file("bin/su", "elf", 04755, 0, 0)
        .file("bin/sg", "elf", 02755, 0, 50)
        .xattr("trusted.berth", "t")
        .dir("tmp", 01777)
        .symlink("home/user/link", "file");
    Sandbox box;
    UnpackOptions o = UnpackOptions::forCurrentUser();
    auto r = unpack(b.build(Compression::Zstd), box, o);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    struct stat st;
    QVERIFY(lstatOf(box.path("home/user"), st));
    QCOMPARE(st.st_uid, uid_t(1000));
    QCOMPARE(st.st_gid, gid_t(1001));
    QCOMPARE(st.st_mode & 07777, mode_t(0750));
    QVERIFY(lstatOf(box.path("home/user/file"), st));
    QCOMPARE(st.st_uid, uid_t(1000));
    QCOMPARE(st.st_gid, gid_t(1001));
    QCOMPARE(st.st_mode & 07777, mode_t(0640));
    QVERIFY(lstatOf(box.path("bin/su"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(04755));
    QVERIFY(lstatOf(box.path("bin/sg"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(02755));
    QCOMPARE(st.st_gid, gid_t(50));
    QCOMPARE(xattrOf(box.path("bin/sg"), "trusted.berth"), QByteArray("t"));
    QVERIFY(lstatOf(box.path("tmp"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(01777));
    QVERIFY(lstatOf(box.path("home/user/link"), st));
    QVERIFY(S_ISLNK(st.st_mode));
    QCOMPARE(st.st_uid, uid_t(0));
}

void TestUnpacker::withoutOwnership() {
    LayerBuilder b;
    b.file("bin/su", "elf", 04755, 1234, 1234).xattr("trusted.overlay.redirect", "/etc");
    Sandbox box;
    auto r = unpack(b.build(), box, userOptions());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    struct stat st;
    QVERIFY(lstatOf(box.path("bin/su"), st));
    QCOMPARE(st.st_mode & 07777, mode_t(0755)); // no setuid without preserveOwnership
    QCOMPARE(st.st_uid, ::geteuid());
    // Overlay's own attributes never come from an archive.
    QVERIFY(xattrOf(box.path("bin/su"), "trusted.overlay.redirect").isEmpty());
}

void TestUnpacker::diffIdMatchesDecompressedStream_data() {
    QTest::addColumn<Compression>("compression");
    QTest::addColumn<QString>("tool");
    QTest::newRow("none") << Compression::None << QString();
    QTest::newRow("gzip") << Compression::Gzip << "gzip";
    QTest::newRow("zstd") << Compression::Zstd << "zstd";
}

void TestUnpacker::diffIdMatchesDecompressedStream() {
    QFETCH(Compression, compression);
    QFETCH(QString, tool);
    LayerBuilder b;
    b.dir("a").file("a/one", noise(300000)).file("a/two", QByteArray(70000, 'z')).symlink("b", "a");
    const QString path = writeLayer(b.build(compression));
    QByteArray plain = readAll(path);
    if (!tool.isEmpty()) {
        BERTH_REQUIRE(!Berth::Test::findTool(tool).isEmpty(), tool + QStringLiteral(" missing"));
        auto p = Berth::Test::run(Berth::Test::findTool(tool), {"-dc", path});
        QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));
        plain = p.out;
        QVERIFY(plain != readAll(path));
    }
    Sandbox box;
    auto r = unpackLayer(path, box.root, userOptions());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->diffId, Digest::ofData(plain));
    QCOMPARE(r->uncompressedSize, qint64(plain.size()));
    QCOMPARE(r->entries, qint64(4));
    QCOMPARE(readAll(box.path("a/one")), noise(300000));
}

void TestUnpacker::trailingPaddingIsHashed() {
    BERTH_REQUIRE_TOOL("gzip");
    LayerBuilder b;
    b.file("f", "content");
    // Like GNU tar's records: zero blocks well past the end-of-archive marker.
    const QByteArray plain = b.build() + QByteArray(9216, '\0');
    const QString path = writeLayer(plain);
    auto p = Berth::Test::run(Berth::Test::findTool(QStringLiteral("gzip")), {"-c", path});
    QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));
    Sandbox box;
    auto r = unpack(p.out, box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->diffId, Digest::ofData(plain));
    QCOMPARE(r->uncompressedSize, qint64(plain.size()));
    Sandbox box2;
    auto r2 = unpack(plain, box2);
    QVERIFY2(r2, qPrintable(r2 ? QString() : r2.error().message));
    QCOMPARE(r2->diffId, Digest::ofData(plain));
}

void TestUnpacker::bigFile() {
    const QByteArray big = noise(9 * 1024 * 1024 + 123);
    LayerBuilder b;
    b.file("big", big).file("after", "tail");
    Sandbox box;
    auto r = unpack(b.build(Compression::Zstd), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(readAll(box.path("big")), big);
    QCOMPARE(readAll(box.path("after")), QByteArray("tail"));
}

void TestUnpacker::overlayWhiteouts() {
    BERTH_REQUIRE_ROOT();
    LayerBuilder b;
    b.dir("a").file("a/keep", "k").whiteout("a/gone").opaque("a").whiteout("top");
    Sandbox box;
    UnpackOptions o = UnpackOptions::forCurrentUser();
    o.overlayWhiteouts = true;
    auto r = unpack(b.build(), box, o);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    struct stat st;
    QVERIFY(lstatOf(box.path("a/gone"), st));
    QVERIFY(S_ISCHR(st.st_mode));
    QCOMPARE(st.st_rdev, makedev(0, 0));
    QCOMPARE(Whiteout::deletedName(QStringLiteral("gone"), st), QStringLiteral("gone"));
    QVERIFY(lstatOf(box.path("top"), st));
    QVERIFY(S_ISCHR(st.st_mode));
    QCOMPARE(xattrOf(box.path("a"), Whiteout::overlayOpaqueXattr()), QByteArray("y"));
    QVERIFY(Whiteout::isOpaqueDirectory(box.path("a")));
    QCOMPARE(QDir(box.path("a"))
                 .entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System),
             QStringList({"gone", "keep"}));
}

void TestUnpacker::ociWhiteouts() {
    LayerBuilder b;
    b.dir("a").file("a/keep", "k").whiteout("a/gone").opaque("a");
    // AUFS bookkeeping from old Docker layers is dropped.
    b.dir(".wh..wh.plnk").file(".wh..wh.plnk/1.2", "x").hardlink("aufs-link", ".wh..wh.plnk/1.2");
    Sandbox box;
    auto r = unpack(b.build(), box, userOptions());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    struct stat st;
    QVERIFY(lstatOf(box.path("a/.wh.gone"), st));
    QVERIFY(S_ISREG(st.st_mode));
    QCOMPARE(st.st_size, off_t(0));
    QCOMPARE(Whiteout::deletedName(QStringLiteral(".wh.gone"), st), QStringLiteral("gone"));
    QVERIFY(lstatOf(box.path("a/.wh..wh..opq"), st));
    QVERIFY(Whiteout::isOpaqueDirectory(box.path("a")));
    QVERIFY(!QFileInfo::exists(box.path("a/gone")));
    QCOMPARE(box.rootEntries(), QStringList{"a"});
}

void TestUnpacker::laterEntriesReplaceEarlier() {
    LayerBuilder b;
    b.file("x", "one")
        .file("x", "two")
        .dir("d")
        .file("d/f", "f")
        .dir("d/sub", 0555)
        .file("d", "now a file")
        .dir("e", 0700)
        .file("e/child", "c")
        .dir("e", 0751)
        .symlink("s", "/etc")
        .file("s", "plain")
        .file("h", "old")
        .hardlink("h2", "h")
        .file("h", "new")
        .file("to-dir", "file")
        .dir("to-dir")
        .file("to-dir/inner", "i");
    Sandbox box;
    auto r = unpack(b.build(), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(readAll(box.path("x")), QByteArray("two"));
    QCOMPARE(readAll(box.path("d")), QByteArray("now a file"));
    struct stat st;
    QVERIFY(lstatOf(box.path("e"), st));
    QVERIFY(S_ISDIR(st.st_mode));
    QCOMPARE(st.st_mode & 07777, mode_t(0751));
    QCOMPARE(readAll(box.path("e/child")), QByteArray("c"));
    QVERIFY(lstatOf(box.path("s"), st));
    QVERIFY(S_ISREG(st.st_mode));
    QCOMPARE(readAll(box.path("s")), QByteArray("plain"));
    // Replacing unlinks: the other name keeps the old inode.
    QCOMPARE(readAll(box.path("h")), QByteArray("new"));
    QCOMPARE(readAll(box.path("h2")), QByteArray("old"));
    QCOMPARE(readAll(box.path("to-dir/inner")), QByteArray("i"));
    QVERIFY(box.onlyTarget());
}

void TestUnpacker::absolutePathsLandInside() {
    // Like Docker and tar: a leading "/" is stripped; the entry lands inside the root.
    const QString name = QStringLiteral("berth-unpacker-abs-%1").arg(::getpid());
    LayerBuilder b;
    b.file("/etc/" + name, "inside").file("./etc/dot", "dot").dir("/");
    Sandbox box;
    auto r = unpack(b.build(), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QVERIFY(!QFileInfo::exists("/etc/" + name));
    QCOMPARE(readAll(box.path("etc/" + name)), QByteArray("inside"));
    QCOMPARE(readAll(box.path("etc/dot")), QByteArray("dot"));
    QVERIFY(box.onlyTarget());
}

void TestUnpacker::dotDotInsideIsCleaned() {
    // ".." that stays inside is resolved lexically (never by the kernel), like Docker does.
    LayerBuilder b;
    b.dir("a").file("a/../b", "b").file("a/./c/../d", "d");
    Sandbox box;
    auto r = unpack(b.build(), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(readAll(box.path("b")), QByteArray("b"));
    QCOMPARE(readAll(box.path("a/d")), QByteArray("d"));
    QVERIFY(box.onlyTarget());
}

void TestUnpacker::nonAsciiNames() {
    // Pax headers carry UTF-8 names; they must land byte for byte whatever the locale.
    const QString dir = QString::fromUtf8("caf\xc3\xa9");
    const QString file = QString::fromUtf8("\xed\x95\x9c\xea\xb8\x80.txt");
    LayerBuilder b;
    b.file(dir + "/" + file, "k").symlink("link", dir + "/" + file);
    Sandbox box;
    auto r = unpack(b.build(), box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(readAll(box.path(dir + "/" + file)), QByteArray("k"));
    QCOMPARE(QFileInfo(box.path("link")).symLinkTarget(), box.path(dir + "/" + file));
}

void TestUnpacker::hostile_data() {
    QTest::addColumn<QByteArray>("layer");
    QTest::addColumn<ErrorKind>("kind");
    QTest::addColumn<QString>("message");
    const QString outside = m_outside.path();
    using LB = LayerBuilder;

    QTest::newRow("dotdot") << LB().file("../x", "x").build() << ErrorKind::InvalidArgument
                            << "layer entry \"../x\": path escapes the layer root";
    QTest::newRow("dotdot deep") << LB().file("a/../../x", "x").build()
                                 << ErrorKind::InvalidArgument
                                 << "layer entry \"a/../../x\": path escapes the layer root";
    QTest::newRow("dotdot absolute") << LB().file("/../x", "x").build()
                                     << ErrorKind::InvalidArgument << "path escapes the layer root";
    QTest::newRow("dotdot dir") << LB().dir("..").build() << ErrorKind::InvalidArgument
                                << "path escapes the layer root";
    QTest::newRow("symlink out, write through")
        << LB().symlink("evil", outside).file("evil/pwned", "pwned").build(Compression::Gzip)
        << ErrorKind::InvalidArgument << "layer entry \"evil/pwned\": parent \"evil\" is a symlink";
    QTest::newRow("symlink up, write through")
        << LB().symlink("up", "../../..").file("up/x", "x").build() << ErrorKind::InvalidArgument
        << "parent \"up\" is a symlink";
    QTest::newRow("symlink up, mkdir through")
        << LB().dir("d").symlink("d/up", "../..").dir("d/up/newdir").build()
        << ErrorKind::InvalidArgument << "parent \"d/up\" is a symlink";
    QTest::newRow("nested symlink dir")
        << LB().symlink("a", outside).file("a/b/c", "x").build() << ErrorKind::InvalidArgument
        << "parent \"a\" is a symlink";
    QTest::newRow("write through file")
        << LB().file("f", "x").file("f/x", "x").build() << ErrorKind::InvalidArgument
        << "parent \"f\" is not a directory";
    QTest::newRow("hardlink absolute")
        << LB().hardlink("passwd", "/etc/passwd").build() << ErrorKind::InvalidArgument
        << "layer entry \"passwd\": hardlink target \"/etc/passwd\" is not in the layer";
    QTest::newRow("hardlink dotdot")
        << LB().hardlink("h", "../outside").build() << ErrorKind::InvalidArgument
        << "layer entry \"h\": hardlink target \"../outside\" is outside the layer root";
    QTest::newRow("hardlink through symlink")
        << LB().symlink("evil", outside).hardlink("h", "evil/secret").build()
        << ErrorKind::InvalidArgument << "parent \"evil\" is a symlink";
    QTest::newRow("hardlink to root")
        << LB().hardlink("h", "/").build() << ErrorKind::InvalidArgument
        << "hardlink target \"/\" is the layer root";
    QTest::newRow("whiteout dot") << LB().file(".wh..", "").build() << ErrorKind::InvalidArgument
                                  << "layer entry \".wh..\": invalid whiteout";
    QTest::newRow("whiteout dotdot")
        << LB().file("a/.wh...", "").build() << ErrorKind::InvalidArgument
        << "layer entry \"a/.wh...\": invalid whiteout";
    QTest::newRow("whiteout empty")
        << LB().file(".wh.", "").build() << ErrorKind::InvalidArgument << "invalid whiteout";
    QTest::newRow("replace root") << LB().file("./", "x").build() << ErrorKind::InvalidArgument
                                  << "cannot replace the layer root";

    const QByteArray gz = LB().file("f", noise(200000)).build(Compression::Gzip);
    QTest::newRow("truncated gzip")
        << gz.left(gz.size() / 2) << ErrorKind::Corrupt << "corrupt layer archive";
    const QByteArray zst = LB().file("f", noise(200000)).build(Compression::Zstd);
    QTest::newRow("truncated zstd")
        << zst.left(zst.size() / 2) << ErrorKind::Corrupt << "corrupt layer archive";
    const QByteArray tar = LB().file("f", noise(200000)).build();
    QTest::newRow("truncated tar")
        << tar.left(100000) << ErrorKind::Corrupt << "corrupt layer archive";
    QTest::newRow("truncated header")
        << tar.left(300) << ErrorKind::Corrupt << "corrupt layer archive";
    QTest::newRow("garbage") << QByteArray("this is not a tar archive\n").repeated(200)
                             << ErrorKind::Corrupt << "corrupt layer archive";
    QTest::newRow("gzip of garbage") << QByteArray::fromHex("1f8b0800000000000003") + noise(3000)
                                     << ErrorKind::Corrupt << "corrupt layer archive";
}

void TestUnpacker::hostile() {
    QFETCH(QByteArray, layer);
    QFETCH(ErrorKind, kind);
    QFETCH(QString, message);
    Sandbox box;
    UnpackOptions o = UnpackOptions::forCurrentUser();
    auto r = unpack(layer, box, o);
    QVERIFY2(!r, "a hostile layer was accepted");
    QVERIFY2(r.error().message.contains(message), qPrintable(r.error().message));
    QVERIFY2(r.error().kind == kind, qPrintable(errorKindName(r.error().kind)));
    QVERIFY(box.onlyTarget());
    QVERIFY(QDir(m_outside.path())
                .isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System));
    QVERIFY(QFileInfo(QStringLiteral("/etc/passwd")).isFile());
    struct stat st;
    QVERIFY(lstatOf(QStringLiteral("/etc/passwd"), st));
    QCOMPARE(st.st_nlink, nlink_t(1));
}

void TestUnpacker::devicesSkippedByDefault() {
    // Without allowDevices, device nodes and FIFOs are skipped (not an error): a rootless
    // unpack of an image such as debian (which ships /dev entries in some layers) still works.
    LayerBuilder b;
    b.charDevice("dev/null", 1, 3)
        .charDevice("dev/mem", 1, 1)
        .fifo("run/fifo")
        .hardlink("dev/null-link", "dev/null")
        .file("ok", "ok");
    Sandbox box;
    auto r = unpack(b.build(), box, userOptions());
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QVERIFY(!QFileInfo::exists(box.path("dev/null")));
    QVERIFY(!QFileInfo::exists(box.path("dev/mem")));
    QVERIFY(!QFileInfo::exists(box.path("run/fifo")));
    QCOMPARE(readAll(box.path("ok")), QByteArray("ok"));
    QVERIFY(!QFileInfo::exists(box.path("dev/null-link")));
    QCOMPARE(r->entries, qint64(5));
}

void TestUnpacker::devicesWhenAllowed() {
    BERTH_REQUIRE_ROOT();
    LayerBuilder b;
    b.charDevice("dev/null", 1, 3).fifo("run/fifo");
    Sandbox box;
    UnpackOptions o = UnpackOptions::forCurrentUser();
    o.allowDevices = true;
    auto r = unpack(b.build(), box, o);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    struct stat st;
    QVERIFY(lstatOf(box.path("dev/null"), st));
    QVERIFY(S_ISCHR(st.st_mode));
    QCOMPARE(st.st_rdev, makedev(1, 3));
    QCOMPARE(st.st_mode & 07777, mode_t(0666));
    QVERIFY(lstatOf(box.path("run/fifo"), st));
    QVERIFY(S_ISFIFO(st.st_mode));
}

void TestUnpacker::emptyArchives() {
    // A tar with nothing but its end marker: Docker's well-known empty layer.
    const QByteArray empty = LayerBuilder().build();
    Sandbox box;
    auto r = unpack(empty, box);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
    QCOMPARE(r->entries, qint64(0));
    QCOMPARE(r->diffId, Digest::ofData(empty));
    QVERIFY(box.rootEntries().isEmpty());
    Sandbox box2;
    auto gz = unpack(LayerBuilder().build(Compression::Gzip), box2);
    QVERIFY2(gz, qPrintable(gz ? QString() : gz.error().message));
    QCOMPARE(gz->diffId, Digest::ofData(empty));
    // A zero-byte file is accepted as an empty layer too (as tar accepts /dev/null).
    Sandbox box3;
    auto zero = unpack(QByteArray(), box3);
    QVERIFY2(zero, qPrintable(zero ? QString() : zero.error().message));
    QCOMPARE(zero->entries, qint64(0));
    QCOMPARE(zero->uncompressedSize, qint64(0));
    QCOMPARE(zero->diffId, Digest::ofData(QByteArray()));
}

void TestUnpacker::cancelled() {
    std::atomic<bool> cancel{true};
    UnpackOptions o = userOptions();
    o.cancel = &cancel;
    Sandbox box;
    auto r = unpack(LayerBuilder().file("a", "a").build(Compression::Gzip), box, o);
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::Cancelled);
}

void TestUnpacker::missingArchive() {
    Sandbox box;
    auto r =
        unpackLayer(m_layers.path() + QStringLiteral("/does-not-exist"), box.root, userOptions());
    QVERIFY(!r);
    QCOMPARE(r.error().kind, ErrorKind::NotFound);
}

QTEST_GUILESS_MAIN(TestUnpacker)
#include "tst_unpacker.moc"
