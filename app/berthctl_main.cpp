// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl: the command line face of the Berth engine. Commands live in app/cli/.
#include "app/cli/command.h"
#include "engine/core/usernamespace.h"

#include <QCoreApplication>
#include <QFile>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

using namespace Berth;

namespace Berth::Cli {

namespace {
QList<Command> &registry() {
    static QList<Command> list;
    return list;
}
} // namespace

bool registerCommand(Command command) {
    registry().append(std::move(command));
    return true;
}

const QList<Command> &commands() {
    return registry();
}

Context::Context(QStringList a)
    : args(std::move(a))
    , out(stdout)
    , err(stderr) {}

Engine::Engine *Context::engine() {
    if (!m_engine) {
        auto e = Engine::Engine::open(Engine::StorePaths::fromEnvironment());
        if (!e) {
            fail(e.error());
            return nullptr;
        }
        m_engine = std::move(*e);
    }
    return m_engine.get();
}

int Context::fail(const Engine::Error &error) {
    err << "Error: " << error.message << Qt::endl;
    return error.kind == Engine::ErrorKind::InvalidArgument ? 125 : 1;
}

int Context::usage(const QString &message) {
    err << "Error: " << message << Qt::endl;
    return 125;
}

int Context::parse(QCommandLineParser &parser, const QString &command, const QString &positional,
                   int minPositional) {
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help"));
    parser.addOption(help);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    if (!parser.parse(QStringList{QStringLiteral("berthctl ") + command} + args))
        return usage(parser.errorText());
    if (parser.isSet(help)) {
        out << "Usage: berthctl " << command << " [OPTIONS] " << positional << "\n\n"
            << parser.applicationDescription() << "\n\n";
        QString text = parser.helpText();
        // helpText() starts with Qt's own usage line; show only the options part.
        const qsizetype options = text.indexOf(QLatin1String("Options:"));
        out << (options >= 0 ? text.mid(options) : text);
        out.flush();
        return 0;
    }
    if (parser.positionalArguments().size() < minPositional)
        return usage(QStringLiteral("\"berthctl %1\" requires at least %2 argument(s).\nUsage: "
                                    "berthctl %1 [OPTIONS] %3")
                         .arg(command)
                         .arg(minPositional)
                         .arg(positional));
    return -1;
}

} // namespace Berth::Cli

static void printHelp(QTextStream &out) {
    out << "Usage: berthctl COMMAND [OPTIONS]\n\n"
           "Berth manages images and containers with an engine that runs in-process: no daemon.\n"
           "The store is $BERTH_ROOT, or /var/lib/berth (root), or ~/.local/share/berth.\n\n"
           "Commands:\n";
    QList<Cli::Command> sorted = Cli::commands();
    std::sort(sorted.begin(), sorted.end(),
              [](const Cli::Command &a, const Cli::Command &b) { return a.name < b.name; });
    // One column for the summaries, wide enough for the longest name ("container commit").
    qsizetype width = 0;
    for (const Cli::Command &c : sorted)
        width = qMax(width, c.name.size());
    for (const Cli::Command &c : sorted)
        out << "  " << c.name.leftJustified(width + 2) << c.summary << '\n';
    out << "\nRun 'berthctl COMMAND --help' for more about a command.\n";
}

#ifdef BERTHCTL_DELEGATE
// The commands this quick-starting berthctl leaves out (see app/CMakeLists.txt) are run by the
// complete program, installed next to it or in ../libexec/berth, under the same process id.
[[noreturn]] static void delegate(char **argv) {
    const QString dir = QCoreApplication::applicationDirPath();
    for (const QString &candidate :
         {dir + QStringLiteral("/" BERTHCTL_DELEGATE),
          dir + QStringLiteral("/../libexec/berth/" BERTHCTL_DELEGATE)}) {
        const QByteArray path = QFile::encodeName(candidate);
        ::execv(path.constData(), argv);
    }
    std::fprintf(stderr,
                 "berthctl: %s, which runs this command, is missing next to berthctl and in "
                 "../libexec/berth (reinstall Berth)\n",
                 BERTHCTL_DELEGATE);
    std::exit(127);
}
#endif

int main(int argc, char **argv) {
    // Rootless: join the user's namespace before anything can start a thread.
    Engine::UserNamespace::enterAtStartup();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("berthctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(BERTH_VERSION));
    QStringList args = app.arguments().mid(1);
    QTextStream out(stdout);
    if (args.isEmpty() || args.first() == QLatin1String("--help") ||
        args.first() == QLatin1String("-h") || args.first() == QLatin1String("help")) {
#ifdef BERTHCTL_DELEGATE
        delegate(argv); // lists every command
#endif
        printHelp(out);
        return args.isEmpty() ? 125 : 0;
    }
    if (args.first() == QLatin1String("--version") || args.first() == QLatin1String("version")) {
        out << "berthctl " << BERTH_VERSION << Qt::endl;
        return 0;
    }
    // "system df" and friends: a two-word command is registered as "system df".
    QString name = args.takeFirst();
    const Cli::Command *found = nullptr;
    for (const Cli::Command &c : Cli::commands()) {
        if (!args.isEmpty() && c.name == name + QLatin1Char(' ') + args.first()) {
            found = &c;
            args.removeFirst();
            break;
        }
    }
    if (!found)
        for (const Cli::Command &c : Cli::commands())
            if (c.name == name)
                found = &c;
    if (!found) {
#ifdef BERTHCTL_DELEGATE
        delegate(argv);
#endif
        QTextStream(stderr) << "berthctl: '" << name << "' is not a berthctl command.\n"
                            << "See 'berthctl --help'." << Qt::endl;
        return 125;
    }
    Cli::Context ctx(args);
    return found->run(ctx);
}
