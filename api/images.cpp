// SPDX-License-Identifier: GPL-3.0-or-later
// Image endpoints: list, inspect, history, pull (create), push, tag, remove, save (get),
// load, prune.
#include "api/jsonstream.h"
#include "api/server.h"
#include "api/streams.h"
#include "engine/builder/urldownload.h"
#include "engine/images/imageinspect.h"
#include "engine/images/reference.h"
#include "engine/operations/archiveoperations.h"
#include "engine/operations/registryoperations.h"

#include <QDir>
#include <QRegularExpression>
#include <QUrl>

#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace Berth::Api {

using namespace Berth::Engine;

namespace {

Result<ImageRecord> findImage(Exchange &x, const QString &name) {
    auto image = x.engine.images().resolve(name);
    if (!image && image.error().kind == ErrorKind::NotFound)
        return fail(ErrorKind::NotFound, QStringLiteral("No such image: %1").arg(name));
    return image;
}

bool matchesReference(const ImageRecord &image, const QStringList &patterns) {
    for (const QString &pattern : patterns) {
        const QRegularExpression re(QRegularExpression::wildcardToRegularExpression(
            pattern, QRegularExpression::UnanchoredWildcardConversion));
        const QRegularExpression anchored(QRegularExpression::anchoredPattern(re.pattern()));
        for (const QString &tag : image.tags) {
            auto ref = Reference::parse(tag);
            if (!ref)
                continue;
            for (const QString &candidate :
                 {ref->familiarString(), ref->familiarName(), ref->toString(), ref->name()}) {
                if (anchored.match(candidate).hasMatch())
                    return true;
            }
        }
    }
    return false;
}

void listImages(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    for (const QString &key : filters->keys()) {
        if (key != QLatin1String("dangling") && key != QLatin1String("reference") &&
            key != QLatin1String("label") && key != QLatin1String("before") &&
            key != QLatin1String("since"))
            return x.error(400, QStringLiteral("invalid filter '%1'").arg(key));
    }
    const QHash<QString, int> users = x.engine.images().containerUseCounts();
    const QHash<QString, int> layerUses = x.engine.images().layerUseCounts();
    const bool sharedSize = x.request.flag(QStringLiteral("shared-size"));
    QJsonArray out;
    for (const ImageRecord &image : x.engine.images().list()) {
        if (filters->contains(QStringLiteral("dangling"))) {
            const bool wantDangling =
                filters->value(QStringLiteral("dangling")).value(0) == QLatin1String("true") ||
                filters->value(QStringLiteral("dangling")).value(0) == QLatin1String("1");
            if (image.tags.isEmpty() != wantDangling)
                continue;
        }
        if (filters->contains(QStringLiteral("reference")) &&
            !matchesReference(image, filters->value(QStringLiteral("reference"))))
            continue;
        if (filters->contains(QStringLiteral("label"))) {
            auto config = x.engine.images().config(image);
            const auto labels = config ? config->config().labels : QMap<QString, QString>();
            bool all = true;
            for (const QString &l : filters->value(QStringLiteral("label"))) {
                const qsizetype eq = l.indexOf(QLatin1Char('='));
                all = all &&
                      (eq < 0 ? labels.contains(l)
                              : labels.value(l.left(eq), QStringLiteral("\x01")) == l.mid(eq + 1));
            }
            if (!all)
                continue;
        }
        qint64 shared = -1;
        if (sharedSize) {
            shared = 0;
            for (const LayerRecord &l : image.layers)
                if (layerUses.value(l.chainId.toString()) > 1)
                    if (auto info = x.engine.images().layer(l.chainId))
                        shared += info->size;
        }
        QJsonObject summary = imageSummaryJson(image, shared, users.value(image.id.toString(), 0));
        if (auto config = x.engine.images().config(image)) {
            QJsonObject labels;
            const auto map = config->config().labels;
            for (auto it = map.cbegin(); it != map.cend(); ++it)
                labels.insert(it.key(), it.value());
            summary.insert(QStringLiteral("Labels"), labels);
        }
        out.append(summary);
    }
    x.json(200, out);
}

void inspectImage(Exchange &x) {
    auto image = findImage(x, x.params.value(0));
    if (!image)
        return x.error(image.error());
    QJsonObject o = x.engine.images().inspectJson(*image);
    o.insert(QStringLiteral("Parent"), QString());
    o.insert(QStringLiteral("Comment"), QString());
    o.insert(QStringLiteral("DockerVersion"), QString());
    o.insert(QStringLiteral("VirtualSize"), image->size);
    o.insert(QStringLiteral("GraphDriver"),
             QJsonObject{{QStringLiteral("Name"), QStringLiteral("overlay")},
                         {QStringLiteral("Data"), QJsonObject()}});
    x.json(200, o);
}

void history(Exchange &x) {
    auto image = findImage(x, x.params.value(0));
    if (!image)
        return x.error(image.error());
    auto config = x.engine.images().config(*image);
    if (!config)
        return x.error(config.error());
    QList<HistoryEntry> entries = config->history();
    if (entries.isEmpty())
        for (qsizetype i = 0; i < image->layers.size(); ++i)
            entries.append(HistoryEntry{image->created, {}, {}, {}, false});
    QJsonArray out;
    qsizetype layer = 0;
    for (const HistoryEntry &h : std::as_const(entries)) {
        qint64 size = 0;
        if (!h.emptyLayer && layer < image->layers.size()) {
            if (auto info = x.engine.images().layer(image->layers[layer].chainId))
                size = info->size;
            ++layer;
        }
        out.prepend(QJsonObject{{QStringLiteral("Id"), QStringLiteral("<missing>")},
                                {QStringLiteral("Created"), h.created.toSecsSinceEpoch()},
                                {QStringLiteral("CreatedBy"), h.createdBy},
                                {QStringLiteral("Tags"), QJsonValue::Null},
                                {QStringLiteral("Size"), size},
                                {QStringLiteral("Comment"), h.comment}});
    }
    if (!out.isEmpty()) {
        QJsonObject top = out.first().toObject();
        top.insert(QStringLiteral("Id"), image->id.toString());
        QJsonArray tags;
        for (const QString &t : image->tags)
            if (auto ref = Reference::parse(t))
                tags.append(ref->familiarString());
        top.insert(QStringLiteral("Tags"), tags);
        out.replace(0, top);
    }
    x.json(200, out);
}

QString layerId(const Digest &digest) {
    return digest.toString().section(QLatin1Char(':'), 1).left(12);
}

void importImage(Exchange &x);

// POST /images/create?fromImage=NAME&tag=TAG: a pull, streamed as Docker's progress messages.
// With fromSrc instead: an import (`docker import`), see importImage.
void createImage(Exchange &x) {
    if (x.request.has(QStringLiteral("fromSrc")))
        return importImage(x);
    QString name = x.request.value(QStringLiteral("fromImage"));
    const QString tag = x.request.value(QStringLiteral("tag"));
    if (name.isEmpty())
        return x.error(400, QStringLiteral("fromImage is required"));
    if (!tag.isEmpty())
        name +=
            (tag.startsWith(QLatin1String("sha256:")) ? QLatin1Char('@') : QLatin1Char(':')) + tag;
    auto ref = Reference::parse(name);
    if (!ref)
        return x.error(400, ref.error().message);
    PullOptions options;
    options.credentials = registryAuth(x.request);
    const QString platform = x.request.value(QStringLiteral("platform"));
    if (!platform.isEmpty()) {
        auto parsed = Platform::parse(platform);
        if (!parsed)
            return x.error(400, parsed.error().message);
        options.platform = *parsed;
    }
    std::atomic<bool> cancel{false};
    options.cancel = &cancel;
    JsonStream out(x);
    const QString shown = ref->tag().isEmpty() ? ref->digest().toString() : ref->tag();
    options.onPlan = [&](const PullPlan &plan) {
        if (!out.status(QStringLiteral("Pulling from %1").arg(ref->familiarName()), shown))
            cancel = true;
        for (const PullLayerPlan &l : plan.layers)
            out.status(l.present ? QStringLiteral("Already exists")
                                 : QStringLiteral("Pulling fs layer"),
                       layerId(l.blob.digest));
    };
    QHash<Digest, PullProgress::LayerState> shownStates;
    QHash<Digest, qint64> shownBytes;
    options.onProgress = [&](const PullProgress &progress) {
        for (const PullProgress::Layer &l : progress.layers) {
            const QString id = layerId(l.digest);
            bool ok = true;
            if (l.state == PullProgress::LayerState::Downloading &&
                shownBytes.value(l.digest, -1) != l.done) {
                shownBytes[l.digest] = l.done;
                ok = out.send({{QStringLiteral("status"), QStringLiteral("Downloading")},
                               {QStringLiteral("id"), id},
                               {QStringLiteral("progressDetail"),
                                QJsonObject{{QStringLiteral("current"), l.done},
                                            {QStringLiteral("total"), l.size}}}});
            } else if (shownStates.value(l.digest) != l.state) {
                if (l.state == PullProgress::LayerState::Verifying)
                    ok = out.status(QStringLiteral("Verifying Checksum"), id);
                else if (l.state == PullProgress::LayerState::Downloaded)
                    ok = out.status(QStringLiteral("Download complete"), id);
            }
            shownStates[l.digest] = l.state;
            if (!ok)
                cancel = true;
        }
        if (progress.phase == PullProgress::Phase::Done)
            for (const PullProgress::Layer &l : progress.layers)
                if (l.state != PullProgress::LayerState::Present)
                    out.status(QStringLiteral("Pull complete"), layerId(l.digest));
    };
    const ImageRecord before = x.engine.images().resolve(ref->toString()).value_or(ImageRecord{});
    auto record = x.engine.registry().pull(*ref, options);
    if (!record) {
        if (record.error().kind == ErrorKind::NotFound && !out.started())
            return x.error(404, record.error().message);
        out.fail(record.error());
        return out.finish();
    }
    out.status(QStringLiteral("Digest: ") + record->manifestDigest.toString());
    out.status(before.id == record->id
                   ? QStringLiteral("Status: Image is up to date for ") + ref->familiarString()
                   : QStringLiteral("Status: Downloaded newer image for ") + ref->familiarString());
    out.finish();
}

void pushImage(Exchange &x) {
    QString name = x.params.value(0);
    const QString tag = x.request.value(QStringLiteral("tag"));
    if (!tag.isEmpty())
        name += QLatin1Char(':') + tag;
    auto target = Reference::parse(name);
    if (!target)
        return x.error(400, target.error().message);
    if (auto image = findImage(x, target->toString()); !image)
        return x.error(image.error());
    PushOptions options;
    options.credentials = registryAuth(x.request);
    std::atomic<bool> cancel{false};
    options.cancel = &cancel;
    JsonStream out(x);
    out.status(QStringLiteral("The push refers to repository [%1]").arg(target->familiarName()));
    QHash<Digest, PushProgress::BlobState> shown;
    options.onProgress = [&](const PushProgress &progress) {
        for (const PushProgress::Blob &b : progress.blobs) {
            if (shown.value(b.digest) == b.state)
                continue;
            shown[b.digest] = b.state;
            QString text;
            switch (b.state) {
            case PushProgress::BlobState::Exists:
                text = QStringLiteral("Layer already exists");
                break;
            case PushProgress::BlobState::Mounted:
                text = QStringLiteral("Mounted from another repository");
                break;
            case PushProgress::BlobState::Uploading:
                text = QStringLiteral("Pushing");
                break;
            case PushProgress::BlobState::Pushed:
                text = QStringLiteral("Pushed");
                break;
            default:
                continue;
            }
            if (!out.status(text, layerId(b.digest)))
                cancel = true;
        }
    };
    auto result = x.engine.registry().push(target->toString(), *target, options);
    if (!result) {
        out.fail(result.error());
        return out.finish();
    }
    const QString shownTag = target->tag().isEmpty() ? QStringLiteral("latest") : target->tag();
    out.status(QStringLiteral("%1: digest: %2 size: %3")
                   .arg(shownTag, result->manifestDigest.toString())
                   .arg(result->manifestSize));
    out.send({{QStringLiteral("progressDetail"), QJsonObject()},
              {QStringLiteral("aux"),
               QJsonObject{{QStringLiteral("Tag"), shownTag},
                           {QStringLiteral("Digest"), result->manifestDigest.toString()},
                           {QStringLiteral("Size"), result->manifestSize}}}});
    out.finish();
}

void tagImage(Exchange &x) {
    auto image = findImage(x, x.params.value(0));
    if (!image)
        return x.error(image.error());
    QString name = x.request.value(QStringLiteral("repo"));
    const QString tag = x.request.value(QStringLiteral("tag"));
    if (!tag.isEmpty())
        name += QLatin1Char(':') + tag;
    auto target = Reference::parse(name);
    if (!target)
        return x.error(400, target.error().message);
    if (auto st = x.engine.images().tag(image->id, *target); !st)
        return x.error(st.error());
    x.engine.events().record(QStringLiteral("image"), QStringLiteral("tag"), image->id.toString(),
                             {{QStringLiteral("name"), target->familiarString()}});
    x.connection.respond(201, {}, {});
}

QJsonArray removalJson(const RemovalReport &report) {
    QJsonArray out;
    for (const QString &t : report.untagged)
        out.append(QJsonObject{{QStringLiteral("Untagged"), t}});
    for (const Digest &d : report.deletedImages)
        out.append(QJsonObject{{QStringLiteral("Deleted"), d.toString()}});
    return out;
}

void removeImage(Exchange &x) {
    auto report = x.engine.maintenance().removeImage(
        x.params.value(0), x.request.flag(QStringLiteral("force")) ? StoreMaintenance::Force::Yes
                                                                   : StoreMaintenance::Force::No);
    if (!report) {
        if (report.error().kind == ErrorKind::NotFound)
            return x.error(404, QStringLiteral("No such image: %1").arg(x.params.value(0)));
        return x.error(report.error());
    }
    x.json(200, removalJson(*report));
}

void pruneImages(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    const QString dangling = filters->value(QStringLiteral("dangling")).value(0);
    const auto scope = dangling == QLatin1String("false") || dangling == QLatin1String("0")
                           ? StoreMaintenance::PruneScope::AllUnused
                           : StoreMaintenance::PruneScope::Dangling;
    auto report = x.engine.maintenance().prune(scope, StoreMaintenance::DryRun::No);
    if (!report)
        return x.error(report.error());
    const QJsonArray deleted = removalJson(*report);
    x.json(200, QJsonObject{{QStringLiteral("ImagesDeleted"),
                             deleted.isEmpty() ? QJsonValue(QJsonValue::Null) : deleted},
                            {QStringLiteral("SpaceReclaimed"), report->reclaimedBytes}});
}

// GET /images/{name}/get and /images/get?names=...: a docker-archive tarball.
void saveImages(Exchange &x) {
    QStringList names;
    if (!x.params.isEmpty())
        names << x.params.value(0);
    for (const auto &[key, value] : x.request.query)
        if (key == QLatin1String("names"))
            names << value;
    if (names.isEmpty())
        return x.error(400, QStringLiteral("no image names given"));
    for (const QString &name : std::as_const(names))
        if (auto image = findImage(x, name); !image)
            return x.error(image.error());
    if (!x.connection.beginUntilClose(200, "application/x-tar"))
        return;
    // An error half-way can only end the stream early: the client sees a truncated tar.
    (void)x.engine.archives().saveToFd(names, ArchiveFormat::DockerArchive, x.connection.fd());
}

// POST /images/load: the body is a tarball, streamed to the loader through a pipe so a large
// archive never sits in memory.
void loadImages(Exchange &x) {
    QList<LoadedImage> loaded;
    Status received;
    const Status st = consumeBodyThroughPipe(
        x, qint64(1) << 40,
        [&](int fd) -> Status {
            auto images = x.engine.archives().loadStream(fd, QStringLiteral("the request body"));
            if (!images)
                return fail(images.error());
            loaded = *images;
            return {};
        },
        received);
    if (!received)
        return x.error(400, received.error().message);
    JsonStream out(x);
    if (!st) {
        out.fail(st.error(), JsonStream::FailAs::AsMessage);
        return out.finish();
    }
    for (const LoadedImage &image : std::as_const(loaded)) {
        if (image.tags.isEmpty())
            out.stream(QStringLiteral("Loaded image ID: %1\n").arg(image.image.id.toString()));
        for (const Reference &tag : image.tags)
            out.stream(QStringLiteral("Loaded image: %1\n").arg(tag.familiarString()));
    }
    out.finish();
}

// POST /images/create?fromSrc=-|URL&repo=NAME&tag=TAG&changes=...&message=...: a root
// filesystem tarball (the request body, or downloaded from an http(s) URL) as a one-layer image.
void importImage(Exchange &x) {
    ImportOptions options;
    const QString repo = x.request.value(QStringLiteral("repo"));
    const QString tag = x.request.value(QStringLiteral("tag"));
    if (!repo.isEmpty())
        options.reference = tag.isEmpty() ? repo : repo + QLatin1Char(':') + tag;
    for (const auto &[key, value] : x.request.query)
        if (key == QLatin1String("changes") && !value.isEmpty())
            options.changes << value;
    options.message = x.request.value(QStringLiteral("message"));
    ArchiveOperations archives = x.engine.archives();
    Result<ImageRecord> imported = fail(ErrorKind::Internal, QStringLiteral("nothing imported"));
    const QString source = x.request.value(QStringLiteral("fromSrc"));
    if (source == QLatin1String("-")) {
        Status received;
        const Status st = consumeBodyThroughPipe(
            x, qint64(1) << 40,
            [&](int fd) -> Status {
                imported = archives.importStream(fd, QStringLiteral("the request body"), options);
                return imported ? Status{} : fail(imported.error());
            },
            received);
        if (!st)
            return x.error(st.error().kind == ErrorKind::Internal ? 500 : 400, st.error().message);
        if (!received)
            return x.error(400, received.error().message);
    } else {
        const QUrl url(source);
        if (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            return x.error(400, QStringLiteral("fromSrc must be - (the request body) or an "
                                               "http(s) URL: %1")
                                    .arg(source.left(200)));
        QDir().mkpath(x.engine.paths().tmp());
        auto downloaded = downloadUrl(url, x.engine.paths().tmp());
        if (!downloaded)
            return x.error(400, QStringLiteral("fromSrc %1: %2")
                                    .arg(url.toDisplayString(QUrl::RemoveUserInfo),
                                         downloaded.error().message));
        imported = archives.importFile(downloaded->path, options);
        if (!imported)
            return x.error(imported.error());
    }
    // Docker answers with the new image's ID as a status message.
    JsonStream out(x);
    out.status(imported->id.toString());
    out.finish();
}

} // namespace

void addImageRoutes(Router &router) {
    router.add("GET", QStringLiteral("/images/json"), listImages);
    router.add("POST", QStringLiteral("/images/create"), createImage);
    router.add("POST", QStringLiteral("/images/load"), loadImages);
    router.add("GET", QStringLiteral("/images/get"), saveImages);
    router.add("POST", QStringLiteral("/images/prune"), pruneImages);
    router.add("GET", QStringLiteral("/images/{*}/json"), inspectImage);
    router.add("GET", QStringLiteral("/images/{*}/history"), history);
    router.add("GET", QStringLiteral("/images/{*}/get"), saveImages);
    router.add("POST", QStringLiteral("/images/{*}/push"), pushImage);
    router.add("POST", QStringLiteral("/images/{*}/tag"), tagImage);
    router.add("DELETE", QStringLiteral("/images/{*}"), removeImage);
}

} // namespace Berth::Api
