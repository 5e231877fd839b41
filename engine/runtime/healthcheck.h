// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace Berth::Engine {

class EventJournal;

// Docker's health check of a container: the image's HEALTHCHECK, `run --health-*` and the API's
// Config.Healthcheck all have this shape. Durations in nanoseconds; 0 (and an empty test) mean
// "inherit": from the image at create, then Docker's defaults when the probe runs.
struct HealthConfig {
    QStringList test; // [] inherit, ["NONE"] off, ["CMD", arg...], ["CMD-SHELL", command]
    qint64 interval = 0;
    qint64 timeout = 0;
    qint64 startPeriod = 0;
    qint64 startInterval = 0;
    int retries = 0;

    // Docker's defaults for what is left at 0.
    static constexpr qint64 DefaultInterval = 30'000'000'000;
    static constexpr qint64 DefaultTimeout = 30'000'000'000;
    static constexpr qint64 DefaultStartInterval = 5'000'000'000;
    static constexpr int DefaultRetries = 3;
    // Docker refuses shorter durations (other than 0).
    static constexpr qint64 MinimumDuration = 1'000'000;

    bool isEmpty() const;   // nothing set at all: everything inherited
    bool runsProbe() const; // CMD or CMD-SHELL: berth-shim probes the container
    // InvalidArgument for a test that is not one of the forms above, a negative or too short
    // duration, negative retries.
    Status validate() const;
    // Docker's merge at create: what this (the user's) leaves unset comes from `image`.
    HealthConfig mergedOver(const HealthConfig &image) const;
    // The probe's command line: CMD's arguments, or CMD-SHELL's command after `shell` (the
    // image's SHELL, else /bin/sh -c).
    QStringList probeCommand(const QStringList &shell) const;

    // Docker's JSON (Test, Interval, Timeout, StartPeriod, StartInterval, Retries; zeros left
    // out). fromJson() of a missing or null value is an empty config.
    QJsonObject toJson() const;
    static Result<HealthConfig> fromJson(const QJsonValue &value);
    friend bool operator==(const HealthConfig &, const HealthConfig &) = default;
};

// State.Health.Status. None: the container has no health check (or never ran with one).
enum class HealthStatus { None, Starting, Healthy, Unhealthy };
QString healthStatusName(HealthStatus status); // "none", "starting", "healthy", "unhealthy"

// One probe's outcome, as State.Health.Log holds it (Docker keeps the last 5; Output is the
// first 4096 bytes of stdout and stderr together, "..." appended when there was more).
struct HealthProbeResult {
    QDateTime start;
    QDateTime end;
    int exitCode = 0; // -1: the probe could not run or exceeded its timeout
    QString output;
};

// A container's health as its berth-shim last wrote it (see HealthFiles).
struct HealthState {
    HealthStatus status = HealthStatus::None;
    int failingStreak = 0;
    QList<HealthProbeResult> log; // oldest first

    bool isNone() const { return status == HealthStatus::None; }
    // Docker's State.Health object.
    QJsonObject toDockerJson() const;
    // What `ps` appends to "Up 2 minutes": "(healthy)", "(unhealthy)", "(health: starting)";
    // "" without a health check.
    QString psSuffix() const;
};

// The health check's files in a container's directory, shared by the engine and berth-shim:
//   health-process.json  the OCI process the shim runs with `<runtime> exec --process` for
//                        each probe (the container's own process with the probe's command),
//                        written by the engine at each start;
//   health.json          written atomically by the shim after every probe and state change:
//                        {"Status", "FailingStreak", "Log": [{"Start", "End", "ExitCode",
//                        "Output"}], "Changes": [{"Seq": n, "Status": "healthy"}]}, where
//                        Changes are the last status changes a probe caused, numbered from 1
//                        for the shim's life (the health_status events to record);
//   health.reported      the last change recorded as an event, under flock, so that of several
//                        processes reading the container each change is recorded once.
// Without a daemon nobody records events when they happen: any read of the container (ps,
// inspect, the API, the GUI's refresh) records what changed since the last one, in order.
namespace HealthFiles {
// Writes health-process.json for `config` from the container's OCI process object and returns
// the shim's arguments (--health-*). Nothing (and no file) when the config runs no probe.
Result<QStringList> prepare(const QString &containerDir, const HealthConfig &config,
                            const QStringList &shell, const QJsonObject &containerProcess);
// Removes what a previous run left (before a start by hand: the log begins anew).
void clear(const QString &containerDir);
// The state the shim wrote. A container that does not run is "unhealthy" (Docker's rule once
// its monitor stopped) if a probe state exists, else None; a running one is "starting" until
// the shim's first write.
HealthState read(const QString &containerDir, const HealthConfig &config, bool running);
// Records "health_status: <status>" events for the changes not recorded yet.
void recordEvents(const QString &containerDir, EventJournal &events, const QString &id,
                  const QJsonObject &attributes);
} // namespace HealthFiles

} // namespace Berth::Engine
