// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QString>
#include <QStringList>

namespace Berth::Engine {

// Small value grammars every face of the engine reads the same way (the CLI, the GUI's
// dialogs, the API).

// Sizes as Docker reads them: a number (a decimal point allowed), then an optional unit k, m,
// g or t (any case), an optional "i" and an optional "b": "100", "512k", "300m", "1.5GiB",
// "1t". With "i" the units are binary; without, `plainUnits` decides: Docker reads memory and
// log sizes ("-m 300m", "--log-opt max-size=10m") in binary units, dive's thresholds in
// decimal ones. -1 when the text is not a size.
enum class SizeUnits { Decimal, Binary };
qint64 parseByteSize(const QString &text, SizeUnits plainUnits);

// An environment ("KEY=VALUE" entries) with `overrides` applied: an entry replaces the one of
// the same key in place, a new key is appended (the image's environment, then the user's).
QStringList mergeEnvironment(const QStringList &base, const QStringList &overrides);

// A Go-style duration as Docker's HEALTHCHECK and --health-* options take it ("30s", "1m30s",
// "500ms", "0"); nanoseconds.
Result<qint64> parseDockerDuration(const QString &text);

} // namespace Berth::Engine
