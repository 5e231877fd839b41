// SPDX-License-Identifier: GPL-3.0-or-later
// berth: the desktop app. Composition root: opens the engine on the default store and shows
// the main window.
#include "engine/engine.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QMessageBox>

using namespace Berth;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Berth"));
    QApplication::setApplicationVersion(QStringLiteral(BERTH_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.github.berth.Berth"));

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
