// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl load, save, import, starter: images in and out of archives (engine/archive).
#include "app/cli/command.h"

#include "engine/operations/archiveoperations.h"

#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

bool isStdin(const QString &name) {
    return name.isEmpty() || name == QLatin1String("-");
}

int load(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Load images from a docker-archive tarball or an OCI image layout "
                       "(directory or tar, optionally gzip-compressed); from stdin without -i"));
    const QCommandLineOption input({QStringLiteral("i"), QStringLiteral("input")},
                                   QStringLiteral("Read from a tar archive file or OCI layout "
                                                  "directory instead of stdin"),
                                   QStringLiteral("FILE"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Suppress the load output"));
    p.addOptions({input, quiet});
    if (int rc = ctx.parse(p, QStringLiteral("load"), QString()); rc >= 0)
        return rc;
    if (!p.positionalArguments().isEmpty())
        return ctx.usage(QStringLiteral("\"berthctl load\" accepts no arguments; use -i FILE"));
    const QString file = p.value(input);
    if (isStdin(file) && ::isatty(STDIN_FILENO))
        return ctx.usage(QStringLiteral("requested load from stdin, but stdin is empty; use -i "
                                        "FILE or pipe an archive in"));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ArchiveOperations archives = engine->archives();
    auto loaded = isStdin(file) ? archives.loadStream(STDIN_FILENO, QStringLiteral("stdin"))
                                : archives.loadPath(file);
    if (!loaded) {
        // Every refusal of the archive is the same failure to the caller: 1, as docker load
        // (125 stays for usage errors).
        ctx.fail(loaded.error());
        return 1;
    }
    if (!p.isSet(quiet)) {
        for (const LoadedImage &image : std::as_const(*loaded)) {
            if (image.tags.isEmpty())
                ctx.out << "Loaded image ID: " << image.image.id.toString() << '\n';
            for (const Reference &tag : image.tags)
                ctx.out << "Loaded image: " << tag.familiarString() << '\n';
        }
    }
    return 0;
}

int save(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Save one or more images to a tar archive (to stdout when -o is absent and stdout is "
        "not a terminal)"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write to a file instead of stdout"),
                                    QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"),
                                    QStringLiteral("Archive format: docker (docker-archive) or "
                                                   "oci (OCI image layout in a tar)"),
                                    QStringLiteral("FORMAT"), QStringLiteral("docker"));
    p.addOptions({output, format});
    if (int rc = ctx.parse(p, QStringLiteral("save"), QStringLiteral("IMAGE [IMAGE...]"), 1);
        rc >= 0)
        return rc;
    ArchiveFormat fmt;
    const QString f = p.value(format).toLower();
    if (f == QLatin1String("docker") || f == QLatin1String("docker-archive"))
        fmt = ArchiveFormat::DockerArchive;
    else if (f == QLatin1String("oci") || f == QLatin1String("oci-archive"))
        fmt = ArchiveFormat::OciArchive;
    else
        return ctx.usage(QStringLiteral("unknown format \"%1\": use docker or oci").arg(f));
    const QString file = p.value(output);
    if (isStdin(file) && ::isatty(STDOUT_FILENO))
        return ctx.usage(QStringLiteral("cowardly refusing to save to a terminal. Use the -o "
                                        "flag or redirect"));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ArchiveOperations archives = engine->archives();
    ctx.out.flush();
    const Status st = isStdin(file) ? archives.saveToFd(p.positionalArguments(), fmt, STDOUT_FILENO)
                                    : archives.saveToFile(p.positionalArguments(), fmt, file);
    if (!st)
        return ctx.fail(st.error());
    return 0;
}

int importRootfs(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Create a one-layer image from a root filesystem tarball (plain or compressed; - for "
        "stdin)"));
    const QCommandLineOption change({QStringLiteral("c"), QStringLiteral("change")},
                                    QStringLiteral("Apply a Dockerfile instruction to the image "
                                                   "(CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, "
                                                   "STOPSIGNAL, USER, VOLUME, WORKDIR)"),
                                    QStringLiteral("INSTRUCTION"));
    const QCommandLineOption message({QStringLiteral("m"), QStringLiteral("message")},
                                     QStringLiteral("Set a commit message for the imported image"),
                                     QStringLiteral("MESSAGE"));
    const QCommandLineOption quiet({QStringLiteral("q"), QStringLiteral("quiet")},
                                   QStringLiteral("Print only the image ID"));
    p.addOptions({change, message, quiet});
    if (int rc =
            ctx.parse(p, QStringLiteral("import"), QStringLiteral("FILE|- [REPOSITORY[:TAG]]"), 1);
        rc >= 0)
        return rc;
    const QStringList args = p.positionalArguments();
    if (args.size() > 2)
        return ctx.usage(QStringLiteral("\"berthctl import\" takes at most 2 arguments"));
    ImportOptions options;
    options.reference = args.value(1);
    options.changes = p.values(change);
    options.message = p.value(message);
    const QString source = args.first();
    if (source == QLatin1String("-") && ::isatty(STDIN_FILENO))
        return ctx.usage(QStringLiteral("stdin is a terminal; pipe a tarball in"));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    ArchiveOperations archives = engine->archives();
    auto record = source == QLatin1String("-")
                      ? archives.importStream(STDIN_FILENO, QStringLiteral("stdin"), options)
                      : archives.importFile(source, options);
    if (!record)
        return ctx.fail(record.error());
    ctx.out << record->id.toString() << '\n';
    return 0;
}

int starter(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Build the offline starter image from the host's static busybox (busybox-static)"));
    const QCommandLineOption busybox(QStringLiteral("busybox"),
                                     QStringLiteral("The static busybox binary to use"),
                                     QStringLiteral("PATH"), QStringLiteral("/bin/busybox"));
    p.addOption(busybox);
    if (int rc = ctx.parse(p, QStringLiteral("starter"), QStringLiteral("[NAME[:TAG]]")); rc >= 0)
        return rc;
    StarterOptions options;
    if (!p.positionalArguments().isEmpty())
        options.reference = p.positionalArguments().first();
    options.busybox = p.value(busybox);
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto record = engine->archives().installStarter(options);
    if (!record)
        return ctx.fail(record.error());
    auto ref = Reference::parse(options.reference);
    ctx.out << "Built " << (ref ? ref->familiarString() : options.reference) << ": "
            << record->id.toString() << '\n';
    return 0;
}

const bool registered =
    registerCommand({QStringLiteral("load"),
                     QStringLiteral("Load images from a tar archive or stdin"), load}) &&
    registerCommand(
        {QStringLiteral("save"), QStringLiteral("Save images to a tar archive"), save}) &&
    registerCommand({QStringLiteral("import"),
                     QStringLiteral("Import a root filesystem tarball as an "
                                    "image"),
                     importRootfs}) &&
    registerCommand({QStringLiteral("starter"),
                     QStringLiteral("Build the offline busybox starter image"), starter});

} // namespace
} // namespace Berth::Cli
