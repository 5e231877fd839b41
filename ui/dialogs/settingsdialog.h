// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace Berth::Gui {

// What the settings dialog may do with the Docker Engine API server. The app owns the server
// (ui does not link the API); see app/apicontrol.h.
class ApiControl {
public:
    virtual ~ApiControl() = default;
    virtual bool isServing() const = 0;
    virtual QString servingPath() const = 0;
    virtual QString defaultSocketPath() const = 0;
    // Starts serving on `socketPath`; returns what went wrong, or an empty string.
    virtual QString start(const QString &socketPath) = 0;
    virtual void stop() = 0;
};

// Keys of the app's QSettings.
namespace SettingsKeys {
inline constexpr auto Language = "language";      // "" (the system's), "en", "ko"
inline constexpr auto ApiEnabled = "api/enabled"; // serve the Docker Engine API
inline constexpr auto ApiSocket = "api/socket";   // its unix socket
} // namespace SettingsKeys

// Settings: the interface language and the Docker Engine API socket (so `docker` and other
// clients can drive the store while the app runs).
class SettingsDialog : public QDialog {
    Q_OBJECT
public:
    SettingsDialog(ApiControl *api, QWidget *parent = nullptr);

    QComboBox *languageBox() const { return m_language; }
    QCheckBox *apiCheckBox() const { return m_apiEnabled; }
    QLineEdit *socketEdit() const { return m_socket; }
    QLabel *apiStatusLabel() const { return m_apiStatus; }

    // Saves the settings and starts or stops the API as asked; stays open with the error
    // shown when the API cannot start.
    void accept() override;

private:
    void updateApiStatus();

    ApiControl *m_api;
    QComboBox *m_language = nullptr;
    QCheckBox *m_apiEnabled = nullptr;
    QLineEdit *m_socket = nullptr;
    QLabel *m_apiStatus = nullptr;
    QLabel *m_languageNote = nullptr;
};

} // namespace Berth::Gui
