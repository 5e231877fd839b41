// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QMainWindow>

class QLabel;
class QListWidget;
class QStackedWidget;
class QTimer;

namespace Berth::Gui {

class ApiControl;
class BuildPage;
class ContainersPage;
class SettingsDialog;
class StatsHistory;
class DiskUsagePage;
class GuideWindow;
class ImagesModel;
class ImagesPage;
class LayerExplorerPage;
class LayerMapPage;
class RegistriesPage;
class VolumesPage;
class TaskProgress;
class WelcomePage;

// The Berth main window: a navigation list on the left (Images, Containers, Layer explorer,
// Disk usage, Build, Registries, Volumes, Layer map), the pages in a stack and a status bar
// with the progress of long operations. On an empty store the welcome page offers the starter
// image and a pull box instead (and the Registries page, to log in before a first pull). Reads the
// store asynchronously through the engine and polls the database's data version so changes made by
// berthctl in another process appear within a second.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(Engine::Engine &engine, QWidget *parent = nullptr);

    enum class Page {
        Images,
        Containers,
        LayerExplorer,
        DiskUsage,
        Build,
        Registries,
        Volumes,
        LayerMap
    }; // navigation order

    ImagesModel *imagesModel() const { return m_imagesModel; }
    ImagesPage *imagesPage() const { return m_imagesPage; }
    ContainersPage *containersPage() const { return m_containersPage; }
    LayerExplorerPage *explorerPage() const { return m_explorerPage; }
    DiskUsagePage *diskUsagePage() const { return m_diskUsagePage; }
    BuildPage *buildPage() const { return m_buildPage; }
    RegistriesPage *registriesPage() const { return m_registriesPage; }
    VolumesPage *volumesPage() const { return m_volumesPage; }
    LayerMapPage *layerMapPage() const { return m_layerMapPage; }
    WelcomePage *welcomePage() const { return m_welcomePage; }
    QWidget *currentPage() const;
    // Lets the settings dialog start and stop the app's API server (null: no API control).
    void setApiControl(ApiControl *api) { m_apiControl = api; }
    SettingsDialog *settingsDialog() const { return m_settingsDialog; }
    GuideWindow *guideWindow() const { return m_guideWindow; } // null until first opened

public Q_SLOTS:
    void refresh();
    // Builds the offline starter image in the background.
    void createStarterImage();
    void showPage(Berth::Gui::MainWindow::Page page);
    void exploreImage(const QString &imageId);
    // The Run dialog on the containers page, with `image` (and `command`) filled in.
    void runImage(const QString &image, const QString &command = {});
    // Pulls `reference` with the progress in the pull box (the welcome page's on an empty store).
    void pullImage(const QString &reference);
    void showStatusMessage(const QString &text);
    // The settings dialog (language, Docker Engine API).
    void openSettings();
    // The user guide, on its contents page (F1).
    void openGuide();

Q_SIGNALS:
    void imagesRefreshed();

private:
    void pollForChanges();
    void updatePageVisibility();

    Engine::Engine &m_engine;
    ApiControl *m_apiControl = nullptr;
    SettingsDialog *m_settingsDialog = nullptr;
    GuideWindow *m_guideWindow = nullptr;
    ImagesModel *m_imagesModel = nullptr;
    QListWidget *m_nav = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcomePage = nullptr;
    ImagesPage *m_imagesPage = nullptr;
    ContainersPage *m_containersPage = nullptr;
    StatsHistory *m_statsHistory = nullptr;
    LayerExplorerPage *m_explorerPage = nullptr;
    DiskUsagePage *m_diskUsagePage = nullptr;
    BuildPage *m_buildPage = nullptr;
    RegistriesPage *m_registriesPage = nullptr;
    VolumesPage *m_volumesPage = nullptr;
    LayerMapPage *m_layerMapPage = nullptr;
    TaskProgress *m_progress = nullptr;
    QLabel *m_storeLabel = nullptr;
    QTimer *m_pollTimer = nullptr;
    qint64 m_seenDataVersion = -1;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    bool m_empty = true;
    Page m_requestedPage = Page::Images;
};

} // namespace Berth::Gui
