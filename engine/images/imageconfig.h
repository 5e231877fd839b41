// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

namespace Berth::Engine {

// One entry of the config's "history": how a layer (or an empty step) was made.
struct HistoryEntry {
    QDateTime created;
    QString createdBy;
    QString author;
    QString comment;
    bool emptyLayer = false;
};

// The runtime settings of an image ("config" inside the image config).
struct ContainerConfig {
    QString user;
    QStringList env;
    QStringList entrypoint;
    QStringList cmd;
    QString workingDir;
    QStringList exposedPorts; // "80/tcp"
    QStringList volumes;
    QMap<QString, QString> labels;
    QString stopSignal;
};

// An image configuration (OCI application/vnd.oci.image.config.v1+json or Docker's
// application/vnd.docker.container.image.v1+json; the two are the same document).
// Unknown fields are kept: toJson() of a parsed config is a superset of what was read, and the
// raw bytes stay authoritative for the image ID.
class ImageConfig {
public:
    static Result<ImageConfig> parse(const QByteArray &json);
    QByteArray toJson() const;

    QString os() const;
    QString architecture() const;
    QString variant() const;
    QDateTime created() const;
    QString author() const;
    QList<Digest> diffIds() const;
    QList<HistoryEntry> history() const;
    ContainerConfig config() const;

    void setCreated(const QDateTime &created);
    void setPlatform(const QString &os, const QString &architecture, const QString &variant = {});
    void setDiffIds(const QList<Digest> &diffIds);
    void setHistory(const QList<HistoryEntry> &history);
    void setConfig(const ContainerConfig &config);

    QJsonObject json() const { return m_json; }

private:
    QJsonObject m_json;
};

} // namespace Berth::Engine
