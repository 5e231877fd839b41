// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/core/storepaths.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace Berth::Engine {

struct RuntimeRefusal {
    QString name;   // "crun"
    QString reason; // "cgroups in hybrid mode not supported, drop all controllers from cgroupv2"
};

// How the runtime sees the host's cgroups (see Shim::enterLegacyCgroupView).
enum class CgroupView {
    Host,   // it runs in the caller's mount namespace
    Legacy, // in a private one where the hybrid host's cgroup v2 shows no controllers
};

// The OCI runtime (crun or runc) Berth drives, found by probing: a runtime that is installed
// may still refuse this host, so each candidate runs a tiny real container (host /usr
// read-only, /usr/bin/true) and the first that works wins, crun first (it starts a container
// in about half of runc's time). crun 1.8.1 refuses hybrid cgroup v1/v2 hosts; there it is
// probed again in the Legacy view, and when that works every later call of it (the shim's
// runs, exec, kill, delete, pause) runs in that view too. Why the chosen one was chosen and why
// the others were refused is kept for `berthctl info` and error messages. BERTH_RUNTIME (a
// name or a path) forces one runtime. The result is cached in the runtime state directory
// (tmpfs for the default store, so a reboot, which may change the cgroup layout, probes again).
class OciRuntime {
public:
    static Result<OciRuntime> detect(const StorePaths &paths);

    QString name() const { return m_name; }
    QString path() const { return m_path; }
    QString version() const { return m_version; }
    CgroupView cgroupView() const { return m_cgroupView; }
    // Why this runtime, in words for `berthctl info`.
    QString reason() const { return m_reason; }
    // The runtime's --root: its state directory for this store.
    QString stateRoot() const { return m_stateRoot; }
    QList<RuntimeRefusal> refused() const { return m_refused; }

    // `<runtime> --root STATE ARGS...` in the runtime's cgroup view; its stdout, or its last
    // line of stderr as the error.
    Result<QByteArray> invoke(const QStringList &args, int timeoutMs = 30000) const;
    // `<runtime> kill ID SIGNAL`; NotFound when the container is not running.
    Status kill(const QString &id, int signal) const;
    // `<runtime> delete --force ID`: kills what is left and frees its cgroups; a container the
    // runtime does not know is fine.
    Status forceDelete(const QString &id) const;
    // Whether the runtime still has state for `id`.
    bool knows(const QString &id) const;

private:
    QString m_name;
    QString m_path;
    QString m_version;
    CgroupView m_cgroupView = CgroupView::Host;
    QString m_reason;
    QString m_stateRoot;
    QList<RuntimeRefusal> m_refused;
};

// Signal names as Docker accepts them ("TERM", "SIGTERM", "15"); -1 when unknown.
int signalFromName(const QString &name);
QString signalName(int signal);

} // namespace Berth::Engine
