// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "engine/archive/starterimage.h"
#include "ui/models/imagesmodel.h"
#include "ui/pages/welcomepage.h"

#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Berth::Gui {

MainWindow::MainWindow(Engine::Engine &engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_imagesModel(new ImagesModel(this)) {
    setWindowTitle(tr("Berth"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/berth.svg")));
    m_pages = new QStackedWidget(this);

    m_welcomePage = new WelcomePage(m_pages);
    connect(m_welcomePage, &WelcomePage::starterImageRequested, this,
            &MainWindow::createStarterImage);
    m_pages->addWidget(m_welcomePage);

    m_imagesPage = new QWidget(m_pages);
    auto *layout = new QVBoxLayout(m_imagesPage);
    auto *title = new QLabel(tr("<h2>Images</h2>"), m_imagesPage);
    layout->addWidget(title);
    m_imagesView = new QTableView(m_imagesPage);
    m_imagesView->setObjectName(QStringLiteral("imagesView"));
    m_imagesView->setModel(m_imagesModel);
    m_imagesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_imagesView->setAlternatingRowColors(true);
    m_imagesView->verticalHeader()->hide();
    m_imagesView->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_imagesView);
    m_pages->addWidget(m_imagesPage);

    setCentralWidget(m_pages);
    resize(960, 600);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, this, &MainWindow::pollForChanges);
    m_pollTimer->start();
    refresh();
}

void MainWindow::pollForChanges() {
    // PRAGMA data_version is cheap and changes whenever another connection commits.
    const qint64 version = m_engine.database().dataVersion();
    if (version != m_seenDataVersion) {
        m_seenDataVersion = version;
        refresh();
    }
}

void MainWindow::refresh() {
    if (m_refreshing)
        return;
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->images().list(); })
        .then(this, [this](const QList<Engine::ImageRecord> &images) {
            m_refreshing = false;
            m_imagesModel->setImages(images);
            m_imagesView->resizeColumnsToContents();
            m_pages->setCurrentWidget(images.isEmpty() ? static_cast<QWidget *>(m_welcomePage)
                                                       : m_imagesPage);
            Q_EMIT imagesRefreshed();
        });
}

void MainWindow::createStarterImage() {
    m_welcomePage->setBusy(true);
    Engine::Engine *engine = &m_engine;
    m_engine
        .async([engine] {
            return Engine::installStarterImage(
                {engine->content(), engine->snapshots(), engine->images(), engine->events()});
        })
        .then(this, [this](const Engine::Result<Engine::ImageRecord> &result) {
            m_welcomePage->setBusy(false);
            if (!result)
                m_welcomePage->showError(result.error().message);
            refresh();
        });
}

} // namespace Berth::Gui
