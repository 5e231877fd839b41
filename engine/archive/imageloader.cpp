// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/archive/imageloader.h"

#include "engine/archive/archiveio.h"
#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/images/imageconfig.h"
#include "engine/images/manifest.h"
#include "engine/images/mediatypes.h"
#include "engine/snapshots/imageinstaller.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <archive.h>
#include <archive_entry.h>
#include <optional>

namespace Berth::Engine {

namespace {

// The documents an archive is described by are parsed in memory; nothing else is.
constexpr qint64 kMaxDocumentSize = 8 * 1024 * 1024;
constexpr qint64 kChunk = 1 << 20;
constexpr int kMaxIndexDepth = 2;

const QString kManifestJson = QStringLiteral("manifest.json");
const QString kIndexJson = QStringLiteral("index.json");
const QString kOciLayout = QStringLiteral("oci-layout");
const QString kRepositories = QStringLiteral("repositories");

const QString kRefNameAnnotation = QStringLiteral("org.opencontainers.image.ref.name");
const QString kContainerdNameAnnotation = QStringLiteral("io.containerd.image.name");

bool isDocument(const QString &path) {
    return path == kManifestJson || path == kIndexJson || path == kOciLayout ||
           path == kRepositories;
}

// Member names as tools write them ("./manifest.json", "/blobs//x") made canonical; empty when
// the name climbs out of the archive.
QString cleanPath(const QString &path) {
    QStringList parts;
    for (const QString &part : path.split(QLatin1Char('/'), Qt::SkipEmptyParts)) {
        if (part == QLatin1String("."))
            continue;
        if (part == QLatin1String("..")) {
            if (parts.isEmpty())
                return {};
            parts.removeLast();
            continue;
        }
        parts.append(part);
    }
    return parts.join(QLatin1Char('/'));
}

// The digest a member's name promises: blobs/sha256/<hex> in OCI layouts (and Docker 25
// archives), <hex>.json for docker-archive configs.
Digest digestFromName(const QString &path) {
    static const QRegularExpression blob(QStringLiteral("^blobs/sha256/([0-9a-f]{64})$"));
    static const QRegularExpression config(QStringLiteral("^([0-9a-f]{64})\\.json$"));
    auto m = blob.match(path);
    if (!m.hasMatch())
        m = config.match(path);
    return m.hasMatch() ? Digest::fromHex(m.captured(1)) : Digest();
}

QString blobPathOf(const Digest &d) {
    return QStringLiteral("blobs/sha256/") + d.hex();
}

using ReadFn = std::function<Result<qint64>(char *, qint64)>;

// Streams a member into the content store, hashing on the way. When the store already holds
// the expected blob the data is only hashed (shared base layers are not written twice).
Result<Digest> storeStream(ContentStore &content, const ReadFn &read, const Digest &expected,
                           qint64 size, const std::atomic<bool> *cancel,
                           const std::function<void(qint64)> &progress) {
    QByteArray buf(kChunk, Qt::Uninitialized);
    auto cancelled = [cancel] { return cancel && cancel->load(); };
    if (expected.isValid() && content.contains(expected)) {
        Sha256 hash;
        qint64 done = 0;
        for (;;) {
            if (cancelled())
                return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
            auto n = read(buf.data(), buf.size());
            if (!n)
                return fail(n.error());
            if (*n == 0)
                break;
            hash.add(buf.constData(), *n);
            done += *n;
            if (progress)
                progress(done);
        }
        const Digest actual = hash.finish();
        if (actual != expected)
            return fail(ErrorKind::Corrupt, QStringLiteral("digest mismatch: expected %1, got %2")
                                                .arg(expected.toString(), actual.toString()));
        return actual;
    }
    auto writer = content.openWriter(uniqueTempName(QStringLiteral("load")), expected, size);
    if (!writer)
        return fail(writer.error());
    BlobWriter &w = **writer;
    for (;;) {
        if (cancelled()) {
            w.abort();
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        }
        auto n = read(buf.data(), buf.size());
        if (!n) {
            w.abort();
            return fail(n.error());
        }
        if (*n == 0)
            break;
        if (auto st = w.write(buf.constData(), *n); !st) {
            w.abort();
            return fail(st.error());
        }
        if (progress)
            progress(w.offset());
    }
    return w.commit();
}

} // namespace

// Where an archive's members come from.
class ImageLoader::Source {
public:
    virtual ~Source() = default;
    // Reads what must be read up front (the whole stream, for a tar).
    virtual Status prepare() = 0;
    // A small document held in memory; nullopt when the archive has none.
    virtual Result<std::optional<QByteArray>> document(const QString &path) = 0;
    // The member `path` stored in the content store; verified against `expected` when valid.
    virtual Result<Digest> blob(const QString &path, const Digest &expected) = 0;
};

// A tar stream, read once from start to end.
class ImageLoader::TarSource : public ImageLoader::Source {
public:
    TarSource(ImageLoader &loader, const QString &path, int fd)
        : m_loader(loader)
        , m_path(path)
        , m_fd(fd) {}
    ~TarSource() override {
        if (m_archive)
            archive_read_free(m_archive);
    }

    Status prepare() override {
        m_archive = archive_read_new();
        archive_read_support_filter_all(m_archive); // a gzip'd OCI archive, for instance
        archive_read_support_format_tar(m_archive);
        const int rc = m_fd >= 0 ? archive_read_open_fd(m_archive, m_fd, 1 << 16)
                                 : archive_read_open_filename(
                                       m_archive, QFile::encodeName(m_path).constData(), 1 << 16);
        if (rc != ARCHIVE_OK)
            return archiveError(QStringLiteral("cannot read the archive"));
        for (;;) {
            struct archive_entry *entry = nullptr;
            const int r = archive_read_next_header(m_archive, &entry);
            if (r == ARCHIVE_EOF)
                break;
            if (r < ARCHIVE_WARN)
                return archiveError(m_members == 0
                                        ? QStringLiteral("not a tar archive")
                                        : QStringLiteral("truncated or corrupt archive"));
            ++m_members;
            const char *utf8 = archive_entry_pathname_utf8(entry);
            const QString raw =
                utf8 ? QString::fromUtf8(utf8) : QFile::decodeName(archive_entry_pathname(entry));
            const QString path = cleanPath(raw);
            if (path.isEmpty())
                continue;
            if (const char *hard = archive_entry_hardlink(entry)) {
                m_links.insert(path, cleanPath(QFile::decodeName(hard)));
                continue;
            }
            const unsigned type = archive_entry_filetype(entry);
            if (type == AE_IFLNK) {
                // `docker save` links repeated layers to their first copy.
                const QString target = QFile::decodeName(archive_entry_symlink(entry));
                const qsizetype slash = path.lastIndexOf(QLatin1Char('/'));
                const QString base = slash >= 0 ? path.left(slash) : QString();
                m_links.insert(path, cleanPath(target.startsWith(QLatin1Char('/'))
                                                   ? target
                                                   : base + QLatin1Char('/') + target));
                continue;
            }
            if (type != AE_IFREG)
                continue;
            const qint64 size = archive_entry_size(entry);
            if (isDocument(path)) {
                if (auto st = readDocument(path, size); !st)
                    return st;
                continue;
            }
            // Legacy per-layer metadata of old `docker save` archives: not needed.
            const QString name = path.section(QLatin1Char('/'), -1);
            if (path.contains(QLatin1Char('/')) &&
                (name == QLatin1String("json") || name == QLatin1String("VERSION")))
                continue;
            if (auto st = storeMember(path, size); !st)
                return st;
        }
        return {};
    }

    Result<std::optional<QByteArray>> document(const QString &path) override {
        auto it = m_documents.constFind(path);
        if (it == m_documents.constEnd())
            return std::optional<QByteArray>();
        return std::optional<QByteArray>(*it);
    }

    Result<Digest> blob(const QString &path, const Digest &expected) override {
        QString p = cleanPath(path);
        for (int hops = 0; m_links.contains(p) && hops < 16; ++hops)
            p = m_links.value(p);
        if (auto bad = m_bad.constFind(p); bad != m_bad.constEnd())
            return fail(ErrorKind::Corrupt, QStringLiteral("%1: %2").arg(path, *bad));
        auto it = m_blobs.constFind(p);
        if (it == m_blobs.constEnd())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("%1: not found in the archive").arg(path));
        if (expected.isValid() && *it != expected)
            return fail(ErrorKind::Corrupt,
                        QStringLiteral("%1: digest mismatch: expected %2, got %3")
                            .arg(path, expected.toString(), it->toString()));
        return *it;
    }

private:
    Status archiveError(const QString &what) {
        const char *msg = archive_error_string(m_archive);
        return fail(ErrorKind::Corrupt,
                    msg ? QStringLiteral("%1: %2").arg(what, QString::fromUtf8(msg)) : what);
    }

    Result<qint64> readData(char *buf, qint64 size) {
        const la_ssize_t n = archive_read_data(m_archive, buf, size_t(size));
        if (n < 0) {
            m_streamFailed = true;
            return fail(archiveError(QStringLiteral("truncated or corrupt archive")).error());
        }
        return qint64(n);
    }

    Status readDocument(const QString &path, qint64 size) {
        if (size > kMaxDocumentSize)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("%1 is too large (%2 bytes; at most %3 are accepted)")
                            .arg(path)
                            .arg(size)
                            .arg(kMaxDocumentSize));
        QByteArray data;
        QByteArray buf(qMax<qint64>(size, 1), Qt::Uninitialized);
        for (;;) {
            auto n = readData(buf.data(), buf.size());
            if (!n)
                return fail(n.error().withContext(path));
            if (*n == 0)
                break;
            if (data.size() + *n > kMaxDocumentSize)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("%1 is too large").arg(path));
            data.append(buf.constData(), *n);
        }
        m_documents.insert(path, data);
        return {};
    }

    Status storeMember(const QString &path, qint64 size) {
        const Digest expected =
            digestFromName(path).isValid() && path.startsWith(QLatin1String("blobs/"))
                ? digestFromName(path)
                : Digest();
        m_streamFailed = false;
        auto progress = [&](qint64 done) {
            if (m_loader.m_progress)
                m_loader.m_progress({path, done, size});
        };
        auto digest = storeStream(
            m_loader.m_stores.content, [this](char *b, qint64 n) { return readData(b, n); },
            expected, size, m_loader.m_cancel, progress);
        if (digest) {
            m_blobs.insert(path, *digest);
            return {};
        }
        // A broken stream ends the load; a member whose content lies about its name is only
        // an error for the images that use it.
        if (m_streamFailed || digest.error().kind != ErrorKind::Corrupt)
            return fail(digest.error().withContext(path));
        m_bad.insert(path, digest.error().message);
        return {};
    }

    ImageLoader &m_loader;
    QString m_path;
    int m_fd = -1;
    struct archive *m_archive = nullptr;
    qint64 m_members = 0;
    bool m_streamFailed = false;
    QHash<QString, QByteArray> m_documents;
    QHash<QString, Digest> m_blobs;
    QHash<QString, QString> m_bad;
    QHash<QString, QString> m_links;
};

// An OCI layout directory; only the blobs the images reference are read.
class ImageLoader::DirectorySource : public ImageLoader::Source {
public:
    DirectorySource(ImageLoader &loader, const QString &dir)
        : m_loader(loader)
        , m_dir(dir) {}

    Status prepare() override { return {}; }

    Result<std::optional<QByteArray>> document(const QString &path) override {
        const QString file = m_dir + QLatin1Char('/') + path;
        if (!QFileInfo::exists(file))
            return std::optional<QByteArray>();
        auto data = readFileLimited(file, kMaxDocumentSize);
        if (!data)
            return fail(data.error().withContext(path));
        return std::optional<QByteArray>(*data);
    }

    Result<Digest> blob(const QString &path, const Digest &expected) override {
        const QString clean = cleanPath(path);
        if (clean.isEmpty())
            return fail(ErrorKind::InvalidArgument, QStringLiteral("%1: invalid path").arg(path));
        if (auto it = m_done.constFind(clean); it != m_done.constEnd())
            return *it;
        QFile f(m_dir + QLatin1Char('/') + clean);
        if (!f.open(QIODevice::ReadOnly))
            return fail(ErrorKind::NotFound,
                        QStringLiteral("%1: not found in the layout").arg(path));
        const qint64 size = f.size();
        auto progress = [&](qint64 done) {
            if (m_loader.m_progress)
                m_loader.m_progress({clean, done, size});
        };
        auto digest = storeStream(
            m_loader.m_stores.content,
            [&f](char *b, qint64 n) -> Result<qint64> {
                const qint64 got = f.read(b, n);
                if (got < 0)
                    return fail(ErrorKind::Unavailable, f.errorString());
                return got;
            },
            expected, -1, m_loader.m_cancel, progress);
        if (!digest)
            return fail(digest.error().withContext(path));
        m_done.insert(clean, *digest);
        return digest;
    }

private:
    ImageLoader &m_loader;
    QString m_dir;
    QHash<QString, Digest> m_done;
};

ImageLoader::ImageLoader(ArchiveStores stores)
    : m_stores(stores) {}

Result<QList<LoadedImage>> ImageLoader::loadPath(const QString &path) {
    const QString name = QFileInfo(path).fileName().isEmpty() ? path : QFileInfo(path).fileName();
    const QFileInfo info(path);
    if (!info.exists())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("load %1: no such file or directory").arg(path));
    if (info.isDir()) {
        DirectorySource source(*this, path);
        return load(source, name);
    }
    TarSource source(*this, path, -1);
    return load(source, name);
}

Result<QList<LoadedImage>> ImageLoader::loadStream(int fd, const QString &name) {
    TarSource source(*this, name, fd);
    return load(source, name);
}

namespace {

struct PreparedImage {
    ResolvedImage image;
    QByteArray manifest;
    Digest manifestDigest;
    QList<Reference> tags;
    QString label; // for messages
};

class Preparer {
public:
    Preparer(ContentStore &content,
             std::function<Result<Digest>(const QString &, const Digest &)> blob)
        : m_content(content)
        , m_blob(std::move(blob)) {}

    Status dockerArchive(const QByteArray &manifestJson, QList<PreparedImage> &out);
    Status ociLayout(const QByteArray &indexJson, QList<PreparedImage> &out);

private:
    Result<QByteArray> readDescribed(const Descriptor &d, qint64 limit, const QString &what);
    Status verifyDescribed(const Descriptor &d, const QString &what);
    Result<ResolvedImage> resolve(const Manifest &manifest);
    Status ociImage(const Descriptor &d, int depth, PreparedImage &image);

    ContentStore &m_content;
    std::function<Result<Digest>(const QString &, const Digest &)> m_blob;
};

Result<ResolvedImage> Preparer::resolve(const Manifest &manifest) {
    const Digest &digest = manifest.config.digest;
    auto raw = m_content.read(digest, kMaxConfigSize);
    if (!raw)
        return fail(raw.error().withContext(QStringLiteral("config %1").arg(digest.toString())));
    return ResolvedImage::resolve(manifest, *raw);
}

Status Preparer::dockerArchive(const QByteArray &manifestJson, QList<PreparedImage> &out) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(manifestJson, &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray())
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("manifest.json is not a JSON array: %1").arg(err.errorString()));
    const QJsonArray entries = doc.array();
    if (entries.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("manifest.json lists no images"));
    for (int i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries[i].toObject();
        PreparedImage image;
        const QJsonArray repoTags = entry.value(QStringLiteral("RepoTags")).toArray();
        image.label = repoTags.isEmpty() ? QStringLiteral("image %1").arg(i + 1)
                                         : QStringLiteral("image %1").arg(repoTags[0].toString());
        auto context = [&image](const Error &e) { return fail(e.withContext(image.label)); };
        for (const QJsonValue &t : repoTags) {
            auto ref = Reference::parse(t.toString());
            if (!ref)
                return context(ref.error());
            image.tags.append(*ref);
        }
        const QString configPath = entry.value(QStringLiteral("Config")).toString();
        if (configPath.isEmpty())
            return context(Error{ErrorKind::Corrupt, QStringLiteral("no Config in manifest.json")});
        auto configDigest = m_blob(configPath, digestFromName(cleanPath(configPath)));
        if (!configDigest)
            return context(configDigest.error().withContext(QStringLiteral("config")));
        const QJsonArray layerPaths = entry.value(QStringLiteral("Layers")).toArray();
        QList<int> uncompressed; // layers that are their own diffID: checked once resolved

        QList<Descriptor> layers;
        bool zstd = false;
        for (int l = 0; l < layerPaths.size(); ++l) {
            const QString path = layerPaths[l].toString();
            const QString what = QStringLiteral("layer %1").arg(path);
            const QString clean = cleanPath(path);
            auto digest = m_blob(
                path, clean.startsWith(QLatin1String("blobs/")) ? digestFromName(clean) : Digest());
            if (!digest)
                return context(digest.error().withContext(QStringLiteral("layer")));
            auto compression = detectFileCompression(m_content.blobPath(*digest));
            if (!compression)
                return context(compression.error().withContext(what));
            Descriptor d;
            d.digest = *digest;
            d.size = m_content.size(*digest).value_or(0);
            switch (*compression) {
            case Compression::None:
                d.mediaType = MediaType::DockerLayer;
                uncompressed.append(l);
                break;
            case Compression::Gzip:
                d.mediaType = MediaType::DockerLayerGzip;
                break;
            case Compression::Zstd:
                d.mediaType = MediaType::OciLayerZstd;
                zstd = true;
                break;
            case Compression::Bzip2:
            case Compression::Xz:
                return context(Error{ErrorKind::InvalidArgument,
                                     QStringLiteral("%1: unsupported compression (layers must be "
                                                    "tar, gzip or zstd)")
                                         .arg(what)});
            }
            layers.append(d);
        }
        // Docker's schema 2 has no zstd layer type; such images get an OCI manifest.
        Manifest m;
        m.mediaType = zstd ? MediaType::OciManifest : MediaType::DockerManifest;
        m.config.mediaType = zstd ? MediaType::OciConfig : MediaType::DockerConfig;
        m.config.digest = *configDigest;
        m.config.size = m_content.size(*configDigest).value_or(0);
        for (Descriptor d : layers) {
            if (zstd)
                d.mediaType = d.mediaType == MediaType::DockerLayerGzip ? MediaType::OciLayerGzip
                              : d.mediaType == MediaType::DockerLayer   ? MediaType::OciLayer
                                                                        : d.mediaType;
            m.layers.append(d);
        }
        auto resolved = resolve(m);
        if (!resolved)
            return context(resolved.error());
        // An uncompressed layer is its own diffID: catch a wrong one before unpacking.
        for (int l : std::as_const(uncompressed)) {
            const ResolvedLayer &layer = resolved->layers[l];
            if (layer.blob.digest != layer.diffId)
                return context(
                    Error{ErrorKind::Corrupt,
                          QStringLiteral("layer %1: content %2 does not match diffID "
                                         "%3 in the image config")
                              .arg(layerPaths[l].toString(), layer.blob.digest.toString(),
                                   layer.diffId.toString())});
        }
        image.image = *resolved;
        image.manifest = m.toJson();
        image.manifestDigest = Digest::ofData(image.manifest);
        out.append(image);
    }
    return {};
}

Status Preparer::verifyDescribed(const Descriptor &d, const QString &what) {
    auto digest = m_blob(blobPathOf(d.digest), d.digest);
    if (!digest)
        return fail(
            digest.error().withContext(QStringLiteral("%1 %2").arg(what, d.digest.toString())));
    const qint64 size = m_content.size(*digest).value_or(-1);
    if (size != d.size)
        return fail(ErrorKind::Corrupt, QStringLiteral("%1 %2: size mismatch: descriptor says %3 "
                                                       "bytes, blob has %4")
                                            .arg(what, d.digest.toString())
                                            .arg(d.size)
                                            .arg(size));
    return {};
}

Result<QByteArray> Preparer::readDescribed(const Descriptor &d, qint64 limit, const QString &what) {
    if (d.size > limit)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1 %2 is too large (%3 bytes; at most %4 are accepted)")
                        .arg(what, d.digest.toString())
                        .arg(d.size)
                        .arg(limit));
    if (auto st = verifyDescribed(d, what); !st)
        return fail(st.error());
    auto data = m_content.read(d.digest, limit);
    if (!data)
        return fail(
            data.error().withContext(QStringLiteral("%1 %2").arg(what, d.digest.toString())));
    return data;
}

Status Preparer::ociImage(const Descriptor &d, int depth, PreparedImage &image) {
    if (MediaType::isIndex(d.mediaType)) {
        if (depth >= kMaxIndexDepth)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("index %1: indexes nested deeper than %2 levels")
                            .arg(d.digest.toString())
                            .arg(kMaxIndexDepth));
        auto raw = readDescribed(d, kMaxManifestSize, QStringLiteral("index"));
        if (!raw)
            return fail(raw.error());
        auto index = ImageIndex::parse(*raw, d.mediaType);
        if (!index)
            return fail(
                index.error().withContext(QStringLiteral("index %1").arg(d.digest.toString())));
        const Platform host = Platform::host();
        auto selected = index->select(host);
        if (!selected) {
            // A nested index may itself hold per-platform indexes.
            for (const Descriptor &e : index->manifests)
                if (MediaType::isIndex(e.mediaType) && (!e.platform || e.platform->matches(host)))
                    selected = e;
        }
        if (!selected)
            return fail(ErrorKind::NotFound, QStringLiteral("index %1 has no image for %2")
                                                 .arg(d.digest.toString(), host.toString()));
        return ociImage(*selected, depth + 1, image);
    }
    if (!MediaType::isManifest(d.mediaType) && !d.mediaType.isEmpty())
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1: unsupported media type \"%2\"")
                        .arg(d.digest.toString(), d.mediaType.left(200)));
    auto raw = readDescribed(d, kMaxManifestSize, QStringLiteral("manifest"));
    if (!raw)
        return fail(raw.error());
    auto manifest = Manifest::parse(*raw, d.mediaType);
    if (!manifest)
        return fail(
            manifest.error().withContext(QStringLiteral("manifest %1").arg(d.digest.toString())));
    if (auto st = verifyDescribed(manifest->config, QStringLiteral("config")); !st)
        return st;
    auto resolved = resolve(*manifest);
    if (!resolved)
        return fail(
            resolved.error().withContext(QStringLiteral("manifest %1").arg(d.digest.toString())));
    for (const Descriptor &layer : std::as_const(manifest->layers))
        if (auto st = verifyDescribed(layer, QStringLiteral("layer")); !st)
            return st;
    image.image = *resolved;
    image.manifest = *raw;
    image.manifestDigest = d.digest;
    return {};
}

Status Preparer::ociLayout(const QByteArray &indexJson, QList<PreparedImage> &out) {
    auto index = ImageIndex::parse(indexJson, MediaType::OciIndex);
    if (!index)
        return fail(index.error().withContext(QStringLiteral("index.json")));
    if (index->manifests.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("index.json lists no images"));
    const Platform host = Platform::host();
    bool anyForHost = false;
    for (const Descriptor &d : std::as_const(index->manifests))
        anyForHost = anyForHost || !d.platform || d.platform->matches(host);
    for (const Descriptor &d : std::as_const(index->manifests)) {
        // A layout may hold one entry per platform; take the host's.
        if (anyForHost && d.platform && !d.platform->matches(host))
            continue;
        PreparedImage image;
        const QString fullName = d.annotations.value(kContainerdNameAnnotation).toString();
        const QString refName = d.annotations.value(kRefNameAnnotation).toString();
        // ref.name is often a bare tag ("latest"), which names no repository: such an image
        // stays untagged, as with `docker load`.
        const QString name =
            !fullName.isEmpty() ? fullName
            : (refName.contains(QLatin1Char(':')) || refName.contains(QLatin1Char('/')))
                ? refName
                : QString();
        image.label = QStringLiteral("image %1").arg(name.isEmpty() ? d.digest.toString() : name);
        if (!name.isEmpty()) {
            auto ref = Reference::parse(name);
            if (!ref)
                return fail(ref.error().withContext(image.label));
            image.tags.append(*ref);
            image.label = QStringLiteral("image %1").arg(ref->familiarString());
        }
        if (auto st = ociImage(d, 0, image); !st)
            return fail(st.error().withContext(image.label));
        out.append(image);
    }
    if (out.isEmpty())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("index.json has no image for %1").arg(host.toString()));
    return {};
}

} // namespace

Result<QList<LoadedImage>> ImageLoader::load(Source &source, const QString &name) {
    const QString context = QStringLiteral("load %1").arg(name);
    // Shared with other loads and pulls; garbage collection waits until this load is done.
    auto lock = FileLock::acquire(m_stores.content.paths().lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return fail(lock.error().withContext(context));
    if (auto st = source.prepare(); !st)
        return fail(st.error().withContext(context));

    Preparer preparer(m_stores.content, [&source](const QString &path, const Digest &expected) {
        return source.blob(path, expected);
    });
    QList<PreparedImage> prepared;
    auto manifestJson = source.document(kManifestJson);
    if (!manifestJson)
        return fail(manifestJson.error().withContext(context));
    if (*manifestJson) {
        if (auto st = preparer.dockerArchive(**manifestJson, prepared); !st)
            return fail(st.error().withContext(context));
    } else {
        auto indexJson = source.document(kIndexJson);
        if (!indexJson)
            return fail(indexJson.error().withContext(context));
        if (!*indexJson)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("%1: not a docker-archive or OCI image layout (it has "
                                       "neither manifest.json nor index.json)")
                            .arg(context));
        if (auto layout = source.document(kOciLayout); layout && *layout) {
            const QString version = QJsonDocument::fromJson(**layout)
                                        .object()
                                        .value(QStringLiteral("imageLayoutVersion"))
                                        .toString();
            if (!version.startsWith(QLatin1String("1.")))
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("%1: unsupported OCI layout version \"%2\"")
                                .arg(context, version.left(50)));
        }
        if (auto st = preparer.ociLayout(**indexJson, prepared); !st)
            return fail(st.error().withContext(context));
    }

    // One install per manifest, with all the names it was given.
    QList<PreparedImage> unique;
    for (const PreparedImage &p : std::as_const(prepared)) {
        auto same = std::find_if(unique.begin(), unique.end(), [&p](const PreparedImage &u) {
            return u.manifestDigest == p.manifestDigest;
        });
        if (same == unique.end())
            unique.append(p);
        else
            for (const Reference &r : p.tags)
                if (!same->tags.contains(r))
                    same->tags.append(r);
    }

    QList<LoadedImage> loaded;
    for (const PreparedImage &p : std::as_const(unique)) {
        ImageInstaller installer(m_stores.content, m_stores.snapshots, m_stores.images);
        installer.setCancelFlag(m_cancel);
        if (m_progress) {
            const QString label = p.label;
            installer.setProgressHandler([this, label](const InstallProgress &ip) {
                m_progress({QStringLiteral("%1: layer %2/%3")
                                .arg(label)
                                .arg(ip.layer + 1)
                                .arg(ip.layerCount),
                            ip.state == InstallProgress::State::Unpacking ? 0 : 1, 1});
            });
        }
        auto record = installer.install(p.image, p.manifest, p.tags);
        if (!record)
            return fail(record.error().withContext(p.label).withContext(context));
        QJsonObject attributes{{QStringLiteral("name"), p.tags.isEmpty()
                                                            ? record->id.toString()
                                                            : p.tags.first().familiarString()}};
        m_stores.events.record(QStringLiteral("image"), QStringLiteral("load"),
                               record->id.toString(), attributes);
        loaded.append({*record, p.tags});
    }
    return loaded;
}

} // namespace Berth::Engine
