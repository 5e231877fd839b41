// SPDX-License-Identifier: GPL-3.0-or-later
#include "shim/healthprobe.h"

#include "engine/runtime/healthprotocol.h"
#include "shim/shimutil.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace Berth::Shim {

namespace {

constexpr long long kNsPerMs = 1000000;
// A probe killed at its timeout whose runtime does not end within this is killed too.
constexpr long long kForceKillAfterMs = 2000;

bool parseNumber(const char *value, long long &out) {
    char *end = nullptr;
    errno = 0;
    out = std::strtoll(value, &end, 10);
    return errno == 0 && end != value && *end == '\0' && out >= 0;
}

// The runtime's last message from its log (runc's text `msg="..."`, crun's or a JSON log's
// "msg":"..."), for a probe the runtime could not start.
std::string runtimeMessage(const std::string &log) {
    std::string text = log;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    const size_t nl = text.rfind('\n');
    std::string line = nl == std::string::npos ? text : text.substr(nl + 1);
    for (const char *key : {"\"msg\":\"", "msg=\""}) {
        const size_t at = line.find(key);
        if (at == std::string::npos)
            continue;
        std::string msg;
        for (size_t i = at + std::strlen(key); i < line.size() && line[i] != '"'; ++i) {
            if (line[i] == '\\' && i + 1 < line.size())
                ++i;
            msg += line[i];
        }
        return msg;
    }
    return line;
}

} // namespace

std::string goDuration(long long ns) {
    if (ns == 0)
        return "0s";
    char buf[64];
    if (ns < 1000000000LL) {
        if (ns % kNsPerMs == 0)
            std::snprintf(buf, sizeof buf, "%lldms", ns / kNsPerMs);
        else
            std::snprintf(buf, sizeof buf, "%.6gms", double(ns) / double(kNsPerMs));
        return buf;
    }
    const long long hours = ns / 3600000000000LL;
    const long long minutes = ns / 60000000000LL % 60;
    const long long secondsNs = ns % 60000000000LL;
    std::string out;
    if (hours > 0)
        out += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0)
        out += std::to_string(minutes) + "m";
    if (secondsNs % 1000000000LL == 0)
        std::snprintf(buf, sizeof buf, "%llds", secondsNs / 1000000000LL);
    else
        std::snprintf(buf, sizeof buf, "%.9gs", double(secondsNs) / 1e9);
    return out + buf;
}

bool HealthOptions::parse(const std::string &key, const char *value, bool &valid) {
    long long number = 0;
    if (key == "--health-process") {
        processFile = value;
        valid = !processFile.empty();
        return true;
    }
    long long *field = key == "--health-interval"         ? &intervalNs
                       : key == "--health-timeout"        ? &timeoutNs
                       : key == "--health-start-period"   ? &startPeriodNs
                       : key == "--health-start-interval" ? &startIntervalNs
                                                          : nullptr;
    if (field) {
        valid = parseNumber(value, *field);
        return true;
    }
    if (key == "--health-retries") {
        valid = parseNumber(value, number) && number <= 1 << 30;
        retries = int(number);
        return true;
    }
    return false;
}

bool HealthOptions::complete() const {
    if (!enabled())
        return intervalNs == 0 && timeoutNs == 0 && startIntervalNs == 0 && retries == 0;
    return intervalNs > 0 && timeoutNs > 0 && startIntervalNs > 0 && retries > 0;
}

HealthProbe::HealthProbe(const HealthOptions &options, std::string bundle, std::string containerId,
                         Spawn spawn)
    : m_o(options)
    , m_bundle(std::move(bundle))
    , m_id(std::move(containerId))
    , m_spawn(std::move(spawn)) {}

// Docker's: the start interval while the start period lasts and nothing succeeded yet.
long long HealthProbe::intervalNow(long long now) const {
    const bool inStartPeriod = (now - m_runStartMs) * kNsPerMs < m_o.startPeriodNs;
    const long long ns =
        inStartPeriod && m_status == "starting" ? m_o.startIntervalNs : m_o.intervalNs;
    return std::max(1LL, ns / kNsPerMs);
}

void HealthProbe::runStarted() {
    if (!enabled())
        return;
    const long long now = nowMs();
    m_running = true;
    m_runStartMs = now;
    m_status = "starting";
    m_failingStreak = 0;
    m_nextProbeMs = now + intervalNow(now);
    write();
}

void HealthProbe::runEnded() {
    if (!enabled() || !m_running)
        return;
    m_running = false;
    m_nextProbeMs = -1;
    // The container is gone: a probe still in flight cannot tell anything.
    if (m_probe.runtimePid > 0)
        ::kill(m_probe.runtimePid, SIGKILL);
    // Docker reports a container whose monitor stopped as unhealthy (not an event).
    m_status = "unhealthy";
    write();
}

long long HealthProbe::wakeAtMs() const {
    if (m_probe.runtimePid > 0) {
        if (!m_probe.timedOut)
            return m_probe.deadlineMs;
        return m_probe.forceKillAtMs > 0 ? m_probe.forceKillAtMs : -1; // its reaping wakes us
    }
    return m_running ? m_nextProbeMs : -1;
}

void HealthProbe::tick() {
    if (!enabled())
        return;
    const long long now = nowMs();
    if (m_probe.runtimePid > 0) {
        if (!m_probe.timedOut && now >= m_probe.deadlineMs)
            timeOut(now);
        else if (m_probe.timedOut && m_probe.forceKillAtMs > 0 && now >= m_probe.forceKillAtMs) {
            ::kill(m_probe.runtimePid, SIGKILL);
            m_probe.forceKillAtMs = 0;
        }
        return;
    }
    if (m_running && m_nextProbeMs >= 0 && now >= m_nextProbeMs)
        startProbe(now);
}

void HealthProbe::startProbe(long long now) {
    m_probe = Probe{};
    m_probe.start = timestamp();
    m_probe.startMs = now;
    m_probe.deadlineMs = now + std::max(1LL, m_o.timeoutNs / kNsPerMs);
    const std::string pidFile = m_bundle + "/" + HealthPidFile;
    ::unlink(pidFile.c_str());
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
        handle({m_probe.start, timestamp(), -1, std::string("pipe: ") + std::strerror(errno)}, now);
        m_nextProbeMs = now + intervalNow(now);
        return;
    }
    m_probe.runtimePid =
        m_spawn({"exec", "--process", m_o.processFile, "--pid-file", pidFile, m_id}, pipeFds[1]);
    ::close(pipeFds[1]);
    m_probe.outFd = pipeFds[0];
    ::fcntl(m_probe.outFd, F_SETFL, ::fcntl(m_probe.outFd, F_GETFL) | O_NONBLOCK);
    if (m_probe.runtimePid < 0) {
        closeOutput();
        handle({m_probe.start, timestamp(), -1, std::string("fork: ") + std::strerror(errno)}, now);
        m_nextProbeMs = now + intervalNow(now);
    }
}

// Past the timeout: kill the probe's process (the runtime then ends), or the runtime itself
// when the process is not known yet.
void HealthProbe::timeOut(long long now) {
    m_probe.timedOut = true;
    m_probe.forceKillAtMs = now + kForceKillAfterMs;
    const pid_t pid = pid_t(std::atol(readSmallFile(m_bundle + "/" + HealthPidFile, 64).c_str()));
    if (pid > 0)
        ::kill(pid, SIGKILL);
    else
        ::kill(m_probe.runtimePid, SIGKILL);
}

void HealthProbe::readOutput() {
    if (m_probe.outFd < 0)
        return;
    char buf[8192];
    for (;;) {
        const ssize_t n = ::read(m_probe.outFd, buf, sizeof buf);
        if (n > 0) {
            // Docker keeps the first HealthOutputLimit bytes and marks the rest with "...";
            // the rest is still read, so the probe never blocks on a full pipe.
            const size_t room = size_t(HealthOutputLimit) - m_probe.output.size();
            m_probe.output.append(buf, std::min(room, size_t(n)));
            if (size_t(n) > room)
                m_probe.truncated = true;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || errno != EAGAIN)
            closeOutput();
        return;
    }
}

void HealthProbe::closeOutput() {
    if (m_probe.outFd >= 0)
        ::close(m_probe.outFd);
    m_probe.outFd = -1;
}

bool HealthProbe::reaped(pid_t pid, int status) {
    if (pid <= 0 || pid != m_probe.runtimePid)
        return false;
    finishProbe(status);
    return true;
}

void HealthProbe::finishProbe(int status) {
    readOutput();
    closeOutput();
    m_probe.runtimePid = -1;
    if (!m_running)
        return; // the container ended meanwhile
    Result r;
    r.start = m_probe.start;
    r.end = timestamp();
    if (m_probe.timedOut) {
        r.exitCode = -1;
        r.output = "Health check exceeded timeout (" + goDuration(m_o.timeoutNs) + ")";
    } else {
        r.exitCode = exitCodeOf(status);
        r.output = m_probe.output + (m_probe.truncated ? "..." : "");
        // 255 with nothing printed: the runtime could not start the probe; say why.
        if (r.exitCode == 255 && r.output.empty())
            r.output = runtimeMessage(readSmallFile(m_bundle + "/" + HealthRuntimeLogFile));
    }
    handle(r, m_probe.startMs);
    const long long now = nowMs();
    m_nextProbeMs = now + intervalNow(now);
}

// Docker's rules (see healthprotocol.h).
void HealthProbe::handle(const Result &result, long long startMs) {
    const std::string before = m_status;
    m_log.push_back(result);
    while (m_log.size() > size_t(HealthLogEntries))
        m_log.pop_front();
    if (result.exitCode == 0) {
        m_failingStreak = 0;
        m_status = "healthy";
    } else {
        const bool inStartPeriod = (startMs - m_runStartMs) * kNsPerMs < m_o.startPeriodNs;
        if (!(m_status == "starting" && inStartPeriod)) {
            ++m_failingStreak;
            if (m_failingStreak >= m_o.retries)
                m_status = "unhealthy";
        }
    }
    if (m_status != before) {
        m_changes.emplace_back(++m_seq, m_status);
        while (m_changes.size() > size_t(HealthChangesKept))
            m_changes.pop_front();
    }
    write();
}

void HealthProbe::write() const {
    std::string text = "{\"Status\":\"" + m_status +
                       "\",\"FailingStreak\":" + std::to_string(m_failingStreak) + ",\"Log\":[";
    for (size_t i = 0; i < m_log.size(); ++i) {
        const Result &r = m_log[i];
        text += (i ? ",{\"Start\":\"" : "{\"Start\":\"") + r.start + "\",\"End\":\"" + r.end +
                "\",\"ExitCode\":" + std::to_string(r.exitCode) + ",\"Output\":";
        appendJsonString(text, r.output);
        text += "}";
    }
    text += "],\"Changes\":[";
    for (size_t i = 0; i < m_changes.size(); ++i)
        text += (i ? ",{\"Seq\":" : "{\"Seq\":") + std::to_string(m_changes[i].first) +
                ",\"Status\":\"" + m_changes[i].second + "\"}";
    text += "]}\n";
    // Only this shim's life matters (a new one starts afresh): not synced.
    writeFileIn(m_bundle, HealthFile, text, false);
}

} // namespace Berth::Shim
