// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace Berth::Gui {

// Shown on an empty store: what images, layers and containers are, in three sentences, and a
// one-click way to get a first image without a network (the starter image built from the
// host's busybox).
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget *parent = nullptr);

    // While the starter image is being created the button is disabled and says so; an error
    // is shown under it in plain words.
    void setBusy(bool busy);
    // `detail` (the engine's technical message) sits behind a "Details" button.
    void showError(const QString &summary, const QString &detail);

Q_SIGNALS:
    void starterImageRequested();

private:
    QPushButton *m_starterButton = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_detailsButton = nullptr;
    QLabel *m_details = nullptr;
};

} // namespace Berth::Gui
