// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QWidget>

class QLineEdit;
class QPushButton;

namespace Berth::Gui {

class TransferPanel;

// "Pull an image": a name field and a button, and under them the TransferPanel that shows the
// plan, the progress and the outcome. The same panel shows pushes (ImagesPage hands them to
// it), so one transfer at a time is on screen and the buttons say so.
class PullBox : public QWidget {
    Q_OBJECT
public:
    explicit PullBox(Engine::Engine &engine, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    TransferPanel *transferPanel() const { return m_panel; }

public Q_SLOTS:
    // Pulls `name` ("busybox", "localhost:5000/team/app:1.0"), or what the field holds.
    void pull(const QString &name = {});

Q_SIGNALS:
    // The image is in the store, under `reference` as the user typed it (normalised).
    void pulled(const QString &reference);
    void statusMessage(const QString &text);

private:
    QLineEdit *m_name = nullptr;
    QPushButton *m_button = nullptr;
    TransferPanel *m_panel = nullptr;
};

} // namespace Berth::Gui
