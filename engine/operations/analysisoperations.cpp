// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/operations/analysisoperations.h"

#include "engine/enginestores.h"

#include <QFile>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace Berth::Engine {

AnalysisOperations Engine::analysis() {
    return AnalysisOperations(*this);
}

namespace {

Status extractTree(const LayerAnalysis &a, PathId id, int layer, const QString &dest) {
    const std::optional<FileNode> node = a.node(id, layer);
    if (!node)
        return fail(ErrorKind::NotFound,
                    QStringLiteral("%1 is not present at layer %2").arg(a.pathOf(id)).arg(layer));
    const QByteArray target = QFile::encodeName(dest);
    switch (node->type) {
    case FileType::Regular: {
        const QString source = a.layerFilePath(*node, id);
        QFile::remove(dest);
        if (!QFile::copy(source, dest))
            return fail(ErrorKind::PermissionDenied,
                        QStringLiteral("copy %1 to %2 failed").arg(source, dest));
        ::chmod(target.constData(), node->mode & 0777);
        return {};
    }
    case FileType::Directory: {
        if (::mkdir(target.constData(), 0755) != 0 && errno != EEXIST)
            return failErrno(QStringLiteral("mkdir %1").arg(dest), errno);
        const QList<PathId> children = a.childIds(id, layer);
        for (PathId c : children) {
            const std::optional<FileNode> child = a.node(c, layer);
            if (!child)
                continue;
            if (auto st = extractTree(a, c, layer, dest + QLatin1Char('/') + child->name); !st)
                return st;
        }
        ::chmod(target.constData(), (node->mode & 0777) | 0700);
        return {};
    }
    case FileType::Symlink:
        ::unlink(target.constData());
        if (::symlink(QFile::encodeName(node->linkTarget).constData(), target.constData()) != 0)
            return failErrno(QStringLiteral("symlink %1").arg(dest), errno);
        return {};
    default:
        return {}; // devices, fifos and sockets are not files one can take away
    }
}

} // namespace

ImageAnalyzer AnalysisOperations::analyzer() const {
    const EngineStores stores(m_engine);
    return ImageAnalyzer(m_engine.paths(), stores.images(), stores.snapshots());
}

Result<LayerAnalysis> AnalysisOperations::analyze(const ImageRecord &image) const {
    return analyzer().analyze(image);
}

Result<ImageComparison> AnalysisOperations::compare(const ImageRecord &base,
                                                    const ImageRecord &other) const {
    return analyzer().compare(base, other);
}

LayerSharing AnalysisOperations::sharing(const ImageRecord &image) const {
    return analyzer().sharing(image);
}

Status AnalysisOperations::extractPath(const LayerAnalysis &analysis, PathId id, int layer,
                                       const QString &destination) const {
    return extractTree(analysis, id, layer, destination);
}

Result<FileHead> AnalysisOperations::readFile(const LayerAnalysis &analysis, const FileNode &node,
                                              qint64 limit) const {
    if (node.type != FileType::Regular || node.layer < 0)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1 is not a regular file").arg(analysis.pathOf(node.id)));
    QFile f(analysis.layerFilePath(node, node.id));
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("read %1: %2").arg(analysis.pathOf(node.id), f.errorString()));
    FileHead head;
    head.size = f.size();
    head.bytes = f.read(limit);
    return head;
}

} // namespace Berth::Engine
