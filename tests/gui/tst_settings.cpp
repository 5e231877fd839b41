// SPDX-License-Identifier: GPL-3.0-or-later
// The settings dialog: the interface language is kept for the next start, and the Docker
// Engine API can be switched on and off from the window (a real server on a real socket).
#include "app/apicontrol.h"
#include "tests/support/imagefixture.h"
#include "tests/support/testsupport.h"
#include "ui/dialogs/settingsdialog.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Berth;
using namespace Berth::Test;

namespace {

// GET /_ping over the socket; the response's first line and body.
QByteArray ping(const QString &socketPath) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const QByteArray p = QFile::encodeName(socketPath);
    memcpy(a.sun_path, p.constData(), size_t(p.size()));
    QByteArray out;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0) {
        const QByteArray request = "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        (void)!::write(fd, request.constData(), size_t(request.size()));
        char buf[2048];
        pollfd pfd{fd, POLLIN, 0};
        while (::poll(&pfd, 1, 3000) > 0) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0)
                break;
            out.append(buf, n);
        }
    }
    ::close(fd);
    return out;
}

} // namespace

class TestSettings : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_config;

private Q_SLOTS:
    void initTestCase() {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_config.path());
        QCoreApplication::setOrganizationName(QStringLiteral("BerthTest"));
    }

    void keepsTheLanguage() {
        Gui::SettingsDialog dialog(nullptr);
        const int korean = dialog.languageBox()->findData(QStringLiteral("ko"));
        QVERIFY(korean > 0);
        dialog.languageBox()->setCurrentIndex(korean);
        dialog.accept();
        QCOMPARE(QSettings().value(QLatin1String(Gui::SettingsKeys::Language)).toString(),
                 QStringLiteral("ko"));
        // Shown again as chosen.
        Gui::SettingsDialog again(nullptr);
        QCOMPARE(again.languageBox()->currentData().toString(), QStringLiteral("ko"));
    }

    void servesTheApiFromTheWindow() {
        TestStore store;
        BERTH_VERIFY_OK(
            ImageFixture().layer(LayerBuilder().file("hello", "hi")).install(store, {"seen:1"}));
        AppApiControl api(store.engine());
        Gui::MainWindow window(store.engine());
        window.setApiControl(&api);
        window.show();
        auto *button = window.findChild<QPushButton *>(QStringLiteral("settingsButton"));
        QVERIFY(button);
        button->click();
        Gui::SettingsDialog *dialog = window.settingsDialog();
        QVERIFY(dialog && dialog->isVisible());
        QVERIFY(!dialog->apiCheckBox()->isChecked());

        const QString socket = store.root() + QStringLiteral("/api/berth.sock");
        dialog->socketEdit()->setText(socket);
        dialog->apiCheckBox()->setChecked(true);
        dialog->accept();
        QVERIFY(api.isServing());
        QVERIFY(QFile::exists(socket));
        const QByteArray pong = ping(socket);
        QVERIFY2(pong.startsWith("HTTP/1.1 200") && pong.endsWith("OK"), pong.constData());
        QVERIFY(QSettings().value(QLatin1String(Gui::SettingsKeys::ApiEnabled)).toBool());

        // Open again: it says where it serves; switching it off removes the socket.
        window.openSettings();
        dialog = window.settingsDialog();
        QVERIFY(dialog->apiCheckBox()->isChecked());
        QVERIFY2(dialog->apiStatusLabel()->text().contains(socket),
                 qPrintable(dialog->apiStatusLabel()->text()));
        dialog->apiCheckBox()->setChecked(false);
        dialog->accept();
        QVERIFY(!api.isServing());
        QVERIFY(!QFile::exists(socket));
        QVERIFY(ping(socket).isEmpty());

        // A socket that cannot be made is reported in the dialog, which stays open.
        window.openSettings();
        dialog = window.settingsDialog();
        dialog->socketEdit()->setText(QStringLiteral("/proc/no-such-dir/berth.sock"));
        dialog->apiCheckBox()->setChecked(true);
        dialog->accept();
        QVERIFY(dialog->isVisible());
        QVERIFY(!api.isServing());
        QVERIFY2(dialog->apiStatusLabel()->text().contains(QStringLiteral("could not start")),
                 qPrintable(dialog->apiStatusLabel()->text()));
        QVERIFY(!QSettings().value(QLatin1String(Gui::SettingsKeys::ApiEnabled)).toBool());
    }
};

QTEST_MAIN(TestSettings)
#include "tst_settings.moc"
