// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "ui/models/imagesmodel.h"

#include <QHeaderView>
#include <QLabel>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace Berth::Gui {

MainWindow::MainWindow(Engine::Engine &engine, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_imagesModel(new ImagesModel(this))
{
    setWindowTitle(tr("Berth"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    auto *title = new QLabel(tr("<h2>Images</h2>"), central);
    layout->addWidget(title);
    m_imagesView = new QTableView(central);
    m_imagesView->setModel(m_imagesModel);
    m_imagesView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_imagesView->setAlternatingRowColors(true);
    m_imagesView->verticalHeader()->hide();
    m_imagesView->horizontalHeader()->setStretchLastSection(true);
    m_imagesView->setSortingEnabled(false);
    layout->addWidget(m_imagesView);
    m_emptyHint = new QLabel(tr("No images yet. Load one with <code>berthctl load</code> or "
                                "create the starter image."),
                             central);
    m_emptyHint->setWordWrap(true);
    layout->addWidget(m_emptyHint);
    setCentralWidget(central);
    resize(960, 600);

    m_pollTimer = new QTimer(this);
    m_pollTimer->setInterval(500);
    connect(m_pollTimer, &QTimer::timeout, this, &MainWindow::pollForChanges);
    m_pollTimer->start();
    refresh();
}

void MainWindow::pollForChanges()
{
    // PRAGMA data_version is cheap and changes whenever another connection commits.
    const qint64 version = m_engine.database().dataVersion();
    if (version != m_seenDataVersion) {
        m_seenDataVersion = version;
        refresh();
    }
}

void MainWindow::refresh()
{
    if (m_refreshing)
        return;
    m_refreshing = true;
    Engine::Engine *engine = &m_engine;
    m_engine.async([engine] { return engine->images().list(); })
        .then(this, [this](const QList<Engine::ImageRecord> &images) {
            m_refreshing = false;
            m_imagesModel->setImages(images);
            m_imagesView->resizeColumnsToContents();
            m_emptyHint->setVisible(images.isEmpty());
            Q_EMIT imagesRefreshed();
        });
}

} // namespace Berth::Gui
