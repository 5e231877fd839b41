// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/digest.h"
#include "engine/core/textvalues.h"

#include <QDateTime>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace Berth::Cli {

// Sizes the way the Docker CLI prints them: decimal units, 3 significant digits ("4.26MB").
QString humanSize(qint64 bytes);
// Parses "20MB", "1.5GiB", "512k", "100" into bytes (the engine's grammar, parseByteSize);
// -1 when invalid. Plain units are decimal by default, as in dive.
using Engine::SizeUnits;
inline qint64 parseSize(const QString &text, SizeUnits plainUnits = SizeUnits::Decimal) {
    return Engine::parseByteSize(text, plainUnits);
}
// "2 hours ago", "About a minute ago", "Less than a second ago".
QString humanSince(const QDateTime &time);
// Prints rows as columns separated by 3 spaces, like Docker's tabwriter output.
void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows);
// Pretty JSON with 4-space indentation like `docker inspect`.
QString prettyJson(const QJsonValue &value);
// An image ID as Docker lists it: 12 characters, or the whole digest with --no-trunc.
inline QString shortOrFull(const Engine::Digest &d, bool noTrunc) {
    return noTrunc ? d.toString() : d.shortId();
}

} // namespace Berth::Cli
