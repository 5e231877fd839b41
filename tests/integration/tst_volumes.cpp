// SPDX-License-Identifier: GPL-3.0-or-later
// Volumes and bind mounts with real containers (runc): data in a named volume outlives the
// container, `volume rm` refuses a volume in use, a new volume is seeded with the image's
// content, a read-only bind mount is read-only inside, and an image's VOLUME gets an anonymous
// volume that `rm -v` removes.
#include "engine/core/fileutil.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

QStringList lines(const QByteArray &out) {
    return QString::fromUtf8(out).split('\n', Qt::SkipEmptyParts);
}

} // namespace

class TestVolumes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void namedVolumeOutlivesTheContainer();
    void newVolumeIsSeededFromTheImage();
    void readOnlyBindMount();
    void imageVolumeIsAnonymousAndRemovedWithRmV();
    void volumeCommands();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestVolumes::init() {
    BERTH_REQUIRE_CONTAINERS();
    m_store = std::make_unique<TestStore>();
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder().dir("seed").file("seed/from-image", "seeded\n"),
               LayerBuilder::Compression::Gzip, "ADD seed /seed")
        .cmd({"sh"});
    BERTH_VERIFY_OK(img.install(*m_store, {"busybox:latest"}));
    ImageFixture withVolume;
    withVolume.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .volumes({"/data"})
        .cmd({"sh"});
    BERTH_VERIFY_OK(withVolume.install(*m_store, {"withvolume:latest"}));
}

void TestVolumes::namedVolumeOutlivesTheContainer() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult w = berthctl(store, {"run", "--name", "writer", "-v", "keep:/vol",
                                             "busybox", "sh", "-c", "echo persisted > /vol/f"});
    QVERIFY2(w.exitCode == 0, qPrintable(w.describe()));
    // In use (by a stopped container): refused.
    const ProcessResult busy = berthctl(store, {"volume", "rm", "keep"});
    QVERIFY2(busy.exitCode != 0, qPrintable(busy.describe()));
    QVERIFY(busy.err.contains("in use"));
    const ProcessResult rm = berthctl(store, {"rm", "writer"});
    QVERIFY2(rm.exitCode == 0, qPrintable(rm.describe()));
    QCOMPARE(readFileLimited(store.engine().containers().volumes().dataPath("keep") + "/f", 100)
                 .value_or("<missing>"),
             QByteArray("persisted\n"));
    const ProcessResult r = berthctl(
        store, {"run", "--rm", "-v", "keep:/other", "busybox", "sh", "-c", "cat /other/f"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("persisted\n"));
    const ProcessResult gone = berthctl(store, {"volume", "rm", "keep"});
    QVERIFY2(gone.exitCode == 0, qPrintable(gone.describe()));
    QVERIFY(!QFileInfo::exists(store.engine().containers().volumes().dataPath("keep")));
}

void TestVolumes::newVolumeIsSeededFromTheImage() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult r = berthctl(store, {"run", "--rm", "-v", "seeded:/seed", "busybox", "sh",
                                             "-c", "cat /seed/from-image; echo more > /seed/x"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("seeded\n"));
    // Not empty any more: not seeded again, the container's write is kept.
    const ProcessResult again = berthctl(
        store, {"run", "--rm", "-v", "seeded:/seed", "busybox", "sh", "-c", "cat /seed/x"});
    QCOMPARE(again.out, QByteArray("more\n"));
}

void TestVolumes::readOnlyBindMount() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    QTemporaryDir host(scratchBase() + "/bind-XXXXXX");
    QFile f(host.path() + "/hostfile");
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("from host\n");
    f.close();
    const ProcessResult ro = berthctl(
        store, {"run", "--rm", "-v", host.path() + ":/h:ro", "busybox", "sh", "-c",
                "cat /h/hostfile; if echo x > /h/new 2>/dev/null; then echo writable; else echo "
                "readonly; fi"});
    QVERIFY2(ro.exitCode == 0, qPrintable(ro.describe()));
    QCOMPARE(ro.out, QByteArray("from host\nreadonly\n"));
    QVERIFY(!QFile::exists(host.path() + "/new"));
    const ProcessResult rw =
        berthctl(store, {"run", "--rm", "--mount", "type=bind,source=" + host.path() + ",target=/h",
                         "busybox", "sh", "-c", "echo x > /h/new"});
    QVERIFY2(rw.exitCode == 0, qPrintable(rw.describe()));
    QVERIFY(QFile::exists(host.path() + "/new"));
    const ProcessResult missing = berthctl(
        store, {"run", "--rm", "-v", "/nonexistent/berth:/x", "busybox", "sh", "-c", "true"});
    QVERIFY(missing.exitCode != 0);
}

void TestVolumes::imageVolumeIsAnonymousAndRemovedWithRmV() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    VolumeStore &volumes = store.engine().containers().volumes();
    const ProcessResult r = berthctl(
        store, {"run", "--name", "anon", "withvolume", "sh", "-c", "echo in-anon > /data/f"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QList<VolumeRecord> list = volumes.list();
    QCOMPARE(list.size(), 1);
    QVERIFY(list.first().anonymous);
    QCOMPARE(readFileLimited(list.first().mountpoint + "/f", 100).value_or("<missing>"),
             QByteArray("in-anon\n"));
    const ProcessResult inspect = berthctl(store, {"inspect", "anon"});
    const QJsonArray mounts =
        QJsonDocument::fromJson(inspect.out).array().first().toObject().value("Mounts").toArray();
    QCOMPARE(mounts.size(), 1);
    QCOMPARE(mounts.first().toObject().value("Destination").toString(), QString("/data"));
    QCOMPARE(mounts.first().toObject().value("Name").toString(), list.first().name);
    // Without -v the volume stays; with -v it goes.
    const ProcessResult keep =
        berthctl(store, {"run", "--name", "anon2", "withvolume", "sh", "-c", "true"});
    QVERIFY2(keep.exitCode == 0, qPrintable(keep.describe()));
    QCOMPARE(volumes.list().size(), 2);
    QVERIFY2(berthctl(store, {"rm", "anon2"}).exitCode == 0, "rm");
    QCOMPARE(volumes.list().size(), 2);
    QVERIFY2(berthctl(store, {"rm", "-v", "anon"}).exitCode == 0, "rm -v");
    QCOMPARE(volumes.list().size(), 1);
    QVERIFY(!QFileInfo::exists(list.first().mountpoint));
    // prune removes the unused anonymous one.
    const ProcessResult prune = berthctl(store, {"volume", "prune", "-f"});
    QVERIFY2(prune.exitCode == 0, qPrintable(prune.describe()));
    QVERIFY(volumes.list().isEmpty());
}

void TestVolumes::volumeCommands() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    const ProcessResult create =
        berthctl(store, {"volume", "create", "--label", "team=a", "named"});
    QVERIFY2(create.exitCode == 0, qPrintable(create.describe()));
    QCOMPARE(create.out, QByteArray("named\n"));
    const ProcessResult anon = berthctl(store, {"volume", "create"});
    QVERIFY2(anon.exitCode == 0, qPrintable(anon.describe()));
    const QString anonName = QString::fromUtf8(anon.out.trimmed());
    QCOMPARE(anonName.size(), 64);
    QCOMPARE(lines(berthctl(store, {"volume", "ls", "-q"}).out), QStringList({anonName, "named"}));
    const ProcessResult inspect = berthctl(store, {"volume", "inspect", "named"});
    const QJsonObject o = QJsonDocument::fromJson(inspect.out).array().first().toObject();
    QCOMPARE(o.value("Name").toString(), QString("named"));
    QCOMPARE(o.value("Labels").toObject().value("team").toString(), QString("a"));
    QVERIFY(o.value("Mountpoint").toString().endsWith("/volumes/named/_data"));
    QVERIFY(berthctl(store, {"volume", "inspect", "nope"}).exitCode != 0);
    QVERIFY(berthctl(store, {"volume", "create", "bad/name"}).exitCode != 0);
    // prune without --all keeps named volumes; --all removes every unused one.
    QVERIFY2(berthctl(store, {"volume", "prune", "-f"}).exitCode == 0, "prune");
    QCOMPARE(lines(berthctl(store, {"volume", "ls", "-q"}).out), QStringList({"named"}));
    QVERIFY2(berthctl(store, {"volume", "prune", "-f", "--all"}).exitCode == 0, "prune --all");
    QVERIFY(lines(berthctl(store, {"volume", "ls", "-q"}).out).isEmpty());
}

QTEST_GUILESS_MAIN(TestVolumes)
#include "tst_volumes.moc"
