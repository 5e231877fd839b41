// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/archive/starterimage.h"

#include "engine/archive/archiveio.h"
#include "engine/core/filelock.h"
#include "engine/core/fileutil.h"
#include "engine/images/manifest.h"
#include "engine/images/mediatypes.h"
#include "engine/snapshots/imageinstaller.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <elf.h>

namespace Berth::Engine {

namespace {

// 2024-01-01T00:00:00Z: a fixed time keeps the layer and config bytes reproducible.
constexpr qint64 kEpoch = 1704067200;

const QString kNeedStatic =
    QStringLiteral("install busybox-static (apt-get install busybox-static)");

// Whether an ELF executable asks for a program interpreter (is dynamically linked).
Result<bool> isDynamicElf(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(ErrorKind::NotFound, QStringLiteral("%1: %2").arg(path, f.errorString()));
    const QByteArray header = f.read(sizeof(Elf64_Ehdr));
    if (header.size() < EI_NIDENT || !header.startsWith(ELFMAG))
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("%1 is not an ELF executable").arg(path));
    if (header[EI_CLASS] == ELFCLASS64 && header.size() == sizeof(Elf64_Ehdr)) {
        Elf64_Ehdr eh;
        memcpy(&eh, header.constData(), sizeof eh);
        for (int i = 0; i < eh.e_phnum; ++i) {
            if (!f.seek(qint64(eh.e_phoff) + qint64(i) * eh.e_phentsize))
                break;
            Elf64_Phdr ph;
            if (f.read(reinterpret_cast<char *>(&ph), sizeof ph) != sizeof ph)
                break;
            if (ph.p_type == PT_INTERP)
                return true;
        }
        return false;
    }
    if (header[EI_CLASS] == ELFCLASS32 && header.size() >= qsizetype(sizeof(Elf32_Ehdr))) {
        Elf32_Ehdr eh;
        memcpy(&eh, header.constData(), sizeof eh);
        for (int i = 0; i < eh.e_phnum; ++i) {
            if (!f.seek(qint64(eh.e_phoff) + qint64(i) * eh.e_phentsize))
                break;
            Elf32_Phdr ph;
            if (f.read(reinterpret_cast<char *>(&ph), sizeof ph) != sizeof ph)
                break;
            if (ph.p_type == PT_INTERP)
                return true;
        }
        return false;
    }
    return fail(ErrorKind::InvalidArgument, QStringLiteral("%1: unknown ELF class").arg(path));
}

Result<QByteArray> runBusybox(const QString &busybox, const QStringList &args) {
    QProcess p;
    p.start(busybox, args);
    if (!p.waitForStarted(10000) || !p.waitForFinished(30000))
        return fail(ErrorKind::Unavailable,
                    QStringLiteral("run %1: %2").arg(busybox, p.errorString()));
    return p.readAllStandardOutput();
}

} // namespace

Result<ImageRecord> installStarterImage(ArchiveStores stores, const StarterOptions &options) {
    const QString context = QStringLiteral("starter image");
    auto failWith = [&context](const Error &e) { return fail(e.withContext(context)); };
    auto ref = Reference::parse(options.reference);
    if (!ref)
        return failWith(ref.error());
    if (!QFileInfo(options.busybox).isFile())
        return failWith(
            Error{ErrorKind::NotFound,
                  QStringLiteral("%1 not found; %2").arg(options.busybox, kNeedStatic)});
    auto dynamic = isDynamicElf(options.busybox);
    if (!dynamic)
        return failWith(dynamic.error());
    if (*dynamic)
        return failWith(Error{ErrorKind::InvalidArgument,
                              QStringLiteral("%1 is dynamically linked and cannot run in a "
                                             "container without its libraries; %2")
                                  .arg(options.busybox, kNeedStatic)});

    auto list = runBusybox(options.busybox, {QStringLiteral("--list")});
    if (!list)
        return failWith(list.error());
    QStringList applets;
    static const QRegularExpression validName(QStringLiteral("^[A-Za-z0-9._\\[\\]-]+$"));
    for (const QByteArray &line : list->split('\n')) {
        const QString name = QString::fromUtf8(line.trimmed());
        if (!name.isEmpty() && name != QLatin1String("busybox") && validName.match(name).hasMatch())
            applets.append(name);
    }
    if (!applets.contains(QStringLiteral("sh")))
        return failWith(Error{ErrorKind::InvalidArgument,
                              QStringLiteral("%1 has no sh applet").arg(options.busybox)});
    applets.sort();
    applets.removeDuplicates();
    auto help = runBusybox(options.busybox, {});
    const QString version =
        help ? QString::fromUtf8(help->split('\n').value(0)).section(QLatin1Char(' '), 0, 1)
             : QStringLiteral("BusyBox");

    QFile binary(options.busybox);
    if (!binary.open(QIODevice::ReadOnly))
        return failWith(Error{ErrorKind::Unavailable,
                              QStringLiteral("%1: %2").arg(options.busybox, binary.errorString())});

    auto lock = FileLock::acquire(stores.content.paths().lockFile(), FileLock::Mode::Shared);
    if (!lock)
        return failWith(lock.error());

    // The layer is written straight into the content store (uncompressed: digest = diffID).
    auto writer = stores.content.openWriter(uniqueTempName(QStringLiteral("starter")));
    if (!writer)
        return failWith(writer.error());
    BlobWriter &w = **writer;
    Status built = [&]() -> Status {
        TarWriter tar([&w](const char *data, qint64 size) { return w.write(data, size); });
        auto meta = [](int mode) { return TarWriter::Meta{mode, kEpoch, 0, 0}; };
        // Entries in sorted path order; parents before children.
        const QList<QPair<QString, int>> dirs = {
            {QStringLiteral("bin"), 0755},  {QStringLiteral("dev"), 0755},
            {QStringLiteral("etc"), 0755},  {QStringLiteral("home"), 0755},
            {QStringLiteral("proc"), 0555}, {QStringLiteral("root"), 0700},
            {QStringLiteral("sys"), 0555},  {QStringLiteral("tmp"), 01777},
            {QStringLiteral("var"), 0755},
        };
        for (const auto &[dir, mode] : dirs) {
            if (auto st = tar.addDirectory(dir, meta(mode)); !st)
                return st;
            if (dir == QLatin1String("bin")) {
                QStringList names = applets;
                names.append(QStringLiteral("busybox"));
                names.sort();
                for (const QString &name : std::as_const(names)) {
                    const QString path = QStringLiteral("bin/") + name;
                    if (name != QLatin1String("busybox")) {
                        if (auto st = tar.addSymlink(path, QStringLiteral("busybox"), meta(0777));
                            !st)
                            return st;
                        continue;
                    }
                    if (auto st = tar.beginFile(path, binary.size(), meta(0755)); !st)
                        return st;
                    QByteArray buf(1 << 20, Qt::Uninitialized);
                    qint64 n;
                    while ((n = binary.read(buf.data(), buf.size())) > 0)
                        if (auto st = tar.writeData(buf.constData(), n); !st)
                            return st;
                    if (n < 0)
                        return fail(ErrorKind::Unavailable, binary.errorString());
                }
            } else if (dir == QLatin1String("etc")) {
                if (auto st = tar.addFile(QStringLiteral("etc/group"),
                                          "root:x:0:\nnogroup:x:65534:\n", meta(0644));
                    !st)
                    return st;
                if (auto st = tar.addFile(QStringLiteral("etc/passwd"),
                                          "root:x:0:0:root:/root:/bin/sh\n"
                                          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n",
                                          meta(0644));
                    !st)
                    return st;
            }
        }
        return tar.finish();
    }();
    if (!built) {
        w.abort();
        return failWith(built.error());
    }
    const qint64 layerSize = w.offset();
    auto diffId = w.commit();
    if (!diffId)
        return failWith(diffId.error());

    auto config = ImageConfig::parse(R"({"rootfs":{"type":"layers","diff_ids":[]}})");
    const QDateTime created = QDateTime::fromSecsSinceEpoch(kEpoch, Qt::UTC);
    const Platform host = Platform::host();
    config->setCreated(created);
    config->setPlatform(QStringLiteral("linux"), host.architecture, host.variant);
    config->setDiffIds({*diffId});
    HistoryEntry history;
    history.created = created;
    history.createdBy = QStringLiteral("berth starter: %1 from %2 with %3 applet links in /bin")
                            .arg(version, options.busybox)
                            .arg(applets.size());
    config->setHistory({history});
    ContainerConfig cc;
    cc.cmd = {QStringLiteral("sh")};
    cc.env = {QStringLiteral("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")};
    config->setConfig(cc);
    const QByteArray configJson = config->toJson();
    auto configDigest = stores.content.write(configJson);
    if (!configDigest)
        return failWith(configDigest.error());

    Manifest manifest;
    manifest.mediaType = MediaType::OciManifest;
    manifest.config = {MediaType::OciConfig, *configDigest, configJson.size(), {}, {}, {}};
    manifest.layers.append({MediaType::OciLayer, *diffId, layerSize, {}, {}, {}});
    ImageInstaller installer(stores.content, stores.snapshots, stores.images);
    auto record = installer.install(manifest.toJson(), {*ref});
    if (!record)
        return failWith(record.error());
    stores.events.record(QStringLiteral("image"), QStringLiteral("import"), record->id.toString(),
                         {{QStringLiteral("name"), ref->familiarString()}});
    return record;
}

} // namespace Berth::Engine
