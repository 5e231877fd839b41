// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl analyze: what each layer added, changed, deleted and wasted; dive-compatible CI gate.
#include "app/cli/command.h"
#include "app/cli/format.h"
#include "engine/operations/analysisoperations.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

QString modeString(FileType type, quint32 mode) {
    static const char types[] = {'-', 'd', 'l', 'c', 'b', 'p', 's'};
    QString s(1, QLatin1Char(types[int(type)]));
    const char *rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s.append(mode & (0400u >> i) ? QLatin1Char(rwx[i]) : QLatin1Char('-'));
    return s;
}

QString causeName(DeletionCause cause) {
    switch (cause) {
    case DeletionCause::None:
        return QString();
    case DeletionCause::Whiteout:
        return QStringLiteral("whiteout");
    case DeletionCause::OpaqueDirectory:
        return QStringLiteral("opaque directory");
    case DeletionCause::AncestorDeleted:
        return QStringLiteral("parent deleted");
    case DeletionCause::AncestorReplaced:
        return QStringLiteral("parent replaced");
    }
    return QString();
}

QString oneLine(const QString &text, int width) {
    QString s = text.simplified();
    if (s.startsWith(QLatin1String("/bin/sh -c #(nop) ")))
        s = s.mid(18);
    else if (s.startsWith(QLatin1String("/bin/sh -c ")))
        s = QStringLiteral("RUN ") + s.mid(11);
    return s.size() > width ? s.left(width - 3) + QStringLiteral("...") : s;
}

QJsonObject changeJson(const FileChange &c) {
    QJsonObject o{{QStringLiteral("path"), c.path},
                  {QStringLiteral("layer"), c.layer},
                  {QStringLiteral("change"), changeKindLetter(c.kind)},
                  {QStringLiteral("type"), fileTypeName(c.type)},
                  {QStringLiteral("mode"), QString::number(c.mode, 8)},
                  {QStringLiteral("uid"), qint64(c.uid)},
                  {QStringLiteral("gid"), qint64(c.gid)},
                  {QStringLiteral("size"), c.size}};
    if (!c.linkTarget.isEmpty())
        o.insert(QStringLiteral("linkTarget"), c.linkTarget);
    if (c.kind == ChangeKind::Deleted)
        o.insert(QStringLiteral("cause"), causeName(c.cause));
    if (c.opaque)
        o.insert(QStringLiteral("opaque"), true);
    if (c.hardlink)
        o.insert(QStringLiteral("hardlink"), true);
    return o;
}

QJsonValue number(double v) {
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue(QJsonValue::Null);
}

QJsonObject summaryJson(const ImageRecord &image, const LayerAnalysis &a, int top) {
    QJsonArray layers;
    for (const LayerSummary &l : a.layers())
        layers.append(QJsonObject{{QStringLiteral("index"), l.index},
                                  {QStringLiteral("createdBy"), l.createdBy},
                                  {QStringLiteral("diffId"), l.diffId.toString()},
                                  {QStringLiteral("chainId"), l.chainId.toString()},
                                  {QStringLiteral("blobSize"), l.blobSize},
                                  {QStringLiteral("size"), l.size},
                                  {QStringLiteral("added"), l.added},
                                  {QStringLiteral("modified"), l.modified},
                                  {QStringLiteral("deleted"), l.deleted},
                                  {QStringLiteral("wasted"), l.wastedStored},
                                  {QStringLiteral("wastedHiding"), l.wastedHiding},
                                  {QStringLiteral("diveSize"), l.diveSize}});
    QJsonArray pairs;
    for (const WastedPair &p : a.wastedPairs())
        pairs.append(QJsonObject{{QStringLiteral("storedLayer"), p.storedLayer},
                                 {QStringLiteral("hiddenLayer"), p.hiddenLayer},
                                 {QStringLiteral("bytes"), p.bytes}});
    QJsonArray wasted;
    for (const WastedCopy &w : a.wastedCopies(top))
        wasted.append(QJsonObject{{QStringLiteral("path"), w.path},
                                  {QStringLiteral("storedLayer"), w.storedLayer},
                                  {QStringLiteral("hiddenLayer"), w.hiddenLayer},
                                  {QStringLiteral("bytes"), w.bytes}});
    return QJsonObject{
        {QStringLiteral("image"), image.id.toString()},
        {QStringLiteral("layers"), layers},
        {QStringLiteral("imageSize"), a.imageSize()},
        {QStringLiteral("finalSize"), a.finalSize()},
        {QStringLiteral("fileCount"), a.fileCount()},
        {QStringLiteral("wastedBytes"), a.wastedBytes()},
        {QStringLiteral("wastedPairs"), pairs},
        {QStringLiteral("topWasted"), wasted},
        {QStringLiteral("dive"),
         QJsonObject{{QStringLiteral("efficiency"), number(a.diveEfficiency())},
                     {QStringLiteral("wastedBytes"), a.diveWastedBytes()},
                     {QStringLiteral("userSize"), a.diveUserSize()},
                     {QStringLiteral("userWastedPercent"), number(a.diveUserWastedPercent())}}}};
}

void printSummary(QTextStream &out, const QString &name, const ImageRecord &image,
                  const LayerAnalysis &a, int top) {
    out << "Image: " << name << " (" << image.id.shortId() << ")\n\n";
    QList<QStringList> rows;
    for (const LayerSummary &l : a.layers())
        rows.append({QString::number(l.index), humanSize(l.size), humanSize(l.wastedStored),
                     QStringLiteral("%1/%2/%3").arg(l.added).arg(l.modified).arg(l.deleted),
                     oneLine(l.createdBy, 60)});
    printTable(out,
               {QStringLiteral("LAYER"), QStringLiteral("SIZE"), QStringLiteral("WASTED"),
                QStringLiteral("A/M/D"), QStringLiteral("CREATED BY")},
               rows);
    const double percent =
        a.imageSize() > 0 ? 100.0 * double(a.wastedBytes()) / double(a.imageSize()) : 0.0;
    out << "\nImage size:        " << humanSize(a.imageSize()) << " (" << a.imageSize()
        << " bytes in " << a.layerCount() << " layers)\n"
        << "Final filesystem:  " << humanSize(a.finalSize()) << " (" << a.fileCount()
        << " entries)\n"
        << "Wasted:            " << humanSize(a.wastedBytes()) << " (" << a.wastedBytes()
        << " bytes, " << QString::number(percent, 'f', 1)
        << "% stored but unreachable in the final filesystem)\n"
        << "dive efficiency:   " << QString::number(100.0 * a.diveEfficiency(), 'f', 4) << " %\n"
        << "dive wasted bytes: " << a.diveWastedBytes() << " (" << humanSize(a.diveWastedBytes())
        << ")\n";
    const QList<WastedCopy> wasted = a.wastedCopies(top);
    if (!wasted.isEmpty()) {
        out << "\nTop wasted paths:\n";
        QList<QStringList> w;
        for (const WastedCopy &c : wasted)
            w.append({humanSize(c.bytes), QString::number(c.storedLayer),
                      QString::number(c.hiddenLayer), c.path});
        printTable(out,
                   {QStringLiteral("SIZE"), QStringLiteral("STORED IN"),
                    QStringLiteral("HIDDEN BY"), QStringLiteral("PATH")},
                   w);
    }
}

bool ruleDisabled(const QString &value) {
    const QString v = value.trimmed().toLower();
    return v.isEmpty() || v == QLatin1String("disabled") || v == QLatin1String("off") ||
           v == QLatin1String("false");
}

// dive's CI rules, same names, thresholds and comparisons.
int runCi(Context &ctx, const LayerAnalysis &a, const QString &efficiencyText,
          const QString &wastedBytesText, const QString &userPercentText, bool json) {
    struct Rule {
        QString name;
        QString status; // PASS, FAIL, SKIP
        QString message;
    };
    QList<Rule> rules;
    if (ruleDisabled(efficiencyText)) {
        rules.append({QStringLiteral("lowestEfficiency"), QStringLiteral("SKIP"),
                      QStringLiteral("rule disabled")});
    } else {
        bool ok = false;
        const double t = efficiencyText.toDouble(&ok);
        if (!ok || t < 0 || t > 1)
            return ctx.usage(
                QStringLiteral("--lowest-efficiency must be between 0 and 1, got \"%1\"")
                    .arg(efficiencyText));
        const bool failed = t > a.diveEfficiency();
        rules.append({QStringLiteral("lowestEfficiency"),
                      failed ? QStringLiteral("FAIL") : QStringLiteral("PASS"),
                      failed ? QStringLiteral("image efficiency is too low (efficiency=%1 < "
                                              "threshold=%2)")
                                   .arg(QString::number(a.diveEfficiency(), 'f', 2), efficiencyText)
                             : QString()});
    }
    if (ruleDisabled(wastedBytesText)) {
        rules.append({QStringLiteral("highestWastedBytes"), QStringLiteral("SKIP"),
                      QStringLiteral("rule disabled")});
    } else {
        const qint64 t = parseSize(wastedBytesText);
        if (t < 0)
            return ctx.usage(
                QStringLiteral("invalid --highest-wasted-bytes \"%1\"").arg(wastedBytesText));
        const bool failed = a.diveWastedBytes() > t;
        rules.append({QStringLiteral("highestWastedBytes"),
                      failed ? QStringLiteral("FAIL") : QStringLiteral("PASS"),
                      failed ? QStringLiteral("too many bytes wasted (wasted-bytes=%1 > "
                                              "threshold=%2)")
                                   .arg(a.diveWastedBytes())
                                   .arg(t)
                             : QString()});
    }
    if (ruleDisabled(userPercentText)) {
        rules.append({QStringLiteral("highestUserWastedPercent"), QStringLiteral("SKIP"),
                      QStringLiteral("rule disabled")});
    } else {
        bool ok = false;
        const double t = userPercentText.toDouble(&ok);
        if (!ok || t < 0 || t > 1)
            return ctx.usage(
                QStringLiteral("--highest-user-wasted-percent must be between 0 and 1, got \"%1\"")
                    .arg(userPercentText));
        const double v = a.diveUserWastedPercent();
        const bool failed = v > t;
        rules.append({QStringLiteral("highestUserWastedPercent"),
                      failed ? QStringLiteral("FAIL") : QStringLiteral("PASS"),
                      failed ? QStringLiteral("too many bytes wasted, relative to the user bytes "
                                              "added (%-user-wasted-bytes=%1 > threshold=%2)")
                                   .arg(QString::number(v, 'f', 2), userPercentText)
                             : QString()});
    }
    int passed = 0, failed = 0, skipped = 0;
    for (const Rule &r : rules) {
        if (r.status == QLatin1String("PASS"))
            ++passed;
        else if (r.status == QLatin1String("FAIL"))
            ++failed;
        else
            ++skipped;
    }
    if (json) {
        QJsonArray list;
        for (const Rule &r : rules)
            list.append(QJsonObject{{QStringLiteral("rule"), r.name},
                                    {QStringLiteral("status"), r.status},
                                    {QStringLiteral("message"), r.message}});
        ctx.out << QJsonDocument(
                       QJsonObject{{QStringLiteral("pass"), failed == 0},
                                   {QStringLiteral("rules"), list},
                                   {QStringLiteral("efficiency"), number(a.diveEfficiency())},
                                   {QStringLiteral("wastedBytes"), a.diveWastedBytes()},
                                   {QStringLiteral("userWastedPercent"),
                                    number(a.diveUserWastedPercent())}})
                       .toJson(QJsonDocument::Indented);
    } else {
        ctx.out << "  efficiency: " << QString::number(100.0 * a.diveEfficiency(), 'f', 4) << " %\n"
                << "  wastedBytes: " << a.diveWastedBytes() << " bytes ("
                << humanSize(a.diveWastedBytes()) << ")\n"
                << "  userWastedPercent: "
                << QString::number(100.0 * a.diveUserWastedPercent(), 'f', 4) << " %\n\n"
                << "Results:\n";
        for (const Rule &r : rules)
            ctx.out << "  " << r.status << ": " << r.name
                    << (r.message.isEmpty() ? QString() : QStringLiteral(": ") + r.message) << '\n';
        ctx.out << "Result:" << (failed ? "FAIL" : "PASS") << " [Total:" << rules.size()
                << "] [Passed:" << passed << "] [Failed:" << failed
                << "] [Warn:0] [Skipped:" << skipped << "]\n";
    }
    ctx.out.flush();
    return failed ? 1 : 0;
}

int analyze(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Show what each layer of an image added, changed, deleted and wasted.\n"
                       "Wasted bytes are stored in a layer but unreachable in the final "
                       "filesystem. dive's efficiency and wasted bytes are shown for comparison "
                       "and used by --ci."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON"));
    const QCommandLineOption layer(QStringLiteral("layer"),
                                   QStringLiteral("List the changes of layer N (0 = base)"),
                                   QStringLiteral("N"));
    const QCommandLineOption path(QStringLiteral("path"),
                                  QStringLiteral("Show every layer that changed PATH"),
                                  QStringLiteral("PATH"));
    const QCommandLineOption compare(QStringLiteral("compare"),
                                     QStringLiteral("Compare with another image"),
                                     QStringLiteral("OTHER"));
    const QCommandLineOption top(QStringLiteral("top"),
                                 QStringLiteral("Number of wasted paths to show (default 10)"),
                                 QStringLiteral("N"), QStringLiteral("10"));
    const QCommandLineOption ci(QStringLiteral("ci"),
                                QStringLiteral("Check dive's CI rules; exit 1 when one fails"));
    const QCommandLineOption lowestEfficiency(
        QStringLiteral("lowest-efficiency"),
        QStringLiteral("--ci: fail below this dive efficiency, 0-1 (default 0.9)"),
        QStringLiteral("F"), QStringLiteral("0.9"));
    const QCommandLineOption highestWasted(
        QStringLiteral("highest-wasted-bytes"),
        QStringLiteral("--ci: fail above these dive wasted bytes, e.g. 20MB (default disabled)"),
        QStringLiteral("BYTES"), QStringLiteral("disabled"));
    const QCommandLineOption highestUserPercent(
        QStringLiteral("highest-user-wasted-percent"),
        QStringLiteral("--ci: fail above this fraction of wasted bytes to the bytes of all "
                       "layers but the first, 0-1 (default 0.1)"),
        QStringLiteral("F"), QStringLiteral("0.1"));
    p.addOptions(
        {json, layer, path, compare, top, ci, lowestEfficiency, highestWasted, highestUserPercent});
    if (int rc = ctx.parse(p, QStringLiteral("analyze"), QStringLiteral("IMAGE"), 1); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    const QString name = p.positionalArguments().first();
    auto image = engine->images().resolve(name);
    if (!image)
        return ctx.fail(image.error());
    const AnalysisOperations analyzer = engine->analysis();
    auto analysis = analyzer.analyze(*image);
    if (!analysis)
        return ctx.fail(analysis.error());
    const LayerAnalysis &a = *analysis;
    const bool asJson = p.isSet(json);
    bool topOk = false;
    const int topCount = p.value(top).toInt(&topOk);
    if (!topOk || topCount < 0)
        return ctx.usage(QStringLiteral("--top needs a number"));

    if (p.isSet(ci))
        return runCi(ctx, a, p.value(lowestEfficiency), p.value(highestWasted),
                     p.value(highestUserPercent), asJson);

    if (p.isSet(layer)) {
        bool ok = false;
        const int n = p.value(layer).toInt(&ok);
        if (!ok || n < 0 || n >= a.layerCount())
            return ctx.usage(
                QStringLiteral("--layer must be between 0 and %1").arg(a.layerCount() - 1));
        const QList<FileChange> changes = a.changes(n);
        const LayerSummary l = a.layer(n);
        if (asJson) {
            QJsonArray list;
            for (const FileChange &c : changes)
                list.append(changeJson(c));
            ctx.out << QJsonDocument(QJsonObject{{QStringLiteral("layer"), n},
                                                 {QStringLiteral("createdBy"), l.createdBy},
                                                 {QStringLiteral("changes"), list}})
                           .toJson(QJsonDocument::Indented);
            return 0;
        }
        ctx.out << "Layer " << n << ": " << oneLine(l.createdBy, 90) << '\n'
                << "  " << l.added << " added, " << l.modified << " modified, " << l.deleted
                << " deleted; " << humanSize(l.size) << " stored, " << humanSize(l.wastedStored)
                << " of it wasted\n\n";
        for (const FileChange &c : changes) {
            ctx.out << changeKindLetter(c.kind) << ' ' << modeString(c.type, c.mode) << ' '
                    << QStringLiteral("%1:%2").arg(c.uid).arg(c.gid).leftJustified(11) << ' '
                    << humanSize(c.size).rightJustified(8) << "  " << c.path;
            if (!c.linkTarget.isEmpty())
                ctx.out << " -> " << c.linkTarget;
            if (c.opaque)
                ctx.out << " (opaque)";
            ctx.out << '\n';
        }
        return 0;
    }

    if (p.isSet(path)) {
        const QString wanted = p.value(path);
        const QList<FileChange> history = a.history(wanted);
        if (asJson) {
            QJsonArray list;
            for (const FileChange &c : history)
                list.append(changeJson(c));
            ctx.out << QJsonDocument(QJsonObject{{QStringLiteral("path"), wanted},
                                                 {QStringLiteral("history"), list}})
                           .toJson(QJsonDocument::Indented);
            return 0;
        }
        if (history.isEmpty()) {
            ctx.out << "No layer touches " << wanted << '\n';
            return 0;
        }
        for (const FileChange &c : history) {
            const QString what = c.kind == ChangeKind::Added      ? QStringLiteral("added")
                                 : c.kind == ChangeKind::Modified ? QStringLiteral("modified")
                                                                  : QStringLiteral("deleted");
            ctx.out << "layer " << c.layer << ": " << what << ' ' << fileTypeName(c.type) << ' '
                    << modeString(c.type, c.mode) << ' ' << c.uid << ':' << c.gid << ' '
                    << humanSize(c.size);
            if (!c.linkTarget.isEmpty())
                ctx.out << " -> " << c.linkTarget;
            if (c.kind == ChangeKind::Deleted)
                ctx.out << " (" << causeName(c.cause) << ')';
            ctx.out << "  " << oneLine(a.layer(c.layer).createdBy, 60) << '\n';
        }
        return 0;
    }

    if (p.isSet(compare)) {
        auto other = engine->images().resolve(p.value(compare));
        if (!other)
            return ctx.fail(other.error());
        auto b = analyzer.analyze(*other);
        if (!b)
            return ctx.fail(b.error());
        const ImageComparison c = compareAnalyses(a, *b);
        auto kindName = [](ChangeKind k) {
            return k == ChangeKind::Added     ? QStringLiteral("A")
                   : k == ChangeKind::Deleted ? QStringLiteral("D")
                                              : QStringLiteral("C");
        };
        if (asJson) {
            QJsonArray list;
            for (const FileDifference &d : c.differences) {
                QJsonObject o{{QStringLiteral("path"), d.path},
                              {QStringLiteral("change"), kindName(d.kind)}};
                if (d.aspects)
                    o.insert(
                        QStringLiteral("aspects"),
                        QJsonArray::fromStringList(aspectNames(d.aspects).split(QLatin1Char(','))));
                list.append(o);
            }
            ctx.out << QJsonDocument(
                           QJsonObject{{QStringLiteral("base"), image->id.toString()},
                                       {QStringLiteral("other"), other->id.toString()},
                                       {QStringLiteral("sharedLayers"), c.sharedLayers},
                                       {QStringLiteral("divergeIndex"), c.divergeIndex},
                                       {QStringLiteral("bytesToPullOther"), c.bytesToPullOther},
                                       {QStringLiteral("bytesToPullBase"), c.bytesToPullBase},
                                       {QStringLiteral("differences"), list}})
                           .toJson(QJsonDocument::Indented);
            return 0;
        }
        ctx.out << "Shared layers: " << c.sharedLayers << " of " << a.layerCount() << " and "
                << b->layerCount();
        if (c.divergeIndex < 0)
            ctx.out << " (identical layer stacks)\n";
        else
            ctx.out << " (diverge at layer " << c.divergeIndex << ")\n";
        ctx.out << "Pulling " << p.value(compare) << " when " << name << " is present transfers "
                << humanSize(c.bytesToPullOther) << " (" << c.bytesToPullOther
                << " bytes); the reverse " << humanSize(c.bytesToPullBase) << "\n"
                << c.differences.size() << " differences (" << p.value(compare) << " relative to "
                << name << "):\n";
        for (const FileDifference &d : c.differences) {
            ctx.out << kindName(d.kind) << ' ' << d.path;
            if (d.aspects)
                ctx.out << " (" << aspectNames(d.aspects) << ')';
            ctx.out << '\n';
        }
        return 0;
    }

    if (asJson) {
        QJsonObject o = summaryJson(*image, a, topCount);
        const LayerSharing s = analyzer.sharing(*image);
        o.insert(QStringLiteral("sharedBytes"), s.sharedBytes);
        o.insert(QStringLiteral("uniqueBytes"), s.uniqueBytes);
        ctx.out << QJsonDocument(o).toJson(QJsonDocument::Indented);
        return 0;
    }
    printSummary(ctx.out, name, *image, a, topCount);
    return 0;
}

const bool registered = registerCommand(
    {QStringLiteral("analyze"),
     QStringLiteral("Show layer changes, wasted space and efficiency of an image"), analyze});

} // namespace
} // namespace Berth::Cli
