// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/runtime/volumes.h"

#include "engine/core/fileutil.h"
#include "engine/runtime/rootfscopy.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace Berth::Engine {

namespace {

qint64 toNs(const QDateTime &t) {
    return t.isValid() ? t.toMSecsSinceEpoch() * 1000000 : 0;
}
QDateTime fromNs(qint64 ns) {
    return QDateTime::fromMSecsSinceEpoch(ns / 1000000, Qt::UTC);
}

// Inside the container: "/.." is its root, as for every path that names a file in it.
QString cleanDestination(const QString &path) {
    return path.startsWith(QLatin1Char('/')) ? cleanInRootPath(path) : QDir::cleanPath(path);
}

Status checkDestination(const QString &dst, const QString &text) {
    if (!dst.startsWith(QLatin1Char('/')))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid mount \"%1\": the destination must be an absolute "
                                   "path")
                        .arg(text));
    if (cleanDestination(dst) == QLatin1String("/"))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid mount \"%1\": the destination can't be '/'").arg(text));
    return {};
}

} // namespace

QJsonObject MountSpec::toJson() const {
    return QJsonObject{{QStringLiteral("Type"), type},
                       {QStringLiteral("Source"), source},
                       {QStringLiteral("Destination"), destination},
                       {QStringLiteral("RW"), !readOnly},
                       {QStringLiteral("Anonymous"), anonymous}};
}

MountSpec MountSpec::fromJson(const QJsonObject &o) {
    MountSpec m;
    m.type = o.value(QStringLiteral("Type")).toString();
    m.source = o.value(QStringLiteral("Source")).toString();
    m.destination = o.value(QStringLiteral("Destination")).toString();
    m.readOnly = !o.value(QStringLiteral("RW")).toBool(true);
    m.anonymous = o.value(QStringLiteral("Anonymous")).toBool();
    return m;
}

Result<MountSpec> parseVolumeOption(const QString &text) {
    const QStringList parts = text.split(QLatin1Char(':'));
    MountSpec m;
    if (parts.size() == 1) {
        m.type = QStringLiteral("volume");
        m.destination = parts[0];
    } else if (parts.size() == 2 || parts.size() == 3) {
        m.source = parts[0];
        m.destination = parts[1];
        if (parts.size() == 3) {
            for (const QString &opt : parts[2].split(QLatin1Char(','))) {
                if (opt == QLatin1String("ro"))
                    m.readOnly = true;
                else if (opt == QLatin1String("rw"))
                    m.readOnly = false;
                else
                    return fail(
                        ErrorKind::InvalidArgument,
                        QStringLiteral("invalid mode \"%1\" in volume \"%2\"").arg(opt, text));
            }
        }
        m.type = m.source.startsWith(QLatin1Char('/')) ? QStringLiteral("bind")
                                                       : QStringLiteral("volume");
    } else {
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid volume specification: \"%1\"").arg(text));
    }
    if (auto st = checkDestination(m.destination, text); !st)
        return fail(st.error());
    m.destination = cleanDestination(m.destination);
    if (m.type == QLatin1String("volume") && !m.source.isEmpty() &&
        !VolumeStore::isValidName(m.source))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid volume name \"%1\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed; a bind mount needs an absolute host path")
                        .arg(m.source));
    if (m.type == QLatin1String("bind"))
        m.source = QDir::cleanPath(m.source);
    return m;
}

Result<MountSpec> parseMountOption(const QString &text) {
    MountSpec m;
    m.type = QStringLiteral("volume");
    for (const QString &field : text.split(QLatin1Char(','))) {
        const QString key = field.section(QLatin1Char('='), 0, 0).trimmed();
        const QString value = field.section(QLatin1Char('='), 1);
        if (key == QLatin1String("type"))
            m.type = value;
        else if (key == QLatin1String("source") || key == QLatin1String("src"))
            m.source = value;
        else if (key == QLatin1String("target") || key == QLatin1String("destination") ||
                 key == QLatin1String("dst"))
            m.destination = value;
        else if (key == QLatin1String("readonly") || key == QLatin1String("ro"))
            m.readOnly =
                value.isEmpty() || value == QLatin1String("true") || value == QLatin1String("1");
        else
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("unsupported --mount field \"%1\"").arg(key));
    }
    if (m.type != QLatin1String("bind") && m.type != QLatin1String("volume"))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("unsupported --mount type \"%1\" (bind or volume)").arg(m.type));
    if (auto st = checkDestination(m.destination, text); !st)
        return fail(st.error());
    m.destination = cleanDestination(m.destination);
    if (m.type == QLatin1String("bind") && !m.source.startsWith(QLatin1Char('/')))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid mount \"%1\": a bind source must be an absolute path")
                        .arg(text));
    if (m.type == QLatin1String("volume") && !m.source.isEmpty() &&
        !VolumeStore::isValidName(m.source))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid volume name \"%1\"").arg(m.source));
    return m;
}

VolumeStore::VolumeStore(const StorePaths &paths, Database &db, ContainerStore &containers)
    : m_paths(paths)
    , m_db(db)
    , m_containers(containers) {}

bool VolumeStore::isValidName(const QString &name) {
    static const QRegularExpression re(QStringLiteral("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$"));
    return name.size() <= 255 && re.match(name).hasMatch();
}

QString VolumeStore::dataPath(const QString &name) const {
    return m_paths.volumes() + QLatin1Char('/') + name + QStringLiteral("/_data");
}

Result<VolumeRecord> VolumeStore::create(const QString &requested,
                                         const QMap<QString, QString> &labels, bool anonymous) {
    QString name = requested;
    if (name.isEmpty()) {
        QByteArray raw(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), 8);
        name = QString::fromLatin1(raw.toHex());
        anonymous = true;
    }
    if (!isValidName(name))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid volume name \"%1\": only [a-zA-Z0-9][a-zA-Z0-9_.-] "
                                   "are allowed")
                        .arg(name));
    if (auto existing = get(name))
        return existing;
    if (auto st = makeDirectories(dataPath(name)); !st)
        return fail(st.error().withContext(QStringLiteral("create volume %1").arg(name)));
    QJsonObject labelsJson;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelsJson.insert(it.key(), it.value());
    auto q = m_db.exec(QStringLiteral("INSERT OR IGNORE INTO volumes (name, labels, anonymous, "
                                      "created_at) VALUES (?,?,?,?)"),
                       {name,
                        QString::fromUtf8(QJsonDocument(labelsJson).toJson(QJsonDocument::Compact)),
                        anonymous ? 1 : 0, toNs(QDateTime::currentDateTimeUtc())});
    if (!q)
        return fail(q.error().withContext(QStringLiteral("create volume %1").arg(name)));
    return get(name);
}

Result<VolumeRecord> VolumeStore::get(const QString &name) const {
    auto q = m_db.exec(
        QStringLiteral("SELECT name, labels, anonymous, created_at FROM volumes WHERE name = ?"),
        {name});
    if (!q)
        return fail(q.error());
    if (!q->next())
        return fail(ErrorKind::NotFound, QStringLiteral("no such volume: %1").arg(name));
    VolumeRecord v;
    v.name = q->value(0).toString();
    const QJsonObject labels = QJsonDocument::fromJson(q->value(1).toString().toUtf8()).object();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        v.labels.insert(it.key(), it.value().toString());
    v.anonymous = q->value(2).toInt() != 0;
    v.created = fromNs(q->value(3).toLongLong());
    v.mountpoint = dataPath(v.name);
    return v;
}

QList<VolumeRecord> VolumeStore::list() const {
    QList<VolumeRecord> out;
    auto q = m_db.exec(QStringLiteral("SELECT name FROM volumes ORDER BY name"));
    if (!q)
        return out;
    QStringList names;
    while (q->next())
        names.append(q->value(0).toString());
    for (const QString &n : std::as_const(names))
        if (auto v = get(n))
            out.append(*v);
    return out;
}

QStringList VolumeStore::users(const QString &name) const {
    QStringList out;
    for (const ContainerRecord &c : m_containers.list())
        for (const MountSpec &m : c.spec.mounts)
            if (m.type == QLatin1String("volume") && m.source == name) {
                out.append(c.name);
                break;
            }
    return out;
}

Status VolumeStore::remove(const QString &name, Force force) {
    auto v = get(name);
    if (!v)
        return fail(v.error());
    const QStringList used = users(name);
    if (!used.isEmpty() && force == Force::No)
        return fail(ErrorKind::Conflict, QStringLiteral("remove %1: volume is in use - [%2]")
                                             .arg(name, used.join(QStringLiteral(", "))));
    auto q = m_db.exec(QStringLiteral("DELETE FROM volumes WHERE name = ?"), {name});
    if (!q)
        return fail(q.error());
    return removeTree(m_paths.volumes() + QLatin1Char('/') + name);
}

qint64 VolumeStore::size(const QString &name) const {
    return diskUsage(dataPath(name));
}

Result<QPair<QStringList, qint64>> VolumeStore::prune(bool all) {
    QPair<QStringList, qint64> report;
    for (const VolumeRecord &v : list()) {
        if (!v.anonymous && !all)
            continue;
        if (!users(v.name).isEmpty())
            continue;
        const qint64 bytes = size(v.name);
        if (auto st = remove(v.name); !st) {
            if (st.error().kind == ErrorKind::Conflict || st.error().kind == ErrorKind::NotFound)
                continue;
            return fail(st.error());
        }
        report.first.append(v.name);
        report.second += bytes;
    }
    return report;
}

Result<QList<MountSpec>> VolumeStore::prepareMounts(const QList<MountSpec> &requested,
                                                    const QStringList &imageVolumes) {
    QList<MountSpec> out;
    QStringList destinations;
    for (MountSpec m : requested) {
        if (destinations.contains(m.destination))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("duplicate mount point: %1").arg(m.destination));
        destinations.append(m.destination);
        if (m.type == QLatin1String("bind")) {
            if (!QFileInfo::exists(m.source))
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("invalid mount config for type \"bind\": bind source "
                                           "path does not exist: %1")
                                .arg(m.source));
            out.append(m);
            continue;
        }
        auto v = create(m.source);
        if (!v)
            return fail(v.error());
        m.anonymous = m.source.isEmpty();
        m.source = v->name;
        out.append(m);
    }
    for (const QString &raw : imageVolumes) {
        const QString dst = cleanDestination(raw);
        if (!dst.startsWith(QLatin1Char('/')) || destinations.contains(dst))
            continue;
        destinations.append(dst);
        auto v = create(QString());
        if (!v)
            return fail(v.error());
        MountSpec m;
        m.type = QStringLiteral("volume");
        m.source = v->name;
        m.destination = dst;
        m.anonymous = true;
        out.append(m);
    }
    return out;
}

Result<QList<MountSpec>> VolumeStore::hostMounts(const QList<MountSpec> &mounts,
                                                 const QString &rootfs) {
    QList<MountSpec> out;
    for (MountSpec m : mounts) {
        if (m.type == QLatin1String("volume")) {
            auto v = create(m.source, {}, m.anonymous); // removed behind our back: recreate
            if (!v)
                return fail(v.error());
            const QString data = dataPath(m.source);
            if (QDir(data).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden |
                                   QDir::System))
                if (auto st = seedFromRootfs(rootfs, m.destination, data); !st)
                    return fail(
                        st.error().withContext(QStringLiteral("copy the image's %1 into volume %2")
                                                   .arg(m.destination, m.source)));
            m.source = data;
        }
        out.append(m);
    }
    return out;
}

} // namespace Berth::Engine
