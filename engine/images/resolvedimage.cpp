// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/resolvedimage.h"

#include "engine/images/mediatypes.h"

#include <QHash>

namespace Berth::Engine {

Result<ResolvedImage> ResolvedImage::resolve(const Manifest &manifest,
                                             const QByteArray &configJson) {
    auto config = ImageConfig::parse(configJson);
    if (!config)
        return fail(config.error().withContext(QStringLiteral("image config")));
    const QList<Digest> diffIds = config->diffIds();
    if (diffIds.size() != manifest.layers.size())
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("image config lists %1 layers but the manifest has %2")
                        .arg(diffIds.size())
                        .arg(manifest.layers.size()));
    if (manifest.layers.size() > MaxImageLayers)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("the image has %1 layers; Berth takes at most %2 (what one "
                                   "overlay mount can stack)")
                        .arg(manifest.layers.size())
                        .arg(MaxImageLayers));
    ResolvedImage out;
    out.manifest = manifest;
    out.config = *config;
    QHash<Digest, int> firstWith;
    Digest chain;
    for (int i = 0; i < manifest.layers.size(); ++i) {
        ResolvedLayer layer;
        layer.blob = manifest.layers[i];
        if (!MediaType::isLayer(layer.blob.mediaType))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("layer %1 has unsupported media type \"%2\"")
                            .arg(layer.blob.digest.toString(), layer.blob.mediaType.left(200)));
        layer.diffId = diffIds[i];
        chain = chainIdOf(chain, layer.diffId);
        layer.chainId = chain;
        layer.sameAs = firstWith.value(layer.diffId, -1);
        if (layer.sameAs < 0)
            firstWith.insert(layer.diffId, i);
        out.layers.append(layer);
    }
    return out;
}

} // namespace Berth::Engine
