// SPDX-License-Identifier: GPL-3.0-or-later
// POST /build: the classic builder over a tar context (the body, or `remote`: a git repository
// or an http(s) URL), with Docker's streamed output.
#include "api/jsonstream.h"
#include "api/server.h"
#include "engine/archive/archiveio.h"
#include "engine/builder/gitcontext.h"
#include "engine/builder/urldownload.h"
#include "engine/operations/buildoperations.h"
#include "engine/snapshots/unpacker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

namespace Berth::Api {

using namespace Berth::Engine;

namespace {

// A JSON object of strings in a query parameter (buildargs, labels).
std::optional<QMap<QString, QString>> stringMap(Exchange &x, const QString &key) {
    QMap<QString, QString> out;
    const QString text = x.request.value(key);
    if (text.isEmpty())
        return out;
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        x.error(400, QStringLiteral("invalid %1: expected a JSON object").arg(key));
        return std::nullopt;
    }
    const QJsonObject o = doc.object();
    for (auto it = o.begin(); it != o.end(); ++it)
        if (!it->isNull())
            out.insert(it.key(), it->toString());
    return out;
}

// Builds with `options` (its context ready), streaming the output as Docker does.
void runBuild(Exchange &x, const BuildOptions &options, bool quiet) {
    auto lock = x.engine.lockForWriting();
    if (!lock)
        return x.error(lock.error());
    JsonStream out(x);
    // A server that stops cancels the build at its next line of output, so stop() can join
    // this connection's thread (ARCHITECTURE.md, "Concurrency model").
    std::atomic<bool> cancel{false};
    BuildOptions cancellable = options;
    cancellable.cancel = &cancel;
    // dockerd sends the image's ID ({"aux": ...}) before "Successfully built", and clients take
    // the stream's last lines as its summary: the summary the builder prints is held back until
    // the ID is known.
    QStringList summary;
    BuildHandlers handlers;
    handlers.output = [&](const QString &line) {
        if (line.startsWith(QLatin1String("Successfully built ")) || !summary.isEmpty())
            summary << line;
        else if (!quiet)
            out.stream(line + QLatin1Char('\n'));
        if (x.server.stopping())
            cancel = true;
    };
    auto result = x.engine.builds().build(cancellable, handlers);
    if (!result) {
        out.fail(result.error());
        return out.finish();
    }
    out.send({{QStringLiteral("aux"),
               QJsonObject{{QStringLiteral("ID"), result->image.id.toString()}}}});
    if (quiet)
        out.stream(result->image.id.toString() + QLatin1Char('\n'));
    else
        for (const QString &line : std::as_const(summary))
            out.stream(line + QLatin1Char('\n'));
    out.finish();
}

// Query parameters of the classic builder that Berth does not apply: refused (400 naming
// them) unless they ask for what Berth does anyway (their zero value, or the ones given; Python
// clients send booleans as "True"/"False"). Not here: rm and forcerm, whose false is docker-py's
// default: Berth removes a step's container whatever they say (api/README.md).
Status refuseUnappliedBuildOptions(const HttpRequest &request) {
    static const QList<std::pair<QLatin1String, QStringList>> options{
        {QLatin1String("cachefrom"), {QStringLiteral("[]")}},
        {QLatin1String("extrahosts"), {}},
        {QLatin1String("pull"), {QStringLiteral("0"), QStringLiteral("false")}},
        {QLatin1String("squash"), {QStringLiteral("0"), QStringLiteral("false")}},
        {QLatin1String("memory"), {QStringLiteral("0")}},
        {QLatin1String("memswap"), {QStringLiteral("0"), QStringLiteral("-1")}},
        {QLatin1String("cpushares"), {QStringLiteral("0")}},
        {QLatin1String("cpusetcpus"), {}},
        {QLatin1String("cpusetmems"), {}},
        {QLatin1String("cgroupparent"), {}},
        {QLatin1String("cpuperiod"), {QStringLiteral("0")}},
        {QLatin1String("cpuquota"), {QStringLiteral("0")}},
        {QLatin1String("shmsize"), {QStringLiteral("0")}},
        {QLatin1String("networkmode"), {QStringLiteral("default"), QStringLiteral("bridge")}},
        {QLatin1String("platform"), {QStringLiteral("linux"), QStringLiteral("linux/amd64")}},
        {QLatin1String("outputs"), {}},
        {QLatin1String("version"), {QStringLiteral("1")}},
        {QLatin1String("isolation"), {QStringLiteral("default")}},
        {QLatin1String("ulimits"), {QStringLiteral("[]"), QStringLiteral("null")}},
    };
    for (const auto &[name, usual] : options)
        for (const auto &[key, value] : request.query)
            if (key == name && !value.isEmpty() && !usual.contains(value.toLower()))
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("build option %1=%2 is not supported by Berth")
                                .arg(key, value.left(200)));
    return {};
}

// The first value given for `name` (dockerd's choice when a parameter is repeated).
QString firstValue(const HttpRequest &request, const QString &name) {
    for (const auto &[key, value] : request.query)
        if (key == name)
            return value;
    return {};
}

// Whether a downloaded remote context is an archive (tar, maybe compressed) rather than a
// Dockerfile: Docker decides by the content, not the name.
bool looksLikeArchive(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(512);
    return detectCompression(head) != Compression::None ||
           (head.size() >= 262 && head.mid(257, 5) == "ustar");
}

void build(Exchange &x) {
    if (auto st = refuseUnappliedBuildOptions(x.request); !st)
        return x.error(st.error());
    BuildOptions options;
    for (const auto &[key, value] : x.request.query)
        if (key == QLatin1String("t") && !value.isEmpty())
            options.tags << value;
    options.target = x.request.value(QStringLiteral("target"));
    options.noCache = x.request.flag(QStringLiteral("nocache"));
    auto args = stringMap(x, QStringLiteral("buildargs"));
    if (!args)
        return;
    options.buildArgs = *args;
    auto labels = stringMap(x, QStringLiteral("labels"));
    if (!labels)
        return;
    options.labels = *labels;
    const bool quiet = x.request.flag(QStringLiteral("q"));

    // The context: the body is a tar (maybe compressed), unpacked into a private directory
    // with the same safety rules as image layers. With `remote` (docker-py's build(path=URL)):
    // a git repository the builder clones itself, or an http(s) URL of such a tar or of a
    // Dockerfile alone.
    const QString remote = x.request.value(QStringLiteral("remote"));
    QString dockerfile = firstValue(x.request, QStringLiteral("dockerfile"));
    if (!remote.isEmpty() && GitContextSpec::parse(remote)) {
        options.context = remote;
        if (!dockerfile.isEmpty())
            options.dockerfile = dockerfile; // inside the repository, as with berthctl build
        return runBuild(x, options, quiet);
    }
    QDir().mkpath(x.engine.paths().tmp());
    QTemporaryDir work(x.engine.paths().tmp() + QStringLiteral("/build-context-XXXXXX"));
    if (!work.isValid())
        return x.error(500, QStringLiteral("cannot create a directory for the build context in %1")
                                .arg(x.engine.paths().tmp()));
    const QString context = work.filePath(QStringLiteral("context"));
    QDir().mkpath(context);
    QString archivePath = work.filePath(QStringLiteral("context.tar"));
    DownloadedFile downloaded;
    if (!remote.isEmpty()) {
        const QUrl url(remote);
        if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            return x.error(400, QStringLiteral("remote must be a git repository or an http(s) "
                                               "URL: %1")
                                    .arg(remote.left(200)));
        auto fetched = downloadUrl(url, work.path());
        if (!fetched)
            return x.error(
                400, QStringLiteral("remote %1: %2")
                         .arg(url.toDisplayString(QUrl::RemoveUserInfo), fetched.error().message));
        downloaded = std::move(*fetched);
        archivePath = downloaded.path;
        if (!looksLikeArchive(archivePath)) {
            // A Dockerfile alone: the context is empty.
            if (!QFile::copy(archivePath, context + QStringLiteral("/Dockerfile")))
                return x.error(500, QStringLiteral("cannot store the remote Dockerfile"));
            archivePath.clear();
            dockerfile.clear();
        }
    } else {
        QFile archive(archivePath);
        if (!archive.open(QIODevice::WriteOnly))
            return x.error(
                500,
                QStringLiteral("cannot store the build context: %1").arg(archive.errorString()));
        const auto received =
            x.connection.readBodyTo(x.request, qint64(8) << 30, [&](const char *data, qint64 size) {
                return archive.write(data, size) == size;
            });
        archive.close();
        if (!received)
            return x.error(400, QStringLiteral("build context: %1").arg(received.error().message));
    }
    if (!archivePath.isEmpty() && QFileInfo(archivePath).size() > 0) {
        UnpackOptions unpack;
        auto unpacked = unpackLayer(archivePath, context, unpack);
        if (!unpacked)
            return x.error(400, QStringLiteral("build context: %1").arg(unpacked.error().message));
    }
    if (!archivePath.isEmpty())
        QFile::remove(archivePath);
    options.context = context;
    if (dockerfile.isEmpty())
        dockerfile = QStringLiteral("Dockerfile");
    const QString cleaned = QDir::cleanPath(dockerfile);
    if (cleaned.startsWith(QLatin1String("..")) || QDir::isAbsolutePath(cleaned))
        return x.error(
            400, QStringLiteral("the Dockerfile must be inside the context: %1").arg(dockerfile));
    options.dockerfile = QDir(context).filePath(cleaned);
    if (!QFile::exists(options.dockerfile))
        return x.error(400,
                       QStringLiteral("Cannot locate specified Dockerfile: %1").arg(dockerfile));
    runBuild(x, options, quiet);
}

} // namespace

void addBuildRoutes(Router &router) {
    router.add("POST", QStringLiteral("/build"), build);
    router.add("POST", QStringLiteral("/build/prune"), [](Exchange &x) {
        x.json(200, QJsonObject{{QStringLiteral("CachesDeleted"), QJsonValue::Null},
                                {QStringLiteral("SpaceReclaimed"), 0}});
    });
}

} // namespace Berth::Api
