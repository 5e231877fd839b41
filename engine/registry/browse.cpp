// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/registry/browse.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace Berth::Engine {

namespace {

Result<QStringList> listPaged(RegistryClient &client, QUrl url, const QString &field,
                              const QString &what) {
    QStringList out;
    QSet<QString> seenPages;
    while (url.isValid() && !url.isEmpty()) {
        if (seenPages.contains(url.toString()) || seenPages.size() > 10000)
            return fail(ErrorKind::Corrupt,
                        QStringLiteral("%1: the registry's pages loop").arg(what));
        seenPages.insert(url.toString());
        RegistryClient::Request request;
        request.url = url;
        request.maxBody = 16 << 20;
        auto r = client.send(request);
        if (!r)
            return fail(r.error().withContext(what));
        if (r->status == 401 || r->status == 403)
            return fail(ErrorKind::PermissionDenied,
                        QStringLiteral("%1: access denied (%2)").arg(what, r->describe()));
        if (r->status == 404)
            return fail(ErrorKind::NotFound, QStringLiteral("%1: %2").arg(what, r->describe()));
        if (r->status != 200)
            return fail(ErrorKind::Unavailable, QStringLiteral("%1: %2").arg(what, r->describe()));
        const QJsonArray items = QJsonDocument::fromJson(r->body).object().value(field).toArray();
        for (const QJsonValue &v : items)
            out.append(v.toString());
        url = nextLink(r->header("Link"), r->url);
    }
    return out;
}

QUrl withPageSize(QUrl url, int pageSize) {
    if (pageSize > 0)
        url.setQuery(QStringLiteral("n=%1").arg(pageSize));
    return url;
}

} // namespace

Result<QStringList> listTags(const Reference &repository, const RegistryOptions &options,
                             const Credentials &credentials, int pageSize) {
    RegistryClient client(repository.domain(), options,
                          std::make_shared<RegistryAuth>(credentials));
    client.setScopes({QStringLiteral("repository:%1:pull").arg(repository.path())});
    return listPaged(
        client,
        withPageSize(client.url(repository.path() + QStringLiteral("/tags/list")), pageSize),
        QStringLiteral("tags"), QStringLiteral("tags of %1").arg(repository.familiarName()));
}

Result<QStringList> listCatalog(const QString &domain, const RegistryOptions &options,
                                const Credentials &credentials, int pageSize) {
    RegistryClient client(domain, options, std::make_shared<RegistryAuth>(credentials));
    client.setScopes({QStringLiteral("registry:catalog:*")});
    return listPaged(
        client, withPageSize(client.url(QStringLiteral("_catalog")), pageSize),
        QStringLiteral("repositories"),
        QStringLiteral("catalog of %1 (not every registry allows listing it)").arg(domain));
}

Status checkCredentials(const QString &domain, const RegistryOptions &options,
                        const Credentials &credentials) {
    RegistryClient client(domain, options, std::make_shared<RegistryAuth>(credentials));
    return client.ping();
}

} // namespace Berth::Engine
