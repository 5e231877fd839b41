// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/compose/composetree.h"

#include <QFile>
#include <QFileInfo>
#include <yaml-cpp/yaml.h>

namespace Berth::Engine {

QString ComposeNode::where() const {
    return QStringLiteral("%1:%2:%3").arg(file).arg(line).arg(column);
}

const ComposeNode *ComposeNode::get(const QString &key) const {
    for (const auto &[k, v] : entries)
        if (k == key)
            return &v;
    return nullptr;
}

ComposeNode *ComposeNode::get(const QString &key) {
    for (auto &[k, v] : entries)
        if (k == key)
            return &v;
    return nullptr;
}

void ComposeNode::set(const QString &key, const ComposeNode &value) {
    if (ComposeNode *existing = get(key))
        *existing = value;
    else
        entries.append({key, value});
}

void ComposeNode::remove(const QString &key) {
    entries.removeIf([&key](const auto &entry) { return entry.first == key; });
}

ComposeNode ComposeNode::scalarAt(const QString &text, const ComposeNode &at) {
    ComposeNode n;
    n.kind = Kind::Scalar;
    n.scalar = text;
    n.quoted = true;
    n.file = at.file;
    n.line = at.line;
    n.column = at.column;
    return n;
}

ComposeNode ComposeNode::mappingAt(const ComposeNode &at) {
    ComposeNode n = scalarAt({}, at);
    n.kind = Kind::Mapping;
    n.quoted = false;
    return n;
}

std::unexpected<Error> failAt(const ComposeNode &node, const QString &path,
                              const QString &message) {
    return fail(ErrorKind::InvalidArgument,
                path.isEmpty() ? QStringLiteral("%1: %2").arg(node.where(), message)
                               : QStringLiteral("%1: %2: %3").arg(node.where(), path, message));
}

namespace {

QString text(const std::string &s) {
    return QString::fromStdString(s);
}

// yaml-cpp's tags: "?" for a plain scalar or an untagged collection, "!" for a quoted scalar.
QString explicitTag(const YAML::Node &node) {
    const std::string &tag = node.Tag();
    return tag == "?" || tag == "!" ? QString() : text(tag);
}

Result<ComposeNode> convert(const YAML::Node &node, const QString &file, int depth);

// YAML's merge key: `<<: *base` or `<<: [*a, *b]` adds the entries of those mappings that the
// mapping does not set itself (earlier ones win over later ones).
Status mergeKey(ComposeNode &mapping, const ComposeNode &value) {
    QList<const ComposeNode *> sources;
    if (value.isMapping())
        sources.append(&value);
    else if (value.isSequence())
        for (const ComposeNode &item : value.items)
            sources.append(&item);
    for (const ComposeNode *source : sources) {
        if (!source->isMapping())
            return failAt(*source, {},
                          QStringLiteral("a merge key (<<) takes a mapping or a list "
                                         "of mappings"));
        for (const auto &[k, v] : source->entries)
            if (!mapping.get(k))
                mapping.entries.append({k, v});
    }
    return {};
}

Result<ComposeNode> convert(const YAML::Node &node, const QString &file, int depth) {
    ComposeNode out;
    out.file = file;
    out.line = node.Mark().line + 1;
    out.column = node.Mark().column + 1;
    out.tag = explicitTag(node);
    if (depth > 200)
        return failAt(out, {}, QStringLiteral("nested too deeply"));
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
        return out;
    case YAML::NodeType::Scalar:
        out.kind = ComposeNode::Kind::Scalar;
        out.scalar = text(node.Scalar());
        out.quoted = node.Tag() == "!";
        return out;
    case YAML::NodeType::Sequence:
        out.kind = ComposeNode::Kind::Sequence;
        for (const YAML::Node &item : node) {
            auto converted = convert(item, file, depth + 1);
            if (!converted)
                return converted;
            out.items.append(std::move(*converted));
        }
        return out;
    case YAML::NodeType::Map: {
        out.kind = ComposeNode::Kind::Mapping;
        std::optional<ComposeNode> merge;
        for (const auto &entry : node) {
            auto value = convert(entry.second, file, depth + 1);
            if (!value)
                return value;
            if (!entry.first.IsScalar()) {
                auto key = convert(entry.first, file, depth + 1);
                return failAt(key ? *key : out, {}, QStringLiteral("a key must be a string"));
            }
            const QString key = text(entry.first.Scalar());
            if (key == QLatin1String("<<") && entry.first.Tag() != "!") {
                merge = std::move(*value);
                continue;
            }
            if (out.get(key)) {
                auto keyNode = convert(entry.first, file, depth + 1);
                return failAt(keyNode ? *keyNode : out, {},
                              QStringLiteral("duplicate key \"%1\"").arg(key));
            }
            out.entries.append({key, std::move(*value)});
        }
        if (merge)
            if (auto st = mergeKey(out, *merge); !st)
                return std::unexpected(st.error());
        return out;
    }
    }
    return out;
}

} // namespace

Result<ComposeNode> parseComposeYaml(const QByteArray &data, const QString &fileName) {
    YAML::Node root;
    try {
        root = YAML::Load(data.toStdString());
    } catch (const YAML::Exception &e) {
        return fail(ErrorKind::InvalidArgument, QStringLiteral("%1:%2:%3: %4")
                                                    .arg(fileName)
                                                    .arg(e.mark.line + 1)
                                                    .arg(e.mark.column + 1)
                                                    .arg(text(e.msg)));
    }
    try {
        return convert(root, fileName, 0);
    } catch (const YAML::Exception &e) {
        return fail(ErrorKind::InvalidArgument, QStringLiteral("%1:%2:%3: %4")
                                                    .arg(fileName)
                                                    .arg(e.mark.line + 1)
                                                    .arg(e.mark.column + 1)
                                                    .arg(text(e.msg)));
    }
}

Result<ComposeNode> readComposeYaml(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("open %1: %2").arg(path, f.errorString()));
    return parseComposeYaml(f.readAll(), path);
}

namespace {

bool isNameStart(QChar c) {
    return c == QLatin1Char('_') || (c.unicode() < 128 && c.isLetter());
}
bool isNameChar(QChar c) {
    return isNameStart(c) || (c.unicode() < 128 && c.isDigit());
}

// The text of a braced expression after "${" up to its matching "}" (nested braces counted).
qsizetype closingBrace(const QString &s, qsizetype from) {
    int depth = 1;
    for (qsizetype i = from; i < s.size(); ++i) {
        if (s[i] == QLatin1Char('{'))
            ++depth;
        else if (s[i] == QLatin1Char('}') && --depth == 0)
            return i;
    }
    return -1;
}

Result<QString> braced(const QString &expr, const VariableLookup &lookup) {
    qsizetype n = 0;
    while (n < expr.size() && isNameChar(expr[n]))
        ++n;
    const QString name = expr.left(n);
    if (name.isEmpty() || !isNameStart(name[0]))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("invalid interpolation format for \"${%1}\"").arg(expr));
    const std::optional<QString> value = lookup(name);
    if (n == expr.size())
        return value.value_or(QString());
    const QString rest = expr.mid(n);
    const bool colon = rest.startsWith(QLatin1Char(':'));
    const QString op = rest.mid(colon ? 1 : 0, 1);
    const QString argument = rest.mid(colon ? 2 : 1);
    // With ':' an empty value counts as unset.
    const bool set = value.has_value() && (!colon || !value->isEmpty());
    if (op == QLatin1String("-"))
        return set ? *value : interpolateText(argument, lookup);
    if (op == QLatin1String("+"))
        return set ? interpolateText(argument, lookup) : Result<QString>(QString());
    if (op == QLatin1String("?")) {
        if (set)
            return *value;
        auto message = interpolateText(argument, lookup);
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("required variable %1 is missing a value%2")
                        .arg(name, message && !message->isEmpty() ? QStringLiteral(": ") + *message
                                                                  : QString()));
    }
    return fail(ErrorKind::InvalidArgument,
                QStringLiteral("invalid interpolation format for \"${%1}\"").arg(expr));
}

} // namespace

Result<QString> interpolateText(const QString &s, const VariableLookup &lookup) {
    QString out;
    out.reserve(s.size());
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s[i] != QLatin1Char('$') || i + 1 == s.size()) {
            out.append(s[i]);
            continue;
        }
        const QChar next = s[i + 1];
        if (next == QLatin1Char('$')) {
            out.append(QLatin1Char('$'));
            ++i;
        } else if (next == QLatin1Char('{')) {
            const qsizetype end = closingBrace(s, i + 2);
            if (end < 0)
                return fail(ErrorKind::InvalidArgument,
                            QStringLiteral("invalid interpolation format: unclosed \"${\" in "
                                           "\"%1\"")
                                .arg(s));
            auto value = braced(s.mid(i + 2, end - i - 2), lookup);
            if (!value)
                return value;
            out.append(*value);
            i = end;
        } else if (isNameStart(next)) {
            qsizetype end = i + 1;
            while (end < s.size() && isNameChar(s[end]))
                ++end;
            out.append(lookup(s.mid(i + 1, end - i - 1)).value_or(QString()));
            i = end - 1;
        } else {
            out.append(s[i]);
        }
    }
    return out;
}

Status interpolateTree(ComposeNode &node, const VariableLookup &lookup, const QString &path) {
    switch (node.kind) {
    case ComposeNode::Kind::Null:
        return {};
    case ComposeNode::Kind::Scalar: {
        if (!node.scalar.contains(QLatin1Char('$')))
            return {};
        auto value = interpolateText(node.scalar, lookup);
        if (!value)
            return failAt(node, path, value.error().message);
        node.scalar = *value;
        return {};
    }
    case ComposeNode::Kind::Sequence:
        for (qsizetype i = 0; i < node.items.size(); ++i)
            if (auto st =
                    interpolateTree(node.items[i], lookup, path + QStringLiteral("[%1]").arg(i));
                !st)
                return st;
        return {};
    case ComposeNode::Kind::Mapping:
        for (auto &[key, value] : node.entries)
            if (auto st = interpolateTree(value, lookup,
                                          path.isEmpty() ? key : path + QLatin1Char('.') + key);
                !st)
                return st;
        return {};
    }
    return {};
}

void mergeComposeTrees(ComposeNode &base, const ComposeNode &over, const ComposeMergeRules &rules,
                       const QString &path) {
    if (over.tag == QLatin1String("!override") || base.kind != over.kind ||
        over.kind == ComposeNode::Kind::Scalar || over.kind == ComposeNode::Kind::Null) {
        base = over;
        base.tag.clear();
        return;
    }
    if (over.isSequence()) {
        if (rules.replaceSequence && rules.replaceSequence(path)) {
            base = over;
            return;
        }
        for (const ComposeNode &item : over.items) {
            const QString key = rules.uniqueKey ? rules.uniqueKey(path, item) : QString();
            auto same = key.isEmpty() ? base.items.end()
                                      : std::find_if(base.items.begin(), base.items.end(),
                                                     [&](const ComposeNode &b) {
                                                         return rules.uniqueKey(path, b) == key;
                                                     });
            if (same == base.items.end())
                base.items.append(item);
            else
                mergeComposeTrees(*same, item, rules, path + QStringLiteral("[]"));
        }
        return;
    }
    for (const auto &[key, value] : over.entries) {
        const QString child = path.isEmpty() ? key : path + QLatin1Char('.') + key;
        if (value.tag == QLatin1String("!reset")) {
            base.remove(key);
        } else if (ComposeNode *existing = base.get(key)) {
            mergeComposeTrees(*existing, value, rules, child);
        } else {
            ComposeNode copy = value;
            copy.tag.clear();
            base.entries.append({key, copy});
        }
    }
}

} // namespace Berth::Engine
