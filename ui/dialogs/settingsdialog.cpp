// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/dialogs/settingsdialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QVBoxLayout>

namespace Berth::Gui {

SettingsDialog::SettingsDialog(ApiControl *api, QWidget *parent)
    : QDialog(parent)
    , m_api(api) {
    setWindowTitle(tr("Settings"));
    QSettings settings;
    auto *layout = new QVBoxLayout(this);

    auto *appearance = new QGroupBox(tr("Language"), this);
    auto *appearanceForm = new QFormLayout(appearance);
    m_language = new QComboBox(appearance);
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("한국어 (Korean)"), QStringLiteral("ko"));
    const int current =
        m_language->findData(settings.value(QLatin1String(SettingsKeys::Language)).toString());
    m_language->setCurrentIndex(qMax(0, current));
    appearanceForm->addRow(tr("Interface language:"), m_language);
    m_languageNote =
        new QLabel(tr("A new language is used from the next start of Berth."), appearance);
    m_languageNote->setWordWrap(true);
    appearanceForm->addRow(m_languageNote);
    layout->addWidget(appearance);

    auto *apiBox = new QGroupBox(tr("Docker Engine API"), this);
    auto *apiForm = new QFormLayout(apiBox);
    auto *apiIntro = new QLabel(
        tr("Lets the docker command, Docker SDKs and IDE plugins use Berth's images and "
           "containers while Berth runs (DOCKER_HOST=unix://SOCKET). Only users who may open "
           "the socket can use it."),
        apiBox);
    apiIntro->setWordWrap(true);
    apiForm->addRow(apiIntro);
    m_apiEnabled = new QCheckBox(tr("Serve the Docker Engine API"), apiBox);
    m_apiEnabled->setChecked(m_api && m_api->isServing());
    apiForm->addRow(m_apiEnabled);
    m_socket = new QLineEdit(apiBox);
    m_socket->setAccessibleName(tr("Socket"));
    m_socket->setText(settings
                          .value(QLatin1String(SettingsKeys::ApiSocket),
                                 m_api ? m_api->defaultSocketPath() : QString())
                          .toString());
    apiForm->addRow(tr("Socket:"), m_socket);
    m_apiStatus = new QLabel(apiBox);
    m_apiStatus->setWordWrap(true);
    m_apiStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    apiForm->addRow(m_apiStatus);
    apiBox->setEnabled(m_api != nullptr);
    layout->addWidget(apiBox);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);
    updateApiStatus();
    resize(520, sizeHint().height());
}

void SettingsDialog::updateApiStatus() {
    if (!m_api)
        m_apiStatus->setText(tr("Not available in this window."));
    else if (m_api->isServing())
        m_apiStatus->setText(tr("Serving on unix://%1").arg(m_api->servingPath()));
    else
        m_apiStatus->setText(tr("Not serving."));
}

void SettingsDialog::accept() {
    QSettings settings;
    settings.setValue(QLatin1String(SettingsKeys::Language), m_language->currentData().toString());
    const QString socket = m_socket->text().trimmed();
    settings.setValue(QLatin1String(SettingsKeys::ApiSocket), socket);
    settings.setValue(QLatin1String(SettingsKeys::ApiEnabled), m_apiEnabled->isChecked());
    if (m_api) {
        const bool changedPath = m_api->isServing() && m_api->servingPath() != socket;
        if (!m_apiEnabled->isChecked() || changedPath)
            m_api->stop();
        if (m_apiEnabled->isChecked() && !m_api->isServing()) {
            const QString error =
                socket.isEmpty() ? tr("Choose a socket path.") : m_api->start(socket);
            if (!error.isEmpty()) {
                m_apiStatus->setText(tr("The API could not start: %1").arg(error));
                settings.setValue(QLatin1String(SettingsKeys::ApiEnabled), false);
                return;
            }
        }
    }
    updateApiStatus();
    QDialog::accept();
}

} // namespace Berth::Gui
