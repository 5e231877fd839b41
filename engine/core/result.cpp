// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/result.h"

#include <cerrno>
#include <cstring>

namespace Berth::Engine {

QString errorKindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::NotFound:
        return QStringLiteral("not found");
    case ErrorKind::AlreadyExists:
        return QStringLiteral("already exists");
    case ErrorKind::InvalidArgument:
        return QStringLiteral("invalid argument");
    case ErrorKind::Conflict:
        return QStringLiteral("conflict");
    case ErrorKind::PermissionDenied:
        return QStringLiteral("permission denied");
    case ErrorKind::Unavailable:
        return QStringLiteral("unavailable");
    case ErrorKind::Corrupt:
        return QStringLiteral("corrupt");
    case ErrorKind::Cancelled:
        return QStringLiteral("cancelled");
    case ErrorKind::Internal:
        return QStringLiteral("internal error");
    }
    return QStringLiteral("error");
}

Error Error::withContext(const QString &context) const {
    return Error{kind, context + QStringLiteral(": ") + message};
}

ErrorKind errorKindFromErrno(int err) {
    switch (err) {
    case ENOENT:
        return ErrorKind::NotFound;
    case EEXIST:
    case ENOTEMPTY:
        return ErrorKind::AlreadyExists;
    case EACCES:
    case EPERM:
    case EROFS:
        return ErrorKind::PermissionDenied;
    case ENOSPC:
    case EDQUOT:
    case EAGAIN:
    case EBUSY:
        return ErrorKind::Unavailable;
    case EINVAL:
    case ENAMETOOLONG:
    case ELOOP:
        return ErrorKind::InvalidArgument;
    case EINTR:
        return ErrorKind::Cancelled;
    default:
        return ErrorKind::Internal;
    }
}

std::unexpected<Error> failErrno(const QString &what, int err) {
    QString text = QString::fromLocal8Bit(std::strerror(err));
    if (err == ENOSPC)
        text = QStringLiteral("no space left on device");
    return fail(errorKindFromErrno(err), what + QStringLiteral(": ") + text);
}

} // namespace Berth::Engine
