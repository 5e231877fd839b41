// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"
#include "engine/core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMultiHash>

namespace Berth::Engine {

struct Event {
    qint64 id = 0;
    QDateTime time;
    QString type;   // "image", "container", "volume"
    QString action; // "load", "tag", "untag", "delete", "create", "start", "die", ...
    QString actor;  // the object's ID
    QJsonObject attributes;

    // The event as the Docker Engine API's /events streams it (and `events --format json`
    // prints it): Type, Action, Actor{ID, Attributes as strings}, time, timeNano, and the
    // legacy status/id/from of container events.
    QJsonObject toDockerJson() const;
};

// Which events a watcher wants: Docker's --since/--until and filters (type, event/action,
// container name or ID, image). Shared by `berthctl events` and the API.
class EventFilter {
public:
    QDateTime since; // invalid: no bound
    QDateTime until;
    // Adds "key=value" (`events -f`) or a key with values (the API's filters JSON). Unknown
    // keys are an InvalidArgument error.
    Status add(const QString &key, const QStringList &values);
    bool matches(const Event &event) const;

private:
    QMultiHash<QString, QString> m_filters;
};

// The store's append-only events journal (the source of `berthctl events` and the API's
// /events). Every process appends to the same table, so any face sees the others' events.
class EventJournal {
public:
    explicit EventJournal(Database &db);

    Status record(const QString &type, const QString &action, const QString &actor,
                  const QJsonObject &attributes = {});
    // Events with id > afterId, oldest first, at most `limit`.
    Result<QList<Event>> since(qint64 afterId, int limit = 1000) const;
    qint64 lastId() const;

private:
    Database &m_db;
};

} // namespace Berth::Engine
