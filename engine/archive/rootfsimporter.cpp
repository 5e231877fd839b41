// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/archive/rootfsimporter.h"

#include "engine/archive/archiveio.h"
#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/images/manifest.h"
#include "engine/images/mediatypes.h"
#include "engine/snapshots/imageinstaller.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

namespace Berth::Engine {

namespace {

// Splits words like a shell does for Dockerfile arguments: whitespace separates, double and
// single quotes group, a backslash escapes the next character.
Result<QStringList> splitWords(const QString &text) {
    QStringList words;
    QString current;
    bool inWord = false;
    QChar quote;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!quote.isNull()) {
            if (c == quote)
                quote = QChar();
            else if (c == QLatin1Char('\\') && quote == QLatin1Char('"') && i + 1 < text.size())
                current += text[++i];
            else
                current += c;
            continue;
        }
        if (c.isSpace()) {
            if (inWord)
                words.append(current);
            current.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == QLatin1Char('"') || c == QLatin1Char('\''))
            quote = c;
        else if (c == QLatin1Char('\\') && i + 1 < text.size())
            current += text[++i];
        else
            current += c;
    }
    if (!quote.isNull())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("unterminated quote"));
    if (inWord)
        words.append(current);
    return words;
}

// A JSON array of strings, or nullopt when `text` is not one (then it is shell form).
std::optional<QStringList> jsonForm(const QString &text) {
    if (!text.startsWith(QLatin1Char('[')))
        return std::nullopt;
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8(), &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray())
        return std::nullopt;
    QStringList out;
    for (const QJsonValue &v : doc.array()) {
        if (!v.isString())
            return std::nullopt;
        out.append(v.toString());
    }
    return out;
}

// key=value pairs (ENV/LABEL), or the legacy "ENV key value with spaces" form.
Result<QList<QPair<QString, QString>>> keyValues(const QString &args, bool allowLegacy) {
    QList<QPair<QString, QString>> out;
    const QString firstWord = args.section(QRegularExpression(QStringLiteral("\\s+")), 0, 0);
    if (allowLegacy && !firstWord.contains(QLatin1Char('='))) {
        const QString rest = args.mid(firstWord.size()).trimmed();
        if (rest.isEmpty())
            return fail(ErrorKind::InvalidArgument, QStringLiteral("needs a value"));
        out.append({firstWord, rest});
        return out;
    }
    auto words = splitWords(args);
    if (!words)
        return fail(words.error());
    for (const QString &w : *words) {
        const qsizetype eq = w.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("\"%1\" is not of the form key=value").arg(w));
        out.append({w.left(eq), w.mid(eq + 1)});
    }
    if (out.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("needs key=value"));
    return out;
}

} // namespace

Status applyDockerfileChange(ContainerConfig &config, const QString &change) {
    const QString text = change.trimmed();
    const qsizetype space = text.indexOf(QRegularExpression(QStringLiteral("\\s")));
    const QString instruction = (space < 0 ? text : text.left(space)).toUpper();
    const QString args = space < 0 ? QString() : text.mid(space).trimmed();
    auto bad = [&](const QString &why) {
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("change \"%1\": %2").arg(change.left(200), why));
    };
    if (args.isEmpty())
        return bad(QStringLiteral("%1 needs an argument").arg(instruction));
    auto command = [&]() {
        if (auto json = jsonForm(args))
            return *json;
        return QStringList{QStringLiteral("/bin/sh"), QStringLiteral("-c"), args};
    };
    if (instruction == QLatin1String("CMD")) {
        config.cmd = command();
    } else if (instruction == QLatin1String("ENTRYPOINT")) {
        config.entrypoint = command();
    } else if (instruction == QLatin1String("ENV")) {
        auto pairs = keyValues(args, true);
        if (!pairs)
            return bad(pairs.error().message);
        for (const auto &[key, value] : *pairs) {
            const QString prefix = key + QLatin1Char('=');
            config.env.erase(std::remove_if(config.env.begin(), config.env.end(),
                                            [&](const QString &e) { return e.startsWith(prefix); }),
                             config.env.end());
            config.env.append(prefix + value);
        }
    } else if (instruction == QLatin1String("LABEL")) {
        auto pairs = keyValues(args, false);
        if (!pairs)
            return bad(pairs.error().message);
        for (const auto &[key, value] : *pairs)
            config.labels.insert(key, value);
    } else if (instruction == QLatin1String("WORKDIR")) {
        if (!args.startsWith(QLatin1Char('/')))
            return bad(QStringLiteral("WORKDIR must be an absolute path"));
        config.workingDir = args;
    } else if (instruction == QLatin1String("USER")) {
        config.user = args;
    } else if (instruction == QLatin1String("STOPSIGNAL")) {
        config.stopSignal = args;
    } else if (instruction == QLatin1String("EXPOSE")) {
        static const QRegularExpression port(QStringLiteral("^(\\d{1,5})(?:/(tcp|udp|sctp))?$"));
        for (const QString &p : args.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
            const auto m = port.match(p.toLower());
            if (!m.hasMatch() || m.captured(1).toInt() > 65535)
                return bad(QStringLiteral("invalid port \"%1\"").arg(p));
            const QString key = m.captured(1) + QLatin1Char('/') +
                                (m.captured(2).isEmpty() ? QStringLiteral("tcp") : m.captured(2));
            if (!config.exposedPorts.contains(key))
                config.exposedPorts.append(key);
        }
    } else if (instruction == QLatin1String("VOLUME")) {
        QStringList volumes;
        if (auto json = jsonForm(args)) {
            volumes = *json;
        } else {
            auto words = splitWords(args);
            if (!words)
                return bad(words.error().message);
            volumes = *words;
        }
        for (const QString &v : std::as_const(volumes)) {
            if (v.isEmpty())
                return bad(QStringLiteral("empty volume path"));
            if (!config.volumes.contains(v))
                config.volumes.append(v);
        }
    } else {
        return bad(QStringLiteral("%1 is not supported (use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                                  "STOPSIGNAL, USER, VOLUME or WORKDIR)")
                       .arg(instruction));
    }
    return {};
}

RootfsImporter::RootfsImporter(ArchiveStores stores)
    : m_stores(stores) {}

Result<ImageRecord> RootfsImporter::importFile(const QString &path, const ImportOptions &options) {
    return run(QFileInfo(path).fileName(), path, -1, options);
}

Result<ImageRecord> RootfsImporter::importStream(int fd, const QString &name,
                                                 const ImportOptions &options) {
    return run(name, QString(), fd, options);
}

Result<ImageRecord> RootfsImporter::run(const QString &name, const QString &path, int fd,
                                        const ImportOptions &options) {
    const QString context = QStringLiteral("import %1").arg(name);
    auto failWith = [&context](const Error &e) { return fail(e.withContext(context)); };

    QList<Reference> tags;
    if (!options.reference.isEmpty()) {
        auto ref = Reference::parse(options.reference);
        if (!ref)
            return failWith(ref.error());
        if (!ref->digest().isValid() || !ref->tag().isEmpty())
            tags.append(*ref);
    }
    ContainerConfig containerConfig;
    for (const QString &change : options.changes)
        if (auto st = applyDockerfileChange(containerConfig, change); !st)
            return failWith(st.error());

    auto lock = FileLock::acquire(m_stores.content.paths().lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return failWith(lock.error());

    auto reader = fd >= 0 ? DecompressingReader::openFd(fd) : DecompressingReader::openFile(path);
    if (!reader)
        return failWith(reader.error());
    auto writer = m_stores.content.openWriter(uniqueTempName(QStringLiteral("import")));
    if (!writer)
        return failWith(writer.error());
    QByteArray buf(1 << 20, Qt::Uninitialized);
    for (;;) {
        auto n = (*reader)->read(buf.data(), buf.size());
        if (!n) {
            (*writer)->abort();
            return failWith(n.error());
        }
        if (*n == 0)
            break;
        if (auto st = (*writer)->write(buf.constData(), *n); !st) {
            (*writer)->abort();
            return failWith(st.error());
        }
        if (m_progress)
            m_progress({name, (*writer)->offset(), -1});
    }
    if ((*writer)->offset() == 0) {
        (*writer)->abort();
        return failWith(Error{ErrorKind::InvalidArgument, QStringLiteral("the input is empty")});
    }
    const qint64 layerSize = (*writer)->offset();
    auto diffId = (*writer)->commit();
    if (!diffId)
        return failWith(diffId.error());

    auto config = ImageConfig::parse(R"({"rootfs":{"type":"layers","diff_ids":[]}})");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const Platform host = Platform::host();
    config->setCreated(now);
    config->setPlatform(QStringLiteral("linux"), host.architecture, host.variant);
    config->setDiffIds({*diffId});
    HistoryEntry history;
    history.created = now;
    history.createdBy = QStringLiteral("import");
    history.comment = options.message;
    config->setHistory({history});
    config->setConfig(containerConfig);
    const QByteArray configJson = config->toJson();
    auto configDigest = m_stores.content.write(configJson);
    if (!configDigest)
        return failWith(configDigest.error());

    Manifest manifest;
    manifest.mediaType = MediaType::DockerManifest;
    manifest.config = {MediaType::DockerConfig, *configDigest, configJson.size(), {}, {}, {}};
    manifest.layers.append({MediaType::DockerLayer, *diffId, layerSize, {}, {}, {}});
    ImageInstaller installer(m_stores.content, m_stores.snapshots, m_stores.images);
    auto record = installer.install(manifest.toJson(), tags);
    if (!record)
        return failWith(record.error());
    m_stores.events.record(
        QStringLiteral("image"), QStringLiteral("import"), record->id.toString(),
        {{QStringLiteral("name"),
          tags.isEmpty() ? record->id.toString() : tags.first().familiarString()}});
    return record;
}

} // namespace Berth::Engine
