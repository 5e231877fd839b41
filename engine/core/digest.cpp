// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/digest.h"

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

} // namespace Berth::Engine
