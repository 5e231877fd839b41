// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/buildcache.h"

#include "engine/core/fileutil.h"
#include "engine/images/imageconfig.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Berth::Engine {
namespace {

constexpr qint64 kMaxEntrySize = 64 << 20;

QJsonArray pairsToJson(const QList<QPair<QString, QString>> &pairs) {
    QJsonArray a;
    for (const auto &[k, v] : pairs)
        a.append(QJsonArray{k, v});
    return a;
}

QList<QPair<QString, QString>> pairsFromJson(const QJsonArray &a) {
    QList<QPair<QString, QString>> out;
    for (const QJsonValue &v : a) {
        const QJsonArray p = v.toArray();
        out.append({p.at(0).toString(), p.at(1).toString()});
    }
    return out;
}

QString listed(const QStringList &names, const QString &what) {
    if (names.size() <= 3)
        return names.join(QStringLiteral(", ")) + QLatin1Char(' ') + what;
    return QStringLiteral("%1 and %2 more %3")
        .arg(names.mid(0, 3).join(QStringLiteral(", ")))
        .arg(names.size() - 3)
        .arg(what);
}

} // namespace

Digest BuildStepInputs::cacheKey() const {
    QByteArray text = "berth-build-v2\n" + parent.toString().toUtf8() + '\n' +
                      instruction.toUtf8() + '\n' +
                      QJsonDocument(pairsToJson(args)).toJson(QJsonDocument::Compact) + '\n';
    for (auto it = files.cbegin(); it != files.cend(); ++it)
        text += it.key().toUtf8() + '\0' + it.value().toUtf8() + '\n';
    text += extra.toUtf8();
    return Digest::ofData(text);
}

QList<BuildRerunReason> BuildStepInputs::changesSince(const BuildStepInputs &before) const {
    using Kind = BuildRerunReason::Kind;
    QList<BuildRerunReason> reasons;
    if (instruction != before.instruction)
        reasons.append({Kind::Instruction, {}});
    QMap<QString, QString> now, then;
    for (const auto &[k, v] : args)
        now.insert(k, v);
    for (const auto &[k, v] : before.args)
        then.insert(k, v);
    QStringList changedArgs;
    for (auto it = now.cbegin(); it != now.cend(); ++it)
        if (!then.contains(it.key()) || then.value(it.key()) != it.value())
            changedArgs << it.key();
    for (auto it = then.cbegin(); it != then.cend(); ++it)
        if (!now.contains(it.key()))
            changedArgs << it.key();
    if (!changedArgs.isEmpty())
        reasons.append({Kind::BuildArgs, changedArgs});
    QStringList changed, added, removed;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        if (!before.files.contains(it.key()))
            added << it.key();
        else if (before.files.value(it.key()) != it.value())
            changed << it.key();
    }
    for (auto it = before.files.cbegin(); it != before.files.cend(); ++it)
        if (!files.contains(it.key()))
            removed << it.key();
    if (!changed.isEmpty())
        reasons.append({Kind::FilesChanged, changed});
    if (!added.isEmpty())
        reasons.append({Kind::FilesAdded, added});
    if (!removed.isEmpty())
        reasons.append({Kind::FilesRemoved, removed});
    if (extra != before.extra)
        reasons.append({Kind::Download, {}});
    if (parent != before.parent)
        reasons.append({Kind::Parent, {}});
    return reasons;
}

QString BuildRerunReason::text() const {
    switch (kind) {
    case Kind::FirstBuild:
        return QStringLiteral("first build of this step");
    case Kind::NoCache:
        return QStringLiteral("--no-cache");
    case Kind::CacheRemoved:
        return QStringLiteral("the cached result was removed");
    case Kind::Instruction:
        return QStringLiteral("the instruction changed");
    case Kind::BuildArgs:
        return (names.size() == 1 ? QStringLiteral("build arg %1 changed")
                                  : QStringLiteral("build args %1 changed"))
            .arg(names.join(QStringLiteral(", ")));
    case Kind::FilesChanged:
        return listed(names, QStringLiteral("changed"));
    case Kind::FilesAdded:
        return listed(names, QStringLiteral("added"));
    case Kind::FilesRemoved:
        return listed(names, QStringLiteral("removed"));
    case Kind::Download:
        return QStringLiteral("the downloaded content changed");
    case Kind::Parent:
        return QStringLiteral("parent changed");
    }
    return {};
}

namespace {

const QList<std::pair<BuildRerunReason::Kind, QString>> &kindNames() {
    using Kind = BuildRerunReason::Kind;
    static const QList<std::pair<Kind, QString>> names = {
        {Kind::FirstBuild, QStringLiteral("first-build")},
        {Kind::NoCache, QStringLiteral("no-cache")},
        {Kind::CacheRemoved, QStringLiteral("cache-removed")},
        {Kind::Instruction, QStringLiteral("instruction")},
        {Kind::BuildArgs, QStringLiteral("build-args")},
        {Kind::FilesChanged, QStringLiteral("files-changed")},
        {Kind::FilesAdded, QStringLiteral("files-added")},
        {Kind::FilesRemoved, QStringLiteral("files-removed")},
        {Kind::Download, QStringLiteral("download")},
        {Kind::Parent, QStringLiteral("parent")},
    };
    return names;
}

} // namespace

QString BuildRerunReason::kindName(Kind kind) {
    for (const auto &[k, name] : kindNames())
        if (k == kind)
            return name;
    return {};
}

std::optional<BuildRerunReason::Kind> BuildRerunReason::kindFromName(const QString &name) {
    for (const auto &[k, n] : kindNames())
        if (n == name)
            return k;
    return std::nullopt;
}

QStringList BuildStepRecord::reasonTexts() const {
    QStringList out;
    for (const BuildRerunReason &r : reasons)
        out << r.text();
    return out;
}

BuildCache::BuildCache(const StorePaths &paths, ContentStore &content)
    : m_paths(paths)
    , m_content(content) {}

QString BuildCache::dir() const {
    return m_paths.cache() + QStringLiteral("/build");
}

std::optional<BuildCache::Entry> BuildCache::get(const Digest &key) const {
    auto data = readFileLimited(dir() + QLatin1Char('/') + key.hex() + QStringLiteral(".json"),
                                kMaxEntrySize);
    if (!data)
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(*data).object();
    Entry e;
    e.config = o.value(QStringLiteral("config")).toString().toUtf8();
    for (const QJsonValue &v : o.value(QStringLiteral("layers")).toArray()) {
        const QJsonObject l = v.toObject();
        auto diff = Digest::parse(l.value(QStringLiteral("diffId")).toString());
        auto chain = Digest::parse(l.value(QStringLiteral("chainId")).toString());
        auto blob = Descriptor::fromJson(l.value(QStringLiteral("blob")).toObject());
        if (!diff || !chain || !blob || !m_content.contains(blob->digest))
            return std::nullopt; // garbage-collected since: rebuild the step
        e.layers.append({*diff, *chain, *blob});
    }
    if (e.config.isEmpty() || !ImageConfig::parse(e.config))
        return std::nullopt;
    return e;
}

void BuildCache::put(const Digest &key, const Entry &entry) {
    QJsonArray layers;
    for (const LayerRecord &l : entry.layers)
        layers.append(QJsonObject{{QStringLiteral("diffId"), l.diffId.toString()},
                                  {QStringLiteral("chainId"), l.chainId.toString()},
                                  {QStringLiteral("blob"), l.blob.toJson()}});
    const QJsonObject o{{QStringLiteral("config"), QString::fromUtf8(entry.config)},
                        {QStringLiteral("layers"), layers}};
    // The cache is an optimisation: failing to write it only costs a rebuild.
    (void)makeDirectories(dir());
    (void)writeFileAtomically(dir() + QLatin1Char('/') + key.hex() + QStringLiteral(".json"),
                              QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<BuildStepInputs> BuildCache::lastInputs(const Digest &stepId) const {
    auto data = readFileLimited(
        dir() + QStringLiteral("/steps/") + stepId.hex() + QStringLiteral(".json"), kMaxEntrySize);
    if (!data)
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(*data).object();
    BuildStepInputs in;
    in.parent = Digest::parse(o.value(QStringLiteral("parent")).toString()).value_or(Digest());
    in.instruction = o.value(QStringLiteral("instruction")).toString();
    in.args = pairsFromJson(o.value(QStringLiteral("args")).toArray());
    const QJsonObject files = o.value(QStringLiteral("files")).toObject();
    for (auto it = files.begin(); it != files.end(); ++it)
        in.files.insert(it.key(), it.value().toString());
    in.extra = o.value(QStringLiteral("extra")).toString();
    return in;
}

void BuildCache::putInputs(const Digest &stepId, const BuildStepInputs &inputs,
                           const QString &context) {
    QJsonObject files;
    for (auto it = inputs.files.cbegin(); it != inputs.files.cend(); ++it)
        files.insert(it.key(), it.value());
    const QJsonObject o{{QStringLiteral("key"), inputs.cacheKey().toString()},
                        {QStringLiteral("context"), context},
                        {QStringLiteral("parent"), inputs.parent.toString()},
                        {QStringLiteral("instruction"), inputs.instruction},
                        {QStringLiteral("args"), pairsToJson(inputs.args)},
                        {QStringLiteral("files"), files},
                        {QStringLiteral("extra"), inputs.extra}};
    (void)makeDirectories(dir() + QStringLiteral("/steps"));
    (void)writeFileAtomically(dir() + QStringLiteral("/steps/") + stepId.hex() +
                                  QStringLiteral(".json"),
                              QJsonDocument(o).toJson(QJsonDocument::Compact));
}

namespace {

QJsonArray reasonsToJson(const QList<BuildRerunReason> &reasons) {
    QJsonArray a;
    for (const BuildRerunReason &r : reasons) {
        QJsonObject o{{QStringLiteral("kind"), BuildRerunReason::kindName(r.kind)}};
        if (!r.names.isEmpty())
            o.insert(QStringLiteral("names"), QJsonArray::fromStringList(r.names));
        a.append(o);
    }
    return a;
}

} // namespace

Status BuildCache::putProvenance(const Digest &imageId, const BuildProvenance &provenance) {
    QJsonArray steps;
    for (const BuildStepRecord &r : provenance.steps)
        steps.append(QJsonObject{
            {QStringLiteral("stage"), r.stage},
            {QStringLiteral("instruction"), r.instruction},
            {QStringLiteral("firstLine"), r.firstLine},
            {QStringLiteral("lastLine"), r.lastLine},
            {QStringLiteral("trigger"), r.trigger},
            {QStringLiteral("cached"), r.cached},
            {QStringLiteral("emptyLayer"), r.emptyLayer},
            {QStringLiteral("reasons"), reasonsToJson(r.reasons)},
            {QStringLiteral("historyIndex"), r.historyIndex},
            {QStringLiteral("diffId"), r.diffId.isValid() ? r.diffId.toString() : QString()},
            {QStringLiteral("imageId"), r.imageId.toString()}});
    const QJsonObject o{{QStringLiteral("context"), provenance.context},
                        {QStringLiteral("dockerfile"), provenance.dockerfile},
                        {QStringLiteral("gitCommit"), provenance.gitCommit},
                        {QStringLiteral("steps"), steps}};
    const QString provDir = dir() + QStringLiteral("/provenance");
    if (auto s = makeDirectories(provDir); !s)
        return s;
    return writeFileAtomically(provDir + QLatin1Char('/') + imageId.hex() + QStringLiteral(".json"),
                               QJsonDocument(o).toJson());
}

Result<BuildProvenance> BuildCache::provenance(const StorePaths &paths, const Digest &imageId) {
    auto data = readFileLimited(paths.cache() + QStringLiteral("/build/provenance/") +
                                    imageId.hex() + QStringLiteral(".json"),
                                kMaxEntrySize);
    if (!data)
        return fail(ErrorKind::NotFound,
                    QStringLiteral("no build provenance for %1").arg(imageId.shortId()));
    const QJsonObject o = QJsonDocument::fromJson(*data).object();
    BuildProvenance p;
    p.context = o.value(QStringLiteral("context")).toString();
    p.dockerfile = o.value(QStringLiteral("dockerfile")).toString();
    p.gitCommit = o.value(QStringLiteral("gitCommit")).toString();
    for (const QJsonValue &v : o.value(QStringLiteral("steps")).toArray()) {
        const QJsonObject s = v.toObject();
        BuildStepRecord r;
        r.stage = s.value(QStringLiteral("stage")).toInt();
        r.instruction = s.value(QStringLiteral("instruction")).toString();
        r.firstLine = s.value(QStringLiteral("firstLine")).toInt();
        r.lastLine = s.value(QStringLiteral("lastLine")).toInt();
        r.trigger = s.value(QStringLiteral("trigger")).toBool();
        r.cached = s.value(QStringLiteral("cached")).toBool();
        r.emptyLayer = s.value(QStringLiteral("emptyLayer")).toBool();
        for (const QJsonValue &reason : s.value(QStringLiteral("reasons")).toArray()) {
            const QJsonObject o = reason.toObject();
            const auto kind =
                BuildRerunReason::kindFromName(o.value(QStringLiteral("kind")).toString());
            if (!kind)
                continue; // written by a newer Berth
            QStringList names;
            for (const QJsonValue &n : o.value(QStringLiteral("names")).toArray())
                names << n.toString();
            r.reasons.append({*kind, names});
        }
        r.historyIndex = s.value(QStringLiteral("historyIndex")).toInt(-1);
        r.diffId = Digest::parse(s.value(QStringLiteral("diffId")).toString()).value_or(Digest());
        r.imageId = Digest::parse(s.value(QStringLiteral("imageId")).toString()).value_or(Digest());
        p.steps.append(r);
    }
    return p;
}

} // namespace Berth::Engine
