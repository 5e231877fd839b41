// SPDX-License-Identifier: GPL-3.0-or-later
// berth: the desktop app. Composition root: opens the engine on the default store and shows
// the main window.
#include "engine/engine.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QMessageBox>
#include <QTranslator>

using namespace Berth;

int main(int argc, char **argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Berth"));
    QApplication::setApplicationVersion(QStringLiteral(BERTH_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.berth.Berth"));

    // Follow the system locale (LANG=ko_KR.UTF-8 gives Korean). Qt's own strings too.
    QTranslator qtTranslator;
    QTranslator berthTranslator;
    const QLocale locale;
    if (qtTranslator.load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(&qtTranslator);
    if (berthTranslator.load(locale, QStringLiteral("berth"), QStringLiteral("_"),
                             QStringLiteral(":/i18n")))
        QApplication::installTranslator(&berthTranslator);

    auto engine = Engine::Engine::open(Engine::StorePaths::fromEnvironment());
    if (!engine) {
        QMessageBox::critical(nullptr, QObject::tr("Berth cannot open its store"),
                              engine.error().message);
        return 1;
    }
    Gui::MainWindow window(**engine);
    window.show();
    return app.exec();
}
