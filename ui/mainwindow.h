// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QMainWindow>

class QTableView;
class QLabel;
class QTimer;

namespace Berth::Gui {

class ImagesModel;

// The Berth main window. Reads the store asynchronously through the engine and polls the
// database's data version so changes made by berthctl in another process appear within a second.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Engine::Engine &engine, QWidget *parent = nullptr);

    ImagesModel *imagesModel() const { return m_imagesModel; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    void imagesRefreshed();

private:
    void pollForChanges();

    Engine::Engine &m_engine;
    ImagesModel *m_imagesModel = nullptr;
    QTableView *m_imagesView = nullptr;
    QLabel *m_emptyHint = nullptr;
    QTimer *m_pollTimer = nullptr;
    qint64 m_seenDataVersion = -1;
    bool m_refreshing = false;
};

} // namespace Berth::Gui
