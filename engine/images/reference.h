// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QString>

namespace Berth::Engine {

// An image reference, parsed and normalised exactly like Docker's distribution/reference:
// "busybox" -> docker.io/library/busybox:latest, "localhost:5000/a/b@sha256:..." keeps its
// registry, upper-case repositories and 64-hex names are rejected with a reason.
class Reference {
public:
    // Parses a user-typed reference. Adds ":latest" when neither tag nor digest is given.
    static Result<Reference> parse(const QString &text);
    // Parses a reference but leaves the tag empty when none is given (for `tags REPO`).
    static Result<Reference> parseRepository(const QString &text);

    QString domain() const { return m_domain; } // "docker.io", "localhost:5000"
    QString path() const { return m_path; }     // "library/busybox"
    QString tag() const { return m_tag; }       // may be empty when a digest is given
    Digest digest() const { return m_digest; }  // may be invalid
    QString name() const { return m_domain + QLatin1Char('/') + m_path; }

    // Fully qualified: "docker.io/library/busybox:latest", "host/p@sha256:..." or both.
    QString toString() const;
    // The short form Docker shows: "busybox:latest", "user/app:1", "localhost:5000/x:y".
    QString familiarString() const;
    // "busybox", "user/app", "localhost:5000/x".
    QString familiarName() const;

    Reference withTag(const QString &tag) const;
    Reference withDigest(const Digest &digest) const;

    bool isDockerHub() const { return m_domain == QLatin1String("docker.io"); }

    static bool isValidTag(const QString &tag);

    friend bool operator==(const Reference &, const Reference &) = default;

private:
    static Result<Reference> parseImpl(const QString &text, bool defaultTag);

    QString m_domain;
    QString m_path;
    QString m_tag;
    Digest m_digest;
};

} // namespace Berth::Engine
