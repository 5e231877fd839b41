// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/digest.h"

#include <openssl/evp.h>

namespace Berth::Engine {

namespace {
bool isLowerHex(const QString &s) {
    for (QChar c : s) {
        const char16_t u = c.unicode();
        if (!((u >= u'0' && u <= u'9') || (u >= u'a' && u <= u'f')))
            return false;
    }
    return true;
}
} // namespace

Result<Digest> Digest::parse(const QString &text) {
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon < 0)
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("invalid digest \"%1\": expected algorithm:hex").arg(text.left(80)));
    const QString algorithm = text.left(colon);
    const QString hex = text.mid(colon + 1);
    if (algorithm != QLatin1String("sha256"))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("unsupported digest algorithm \"%1\"").arg(algorithm.left(40)));
    if (hex.size() != 64 || !isLowerHex(hex))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid sha256 digest \"%1\"").arg(text.left(80)));
    return fromHex(hex);
}

Digest Digest::fromHex(const QString &hex) {
    Digest d;
    d.m_hex = hex;
    return d;
}

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
