// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/server.h"

#include "api/execsessions.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonParseError>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QVersionNumber>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace Berth::Api {

using Engine::ErrorKind;
using Engine::fail;
using Engine::failErrno;

// ---- Exchange ----

Exchange::Exchange(ApiServer &server, HttpConnection &connection, HttpRequest &request,
                   QStringList params, QString apiVersion)
    : server(server)
    , engine(server.engine())
    , connection(connection)
    , request(request)
    , params(std::move(params))
    , apiVersion(std::move(apiVersion)) {}

bool Exchange::versionAtLeast(const QString &version) const {
    return QVersionNumber::fromString(apiVersion) >= QVersionNumber::fromString(version);
}

void Exchange::json(int status, const QJsonValue &value) {
    QByteArray body;
    if (value.isObject())
        body = QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    else if (value.isArray())
        body = QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    else
        body = "null";
    connection.respond(status, "application/json", body + '\n', {}, request.method == "HEAD");
}

void Exchange::noContent() {
    connection.respond(204, {}, {});
}

void Exchange::error(int status, const QString &message) {
    json(status, QJsonObject{{QStringLiteral("message"), message}});
}

int httpStatusFor(const Engine::Error &error) {
    switch (error.kind) {
    case ErrorKind::NotFound:
        return 404;
    case ErrorKind::AlreadyExists:
    case ErrorKind::Conflict:
        return 409;
    case ErrorKind::InvalidArgument:
        return 400;
    case ErrorKind::PermissionDenied:
        return 403;
    case ErrorKind::Unavailable:
        return 503;
    default:
        return 500;
    }
}

void Exchange::error(const Engine::Error &e) {
    error(httpStatusFor(e), e.message);
}

std::optional<QJsonObject> Exchange::jsonBody(bool allowEmpty, qint64 maxBytes) {
    if (auto read = connection.readBody(request, maxBytes); !read) {
        error(read.error().message.contains(QLatin1String("larger than")) ? 413 : 400,
              read.error().message);
        return std::nullopt;
    }
    if (request.body.trimmed().isEmpty() || request.body.trimmed() == "null") {
        if (allowEmpty)
            return QJsonObject();
        error(400, QStringLiteral("a JSON body is required"));
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        error(400, parseError.error != QJsonParseError::NoError
                       ? QStringLiteral("invalid JSON at offset %1: %2")
                             .arg(parseError.offset)
                             .arg(parseError.errorString())
                       : QStringLiteral("the JSON body must be an object"));
        return std::nullopt;
    }
    return doc.object();
}

std::optional<QHash<QString, QStringList>> Exchange::filters() {
    QHash<QString, QStringList> result;
    const QString text = request.value(QStringLiteral("filters"));
    if (text.isEmpty())
        return result;
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        error(400, QStringLiteral("invalid filters: %1").arg(text));
        return std::nullopt;
    }
    const QJsonObject object = doc.object();
    for (auto it = object.begin(); it != object.end(); ++it) {
        QStringList values;
        if (it->isArray()) {
            for (const QJsonValue &v : it->toArray())
                values << v.toString();
        } else if (it->isObject()) { // the pre-1.22 {"key":{"value":true}} form
            const QJsonObject set = it->toObject();
            for (auto v = set.begin(); v != set.end(); ++v) {
                if (v->toBool())
                    values << v.key();
            }
        } else {
            error(400, QStringLiteral("invalid filter '%1'").arg(it.key()));
            return std::nullopt;
        }
        result.insert(it.key(), values);
    }
    return result;
}

// ---- Router ----

void Router::add(const QByteArray &method, const QString &pattern, Handler handler) {
    m_routes.append(
        {method, pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts), std::move(handler)});
}

bool Router::matches(const Route &route, const QStringList &path, QStringList &params) {
    params.clear();
    const QStringList &pattern = route.segments;
    const qsizetype rest = pattern.indexOf(QStringLiteral("{*}"));
    if (rest < 0) {
        if (pattern.size() != path.size())
            return false;
        for (qsizetype i = 0; i < pattern.size(); ++i) {
            if (pattern[i] == QLatin1String("{}"))
                params << path[i];
            else if (pattern[i] != path[i])
                return false;
        }
        return true;
    }
    const qsizetype suffix = pattern.size() - rest - 1;
    if (path.size() < rest + 1 + suffix)
        return false;
    for (qsizetype i = 0; i < rest; ++i) {
        if (pattern[i] == QLatin1String("{}"))
            params << path[i];
        else if (pattern[i] != path[i])
            return false;
    }
    params << path.mid(rest, path.size() - rest - suffix).join(QLatin1Char('/'));
    for (qsizetype i = 0; i < suffix; ++i) {
        const QString &p = pattern[rest + 1 + i];
        const QString &s = path[path.size() - suffix + i];
        if (p == QLatin1String("{}"))
            params << s;
        else if (p != s)
            return false;
    }
    return true;
}

const Handler *Router::match(const QByteArray &method, const QString &path, QStringList &params,
                             bool &pathKnown) const {
    const QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    pathKnown = false;
    // Fixed routes win over ones with a multi-segment name ("/images/json" vs "/images/{*}").
    const Handler *best = nullptr;
    int bestWildcards = 1 << 30;
    QStringList bestParams;
    for (const Route &route : m_routes) {
        QStringList p;
        if (!matches(route, segments, p))
            continue;
        const bool sameMethod =
            route.method == method || (method == "HEAD" && route.method == "GET");
        if (!sameMethod) {
            pathKnown = true;
            continue;
        }
        const int wildcards = int(route.segments.count(QStringLiteral("{}")) +
                                  100 * route.segments.count(QStringLiteral("{*}")));
        if (wildcards < bestWildcards) {
            best = &route.handler;
            bestWildcards = wildcards;
            bestParams = p;
        }
    }
    params = bestParams;
    return best;
}

// ---- ApiServer ----

ApiServer::ApiServer(Engine::Engine &engine)
    : m_engine(engine)
    , m_execs(std::make_unique<ExecSessions>()) {
    addSystemRoutes(m_router);
    addImageRoutes(m_router);
    addContainerRoutes(m_router);
    addExecRoutes(m_router);
    addVolumeRoutes(m_router);
    addNetworkRoutes(m_router);
    addBuildRoutes(m_router);
}

ApiServer::~ApiServer() {
    stop();
    for (int fd : {m_unixFd, m_tcpFd, m_wakeFds[0], m_wakeFds[1]}) {
        if (fd >= 0)
            ::close(fd);
    }
}

namespace {

// sun_path holds 108 bytes; a longer path is reached through its directory's descriptor.
Result<sockaddr_un> unixAddress(const QString &path, int &dirFd) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    QByteArray native = QFile::encodeName(path);
    if (native.size() >= qsizetype(sizeof address.sun_path)) {
        const QFileInfo info(path);
        dirFd = ::open(QFile::encodeName(info.absolutePath()).constData(),
                       O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dirFd < 0)
            return failErrno(QStringLiteral("open %1").arg(info.absolutePath()), errno);
        native =
            "/proc/self/fd/" + QByteArray::number(dirFd) + '/' + QFile::encodeName(info.fileName());
        if (native.size() >= qsizetype(sizeof address.sun_path))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("socket name too long: %1").arg(path));
    }
    memcpy(address.sun_path, native.constData(), size_t(native.size()));
    return address;
}

} // namespace

Status ApiServer::listen(const ServerOptions &options) {
    m_options = options;
    if (::pipe2(m_wakeFds, O_CLOEXEC | O_NONBLOCK) != 0)
        return failErrno(QStringLiteral("pipe"), errno);

    if (!options.socketPath.isEmpty()) {
        const QFileInfo info(options.socketPath);
        if (!QDir().mkpath(info.absolutePath()))
            return fail(ErrorKind::PermissionDenied,
                        QStringLiteral("cannot create %1").arg(info.absolutePath()));
        int dirFd = -1;
        auto address = unixAddress(info.absoluteFilePath(), dirFd);
        auto closeDir = qScopeGuard([&] {
            if (dirFd >= 0)
                ::close(dirFd);
        });
        if (!address)
            return std::unexpected(address.error());
        m_unixFd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_unixFd < 0)
            return failErrno(QStringLiteral("socket"), errno);
        if (info.exists()) {
            // Someone serving there already? Then refuse; else it is a stale socket.
            const int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            const bool live = ::connect(probe, reinterpret_cast<const sockaddr *>(&*address),
                                        sizeof *address) == 0;
            ::close(probe);
            if (live)
                return fail(ErrorKind::AlreadyExists,
                            QStringLiteral("another server is already listening on %1")
                                .arg(options.socketPath));
            if (!info.isDir() && ::unlink(QFile::encodeName(options.socketPath).constData()) != 0)
                return failErrno(QStringLiteral("remove stale %1").arg(options.socketPath), errno);
        }
        if (::bind(m_unixFd, reinterpret_cast<const sockaddr *>(&*address), sizeof *address) != 0)
            return failErrno(QStringLiteral("bind %1").arg(options.socketPath), errno);
        // Permissions before listen(): nobody can connect until they are right.
        const QByteArray native = QFile::encodeName(info.absoluteFilePath());
        if (::chmod(native.constData(), mode_t(options.socketMode)) != 0)
            return failErrno(QStringLiteral("chmod %1").arg(options.socketPath), errno);
        // Like dockerd's "docker" group: members of a "berth" group may use the socket.
        if (const group *g = ::getgrnam("berth"); g && ::getuid() == 0)
            (void)::chown(native.constData(), 0, g->gr_gid);
        if (::listen(m_unixFd, 128) != 0)
            return failErrno(QStringLiteral("listen %1").arg(options.socketPath), errno);
    }

    if (!options.tcpHost.isEmpty()) {
        const QString host = options.tcpHost == QLatin1String("localhost")
                                 ? QStringLiteral("127.0.0.1")
                                 : options.tcpHost;
        const bool v6 = host == QLatin1String("::1");
        if (host != QLatin1String("127.0.0.1") && !v6)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("the API listens only on the loopback address (127.0.0.1 "
                                       "or ::1), not on %1: it has no authentication")
                            .arg(options.tcpHost));
        m_tcpFd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_tcpFd < 0)
            return failErrno(QStringLiteral("socket"), errno);
        const int one = 1;
        ::setsockopt(m_tcpFd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (v6) {
            auto *a = reinterpret_cast<sockaddr_in6 *>(&storage);
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(options.tcpPort);
            a->sin6_addr = in6addr_loopback;
            length = sizeof *a;
        } else {
            auto *a = reinterpret_cast<sockaddr_in *>(&storage);
            a->sin_family = AF_INET;
            a->sin_port = htons(options.tcpPort);
            a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            length = sizeof *a;
        }
        if (::bind(m_tcpFd, reinterpret_cast<sockaddr *>(&storage), length) != 0)
            return failErrno(QStringLiteral("bind %1:%2").arg(host).arg(options.tcpPort), errno);
        if (::listen(m_tcpFd, 128) != 0)
            return failErrno(QStringLiteral("listen"), errno);
        length = sizeof storage;
        ::getsockname(m_tcpFd, reinterpret_cast<sockaddr *>(&storage), &length);
        m_tcpPort = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port
                             : reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
    }
    if (m_unixFd < 0 && m_tcpFd < 0)
        return fail(ErrorKind::InvalidArgument, QStringLiteral("nothing to listen on"));
    return {};
}

void ApiServer::run() {
    while (!m_stopping.load()) {
        pollfd fds[3];
        int n = 0;
        fds[n++] = {m_wakeFds[0], POLLIN, 0};
        if (m_unixFd >= 0)
            fds[n++] = {m_unixFd, POLLIN, 0};
        if (m_tcpFd >= 0)
            fds[n++] = {m_tcpFd, POLLIN, 0};
        // Busy (over 3/4 of the connections taken): idle ones get a short timeout, checked
        // here once a second.
        int timeout = -1;
        {
            std::lock_guard lock(m_connectionsMutex);
            if (m_connections * 4 > m_options.maxConnections * 3) {
                closeIdle(m_options.busyIdleTimeoutMs);
                timeout = 1000;
            }
        }
        if (::poll(fds, nfds_t(n), timeout) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 1; i < n; ++i) {
            if (!(fds[i].revents & POLLIN))
                continue;
            const int client = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client >= 0)
                startConnection(client);
        }
    }
}

void ApiServer::startConnection(int client) {
    std::list<ConnectionThread> ended;
    {
        std::lock_guard lock(m_connectionsMutex);
        for (auto it = m_threads.begin(); it != m_threads.end();) {
            auto next = std::next(it);
            if (it->finished)
                ended.splice(ended.end(), m_threads, it);
            it = next;
        }
        if (m_stopping.load()) {
            ::close(client); // stop() has taken the threads to join: none may start now
        } else if (m_connections >= m_options.maxConnections && !evictIdle()) {
            HttpConnection refused(client);
            refused.respond(503, "application/json",
                            R"({"message":"too many connections"})"
                            "\n");
        } else {
            ++m_connections;
            ConnectionThread &entry = m_threads.emplace_back();
            entry.fd = client;
            // serve() touches `entry` only under the mutex held here, so it is complete first.
            entry.thread = std::thread([this, &entry] { serve(entry); });
        }
    }
    for (ConnectionThread &t : ended)
        t.thread.join(); // finished: its serve() has returned or is about to
}

bool ApiServer::evictIdle() {
    // Called with m_connectionsMutex held.
    if (m_idleSince.empty())
        return false;
    auto oldest =
        std::min_element(m_idleSince.begin(), m_idleSince.end(),
                         [](const auto &a, const auto &b) { return a.second < b.second; });
    // Its thread's wait wakes up to an end of stream and closes the connection.
    ::shutdown(oldest->first, SHUT_RDWR);
    m_idleSince.erase(oldest);
    return true;
}

bool ApiServer::awaitRequest(HttpConnection &connection, int fd) {
    {
        std::lock_guard lock(m_connectionsMutex);
        m_idleSince[fd] = QDateTime::currentMSecsSinceEpoch();
    }
    // One wait: the accept loop shuts the socket down early when it needs the room.
    const bool ready = connection.awaitRequest(m_options.limits.idleTimeoutMs);
    std::lock_guard lock(m_connectionsMutex);
    m_idleSince.erase(fd);
    return ready;
}

void ApiServer::closeIdle(qint64 idleForMs) {
    // Called with m_connectionsMutex held.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (auto it = m_idleSince.begin(); it != m_idleSince.end();) {
        if (now - it->second >= idleForMs) {
            ::shutdown(it->first, SHUT_RDWR);
            it = m_idleSince.erase(it);
        } else {
            ++it;
        }
    }
}

void ApiServer::stop() {
    if (m_stopping.exchange(true))
        return;
    if (m_wakeFds[1] >= 0)
        (void)!::write(m_wakeFds[1], "x", 1);
    // Streams check stopping() at least once a second; give them a moment to finish.
    std::list<ConnectionThread> threads;
    {
        std::unique_lock lock(m_connectionsMutex);
        closeIdle(0);
        m_connectionsDone.wait_for(lock, std::chrono::seconds(5),
                                   [this] { return m_connections == 0; });
        for (const ConnectionThread &t : m_threads)
            if (t.fd >= 0)
                ::shutdown(t.fd, SHUT_RDWR);
        threads.swap(m_threads);
    }
    for (ConnectionThread &t : threads)
        t.thread.join();
}

void ApiServer::attachBegin(const QString &containerId) {
    std::lock_guard lock(m_attachMutex);
    ++m_attached[containerId];
}

void ApiServer::attachEnd(const QString &containerId) {
    std::lock_guard lock(m_attachMutex);
    if (--m_attached[containerId] <= 0)
        m_attached.remove(containerId);
    m_attachDone.notify_all();
}

void ApiServer::waitForAttachers(const QString &containerId, int timeoutMs) {
    std::unique_lock lock(m_attachMutex);
    m_attachDone.wait_for(lock, std::chrono::milliseconds(timeoutMs),
                          [&] { return !m_attached.contains(containerId); });
}

void ApiServer::sessionWaitBegin(const QString &containerId) {
    std::lock_guard lock(m_attachMutex);
    ++m_sessionWaiters[containerId];
}

void ApiServer::sessionWaitEnd(const QString &containerId) {
    std::lock_guard lock(m_attachMutex);
    if (--m_sessionWaiters[containerId] <= 0)
        m_sessionWaiters.remove(containerId);
}

bool ApiServer::sessionWaiting(const QString &containerId) {
    std::lock_guard lock(m_attachMutex);
    return m_sessionWaiters.contains(containerId);
}

void ApiServer::serve(ConnectionThread &self) {
    {
        const int fd = self.fd;
        HttpConnection connection(fd, m_options.limits);
        // Before the connection closes its socket, so stop() never shuts a reused descriptor.
        const auto forget = qScopeGuard([&] {
            std::lock_guard lock(m_connectionsMutex);
            self.fd = -1;
        });
        connection.setCommonHeaders({{"Api-Version", currentApiVersion},
                                     {"Docker-Experimental", "false"},
                                     {"Ostype", "linux"}});
        for (;;) {
            if (!awaitRequest(connection, fd))
                break;
            HttpRequest request;
            int errorStatus = 400;
            auto head = connection.readHead(request, errorStatus);
            if (!head) {
                // A request that never completed (timeout) or that is malformed.
                if (errorStatus != 408 || !request.method.isEmpty()) {
                    connection.respond(errorStatus, "application/json",
                                       QJsonDocument(QJsonObject{{QStringLiteral("message"),
                                                                  head.error().message}})
                                               .toJson(QJsonDocument::Compact) +
                                           '\n',
                                       {{"Connection", "close"}});
                }
                break;
            }
            if (!*head)
                break;
            dispatch(connection, request);
            if (connection.failed() || !connection.keepAlive() || m_stopping.load())
                break;
            if (!connection.bodyFinished() && !connection.discardBody(request))
                break;
            if (!connection.keepAlive())
                break;
        }
    }
    std::lock_guard lock(m_connectionsMutex);
    --m_connections;
    self.finished = true;
    m_connectionsDone.notify_all();
}

void ApiServer::dispatch(HttpConnection &connection, HttpRequest &request) {
    QString path = request.path;
    QString version = QString::fromLatin1(currentApiVersion);
    static const QRegularExpression versioned(QStringLiteral("^/v([0-9]+\\.[0-9]+)(/.*)$"));
    if (const auto m = versioned.match(path); m.hasMatch()) {
        version = m.captured(1);
        path = m.captured(2);
    }
    Exchange exchange(*this, connection, request, {}, version);
    const QVersionNumber asked = QVersionNumber::fromString(version);
    if (asked < QVersionNumber::fromString(QString::fromLatin1(minimumApiVersion))) {
        exchange.error(400, QStringLiteral("client version %1 is too old. Minimum supported API "
                                           "version is %2, please upgrade your client to a "
                                           "newer version")
                                .arg(version, QString::fromLatin1(minimumApiVersion)));
        return;
    }
    if (asked > QVersionNumber::fromString(QString::fromLatin1(currentApiVersion))) {
        exchange.error(400, QStringLiteral("client version %1 is too new. Maximum supported API "
                                           "version is %2")
                                .arg(version, QString::fromLatin1(currentApiVersion)));
        return;
    }
    bool pathKnown = false;
    const Handler *handler = m_router.match(request.method, path, exchange.params, pathKnown);
    if (!handler) {
        if (pathKnown)
            exchange.error(405, QStringLiteral("method %1 not allowed for %2")
                                    .arg(QString::fromLatin1(request.method), path));
        else
            exchange.error(404, QStringLiteral("page not found"));
        return;
    }
    try {
        (*handler)(exchange);
    } catch (const std::exception &e) {
        if (!connection.responded())
            exchange.error(500, QString::fromUtf8(e.what()));
    }
    if (!connection.responded())
        exchange.error(500, QStringLiteral("the handler gave no answer"));
}

} // namespace Berth::Api
