// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/errortext.h"

#include <QCoreApplication>
#include <QLabel>
#include <QMessageBox>

namespace Berth::Gui {

namespace {

// A translation context for the free functions below.
class ErrorMessages {
    Q_DECLARE_TR_FUNCTIONS(Berth::Gui::ErrorMessages)
};

QString advice(Engine::ErrorKind kind) {
    using Engine::ErrorKind;
    switch (kind) {
    case ErrorKind::NotFound:
        return ErrorMessages::tr(
            "Something it needs does not exist (any more). It may have been removed in "
            "the meantime, for example from the command line.");
    case ErrorKind::AlreadyExists:
        return ErrorMessages::tr("Something with that name already exists. Choose another name.");
    case ErrorKind::InvalidArgument:
        return ErrorMessages::tr(
            "Berth did not understand the input. Check the name or file and try again.");
    case ErrorKind::Conflict:
        return ErrorMessages::tr(
            "This is not possible right now because something else depends on it, for "
            "example another name or a container using the image.");
    case ErrorKind::PermissionDenied:
        return ErrorMessages::tr(
            "Berth is not allowed to do this. Check the file's permissions or run Berth "
            "as a user who may.");
    case ErrorKind::Unavailable:
        return ErrorMessages::tr(
            "Something Berth needs is busy or missing (a program, a file or the network). "
            "Try again in a moment.");
    case ErrorKind::Corrupt:
        return ErrorMessages::tr(
            "The data is damaged or not in a format Berth knows. If it came from a file, "
            "the file may be incomplete.");
    case ErrorKind::Cancelled:
        return ErrorMessages::tr("It was cancelled before it finished. Nothing was changed.");
    case ErrorKind::Internal:
        return ErrorMessages::tr("This is a bug in Berth. The details below help to report it.");
    }
    return {};
}

} // namespace

ErrorText errorText(const QString &action, const Engine::Error &error) {
    ErrorText text;
    text.summary = action + QLatin1Char(' ') + advice(error.kind);
    text.detail = QStringLiteral("%1: %2").arg(Engine::errorKindName(error.kind), error.message);
    return text;
}

ErrorText registryErrorText(const QString &action, const Engine::Error &error) {
    using Engine::ErrorKind;
    QString hint;
    switch (error.kind) {
    case ErrorKind::PermissionDenied:
        hint = error.message.contains(QLatin1String("certificate"))
                   ? ErrorMessages::tr("The registry's identity could not be checked, or it "
                                       "wants a certificate from you. The details say which "
                                       "file to put where.")
                   : ErrorMessages::tr("The registry refused access. Log in to it on the "
                                       "Registries page, or check the name: registries answer "
                                       "private repositories like missing ones.");
        break;
    case ErrorKind::NotFound:
        hint = ErrorMessages::tr("The registry has no image by that name or tag. Check both.");
        break;
    case ErrorKind::Unavailable:
        hint = error.message.contains(QLatin1String("secret service"))
                   ? ErrorMessages::tr("No system keychain is running, so the password cannot "
                                       "be kept safely. Start GNOME Keyring or KWallet and try "
                                       "again, or keep it in a file only you can read (the "
                                       "box under the password).")
                   : ErrorMessages::tr("The registry could not be reached or did not answer. "
                                       "Check its address and the network, then try again.");
        break;
    case ErrorKind::Corrupt:
        hint = ErrorMessages::tr("The registry sent data that does not match its checksum; "
                                 "none of it was kept. Try again later.");
        break;
    default:
        return errorText(action, error);
    }
    ErrorText text;
    text.summary = action + QLatin1Char(' ') + hint;
    text.detail = QStringLiteral("%1: %2").arg(Engine::errorKindName(error.kind), error.message);
    return text;
}

void showError(QWidget *parent, const QString &action, const Engine::Error &error) {
    const ErrorText text = errorText(action, error);
    auto *box = new QMessageBox(QMessageBox::Warning, ErrorMessages::tr("Berth"), text.summary,
                                QMessageBox::Ok, parent);
    box->setObjectName(QStringLiteral("errorMessage"));
    box->setDetailedText(text.detail);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void setStatusText(QLabel *label, const QString &summary, const QString &detail) {
    static const char kDetail[] = "berthErrorDetail";
    if (!label->property(kDetail).isValid()) {
        label->setTextFormat(Qt::RichText);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse |
                                       Qt::LinksAccessibleByKeyboard);
        QObject::connect(label, &QLabel::linkActivated, label, [label] {
            auto *box =
                new QMessageBox(QMessageBox::Information, ErrorMessages::tr("Details"),
                                label->property(kDetail).toString(), QMessageBox::Ok, label);
            box->setObjectName(QStringLiteral("errorDetails"));
            box->setTextInteractionFlags(Qt::TextSelectableByMouse);
            box->setAttribute(Qt::WA_DeleteOnClose);
            box->open();
        });
    }
    label->setProperty(kDetail, detail);
    QString html = summary.toHtmlEscaped();
    if (!detail.isEmpty())
        html += QStringLiteral(" <a href=\"details\">%1</a>").arg(ErrorMessages::tr("Details…"));
    label->setText(html);
}

} // namespace Berth::Gui
