// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QString>

class QWidget;

class QLabel;

namespace Berth::Gui {

// The one place that turns engine errors into words. The summary says what happened and what
// to try, for someone who has never used containers; the engine's own message (with its
// context chain) is the technical detail, shown one click away.
struct ErrorText {
    QString summary;
    QString detail;
};

// `action` is what the user was doing, as a sentence fragment ("The image could not be
// removed.").
ErrorText errorText(const QString &action, const Engine::Error &error);

// The same for talking to a registry (pull, push, login, tags), where a refusal means
// "log in" and "unavailable" means the network or the address, not a file.
ErrorText registryErrorText(const QString &action, const Engine::Error &error);

// A window-modal message box (no nested event loop) with the summary and a "Show Details..."
// button for the technical text. Returns immediately.
void showError(QWidget *parent, const QString &action, const Engine::Error &error);

// Puts `summary` in a status label; with a `detail`, a "Details…" link after it (reachable with
// Tab and Enter too) opens the technical text in a message box.
void setStatusText(QLabel *label, const QString &summary, const QString &detail = {});

} // namespace Berth::Gui
