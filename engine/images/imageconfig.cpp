// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/images/imageconfig.h"

#include "engine/images/manifest.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Berth::Engine {

namespace {
QStringList stringList(const QJsonValue &v) {
    QStringList out;
    for (const QJsonValue &e : v.toArray())
        out.append(e.toString());
    return out;
}
QJsonValue arrayOrNull(const QStringList &list) {
    return list.isEmpty() ? QJsonValue(QJsonValue::Null)
                          : QJsonValue(QJsonArray::fromStringList(list));
}
QString rfc3339(const QDateTime &t) {
    return t.toUTC().toString(Qt::ISODateWithMs);
}
} // namespace

Result<ImageConfig> ImageConfig::parse(const QByteArray &json) {
    if (json.size() > kMaxConfigSize)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("image config is too large (%1 bytes)").arg(json.size()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        return fail(
            ErrorKind::Corrupt,
            QStringLiteral("image config is not a valid JSON object: %1").arg(err.errorString()));
    ImageConfig c;
    c.m_json = doc.object();
    const QJsonObject rootfs = c.m_json.value(QStringLiteral("rootfs")).toObject();
    if (rootfs.value(QStringLiteral("type")).toString() != QLatin1String("layers"))
        return fail(ErrorKind::Corrupt,
                    QStringLiteral("image config: rootfs.type must be \"layers\""));
    for (const QJsonValue &v : rootfs.value(QStringLiteral("diff_ids")).toArray()) {
        if (auto d = Digest::parse(v.toString()); !d)
            return fail(d.error().withContext(QStringLiteral("image config: rootfs.diff_ids")));
    }
    return c;
}

QByteArray ImageConfig::toJson() const {
    return QJsonDocument(m_json).toJson(QJsonDocument::Compact);
}

QString ImageConfig::os() const {
    return m_json.value(QStringLiteral("os")).toString();
}
QString ImageConfig::architecture() const {
    return m_json.value(QStringLiteral("architecture")).toString();
}
QString ImageConfig::variant() const {
    return m_json.value(QStringLiteral("variant")).toString();
}
QString ImageConfig::author() const {
    return m_json.value(QStringLiteral("author")).toString();
}

QDateTime ImageConfig::created() const {
    return QDateTime::fromString(m_json.value(QStringLiteral("created")).toString(),
                                 Qt::ISODateWithMs);
}

QList<Digest> ImageConfig::diffIds() const {
    QList<Digest> out;
    const QJsonObject rootfs = m_json.value(QStringLiteral("rootfs")).toObject();
    for (const QJsonValue &v : rootfs.value(QStringLiteral("diff_ids")).toArray())
        if (auto d = Digest::parse(v.toString()))
            out.append(*d);
    return out;
}

QList<HistoryEntry> ImageConfig::history() const {
    QList<HistoryEntry> out;
    for (const QJsonValue &v : m_json.value(QStringLiteral("history")).toArray()) {
        const QJsonObject o = v.toObject();
        HistoryEntry h;
        h.created =
            QDateTime::fromString(o.value(QStringLiteral("created")).toString(), Qt::ISODateWithMs);
        h.createdBy = o.value(QStringLiteral("created_by")).toString();
        h.author = o.value(QStringLiteral("author")).toString();
        h.comment = o.value(QStringLiteral("comment")).toString();
        h.emptyLayer = o.value(QStringLiteral("empty_layer")).toBool();
        out.append(h);
    }
    return out;
}

ContainerConfig ImageConfig::config() const {
    const QJsonObject o = m_json.value(QStringLiteral("config")).toObject();
    ContainerConfig c;
    c.user = o.value(QStringLiteral("User")).toString();
    c.env = stringList(o.value(QStringLiteral("Env")));
    c.entrypoint = stringList(o.value(QStringLiteral("Entrypoint")));
    c.cmd = stringList(o.value(QStringLiteral("Cmd")));
    c.workingDir = o.value(QStringLiteral("WorkingDir")).toString();
    c.exposedPorts = o.value(QStringLiteral("ExposedPorts")).toObject().keys();
    c.volumes = o.value(QStringLiteral("Volumes")).toObject().keys();
    const QJsonObject labels = o.value(QStringLiteral("Labels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        c.labels.insert(it.key(), it.value().toString());
    c.stopSignal = o.value(QStringLiteral("StopSignal")).toString();
    return c;
}

void ImageConfig::setCreated(const QDateTime &created) {
    m_json.insert(QStringLiteral("created"), rfc3339(created));
}

void ImageConfig::setPlatform(const QString &os, const QString &architecture,
                              const QString &variant) {
    m_json.insert(QStringLiteral("os"), os);
    m_json.insert(QStringLiteral("architecture"), architecture);
    if (variant.isEmpty())
        m_json.remove(QStringLiteral("variant"));
    else
        m_json.insert(QStringLiteral("variant"), variant);
}

void ImageConfig::setDiffIds(const QList<Digest> &diffIds) {
    QJsonArray arr;
    for (const Digest &d : diffIds)
        arr.append(d.toString());
    m_json.insert(QStringLiteral("rootfs"),
                  QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                              {QStringLiteral("diff_ids"), arr}});
}

void ImageConfig::setHistory(const QList<HistoryEntry> &history) {
    QJsonArray arr;
    for (const HistoryEntry &h : history) {
        QJsonObject o;
        if (h.created.isValid())
            o.insert(QStringLiteral("created"), rfc3339(h.created));
        if (!h.createdBy.isEmpty())
            o.insert(QStringLiteral("created_by"), h.createdBy);
        if (!h.author.isEmpty())
            o.insert(QStringLiteral("author"), h.author);
        if (!h.comment.isEmpty())
            o.insert(QStringLiteral("comment"), h.comment);
        if (h.emptyLayer)
            o.insert(QStringLiteral("empty_layer"), true);
        arr.append(o);
    }
    m_json.insert(QStringLiteral("history"), arr);
}

void ImageConfig::setConfig(const ContainerConfig &c) {
    QJsonObject o = m_json.value(QStringLiteral("config")).toObject();
    auto setOrRemove = [&o](const QString &key, const QJsonValue &v, bool empty) {
        if (empty)
            o.remove(key);
        else
            o.insert(key, v);
    };
    setOrRemove(QStringLiteral("User"), c.user, c.user.isEmpty());
    setOrRemove(QStringLiteral("Env"), arrayOrNull(c.env), c.env.isEmpty());
    setOrRemove(QStringLiteral("Entrypoint"), arrayOrNull(c.entrypoint), c.entrypoint.isEmpty());
    setOrRemove(QStringLiteral("Cmd"), arrayOrNull(c.cmd), c.cmd.isEmpty());
    setOrRemove(QStringLiteral("WorkingDir"), c.workingDir, c.workingDir.isEmpty());
    QJsonObject ports, volumes, labels;
    for (const QString &p : c.exposedPorts)
        ports.insert(p, QJsonObject());
    for (const QString &v : c.volumes)
        volumes.insert(v, QJsonObject());
    for (auto it = c.labels.begin(); it != c.labels.end(); ++it)
        labels.insert(it.key(), it.value());
    setOrRemove(QStringLiteral("ExposedPorts"), ports, ports.isEmpty());
    setOrRemove(QStringLiteral("Volumes"), volumes, volumes.isEmpty());
    setOrRemove(QStringLiteral("Labels"), labels, labels.isEmpty());
    setOrRemove(QStringLiteral("StopSignal"), c.stopSignal, c.stopSignal.isEmpty());
    m_json.insert(QStringLiteral("config"), o);
}

} // namespace Berth::Engine
