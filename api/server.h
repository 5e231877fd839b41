// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/http.h"
#include "engine/engine.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QStringList>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <thread>

namespace Berth::Api {

// The Docker Engine API versions Berth speaks (dockerd's rule: older clients are served, newer
// ones are told the maximum).
inline constexpr auto minimumApiVersion = "1.24";
inline constexpr auto currentApiVersion = "1.43";

class ApiServer;
class ExecSessions;

// One request being answered: what the handler reads and the helpers it answers with.
class Exchange {
public:
    Exchange(ApiServer &server, HttpConnection &connection, HttpRequest &request,
             QStringList params, QString apiVersion);

    ApiServer &server;
    Engine::Engine &engine;
    HttpConnection &connection;
    HttpRequest &request;
    QStringList params; // the path's variable parts, in order
    QString apiVersion; // the client's (from the path), or the current one

    bool versionAtLeast(const QString &version) const;

    void json(int status, const QJsonValue &value);
    void noContent();
    // Docker's error body {"message": ...}.
    void error(int status, const QString &message);
    // An engine error with the status dockerd uses for its kind.
    void error(const Engine::Error &error);
    // The request's JSON body (an object, or null/empty when `allowEmpty`). Answers 400 itself
    // and returns nullopt for bad JSON or a body over `maxBytes`.
    std::optional<QJsonObject> jsonBody(bool allowEmpty = false, qint64 maxBytes = 4 << 20);
    // Query "filters" ({"key":["v",...]} or the old {"key":{"v":true}}). Answers 400 and
    // returns nullopt when malformed.
    std::optional<QHash<QString, QStringList>> filters();
};

int httpStatusFor(const Engine::Error &error);

using Handler = std::function<void(Exchange &)>;

// Routes "METHOD /path" to handlers. Patterns are segments where "{}" matches one segment and
// "{*}" one or more (image names have slashes: /images/{*}/json).
class Router {
public:
    void add(const QByteArray &method, const QString &pattern, Handler handler);
    // The handler for the request, with the variable parts in `params`; null when none.
    // `pathKnown` says whether another method would have matched (405 rather than 404).
    const Handler *match(const QByteArray &method, const QString &path, QStringList &params,
                         bool &pathKnown) const;

private:
    struct Route {
        QByteArray method;
        QStringList segments;
        Handler handler;
    };
    static bool matches(const Route &route, const QStringList &path, QStringList &params);
    QList<Route> m_routes;
};

struct ServerOptions {
    QString socketPath;  // the unix socket; "" = none
    QString tcpHost;     // only 127.0.0.1/::1/localhost are accepted; "" = no TCP
    quint16 tcpPort = 0; // 0 with a host: a free port (see tcpPort())
    int socketMode = 0660;
    HttpLimits limits;
    int maxConnections = 512;
    // Idle connections (no request under way) cannot lock others out: once more than 3/4 of
    // maxConnections are open, the accept loop closes those idle for busyIdleTimeoutMs
    // (instead of limits.idleTimeoutMs), and a new client at the limit closes the longest idle
    // one rather than getting 503. stop() closes idle connections at once.
    int busyIdleTimeoutMs = 5'000;
};

// Serves the Docker Engine API over HTTP/1.1: one thread per connection with blocking I/O, so a
// slow or stuck client only ever holds its own thread, and streams (logs -f, events, stats,
// attach) are plain loops. All handlers share the engine, which is thread-safe.
//
// The server owns its connection threads: run() joins those that have ended as it accepts new
// ones, and stop() joins all of them, so no thread outlives the server (or the engine it uses).
class ApiServer {
public:
    explicit ApiServer(Engine::Engine &engine);
    ~ApiServer();

    // Binds the socket(s); the unix socket's directory is created, a stale socket replaced, a
    // socket another server is serving on refused.
    Status listen(const ServerOptions &options);
    // Accepts connections until stop() (from another thread or a signal handler's self-pipe).
    void run();
    // Stops accepting, tells every stream to finish and waits up to 5 s for the connections to
    // end; then shuts the sockets of those left (a handler blocked reading or writing returns,
    // a long operation sees its next write fail) and joins every connection thread.
    void stop();
    bool stopping() const { return m_stopping.load(); }
    quint16 tcpPort() const { return m_tcpPort; }

    Engine::Engine &engine() { return m_engine; }
    ExecSessions &execs() { return *m_execs; }

    // Streams attached to a container's output. Removing an exited --rm container waits for
    // them to read its last lines first (its log goes with it).
    void attachBegin(const QString &containerId);
    void attachEnd(const QString &containerId);
    void waitForAttachers(const QString &containerId, int timeoutMs);
    // Clients waiting to join a container's session through its shim (attach with stdin): a
    // start meanwhile has the shim keep the container's first output for them.
    void sessionWaitBegin(const QString &containerId);
    void sessionWaitEnd(const QString &containerId);
    bool sessionWaiting(const QString &containerId);

private:
    struct ConnectionThread {
        int fd = -1; // the client socket while serve() uses it, else -1
        bool finished = false;
        std::thread thread;
    };
    void serve(ConnectionThread &self);
    void startConnection(int client);
    // Waits for the connection's next request while counting it idle; false when it should
    // close (peer gone, idle too long, or closed to make room for a new client).
    bool awaitRequest(HttpConnection &connection, int fd);
    // At the connection limit: closes the longest idle connection; false when none is idle.
    bool evictIdle();
    // Closes the connections idle for at least `idleForMs` (m_connectionsMutex held).
    void closeIdle(qint64 idleForMs);
    void dispatch(HttpConnection &connection, HttpRequest &request);

    Engine::Engine &m_engine;
    ServerOptions m_options;
    Router m_router;
    std::unique_ptr<ExecSessions> m_execs;
    int m_unixFd = -1;
    int m_tcpFd = -1;
    int m_wakeFds[2] = {-1, -1};
    quint16 m_tcpPort = 0;
    std::atomic<bool> m_stopping{false};
    std::mutex m_connectionsMutex;
    std::condition_variable m_connectionsDone;
    int m_connections = 0;
    std::list<ConnectionThread> m_threads; // under m_connectionsMutex
    std::map<int, qint64> m_idleSince;     // fd -> ms since the epoch; under m_connectionsMutex
    std::mutex m_attachMutex;
    std::condition_variable m_attachDone;
    QHash<QString, int> m_attached;
    QHash<QString, int> m_sessionWaiters;
};

// Handlers, one file per area of the API.
void addSystemRoutes(Router &router);
void addImageRoutes(Router &router);
void addContainerRoutes(Router &router);
void addExecRoutes(Router &router);
void addVolumeRoutes(Router &router);
void addNetworkRoutes(Router &router);
void addBuildRoutes(Router &router);

} // namespace Berth::Api
