// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QMainWindow>

class QTableView;
class QStackedWidget;
class QTimer;

namespace Berth::Gui {

class ImagesModel;
class WelcomePage;

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
    // Builds the offline starter image in the background.
    void createStarterImage();

Q_SIGNALS:
    void imagesRefreshed();

private:
    void pollForChanges();

    Engine::Engine &m_engine;
    ImagesModel *m_imagesModel = nullptr;
    QTableView *m_imagesView = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcomePage = nullptr;
    QWidget *m_imagesPage = nullptr;
    QTimer *m_pollTimer = nullptr;
    qint64 m_seenDataVersion = -1;
    bool m_refreshing = false;
};

} // namespace Berth::Gui
