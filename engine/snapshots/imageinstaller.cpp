// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshots/imageinstaller.h"

#include "engine/images/mediatypes.h"

#include <QMutex>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

namespace Berth::Engine {

ImageInstaller::ImageInstaller(ContentStore &content, SnapshotStore &snapshots, ImageStore &images)
    : m_content(content)
    , m_snapshots(snapshots)
    , m_images(images) {}

Result<ImageRecord> ImageInstaller::install(const QByteArray &manifestJson,
                                            const QList<Reference> &tags) {
    auto manifest = Manifest::parse(manifestJson);
    if (!manifest)
        return fail(manifest.error());
    auto rawConfig = m_content.read(manifest->config.digest, kMaxConfigSize);
    if (!rawConfig)
        return fail(rawConfig.error().withContext(QStringLiteral("image config")));
    auto config = ImageConfig::parse(*rawConfig);
    if (!config)
        return fail(config.error());
    const QList<Digest> diffIds = config->diffIds();
    if (diffIds.size() != manifest->layers.size())
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("image config lists %1 layers but the manifest has %2")
                        .arg(diffIds.size())
                        .arg(manifest->layers.size()));

    ImageRecord record;
    record.id = manifest->config.digest;
    record.manifestMediaType = manifest->mediaType;
    record.created = config->created();
    record.os = config->os();
    record.architecture = config->architecture();
    Digest parent;
    for (int i = 0; i < manifest->layers.size(); ++i) {
        const Descriptor &blob = manifest->layers[i];
        if (!MediaType::isLayer(blob.mediaType))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("layer %1 has unsupported media type \"%2\"")
                            .arg(blob.digest.toString(), blob.mediaType.left(200)));
        if (!m_content.contains(blob.digest))
            return fail(ErrorKind::NotFound,
                        QStringLiteral("layer blob %1 is missing").arg(blob.digest.toString()));
        LayerRecord layer;
        layer.diffId = diffIds[i];
        layer.chainId = chainIdOf(parent, diffIds[i]);
        layer.blob = blob;
        record.layers.append(layer);
        parent = layer.chainId;
    }

    // Unpack the missing layers side by side; each one checks its own diffID.
    QList<int> todo;
    for (int i = 0; i < record.layers.size(); ++i) {
        if (m_snapshots.exists(record.layers[i].chainId)) {
            if (m_progress)
                m_progress({i, int(record.layers.size()), InstallProgress::State::AlreadyPresent});
        } else {
            todo.append(i);
        }
    }
    QThreadPool pool;
    pool.setMaxThreadCount(m_parallelism > 0 ? m_parallelism
                                             : qMax(2, QThread::idealThreadCount()));
    QMutex mutex;
    QList<Error> errors;
    QtConcurrent::blockingMap(&pool, todo, [&](int i) {
        if (m_cancel && m_cancel->load()) {
            QMutexLocker lock(&mutex);
            errors.append(Error{ErrorKind::Cancelled, QStringLiteral("cancelled")});
            return;
        }
        if (m_progress)
            m_progress({i, int(record.layers.size()), InstallProgress::State::Unpacking});
        const LayerRecord &layer = record.layers[i];
        const Digest parentChain = i > 0 ? record.layers[i - 1].chainId : Digest();
        auto info =
            m_snapshots.unpack(m_content.blobPath(layer.blob.digest), parentChain, layer.diffId);
        if (!info) {
            QMutexLocker lock(&mutex);
            errors.append(info.error().withContext(
                QStringLiteral("layer %1 (%2)").arg(i + 1).arg(layer.blob.digest.toString())));
            return;
        }
        if (m_progress)
            m_progress({i, int(record.layers.size()), InstallProgress::State::Done});
    });
    if (!errors.isEmpty())
        return fail(errors.first());

    for (const LayerRecord &layer : std::as_const(record.layers))
        if (auto info = m_snapshots.info(layer.chainId))
            record.size += info->size;
    auto manifestDigest = m_content.write(manifestJson);
    if (!manifestDigest)
        return fail(manifestDigest.error());
    record.manifestDigest = *manifestDigest;
    if (auto st = m_images.add(record, tags); !st)
        return fail(st.error());
    for (const Reference &r : tags)
        record.tags.append(r.toString());
    return record;
}

} // namespace Berth::Engine
