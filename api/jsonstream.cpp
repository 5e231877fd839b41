// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/jsonstream.h"

namespace Berth::Api {

bool JsonStream::send(const QJsonObject &message) {
    if (!m_ok)
        return false;
    if (!m_started) {
        m_started = true;
        if (!m_exchange.connection.beginChunked(200, "application/json"))
            return m_ok = false;
    }
    m_ok = m_exchange.connection.writeChunk(QJsonDocument(message).toJson(QJsonDocument::Compact) +
                                            "\r\n");
    return m_ok;
}

bool JsonStream::status(const QString &text, const QString &id) {
    QJsonObject o{{QStringLiteral("status"), text}};
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return send(o);
}

void JsonStream::fail(const Engine::Error &error, FailAs mode) {
    if (!m_started && mode == FailAs::HttpErrorFirst) {
        m_exchange.error(error);
        m_ok = false;
        return;
    }
    send({{QStringLiteral("errorDetail"), QJsonObject{{QStringLiteral("message"), error.message}}},
          {QStringLiteral("error"), error.message}});
}

void JsonStream::finish() {
    if (!m_started) {
        m_started = true;
        if (!m_exchange.connection.beginChunked(200, "application/json"))
            return;
    }
    if (m_ok)
        m_exchange.connection.endChunked();
}

std::optional<Engine::Credentials> registryAuth(const HttpRequest &request) {
    const QByteArray header = request.header("x-registry-auth");
    if (header.isEmpty())
        return std::nullopt;
    const QByteArray json = QByteArray::fromBase64(header, QByteArray::Base64UrlEncoding);
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    Engine::Credentials credentials;
    credentials.username = o.value(QStringLiteral("username")).toString();
    credentials.secret = o.value(QStringLiteral("password")).toString();
    if (credentials.secret.isEmpty())
        credentials.secret = o.value(QStringLiteral("identitytoken")).toString();
    if (credentials.isEmpty())
        return std::nullopt;
    return credentials;
}

} // namespace Berth::Api
