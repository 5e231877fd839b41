// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QJsonObject>
#include <QStringList>

namespace Berth::Engine {

// Seccomp profiles in Docker's JSON format ("defaultAction", "archMap", "syscalls" with
// "names", "action", "args", and "includes"/"excludes" conditions on capabilities and
// architectures), which is what `--security-opt seccomp=PATH` reads.
//
// Berth's default profile is an allowlist: every system call not listed fails with EPERM, so
// a syscall the kernel adds later is denied until someone decides otherwise. It allows what
// ordinary programs use and denies what reaches beyond the container: the kernel keyring
// (keyctl, add_key, request_key: not namespaced), kexec and modules, swap, namespaces and
// mounts (unshare, setns, mount, clone with CLONE_NEW*, the new mount API), bpf, perf,
// io_uring, userfaultfd, clock setting, reboot... Several of those come back when the container
// holds the capability that governs them (CAP_SYS_ADMIN brings the namespace and mount calls
// back, CAP_SYS_TIME the clock, CAP_SYS_PTRACE process_vm_*...), as in Docker. clone3 answers
// ENOSYS without CAP_SYS_ADMIN (its flags cannot be filtered), so libc falls back to clone.
QJsonObject defaultSeccompProfile();

// Reads and checks a profile file for --security-opt seccomp=PATH; returns its compact JSON.
Result<QString> loadSeccompProfile(const QString &path);

// The OCI runtime's linux.seccomp for a profile: the host's architectures taken from archMap,
// rules whose conditions the container's `capabilities` (CAP_* names) and the host do not meet
// dropped, Docker-only fields removed.
Result<QJsonObject> ociSeccomp(const QJsonObject &profile, const QStringList &capabilities);

} // namespace Berth::Engine
