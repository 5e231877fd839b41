// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl pull, push, login, logout, tags, search: the registry client (engine/registry).
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/operations/registryoperations.h"
#include "engine/registry/browse.h"
#include "engine/registry/credentialstore.h"

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
                              QStringLiteral("Treat this registry as insecure, like Docker: "
                                             "HTTPS without certificate checks, else plain "
                                             "HTTP (also $BERTH_INSECURE_REGISTRIES)"));
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
    auto record = engine->registry().pull(*ref, options);
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

QString pushStateName(PushProgress::BlobState s) {
    switch (s) {
    case PushProgress::BlobState::Waiting:
        return QStringLiteral("Waiting");
    case PushProgress::BlobState::Exists:
        return QStringLiteral("Layer already exists");
    case PushProgress::BlobState::Mounted:
        return QStringLiteral("Mounted from another repository");
    case PushProgress::BlobState::Uploading:
        return QStringLiteral("Pushing");
    case PushProgress::BlobState::Pushed:
        return QStringLiteral("Pushed");
    case PushProgress::BlobState::Failed:
        return QStringLiteral("Failed");
    }
    return {};
}

int push(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Upload an image to a registry; blobs the registry has are not sent"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Suppress progress output"));
    const QCommandLineOption insecure = insecureOption();
    const QCommandLineOption chunk(
        QStringLiteral("chunk-size"),
        QStringLiteral("Upload blobs in chunks of SIZE (default: whole)"), QStringLiteral("SIZE"));
    p.addOptions({quiet, insecure, chunk});
    if (int rc = ctx.parse(p, QStringLiteral("push"), QStringLiteral("NAME[:TAG]"), 1); rc >= 0)
        return rc;
    auto ref = Reference::parse(p.positionalArguments().first());
    if (!ref)
        return ctx.fail(ref.error());
    PushOptions options;
    if (p.isSet(insecure))
        options.registry.insecureRegistries.append(ref->domain());
    if (p.isSet(chunk)) {
        const qint64 size = parseSize(p.value(chunk));
        if (size <= 0)
            return ctx.usage(QStringLiteral("invalid --chunk-size \"%1\"").arg(p.value(chunk)));
        options.registry.chunkSize = size;
    }
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    installCancelHandler();
    options.cancel = &g_cancel;
    const bool verbose = !p.isSet(quiet);
    if (verbose) {
        ctx.out << "The push refers to repository [" << ref->name() << "]\n";
        ctx.out.flush();
        QHash<Digest, PushProgress::BlobState> shown;
        options.onProgress = [&ctx, shown](const PushProgress &progress) mutable {
            for (const PushProgress::Blob &b : progress.blobs) {
                if (b.state == PushProgress::BlobState::Waiting ||
                    b.state == PushProgress::BlobState::Uploading ||
                    shown.value(b.digest, PushProgress::BlobState::Waiting) == b.state)
                    continue;
                shown[b.digest] = b.state;
                ctx.out << b.digest.shortId() << ": " << pushStateName(b.state) << '\n';
            }
            ctx.out.flush();
        };
    }
    auto result = engine->registry().push(p.positionalArguments().first(), *ref, options);
    if (!result)
        return ctx.fail(result.error());
    ctx.out << (ref->tag().isEmpty() ? QStringLiteral("latest") : ref->tag())
            << ": digest: " << result->manifestDigest.toString()
            << " size: " << result->manifestSize << Qt::endl;
    return 0;
}

QString registryArgument(const QStringList &positional) {
    // Docker's default for login/logout without an argument.
    return positional.isEmpty() ? QStringLiteral("docker.io") : positional.first();
}

int login(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Log in to a registry; credentials go to the desktop's secret service"));
    const QCommandLineOption user({QStringLiteral("u"), QStringLiteral("username")},
                                  QStringLiteral("Username"), QStringLiteral("USER"));
    const QCommandLineOption password({QStringLiteral("p"), QStringLiteral("password")},
                                      QStringLiteral("Password (prefer --password-stdin)"),
                                      QStringLiteral("PASSWORD"));
    const QCommandLineOption stdinPassword(QStringLiteral("password-stdin"),
                                           QStringLiteral("Take the password from stdin"));
    const QCommandLineOption fileStore(
        QStringLiteral("insecure-file-store"),
        QStringLiteral("No secret service: store the credentials in a plain file readable only "
                       "by you (~/.config/berth/credentials.json, mode 0600)"));
    const QCommandLineOption insecure = insecureOption();
    p.addOptions({user, password, stdinPassword, fileStore, insecure});
    if (int rc = ctx.parse(p, QStringLiteral("login"), QStringLiteral("[SERVER]")); rc >= 0)
        return rc;
    const QString domain = registryArgument(p.positionalArguments());
    QString username = p.value(user);
    QString secret = p.value(password);
    QTextStream in(stdin);
    if (p.isSet(stdinPassword)) {
        if (p.isSet(password))
            return ctx.usage(
                QStringLiteral("--password and --password-stdin are mutually exclusive"));
        if (username.isEmpty())
            return ctx.usage(QStringLiteral("must provide --username with --password-stdin"));
        secret = in.readAll();
        while (secret.endsWith(QLatin1Char('\n')) || secret.endsWith(QLatin1Char('\r')))
            secret.chop(1);
    } else if (username.isEmpty() || secret.isEmpty()) {
        if (username.isEmpty()) {
            ctx.out << "Username: ";
            ctx.out.flush();
            username = in.readLine().trimmed();
        }
        if (secret.isEmpty()) {
            ctx.out << "Password: ";
            ctx.out.flush();
            secret = in.readLine();
        }
    }
    if (username.isEmpty() || secret.isEmpty())
        return ctx.usage(QStringLiteral("username and password are required"));
    RegistryOptions options = RegistryOptions::fromEnvironment();
    if (p.isSet(insecure))
        options.insecureRegistries.append(domain);
    const Credentials creds{username, secret};
    if (auto st = checkCredentials(domain, options, creds); !st)
        return ctx.fail(st.error().withContext(QStringLiteral("login to %1").arg(domain)));
    CredentialStore store;
    if (auto st = store.store(domain, creds,
                              p.isSet(fileStore) ? CredentialStore::Backend::File
                                                 : CredentialStore::Backend::Keychain);
        !st)
        return ctx.fail(st.error().withContext(QStringLiteral("login to %1").arg(domain)));
    ctx.out << "Login Succeeded" << Qt::endl;
    return 0;
}

int logout(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Forget the credentials of a registry"));
    if (int rc = ctx.parse(p, QStringLiteral("logout"), QStringLiteral("[SERVER]")); rc >= 0)
        return rc;
    const QString domain = registryArgument(p.positionalArguments());
    if (auto st = CredentialStore().erase(domain); !st)
        return ctx.fail(st.error());
    ctx.out << "Removing login credentials for " << domain << Qt::endl;
    return 0;
}

int tags(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("List the tags of a repository in its registry"));
    const QCommandLineOption insecure = insecureOption();
    const QCommandLineOption pageSize(QStringLiteral("page-size"),
                                      QStringLiteral("Tags per request (default: the registry's)"),
                                      QStringLiteral("N"));
    p.addOptions({insecure, pageSize});
    if (int rc = ctx.parse(p, QStringLiteral("tags"), QStringLiteral("REPOSITORY"), 1); rc >= 0)
        return rc;
    auto ref = Reference::parseRepository(p.positionalArguments().first());
    if (!ref)
        return ctx.fail(ref.error());
    RegistryOptions options = RegistryOptions::fromEnvironment();
    if (p.isSet(insecure))
        options.insecureRegistries.append(ref->domain());
    const Credentials creds = CredentialStore().lookup(ref->domain()).value_or(Credentials{});
    auto list = listTags(*ref, options, creds, p.value(pageSize).toInt());
    if (!list)
        return ctx.fail(list.error());
    for (const QString &t : std::as_const(*list))
        ctx.out << t << '\n';
    ctx.out.flush();
    return 0;
}

int search(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "List the repositories of a registry's catalog, optionally filtered by TERM"));
    const QCommandLineOption insecure = insecureOption();
    const QCommandLineOption pageSize(QStringLiteral("page-size"),
                                      QStringLiteral("Repositories per request"),
                                      QStringLiteral("N"));
    p.addOptions({insecure, pageSize});
    if (int rc = ctx.parse(p, QStringLiteral("search"), QStringLiteral("REGISTRY [TERM]"), 1);
        rc >= 0)
        return rc;
    const QString domain = p.positionalArguments().first();
    const QString term = p.positionalArguments().value(1);
    RegistryOptions options = RegistryOptions::fromEnvironment();
    if (p.isSet(insecure))
        options.insecureRegistries.append(domain);
    const Credentials creds = CredentialStore().lookup(domain).value_or(Credentials{});
    auto list = listCatalog(domain, options, creds, p.value(pageSize).toInt());
    if (!list)
        return ctx.fail(list.error());
    for (const QString &r : std::as_const(*list))
        if (term.isEmpty() || r.contains(term, Qt::CaseInsensitive))
            ctx.out << domain << '/' << r << '\n';
    ctx.out.flush();
    return 0;
}

const bool registered = [] {
    registerCommand(
        {QStringLiteral("pull"), QStringLiteral("Download an image from a registry"), pull});
    registerCommand(
        {QStringLiteral("push"), QStringLiteral("Upload an image to a registry"), push});
    registerCommand({QStringLiteral("login"), QStringLiteral("Log in to a registry"), login});
    registerCommand({QStringLiteral("logout"), QStringLiteral("Log out from a registry"), logout});
    registerCommand(
        {QStringLiteral("tags"), QStringLiteral("List the tags of a repository"), tags});
    registerCommand({QStringLiteral("search"),
                     QStringLiteral("List repositories of a registry's catalog"), search});
    return true;
}();

} // namespace
} // namespace Berth::Cli
