// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/eventjournal.h"

#include <QJsonDocument>

namespace Berth::Engine {

EventJournal::EventJournal(Database &db)
    : m_db(db) {}

Status EventJournal::record(const QString &type, const QString &action, const QString &actor,
                            const QJsonObject &attributes) {
    const qint64 nowNs = QDateTime::currentMSecsSinceEpoch() * 1000000LL;
    auto q =
        m_db.exec(QStringLiteral("INSERT INTO events (time_ns, type, action, actor, "
                                 "attributes) VALUES (?,?,?,?,?)"),
                  {nowNs, type, action, actor,
                   QString::fromUtf8(QJsonDocument(attributes).toJson(QJsonDocument::Compact))});
    if (!q)
        return fail(q.error());
    return {};
}

Result<QList<Event>> EventJournal::since(qint64 afterId, int limit) const {
    auto q = m_db.exec(QStringLiteral("SELECT id, time_ns, type, action, actor, attributes FROM "
                                      "events WHERE id > ? ORDER BY id LIMIT ?"),
                       {afterId, limit});
    if (!q)
        return fail(q.error());
    QList<Event> out;
    while (q->next()) {
        Event e;
        e.id = q->value(0).toLongLong();
        e.time = QDateTime::fromMSecsSinceEpoch(q->value(1).toLongLong() / 1000000LL);
        e.type = q->value(2).toString();
        e.action = q->value(3).toString();
        e.actor = q->value(4).toString();
        e.attributes = QJsonDocument::fromJson(q->value(5).toString().toUtf8()).object();
        out.append(e);
    }
    return out;
}

qint64 EventJournal::lastId() const {
    auto q = m_db.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events"));
    return q && q->next() ? q->value(0).toLongLong() : 0;
}

} // namespace Berth::Engine
