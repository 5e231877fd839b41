// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"
#include "engine/runtime/containerruntime.h"

#include <QList>
#include <QPair>
#include <QString>

namespace Berth::Gui {

// What the Run dialog collects, independent of its widgets: turned into the engine's
// CreateRequest, and into the `berthctl run` command line that does the same, so the dialog
// teaches the command line as people click.
struct RunOptions {
    QString image;
    QString name;
    QString command; // shell-like words: sh -c 'echo hi'; "" = the image's command
    QList<QPair<QString, QString>> env;
    QString workingDir;
    QString user;
    QString ports;         // published ports, -p forms separated by spaces or commas: "8080:80"
    QString volumes;       // -v forms separated by commas: "data:/var/lib/app, /srv:/srv:ro"
    QString restartPolicy; // --restart: "no" (or ""), "on-failure[:N]", "always", ...
    QString memory;        // "512m", "1g", bytes; "" = unlimited
    double cpus = 0;       // 0 = unlimited
    qint64 pidsLimit = 0;  // 0 = unlimited
    bool autoRemove = false;
    bool init = false;
    bool detach = true;
};

// "512m" -> 536870912, "1t": the engine's size grammar (parseByteSize) with binary units, as
// Docker and berthctl read memory sizes; -1 when not a size.
qint64 parseMemorySize(const QString &text);
// Splits like a POSIX shell does for words and quotes ('...', "...", backslash).
QStringList splitCommandLine(const QString &command);
// "8080:80, 53:53/udp" -> {"8080:80", "53:53/udp"}: the Run dialog's ports field, one -p each.
QStringList publishedPortWords(const QString &ports);
// "data:/data, /srv/my files:/srv:ro" -> {"data:/data", "/srv/my files:/srv:ro"}: one -v each
// (paths may hold spaces, so only commas separate).
QStringList volumeWords(const QString &volumes);
// Quotes a word for a POSIX shell only when it needs it.
QString shellQuote(const QString &word);

// Errors name the field in words meant for the dialog (InvalidArgument).
Engine::Result<Engine::CreateRequest> createRequest(const RunOptions &options);
// berthctl run [-d] [--rm] [--init] [--name N] [-e K=V]... [-w DIR] [-u USER] [-p PORTS]...
//   [-v VOLUME]... [--restart POLICY] [-m MEM] [--cpus N] [--pids-limit N] IMAGE [COMMAND...]
QString berthctlCommandLine(const RunOptions &options);

} // namespace Berth::Gui
