// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QList>
#include <QPair>
#include <QString>
#include <functional>
#include <optional>

namespace Berth::Engine {

// One node of a compose file as read: YAML's three shapes with where each value was written,
// so every later error can point at file:line:column. Reading resolves anchors, aliases and
// merge keys (`<<: *base`) into independent copies; scalars stay text (a field's reader decides
// whether it wants a number or a boolean). Values are plain copies: changing one never changes
// another (yaml-cpp's nodes share aliased data, which the merge of several files must not).
struct ComposeNode {
    enum class Kind { Null, Scalar, Sequence, Mapping };
    Kind kind = Kind::Null;
    QString scalar;
    bool quoted = false;                        // a quoted scalar is text, never null/true/42
    QList<ComposeNode> items;                   // Sequence
    QList<QPair<QString, ComposeNode>> entries; // Mapping, in the file's order
    QString tag;                                // "!reset", "!override" or ""
    QString file;
    int line = 0;
    int column = 0;

    bool isNull() const { return kind == Kind::Null; }
    bool isScalar() const { return kind == Kind::Scalar; }
    bool isSequence() const { return kind == Kind::Sequence; }
    bool isMapping() const { return kind == Kind::Mapping; }
    // "compose.yaml:12:5" (file name as given).
    QString where() const;
    const ComposeNode *get(const QString &key) const;
    ComposeNode *get(const QString &key);
    void set(const QString &key, const ComposeNode &value);
    void remove(const QString &key);

    static ComposeNode scalarAt(const QString &text, const ComposeNode &at);
    static ComposeNode mappingAt(const ComposeNode &at);
};

// An InvalidArgument error at `node`: "compose.yaml:12:5: services.web.ports: message".
std::unexpected<Error> failAt(const ComposeNode &node, const QString &path, const QString &message);

// Reads a YAML file into a tree. Malformed YAML is an error at the parser's line and column.
Result<ComposeNode> readComposeYaml(const QString &path);
Result<ComposeNode> parseComposeYaml(const QByteArray &text, const QString &fileName);

// Compose interpolation in every scalar (not in keys): $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+replacement}, ${VAR+replacement}; "$$"
// is a literal "$". `lookup` returns nullopt for an unset variable. An unset required
// variable or a malformed expression is an error at the scalar.
using VariableLookup = std::function<std::optional<QString>(const QString &name)>;
Result<QString> interpolateText(const QString &text, const VariableLookup &lookup);
Status interpolateTree(ComposeNode &node, const VariableLookup &lookup, const QString &path = {});

// Merges `override` into `base` by compose-spec's rules for several -f files: mappings merge
// key by key, sequences append, scalars replace; `!reset` removes a value, `!override` replaces
// it whole. The caller normalises first what has a unique key (ports, volumes) or is a
// mapping in disguise (environment lists), see composeloader.cpp; `replaceSequence(path)` says
// which sequences an override replaces (command, entrypoint, healthcheck.test) and
// `uniqueKey(path, item)` gives a sequence item's identity ("" = none: append).
struct ComposeMergeRules {
    std::function<bool(const QString &path)> replaceSequence;
    std::function<QString(const QString &path, const ComposeNode &item)> uniqueKey;
};
void mergeComposeTrees(ComposeNode &base, const ComposeNode &override,
                       const ComposeMergeRules &rules, const QString &path = {});

} // namespace Berth::Engine
