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

namespace {

// Docker's event attributes are all strings.
QJsonObject stringAttributes(const QJsonObject &attributes) {
    QJsonObject out;
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it) {
        const QJsonValue v = it.value();
        out.insert(it.key(), v.isString() ? v.toString()
                             : v.isBool() ? QString::fromLatin1(v.toBool() ? "true" : "false")
                             : v.isDouble()
                                 ? QString::number(qint64(v.toDouble()))
                                 : QString::fromUtf8(
                                       QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)));
    }
    return out;
}

} // namespace

QJsonObject Event::toDockerJson() const {
    const QJsonObject strings = stringAttributes(attributes);
    const qint64 ms = time.toMSecsSinceEpoch();
    QJsonObject o{{QStringLiteral("Type"), type},
                  {QStringLiteral("Action"), action},
                  {QStringLiteral("Actor"), QJsonObject{{QStringLiteral("ID"), actor},
                                                        {QStringLiteral("Attributes"), strings}}},
                  {QStringLiteral("scope"), QStringLiteral("local")},
                  {QStringLiteral("time"), ms / 1000},
                  {QStringLiteral("timeNano"), ms * 1000000}};
    if (type == QLatin1String("container")) {
        o.insert(QStringLiteral("status"), action);
        o.insert(QStringLiteral("id"), actor);
        o.insert(QStringLiteral("from"), strings.value(QStringLiteral("image")));
    }
    return o;
}

Status EventFilter::add(const QString &rawKey, const QStringList &values) {
    QString key = rawKey.toLower();
    if (key == QLatin1String("action"))
        key = QStringLiteral("event");
    if (key != QLatin1String("type") && key != QLatin1String("event") &&
        key != QLatin1String("container") && key != QLatin1String("image"))
        return fail(ErrorKind::InvalidArgument, QStringLiteral("invalid filter '%1'").arg(rawKey));
    for (const QString &v : values)
        m_filters.insert(key, v);
    return {};
}

bool EventFilter::matches(const Event &e) const {
    if (since.isValid() && e.time < since)
        return false;
    if (until.isValid() && e.time > until)
        return false;
    // IDs match by a prefix of at least 12 characters, names and types exactly.
    const auto accepts = [&](const QString &key, const QStringList &candidates) {
        const QStringList wanted = m_filters.values(key);
        if (wanted.isEmpty())
            return true;
        for (const QString &w : wanted)
            for (const QString &c : candidates)
                if (!c.isEmpty() &&
                    (c == w || (key != QLatin1String("type") && key != QLatin1String("event") &&
                                c.startsWith(w) && w.size() >= 12)))
                    return true;
        return false;
    };
    const QString name = e.attributes.value(QStringLiteral("name")).toString();
    const QString image = e.attributes.value(QStringLiteral("image")).toString();
    return accepts(QStringLiteral("type"), {e.type}) &&
           accepts(QStringLiteral("event"), {e.action}) &&
           (m_filters.values(QStringLiteral("container")).isEmpty() ||
            (e.type == QLatin1String("container") &&
             accepts(QStringLiteral("container"), {e.actor, name}))) &&
           accepts(QStringLiteral("image"),
                   {image, e.type == QLatin1String("image") ? e.actor : QString()});
}

qint64 EventJournal::lastId() const {
    auto q = m_db.exec(QStringLiteral("SELECT COALESCE(MAX(id), 0) FROM events"));
    return q && q->next() ? q->value(0).toLongLong() : 0;
}

} // namespace Berth::Engine
