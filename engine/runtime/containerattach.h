// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerruntime.h"

#include <QByteArray>
#include <QString>

namespace Berth::Engine {

// Docker's default detach keys: ctrl-p then ctrl-q.
inline const QString DefaultDetachKeys = QStringLiteral("ctrl-p,ctrl-q");

// Parses Docker's --detach-keys: comma-separated keys, each a single character or "ctrl-X"
// with X one of a-z, @, [, \, ], ^, _ ("ctrl-p,ctrl-q" -> "\x10\x11"). An empty text means no
// detach keys. InvalidArgument for anything else.
Result<QByteArray> parseDetachKeys(const QString &text);

// Finds the detach keys in a stream of typed bytes, holding back a partial match until it is
// decided, so what the user typed reaches the container unchanged unless it is the sequence.
class DetachKeyMatcher {
public:
    explicit DetachKeyMatcher(QByteArray keys)
        : m_keys(std::move(keys)) {}
    // Appends the bytes to pass on to `out`; returns true when the sequence was completed
    // (bytes after it are dropped: the session ends).
    bool feed(const char *data, qsizetype size, QByteArray &out);

private:
    QByteArray m_keys;
    qsizetype m_matched = 0;
};

// The caller's side of an attach: file descriptors the engine reads from and writes to; it
// never closes them.
struct AttachStdio {
    int in = -1; // the caller's input for the container's stdin; -1: output only
    int out = 1;
    int err = 2;
    int sizeSource = -1;   // a terminal whose window size the container's terminal copies
    int resizeNotify = -1; // non-blocking, readable when that size changed (SIGWINCH self-pipe)
    int signalNotify = -1; // a pipe of signal numbers (one byte each) to send to the container
};

struct AttachOptions {
    // End the container's stdin when `in` ends (Docker's StdinOnce: run -i, start -ai). Plain
    // `attach` leaves it open for the next client.
    bool closeStdinAtEnd = false;
    QByteArray detachKeys; // typed on `in`: leave the container running and return; "" = none
};

struct AttachResult {
    bool detached = false; // the detach keys were typed; the container runs on
    int exitCode = 0;      // the container's, when it exited
};

// Attaches to a running container through its shim's attach socket (see shimprotocol.h): the
// container's output (stdout and stderr apart, or its terminal) goes to the caller's fds,
// the caller's input to its stdin (when the container was created with -i), window-size
// changes to its terminal (-t). Several clients may attach at once. run() blocks until the
// container exits (its exit code), the detach keys are typed, or the shim goes away (then the
// exit status is the engine's reconciled one).
class ContainerAttach {
public:
    explicit ContainerAttach(ContainerRuntime &runtime)
        : m_runtime(runtime) {}

    Result<AttachResult> run(const QString &nameOrId, const AttachStdio &stdio,
                             const AttachOptions &options);

    // Sets the window size of a running container's terminal (the API's resize, which comes
    // without an attached terminal to copy it from). Conflict when it has none or is not running.
    Status resize(const QString &nameOrId, int rows, int columns);

private:
    ContainerRuntime &m_runtime;
};

} // namespace Berth::Engine
