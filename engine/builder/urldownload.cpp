// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/urldownload.h"

#include "engine/core/fileutil.h"

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace Berth::Engine {

DownloadedFile::~DownloadedFile() {
    if (!path.isEmpty())
        QFile::remove(path);
}

DownloadedFile::DownloadedFile(DownloadedFile &&other) noexcept {
    *this = std::move(other);
}

DownloadedFile &DownloadedFile::operator=(DownloadedFile &&other) noexcept {
    if (this != &other) {
        if (!path.isEmpty())
            QFile::remove(path);
        path = std::exchange(other.path, QString());
        fileName = other.fileName;
        lastModified = other.lastModified;
        digest = other.digest;
        size = other.size;
    }
    return *this;
}

Result<DownloadedFile> downloadUrl(const QUrl &url, const QString &dir,
                                   const std::atomic<bool> *cancelled) {
    const QString shown = url.toString(QUrl::RemoveUserInfo);
    if (auto s = makeDirectories(dir); !s)
        return fail(s.error());
    DownloadedFile file;
    file.path = dir + QLatin1Char('/') + uniqueTempName(QStringLiteral("build-download"));
    file.fileName = url.fileName();
    QFile out(file.path);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(ErrorKind::Internal,
                    QStringLiteral("download %1: %2").arg(shown, out.errorString()));

    QNetworkAccessManager nam;
    nam.setRedirectPolicy(QNetworkRequest::NoLessSafeRedirectPolicy);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::UserAgentHeader, QStringLiteral("berth"));
    QNetworkReply *reply = nam.get(request);
    Sha256 hash;
    QString writeError;
    // A nested event loop because QNetworkAccessManager requires one (replies progress only
    // through the event loop of the thread that owns it; this runs on a worker thread).
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::readyRead, &loop, [&] {
        const QByteArray chunk = reply->readAll();
        if (out.write(chunk) != chunk.size() && writeError.isEmpty()) {
            writeError = out.errorString();
            reply->abort();
        }
        hash.add(chunk);
        file.size += chunk.size();
    });
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (cancelled && cancelled->load())
            reply->abort();
    });
    poll.start(100);
    loop.exec();
    const QByteArray rest = reply->readAll();
    out.write(rest);
    hash.add(rest);
    file.size += rest.size();
    out.close();
    reply->deleteLater();
    if (cancelled && cancelled->load())
        return fail(ErrorKind::Cancelled, QStringLiteral("download %1: cancelled").arg(shown));
    if (!writeError.isEmpty())
        return fail(ErrorKind::Internal, QStringLiteral("download %1: %2").arg(shown, writeError));
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400)
        return fail(
            status == 404 ? ErrorKind::NotFound : ErrorKind::Unavailable,
            QStringLiteral("download %1: HTTP %2 %3")
                .arg(shown)
                .arg(status)
                .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
    if (reply->error() != QNetworkReply::NoError)
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("download %1: %2").arg(shown, reply->errorString()));
    file.lastModified = reply->header(QNetworkRequest::LastModifiedHeader).toDateTime();
    file.digest = hash.finish();
    return file;
}

} // namespace Berth::Engine
