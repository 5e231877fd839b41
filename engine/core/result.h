// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <expected>

namespace Berth::Engine {

// What went wrong, in categories a caller can act on (retry, ask the user, report a bug).
enum class ErrorKind {
    NotFound,
    AlreadyExists,
    InvalidArgument,
    Conflict,
    PermissionDenied,
    Unavailable,
    Corrupt,
    Cancelled,
    Internal,
};

QString errorKindName(ErrorKind kind);

// An engine error: a kind plus a message with its context, outermost first
// ("load image.tar: layer sha256:...: unexpected end of archive").
struct Error {
    ErrorKind kind = ErrorKind::Internal;
    QString message;

    // Returns the same error with `context` prepended ("context: message").
    [[nodiscard]] Error withContext(const QString &context) const;
};

// Every fallible engine operation returns Result<T>; no exceptions cross the engine API.
template <typename T> using Result = std::expected<T, Error>;
using Status = Result<void>;

inline std::unexpected<Error> fail(ErrorKind kind, const QString &message) {
    return std::unexpected(Error{kind, message});
}
inline std::unexpected<Error> fail(const Error &error) {
    return std::unexpected(error);
}

// errno -> ErrorKind, for system calls.
ErrorKind errorKindFromErrno(int err);
// "what: strerror(errno)" with the kind derived from errno.
std::unexpected<Error> failErrno(const QString &what, int err);

} // namespace Berth::Engine
