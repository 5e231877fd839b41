// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The health check's part of the contract between the engine and berth-shim (plain C++, as
// shimprotocol.h; the files are described in healthcheck.h, HealthFiles).
//
// berth-shim --health-process FILE --health-interval NS --health-timeout NS
//            --health-start-period NS --health-start-interval NS --health-retries N
// probes the container with `<runtime> exec --process FILE --pid-file health.pid <id>` as
// Docker's daemon does: the first probe one interval after each (re)start of the container
// (the start interval instead while the start period lasts and the status is "starting"), the
// next one interval after the previous one ended; exit code 0 is healthy, anything else a
// failure, a probe past its timeout is killed and fails with exit code -1. Failures inside the
// start period while "starting" do not count; `retries` failures in a row make it unhealthy, one
// success healthy again. When the container stops (or waits to restart) the status is
// "unhealthy" and a new run begins at "starting" with a failing streak of 0; the log of the last
// probes is kept for the shim's life.

namespace Berth::Shim {

inline constexpr const char *HealthProcessFile = "health-process.json";
inline constexpr const char *HealthFile = "health.json";
inline constexpr const char *HealthReportedFile = "health.reported";
inline constexpr const char *HealthPidFile = "health.pid";
inline constexpr const char *HealthRuntimeLogFile = "health-runtime.log";
inline constexpr int HealthLogEntries = 5;     // Docker's maxLogEntries
inline constexpr int HealthOutputLimit = 4096; // bytes of a probe's output kept (Docker's)
inline constexpr int HealthChangesKept = 16;   // status changes kept in health.json

} // namespace Berth::Shim
