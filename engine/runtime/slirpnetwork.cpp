// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/slirpnetwork.h"

#include "engine/core/usernamespace.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace Berth::Engine::Slirp {

namespace {

constexpr int kReadyTimeoutMs = 10000;

struct Record {
    pid_t pid = 0;
    QByteArray startTime;
    QString socket;
};

Record parse(const QByteArray &text) {
    const QList<QByteArray> parts = text.trimmed().split(' ');
    Record r;
    if (parts.size() == 4 && parts[0] == RecordPrefix) {
        r.pid = pid_t(parts[1].toInt());
        r.startTime = parts[2];
        r.socket = QFile::decodeName(parts[3]);
    }
    return r;
}

// One request on the API socket; the reply's "error" as an error.
Status call(const QString &socket, const QJsonObject &request) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const QByteArray path = QFile::encodeName(socket);
    if (fd < 0 || size_t(path.size()) >= sizeof addr.sun_path) {
        if (fd >= 0)
            ::close(fd);
        return fail(ErrorKind::Internal, QStringLiteral("slirp4netns socket %1").arg(socket));
    }
    memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    QByteArray reply;
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0 &&
        ::write(fd, body.constData(), size_t(body.size())) == body.size()) {
        ::shutdown(fd, SHUT_WR);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0 && reply.size() < 65536)
            reply.append(buf, n);
    }
    const int err = errno;
    ::close(fd);
    const QJsonObject answer = QJsonDocument::fromJson(reply).object();
    if (answer.contains(QStringLiteral("return")))
        return {};
    const QString why =
        answer.value(QStringLiteral("error")).toObject().value(QStringLiteral("desc")).toString();
    return fail(ErrorKind::Unavailable,
                QStringLiteral("slirp4netns: %1")
                    .arg(!why.isEmpty() ? why : QString::fromLocal8Bit(std::strerror(err))));
}

} // namespace

Result<QByteArray> start(const QString &containerId, int netnsFd, const QString &logFile) {
    const QString program = QStandardPaths::findExecutable(QStringLiteral("slirp4netns"));
    if (program.isEmpty())
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("rootless containers reach the network through slirp4netns, "
                                   "which is not installed (sudo apt-get install slirp4netns); "
                                   "--network none works without it"));
    if (::access("/dev/net/tun", R_OK | W_OK) != 0)
        return fail(ErrorKind::PermissionDenied,
                    QStringLiteral("slirp4netns needs /dev/net/tun open to users, as desktop "
                                   "Debian has it (sudo chmod 0666 /dev/net/tun); --network none "
                                   "works without it"));
    const QString socket = QString::fromStdString(UserNamespace::runtimeDirectory()) +
                           QStringLiteral("/slirp-%1.sock").arg(containerId.left(12));
    QFile::remove(socket);
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        return failErrno(QStringLiteral("pipe"), errno);
    const QList<QByteArray> args{QFile::encodeName(program),
                                 "--configure",
                                 "--mtu=65520",
                                 "--ready-fd=3",
                                 "--netns-type=path",
                                 "--api-socket",
                                 QFile::encodeName(socket),
                                 QByteArray("/proc/") + QByteArray::number(::getpid()) + "/fd/" +
                                     QByteArray::number(netnsFd),
                                 "tap0"};
    std::vector<char *> argv;
    for (const QByteArray &a : args)
        argv.push_back(const_cast<char *>(a.constData()));
    argv.push_back(nullptr);
    struct Child {
        char **argv;
        const char *log;
        int ready;
    };
    const QByteArray log = QFile::encodeName(logFile);
    Child child{argv.data(), log.constData(), ready[1]};
    const pid_t pid = UserNamespace::forkDetached(
        [](void *argument) {
            const Child &c = *static_cast<Child *>(argument);
            const int in = ::open("/dev/null", O_RDONLY);
            const int out = ::open(c.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(in, 0);
            ::dup2(out >= 0 ? out : in, 1);
            ::dup2(out >= 0 ? out : in, 2);
            ::dup2(c.ready, 3); // dup2 clears close-on-exec
            ::close_range(4, ~0U, 0);
            ::execv(c.argv[0], c.argv);
            ::_exit(127);
        },
        &child);
    ::close(ready[1]);
    const bool started = pid > 0;
    // slirp4netns writes "1" to the ready fd once tap0 is configured.
    char byte = 0;
    pollfd pfd{ready[0], POLLIN, 0};
    const bool configured = started && ::poll(&pfd, 1, kReadyTimeoutMs) == 1 &&
                            ::read(ready[0], &byte, 1) == 1 && byte == '1';
    ::close(ready[0]);
    const std::string startTime = started ? UserNamespace::processStartTime(pid) : std::string();
    if (!configured || startTime.empty()) {
        if (started)
            ::kill(pid, SIGKILL);
        QByteArray said;
        QFile f(logFile);
        if (f.open(QIODevice::ReadOnly))
            said = f.readAll().trimmed().split('\n').last();
        return fail(
            ErrorKind::Unavailable,
            QStringLiteral("slirp4netns could not set up the container's network%1")
                .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + QString::fromUtf8(said)));
    }
    return QByteArray(RecordPrefix) + ' ' + QByteArray::number(pid) + ' ' +
           QByteArray::fromStdString(startTime) + ' ' + QFile::encodeName(socket);
}

Status forward(const QByteArray &record, const QList<PortBinding> &ports) {
    const Record r = parse(record);
    for (const PortBinding &p : ports) {
        const QString hostIp = p.hostIp.isEmpty() ? QStringLiteral("0.0.0.0") : p.hostIp;
        if (auto st =
                call(r.socket,
                     QJsonObject{{QStringLiteral("execute"), QStringLiteral("add_hostfwd")},
                                 {QStringLiteral("arguments"),
                                  QJsonObject{{QStringLiteral("proto"), p.protocol},
                                              {QStringLiteral("host_addr"), hostIp},
                                              {QStringLiteral("host_port"), p.hostPort},
                                              {QStringLiteral("guest_port"), p.containerPort}}}});
            !st)
            return fail(st.error().withContext(
                QStringLiteral("publish %1:%2").arg(hostIp).arg(p.hostPort)));
    }
    return {};
}

void stop(const QByteArray &record) {
    const Record r = parse(record);
    if (r.pid > 0 &&
        QByteArray::fromStdString(UserNamespace::processStartTime(r.pid)) == r.startTime)
        ::kill(r.pid, SIGTERM);
    if (!r.socket.isEmpty())
        QFile::remove(r.socket);
}

} // namespace Berth::Engine::Slirp
