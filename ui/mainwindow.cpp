// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "engine/operations/archiveoperations.h"
#include "engine/runtime/containerstats.h"
#include "ui/dialogs/guidewindow.h"
#include "ui/dialogs/settingsdialog.h"
#include "ui/errortext.h"
#include "ui/models/containersmodel.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/statshistory.h"
#include "ui/pages/buildpage.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/diskusagepage.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/pages/layermappage.h"
#include "ui/pages/registriespage.h"
#include "ui/pages/volumespage.h"
#include "ui/pages/welcomepage.h"
#include "ui/widgets/pullbox.h"
#include "ui/widgets/taskprogress.h"

#include <QAction>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Berth::Gui {

namespace {
constexpr int kStatusTimeout = 10000;
}

MainWindow::MainWindow(Engine::Engine &engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_imagesModel(new ImagesModel(this)) {
    setWindowTitle(tr("Berth"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/berth.svg")));

    m_progress = new TaskProgress(this);
    m_storeLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_storeLabel);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);

    m_nav = new QListWidget(central);
    m_nav->setObjectName(QStringLiteral("navigation"));
    m_nav->setAccessibleName(tr("Pages"));
    m_nav->setFrameShape(QFrame::NoFrame);
    m_nav->setSpacing(2);
    // The list is the window's first stop for the keyboard: arrows move between pages.
    const QList<std::pair<QString, QString>> entries = {
        {tr("Images"), tr("The images in the store (Ctrl+1)")},
        {tr("Containers"), tr("Running and stopped containers, their logs (Ctrl+2)")},
        {tr("Layer explorer"),
         tr("What each layer of an image added, changed and wasted (Ctrl+3)")},
        {tr("Disk usage"), tr("Shared and unique bytes per image, and prune (Ctrl+4)")},
        {tr("Build"), tr("Build an image from a Dockerfile in a folder or a git repository "
                         "(Ctrl+5)")},
        {tr("Registries"), tr("Log in to registries and list the tags of a repository (Ctrl+6)")},
        {tr("Volumes"), tr("Folders kept outside containers: which containers use them, create, "
                           "remove, prune (Ctrl+7)")},
        {tr("Layer map"), tr("Every image as a tree of shared layers, with its containers "
                             "(Ctrl+8)")},
    };
    for (const auto &[text, tip] : entries) {
        auto *item = new QListWidgetItem(text, m_nav);
        item->setToolTip(tip);
        item->setSizeHint(QSize(0, m_nav->fontMetrics().height() * 2));
    }
    int navWidth = 0;
    for (const auto &entry : entries)
        navWidth = qMax(navWidth, m_nav->fontMetrics().horizontalAdvance(entry.first));
    m_nav->setFixedWidth(navWidth + 48);
    // The navigation column: pages, and the settings at its foot.
    auto *navColumn = new QVBoxLayout;
    navColumn->setContentsMargins(0, 0, 0, 6);
    navColumn->addWidget(m_nav, 1);
    // Keeps the buttons together at the foot while the welcome page hides the list.
    navColumn->addStretch(0);
    auto *settingsButton = new QPushButton(tr("Settings…"), central);
    settingsButton->setObjectName(QStringLiteral("settingsButton"));
    settingsButton->setFlat(true);
    settingsButton->setToolTip(tr("Language and the Docker Engine API (Ctrl+,)"));
    connect(settingsButton, &QPushButton::clicked, this, &MainWindow::openSettings);
    navColumn->addWidget(settingsButton);
    auto *guideButton = new QPushButton(tr("User guide"), central);
    guideButton->setObjectName(QStringLiteral("guideButton"));
    guideButton->setFlat(true);
    guideButton->setToolTip(tr("Getting started, containers, the layer explorer, registries and "
                               "Docker clients (F1)"));
    connect(guideButton, &QPushButton::clicked, this, &MainWindow::openGuide);
    navColumn->addWidget(guideButton);
    layout->addLayout(navColumn);

    m_pages = new QStackedWidget(central);
    m_welcomePage = new WelcomePage(m_engine, m_pages);
    connect(m_welcomePage, &WelcomePage::starterImageRequested, this,
            &MainWindow::createStarterImage);
    connect(m_welcomePage, &WelcomePage::registriesRequested, this,
            [this] { showPage(Page::Registries); });
    m_imagesPage = new ImagesPage(m_engine, m_imagesModel, m_progress, m_pages);
    // Container stats are sampled for as long as the window lives, so history is there when a
    // container's Stats tab opens.
    m_statsHistory = new StatsHistory(this);
    auto *sampler = new Engine::StatsSampler(m_engine.containers(), 1000, this);
    connect(sampler, &Engine::StatsSampler::sampled, m_statsHistory, &StatsHistory::addSamples);
    sampler->start();
    m_containersPage = new ContainersPage(m_engine, m_statsHistory, m_pages);
    m_explorerPage = new LayerExplorerPage(m_engine, m_pages);
    m_diskUsagePage = new DiskUsagePage(m_engine, m_pages);
    m_buildPage = new BuildPage(m_engine, m_pages);
    m_registriesPage = new RegistriesPage(m_engine, m_pages);
    m_volumesPage = new VolumesPage(m_engine, m_pages);
    m_layerMapPage = new LayerMapPage(m_engine, m_pages);
    m_pages->addWidget(m_welcomePage);
    m_pages->addWidget(m_imagesPage);
    m_pages->addWidget(m_containersPage);
    m_pages->addWidget(m_explorerPage);
    m_pages->addWidget(m_diskUsagePage);
    m_pages->addWidget(m_buildPage);
    m_pages->addWidget(m_registriesPage);
    m_pages->addWidget(m_volumesPage);
    m_pages->addWidget(m_layerMapPage);
    layout->addWidget(m_pages, 1);
    setCentralWidget(central);

    connect(m_nav, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0)
            showPage(Page(row));
    });
    connect(m_imagesPage, &ImagesPage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_explorerPage, &LayerExplorerPage::statusMessage, this,
            &MainWindow::showStatusMessage);
    connect(m_diskUsagePage, &DiskUsagePage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_imagesPage, &ImagesPage::storeChanged, this, &MainWindow::refresh);
    connect(m_diskUsagePage, &DiskUsagePage::storeChanged, this, &MainWindow::refresh);
    connect(m_imagesPage, &ImagesPage::exploreRequested, this, &MainWindow::exploreImage);
    connect(m_imagesPage, &ImagesPage::runRequested, this, &MainWindow::runImage);
    connect(m_containersPage, &ContainersPage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_containersPage, &ContainersPage::storeChanged, this, &MainWindow::refresh);
    connect(m_containersPage, &ContainersPage::refreshed, this, [this] {
        QHash<QString, int> counts; // the Images page's In use column
        for (int row = 0; row < m_containersPage->model()->rowCount(); ++row)
            ++counts[m_containersPage->model()->containerAt(row).imageId.toString()];
        m_imagesModel->setContainerCounts(counts);
    });
    connect(m_registriesPage, &RegistriesPage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_registriesPage, &RegistriesPage::pullRequested, this, &MainWindow::pullImage);
    connect(m_volumesPage, &VolumesPage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_welcomePage->pullBox(), &PullBox::statusMessage, this,
            &MainWindow::showStatusMessage);
    connect(m_welcomePage->pullBox(), &PullBox::pulled, this, [this](const QString &reference) {
        m_imagesPage->selectAfterRefresh(reference);
        m_requestedPage = Page::Images;
        refresh();
    });
    connect(m_buildPage, &BuildPage::statusMessage, this, &MainWindow::showStatusMessage);
    connect(m_buildPage, &BuildPage::storeChanged, this, &MainWindow::refresh);
    connect(m_buildPage, &BuildPage::exploreRequested, this, [this](const QString &imageId) {
        exploreImage(imageId);
        m_explorerPage->showTab(QStringLiteral("build"));
    });

    connect(m_layerMapPage, &LayerMapPage::exploreRequested, this, &MainWindow::exploreImage);
    connect(m_layerMapPage, &LayerMapPage::containerRequested, this,
            [this](const QString &id) { m_containersPage->openDetails(id); });

    const QList<Page> shortcutPages = {Page::Images,    Page::Containers, Page::LayerExplorer,
                                       Page::DiskUsage, Page::Build,      Page::Registries,
                                       Page::Volumes,   Page::LayerMap};
    for (int i = 0; i < shortcutPages.size(); ++i) {
        auto *action = new QAction(this);
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        const Page page = shortcutPages.at(i);
        connect(action, &QAction::triggered, this, [this, page] { showPage(page); });
        addAction(action);
    }

    auto *settingsAction = new QAction(this);
    settingsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    connect(settingsAction, &QAction::triggered, this, &MainWindow::openSettings);
    addAction(settingsAction);

    auto *guideAction = new QAction(this);
    guideAction->setShortcut(QKeySequence::HelpContents);
    connect(guideAction, &QAction::triggered, this, &MainWindow::openGuide);
    addAction(guideAction);

    resize(1280, 780);
    updatePageVisibility();

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, this, &MainWindow::pollForChanges);
    m_pollTimer->start();
    refresh();
}

QWidget *MainWindow::currentPage() const {
    return m_pages->currentWidget();
}

void MainWindow::openSettings() {
    if (!m_settingsDialog) {
        m_settingsDialog = new SettingsDialog(m_apiControl, this);
        connect(m_settingsDialog, &QDialog::accepted, this, [this] {
            if (m_apiControl && m_apiControl->isServing())
                showStatusMessage(
                    tr("Docker Engine API on unix://%1").arg(m_apiControl->servingPath()));
        });
        connect(m_settingsDialog, &QDialog::finished, m_settingsDialog, &QObject::deleteLater);
        connect(m_settingsDialog, &QObject::destroyed, this,
                [this] { m_settingsDialog = nullptr; });
    }
    m_settingsDialog->show();
    m_settingsDialog->raise();
    m_settingsDialog->activateWindow();
}

void MainWindow::showStatusMessage(const QString &text) {
    statusBar()->showMessage(text, kStatusTimeout);
}

void MainWindow::showPage(Page page) {
    m_requestedPage = page;
    if (m_empty && page != Page::Registries) {
        // The welcome page stays until there is an image; then this page shows. Only the
        // registries page is there before, to log in for a first pull.
        m_pages->setCurrentWidget(m_welcomePage);
        updatePageVisibility();
        return;
    }
    QWidget *widget = page == Page::Images          ? static_cast<QWidget *>(m_imagesPage)
                      : page == Page::Containers    ? static_cast<QWidget *>(m_containersPage)
                      : page == Page::LayerExplorer ? static_cast<QWidget *>(m_explorerPage)
                      : page == Page::Build         ? static_cast<QWidget *>(m_buildPage)
                      : page == Page::Registries    ? static_cast<QWidget *>(m_registriesPage)
                      : page == Page::Volumes       ? static_cast<QWidget *>(m_volumesPage)
                      : page == Page::LayerMap      ? static_cast<QWidget *>(m_layerMapPage)
                                                    : static_cast<QWidget *>(m_diskUsagePage);
    m_pages->setCurrentWidget(widget);
    m_nav->setVisible(!m_empty || page == Page::Registries);
    {
        const QSignalBlocker blocker(m_nav);
        m_nav->setCurrentRow(int(page));
    }
    if (page == Page::DiskUsage)
        m_diskUsagePage->refresh();
    if (page == Page::Containers)
        m_containersPage->refresh();
    if (page == Page::Registries)
        m_registriesPage->refresh();
    if (page == Page::Volumes)
        m_volumesPage->refresh();
    if (page == Page::LayerExplorer && m_explorerPage->currentImageId().isEmpty()) {
        // Something to look at right away: the selected image, else the first one.
        QString id = m_imagesPage->selectedImage().id.toString();
        if (id.isEmpty() && m_imagesModel->rowCount() > 0)
            id = m_imagesModel->index(0, 0).data(ImagesModel::ImageIdRole).toString();
        m_explorerPage->openImage(id);
    }
}

void MainWindow::exploreImage(const QString &imageId) {
    showPage(Page::LayerExplorer);
    m_explorerPage->openImage(imageId);
}

void MainWindow::runImage(const QString &image, const QString &command) {
    showPage(Page::Containers);
    m_containersPage->openRunDialog(image, command);
}

void MainWindow::pullImage(const QString &reference) {
    if (m_empty) {
        showPage(Page::Images); // the welcome page
        m_welcomePage->pullBox()->pull(reference);
        return;
    }
    showPage(Page::Images);
    m_imagesPage->pull(reference);
}

void MainWindow::updatePageVisibility() {
    const bool registries = m_pages->currentWidget() == m_registriesPage;
    m_nav->setVisible(!m_empty || registries);
    if (m_empty) {
        if (!registries)
            m_pages->setCurrentWidget(m_welcomePage);
    } else if (m_pages->currentWidget() == m_welcomePage) {
        showPage(m_requestedPage);
        if (m_requestedPage == Page::Images)
            m_imagesPage->view()->setFocus();
    }
}

void MainWindow::pollForChanges() {
    // PRAGMA data_version is cheap and changes whenever another connection commits.
    const qint64 version = m_engine.dataVersion();
    if (version != m_seenDataVersion) {
        m_seenDataVersion = version;
        refresh();
        m_containersPage->refresh(); // berthctl run/stop/rm in another process
        if (m_pages->currentWidget() == m_volumesPage)
            m_volumesPage->refresh();
        if (m_pages->currentWidget() == m_layerMapPage)
            m_layerMapPage->refresh();
    }
}

void MainWindow::refresh() {
    if (m_refreshing) {
        m_refreshAgain = true; // a change during a refresh is read by one more
        return;
    }
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->images().list(); })
        .then(this, [this](const QList<Engine::ImageRecord> &images) {
            m_refreshing = false;
            const QString selected = m_imagesPage->takeSelectionAfterRefresh();
            m_imagesModel->setImages(images);
            // Keep the selection; else select the first row so the actions apply at once.
            if (selected.isEmpty() || !m_imagesPage->selectRow(selected))
                m_imagesPage->view()->selectRow(0);
            m_explorerPage->setImages(images);
            QStringList names;
            for (int row = 0; row < m_imagesModel->rowCount(); ++row) {
                const QModelIndex index = m_imagesModel->index(row, 0);
                const QString ref = index.data(ImagesModel::ReferenceRole).toString();
                if (auto parsed = Engine::Reference::parse(ref))
                    names << parsed->familiarString();
            }
            names.sort();
            m_containersPage->setImageNames(names);
            m_empty = images.isEmpty();
            updatePageVisibility();
            if (m_pages->currentWidget() == m_diskUsagePage)
                m_diskUsagePage->refresh();
            m_storeLabel->setText(tr("Images: %1").arg(images.size()));
            m_storeLabel->setToolTip(m_engine.paths().root());
            Q_EMIT imagesRefreshed();
            if (m_refreshAgain) {
                m_refreshAgain = false;
                refresh();
            }
        });
}

void MainWindow::openGuide() {
    if (!m_guideWindow)
        m_guideWindow = new GuideWindow(this);
    m_guideWindow->showContents();
}

void MainWindow::createStarterImage() {
    m_welcomePage->setBusy(true);
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->archives().installStarter(); })
        .then(this, [this](const Engine::Result<Engine::ImageRecord> &result) {
            m_welcomePage->setBusy(false);
            if (!result) {
                const ErrorText text =
                    errorText(tr("The starter image could not be created."), result.error());
                m_welcomePage->showError(text.summary, text.detail);
            } else {
                showStatusMessage(tr("Created the starter image berth/busybox:latest"));
                // The next step for a newcomer: a running container and what it prints.
                m_imagesPage->offerFirstRun(result->tags.value(0));
            }
            refresh();
        });
}

} // namespace Berth::Gui
