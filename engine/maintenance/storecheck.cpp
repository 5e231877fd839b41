// SPDX-License-Identifier: GPL-3.0-or-later
// `system check`: apart from storemaintenance.cpp because it hashes image configs, so that
// removal and pruning (berthctl rmi, image prune) do not need OpenSSL.
#include "engine/maintenance/storemaintenance.h"

#include "engine/core/fileutil.h"

#include <QDir>
#include <QRegularExpression>
#include <QSet>

namespace Berth::Engine {

CheckReport StoreMaintenance::check() const {
    CheckReport report;
    QSet<Digest> liveLayers;
    QSet<Digest> liveBlobs;
    for (const ImageRecord &image : m_images.list()) {
        const QString name = image.tags.isEmpty() ? image.id.shortId() : image.tags.first();
        auto manifest = m_images.manifest(image);
        if (!manifest) {
            report.problems.append(
                QStringLiteral("image %1: manifest: %2").arg(name, manifest.error().message));
            continue;
        }
        auto config = m_images.config(image);
        if (!config) {
            report.problems.append(
                QStringLiteral("image %1: config: %2").arg(name, config.error().message));
            continue;
        }
        if (Digest::ofData(*m_images.rawConfig(image)) != image.id)
            report.problems.append(
                QStringLiteral("image %1: config blob does not match the image ID").arg(name));
        const QList<Digest> diffIds = config->diffIds();
        if (diffIds.size() != image.layers.size() ||
            manifest->layers.size() != image.layers.size()) {
            report.problems.append(
                QStringLiteral(
                    "image %1: layer count differs between config, manifest and metadata")
                    .arg(name));
            continue;
        }
        liveBlobs.insert(image.id);
        liveBlobs.insert(image.manifestDigest);
        Digest parent;
        for (int i = 0; i < image.layers.size(); ++i) {
            const LayerRecord &layer = image.layers[i];
            liveBlobs.insert(layer.blob.digest);
            liveLayers.insert(layer.chainId);
            if (layer.diffId != diffIds[i] || layer.chainId != chainIdOf(parent, layer.diffId))
                report.problems.append(
                    QStringLiteral("image %1: layer %2: chain ID does not follow from the diffIDs")
                        .arg(name)
                        .arg(i + 1));
            if (manifest->layers[i].digest != layer.blob.digest)
                report.problems.append(
                    QStringLiteral("image %1: layer %2: blob differs from the manifest")
                        .arg(name)
                        .arg(i + 1));
            if (!m_content.contains(layer.blob.digest))
                report.problems.append(QStringLiteral("image %1: layer %2: blob %3 is missing")
                                           .arg(name)
                                           .arg(i + 1)
                                           .arg(layer.blob.digest.toString()));
            else if (m_content.size(layer.blob.digest).value_or(-1) != layer.blob.size)
                report.problems.append(
                    QStringLiteral("image %1: layer %2: blob %3 has the wrong size")
                        .arg(name)
                        .arg(i + 1)
                        .arg(layer.blob.digest.toString()));
            if (!m_snapshots.exists(layer.chainId))
                report.problems.append(QStringLiteral("image %1: layer %2: snapshot %3 is missing")
                                           .arg(name)
                                           .arg(i + 1)
                                           .arg(layer.chainId.toString()));
            parent = layer.chainId;
        }
    }
    for (const SnapshotInfo &s : m_snapshots.list())
        if (!liveLayers.contains(s.chainId))
            report.notes.append(
                QStringLiteral("unused layer %1 (%2 bytes)").arg(s.chainId.toString()).arg(s.size));
    const QStringList dirs =
        QDir(m_paths.snapshots()).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::Hidden);
    for (const QString &name : dirs) {
        auto chain = Digest::parse(QStringLiteral("sha256:") + name);
        if (!chain)
            report.notes.append(QStringLiteral("unfinished layer directory %1").arg(name));
        else if (!m_snapshots.exists(*chain))
            report.notes.append(QStringLiteral("unrecorded layer directory %1").arg(name));
    }
    for (const Digest &blob : m_content.list())
        if (!liveBlobs.contains(blob))
            report.notes.append(QStringLiteral("unused blob %1").arg(blob.toString()));
    const QStringList ingests = QDir(m_paths.ingest()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    // A download's ingest is named by its digest and resumes; any other was a temporary write
    // (a commit's, build's, load's layer) named after its process, useless once that ended.
    static const QRegularExpression download(QStringLiteral("^[0-9a-f]{64}$"));
    for (const QString &ref : ingests) {
        if (download.match(ref).hasMatch())
            report.notes.append(QStringLiteral("partial download %1 (resumable)").arg(ref));
        else if (!tempNameOwnerAlive(ref))
            report.notes.append(QStringLiteral("unfinished write %1 of a process that ended "
                                               "(system prune removes it)")
                                    .arg(ref));
    }
    for (const LeftoverOwner &owner : m_leftovers)
        report.notes.append(owner.describe());
    return report;
}

} // namespace Berth::Engine
