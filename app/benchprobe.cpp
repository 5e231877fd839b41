// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/benchprobe.h"

#include "engine/engine.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/mainwindow.h"
#include "ui/models/filetreemodel.h"
#include "ui/models/logmodel.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/widgets/logview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QPaintEvent>
#include <QTimer>
#include <QTreeView>
#include <cstdio>
#include <ctime>
#include <functional>

namespace Berth {

namespace {

void print(const QString &line) {
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

double monotonicSeconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

qint64 residentBytes() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return -1;
}

// Calls `done` once, after the first paint of a widget inside `window` (the next turn of the
// event loop, when the backing store has been flushed).
class PaintWatch : public QObject {
public:
    PaintWatch(QWidget *window, std::function<void()> done)
        : m_window(window)
        , m_done(std::move(done)) {
        qApp->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override {
        if (event->type() == QEvent::Paint && !m_fired && watched->isWidgetType() &&
            (m_window == nullptr || static_cast<QWidget *>(watched)->window() == m_window)) {
            m_fired = true;
            qApp->removeEventFilter(this);
            QTimer::singleShot(0, this, [this] {
                m_done();
                deleteLater();
            });
        }
        return false;
    }

private:
    QWidget *m_window;
    std::function<void()> m_done;
    bool m_fired = false;
};

void quitSoon() {
    QTimer::singleShot(0, qApp, [] { QCoreApplication::exit(0); });
}

void firstPaint(Gui::MainWindow &window) {
    new PaintWatch(&window, [] {
        print(QStringLiteral("first-paint %1").arg(monotonicSeconds(), 0, 'f', 6));
    });
    QObject::connect(
        &window, &Gui::MainWindow::imagesRefreshed, &window,
        [&window] {
            new PaintWatch(&window, [] {
                print(QStringLiteral("data-paint %1").arg(monotonicSeconds(), 0, 'f', 6));
                quitSoon();
            });
            window.update();
        },
        Qt::SingleShotConnection);
}

void idle(Gui::MainWindow &window) {
    QObject::connect(
        &window, &Gui::MainWindow::imagesRefreshed, &window,
        [&window] {
            new PaintWatch(&window, [] { print(QStringLiteral("ready")); });
            window.update();
        },
        Qt::SingleShotConnection);
}

void logs(Engine::Engine &engine, Gui::MainWindow &window, const QString &name) {
    auto record = engine.containers().get(name);
    if (!record) {
        print(QStringLiteral("error %1").arg(record.error().message));
        quitSoon();
        return;
    }
    const QString id = record->id;
    Gui::ContainersPage *page = window.containersPage();
    window.showPage(Gui::MainWindow::Page::Containers);
    QObject::connect(
        page, &Gui::ContainersPage::refreshed, page,
        [page, id] {
            auto *clock = new QElapsedTimer;
            clock->start();
            Gui::ContainerDetailsDialog *details = page->openDetails(id);
            if (!details) {
                print(QStringLiteral("error the container is not listed"));
                quitSoon();
                return;
            }
            Gui::LogView *view = details->logView();
            auto finish = [view, clock] {
                view->view()->viewport()->repaint();
                print(QStringLiteral("logs-open %1")
                          .arg(double(clock->nsecsElapsed()) / 1e6, 0, 'f', 1));
                print(QStringLiteral("logs-rows %1").arg(view->model()->rowCount()));
                print(QStringLiteral("rss %1").arg(residentBytes()));
                delete clock;
                quitSoon();
            };
            if (view->model()->isIndexing() || view->model()->rowCount() == 0)
                QObject::connect(view->model(), &Gui::LogModel::indexingFinished, view, finish,
                                 Qt::SingleShotConnection);
            else
                finish();
        },
        Qt::SingleShotConnection);
}

void explorer(Engine::Engine &engine, Gui::MainWindow &window, const QString &reference) {
    auto image = engine.images().resolve(reference);
    if (!image) {
        print(QStringLiteral("error %1").arg(image.error().message));
        quitSoon();
        return;
    }
    const QString imageId = image->id.toString();
    Gui::LayerExplorerPage *page = window.explorerPage();
    QObject::connect(
        &window, &Gui::MainWindow::imagesRefreshed, &window,
        [&window, page, imageId] {
            auto *clock = new QElapsedTimer;
            clock->start();
            QObject::connect(
                page, &Gui::LayerExplorerPage::analysisShown, page,
                [page, clock] {
                    page->treeView()->viewport()->repaint();
                    print(QStringLiteral("explorer-paint %1")
                              .arg(double(clock->nsecsElapsed()) / 1e6, 0, 'f', 1));
                    // A name typed into the filter, applied with Enter (no typing delay).
                    clock->restart();
                    page->filterEdit()->setText(QStringLiteral("f007"));
                    Q_EMIT page->filterEdit()->returnPressed();
                    page->treeView()->viewport()->repaint();
                    print(QStringLiteral("filter %1")
                              .arg(double(clock->nsecsElapsed()) / 1e6, 0, 'f', 1));
                    print(QStringLiteral("filter-rows %1").arg(page->treeModel()->filteredCount()));
                    delete clock;
                    quitSoon();
                },
                Qt::SingleShotConnection);
            window.exploreImage(imageId);
        },
        Qt::SingleShotConnection);
}

} // namespace

bool installBenchProbe(Engine::Engine &engine, Gui::MainWindow &window) {
    const QString spec = qEnvironmentVariable("BERTH_BENCH");
    if (spec.isEmpty())
        return false;
    const QString mode = spec.section(QLatin1Char(':'), 0, 0);
    const QString argument = spec.section(QLatin1Char(':'), 1);
    if (mode == QLatin1String("first-paint"))
        firstPaint(window);
    else if (mode == QLatin1String("idle"))
        idle(window);
    else if (mode == QLatin1String("logs"))
        logs(engine, window, argument);
    else if (mode == QLatin1String("explorer"))
        explorer(engine, window, argument);
    else
        print(QStringLiteral("error unknown BERTH_BENCH mode %1").arg(mode));
    return true;
}

} // namespace Berth
