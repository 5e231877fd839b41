// SPDX-License-Identifier: GPL-3.0-or-later
// berth: the desktop app. Composition root: opens the engine on the default store and shows
// the main window.
#include "app/apicontrol.h"
#include "app/benchprobe.h"
#include "engine/core/usernamespace.h"
#include "engine/engine.h"
#include "ui/mainwindow.h"

#include "ui/charts/statschart.h"
#include "ui/dialogs/containerdetails.h"
#include "ui/dialogs/rundialog.h"
#include "ui/pages/buildpage.h"
#include "ui/pages/containerspage.h"
#include "ui/pages/layerexplorerpage.h"
#include "ui/pages/registriespage.h"
#include "ui/widgets/containerhealthview.h"
#include "ui/widgets/containerterminal.h"
#include "ui/widgets/logview.h"
#include "ui/widgets/terminalview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QTabWidget>
#include <QTimer>
#include <QTranslator>

using namespace Berth;

namespace {

// The Terminal tab, with `typed` sent once its shell runs (screenshots, demos).
void openTerminal(Gui::ContainerDetailsDialog *details, const QString &typed) {
    Gui::ContainerTerminal *terminal = details->terminal();
    if (!typed.isEmpty()) {
        auto *once = new QObject(terminal);
        QObject::connect(terminal, &Gui::ContainerTerminal::stateChanged, once,
                         [terminal, typed, once](Gui::ContainerTerminal::State state) {
                             if (state != Gui::ContainerTerminal::State::Connected)
                                 return;
                             // A line at a time, as a person types: the shell answers
                             // each prompt before the next line arrives.
                             const QStringList lines = typed.split(QLatin1Char('\n'));
                             for (int i = 0; i < lines.size(); ++i)
                                 QTimer::singleShot(
                                     400 * (i + 1), terminal,
                                     [terminal, line = lines.at(i), last = i + 1 == lines.size()] {
                                         terminal->view()->sendText(
                                             last ? line : line + QLatin1Char('\n'));
                                     });
                             once->deleteLater();
                         });
    }
    details->showTerminal();
}

} // namespace

int main(int argc, char **argv) {
    // Rootless: join the user's namespace before anything can start a thread.
    Berth::Engine::UserNamespace::enterAtStartup();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Berth"));
    QApplication::setApplicationVersion(QStringLiteral(BERTH_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.berth.Berth"));
    QApplication::setOrganizationName(QStringLiteral("Berth"));
    QSettings settings;

    // The language chosen in the settings, else the system locale (LANG=ko_KR.UTF-8 gives
    // Korean). Qt's own strings too.
    QTranslator qtTranslator;
    QTranslator berthTranslator;
    const QString language = settings.value(QLatin1String(Gui::SettingsKeys::Language)).toString();
    const QLocale locale = language.isEmpty() ? QLocale() : QLocale(language);
    if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    if (berthTranslator.load(locale, QStringLiteral("berth"), QStringLiteral("_"),
                             QStringLiteral(":/i18n")))
        QApplication::installTranslator(&berthTranslator);

    // Where to start: for screenshots, demos and bug reports ("open this file at this layer").
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Berth: images, layers and containers"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption pageOption(
        QStringLiteral("page"),
        QStringLiteral("Open a page: images, containers, layers, disk, build, registries, volumes "
                       "or map"),
        QStringLiteral("page"));
    const QCommandLineOption imageOption(QStringLiteral("image"),
                                         QStringLiteral("Open IMAGE in the layer explorer"),
                                         QStringLiteral("image"));
    const QCommandLineOption layerOption(
        QStringLiteral("layer"), QStringLiteral("Select layer N (0 = base)"), QStringLiteral("n"));
    const QCommandLineOption pathOption(QStringLiteral("path"),
                                        QStringLiteral("Select PATH in the file tree"),
                                        QStringLiteral("path"));
    const QCommandLineOption compareOption(QStringLiteral("compare"),
                                           QStringLiteral("Compare the image with IMAGE"),
                                           QStringLiteral("image"));
    const QCommandLineOption runOption(QStringLiteral("run"),
                                       QStringLiteral("Open the Run dialog for IMAGE"),
                                       QStringLiteral("image"));
    const QCommandLineOption commandOption(QStringLiteral("command"),
                                           QStringLiteral("The command to fill in the Run dialog"),
                                           QStringLiteral("command"));
    const QCommandLineOption containerOption(QStringLiteral("container"),
                                             QStringLiteral("Open the logs of CONTAINER"),
                                             QStringLiteral("container"));
    const QCommandLineOption tabOption(
        QStringLiteral("tab"),
        QStringLiteral(
            "The container's tab (logs, stats, files, health, terminal or inspect) or the "
            "layer explorer's (wasted, compare or build)"),
        QStringLiteral("tab"));
    const QCommandLineOption settingsOption(QStringLiteral("settings"),
                                            QStringLiteral("Open the settings dialog"));
    const QCommandLineOption buildOption(
        QStringLiteral("build"),
        QStringLiteral("Build from CONTEXT (a folder or a git URL) on the Build page"),
        QStringLiteral("context"));
    const QCommandLineOption buildTagOption(QStringLiteral("build-tag"),
                                            QStringLiteral("The tag for --build"),
                                            QStringLiteral("name:tag"));
    const QCommandLineOption pullOption(
        QStringLiteral("pull"), QStringLiteral("Pull IMAGE from its registry with the pull box"),
        QStringLiteral("image"));
    const QCommandLineOption tagsOption(
        QStringLiteral("tags"),
        QStringLiteral("List the tags of REPOSITORY on the Registries page"),
        QStringLiteral("repository"));
    const QCommandLineOption searchOption(QStringLiteral("search"),
                                          QStringLiteral("Search the container's log for TEXT"),
                                          QStringLiteral("text"));
    const QCommandLineOption typeOption(QStringLiteral("type"),
                                        QStringLiteral("Type TEXT into the container's terminal"),
                                        QStringLiteral("text"));
    parser.addOptions({pageOption, imageOption, layerOption, pathOption, compareOption, runOption,
                       commandOption, containerOption, tabOption, searchOption, settingsOption,
                       buildOption, buildTagOption, pullOption, tagsOption, typeOption});
    parser.process(app);

    auto engine = Engine::Engine::open(Engine::StorePaths::fromEnvironment());
    if (!engine) {
        QMessageBox::critical(nullptr, QObject::tr("Berth cannot open its store"),
                              engine.error().message);
        return 1;
    }
    Gui::MainWindow window(**engine);
    // The Docker Engine API, when enabled in the settings, serves while the window is open.
    AppApiControl api(**engine);
    window.setApiControl(&api);
    if (settings.value(QLatin1String(Gui::SettingsKeys::ApiEnabled)).toBool()) {
        const QString socket =
            settings.value(QLatin1String(Gui::SettingsKeys::ApiSocket), api.defaultSocketPath())
                .toString();
        const QString error = api.start(socket);
        window.showStatusMessage(
            error.isEmpty() ? QObject::tr("Docker Engine API on unix://%1").arg(socket)
                            : QObject::tr("The Docker Engine API could not start: %1").arg(error));
    }
    installBenchProbe(**engine, window); // bench/gui.sh only (BERTH_BENCH)
    window.show();
    if (parser.isSet(settingsOption))
        window.openSettings();

    const QString page = parser.value(pageOption);
    if (page == QLatin1String("disk"))
        window.showPage(Gui::MainWindow::Page::DiskUsage);
    if (page == QLatin1String("map"))
        window.showPage(Gui::MainWindow::Page::LayerMap);
    if (page == QLatin1String("containers") || parser.isSet(containerOption))
        window.showPage(Gui::MainWindow::Page::Containers);
    if (page == QLatin1String("volumes"))
        window.showPage(Gui::MainWindow::Page::Volumes);
    if (page == QLatin1String("registries") || parser.isSet(tagsOption)) {
        window.showPage(Gui::MainWindow::Page::Registries);
        if (parser.isSet(tagsOption))
            window.registriesPage()->listTags(parser.value(tagsOption));
    }
    if (parser.isSet(pullOption)) {
        // Once the store is read: the pull box is the welcome page's on an empty store.
        const QString image = parser.value(pullOption);
        QObject::connect(
            &window, &Gui::MainWindow::imagesRefreshed, &window,
            [&window, image] { window.pullImage(image); }, Qt::SingleShotConnection);
    }
    if (page == QLatin1String("build") || parser.isSet(buildOption)) {
        window.showPage(Gui::MainWindow::Page::Build);
        if (parser.isSet(buildOption)) {
            window.buildPage()->setContext(parser.value(buildOption));
            window.buildPage()->setTag(parser.value(buildTagOption));
            window.buildPage()->startBuild();
        }
    }
    if (parser.isSet(runOption)) {
        const QString image = parser.value(runOption);
        const QString command = parser.value(commandOption);
        QObject::connect(
            &window, &Gui::MainWindow::imagesRefreshed, &window,
            [&window, image, command] { window.runImage(image, command); },
            Qt::SingleShotConnection);
    }
    if (parser.isSet(containerOption)) {
        Gui::ContainersPage *containers = window.containersPage();
        const QString name = parser.value(containerOption);
        const QString tab = parser.value(tabOption);
        const QString search = parser.value(searchOption);
        const QString typed = parser.value(typeOption);
        QObject::connect(
            containers, &Gui::ContainersPage::refreshed, containers,
            [containers, name, tab, search, typed] {
                containers->selectContainer(name);
                const QString id = containers->selectedContainer().id;
                if (Gui::ContainerDetailsDialog *details = containers->openDetails(id)) {
                    if (tab == QLatin1String("inspect"))
                        details->showInspect();
                    if (tab == QLatin1String("files"))
                        details->showFiles();
                    if (tab == QLatin1String("health") && details->healthView())
                        details->tabs()->setCurrentWidget(details->healthView());
                    if (tab == QLatin1String("stats") && details->statsChart())
                        details->tabs()->setCurrentWidget(details->statsChart());
                    if (!search.isEmpty())
                        details->logView()->searchEdit()->setText(search);
                    if (tab == QLatin1String("terminal"))
                        openTerminal(details, typed);
                }
            },
            Qt::SingleShotConnection);
    }
    if (parser.isSet(imageOption) || page == QLatin1String("layers")) {
        Engine::Engine *e = engine->get();
        QString imageId;
        if (parser.isSet(imageOption)) {
            auto image = e->images().resolve(parser.value(imageOption));
            if (!image) {
                QMessageBox::critical(nullptr, QObject::tr("Berth"), image.error().message);
                return 1;
            }
            imageId = image->id.toString();
        }
        Gui::LayerExplorerPage *explorer = window.explorerPage();
        // Once the image list and then the analysis are there, select what was asked for.
        QObject::connect(
            &window, &Gui::MainWindow::imagesRefreshed, &window,
            [&window, imageId] {
                if (window.explorerPage()->currentImageId().isEmpty()) {
                    if (imageId.isEmpty())
                        window.showPage(Gui::MainWindow::Page::LayerExplorer);
                    else
                        window.exploreImage(imageId);
                }
            },
            Qt::SingleShotConnection);
        const QString layer = parser.value(layerOption);
        const QString path = parser.value(pathOption);
        const QString compare = parser.value(compareOption);
        const QString tab = parser.value(tabOption);
        QObject::connect(
            explorer, &Gui::LayerExplorerPage::analysisShown, explorer,
            [explorer, e, layer, path, compare, tab] {
                if (!tab.isEmpty())
                    explorer->showTab(tab);
                if (!layer.isEmpty())
                    explorer->selectLayer(layer.toInt());
                if (!path.isEmpty())
                    explorer->selectPath(path);
                if (!compare.isEmpty())
                    if (auto other = e->images().resolve(compare))
                        explorer->compareWith(other->id.toString());
            },
            Qt::SingleShotConnection);
    }
    return app.exec();
}
