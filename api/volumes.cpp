// SPDX-License-Identifier: GPL-3.0-or-later
// Volume endpoints: list, create, inspect, remove, prune.
#include "api/server.h"
#include "engine/operations/volumeoperations.h"

namespace Berth::Api {

using namespace Berth::Engine;

namespace {

QJsonObject volumeJson(const VolumeRecord &v) {
    QJsonObject labels;
    for (auto it = v.labels.cbegin(); it != v.labels.cend(); ++it)
        labels.insert(it.key(), it.value());
    return QJsonObject{{QStringLiteral("Name"), v.name},
                       {QStringLiteral("Driver"), QStringLiteral("local")},
                       {QStringLiteral("Mountpoint"), v.mountpoint},
                       {QStringLiteral("CreatedAt"), v.created.toUTC().toString(Qt::ISODate)},
                       {QStringLiteral("Labels"), labels},
                       {QStringLiteral("Scope"), QStringLiteral("local")},
                       {QStringLiteral("Options"), QJsonObject()}};
}

void listVolumes(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    QJsonArray out;
    for (const auto &[v, users] : x.engine.volumes().listWithUsers()) {
        if (filters->contains(QStringLiteral("dangling"))) {
            const QString d = filters->value(QStringLiteral("dangling")).value(0);
            const bool wantDangling = d == QLatin1String("true") || d == QLatin1String("1");
            if (users.isEmpty() != wantDangling)
                continue;
        }
        const QStringList names = filters->value(QStringLiteral("name"));
        if (!names.isEmpty() && std::none_of(names.begin(), names.end(),
                                             [&](const QString &n) { return v.name.contains(n); }))
            continue;
        const QStringList labels = filters->value(QStringLiteral("label"));
        if (std::any_of(labels.begin(), labels.end(), [&](const QString &l) {
                const qsizetype eq = l.indexOf(QLatin1Char('='));
                return eq < 0 ? !v.labels.contains(l)
                              : v.labels.value(l.left(eq), QStringLiteral("\x01")) != l.mid(eq + 1);
            }))
            continue;
        out.append(volumeJson(v));
    }
    x.json(200, QJsonObject{{QStringLiteral("Volumes"), out},
                            {QStringLiteral("Warnings"), QJsonArray()}});
}

void createVolume(Exchange &x) {
    auto body = x.jsonBody(true);
    if (!body)
        return;
    const QString driver = body->value(QStringLiteral("Driver")).toString();
    if (!driver.isEmpty() && driver != QLatin1String("local"))
        return x.error(
            400, QStringLiteral("volume driver %1 is not supported (only local)").arg(driver));
    if (!body->value(QStringLiteral("DriverOpts")).toObject().isEmpty())
        return x.error(400, QStringLiteral("volume driver options are not supported"));
    QMap<QString, QString> labels;
    const QJsonObject l = body->value(QStringLiteral("Labels")).toObject();
    for (auto it = l.begin(); it != l.end(); ++it)
        labels.insert(it.key(), it->toString());
    auto volume = x.engine.volumes().create(body->value(QStringLiteral("Name")).toString(), labels);
    if (!volume)
        return x.error(volume.error());
    x.json(201, volumeJson(*volume));
}

void inspectVolume(Exchange &x) {
    auto volume = x.engine.volumes().get(x.params.value(0));
    if (!volume)
        return x.error(volume.error().kind == ErrorKind::NotFound
                           ? Error{ErrorKind::NotFound,
                                   QStringLiteral("get %1: no such volume").arg(x.params.value(0))}
                           : volume.error());
    x.json(200, volumeJson(*volume));
}

void removeVolume(Exchange &x) {
    auto st = x.engine.volumes().remove(x.params.value(0), x.request.flag(QStringLiteral("force"))
                                                               ? VolumeOperations::Force::Yes
                                                               : VolumeOperations::Force::No);
    if (!st)
        return x.error(st.error());
    x.noContent();
}

void pruneVolumes(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    const QString all = filters->value(QStringLiteral("all")).value(0);
    // API 1.42+: only anonymous volumes unless all=true; older clients meant every unused one.
    const bool everything = all == QLatin1String("true") || all == QLatin1String("1") ||
                            !x.versionAtLeast(QStringLiteral("1.42"));
    auto pruned = x.engine.volumes().prune(everything ? VolumeOperations::PruneScope::AllUnused
                                                      : VolumeOperations::PruneScope::Anonymous);
    if (!pruned)
        return x.error(pruned.error());
    x.json(200, QJsonObject{{QStringLiteral("VolumesDeleted"),
                             pruned->names.isEmpty()
                                 ? QJsonValue(QJsonValue::Null)
                                 : QJsonValue(QJsonArray::fromStringList(pruned->names))},
                            {QStringLiteral("SpaceReclaimed"), pruned->bytes}});
}

} // namespace

void addVolumeRoutes(Router &router) {
    router.add("GET", QStringLiteral("/volumes"), listVolumes);
    router.add("POST", QStringLiteral("/volumes/create"), createVolume);
    router.add("POST", QStringLiteral("/volumes/prune"), pruneVolumes);
    router.add("GET", QStringLiteral("/volumes/{}"), inspectVolume);
    router.add("DELETE", QStringLiteral("/volumes/{}"), removeVolume);
}

} // namespace Berth::Api
