// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/snapshots/imageinstaller.h"

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
    auto image = ResolvedImage::resolve(*manifest, *rawConfig);
    if (!image)
        return fail(image.error());
    return install(*image, manifestJson, tags);
}

Result<ImageRecord> ImageInstaller::install(const ResolvedImage &image,
                                            const QByteArray &manifestJson,
                                            const QList<Reference> &tags) {
    ImageRecord record;
    record.id = image.manifest.config.digest;
    record.manifestMediaType = image.manifest.mediaType;
    record.created = image.config.created();
    record.os = image.config.os();
    record.architecture = image.config.architecture();
    for (const ResolvedLayer &resolved : image.layers) {
        if (!m_content.contains(resolved.blob.digest))
            return fail(
                ErrorKind::NotFound,
                QStringLiteral("layer blob %1 is missing").arg(resolved.blob.digest.toString()));
        LayerRecord layer;
        layer.diffId = resolved.diffId;
        layer.chainId = resolved.chainId;
        layer.blob = resolved.blob;
        record.layers.append(layer);
    }
    if (auto st = makeSnapshots(image); !st)
        return fail(st.error());
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

Status ImageInstaller::makeSnapshots(const ResolvedImage &image) {
    const int count = int(image.layers.size());
    auto report = [&](int i, InstallProgress::State state) {
        if (m_progress)
            m_progress({i, count, state});
    };
    // Unpack the missing layers side by side (each checks its own diffID); a layer the image
    // lists again is unpacked once, and its later snapshots share that one's files.
    QList<int> todo, repeats;
    for (int i = 0; i < count; ++i) {
        if (m_snapshots.exists(image.layers[i].chainId))
            report(i, InstallProgress::State::AlreadyPresent);
        else
            (image.layers[i].sameAs >= 0 ? repeats : todo).append(i);
    }
    QThreadPool pool;
    pool.setMaxThreadCount(m_parallelism > 0 ? m_parallelism
                                             : qMax(2, QThread::idealThreadCount()));
    QMutex mutex;
    QList<Error> errors;
    auto parentOf = [&](int i) { return i > 0 ? image.layers[i - 1].chainId : Digest(); };
    QtConcurrent::blockingMap(&pool, todo, [&](int i) {
        if (m_cancel && m_cancel->load()) {
            QMutexLocker lock(&mutex);
            errors.append(Error{ErrorKind::Cancelled, QStringLiteral("cancelled")});
            return;
        }
        report(i, InstallProgress::State::Unpacking);
        const ResolvedLayer &layer = image.layers[i];
        auto info =
            m_snapshots.unpack(m_content.blobPath(layer.blob.digest), parentOf(i), layer.diffId);
        if (!info) {
            QMutexLocker lock(&mutex);
            errors.append(info.error().withContext(
                QStringLiteral("layer %1 (%2)").arg(i + 1).arg(layer.blob.digest.toString())));
            return;
        }
        report(i, InstallProgress::State::Done);
    });
    if (!errors.isEmpty())
        return fail(errors.first());
    for (int i : std::as_const(repeats)) {
        if (m_cancel && m_cancel->load())
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        const ResolvedLayer &layer = image.layers[i];
        auto info = m_snapshots.shareFiles(image.layers[layer.sameAs].chainId, parentOf(i));
        if (!info)
            return fail(info.error().withContext(
                QStringLiteral("layer %1 (%2)").arg(i + 1).arg(layer.blob.digest.toString())));
        report(i, InstallProgress::State::Done);
    }
    return {};
}

} // namespace Berth::Engine
