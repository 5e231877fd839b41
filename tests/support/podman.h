// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "tests/support/testsupport.h"

#include <QProcessEnvironment>
#include <QStringList>
#include <QTemporaryDir>

namespace Berth::Test {

// podman with a private configuration in a temporary directory, for interop tests. podman
// works on this machine only with runc, cgroupfs, file events and default ulimits within the
// hard limits (no CAP_SYS_RESOURCE; podman also caps its own RLIMIT_NPROC at 32768 before it
// starts conmon), so containers.conf says so; storage (vfs) and runtime state live in the
// temporary directory; the given registries are insecure (plain HTTP). The host's podman setup
// is neither used nor touched, and the destructor drops whatever podman stored.
//
//   PodmanSandbox podman;
//   QVERIFY2(podman.configure({registry.address()}), qPrintable(podman.errorString()));
//   podman.run({"pull", ref});
class PodmanSandbox {
public:
    PodmanSandbox();
    ~PodmanSandbox();

    bool configure(const QStringList &insecureRegistries = {});
    ProcessResult run(const QStringList &args, int timeoutMs = 300000) const;
    QProcessEnvironment environment() const { return m_env; }
    QString errorString() const { return m_error; }

private:
    QTemporaryDir m_dir;
    QProcessEnvironment m_env;
    QString m_error;
    bool m_configured = false;
};

} // namespace Berth::Test
