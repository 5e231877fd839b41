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

} // namespace Berth::Engine
