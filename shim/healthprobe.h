// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// berth-shim's health check: probes the container with `<runtime> exec` as Docker's daemon
// does and keeps health.json in the bundle (the contract: engine/runtime/healthprotocol.h).
// Plain C++; it lives inside the shim's poll loop and forks nothing but the runtime.

#include <deque>
#include <functional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace Berth::Shim {

struct HealthOptions {
    std::string processFile; // "" = no health check
    long long intervalNs = 0;
    long long timeoutNs = 0;
    long long startPeriodNs = 0;
    long long startIntervalNs = 0;
    int retries = 0;

    bool enabled() const { return !processFile.empty(); }
    // Takes `key value` when it is one of the --health-* options (false otherwise); `valid`
    // false for a bad value.
    bool parse(const std::string &key, const char *value, bool &valid);
    // Complete: a process file and positive timings, or none at all.
    bool complete() const;
};

// Lifecycle: the monitor calls runStarted() once a run of the container is up and runEnded()
// when it exits; between the two, tick() starts probes when due and kills one past its
// timeout, the probe's output is read when outputFd() is readable, and reaped() is offered
// every child the monitor reaps. wakeAtMs() is when tick() must run next.
class HealthProbe {
public:
    // Starts `<runtime> exec ARGS` with stdout and stderr on `out`; its log goes to
    // HealthRuntimeLogFile. -1 when it could not fork.
    using Spawn = std::function<pid_t(const std::vector<std::string> &args, int out)>;

    HealthProbe(const HealthOptions &options, std::string bundle, std::string containerId,
                Spawn spawn);
    HealthProbe(const HealthProbe &) = delete;
    HealthProbe &operator=(const HealthProbe &) = delete;

    bool enabled() const { return m_o.enabled(); }
    void runStarted();
    void runEnded();
    void tick();
    long long wakeAtMs() const; // -1: nothing to do until runStarted()
    int outputFd() const { return m_probe.outFd; }
    void readOutput();
    bool reaped(pid_t pid, int status);

private:
    struct Result {
        std::string start;
        std::string end;
        int exitCode = 0;
        std::string output;
    };
    struct Probe {
        pid_t runtimePid = -1;
        int outFd = -1;
        std::string output;
        bool truncated = false;
        std::string start;
        long long startMs = 0;
        long long deadlineMs = 0;
        bool timedOut = false;
        long long forceKillAtMs = 0;
    };

    long long intervalNow(long long now) const;
    void startProbe(long long now);
    void timeOut(long long now);
    void finishProbe(int status);
    void handle(const Result &result, long long startMs);
    void closeOutput();
    void write() const;

    HealthOptions m_o;
    std::string m_bundle;
    std::string m_id;
    Spawn m_spawn;
    bool m_running = false;
    long long m_runStartMs = 0;
    long long m_nextProbeMs = -1;
    Probe m_probe;
    std::string m_status = "starting";
    int m_failingStreak = 0;
    std::deque<Result> m_log;
    std::deque<std::pair<long long, std::string>> m_changes; // (seq, status)
    long long m_seq = 0;
};

// Go's time.Duration text ("30s", "1m30s", "500ms"), as Docker's messages print durations.
std::string goDuration(long long ns);

} // namespace Berth::Shim
