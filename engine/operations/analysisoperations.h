// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/imageanalyzer.h"

namespace Berth::Engine {

class Engine;

// The start of a file as it is in an image (the layer explorer's preview).
struct FileHead {
    QByteArray bytes; // at most the limit asked for
    qint64 size = 0;  // the whole file's
};

// The analysis operations of the facade: an image's layers file by file (changes, wasted
// space, efficiency; cached in the store) and two images compared. Synchronous and thread-safe;
// the GUI runs them through Engine::async.
class AnalysisOperations {
public:
    explicit AnalysisOperations(Engine &engine)
        : m_engine(engine) {}

    Result<LayerAnalysis> analyze(const ImageRecord &image) const;
    Result<ImageComparison> compare(const ImageRecord &base, const ImageRecord &other) const;
    // How much of the image it shares with other images, by layer.
    LayerSharing sharing(const ImageRecord &image) const;
    // Writes the path `id` as it is at `layer` of `analysis` (one this engine made) to
    // `destination`: files copied from their layer, directories recreated with their merged
    // contents, symlinks as they are; devices, fifos and sockets are skipped.
    Status extractPath(const LayerAnalysis &analysis, PathId id, int layer,
                       const QString &destination) const;

    // The first `limit` bytes of the regular file `node` (of `analysis`, one this engine made),
    // read from the layer that holds its content.
    Result<FileHead> readFile(const LayerAnalysis &analysis, const FileNode &node,
                              qint64 limit) const;

private:
    ImageAnalyzer analyzer() const;

    Engine &m_engine;
};

} // namespace Berth::Engine
