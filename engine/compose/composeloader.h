// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/compose/composemodel.h"
#include "engine/core/result.h"

#include <QMap>
#include <QStringList>

namespace Berth::Engine {

// What `berthctl compose [-f FILE]... [-p NAME] [--profile P]...` names.
struct ComposeLoadOptions {
    QStringList files;        // -f, in order; empty = compose.yaml (and its override) found
                              // in `workingDirectory` (or $COMPOSE_FILE, ':'-separated)
    QString workingDirectory; // where to look for files when none are given; "" = current
    QString projectName;      // -p; "" = $COMPOSE_PROJECT_NAME, `name:`, the directory's name
    QStringList profiles;     // --profile; empty = $COMPOSE_PROFILES
    QStringList services;     // services named on the command line are enabled whatever
                              // their profiles
    QMap<QString, QString> environment; // the caller's environment (the process's)
};

// Loads a compose project: reads each file (YAML anchors, aliases and merge keys resolved),
// interpolates it with the environment and the project directory's .env (the environment
// wins), normalises short forms to long ones, merges the files in order (compose-spec: mappings
// by key, sequences appended, command/entrypoint/healthcheck.test replaced, ports and volumes
// unique by their key, !reset and !override), and builds the model: types checked, relative
// paths made absolute against the project directory (the first file's), env_file read into
// environment, profiles applied, depends_on checked (unknown services and cycles are errors),
// networks and volumes a service uses checked against the top level.
//
// Errors are InvalidArgument with "file:line:column: path: message"; keys it does not know
// or ignores (deploy, swarm-only) are warnings in project.warnings, also with their place.
Result<ComposeProject> loadComposeProject(const ComposeLoadOptions &options);

// Docker's normalisation of a project name taken from a directory: lower case, only
// [a-z0-9_-], starting with a letter or digit ("" when nothing is left).
QString normalizeComposeProjectName(const QString &name);
bool isValidComposeProjectName(const QString &name);

// KEY=VALUE lines of a .env or env_file (comments, `export `, single quotes literal, double
// quotes with \n escapes; unquoted and double-quoted values interpolated with what is known).
// Lines without '=' are names without a value (nullopt).
Result<QList<QPair<QString, std::optional<QString>>>>
readEnvironmentFile(const QString &path, const QMap<QString, QString> &known);

} // namespace Berth::Engine
