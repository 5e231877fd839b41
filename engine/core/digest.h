// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <memory>

namespace Berth::Engine {

// A content digest "sha256:<64 lowercase hex>". Only sha256 is accepted: it is what every
// registry and tool uses, and accepting others would let a manifest pick a weak algorithm.
class Digest {
public:
    Digest() = default;
    static Result<Digest> parse(const QString &text);
    static Digest fromHex(const QString &hex); // caller guarantees 64 lowercase hex characters
    static Digest ofData(const QByteArray &data);

    bool isValid() const { return !m_hex.isEmpty(); }
    QString hex() const { return m_hex; }
    QString toString() const { return QStringLiteral("sha256:") + m_hex; }
    QString shortId() const { return m_hex.left(12); } // Docker's 12-character image/layer id

    friend bool operator==(const Digest &, const Digest &) = default;
    friend bool operator<(const Digest &a, const Digest &b) { return a.m_hex < b.m_hex; }

private:
    QString m_hex;
};

inline size_t qHash(const Digest &d, size_t seed = 0) {
    return qHash(d.hex(), seed);
}

// Incremental SHA-256 (OpenSSL), for hashing streams while they are written.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void add(const char *data, qint64 size);
    void add(const QByteArray &data) { add(data.constData(), data.size()); }
    // Finishes the hash; the object must not be used afterwards.
    Digest finish();

private:
    struct State;
    std::unique_ptr<State> d;
};

// OCI chain ID: chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
Digest chainIdOf(const Digest &parentChainId, const Digest &diffId);

} // namespace Berth::Engine
