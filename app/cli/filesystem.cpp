// SPDX-License-Identifier: GPL-3.0-or-later
// berthctl diff, commit, export, cp: a container's filesystem (its read-write layer and the
// merged root), with Docker's options and output.
#include "app/cli/command.h"
#include "engine/operations/filesystemoperations.h"

#include <QFile>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

using namespace Berth::Engine;

namespace Berth::Cli {
namespace {

int diffCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Inspect changes to files or directories on a container's filesystem"));
    if (int rc = ctx.parse(p, QStringLiteral("diff"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("\"berthctl diff\" requires exactly 1 argument."));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    auto changes = engine->filesystem().diff(p.positionalArguments().first());
    if (!changes)
        return ctx.fail(changes.error());
    for (const ContainerChange &c : std::as_const(*changes))
        ctx.out << c.letter() << ' ' << c.path << '\n';
    return 0;
}

int commitCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Create a new image from a container's changes (a running container is "
                       "not paused: files it writes meanwhile may be captured half written)"));
    const QCommandLineOption message({QStringLiteral("m"), QStringLiteral("message")},
                                     QStringLiteral("Commit message"), QStringLiteral("MESSAGE"));
    const QCommandLineOption author(
        {QStringLiteral("a"), QStringLiteral("author")},
        QStringLiteral("Author (e.g., \"Jane Doe <jane@example.com>\")"), QStringLiteral("AUTHOR"));
    const QCommandLineOption change({QStringLiteral("c"), QStringLiteral("change")},
                                    QStringLiteral("Apply Dockerfile instruction to the created "
                                                   "image"),
                                    QStringLiteral("INSTRUCTION"));
    p.addOptions({message, author, change});
    if (int rc =
            ctx.parse(p, QStringLiteral("commit"), QStringLiteral("CONTAINER [REPO[:TAG]]"), 1);
        rc >= 0)
        return rc;
    const QStringList args = p.positionalArguments();
    if (args.size() > 2)
        return ctx.usage(QStringLiteral("\"berthctl commit\" requires at most 2 arguments."));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    CommitOptions options;
    options.reference = args.value(1);
    options.message = p.value(message);
    options.author = p.value(author);
    options.changes = p.values(change);
    auto image = engine->filesystem().commit(args.first(), options);
    if (!image)
        return ctx.fail(image.error());
    ctx.out << image->id.toString() << '\n';
    return 0;
}

int exportCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Export a container's filesystem as a tar archive"));
    const QCommandLineOption output({QStringLiteral("o"), QStringLiteral("output")},
                                    QStringLiteral("Write to a file, instead of STDOUT"),
                                    QStringLiteral("FILE"));
    p.addOption(output);
    if (int rc = ctx.parse(p, QStringLiteral("export"), QStringLiteral("CONTAINER"), 1); rc >= 0)
        return rc;
    if (p.positionalArguments().size() != 1)
        return ctx.usage(QStringLiteral("\"berthctl export\" requires exactly 1 argument."));
    const QString file = p.value(output);
    if ((file.isEmpty() || file == QLatin1String("-")) && ::isatty(STDOUT_FILENO))
        return ctx.usage(QStringLiteral("cowardly refusing to save to a terminal. Use the -o "
                                        "flag or redirect"));
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    int fd = STDOUT_FILENO;
    const bool toFile = !file.isEmpty() && file != QLatin1String("-");
    const QString partial = file + QStringLiteral(".partial");
    if (toFile) {
        fd = ::open(QFile::encodeName(partial).constData(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            return ctx.fail(failErrno(QStringLiteral("open %1").arg(file), errno).error());
    }
    ctx.out.flush();
    const Status st = engine->filesystem().exportTo(p.positionalArguments().first(), fd);
    if (toFile) {
        ::close(fd);
        if (!st || ::rename(QFile::encodeName(partial).constData(),
                            QFile::encodeName(file).constData()) != 0) {
            QFile::remove(partial);
            return ctx.fail(st ? failErrno(QStringLiteral("rename %1").arg(file), errno).error()
                               : st.error());
        }
    }
    if (!st)
        return ctx.fail(st.error());
    return 0;
}

// "CONTAINER:PATH" -> (container, path); a plain host path gives an empty container. Like
// Docker, a colon after a slash belongs to a host path ("./a:b").
QPair<QString, QString> splitCpArg(const QString &arg) {
    const qsizetype colon = arg.indexOf(QLatin1Char(':'));
    if (colon <= 0 || arg.left(colon).contains(QLatin1Char('/')))
        return {QString(), arg};
    return {arg.left(colon), arg.mid(colon + 1)};
}

int cpCmd(Context &ctx) {
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Copy files/folders between a container and the local filesystem (symlinks inside the "
        "container resolve inside it; running containers: files in volumes are not reached).\n"
        "Use '-' as the source to read a tar archive from stdin and extract it to a directory "
        "destination in the container; '-' as the destination streams a tar archive of the "
        "container source to stdout"));
    const QCommandLineOption followLink({QStringLiteral("L"), QStringLiteral("follow-link")},
                                        QStringLiteral("Always follow symbol link in SRC_PATH"));
    p.addOption(followLink);
    if (int rc = ctx.parse(p, QStringLiteral("cp"),
                           QStringLiteral("CONTAINER:SRC_PATH DEST_PATH|- | SRC_PATH|- "
                                          "CONTAINER:DEST_PATH"),
                           2);
        rc >= 0)
        return rc;
    const QStringList args = p.positionalArguments();
    if (args.size() != 2)
        return ctx.usage(QStringLiteral("\"berthctl cp\" requires exactly 2 arguments."));
    const auto src = splitCpArg(args[0]);
    const auto dst = splitCpArg(args[1]);
    if (src.first.isEmpty() == dst.first.isEmpty())
        return ctx.usage(src.first.isEmpty()
                             ? QStringLiteral("must specify at least one container source")
                             : QStringLiteral("copying between containers is not supported"));
    const SourceLinks links = p.isSet(followLink) ? SourceLinks::Follow : SourceLinks::Keep;
    Engine::Engine *engine = ctx.engine();
    if (!engine)
        return 1;
    FilesystemOperations fs = engine->filesystem();
    ctx.out.flush();
    Status st;
    if (src.first.isEmpty() && src.second == QLatin1String("-")) {
        // A tar from stdin, extracted into an existing directory (as docker cp).
        auto dir = fs.statPath(dst.first, dst.second);
        if (dir && !dir->isDir)
            return ctx.fail(Engine::Error{ErrorKind::InvalidArgument,
                                          QStringLiteral("destination \"%1:%2\" must be a "
                                                         "directory")
                                              .arg(dst.first, dst.second)});
        st = dir ? fs.extractArchive(dst.first, dst.second, STDIN_FILENO)
                 : Status(fail(dir.error()));
    } else if (dst.first.isEmpty() && dst.second == QLatin1String("-")) {
        st = fs.archivePath(src.first, src.second, STDOUT_FILENO, links);
    } else {
        st = src.first.isEmpty() ? fs.copyIn(dst.first, src.second, dst.second, links)
                                 : fs.copyOut(src.first, src.second, dst.second, links);
    }
    if (!st)
        return ctx.fail(st.error());
    return 0;
}

const bool registered =
    registerCommand({QStringLiteral("diff"),
                     QStringLiteral("Inspect changes to files or directories on a container's "
                                    "filesystem"),
                     diffCmd}) &&
    registerCommand({QStringLiteral("container diff"),
                     QStringLiteral("Inspect changes on a container's filesystem"), diffCmd}) &&
    registerCommand({QStringLiteral("commit"),
                     QStringLiteral("Create a new image from a container's changes"), commitCmd}) &&
    registerCommand({QStringLiteral("container commit"),
                     QStringLiteral("Create a new image from a container's changes"), commitCmd}) &&
    registerCommand({QStringLiteral("export"),
                     QStringLiteral("Export a container's filesystem as a tar archive"),
                     exportCmd}) &&
    registerCommand({QStringLiteral("container export"),
                     QStringLiteral("Export a container's filesystem as a tar archive"),
                     exportCmd}) &&
    registerCommand({QStringLiteral("cp"),
                     QStringLiteral("Copy files/folders between a container and the local "
                                    "filesystem"),
                     cpCmd}) &&
    registerCommand({QStringLiteral("container cp"),
                     QStringLiteral("Copy files/folders between a container and the local "
                                    "filesystem"),
                     cpCmd});

} // namespace
} // namespace Berth::Cli
