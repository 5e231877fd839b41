// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl load with broken and hostile archives: each fails with a clear message and records
// nothing.
#include "engine/enginestores.h"
#include "tests/support/imagefixture.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

using namespace Berth;
using namespace Berth::Test;

namespace {

ImageFixture smallImage() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/a", QByteArray(300000, 'a')),
              LayerBuilder::Compression::Gzip)
        .layer(LayerBuilder().file("etc/b", "b\n"));
    return img;
}

// Writes a tar whose member `name` has `size` bytes of spaces, streamed in 1 MiB pieces so the
// test never holds the big member in memory. `before` members come first.
bool writeTarWithHugeMember(const QString &file, const QList<QPair<QString, QByteArray>> &before,
                            const QString &name, qint64 size) {
    const int fd = ::open(QFile::encodeName(file).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_fd(a, fd);
    auto header = [a](const QString &path, qint64 length) {
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, path.toUtf8().constData());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, length);
        archive_write_header(a, e);
        archive_entry_free(e);
    };
    for (const auto &m : before) {
        header(m.first, m.second.size());
        archive_write_data(a, m.second.constData(), size_t(m.second.size()));
    }
    header(name, size);
    const QByteArray chunk(1 << 20, ' ');
    for (qint64 done = 0; done < size; done += chunk.size())
        archive_write_data(a, chunk.constData(), size_t(qMin<qint64>(chunk.size(), size - done)));
    archive_write_close(a);
    archive_write_free(a);
    ::close(fd);
    return true;
}

} // namespace

class TestArchiveHostile : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString path(const QString &name) const { return m_dir->path() + "/" + name; }

    // Loads `input` and expects failure with `message` in stderr and no image recorded.
    void expectRejected(const QStringList &messages, const QString &input) {
        TestStore store;
        const auto r = berthctl(store, {"load", "-i", input});
        // Every refusal exits 1, as docker load does.
        QVERIFY2(r.exitCode == 1, qPrintable(r.describe()));
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.startsWith("Error: load "), qPrintable(err));
        for (const QString &m : messages)
            QVERIFY2(err.contains(m), qPrintable("expected \"" + m + "\" in: " + err));
        const auto images = berthctl(store, {"images", "-q"});
        QCOMPARE(images.exitCode, 0);
        QCOMPARE(images.out, QByteArray());
        QVERIFY(Engine::EngineStores(store.engine()).images().list().isEmpty());
    }

private Q_SLOTS:
    void init() { m_dir = std::make_unique<QTemporaryDir>(scratchBase() + "/hostile-XXXXXX"); }

    void lyingLayerBlobInOciLayout() {
        const ImageFixture img = smallImage();
        QVERIFY(img.writeOciLayout(path("layout"), "bad:1"));
        const QString liar = img.layerBlobs()[1].descriptor.digest.hex();
        {
            // Same length, other bytes: only the digest can tell.
            QFile f(path("layout/blobs/sha256/") + liar);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QByteArray data = f.readAll();
            data[600] = char(data[600] ^ 0x55);
            f.seek(0);
            f.write(data);
        }
        expectRejected({"sha256:" + liar, "digest mismatch"}, path("layout"));
        if (QTest::currentTestFailed())
            return;
        // The same layout as a tar.
        const auto r = run("tar", {"-cf", path("layout.tar"), "-C", path("layout"), "."});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        expectRejected({"sha256:" + liar, "digest mismatch"}, path("layout.tar"));
    }

    void truncatedArchive() {
        const ImageFixture img = smallImage();
        QVERIFY(img.writeDockerArchive(path("full.tar"), {"trunc:1"}));
        QFile full(path("full.tar"));
        QVERIFY(full.open(QIODevice::ReadOnly));
        const QByteArray data = full.readAll();
        // Cut inside the first (big, gzip'd) layer member.
        QFile cut(path("cut.tar"));
        QVERIFY(cut.open(QIODevice::WriteOnly));
        cut.write(data.left(data.size() / 3));
        cut.close();
        expectRejected({"truncated"}, path("cut.tar"));
    }

    void hugeIndexJson() {
        QVERIFY(writeTarWithHugeMember(path("huge-index.tar"),
                                       {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"}},
                                       "index.json", qint64(100) << 20));
        expectRejected({"index.json is too large (104857600 bytes"}, path("huge-index.tar"));
    }

    void hugeManifestJson() {
        QVERIFY(writeTarWithHugeMember(path("huge-manifest.tar"), {}, "manifest.json",
                                       qint64(100) << 20));
        expectRejected({"manifest.json is too large (104857600 bytes"}, path("huge-manifest.tar"));
    }

    void hugeManifestBlobInOciLayout() {
        // index.json points at a 100 MiB "manifest": refused before it is read.
        const qint64 size = qint64(100) << 20;
        QCryptographicHash h(QCryptographicHash::Sha256);
        const QByteArray chunk(1 << 20, ' ');
        for (qint64 done = 0; done < size; done += chunk.size())
            h.addData(chunk);
        const QString hex = QString::fromLatin1(h.result().toHex());
        const QJsonObject index{
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.index.v1+json"},
            {"manifests",
             QJsonArray{QJsonObject{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                    {"digest", "sha256:" + hex},
                                    {"size", double(size)}}}}};
        QVERIFY(writeTarWithHugeMember(path("huge-blob.tar"),
                                       {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
                                        {"index.json", QJsonDocument(index).toJson()}},
                                       "blobs/sha256/" + hex, size));
        expectRejected({"manifest sha256:" + hex, "too large"}, path("huge-blob.tar"));
    }

    void manifestJsonPointsAtMissingLayer() {
        const ImageFixture img = smallImage();
        const QByteArray config = img.configJson();
        const QString configName = img.id().hex() + ".json";
        const QList<ImageFixture::Blob> blobs = img.layerBlobs();
        const QJsonArray manifest{
            QJsonObject{{"Config", configName},
                        {"RepoTags", QJsonArray{"missing:1"}},
                        {"Layers", QJsonArray{"first/layer.tar", "missing/layer.tar"}}}};
        QFile f(path("missing.tar"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(tarOf({{configName, config},
                       {"first/layer.tar", blobs[0].data},
                       {"manifest.json", QJsonDocument(manifest).toJson()}}));
        f.close();
        expectRejected({"image missing:1", "missing/layer.tar: not found in the archive"},
                       path("missing.tar"));
    }

    void notAnArchive() {
        QFile f(path("junk.tar"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(5000, 'x'));
        f.close();
        expectRejected({"junk.tar"}, path("junk.tar"));
        // A tar with neither manifest.json nor index.json.
        QFile g(path("plain.tar"));
        QVERIFY(g.open(QIODevice::WriteOnly));
        g.write(tarOf({{"hello.txt", "hi"}}));
        g.close();
        expectRejected({"neither manifest.json nor index.json"}, path("plain.tar"));
    }
};

QTEST_GUILESS_MAIN(TestArchiveHostile)
#include "tst_archivehostile.moc"
