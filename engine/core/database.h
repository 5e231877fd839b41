// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariant>
#include <functional>

namespace Berth::Engine {

// The store's SQLite metadata database (WAL mode), shared by every Berth process on the store.
// QSqlDatabase connections are per thread, so connection() opens one lazily for the calling
// thread. Every change goes through transaction(), which takes SQLite's write lock up front
// (BEGIN IMMEDIATE) and waits for other writers instead of failing with SQLITE_BUSY.
// The schema is created and migrated by open(); it is owned here so all layers agree on it.
class Database {
public:
    explicit Database(const QString &path);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Opens (creating if needed) and migrates the schema. Call once before use.
    Status open();
    QString path() const { return m_path; }

    // The calling thread's connection.
    QSqlDatabase connection() const;

    // Runs `work` inside one write transaction; commits when it succeeds, rolls back otherwise.
    Status transaction(const std::function<Status(QSqlDatabase &)> &work) const;

    // A prepared query on the calling thread's connection, bound and executed.
    Result<QSqlQuery> exec(const QString &sql, const QVariantList &bind = {}) const;
    // The same on a given connection, e.g. inside transaction().
    static Result<QSqlQuery> execOn(QSqlDatabase &db, const QString &sql,
                                    const QVariantList &bind = {});

    // The monotonically increasing data version SQLite keeps for changes by *other*
    // connections; pollers use it to notice changes made by another process.
    qint64 dataVersion() const;

    static constexpr int schemaVersion = 4;

private:
    QString connectionName() const;
    Status migrate(QSqlDatabase &db);

    QString m_path;
    QString m_id;
};

// Builds an Error from a failed QSqlQuery ("what: driver text").
Error sqlError(const QString &what, const QSqlQuery &query);

} // namespace Berth::Engine
