// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>
#include <functional>

namespace Berth::Cli {

// What a command gets: the opened engine (opened lazily, so `berthctl --help` needs no store),
// its arguments (after the command name) and the output streams.
class Context {
public:
    Context(QStringList args);
    QStringList args;
    QTextStream out;
    QTextStream err;

    // Opens the store from the environment ($BERTH_ROOT or the default); prints the error and
    // returns nullptr on failure.
    Engine::Engine *engine();

    // Prints "Error: <message>" and returns the exit code for it (1, or 125 for usage).
    int fail(const Engine::Error &error);
    int usage(const QString &message);

    // Parses args with `parser` (adds --help). Returns -1 when the command should go on, or the
    // exit code to return (0 after --help, 125 on a usage error, printed). `positional` is the
    // usage text after the command name, e.g. "IMAGE [IMAGE...]"; `minPositional` is checked.
    int parse(QCommandLineParser &parser, const QString &command, const QString &positional,
              int minPositional = 0);

private:
    std::unique_ptr<Engine::Engine> m_engine;
};

struct Command {
    QString name;
    QString summary; // one line for `berthctl --help`
    std::function<int(Context &)> run;
};

// Registers a command at static-initialisation time; returns true so it can initialise a
// namespace-scope constant: `const bool registered = registerCommand({...});`.
bool registerCommand(Command command);
const QList<Command> &commands();

} // namespace Berth::Cli
