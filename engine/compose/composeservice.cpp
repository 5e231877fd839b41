// SPDX-License-Identifier: GPL-3.0-or-later
// Reading one service of a compose file: short forms normalised to long ones, then every key
// the model knows read with its type checked.
#include "engine/compose/composeloader.h"
#include "engine/compose/composeread.h"

#include <QDir>
#include <QRegularExpression>

namespace Berth::Engine::ComposeRead {

namespace {
QString kindName(const ComposeNode &n) {
    switch (n.kind) {
    case ComposeNode::Kind::Null:
        return QStringLiteral("null");
    case ComposeNode::Kind::Scalar:
        return QStringLiteral("a scalar");
    case ComposeNode::Kind::Sequence:
        return QStringLiteral("a list");
    case ComposeNode::Kind::Mapping:
        return QStringLiteral("a mapping");
    }
    return {};
}
std::unexpected<Error> wrongType(const ComposeNode &n, const QString &path, const QString &want) {
    return failAt(n, path, QStringLiteral("must be %1, not %2").arg(want, kindName(n)));
}
QString child(const QString &path, const QString &key) {
    return path + QLatin1Char('.') + key;
}
} // namespace

Result<QString> string(const ComposeNode &n, const QString &path) {
    if (n.isNull())
        return QString();
    if (!n.isScalar())
        return wrongType(n, path, QStringLiteral("a string"));
    return n.scalar;
}

Result<bool> boolean(const ComposeNode &n, const QString &path) {
    static const QStringList yes = names({"true", "yes", "on", "y"});
    static const QStringList no = names({"false", "no", "off", "n"});
    if (n.isScalar()) {
        const QString v = n.scalar.toLower();
        if (yes.contains(v))
            return true;
        if (no.contains(v))
            return false;
    }
    return failAt(n, path, QStringLiteral("must be a boolean (true or false)"));
}

Result<int> integer(const ComposeNode &n, const QString &path) {
    bool ok = false;
    const int v = n.isScalar() ? n.scalar.toInt(&ok) : 0;
    if (!ok)
        return failAt(n, path, QStringLiteral("must be an integer"));
    return v;
}

Result<QString> duration(const ComposeNode &n, const QString &path) {
    static const QRegularExpression format(
        QStringLiteral("^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"));
    auto text = string(n, path);
    if (!text)
        return text;
    if (!text->isEmpty() && !format.match(*text).hasMatch())
        return failAt(
            n, path,
            QStringLiteral("invalid duration \"%1\" (write it as 30s, 1m30s, 500ms)").arg(*text));
    return text;
}

namespace {
// Splits as a POSIX shell would: whitespace separates, quotes group, backslash escapes.
Result<QStringList> shellWords(const ComposeNode &n, const QString &path) {
    QStringList words;
    QString word;
    bool inWord = false;
    QChar quote;
    const QString &s = n.scalar;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        if (quote.isNull() && c.isSpace()) {
            if (inWord)
                words.append(word);
            word.clear();
            inWord = false;
            continue;
        }
        inWord = true;
        if (c == QLatin1Char('\\') && quote != QLatin1Char('\'') && i + 1 < s.size()) {
            word.append(s[++i]);
        } else if (!quote.isNull() && c == quote) {
            quote = QChar();
        } else if (quote.isNull() && (c == QLatin1Char('\'') || c == QLatin1Char('"'))) {
            quote = c;
        } else {
            word.append(c);
        }
    }
    if (!quote.isNull())
        return failAt(n, path, QStringLiteral("unterminated quote in \"%1\"").arg(s));
    if (inWord)
        words.append(word);
    return words;
}
} // namespace

Result<QStringList> stringList(const ComposeNode &n, const QString &path, ScalarForm form) {
    if (n.isScalar() && form == ScalarForm::ShellWords)
        return shellWords(n, path);
    if (n.isScalar() && form == ScalarForm::Single)
        return QStringList{n.scalar};
    if (n.isNull())
        return QStringList();
    if (!n.isSequence())
        return wrongType(n, path, QStringLiteral("a list of strings"));
    QStringList out;
    for (qsizetype i = 0; i < n.items.size(); ++i) {
        auto v = string(n.items[i], path + QStringLiteral("[%1]").arg(i));
        if (!v)
            return std::unexpected(v.error());
        out.append(*v);
    }
    return out;
}

Result<QMap<QString, QString>> stringMap(const ComposeNode &n, const QString &path) {
    if (n.isNull())
        return QMap<QString, QString>();
    if (!n.isMapping())
        return wrongType(n, path, QStringLiteral("a mapping"));
    QMap<QString, QString> out;
    for (const auto &[k, v] : n.entries) {
        auto value = string(v, child(path, k));
        if (!value)
            return std::unexpected(value.error());
        out.insert(k, *value);
    }
    return out;
}

QString absolutePath(const QString &projectDir, const QString &path) {
    if (path == QLatin1String("~") || path.startsWith(QLatin1String("~/")))
        return QDir::cleanPath(QDir::homePath() + path.mid(1));
    return QDir::cleanPath(QDir(projectDir).absoluteFilePath(path));
}

// ---- Normalisation: short forms to long ones (before the files are merged) ----

namespace {

// ["A=1", "B"] -> {A: "1", B: null}
Status listToMapping(ComposeNode &n, const QString &path, QChar separator) {
    if (!n.isSequence())
        return {};
    ComposeNode mapping = ComposeNode::mappingAt(n);
    for (const ComposeNode &item : n.items) {
        if (!item.isScalar())
            return wrongType(item, path, QStringLiteral("a list of KEY=VALUE strings"));
        const qsizetype at = item.scalar.indexOf(separator);
        if (at < 0) {
            ComposeNode null = ComposeNode::scalarAt({}, item);
            null.kind = ComposeNode::Kind::Null;
            mapping.set(item.scalar, null);
        } else {
            mapping.set(item.scalar.left(at), ComposeNode::scalarAt(item.scalar.mid(at + 1), item));
        }
    }
    n = mapping;
    return {};
}

// [a, b] -> {a: null, b: null}
Status namesToMapping(ComposeNode &n, const QString &path) {
    if (!n.isSequence())
        return {};
    ComposeNode mapping = ComposeNode::mappingAt(n);
    for (const ComposeNode &item : n.items) {
        if (!item.isScalar())
            return wrongType(item, path, QStringLiteral("a list of names"));
        ComposeNode null = ComposeNode::scalarAt({}, item);
        null.kind = ComposeNode::Kind::Null;
        mapping.set(item.scalar, null);
    }
    n = mapping;
    return {};
}

Result<QPair<int, int>> portRange(const QString &text, const ComposeNode &at, const QString &path) {
    const QStringList bounds = text.split(QLatin1Char('-'));
    bool ok1 = false, ok2 = true;
    const int first = bounds[0].toInt(&ok1);
    const int last = bounds.size() == 2 ? bounds[1].toInt(&ok2) : first;
    if (bounds.size() > 2 || !ok1 || !ok2 || first < 1 || last > 65535 || last < first)
        return failAt(at, path, QStringLiteral("invalid port \"%1\"").arg(text));
    return qMakePair(first, last);
}

// "[HOST_IP:][PUBLISHED[-END]:]TARGET[-END][/PROTOCOL]" -> one long form per port.
Result<QList<ComposeNode>> shortPort(const ComposeNode &n, const QString &path) {
    QString spec = n.scalar;
    QString protocol = QStringLiteral("tcp");
    if (const qsizetype slash = spec.lastIndexOf(QLatin1Char('/')); slash >= 0) {
        protocol = spec.mid(slash + 1);
        spec = spec.left(slash);
    }
    const qsizetype lastColon = spec.lastIndexOf(QLatin1Char(':'));
    const QString target = spec.mid(lastColon + 1);
    QString published = lastColon < 0 ? QString() : spec.left(lastColon);
    QString hostIp;
    if (const qsizetype ipEnd = published.lastIndexOf(QLatin1Char(':')); ipEnd >= 0) {
        hostIp = published.left(ipEnd);
        published = published.mid(ipEnd + 1);
        if (hostIp.startsWith(QLatin1Char('[')) && hostIp.endsWith(QLatin1Char(']')))
            hostIp = hostIp.mid(1, hostIp.size() - 2);
    }
    auto targets = portRange(target, n, path);
    if (!targets)
        return std::unexpected(targets.error());
    std::optional<QPair<int, int>> publishedRange;
    if (!published.isEmpty()) {
        auto range = portRange(published, n, path);
        if (!range)
            return std::unexpected(range.error());
        publishedRange = *range;
    }
    const int count = targets->second - targets->first + 1;
    const bool onePerTarget =
        publishedRange && publishedRange->second - publishedRange->first + 1 == count;
    if (publishedRange && !onePerTarget && count != 1)
        return failAt(n, path,
                      QStringLiteral("port ranges of different lengths: \"%1\"").arg(n.scalar));
    QList<ComposeNode> out;
    for (int i = 0; i < count; ++i) {
        ComposeNode port = ComposeNode::mappingAt(n);
        port.set(QStringLiteral("target"),
                 ComposeNode::scalarAt(QString::number(targets->first + i), n));
        if (publishedRange) {
            const QString value =
                onePerTarget ? QString::number(publishedRange->first + i) : published;
            port.set(QStringLiteral("published"), ComposeNode::scalarAt(value, n));
        }
        if (!hostIp.isEmpty())
            port.set(QStringLiteral("host_ip"), ComposeNode::scalarAt(hostIp, n));
        port.set(QStringLiteral("protocol"), ComposeNode::scalarAt(protocol, n));
        out.append(port);
    }
    return out;
}

bool isHostPath(const QString &source) {
    return source.startsWith(QLatin1Char('/')) || source.startsWith(QLatin1Char('.')) ||
           source.startsWith(QLatin1Char('~'));
}

// "SOURCE:TARGET[:MODE]" or "TARGET" -> {type, source, target, read_only}.
Result<ComposeNode> shortVolume(const ComposeNode &n, const QString &path) {
    const QStringList parts = n.scalar.split(QLatin1Char(':'));
    if (parts.size() > 3 || parts.contains(QString()))
        return failAt(n, path, QStringLiteral("invalid volume \"%1\"").arg(n.scalar));
    ComposeNode mount = ComposeNode::mappingAt(n);
    if (parts.size() == 1) {
        mount.set(QStringLiteral("type"), ComposeNode::scalarAt(QStringLiteral("volume"), n));
        mount.set(QStringLiteral("target"), ComposeNode::scalarAt(parts[0], n));
        return mount;
    }
    mount.set(QStringLiteral("type"),
              ComposeNode::scalarAt(
                  isHostPath(parts[0]) ? QStringLiteral("bind") : QStringLiteral("volume"), n));
    mount.set(QStringLiteral("source"), ComposeNode::scalarAt(parts[0], n));
    mount.set(QStringLiteral("target"), ComposeNode::scalarAt(parts[1], n));
    if (parts.size() == 3) {
        for (const QString &mode : parts[2].split(QLatin1Char(','))) {
            static const QStringList ignored =
                names({"rw", "z", "Z", "cached", "delegated", "consistent"});
            if (mode == QLatin1String("ro"))
                mount.set(QStringLiteral("read_only"),
                          ComposeNode::scalarAt(QStringLiteral("true"), n));
            else if (!ignored.contains(mode))
                return failAt(n, path, QStringLiteral("invalid volume mode \"%1\"").arg(mode));
        }
    }
    return mount;
}

Status normalizePorts(ComposeNode &ports, const QString &path) {
    if (!ports.isSequence())
        return ports.isNull() ? Status{} : wrongType(ports, path, QStringLiteral("a list"));
    QList<ComposeNode> out;
    for (const ComposeNode &item : ports.items) {
        if (!item.isScalar()) {
            out.append(item);
            continue;
        }
        auto expanded = shortPort(item, path);
        if (!expanded)
            return std::unexpected(expanded.error());
        out += *expanded;
    }
    ports.items = out;
    return {};
}

Status normalizeVolumes(ComposeNode &volumes, const QString &path) {
    if (!volumes.isSequence())
        return volumes.isNull() ? Status{} : wrongType(volumes, path, QStringLiteral("a list"));
    for (ComposeNode &item : volumes.items) {
        if (!item.isScalar())
            continue;
        auto mount = shortVolume(item, path);
        if (!mount)
            return std::unexpected(mount.error());
        item = *mount;
    }
    return {};
}

} // namespace

Status normalizeService(ComposeNode &s, const QString &path) {
    if (!s.isMapping())
        return wrongType(s, path, QStringLiteral("a mapping"));
    if (ComposeNode *n = s.get(QStringLiteral("environment")))
        if (auto st =
                listToMapping(*n, child(path, QStringLiteral("environment")), QLatin1Char('='));
            !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("labels")))
        if (auto st = listToMapping(*n, child(path, QStringLiteral("labels")), QLatin1Char('='));
            !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("build"))) {
        if (n->isScalar()) {
            ComposeNode build = ComposeNode::mappingAt(*n);
            build.set(QStringLiteral("context"), *n);
            *n = build;
        }
        if (ComposeNode *args = n->get(QStringLiteral("args")))
            if (auto st = listToMapping(*args, child(path, QStringLiteral("build.args")),
                                        QLatin1Char('='));
                !st)
                return st;
    }
    if (ComposeNode *n = s.get(QStringLiteral("depends_on")))
        if (auto st = namesToMapping(*n, child(path, QStringLiteral("depends_on"))); !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("networks")))
        if (auto st = namesToMapping(*n, child(path, QStringLiteral("networks"))); !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("ports")))
        if (auto st = normalizePorts(*n, child(path, QStringLiteral("ports"))); !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("volumes")))
        if (auto st = normalizeVolumes(*n, child(path, QStringLiteral("volumes"))); !st)
            return st;
    if (ComposeNode *n = s.get(QStringLiteral("extra_hosts")); n && n->isMapping()) {
        ComposeNode list = *n;
        list.kind = ComposeNode::Kind::Sequence;
        list.entries.clear();
        for (const auto &[host, ip] : n->entries)
            list.items.append(ComposeNode::scalarAt(host + QLatin1Char(':') + ip.scalar, ip));
        *n = list;
    }
    return {};
}

} // namespace Berth::Engine::ComposeRead
