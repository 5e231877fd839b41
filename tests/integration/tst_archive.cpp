// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl load/save against the tools people use: skopeo and umoci write what Berth loads,
// and read what Berth saves, and the unpacked trees agree file by file.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"
#include "tests/support/treecompare.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace Berth;
using namespace Berth::Test;
using Compression = LayerBuilder::Compression;

namespace {

// Three layers exercising files, symlinks, hardlinks, owners, special modes, a whiteout and an
// opaque directory, on top of the host's static busybox.
ImageFixture richImage(ImageFixture::ManifestFormat format = ImageFixture::ManifestFormat::Oci) {
    ImageFixture img;
    LayerBuilder base = busyboxLayer();
    base.dir("opt")
        .dir("opt/app")
        .file("opt/app/config", "key=value\n", 0600)
        .file("opt/app/old", "old\n")
        .file("etc/obsolete", "to be deleted\n")
        .dir("home")
        .dir("home/user", 0750, 1000, 1000)
        .file("home/user/.profile", "export A=1\n", 0644, 1000, 1000);
    img.manifestFormat(format)
        .layer(base, Compression::Gzip, "ADD busybox /")
        .emptyLayerHistory("ENV PATH=/bin")
        .layer(LayerBuilder()
                   .dir("usr")
                   .dir("usr/bin")
                   .symlink("usr/bin/env", "/bin/busybox")
                   .file("usr/bin/suid", "#!/bin/sh\n", 04755)
                   .file("usr/bin/tool", "#!/bin/sh\necho tool\n", 0755, 0, 50)
                   .hardlink("usr/bin/tool-alias", "usr/bin/tool")
                   .whiteout("etc/obsolete"),
               Compression::None, "RUN tweak")
        .layer(LayerBuilder().dir("opt/app").opaque("opt/app").file("opt/app/only", "only\n"),
               Compression::Gzip, "COPY app /opt/app")
        .cmd({"sh"})
        .env({"PATH=/bin:/usr/bin"});
    return img;
}

} // namespace

class TestArchive : public QObject {
    Q_OBJECT

private:
    QString m_tmp;
    std::unique_ptr<QTemporaryDir> m_dir;

    QString path(const QString &name) const { return m_dir->path() + "/" + name; }

    static QString rootfsOf(TestStore &store, const QString &name, const QString &target) {
        auto image = Engine::EngineStores(store.engine()).images().resolve(name);
        if (!image)
            return image.error().message;
        QStringList dirs;
        for (const auto &layer : image->layers)
            dirs.append(Engine::EngineStores(store.engine()).snapshots().filesPath(layer.chainId));
        return mergeLayers(dirs, target);
    }

    static QString umociRootfs(const QString &layoutAndTag, const QString &bundle) {
        const auto r = run(findTool("umoci"), {"unpack", "--image", layoutAndTag, bundle});
        return r.exitCode == 0 ? QString() : r.describe();
    }

    static QStringList imageIds(const TestStore &store) {
        const auto r = berthctl(store, {"images", "-q", "--no-trunc"});
        return QString::fromUtf8(r.out).split('\n', Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(scratchBase() + "/archive-XXXXXX"); }

    void skopeoDockerArchiveLoads() {
        BERTH_REQUIRE_ROOT();
        BERTH_REQUIRE_TOOL("skopeo");
        BERTH_REQUIRE_TOOL("umoci");
        const ImageFixture img = richImage();
        QVERIFY(img.writeOciLayout(path("layout"), "v1"));
        auto r = run(findTool("skopeo"),
                     {"copy", "oci:" + path("layout") + ":v1",
                      "docker-archive:" + path("image.tar") + ":example.com/test/app:v1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

        TestStore store;
        r = berthctl(store, {"load", "-i", path("image.tar")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.out, QByteArray("Loaded image: example.com/test/app:v1\n"));
        auto image =
            Engine::EngineStores(store.engine()).images().resolve("example.com/test/app:v1");
        BERTH_VERIFY_OK(image);
        QCOMPARE(image->id, img.id()); // skopeo keeps the config bytes
        QCOMPARE(image->layers.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(image->layers[i].diffId, img.diffIds()[i]);

        QString err = rootfsOf(store, "example.com/test/app:v1", path("berth"));
        QVERIFY2(err.isEmpty(), qPrintable(err));
        err = umociRootfs(path("layout") + ":v1", path("bundle"));
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const QStringList diffs = compareTrees(path("berth"), path("bundle/rootfs"));
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));
        QVERIFY(scanTree(path("berth")).size() > 15);
        QVERIFY(QFileInfo(path("berth/bin/busybox")).isFile());
        QVERIFY(!QFileInfo::exists(path("berth/etc/obsolete")));
        QVERIFY(!QFileInfo::exists(path("berth/opt/app/old")));
    }

    void umociLayoutLoads() {
        BERTH_REQUIRE_ROOT();
        BERTH_REQUIRE_TOOL("umoci");
        const QString umoci = findTool("umoci");
        const QString layout = path("umoci");
        auto ok = [](const ProcessResult &r) { return r.exitCode == 0; };
        auto r = run(umoci, {"init", "--layout", layout});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        r = run(umoci, {"new", "--image", layout + ":base"});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        r = run(umoci, {"unpack", "--image", layout + ":base", path("work")});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        const QString rootfs = path("work/rootfs");
        QVERIFY(QDir().mkpath(rootfs + "/bin"));
        QVERIFY(QDir().mkpath(rootfs + "/etc/conf.d"));
        QVERIFY(QFile::copy("/bin/busybox", rootfs + "/bin/busybox"));
        QVERIFY(QFile::link("busybox", rootfs + "/bin/sh"));
        QVERIFY(QFile::link("../../bin/busybox", rootfs + "/etc/conf.d/tool"));
        {
            QFile f(rootfs + "/etc/conf.d/a.conf");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("a=1\n");
        }
        QCOMPARE(::link(QFile::encodeName(rootfs + "/etc/conf.d/a.conf").constData(),
                        QFile::encodeName(rootfs + "/etc/conf.d/b.conf").constData()),
                 0);
        QCOMPARE(::chown(QFile::encodeName(rootfs + "/etc/conf.d/a.conf").constData(), 123, 456),
                 0);
        r = run(umoci, {"repack", "--image", layout + ":base", path("work")});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        // A second layer from a second repack (a new file and a deletion, which umoci turns
        // into a whiteout), a third from `umoci insert --whiteout`. (`umoci insert` of a file
        // writes a layer tar without padding or end blocks, which Berth's unpacker refuses.)
        r = run(umoci, {"unpack", "--image", layout + ":base", path("work2")});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        {
            QFile f(path("work2/rootfs/etc/motd"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("hello from umoci\n");
        }
        QVERIFY(QFile::remove(path("work2/rootfs/etc/conf.d/b.conf")));
        r = run(umoci, {"repack", "--image", layout + ":base", path("work2")});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        r = run(umoci, {"insert", "--image", layout + ":base", "--whiteout", "/etc/conf.d/tool"});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        r = run(umoci, {"config", "--image", layout + ":base", "--config.cmd", "sh"});
        QVERIFY2(ok(r), qPrintable(r.describe()));

        TestStore store;
        r = berthctl(store, {"load", "-i", layout});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        // A bare ref.name ("base") names no repository: loaded untagged, as docker load does.
        QVERIFY2(r.out.startsWith("Loaded image ID: sha256:"), r.out.constData());
        const QString id =
            QString::fromUtf8(r.out.mid(QByteArray("Loaded image ID: ").size()).trimmed());
        auto image = Engine::EngineStores(store.engine()).images().resolve(id);
        BERTH_VERIFY_OK(image);
        QVERIFY(image->tags.isEmpty());
        QCOMPARE(image->layers.size(), 3);
        QCOMPARE(imageIds(store), QStringList{id});

        // The same layout as a gzip'd tar streamed on stdin gives the same image.
        r = run("/bin/sh", {"-c", "tar -C '" + layout + "' -czf '" + path("umoci.tgz") + "' ."});
        QVERIFY2(ok(r), qPrintable(r.describe()));
        QFile tgz(path("umoci.tgz"));
        QVERIFY(tgz.open(QIODevice::ReadOnly));
        r = run(QStringLiteral(BERTH_BERTHCTL), {"load"}, store.environment(), 300000,
                tgz.readAll());
        QVERIFY2(ok(r), qPrintable(r.describe()));
        QCOMPARE(r.out, "Loaded image ID: " + id.toUtf8() + "\n");

        QString err = rootfsOf(store, id, path("berth"));
        QVERIFY2(err.isEmpty(), qPrintable(err));
        err = umociRootfs(layout + ":base", path("bundle"));
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const QStringList diffs = compareTrees(path("berth"), path("bundle/rootfs"));
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));
        QVERIFY(QFileInfo::exists(path("berth/etc/motd")));
        QVERIFY(!QFileInfo::exists(path("berth/etc/conf.d/b.conf")));
        QVERIFY(!QFileInfo(path("berth/etc/conf.d/tool")).isSymLink());
        QVERIFY(QFileInfo::exists(path("berth/etc/conf.d/a.conf")));
    }

    void saveIsReadByTools_data() {
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("manifestFormat");
        QTest::newRow("docker, docker manifest")
            << "docker" << int(ImageFixture::ManifestFormat::Docker);
        QTest::newRow("docker, oci manifest") << "docker" << int(ImageFixture::ManifestFormat::Oci);
        QTest::newRow("oci, docker manifest") << "oci" << int(ImageFixture::ManifestFormat::Docker);
        QTest::newRow("oci, oci manifest") << "oci" << int(ImageFixture::ManifestFormat::Oci);
    }

    void saveIsReadByTools() {
        QFETCH(QString, format);
        QFETCH(int, manifestFormat);
        BERTH_REQUIRE_ROOT();
        BERTH_REQUIRE_TOOL("skopeo");
        BERTH_REQUIRE_TOOL("umoci");
        const ImageFixture img = richImage(ImageFixture::ManifestFormat(manifestFormat));
        TestStore store;
        BERTH_VERIFY_OK(img.install(store, {"example.com/saved/app:v1"}));
        const QString file = path("saved.tar");
        auto r =
            berthctl(store, {"save", "--format", format, "-o", file, "example.com/saved/app:v1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(QDir(m_dir->path()).entryList(QDir::Hidden | QDir::Files).size() == 1,
                 "a temporary file was left behind");

        const QString transport =
            format == "docker" ? "docker-archive:" + file : "oci-archive:" + file + ":v1";
        r = run(findTool("skopeo"), {"inspect", "--config", transport});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject config = QJsonDocument::fromJson(r.out).object();
        const QJsonArray diffIds = config.value("rootfs").toObject().value("diff_ids").toArray();
        QCOMPARE(diffIds.size(), 3);
        QCOMPARE(diffIds[0].toString(), img.diffIds()[0].toString());
        r = run(findTool("skopeo"), {"copy", transport, "oci:" + path("copied") + ":x"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

        if (format == "oci") {
            QVERIFY(QDir().mkpath(path("layout")));
            r = run("tar", {"-xf", file, "-C", path("layout")});
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
            QString err = umociRootfs(path("layout") + ":v1", path("bundle"));
            QVERIFY2(err.isEmpty(), qPrintable(err));
            err = rootfsOf(store, "example.com/saved/app:v1", path("berth"));
            QVERIFY2(err.isEmpty(), qPrintable(err));
            const QStringList diffs = compareTrees(path("berth"), path("bundle/rootfs"));
            QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join('\n')));
        }

        // Round trip into a fresh store: same image ID, same diffIDs, same name.
        TestStore fresh;
        r = berthctl(fresh, {"load", "-i", file});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.out, QByteArray("Loaded image: example.com/saved/app:v1\n"));
        auto loaded =
            Engine::EngineStores(fresh.engine()).images().resolve("example.com/saved/app:v1");
        BERTH_VERIFY_OK(loaded);
        QCOMPARE(loaded->id, img.id());
        QCOMPARE(loaded->layers.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(loaded->layers[i].diffId, img.diffIds()[i]);
    }

    void podmanRoundTrip() {
        BERTH_REQUIRE_ROOT();
        BERTH_REQUIRE_TOOL("podman");
        // A private podman store (vfs works everywhere, also inside containers).
        const QStringList podman = {"--root",           path("podman-root"), "--runroot",
                                    path("podman-run"), "--storage-driver",  "vfs"};
        const ImageFixture img = richImage(ImageFixture::ManifestFormat::Docker);
        TestStore store;
        BERTH_VERIFY_OK(img.install(store, {"example.com/pod/app:v1"}));
        auto r = berthctl(store, {"save", "-o", path("berth.tar"), "example.com/pod/app:v1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        r = run(findTool("podman"), podman + QStringList{"load", "-i", path("berth.tar")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains("example.com/pod/app:v1"), r.out.constData());
        // podman's docker-archive (legacy layout, layer symlinks, VERSION/json files) and its
        // oci-archive both load.
        for (const QString &format : {QString("docker-archive"), QString("oci-archive")}) {
            const QString file = path("podman-" + format + ".tar");
            r = run(findTool("podman"), podman + QStringList{"save", "--format", format, "-o", file,
                                                             "example.com/pod/app:v1"});
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
            TestStore fresh;
            r = berthctl(fresh, {"load", "-i", file});
            QVERIFY2(r.exitCode == 0, qPrintable(format + ": " + r.describe()));
            QCOMPARE(r.out, QByteArray("Loaded image: example.com/pod/app:v1\n"));
            auto loaded =
                Engine::EngineStores(fresh.engine()).images().resolve("example.com/pod/app:v1");
            BERTH_VERIFY_OK(loaded);
            QCOMPARE(loaded->layers.size(), 3);
            for (int i = 0; i < 3; ++i)
                QCOMPARE(loaded->layers[i].diffId, img.diffIds()[i]);
            if (format == "docker-archive")
                QCOMPARE(loaded->id, img.id()); // the config travels unchanged
        }
        run(findTool("podman"), podman + QStringList{"system", "reset", "--force"});
    }

    void saveToStdoutAndByIdIsUntagged() {
        BERTH_REQUIRE_ROOT();
        TestStore store;
        ImageFixture img;
        img.layer(LayerBuilder().file("hello", "hi\n"));
        BERTH_VERIFY_OK(img.install(store, {"hello:1"}));
        auto r = berthctl(store, {"save", img.id().hex().left(12)});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QFile f(path("stdout.tar"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(r.out);
        f.close();
        TestStore fresh;
        r = berthctl(fresh, {"load", "-i", path("stdout.tar")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(r.out, "Loaded image ID: " + img.id().toString().toUtf8() + "\n");
    }

    void sharedBaseIsStoredOnce() {
        BERTH_REQUIRE_ROOT();
        const LayerBuilder base = busyboxLayer();
        ImageFixture a, b;
        a.layer(base, Compression::Gzip).layer(LayerBuilder().file("a", "a\n"));
        b.layer(base, Compression::Gzip).layer(LayerBuilder().file("b", "b\n"));
        QVERIFY(a.writeDockerArchive(path("a.tar"), {"shared/a:1"}));
        QVERIFY(b.writeDockerArchive(path("b.tar"), {"shared/b:1"}));
        TestStore store;
        for (const QString &file : {path("a.tar"), path("b.tar")}) {
            const auto r = berthctl(store, {"load", "-i", file});
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        }
        QCOMPARE(Engine::EngineStores(store.engine()).snapshots().list().size(), 3);
        QCOMPARE(
            QDir(store.paths().snapshots()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 3);
        // 3 layer blobs + 2 configs + 2 manifests.
        QCOMPARE(Engine::EngineStores(store.engine()).content().list().size(), 7);
        QCOMPARE(imageIds(store).size(), 2);
    }

    void concurrentLoadsShareTheStore() {
        BERTH_REQUIRE_ROOT();
        const LayerBuilder base = busyboxLayer();
        ImageFixture a, b;
        a.layer(base, Compression::Gzip).layer(LayerBuilder().file("a", QByteArray(4 << 20, 'a')));
        b.layer(base, Compression::Gzip).layer(LayerBuilder().file("b", QByteArray(4 << 20, 'b')));
        QVERIFY(a.writeDockerArchive(path("a.tar"), {"conc/a:1"}));
        QVERIFY(b.writeOciLayout(path("b"), "conc/b:1"));
        TestStore store;
        store.engine(); // create the store before two processes race to
        QProcess pa, pb;
        pa.setProcessEnvironment(store.environment());
        pb.setProcessEnvironment(store.environment());
        pa.start(QStringLiteral(BERTH_BERTHCTL), {"load", "-i", path("a.tar")});
        pb.start(QStringLiteral(BERTH_BERTHCTL), {"load", "-i", path("b")});
        QVERIFY(pa.waitForFinished(300000));
        QVERIFY(pb.waitForFinished(300000));
        QVERIFY2(pa.exitCode() == 0, pa.readAllStandardError().constData());
        QVERIFY2(pb.exitCode() == 0, pb.readAllStandardError().constData());
        QCOMPARE(imageIds(store).size(), 2);
        QCOMPARE(Engine::EngineStores(store.engine()).snapshots().list().size(), 3);
        QCOMPARE(Engine::EngineStores(store.engine()).content().list().size(), 7);
        QVERIFY(
            QDir(store.paths().ingest()).entryList(QDir::Dirs | QDir::NoDotAndDotDot).isEmpty());
        const auto check = berthctl(store, {"system", "check"});
        QVERIFY2(check.exitCode == 0, qPrintable(check.describe()));
    }
};

QTEST_GUILESS_MAIN(TestArchive)
#include "tst_archive.moc"
