// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/server.h"
#include "engine/registry/registryclient.h"

namespace Berth::Api {

// Docker's streamed progress: one JSON object per message (pull, push, load, build). Starts the
// chunked 200 response on the first message, so an error before any output can still be an
// HTTP error; afterwards errors are {"errorDetail": {...}, "error": ...} messages.
class JsonStream {
public:
    explicit JsonStream(Exchange &exchange)
        : m_exchange(exchange) {}

    bool started() const { return m_started; }
    // False once the client is gone (the caller should cancel its work).
    bool send(const QJsonObject &message);
    bool status(const QString &text, const QString &id = {});
    bool stream(const QString &text) { return send({{QStringLiteral("stream"), text}}); }
    // An error: by default an HTTP error when nothing was sent yet, else an error message.
    // AsMessage always sends the message after a 200 (dockerd's load answers a bad archive so).
    enum class FailAs { HttpErrorFirst, AsMessage };
    void fail(const Engine::Error &error, FailAs mode = FailAs::HttpErrorFirst);
    void finish();

private:
    Exchange &m_exchange;
    bool m_started = false;
    bool m_ok = true;
};

// The X-Registry-Auth header (base64url JSON {username, password, identitytoken}), if any.
std::optional<Engine::Credentials> registryAuth(const HttpRequest &request);

} // namespace Berth::Api
