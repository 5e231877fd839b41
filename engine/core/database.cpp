// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/database.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QUuid>
#include <atomic>
#include <mutex>
#include <sqlite3.h>

namespace Berth::Engine {

namespace {
// Each entry migrates from version (index) to version (index + 1).
const char *const kMigrations[] = {
    R"sql(
    CREATE TABLE images (
        id TEXT PRIMARY KEY,              -- config digest, Docker's image ID
        manifest_digest TEXT NOT NULL,    -- the manifest blob kept in the content store
        manifest_media_type TEXT NOT NULL,
        created TEXT,                     -- from the image config
        os TEXT, architecture TEXT,
        size INTEGER NOT NULL DEFAULT 0,  -- unpacked bytes of all layers
        added_at INTEGER NOT NULL
    );
    CREATE TABLE tags (
        reference TEXT PRIMARY KEY,       -- normalised, e.g. docker.io/library/busybox:latest
        image_id TEXT NOT NULL REFERENCES images(id)
    );
    CREATE INDEX tags_image ON tags(image_id);
    CREATE TABLE image_layers (
        image_id TEXT NOT NULL REFERENCES images(id),
        position INTEGER NOT NULL,        -- 0 = base layer
        diff_id TEXT NOT NULL,
        chain_id TEXT NOT NULL,
        blob_digest TEXT NOT NULL,        -- the layer blob as stored (compressed or not)
        blob_media_type TEXT NOT NULL,
        blob_size INTEGER NOT NULL,
        PRIMARY KEY (image_id, position)
    );
    CREATE INDEX image_layers_chain ON image_layers(chain_id);
    CREATE INDEX image_layers_blob ON image_layers(blob_digest);
    CREATE TABLE snapshots (
        chain_id TEXT PRIMARY KEY,
        parent TEXT,                      -- chain ID of the layer below, NULL for a base layer
        diff_id TEXT NOT NULL,
        size INTEGER NOT NULL,            -- bytes on disk of the unpacked layer
        created_at INTEGER NOT NULL
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ns INTEGER NOT NULL,
        type TEXT NOT NULL,               -- image, container, volume
        action TEXT NOT NULL,             -- pull, load, tag, untag, delete, create, start, die...
        actor TEXT NOT NULL,              -- id of the object
        attributes TEXT NOT NULL DEFAULT '{}'
    );
    )sql",
    // 1 -> 2: containers (engine/runtime). Times are nanoseconds since the epoch, 0 = never.
    R"sql(
    CREATE TABLE containers (
        id TEXT PRIMARY KEY,              -- 64 hex characters
        name TEXT NOT NULL UNIQUE,
        image_id TEXT NOT NULL,           -- images(id), which rmi keeps while a container uses it
        config TEXT NOT NULL,             -- ContainerSpec as JSON
        state TEXT NOT NULL,              -- created, running, exited
        pid INTEGER NOT NULL DEFAULT 0,
        shim_pid INTEGER NOT NULL DEFAULT 0,
        exit_code INTEGER NOT NULL DEFAULT 0,
        oom_killed INTEGER NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT '',
        restart_count INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        started_at INTEGER NOT NULL DEFAULT 0,
        finished_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX containers_image ON containers(image_id);
    )sql",
    // 2 -> 3: named volumes (engine/runtime/volumes). Data lives in volumes/<name>/_data.
    R"sql(
    CREATE TABLE volumes (
        name TEXT PRIMARY KEY,
        labels TEXT NOT NULL DEFAULT '{}',  -- JSON object
        anonymous INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL         -- nanoseconds since the epoch
    );
    )sql",
    // 3 -> 4: the network of a container's current run (NetworkSettings as JSON: address,
    // gateway, published ports as bound), cleared when it stops.
    R"sql(
    ALTER TABLE containers ADD COLUMN network TEXT NOT NULL DEFAULT '{}';
    )sql",
};
static_assert(std::size(kMigrations) == Database::schemaVersion,
              "one migration per schema version");
// Thread IDs are reused once a thread ends, so connections are named by a per-thread serial
// number instead, and closed when their thread ends (thread-pool threads come and go).
std::atomic<quint64> g_threadSerial{0};
// Once the application object is gone, Qt's SQL drivers may be unloaded while thread-pool
// threads are still being torn down; closing connections then crashes. At that point the
// process is exiting anyway, so the connections are simply left to the OS.
std::atomic<bool> g_applicationGone{false};
// A pool thread's thread-local destructors run after the pool saw it finish, so they can
// overlap the application's end: this lock makes the two take turns.
std::mutex g_teardownMutex;
void markApplicationGone() {
    std::lock_guard lock(g_teardownMutex);
    g_applicationGone = true;
}
void watchApplicationEnd() {
    qAddPostRoutine(markApplicationGone);
}
Q_COREAPP_STARTUP_FUNCTION(watchApplicationEnd)

struct ThreadConnections {
    quint64 serial = ++g_threadSerial;
    QStringList names;
    ~ThreadConnections() {
        // Also while the application object is being destroyed on the main thread: a pool
        // thread ending then raced with it and crashed in close() (seen once in 300 imports).
        std::lock_guard lock(g_teardownMutex);
        if (g_applicationGone || !QCoreApplication::instance() || QCoreApplication::closingDown())
            return;
        // removeDatabase() closes the connection; database() would check the calling thread,
        // whose QThread object may already be gone at this point of its end.
        for (const QString &name : std::as_const(names))
            QSqlDatabase::removeDatabase(name);
    }
};
thread_local ThreadConnections t_connections;
} // namespace

Error sqlError(const QString &what, const QSqlQuery &query) {
    const QSqlError e = query.lastError();
    const QString text = e.text().isEmpty() ? QStringLiteral("unknown database error") : e.text();
    const ErrorKind kind = text.contains(QLatin1String("UNIQUE"))   ? ErrorKind::AlreadyExists
                           : text.contains(QLatin1String("locked")) ? ErrorKind::Unavailable
                                                                    : ErrorKind::Internal;
    return Error{kind, what + QStringLiteral(": ") + text};
}

Database::Database(const QString &path)
    : m_path(path)
    , m_id(QUuid::createUuid().toString(QUuid::WithoutBraces)) {}

Database::~Database() {
    // Connections of other threads are closed when those threads end; drop ours.
    const QString name = connectionName();
    if (t_connections.names.removeAll(name) > 0) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

QString Database::connectionName() const {
    return QStringLiteral("berth-%1-%2").arg(m_id).arg(t_connections.serial);
}

// Closing the last connection would checkpoint the WAL into the database (two syncs) and delete
// it, and the next berthctl command would create it again: milliseconds per command on a slow
// disk. The WAL stays instead, and a commit checkpoints it once it passes 64 pages: the next
// process to open the database reads the whole WAL (1.4 ms for SQLite's default of 1000 pages).
static void keepWalOnClose(QSqlDatabase &db) {
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return;
    if (sqlite3 *sqlite = *static_cast<sqlite3 *const *>(handle.constData()))
        sqlite3_db_config(sqlite, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

QSqlDatabase Database::connection() const {
    const QString name = connectionName();
    if (QSqlDatabase::contains(name))
        return QSqlDatabase::database(name);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    t_connections.names.append(name);
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=30000"));
    if (db.open()) {
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
        q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
        q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        q.exec(QStringLiteral("PRAGMA wal_autocheckpoint=64"));
        keepWalOnClose(db);
    }
    return db;
}

Result<QSqlQuery> Database::exec(const QString &sql, const QVariantList &bind) const {
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("cannot open database %1: %2").arg(m_path, db.lastError().text()));
    return execOn(db, sql, bind);
}

Result<QSqlQuery> Database::execOn(QSqlDatabase &db, const QString &sql, const QVariantList &bind) {
    QSqlQuery q(db);
    if (!q.prepare(sql))
        return fail(sqlError(QStringLiteral("prepare"), q));
    for (const QVariant &v : bind)
        q.addBindValue(v);
    if (!q.exec())
        return fail(sqlError(QStringLiteral("query"), q));
    return q;
}

Status Database::transaction(const std::function<Status(QSqlDatabase &)> &work) const {
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("cannot open database %1: %2").arg(m_path, db.lastError().text()));
    QSqlQuery begin(db);
    if (!begin.exec(QStringLiteral("BEGIN IMMEDIATE")))
        return fail(sqlError(QStringLiteral("begin transaction"), begin));
    Status st = work(db);
    QSqlQuery end(db);
    if (!st) {
        end.exec(QStringLiteral("ROLLBACK"));
        return st;
    }
    if (!end.exec(QStringLiteral("COMMIT"))) {
        const Error e = sqlError(QStringLiteral("commit"), end);
        QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        return fail(e);
    }
    return {};
}

qint64 Database::dataVersion() const {
    QSqlQuery q(connection());
    if (q.exec(QStringLiteral("PRAGMA data_version")) && q.next())
        return q.value(0).toLongLong();
    return -1;
}

Status Database::open() {
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("cannot open database %1: %2").arg(m_path, db.lastError().text()));
    // Most opens find the schema current: reading its version then spares a write transaction
    // (a commit per berthctl command). Migration re-reads it under the write lock.
    QSqlQuery version(db);
    if (version.exec(QStringLiteral("PRAGMA user_version")) && version.next() &&
        version.value(0).toInt() == schemaVersion)
        return {};
    return transaction([this](QSqlDatabase &db) { return migrate(db); });
}

Status Database::migrate(QSqlDatabase &db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return fail(sqlError(QStringLiteral("read schema version"), q));
    int version = q.value(0).toInt();
    if (version > schemaVersion)
        return fail(ErrorKind::Conflict,
                    QStringLiteral("the store %1 was created by a newer Berth (schema %2, this "
                                   "Berth knows %3)")
                        .arg(m_path)
                        .arg(version)
                        .arg(schemaVersion));
    for (; version < schemaVersion; ++version) {
        const QStringList statements =
            QString::fromUtf8(kMigrations[version]).split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString &statement : statements) {
            if (statement.trimmed().isEmpty())
                continue;
            QSqlQuery m(db);
            if (!m.exec(statement))
                return fail(sqlError(QStringLiteral("migrate schema to %1").arg(version + 1), m));
        }
    }
    QSqlQuery set(db);
    if (!set.exec(QStringLiteral("PRAGMA user_version=%1").arg(schemaVersion)))
        return fail(sqlError(QStringLiteral("set schema version"), set));
    return {};
}

} // namespace Berth::Engine
