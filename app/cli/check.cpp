// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl system check: the store's consistency (berthctl-full only: it hashes image configs).
#include "app/cli/command.h"
#include "app/cli/format.h"

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int systemCheck(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Check that the metadata matches the blobs and layers on disk; exits 1 when "
                       "the store is damaged"));
    const QCommandLineOption repair(
        QStringLiteral("repair"),
        QStringLiteral("Also remove leftovers (unused blobs and layers, unfinished writes)"));
    p.addOption(repair);
    if (int rc = ctx.parse(p, QStringLiteral("system check"), QString()); rc >= 0)
        return rc;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    if (p.isSet(repair)) {
        auto gc = engine->maintenance().collectGarbage(StoreMaintenance::Wait::Yes);
        if (!gc)
            return ctx.fail(gc.error());
        ctx.out << "Removed leftovers: " << humanSize(gc->reclaimedBytes) << '\n';
    }
    const CheckReport report = engine->maintenance().check();
    for (const QString &n : report.notes)
        ctx.out << "note: " << n << '\n';
    for (const QString &problem : report.problems)
        ctx.out << "PROBLEM: " << problem << '\n';
    ctx.out << (report.ok() ? "Store is consistent.\n" : "Store is damaged.\n");
    return report.ok() ? 0 : 1;
}

const bool registered = registerCommand(
    {QStringLiteral("system check"), QStringLiteral("Check the store's consistency"), systemCheck});

} // namespace
} // namespace Berth::Cli
