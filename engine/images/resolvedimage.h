// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// An image as every way into the store sees it once its manifest and config are read: pull
// (registry/puller), load (archive/imageloader) and the install that ends all of them
// (snapshots/imageinstaller) resolve it here, once, with the same checks and messages.
#include "engine/images/imageconfig.h"
#include "engine/images/manifest.h"

#include <QList>

namespace Berth::Engine {

// The most layers an image may have. Docker refuses more than about 125 (its overlay2 driver's
// own limit); Berth's is what overlayfs stacks in one mount (see runtime/overlaymount.h), so
// every image the store accepts can run.
inline constexpr int MaxImageLayers = 500;

struct ResolvedLayer {
    Descriptor blob; // in the manifest
    Digest diffId;   // of the uncompressed tar, from the config
    Digest chainId;  // the snapshot's key: this layer on top of those below it
    // The first layer of this image with the same diffID (its index), or -1: a repeated layer
    // has the same files, so it is unpacked once and its other snapshots share them.
    int sameAs = -1;
};

struct ResolvedImage {
    Manifest manifest;
    ImageConfig config;
    QList<ResolvedLayer> layers; // bottom first, as in the manifest

    // Checks that every layer is a layer media type, that the config lists as many diffIDs as
    // the manifest has layers and that there are at most MaxImageLayers, and works out the
    // chain IDs. `configJson` is the config blob's content.
    static Result<ResolvedImage> resolve(const Manifest &manifest, const QByteArray &configJson);
};

} // namespace Berth::Engine
