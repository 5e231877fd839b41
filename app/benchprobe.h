// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Berth::Engine {
class Engine;
}

namespace Berth::Gui {
class MainWindow;
}

namespace Berth {

// Measurements for bench/gui.sh, switched on by the environment variable BERTH_BENCH and never
// active otherwise. Each mode prints its figures on stdout, one "name value" pair per line,
// then quits the application:
//   first-paint        the CLOCK_MONOTONIC time (seconds) when the main window has painted
//                      ("first-paint"), then again once it has painted the image list
//                      ("data-paint"); the script subtracts the time it launched the app
//   logs:CONTAINER     ms from opening the container's details to its Logs tab painted with
//                      the whole log indexed ("logs-open"), and the resident memory then ("rss")
//   explorer:IMAGE     ms from asking the layer explorer for the image to its file tree painted
//                      ("explorer-paint"), then ms to filter the tree by name and repaint it
//                      ("filter"), with the number of rows shown ("filter-rows")
//   idle               nothing; prints "ready" once the window has painted its data and stays
//                      (the script samples the process's CPU time)
// Returns false when BERTH_BENCH is unset.
bool installBenchProbe(Engine::Engine &engine, Gui::MainWindow &window);

} // namespace Berth
