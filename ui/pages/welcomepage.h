// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLabel;
class QPushButton;

namespace Berth::Gui {

class PullBox;

// Shown on an empty store: what images, layers and containers are, in three sentences, and a
// one-click way to get a first image without a network (the starter image built from the
// host's busybox), or a pull box for an image from a registry.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(Engine::Engine &engine, QWidget *parent = nullptr);
    PullBox *pullBox() const { return m_pullBox; }

    // While the starter image is being created the button is disabled and says so; an error
    // is shown under it in plain words.
    void setBusy(bool busy);
    // `detail` (the engine's technical message) sits behind a "Details" button.
    void showError(const QString &summary, const QString &detail);

Q_SIGNALS:
    void starterImageRequested();
    // "Log in to a registry first": the registries page.
    void registriesRequested();

private:
    QPushButton *m_starterButton = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_detailsButton = nullptr;
    QLabel *m_details = nullptr;
    PullBox *m_pullBox = nullptr;
};

} // namespace Berth::Gui
