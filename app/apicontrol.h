// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/apiservice.h"
#include "ui/dialogs/settingsdialog.h"

namespace Berth {

// The settings dialog's handle on the app's API server.
class AppApiControl : public Gui::ApiControl {
public:
    explicit AppApiControl(Engine::Engine &engine)
        : m_service(engine) {}
    bool isServing() const override { return m_service.isServing(); }
    QString servingPath() const override { return m_service.socketPath(); }
    QString defaultSocketPath() const override { return Api::ApiService::defaultSocketPath(); }
    QString start(const QString &socketPath) override {
        auto st = m_service.start(socketPath);
        return st ? QString() : st.error().message;
    }
    void stop() override { m_service.stop(); }

private:
    Api::ApiService m_service;
};

} // namespace Berth
