// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl build: an image from a Dockerfile, with the classic builder's step output.
#include "app/cli/command.h"

#include "engine/builder/gitcontext.h"
#include "engine/operations/buildoperations.h"

#include <QFileInfo>
#include <atomic>
#include <csignal>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

// Ctrl+C (or a TERM) cancels the build, so its RUN container and intermediate images are
// removed instead of left behind. Lock-free, so setting it is safe in a signal handler.
std::atomic<bool> g_cancelled{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void onSignal(int) {
    g_cancelled.store(true);
}

// "K=V" pairs; a bare "K" takes the value of the environment variable K, as Docker does.
bool keyValues(const QStringList &values, QMap<QString, QString> &out, bool fromEnv) {
    for (const QString &v : values) {
        const qsizetype eq = v.indexOf(QLatin1Char('='));
        if (eq == 0)
            return false;
        if (eq < 0) {
            if (!fromEnv)
                out.insert(v, QString());
            else if (qEnvironmentVariableIsSet(qPrintable(v)))
                out.insert(v, qEnvironmentVariable(qPrintable(v)));
            continue;
        }
        out.insert(v.left(eq), v.mid(eq + 1));
    }
    return true;
}

int build(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Build an image from a Dockerfile.\n\nCONTEXT is a directory or a git "
                       "repository: URL#REF:SUBDIR with an https://...git, git:// or file:// "
                       "URL, or a local repository path with #REF."));
    const QCommandLineOption tag({QStringLiteral("t"), QStringLiteral("tag")},
                                 QStringLiteral("Name and optionally a tag (name:tag)"),
                                 QStringLiteral("NAME[:TAG]"));
    const QCommandLineOption file({QStringLiteral("f"), QStringLiteral("file")},
                                  QStringLiteral("The Dockerfile (default: CONTEXT/Dockerfile)"),
                                  QStringLiteral("PATH"));
    const QCommandLineOption buildArg(QStringLiteral("build-arg"),
                                      QStringLiteral("Set a build-time variable"),
                                      QStringLiteral("KEY=VALUE"));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("The build stage to build"),
                                    QStringLiteral("STAGE"));
    const QCommandLineOption noCache(QStringLiteral("no-cache"),
                                     QStringLiteral("Do not use the cache when building"));
    const QCommandLineOption label(QStringLiteral("label"),
                                   QStringLiteral("Set metadata on the image"),
                                   QStringLiteral("KEY=VALUE"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Print only the image ID"));
    p.addOptions({tag, file, buildArg, target, noCache, label, quiet});
    if (int rc = ctx.parse(p, QStringLiteral("build"), QStringLiteral("CONTEXT"), 1); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("\"berthctl build\" requires exactly 1 argument"));
    BuildOptions options;
    const QString context = p.positionalArguments().first();
    // A git context's Dockerfile is inside the repository; a directory's is wherever -f says.
    const bool git = GitContextSpec::parse(context).has_value();
    options.context = git ? context : QFileInfo(context).absoluteFilePath();
    if (p.isSet(file))
        options.dockerfile = git ? p.value(file) : QFileInfo(p.value(file)).absoluteFilePath();
    options.tags = p.values(tag);
    options.target = p.value(target);
    options.noCache = p.isSet(noCache);
    if (!keyValues(p.values(buildArg), options.buildArgs, true))
        return ctx.usage(QStringLiteral("invalid --build-arg: expected KEY=VALUE"));
    if (!keyValues(p.values(label), options.labels, false))
        return ctx.usage(QStringLiteral("invalid --label: expected KEY=VALUE"));

    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const bool q = p.isSet(quiet);
    BuildHandlers handlers;
    handlers.output = [&ctx, q](const QString &line) {
        if (q)
            return;
        ctx.out << line << '\n';
        ctx.out.flush();
    };
    g_cancelled.store(false);
    options.cancel = &g_cancelled;
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        std::signal(sig, onSignal);
    auto result = engine->builds().build(options, handlers);
    for (int sig : {SIGINT, SIGTERM, SIGHUP})
        std::signal(sig, SIG_DFL);
    if (!result)
        return ctx.fail(result.error());
    if (q)
        ctx.out << result->image.id.toString() << '\n';
    return 0;
}

const bool registered = registerCommand(
    {QStringLiteral("build"), QStringLiteral("Build an image from a Dockerfile"), build});

} // namespace
} // namespace Berth::Cli
