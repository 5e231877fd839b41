// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Internal to engine/compose: typed readers over ComposeNode shared by the loader's files.

#include "engine/compose/composemodel.h"
#include "engine/compose/composetree.h"

#include <initializer_list>

namespace Berth::Engine::ComposeRead {

inline QStringList names(std::initializer_list<const char *> list) {
    QStringList out;
    for (const char *name : list)
        out.append(QLatin1String(name));
    return out;
}

template <typename T> Status assign(T &field, Result<T> value) {
    if (!value)
        return std::unexpected(value.error());
    field = std::move(*value);
    return {};
}

// Where a service is read: its project directory (for relative paths), the environment for
// `KEY` entries without a value, and where warnings go.
struct Context {
    QString projectDir;
    QMap<QString, QString> environment;
    QStringList *warnings = nullptr;
    void warn(const ComposeNode &at, const QString &path, const QString &message) const {
        warnings->append(QStringLiteral("%1: %2: %3").arg(at.where(), path, message));
    }
};

Result<QString> string(const ComposeNode &n, const QString &path);
Result<bool> boolean(const ComposeNode &n, const QString &path);
Result<int> integer(const ComposeNode &n, const QString &path);
Result<QString> duration(const ComposeNode &n, const QString &path);
// A list of strings; a scalar is split as a shell would (command, entrypoint) when `shell`.
enum class ScalarForm { Refused, ShellWords, Single };
Result<QStringList> stringList(const ComposeNode &n, const QString &path, ScalarForm form);
// A mapping of strings (null values as "").
Result<QMap<QString, QString>> stringMap(const ComposeNode &n, const QString &path);
// A path relative to the project directory made absolute (~ is the home directory).
QString absolutePath(const QString &projectDir, const QString &path);

// Short forms of a service turned into long ones, before files are merged.
Status normalizeService(ComposeNode &service, const QString &path);
Result<ComposeService> readService(const QString &name, const ComposeNode &node,
                                   const Context &context);

} // namespace Berth::Engine::ComposeRead
