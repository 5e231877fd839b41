// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/database.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>

namespace Berth::Engine {

struct Event {
    qint64 id = 0;
    QDateTime time;
    QString type;   // "image", "container", "volume"
    QString action; // "load", "tag", "untag", "delete", "create", "start", "die", ...
    QString actor;  // the object's ID
    QJsonObject attributes;
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
