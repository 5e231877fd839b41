// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Docker's exit codes for a container command that could not be started (`run`, `start -a`,
// `exec`): 127 when the command does not exist, 126 when it cannot be invoked (not executable,
// a directory), told apart from the OCI runtime's message as dockerd does; the container's own
// code when it ran; 125 (run, create) for every other failure, which is Berth's own.
#include "engine/core/result.h"

namespace Berth::Engine {

enum class CommandFailure { Other, NotFound, CannotInvoke };

// What a failed start or exec says about the command. Only messages that come from the OCI
// runtime's start of the process count (the shim's "<runtime> run: ..." and ContainerExec's
// "<runtime> exec failed: ..."); any other error is Other.
CommandFailure commandFailure(const Error &error);

// 127 for NotFound, 126 for CannotInvoke, else `otherwise`.
int commandExitCode(const Error &error, int otherwise);

} // namespace Berth::Engine
