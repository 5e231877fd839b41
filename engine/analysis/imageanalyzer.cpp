// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/analysis/imageanalyzer.h"

#include "engine/core/fileutil.h"

#include <QFile>
#include <QSet>
#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

// The largest cache file accepted: far beyond any real image, small enough to be safe.
constexpr qint64 kMaxCacheSize = qint64(2) * 1024 * 1024 * 1024 - 1;

Result<Digest> hashFile(const QString &path) {
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return failErrno(QStringLiteral("open %1").arg(path), errno);
    Sha256 hash;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0) {
            const int err = errno;
            ::close(fd);
            return failErrno(QStringLiteral("read %1").arg(path), err);
        }
        if (n == 0)
            break;
        hash.add(buffer, n);
    }
    ::close(fd);
    return hash.finish();
}

struct Named {
    QString name;
    PathId id;
};

QList<Named> namedChildren(const LayerAnalysis &a, PathId dir) {
    QList<Named> out;
    const QList<PathId> ids = a.childIds(dir);
    for (PathId id : ids)
        if (auto n = a.node(id))
            out.append(Named{n->name, id});
    std::sort(out.begin(), out.end(),
              [](const Named &x, const Named &y) { return x.name < y.name; });
    return out;
}

class Comparer {
public:
    Comparer(const LayerAnalysis &base, const LayerAnalysis &other, QList<FileDifference> &out)
        : m_base(base)
        , m_other(other)
        , m_out(out) {}

    void compareDirectories(PathId b, PathId o, const QString &prefix) {
        const QList<Named> bs = namedChildren(m_base, b);
        const QList<Named> os = namedChildren(m_other, o);
        qsizetype i = 0, j = 0;
        while (i < bs.size() || j < os.size()) {
            if (j >= os.size() || (i < bs.size() && bs[i].name < os[j].name)) {
                onlyIn(m_base, bs[i].id, prefix + bs[i].name, ChangeKind::Deleted);
                ++i;
            } else if (i >= bs.size() || os[j].name < bs[i].name) {
                onlyIn(m_other, os[j].id, prefix + os[j].name, ChangeKind::Added);
                ++j;
            } else {
                both(bs[i].id, os[j].id, prefix + bs[i].name);
                ++i;
                ++j;
            }
        }
    }

private:
    void onlyIn(const LayerAnalysis &a, PathId id, const QString &path, ChangeKind kind) {
        FileDifference diff;
        diff.path = path;
        diff.kind = kind;
        if (kind == ChangeKind::Deleted)
            diff.base = a.node(id);
        else
            diff.other = a.node(id);
        const bool directory = (diff.base ? diff.base : diff.other)->type == FileType::Directory;
        m_out.append(diff);
        if (directory)
            for (const Named &c : namedChildren(a, id))
                onlyIn(a, c.id, path + QLatin1Char('/') + c.name, kind);
    }

    bool sameOrigin(const FileNode &b, const FileNode &o) const {
        const LayerSummary lb = m_base.layer(b.layer);
        const LayerSummary lo = m_other.layer(o.layer);
        if (lb.diffId.isValid() && lb.diffId == lo.diffId)
            return true;
        return !lb.directory.isEmpty() && lb.directory == lo.directory;
    }

    void both(PathId b, PathId o, const QString &path) {
        const std::optional<FileNode> nb = m_base.node(b);
        const std::optional<FileNode> no = m_other.node(o);
        quint8 aspects = 0;
        if (nb->type != no->type)
            aspects |= FileDifference::Type;
        if (nb->size != no->size)
            aspects |= FileDifference::Size;
        if (nb->mode != no->mode)
            aspects |= FileDifference::Mode;
        if (nb->uid != no->uid || nb->gid != no->gid)
            aspects |= FileDifference::Owner;
        if (nb->linkTarget != no->linkTarget)
            aspects |= FileDifference::LinkTarget;
        if (!aspects && nb->type == FileType::Regular && nb->size > 0 && !sameOrigin(*nb, *no)) {
            auto hb = hashFile(m_base.layerFilePath(*nb, b));
            auto ho = hashFile(m_other.layerFilePath(*no, o));
            if (!hb || !ho || *hb != *ho)
                aspects |= FileDifference::Content;
        }
        if (aspects)
            m_out.append(FileDifference{path, ChangeKind::Modified, aspects, nb, no});
        const bool bDir = nb->type == FileType::Directory;
        const bool oDir = no->type == FileType::Directory;
        if (bDir && oDir) {
            compareDirectories(b, o, path + QLatin1Char('/'));
        } else if (bDir) {
            for (const Named &c : namedChildren(m_base, b))
                onlyIn(m_base, c.id, path + QLatin1Char('/') + c.name, ChangeKind::Deleted);
        } else if (oDir) {
            for (const Named &c : namedChildren(m_other, o))
                onlyIn(m_other, c.id, path + QLatin1Char('/') + c.name, ChangeKind::Added);
        }
    }

    const LayerAnalysis &m_base;
    const LayerAnalysis &m_other;
    QList<FileDifference> &m_out;
};

qint64 bytesToPull(const LayerAnalysis &have, const LayerAnalysis &pull) {
    QSet<QString> present;
    for (int i = 0; i < have.layerCount(); ++i)
        present.insert(have.layer(i).diffId.hex());
    qint64 bytes = 0;
    for (int i = 0; i < pull.layerCount(); ++i) {
        const LayerSummary l = pull.layer(i);
        if (!l.diffId.isValid() || present.contains(l.diffId.hex()))
            continue;
        present.insert(l.diffId.hex());
        bytes += l.blobSize;
    }
    return bytes;
}

} // namespace

QString aspectNames(quint8 aspects) {
    QStringList names;
    if (aspects & FileDifference::Type)
        names.append(QStringLiteral("type"));
    if (aspects & FileDifference::Size)
        names.append(QStringLiteral("size"));
    if (aspects & FileDifference::Mode)
        names.append(QStringLiteral("mode"));
    if (aspects & FileDifference::Owner)
        names.append(QStringLiteral("owner"));
    if (aspects & FileDifference::LinkTarget)
        names.append(QStringLiteral("link"));
    if (aspects & FileDifference::Content)
        names.append(QStringLiteral("content"));
    return names.join(QLatin1Char(','));
}

ImageComparison compareAnalyses(const LayerAnalysis &base, const LayerAnalysis &other) {
    ImageComparison c;
    const int common = qMin(base.layerCount(), other.layerCount());
    while (c.sharedLayers < common) {
        const Digest a = base.layer(c.sharedLayers).chainId;
        const Digest b = other.layer(c.sharedLayers).chainId;
        if (!a.isValid() || a != b)
            break;
        ++c.sharedLayers;
    }
    const bool identical =
        c.sharedLayers == base.layerCount() && c.sharedLayers == other.layerCount();
    c.divergeIndex = identical ? -1 : c.sharedLayers;
    if (!identical)
        Comparer(base, other, c.differences)
            .compareDirectories(kRootPath, kRootPath, QStringLiteral("/"));
    c.bytesToPullOther = bytesToPull(base, other);
    c.bytesToPullBase = bytesToPull(other, base);
    return c;
}

LayerSharing layerSharing(const ImageRecord &image, const QHash<QString, int> &useCounts,
                          const QList<qint64> &layerSizes) {
    LayerSharing s;
    for (int i = 0; i < image.layers.size(); ++i) {
        const int uses = useCounts.value(image.layers[i].chainId.toString(), 1);
        s.useCounts.append(uses);
        const qint64 bytes = layerSizes.value(i);
        if (uses > 1)
            s.sharedBytes += bytes;
        else
            s.uniqueBytes += bytes;
    }
    return s;
}

ImageAnalyzer::ImageAnalyzer(const StorePaths &paths, ImageStore &images, SnapshotStore &snapshots)
    : m_paths(paths)
    , m_images(images)
    , m_snapshots(snapshots) {}

QString ImageAnalyzer::cachePath(const Digest &imageId) const {
    return m_paths.cache() + QStringLiteral("/analysis/") + imageId.hex();
}

Result<QList<LayerSource>> ImageAnalyzer::layerSources(const ImageRecord &image) const {
    auto config = m_images.config(image);
    if (!config)
        return fail(config.error());
    QList<HistoryEntry> history = config->history();
    history.removeIf([](const HistoryEntry &h) { return h.emptyLayer; });
    QList<LayerSource> sources;
    for (int i = 0; i < image.layers.size(); ++i) {
        const LayerRecord &l = image.layers[i];
        LayerSource s;
        s.directory = m_snapshots.filesPath(l.chainId);
        s.createdBy = i < history.size() ? history[i].createdBy : QString();
        s.diffId = l.diffId;
        s.chainId = l.chainId;
        s.blobSize = l.blob.size;
        sources.append(s);
    }
    return sources;
}

Result<LayerAnalysis> ImageAnalyzer::analyze(const ImageRecord &image) const {
    auto sources = layerSources(image);
    if (!sources)
        return fail(sources.error());
    QStringList directories;
    for (const LayerSource &s : std::as_const(*sources))
        directories.append(s.directory);
    const QString cache = cachePath(image.id);
    if (auto bytes = readFileLimited(cache, kMaxCacheSize)) {
        if (auto cached = LayerAnalysis::deserialize(*bytes);
            cached && cached->layerCount() == sources->size()) {
            cached->setLayerDirectories(directories);
            return cached;
        }
    }
    auto analysis = LayerAnalysis::analyze(*sources);
    if (!analysis)
        return fail(analysis.error().withContext(image.id.shortId()));
    // A cache that cannot be written only costs time next time.
    if (makeDirectories(m_paths.cache() + QStringLiteral("/analysis")))
        (void)writeFileAtomically(cache, analysis->serialize());
    return analysis;
}

Result<ImageComparison> ImageAnalyzer::compare(const ImageRecord &base,
                                               const ImageRecord &other) const {
    auto a = analyze(base);
    if (!a)
        return fail(a.error());
    auto b = analyze(other);
    if (!b)
        return fail(b.error());
    return compareAnalyses(*a, *b);
}

LayerSharing ImageAnalyzer::sharing(const ImageRecord &image) const {
    QList<qint64> sizes;
    for (const LayerRecord &l : image.layers) {
        auto info = m_snapshots.info(l.chainId);
        sizes.append(info ? info->size : 0);
    }
    return layerSharing(image, m_images.chainIdUseCounts(), sizes);
}

} // namespace Berth::Engine
