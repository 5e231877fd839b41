// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <optional>

namespace Berth::Engine {

// The resolved compose model: what `compose config` prints and what `compose up` runs. Built
// by loadComposeProject (composeloader.h) from the files after interpolation, merging,
// normalisation (short forms turned into long ones, relative paths made absolute against the
// project directory, env_file folded into environment) and profile selection. Plain values.

struct ComposePort {
    int target = 0;
    QString published; // "" = a free host port; "8080" or "8080-8081"
    QString hostIp;    // "" = all addresses
    QString protocol = QStringLiteral("tcp");
    friend bool operator==(const ComposePort &, const ComposePort &) = default;
};

struct ComposeMount {
    QString type;   // "volume", "bind" or "tmpfs"
    QString source; // project volume key (not yet prefixed), absolute host path, or ""
    QString target;
    bool readOnly = false;
    friend bool operator==(const ComposeMount &, const ComposeMount &) = default;
};

struct ComposeDependency {
    enum class Condition { Started, Healthy, CompletedSuccessfully };
    Condition condition = Condition::Started;
    bool required = true;
    bool restart = false;
};
QString dependencyConditionName(ComposeDependency::Condition condition);

struct ComposeBuild {
    QString context; // absolute directory (or a git URL as written)
    QString dockerfile;
    QMap<QString, QString> args;
    QString target;
};

struct ComposeHealthcheck {
    bool disable = false;
    QStringList test; // ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]
    QString interval; // durations as written ("1m30s"), validated
    QString timeout;
    QString startPeriod;
    QString startInterval;
    int retries = -1; // -1 = not set
};

struct ComposeServiceNetwork {
    QStringList aliases;
};

struct ComposeService {
    QString name;
    QString image;
    std::optional<ComposeBuild> build;
    std::optional<QStringList> command;    // unset = the image's
    std::optional<QStringList> entrypoint; // unset = the image's
    QMap<QString, QString> environment;
    QList<ComposePort> ports;
    QStringList expose; // "80/tcp"
    QList<ComposeMount> volumes;
    QMap<QString, ComposeServiceNetwork> networks; // empty = the project's default network
    QMap<QString, ComposeDependency> dependsOn;
    std::optional<ComposeHealthcheck> healthcheck;
    QString restart; // "" = "no"
    QString containerName;
    QString hostname;
    QStringList extraHosts; // "host:ip"
    QString workingDir;
    QString user;
    QMap<QString, QString> labels;
    bool tty = false;
    bool stdinOpen = false;
    std::optional<bool> init;
    QString stopSignal;
    QString stopGracePeriod; // a duration as written
    QStringList profiles;
    QString pullPolicy; // "", "always", "never", "missing", "build"
};

struct ComposeNetwork {
    QString key;  // as in the file
    QString name; // the real name: "<project>_<key>" unless set or external
    bool external = false;
    bool internal = false;
    QString driver;
    QString subnet;
    QString gateway;
    QMap<QString, QString> labels;
};

struct ComposeVolume {
    QString key;
    QString name; // "<project>_<key>" unless set or external
    bool external = false;
    QString driver;
    QMap<QString, QString> labels;
};

struct ComposeProject {
    QString name;
    QString workingDir;                     // the project directory (the first file's)
    QStringList configFiles;                // absolute paths, in -f order
    QMap<QString, ComposeService> services; // the enabled ones (profiles applied)
    QStringList disabledServices;           // defined but not in an active profile
    QMap<QString, ComposeNetwork> networks;
    QMap<QString, ComposeVolume> volumes;
    QStringList warnings; // unknown or ignored keys, "file:line:col: path: ..."

    // Services in an order where each comes after what it depends on.
    QStringList startOrder() const;
};

// The model as YAML (`compose config`): keys sorted, long forms, resolved values.
QByteArray composeConfigYaml(const ComposeProject &project);
// One service's configuration as YAML, and its hash (Docker's com.docker.compose.config-hash:
// `up` recreates a container whose hash differs).
QByteArray composeServiceYaml(const ComposeService &service);
QString composeConfigHash(const ComposeService &service);

} // namespace Berth::Engine
