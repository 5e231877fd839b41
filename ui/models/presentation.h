// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/analysis/layeranalysis.h"

#include <QColor>
#include <QIcon>
#include <QString>

class QPalette;

namespace Berth::Gui {

// How the models present sizes, modes and change kinds, so every view agrees.

QString formatBytes(qint64 bytes);         // "1.2 MB", locale-aware, SI units like docker
QString formatRate(double bytesPerSecond); // "3.1 MB/s"
QString formatDuration(qint64 seconds);    // "45 s", "3 min 20 s", "2 h 5 min", translated
QString formatMode(Engine::FileType type, quint32 mode); // "drwxr-xr-x"
QString changeKindName(Engine::ChangeKind kind);         // "Added", translated

// Change colours from the Okabe-Ito palette (safe for the common colour-vision deficiencies),
// a darker shade on light backgrounds and a lighter one on dark backgrounds so text stays
// readable. Colour is never the only cue: every change also has its own icon and word.
QColor changeColor(Engine::ChangeKind kind, const QPalette &palette);
QColor changeColor(Engine::ChangeKind kind); // the application palette
// A badge with the change's letter (A, M, D) in a distinct shape: square, circle, triangle.
QIcon changeIcon(Engine::ChangeKind kind);
// A transparent icon of the same size, so unchanged rows line up with changed ones.
QIcon blankIcon();

} // namespace Berth::Gui
