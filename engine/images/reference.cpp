// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/reference.h"

#include <QRegularExpression>

namespace Berth::Engine {

namespace {
// The grammar of github.com/distribution/reference (regexp.go), written out once here.
const QRegularExpression &domainRe() {
    static const QRegularExpression re(
        QStringLiteral("^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|["
                       "a-zA-Z0-9][a-zA-Z0-9-]*"
                       "[a-zA-Z0-9]))*(?::[0-9]+)?$|^\\[[a-fA-F0-9:]+\\](?::[0-9]+)?$"));
    return re;
}
const QRegularExpression &pathComponentRe() {
    static const QRegularExpression re(QStringLiteral("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$"));
    return re;
}
const QRegularExpression &tagRe() {
    static const QRegularExpression re(QStringLiteral("^[\\w][\\w.-]{0,127}$"));
    return re;
}
const QRegularExpression &hex64Re() {
    static const QRegularExpression re(QStringLiteral("^[a-f0-9]{64}$"));
    return re;
}
constexpr int kMaxNameLength = 255;

std::unexpected<Error> invalid(const QString &text, const QString &why) {
    return fail(ErrorKind::InvalidArgument,
                QStringLiteral("invalid reference \"%1\": %2").arg(text.left(300), why));
}
} // namespace

bool Reference::isValidTag(const QString &tag) {
    return tagRe().match(tag).hasMatch();
}

Result<Reference> Reference::parse(const QString &text) {
    return parseImpl(text, true);
}

Result<Reference> Reference::parseRepository(const QString &text) {
    return parseImpl(text, false);
}

Result<Reference> Reference::parseImpl(const QString &text, bool defaultTag) {
    if (text.isEmpty())
        return invalid(text, QStringLiteral("empty reference"));
    QString rest = text;
    Reference ref;

    if (const qsizetype at = rest.indexOf(QLatin1Char('@')); at >= 0) {
        auto digest = Digest::parse(rest.mid(at + 1));
        if (!digest)
            return invalid(text, digest.error().message);
        ref.m_digest = *digest;
        rest = rest.left(at);
    }
    // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
    const qsizetype lastSlash = rest.lastIndexOf(QLatin1Char('/'));
    if (const qsizetype colon = rest.lastIndexOf(QLatin1Char(':')); colon > lastSlash) {
        const QString tag = rest.mid(colon + 1);
        if (!isValidTag(tag))
            return invalid(text, QStringLiteral("invalid tag \"%1\"").arg(tag.left(140)));
        ref.m_tag = tag;
        rest = rest.left(colon);
    }
    if (rest.isEmpty())
        return invalid(text, QStringLiteral("repository name is empty"));
    if (rest.size() > kMaxNameLength)
        return invalid(text, QStringLiteral("repository name must not be more than %1 characters")
                                 .arg(kMaxNameLength));

    // Docker's splitDockerDomain: the first component is a registry host when it contains '.'
    // or ':', is "localhost", or has upper-case letters (which a path could not have).
    const qsizetype slash = rest.indexOf(QLatin1Char('/'));
    QString domain;
    QString remainder;
    if (slash < 0) {
        domain = QStringLiteral("docker.io");
        remainder = rest;
    } else {
        const QString first = rest.left(slash);
        if (first.contains(QLatin1Char('.')) || first.contains(QLatin1Char(':')) ||
            first == QLatin1String("localhost") || first.toLower() != first) {
            domain = first;
            remainder = rest.mid(slash + 1);
        } else {
            domain = QStringLiteral("docker.io");
            remainder = rest;
        }
    }
    if (domain == QLatin1String("index.docker.io"))
        domain = QStringLiteral("docker.io");
    if (domain == QLatin1String("docker.io") && !remainder.contains(QLatin1Char('/')))
        remainder = QStringLiteral("library/") + remainder;

    if (!domainRe().match(domain).hasMatch())
        return invalid(text, QStringLiteral("invalid registry host \"%1\"").arg(domain.left(300)));
    if (remainder.toLower() != remainder)
        return invalid(text, QStringLiteral("repository name must be lowercase"));
    if (remainder.isEmpty())
        return invalid(text, QStringLiteral("repository name is empty"));
    const QStringList components = remainder.split(QLatin1Char('/'));
    for (const QString &c : components)
        if (!pathComponentRe().match(c).hasMatch())
            return invalid(
                text, QStringLiteral("invalid repository path component \"%1\"").arg(c.left(300)));
    if (slash < 0 && ref.m_tag.isEmpty() && !ref.m_digest.isValid() &&
        hex64Re().match(rest).hasMatch())
        return invalid(text,
                       QStringLiteral("cannot specify 64-byte hexadecimal strings as a name"));
    if ((domain + QLatin1Char('/') + remainder).size() > kMaxNameLength)
        return invalid(text, QStringLiteral("repository name must not be more than %1 characters")
                                 .arg(kMaxNameLength));

    ref.m_domain = domain;
    ref.m_path = remainder;
    if (defaultTag && ref.m_tag.isEmpty() && !ref.m_digest.isValid())
        ref.m_tag = QStringLiteral("latest");
    return ref;
}

QString Reference::toString() const {
    QString s = name();
    if (!m_tag.isEmpty())
        s += QLatin1Char(':') + m_tag;
    if (m_digest.isValid())
        s += QLatin1Char('@') + m_digest.toString();
    return s;
}

QString Reference::familiarName() const {
    if (m_domain == QLatin1String("docker.io")) {
        if (m_path.startsWith(QLatin1String("library/")) && m_path.count(QLatin1Char('/')) == 1)
            return m_path.mid(8);
        return m_path;
    }
    return name();
}

QString Reference::familiarString() const {
    QString s = familiarName();
    if (!m_tag.isEmpty())
        s += QLatin1Char(':') + m_tag;
    if (m_digest.isValid())
        s += QLatin1Char('@') + m_digest.toString();
    return s;
}

Reference Reference::withTag(const QString &tag) const {
    Reference r = *this;
    r.m_tag = tag;
    return r;
}

Reference Reference::withDigest(const Digest &digest) const {
    Reference r = *this;
    r.m_digest = digest;
    return r;
}

} // namespace Berth::Engine
