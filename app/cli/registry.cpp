// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl pull, push, login, logout, tags, search: the registry client (engine/registry).
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/registry/puller.h"

#include <QTextStream>
#include <atomic>
#include <csignal>
#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

std::atomic<bool> g_cancel = false;

// Ctrl-C cancels the transfer cleanly: partial layers stay in ingest/ for the next run.
void installCancelHandler() {
    struct sigaction sa = {};
    sa.sa_handler = [](int) { g_cancel = true; };
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

QCommandLineOption insecureOption() {
    return QCommandLineOption(QStringLiteral("insecure"),
                              QStringLiteral("Allow plain HTTP to this registry (also "
                                             "$BERTH_INSECURE_REGISTRIES)"));
}

QString stateName(PullProgress::LayerState s) {
    switch (s) {
    case PullProgress::LayerState::Waiting:
        return QStringLiteral("Waiting");
    case PullProgress::LayerState::Present:
        return QStringLiteral("Already exists");
    case PullProgress::LayerState::Downloading:
        return QStringLiteral("Downloading");
    case PullProgress::LayerState::Verifying:
        return QStringLiteral("Verifying Checksum");
    case PullProgress::LayerState::Downloaded:
        return QStringLiteral("Download complete");
    case PullProgress::LayerState::Failed:
        return QStringLiteral("Failed");
    }
    return {};
}

int pull(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Download an image from a registry; only layers the store lacks travel"));
    const QCommandLineOption platform(QStringLiteral("platform"),
                                      QStringLiteral("Platform of a multi-platform image "
                                                     "(os/arch[/variant]); default: this host"),
                                      QStringLiteral("PLATFORM"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Suppress progress output"));
    const QCommandLineOption insecure = insecureOption();
    p.addOptions({platform, quiet, insecure});
    if (int rc = ctx.parse(p, QStringLiteral("pull"), QStringLiteral("NAME[:TAG|@DIGEST]"), 1);
        rc >= 0)
        return rc;
    auto ref = Reference::parse(p.positionalArguments().first());
    if (!ref)
        return ctx.fail(ref.error());
    PullOptions options;
    if (p.isSet(platform)) {
        auto pl = Platform::parse(p.value(platform));
        if (!pl)
            return ctx.fail(pl.error());
        options.platform = *pl;
    }
    if (p.isSet(insecure))
        options.registry.insecureRegistries.append(ref->domain());
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    installCancelHandler();
    options.cancel = &g_cancel;
    const bool verbose = !p.isSet(quiet);
    const bool tty = ::isatty(STDERR_FILENO);
    if (verbose) {
        options.onPlan = [&](const PullPlan &plan) {
            ctx.out << (ref->tag().isEmpty() ? ref->digest().toString() : ref->tag())
                    << ": Pulling from " << ref->familiarName() << '\n';
            ctx.out << plan.layers.size() << " layers, " << plan.layersToDownload
                    << " to download (" << humanSize(plan.bytesToDownload) << "), "
                    << plan.layers.size() - plan.layersToDownload << " already present\n";
            ctx.out.flush();
        };
        QHash<Digest, PullProgress::LayerState> shown;
        qint64 lastLine = 0;
        options.onProgress = [&, shown, lastLine](const PullProgress &progress) mutable {
            for (const PullProgress::Layer &l : progress.layers) {
                if (shown.value(l.digest, PullProgress::LayerState::Waiting) == l.state ||
                    l.state == PullProgress::LayerState::Waiting)
                    continue;
                shown[l.digest] = l.state;
                ctx.out << l.digest.shortId() << ": " << stateName(l.state) << '\n';
            }
            ctx.out.flush();
            if (progress.phase == PullProgress::Phase::Downloading && tty &&
                progress.doneBytes - lastLine > (1 << 20)) {
                lastLine = progress.doneBytes;
                ctx.err << "\r" << humanSize(progress.doneBytes) << " / "
                        << humanSize(progress.totalBytes) << "  "
                        << humanSize(qint64(progress.bytesPerSecond)) << "/s"
                        << (progress.etaSeconds >= 0
                                ? QStringLiteral("  ETA %1s").arg(progress.etaSeconds)
                                : QString())
                        << "   ";
                ctx.err.flush();
            }
        };
    }
    Puller puller(engine->paths(), engine->content(), engine->snapshots(), engine->images(),
                  &engine->events());
    auto record = puller.pull(*ref, options);
    if (tty && verbose)
        ctx.err << '\n';
    if (!record)
        return ctx.fail(record.error());
    if (verbose)
        ctx.out << "Digest: " << record->manifestDigest.toString() << '\n'
                << "Status: Downloaded image for " << ref->familiarString() << '\n';
    ctx.out << ref->toString() << Qt::endl;
    return 0;
}

const bool registered = [] {
    registerCommand(
        {QStringLiteral("pull"), QStringLiteral("Download an image from a registry"), pull});
    return true;
}();

} // namespace
} // namespace Berth::Cli
