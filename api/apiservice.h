// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/server.h"

#include <memory>
#include <thread>

namespace Berth::Api {

// The API server run in the background of a process that does other things (the desktop app):
// start() listens and serves on a thread of its own until stop().
class ApiService {
public:
    explicit ApiService(Engine::Engine &engine)
        : m_engine(engine) {}
    ~ApiService() { stop(); }
    ApiService(const ApiService &) = delete;
    ApiService &operator=(const ApiService &) = delete;

    Status start(const QString &socketPath);
    void stop();
    bool isServing() const { return m_server != nullptr; }
    QString socketPath() const { return m_socketPath; }

    // Where the API listens by default: /run/berth/berth.sock for root, else
    // $XDG_RUNTIME_DIR/berth/berth.sock.
    static QString defaultSocketPath();

private:
    Engine::Engine &m_engine;
    std::unique_ptr<ApiServer> m_server;
    std::thread m_thread;
    QString m_socketPath;
};

} // namespace Berth::Api
