// SPDX-License-Identifier: GPL-3.0-or-later
#include "app/cli/format.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>

namespace Berth::Cli {

QString humanSize(qint64 bytes) {
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    double value = double(bytes);
    int unit = 0;
    while (value >= 1000.0 && unit < 5) {
        value /= 1000.0;
        ++unit;
    }
    // %.3g: three significant digits, no trailing zeros ("4.26", "12", "999").
    return QString::asprintf("%.3g", value) + QLatin1String(units[unit]);
}

QString humanSince(const QDateTime &time) {
    if (!time.isValid())
        return QStringLiteral("N/A");
    const qint64 s = time.secsTo(QDateTime::currentDateTimeUtc());
    auto plural = [](qint64 n, const char *unit) {
        return QStringLiteral("%1 %2%3 ago")
            .arg(n)
            .arg(QLatin1String(unit))
            .arg(n == 1 ? QString() : QStringLiteral("s"));
    };
    if (s < 1)
        return QStringLiteral("Less than a second ago");
    if (s < 60)
        return plural(s, "second");
    if (s < 120)
        return QStringLiteral("About a minute ago");
    if (s < 3600)
        return plural(s / 60, "minute");
    if (s < 7200)
        return QStringLiteral("About an hour ago");
    if (s < 2 * 86400)
        return plural(s / 3600, "hour");
    if (s < 14 * 86400)
        return plural(s / 86400, "day");
    if (s < 60 * 86400)
        return plural(s / (7 * 86400), "week");
    if (s < 2 * 365 * 86400)
        return plural(s / (30 * 86400), "month");
    return plural(s / (365 * 86400), "year");
}

void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows) {
    QList<qsizetype> widths(header.size(), 0);
    auto measure = [&widths](const QStringList &row) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    };
    measure(header);
    for (const QStringList &row : rows)
        measure(row);
    auto print = [&](const QStringList &row) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 3) : row[i];
        out << line << '\n';
    };
    print(header);
    for (const QStringList &row : rows)
        print(row);
    out.flush();
}

QString prettyJson(const QJsonValue &value) {
    const QJsonDocument doc =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    // Qt indents with 4 spaces already.
    return QString::fromUtf8(doc.toJson(QJsonDocument::Indented)).trimmed();
}

} // namespace Berth::Cli
