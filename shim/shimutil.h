// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Small helpers berth-shim's parts share (plain C++ and POSIX, no Qt).

#include <cstddef>
#include <string>

namespace Berth::Shim {

// Now as RFC 3339 with nanoseconds, UTC ("2024-01-02T03:04:05.123456789Z").
std::string timestamp();
// Milliseconds of CLOCK_MONOTONIC.
long long nowMs();
// Appends `data` as a JSON string (quoted, escaped) to `out`.
void appendJsonString(std::string &out, const char *data, size_t size);
inline void appendJsonString(std::string &out, const std::string &text) {
    appendJsonString(out, text.data(), text.size());
}
bool writeAll(int fd, const char *data, size_t size);
// The first `limit` bytes (about) of a file; "" when it cannot be read.
std::string readSmallFile(const std::string &file, size_t limit = 65536);
// A wait status as a shell reports it: the exit code, or 128 + the signal.
int exitCodeOf(int status);
// Replaces dir/name with `text` through dir/name.tmp and rename. `durable`: synced to disk,
// the file and the directory entry.
bool writeFileIn(const std::string &dir, const char *name, const std::string &text, bool durable);

} // namespace Berth::Shim
