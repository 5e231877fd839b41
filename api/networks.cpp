// SPDX-License-Identifier: GPL-3.0-or-later
// Network endpoints: the fixed networks Berth's runtime offers (bridge, host, none).
#include "api/server.h"
#include "engine/runtime/bridgenetwork.h"

#include <QCryptographicHash>

namespace Berth::Api {

namespace {

const QStringList fixedNetworks{QStringLiteral("bridge"), QStringLiteral("host"),
                                QStringLiteral("none")};

QString networkId(const QString &name) {
    return QString::fromLatin1(
        QCryptographicHash::hash("berth-network-" + name.toUtf8(), QCryptographicHash::Sha256)
            .toHex());
}

QJsonObject networkJson(const QString &name) {
    return QJsonObject{
        {QStringLiteral("Name"), name},
        {QStringLiteral("Id"), networkId(name)},
        {QStringLiteral("Created"), QStringLiteral("0001-01-01T00:00:00Z")},
        {QStringLiteral("Scope"), QStringLiteral("local")},
        {QStringLiteral("Driver"), name == QLatin1String("bridge") ? name
                                   : name == QLatin1String("host") ? QStringLiteral("host")
                                                                   : QStringLiteral("null")},
        {QStringLiteral("EnableIPv6"), false},
        {QStringLiteral("Internal"), false},
        {QStringLiteral("Attachable"), false},
        {QStringLiteral("Ingress"), false},
        {QStringLiteral("IPAM"),
         QJsonObject{
             {QStringLiteral("Driver"), QStringLiteral("default")},
             {QStringLiteral("Config"),
              name == QLatin1String("bridge")
                  ? QJsonArray{QJsonObject{
                        {QStringLiteral("Subnet"),
                         QStringLiteral("%1/%2")
                             .arg(Engine::BridgeNetwork::subnet().toString())
                             .arg(Engine::BridgeNetwork::PrefixLength)},
                        {QStringLiteral("Gateway"), Engine::BridgeNetwork::gateway().toString()}}}
                  : QJsonArray()}}},
        {QStringLiteral("Containers"), QJsonObject()},
        {QStringLiteral("Options"), QJsonObject()},
        {QStringLiteral("Labels"), QJsonObject()}};
}

std::optional<QString> findNetwork(const QString &nameOrId) {
    for (const QString &name : fixedNetworks)
        if (name == nameOrId || (nameOrId.size() >= 3 && networkId(name).startsWith(nameOrId)))
            return name;
    return std::nullopt;
}

void listNetworks(Exchange &x) {
    auto filters = x.filters();
    if (!filters)
        return;
    QJsonArray out;
    for (const QString &name : fixedNetworks) {
        const QStringList names = filters->value(QStringLiteral("name"));
        if (!names.isEmpty() && !names.contains(name))
            continue;
        out.append(networkJson(name));
    }
    x.json(200, out);
}

void inspectNetwork(Exchange &x) {
    auto name = findNetwork(x.params.value(0));
    if (!name)
        return x.error(404, QStringLiteral("network %1 not found").arg(x.params.value(0)));
    x.json(200, networkJson(*name));
}

void unsupported(Exchange &x) {
    x.error(501, QStringLiteral("user-defined networks are not supported: Berth offers the "
                                "bridge, host and none networks"));
}

} // namespace

void addNetworkRoutes(Router &router) {
    router.add("GET", QStringLiteral("/networks"), listNetworks);
    router.add("GET", QStringLiteral("/networks/{}"), inspectNetwork);
    router.add("POST", QStringLiteral("/networks/create"), unsupported);
    router.add("POST", QStringLiteral("/networks/prune"), [](Exchange &x) {
        x.json(200, QJsonObject{{QStringLiteral("NetworksDeleted"), QJsonValue::Null}});
    });
    router.add("DELETE", QStringLiteral("/networks/{}"), [](Exchange &x) {
        if (findNetwork(x.params.value(0)))
            return x.error(403, QStringLiteral("%1 is a pre-defined network and cannot be removed")
                                    .arg(x.params.value(0)));
        x.error(404, QStringLiteral("network %1 not found").arg(x.params.value(0)));
    });
    router.add("POST", QStringLiteral("/networks/{}/connect"), unsupported);
    router.add("POST", QStringLiteral("/networks/{}/disconnect"), unsupported);
}

} // namespace Berth::Api
