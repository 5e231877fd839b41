// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "api/server.h"
#include "engine/runtime/containerlogs.h"

namespace Berth::Api {

// Writes bytes to the client; false once it is gone.
using StreamSink = std::function<bool(const QByteArray &)>;

struct LogStreamOptions {
    Engine::LogQuery query;
    bool stdoutWanted = true;
    bool stderrWanted = true;
    bool follow = false;
    bool timestamps = false;
    bool tty = false; // raw bytes; else Docker's multiplexed frames
    // Follow a container that has not started yet until it has run and stopped (attach).
    bool waitForStart = false;
    bool onlyNew = false; // skip what the log already holds (attach without logs=1)
};

// Docker's multiplexed stream frame: [stream, 0, 0, 0, size (big-endian 32 bits)] + payload;
// stream 1 is stdout, 2 stderr.
QByteArray streamFrame(int stream, const QByteArray &payload);

// Whether the container runs with a terminal (its output is one raw stream).
bool isTty(const Engine::ContainerRecord &container);

// Sends the container's log lines as the options ask; with follow, goes on until the container
// stops, the client leaves or the server stops.
void streamLogs(Exchange &x, const Engine::ContainerRecord &container,
                const LogStreamOptions &options, const StreamSink &sink);

// POST /containers/{id}/attach: hijacks the connection and streams the container's output.
// With stdin=1 on a container created with OpenStdin the client joins the container's
// session through its berth-shim instead: what it sends is the container's input (StdinOnce:
// its end is the input's end; the detach keys leave the container running), its terminal
// output raw with Tty, else stdout and stderr in Docker's frames. Attaching before the start
// waits for it; the start then keeps the first output for this client.
void attachStreams(Exchange &x, const Engine::ContainerRecord &container);

// Copies a process's separate stdout and stderr pipes into Docker frames on the connection
// until both end, then closes them; a client that left closes them at once (the writers get
// EPIPE instead of blocking on a pipe nobody reads).
void pumpFrames(HttpConnection &connection, int outFd, int errFd);

// Streams the request body (an archive) through a pipe to `consume`, which reads the pipe's
// read end on a thread of its own, so a large upload never sits in memory. Returns the
// consumer's result; `received` tells whether the whole body arrived.
Engine::Status consumeBodyThroughPipe(Exchange &x, qint64 maxBytes,
                                      const std::function<Engine::Status(int fd)> &consume,
                                      Engine::Status &received);

// Sets the container's terminal size (Conflict without a terminal or when not running).
Engine::Status resizeTerminal(Exchange &x, const Engine::ContainerRecord &container, int rows,
                              int columns);

} // namespace Berth::Api
