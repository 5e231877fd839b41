// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/core/textvalues.h"

#include <QRegularExpression>
#include <cmath>

namespace Berth::Engine {

qint64 parseByteSize(const QString &text, SizeUnits plainUnits) {
    static const QRegularExpression re(
        QStringLiteral("^\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kKmMgGtT]?)(i?)[bB]?\\s*$"));
    const QRegularExpressionMatch m = re.match(text);
    if (!m.hasMatch())
        return -1;
    const double number = m.captured(1).toDouble();
    const bool binary = !m.captured(3).isEmpty() || plainUnits == SizeUnits::Binary;
    const double base = binary ? 1024.0 : 1000.0;
    const QString unit = m.captured(2).toLower();
    const int power = unit.isEmpty() ? 0 : int(QStringLiteral("kmgt").indexOf(unit)) + 1;
    return qint64(number * std::pow(base, power));
}

QStringList mergeEnvironment(const QStringList &base, const QStringList &overrides) {
    QStringList out = base;
    for (const QString &e : overrides) {
        const QString key = e.section(QLatin1Char('='), 0, 0);
        bool replaced = false;
        for (QString &existing : out)
            if (existing.section(QLatin1Char('='), 0, 0) == key) {
                existing = e;
                replaced = true;
            }
        if (!replaced)
            out.append(e);
    }
    return out;
}

Result<qint64> parseDockerDuration(const QString &text) {
    static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)"));
    if (text.isEmpty())
        return fail(ErrorKind::InvalidArgument, QStringLiteral("empty duration"));
    if (text == QLatin1String("0"))
        return 0;
    qint64 total = 0;
    int pos = 0;
    auto it = part.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.capturedStart(0) != pos)
            break;
        pos = int(m.capturedEnd(0));
        const double n = m.captured(1).toDouble();
        const QString unit = m.captured(2);
        double scale = 1;
        if (unit == QLatin1String("us") || unit == QStringLiteral("µs"))
            scale = 1e3;
        else if (unit == QLatin1String("ms"))
            scale = 1e6;
        else if (unit == QLatin1String("s"))
            scale = 1e9;
        else if (unit == QLatin1String("m"))
            scale = 60e9;
        else if (unit == QLatin1String("h"))
            scale = 3600e9;
        total += qint64(n * scale);
    }
    if (pos != text.size())
        return fail(
            ErrorKind::InvalidArgument,
            QStringLiteral("invalid duration \"%1\": expected e.g. 30s, 1m30s, 500ms").arg(text));
    return total;
}

} // namespace Berth::Engine
