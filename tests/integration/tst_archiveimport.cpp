// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl import (rootfs tarball -> one-layer image) and the offline busybox starter image.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"

#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <sys/stat.h>

using namespace Berth;
using namespace Berth::Test;

class TestArchiveImport : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path(const QString &name) const { return m_dir->path() + "/" + name; }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(scratchBase() + "/import-XXXXXX"); }

    void importWithChanges() {
        BERTH_REQUIRE_ROOT();
        const QByteArray tar = busyboxLayer().build();
        QFile f(path("rootfs.tar.gz"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(compressBytes(tar, LayerBuilder::Compression::Gzip));
        f.close();
        TestStore store;
        const auto r = berthctl(store, {"import",
                                        "--change",
                                        R"(CMD ["sh", "-c", "echo hi"])",
                                        "-c",
                                        "ENTRYPOINT /bin/busybox env",
                                        "--change",
                                        "ENV A=b C=\"d e\"",
                                        "--change",
                                        "EXPOSE 80 53/udp",
                                        "--change",
                                        "WORKDIR /tmp",
                                        "--change",
                                        "USER nobody",
                                        "--change",
                                        "LABEL org.example=yes",
                                        "--change",
                                        "VOLUME [\"/data\"]",
                                        "--change",
                                        "STOPSIGNAL SIGINT",
                                        "--message",
                                        "from a tarball",
                                        path("rootfs.tar.gz"),
                                        "imported/app:1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QString id = QString::fromUtf8(r.out.trimmed());
        auto image = Engine::EngineStores(store.engine()).images().resolve("imported/app:1");
        BERTH_VERIFY_OK(image);
        QCOMPARE(image->id.toString(), id);
        QCOMPARE(image->layers.size(), 1);
        QCOMPARE(image->layers[0].diffId, Engine::Digest::ofData(tar));
        auto config = Engine::EngineStores(store.engine()).images().config(*image);
        BERTH_VERIFY_OK(config);
        QCOMPARE(config->os(), "linux");
        QCOMPARE(config->architecture(), Engine::Platform::host().architecture);
        const Engine::ContainerConfig c = config->config();
        QCOMPARE(c.cmd, QStringList({"sh", "-c", "echo hi"}));
        QCOMPARE(c.entrypoint, QStringList({"/bin/sh", "-c", "/bin/busybox env"}));
        QCOMPARE(c.env, QStringList({"A=b", "C=d e"}));
        QCOMPARE(c.exposedPorts, QStringList({"53/udp", "80/tcp"}));
        QCOMPARE(c.workingDir, "/tmp");
        QCOMPARE(c.user, "nobody");
        QCOMPARE(c.labels.value("org.example"), "yes");
        QCOMPARE(c.volumes, QStringList{"/data"});
        QCOMPARE(c.stopSignal, "SIGINT");
        const auto history = config->history();
        QCOMPARE(history.size(), 1);
        QCOMPARE(history[0].createdBy, "import");
        QCOMPARE(history[0].comment, "from a tarball");
        QVERIFY(QFileInfo(Engine::EngineStores(store.engine())
                              .snapshots()
                              .filesPath(image->layers[0].chainId) +
                          "/bin/busybox")
                    .isFile());
    }

    void importFromStdinUntagged() {
        BERTH_REQUIRE_ROOT();
        const QByteArray tar =
            LayerBuilder().dir("etc").file("etc/os-release", "ID=test\n").build();
        TestStore store;
        const auto r =
            run(QStringLiteral(BERTH_BERTHCTL), {"import", "-"}, store.environment(), 300000, tar);
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        auto image = Engine::EngineStores(store.engine())
                         .images()
                         .resolve(QString::fromUtf8(r.out.trimmed()));
        BERTH_VERIFY_OK(image);
        QVERIFY(image->tags.isEmpty());
        QCOMPARE(image->layers[0].diffId, Engine::Digest::ofData(tar));
    }

    void badChangeRecordsNothing() {
        const QByteArray tar = LayerBuilder().file("x", "x").build();
        QFile f(path("x.tar"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tar);
        f.close();
        TestStore store;
        auto r = berthctl(store, {"import", "--change", "RUN rm -rf /", path("x.tar"), "x:1"});
        QCOMPARE(r.exitCode, 125);
        QVERIFY2(r.err.contains("RUN is not supported"), r.err.constData());
        r = berthctl(store, {"import", "--change", "EXPOSE 99999", path("x.tar"), "x:1"});
        QCOMPARE(r.exitCode, 125);
        QVERIFY2(r.err.contains("invalid port \"99999\""), r.err.constData());
        QVERIFY(Engine::EngineStores(store.engine()).images().list().isEmpty());
    }

    void starterImageIsReproducible() {
        BERTH_REQUIRE_ROOT();
        BERTH_REQUIRE(QFileInfo::exists("/bin/busybox"), "needs busybox-static installed");
        TestStore store;
        auto r = berthctl(store, {"starter"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        auto first = Engine::EngineStores(store.engine()).images().resolve("berth/busybox:latest");
        BERTH_VERIFY_OK(first);
        TestStore other;
        r = berthctl(other, {"starter", "mine/bb:1"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        auto second = Engine::EngineStores(other.engine()).images().resolve("mine/bb:1");
        BERTH_VERIFY_OK(second);
        QCOMPARE(second->id, first->id);
        QCOMPARE(second->manifestDigest, first->manifestDigest);
        r = berthctl(store, {"starter"}); // again in the same store: same image, nothing new
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(Engine::EngineStores(store.engine()).images().list().size(), 1);

        const QString fs =
            Engine::EngineStores(store.engine()).snapshots().filesPath(first->layers[0].chainId);
        QCOMPARE(QFileInfo(fs + "/bin/sh").symLinkTarget(), fs + "/bin/busybox");
        QVERIFY(QFileInfo(fs + "/bin/ls").isSymLink());
        QVERIFY(QFileInfo(fs + "/bin/busybox").isExecutable());
        struct stat st;
        QCOMPARE(::lstat(QFile::encodeName(fs + "/tmp").constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, 01777u);
        for (const char *dir : {"root", "home", "var", "proc", "sys", "dev"})
            QVERIFY2(QFileInfo(fs + "/" + dir).isDir(), dir);
        QFile passwd(fs + "/etc/passwd");
        QVERIFY(passwd.open(QIODevice::ReadOnly));
        const QByteArray p = passwd.readAll();
        QVERIFY(p.startsWith("root:x:0:0:"));
        QVERIFY(p.contains("\nnobody:x:65534:"));
        QVERIFY(QFileInfo::exists(fs + "/etc/group"));
        auto config = Engine::EngineStores(store.engine()).images().config(*first);
        BERTH_VERIFY_OK(config);
        QCOMPARE(config->config().cmd, QStringList{"sh"});
        QVERIFY(config->config().env.value(0).startsWith("PATH="));
        QVERIFY(config->history().value(0).createdBy.contains("busybox"));
    }

    void starterNeedsStaticBusybox() {
        TestStore store;
        auto r = berthctl(store, {"starter", "--busybox", path("no-such-busybox")});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("install busybox-static"), r.err.constData());
        // A dynamically linked program is refused too.
        r = berthctl(store, {"starter", "--busybox", "/bin/ls"});
        QCOMPARE(r.exitCode, 125);
        QVERIFY2(r.err.contains("dynamically linked"), r.err.constData());
        QVERIFY2(r.err.contains("install busybox-static"), r.err.constData());
        QVERIFY(Engine::EngineStores(store.engine()).images().list().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestArchiveImport)
#include "tst_archiveimport.moc"
