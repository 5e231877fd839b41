// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/models/presentation.h"

#include <QCoreApplication>
#include <QFont>
#include <QGuiApplication>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>

namespace Berth::Gui {

namespace {

class Presentation {
    Q_DECLARE_TR_FUNCTIONS(Berth::Gui::Presentation)
};

bool isDark(const QPalette &palette) {
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor badgeColor(Engine::ChangeKind kind) {
    switch (kind) {
    case Engine::ChangeKind::Added:
        return QColor(0x00, 0x9e, 0x73); // bluish green
    case Engine::ChangeKind::Modified:
        return QColor(0xe6, 0x9f, 0x00); // orange
    case Engine::ChangeKind::Deleted:
        return QColor(0xd5, 0x5e, 0x00); // vermillion
    }
    return {};
}

QPixmap badge(Engine::ChangeKind kind, int size) {
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(badgeColor(kind));
    const QRectF r(0.5, 0.5, size - 1.0, size - 1.0);
    QString letter;
    switch (kind) {
    case Engine::ChangeKind::Added:
        p.drawRoundedRect(r, size * 0.18, size * 0.18);
        letter = QStringLiteral("A");
        break;
    case Engine::ChangeKind::Modified:
        p.drawEllipse(r);
        letter = QStringLiteral("M");
        break;
    case Engine::ChangeKind::Deleted: {
        // A downward triangle: a shape of its own, not just another colour.
        QPainterPath path;
        path.moveTo(r.left(), r.top());
        path.lineTo(r.right(), r.top());
        path.lineTo(r.center().x(), r.bottom());
        path.closeSubpath();
        p.drawPath(path);
        letter = QStringLiteral("D");
        break;
    }
    }
    QFont font = QGuiApplication::font();
    font.setBold(true);
    font.setPixelSize(qMax(6, int(size * (kind == Engine::ChangeKind::Deleted ? 0.5 : 0.68))));
    p.setFont(font);
    // Black on the orange badge, white on the darker ones: both above 4.5:1 contrast.
    p.setPen(kind == Engine::ChangeKind::Modified ? Qt::black : Qt::white);
    QRectF textRect = r;
    if (kind == Engine::ChangeKind::Deleted)
        textRect.setBottom(r.top() + r.height() * 0.62);
    p.drawText(textRect, Qt::AlignCenter, letter);
    return pixmap;
}

} // namespace

QString formatBytes(qint64 bytes) {
    return QLocale().formattedDataSize(bytes, bytes < 1000 ? 0 : 1, QLocale::DataSizeSIFormat);
}

QString formatRate(double bytesPerSecond) {
    return Presentation::tr("%1/s").arg(formatBytes(qint64(bytesPerSecond)));
}

QString formatDuration(qint64 seconds) {
    if (seconds < 60)
        return Presentation::tr("%1 s").arg(qMax<qint64>(0, seconds));
    if (seconds < 3600)
        return Presentation::tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    return Presentation::tr("%1 h %2 min").arg(seconds / 3600).arg(seconds % 3600 / 60);
}

QString formatMode(Engine::FileType type, quint32 mode) {
    QString s(10, QLatin1Char('-'));
    switch (type) {
    case Engine::FileType::Directory:
        s[0] = QLatin1Char('d');
        break;
    case Engine::FileType::Symlink:
        s[0] = QLatin1Char('l');
        break;
    case Engine::FileType::CharDevice:
        s[0] = QLatin1Char('c');
        break;
    case Engine::FileType::BlockDevice:
        s[0] = QLatin1Char('b');
        break;
    case Engine::FileType::Fifo:
        s[0] = QLatin1Char('p');
        break;
    case Engine::FileType::Socket:
        s[0] = QLatin1Char('s');
        break;
    case Engine::FileType::Regular:
        break;
    }
    const char *letters = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        if (mode & (0400u >> i))
            s[i + 1] = QLatin1Char(letters[i]);
    if (mode & 04000)
        s[3] = (mode & 0100) ? QLatin1Char('s') : QLatin1Char('S');
    if (mode & 02000)
        s[6] = (mode & 0010) ? QLatin1Char('s') : QLatin1Char('S');
    if (mode & 01000)
        s[9] = (mode & 0001) ? QLatin1Char('t') : QLatin1Char('T');
    return s;
}

QString changeKindName(Engine::ChangeKind kind) {
    switch (kind) {
    case Engine::ChangeKind::Added:
        return Presentation::tr("Added");
    case Engine::ChangeKind::Modified:
        return Presentation::tr("Modified");
    case Engine::ChangeKind::Deleted:
        return Presentation::tr("Deleted");
    }
    return {};
}

QColor changeColor(Engine::ChangeKind kind, const QPalette &palette) {
    const bool dark = isDark(palette);
    switch (kind) {
    case Engine::ChangeKind::Added:
        return dark ? QColor(0x4c, 0xd6, 0xa8) : QColor(0x00, 0x76, 0x56);
    case Engine::ChangeKind::Modified:
        return dark ? QColor(0xf2, 0xc1, 0x4e) : QColor(0x8a, 0x5f, 0x00);
    case Engine::ChangeKind::Deleted:
        return dark ? QColor(0xff, 0x8c, 0x57) : QColor(0xb0, 0x40, 0x00);
    }
    return palette.color(QPalette::Text);
}

QColor changeColor(Engine::ChangeKind kind) {
    return changeColor(kind, QGuiApplication::palette());
}

QIcon changeIcon(Engine::ChangeKind kind) {
    static QIcon icons[3];
    QIcon &icon = icons[int(kind)];
    if (icon.isNull())
        for (int size : {16, 24, 32, 48})
            icon.addPixmap(badge(kind, size));
    return icon;
}

QIcon blankIcon() {
    static QIcon icon;
    if (icon.isNull()) {
        QPixmap p(16, 16);
        p.fill(Qt::transparent);
        icon.addPixmap(p);
    }
    return icon;
}

} // namespace Berth::Gui
