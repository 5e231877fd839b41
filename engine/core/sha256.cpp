// SPDX-License-Identifier: GPL-3.0-or-later
// The hashing half of digest.h, apart from digest.cpp so that a program that only names digests
// (berthctl's container commands) does not load OpenSSL, 0.7 ms of every start.
#include "engine/core/digest.h"

#include <openssl/evp.h>

namespace Berth::Engine {

Digest Digest::ofData(const QByteArray &data) {
    Sha256 h;
    h.add(data);
    return h.finish();
}

struct Sha256::State {
    EVP_MD_CTX *ctx = nullptr;
};

Sha256::Sha256()
    : d(std::make_unique<State>()) {
    d->ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(d->ctx, EVP_sha256(), nullptr);
}

Sha256::~Sha256() {
    EVP_MD_CTX_free(d->ctx);
}

void Sha256::add(const char *data, qint64 size) {
    if (size > 0)
        EVP_DigestUpdate(d->ctx, data, size_t(size));
}

Digest Sha256::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(d->ctx, out, &len);
    return Digest::fromHex(
        QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(out), int(len)).toHex()));
}

Digest chainIdOf(const Digest &parentChainId, const Digest &diffId) {
    if (!parentChainId.isValid())
        return diffId;
    return Digest::ofData(
        (parentChainId.toString() + QLatin1Char(' ') + diffId.toString()).toUtf8());
}

} // namespace Berth::Engine
