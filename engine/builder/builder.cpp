// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/builder.h"

#include "engine/archive/archiveio.h"
#include "engine/archive/rootfsimporter.h"
#include "engine/builder/buildlease.h"
#include "engine/builder/dockerfile.h"
#include "engine/builder/gitcontext.h"
#include "engine/builder/urldownload.h"
#include "engine/core/directorywatch.h"
#include "engine/core/fileutil.h"
#include "engine/core/textvalues.h"
#include "engine/images/mediatypes.h"
#include "engine/registry/puller.h"
#include "engine/runtime/containerlogs.h"
#include "engine/snapshots/imageinstaller.h"
#include "engine/snapshots/unpacker.h"
#include "engine/snapshots/whiteouts.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QUrl>
#include <list>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

namespace Berth::Engine {

// ---- .dockerignore ----

namespace {

// A Go filepath.Match-style pattern (plus Docker's "**") as a regular expression.
QString globToRegex(const QString &pattern) {
    QString re;
    for (int i = 0; i < pattern.size(); ++i) {
        const QChar c = pattern[i];
        if (c == QLatin1Char('*')) {
            if (i + 1 < pattern.size() && pattern[i + 1] == QLatin1Char('*')) {
                ++i;
                if (i + 1 < pattern.size() && pattern[i + 1] == QLatin1Char('/')) {
                    ++i;
                    re += QStringLiteral("(?:.*/)?");
                } else {
                    re += QStringLiteral(".*");
                }
            } else {
                re += QStringLiteral("[^/]*");
            }
        } else if (c == QLatin1Char('?')) {
            re += QStringLiteral("[^/]");
        } else if (c == QLatin1Char('[')) {
            const qsizetype end = pattern.indexOf(QLatin1Char(']'), i + 1);
            if (end < 0) {
                re += QStringLiteral("\\[");
            } else {
                QString set = pattern.mid(i + 1, end - i - 1);
                if (set.startsWith(QLatin1Char('^')) || set.startsWith(QLatin1Char('!')))
                    set = QLatin1Char('^') + set.mid(1);
                re += QLatin1Char('[') + set + QLatin1Char(']');
                i = int(end);
            }
        } else if (c == QLatin1Char('\\') && i + 1 < pattern.size()) {
            re += QRegularExpression::escape(QString(pattern[++i]));
        } else {
            re += QRegularExpression::escape(QString(c));
        }
    }
    return re;
}

QString cleanRelative(QString path) {
    path = QDir::cleanPath(path);
    while (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (path == QLatin1String("."))
        path.clear();
    while (path.startsWith(QLatin1String("./")))
        path.remove(0, 2);
    return path;
}

bool hasGlob(const QString &s) {
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) ||
           s.contains(QLatin1Char('['));
}

} // namespace

DockerIgnore DockerIgnore::parse(const QString &text) {
    DockerIgnore out;
    for (QString line : text.split(QLatin1Char('\n'))) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        Rule rule;
        if (line.startsWith(QLatin1Char('!'))) {
            rule.exception = true;
            line = line.mid(1).trimmed();
        }
        line = cleanRelative(line);
        if (line.isEmpty())
            continue;
        rule.re = QRegularExpression(QStringLiteral("^(?:") + globToRegex(line) +
                                     QStringLiteral(")(?:/.*)?$"));
        out.m_rules.append(rule);
    }
    return out;
}

bool DockerIgnore::hasExceptions() const {
    return std::any_of(m_rules.begin(), m_rules.end(), [](const Rule &r) { return r.exception; });
}

bool DockerIgnore::excludes(const QString &relativePath) const {
    bool excluded = false;
    for (const Rule &r : m_rules)
        if (r.re.match(relativePath).hasMatch())
            excluded = !r.exception;
    return excluded;
}

// ---- the build ----

namespace {

struct State {
    QByteArray config; // the image config JSON (its digest is the state's ID)
    QList<LayerRecord> layers;
    Digest id() const { return Digest::ofData(config); }
    Digest topChain() const { return layers.isEmpty() ? Digest() : layers.last().chainId; }
};

// A file of a source tree (context, stage or image) to copy.
struct SourceEntry {
    QString hostPath;
    struct stat st {};
    QString rel;           // its path in the tree it comes from (a URL for a download)
    bool direct = false;   // named by a source itself, not found inside a directory source
    bool extract = false;  // ADD: a tar archive to unpack into the destination
    bool archived = false; // unpacked from such an archive: keeps its owner and mode
};
using SourceTree = QMap<QString, SourceEntry>; // relative path -> entry

Status walkDir(const QString &root, const QString &rel, SourceTree &out, const DockerIgnore *ignore,
               bool layer) {
    QDir dir(rel.isEmpty() ? root : root + QLatin1Char('/') + rel);
    const QStringList names = dir.entryList(
        QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &name : names) {
        const QString r = rel.isEmpty() ? name : rel + QLatin1Char('/') + name;
        const QString host = root + QLatin1Char('/') + r;
        struct stat st {};
        if (::lstat(QFile::encodeName(host).constData(), &st) != 0)
            return failErrno(QStringLiteral("stat %1").arg(host), errno);
        if (ignore && ignore->excludes(r)) {
            // An exception ("!dir/keep") may bring back something below an excluded directory.
            if (S_ISDIR(st.st_mode) && ignore->hasExceptions())
                if (auto s = walkDir(root, r, out, ignore, layer); !s)
                    return s;
            continue;
        }
        if (layer) {
            if (Whiteout::isOpaqueMarker(name))
                continue;
            const QString deleted = Whiteout::deletedName(name, st);
            if (!deleted.isEmpty()) {
                const QString d = rel.isEmpty() ? deleted : rel + QLatin1Char('/') + deleted;
                out.remove(d);
                const QString prefix = d + QLatin1Char('/');
                for (auto it = out.begin(); it != out.end();)
                    it = it.key().startsWith(prefix) ? out.erase(it) : std::next(it);
                continue;
            }
            if (S_ISDIR(st.st_mode) && Whiteout::isOpaqueDirectory(host)) {
                const QString prefix = r + QLatin1Char('/');
                for (auto it = out.begin(); it != out.end();)
                    it = it.key().startsWith(prefix) ? out.erase(it) : std::next(it);
            }
        }
        out.insert(r, {host, st, r});
        if (S_ISDIR(st.st_mode))
            if (auto s = walkDir(root, r, out, ignore, layer); !s)
                return s;
    }
    return {};
}

QString shortHex(const Digest &d) {
    return d.shortId();
}

QString createdByOf(const DockerfileInstruction &ins, const QString &text) {
    return QStringLiteral("%1 %2 # buildkit").arg(ins.keyword(), text);
}

QString jsonText(const QStringList &list) {
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

// The command of RUN, CMD or ENTRYPOINT: the exec form as written, the shell form run by the
// stage's SHELL (/bin/sh -c by default).
QStringList commandOf(const DockerfileInstruction &ins, const ImageConfig &cfg) {
    if (ins.json)
        return ins.jsonArgs;
    QStringList shell{QStringLiteral("/bin/sh"), QStringLiteral("-c")};
    const QJsonArray shellJson = cfg.json()
                                     .value(QStringLiteral("config"))
                                     .toObject()
                                     .value(QStringLiteral("Shell"))
                                     .toArray();
    if (!shellJson.isEmpty()) {
        shell.clear();
        for (const QJsonValue &v : shellJson)
            shell.append(v.toString());
    }
    return shell + QStringList{ins.shellCommand()};
}

// ---- the config-only instructions: what each changes, and the text history shows ----

// A config-only step: the text its history entry and cache key show, and its change (to the
// parsed config, or to the raw "config" object for keys ContainerConfig does not model).
struct ConfigChange {
    QString text;
    std::function<Status(ImageConfig &, QJsonObject &)> apply;
};

ConfigChange containerChange(QString text, std::function<Status(ContainerConfig &)> fn) {
    return {std::move(text), [fn = std::move(fn)](ImageConfig &c, QJsonObject &) -> Status {
                ContainerConfig cc = c.config();
                if (auto s = fn(cc); !s)
                    return s;
                c.setConfig(cc);
                return {};
            }};
}

QString pairsText(const DockerfileVariables::Expanded &ex) {
    QStringList parts;
    for (const auto &[k, v] : ex.pairs)
        parts.append(k + QLatin1Char('=') + v);
    return parts.join(QLatin1Char(' '));
}

// ENV: the stage's environment after the instruction (DockerfileVariables applied it).
ConfigChange envChange(const DockerfileVariables::Expanded &ex, const QStringList &env) {
    return containerChange(pairsText(ex), [env](ContainerConfig &cc) -> Status {
        cc.env = env;
        return {};
    });
}

ConfigChange labelChange(const DockerfileVariables::Expanded &ex) {
    return containerChange(pairsText(ex), [pairs = ex.pairs](ContainerConfig &cc) -> Status {
        for (const auto &[k, v] : pairs)
            cc.labels.insert(k, v);
        return {};
    });
}

// ARG changes nothing in the config; its history entry names the arguments.
ConfigChange argChange(const DockerfileVariables::Expanded &ex) {
    QStringList names;
    for (const auto &p : ex.pairs)
        names.append(p.first);
    return {names.join(QLatin1Char(' ')),
            [](ImageConfig &, QJsonObject &) -> Status { return {}; }};
}

ConfigChange cmdChange(const QStringList &argv) {
    return containerChange(jsonText(argv), [argv](ContainerConfig &cc) -> Status {
        cc.cmd = argv;
        return {};
    });
}

// ENTRYPOINT resets the base image's CMD, not one set earlier in the same stage.
ConfigChange entrypointChange(const QStringList &argv, bool cmdSetHere) {
    return containerChange(jsonText(argv), [argv, cmdSetHere](ContainerConfig &cc) -> Status {
        cc.entrypoint = argv;
        if (!cmdSetHere)
            cc.cmd.clear();
        return {};
    });
}

// WORKDIR: relative to the previous one.
ConfigChange workdirChange(const DockerfileVariables::Expanded &ex, const QString &previous) {
    QString dir = ex.words.value(0);
    if (!dir.startsWith(QLatin1Char('/')))
        dir = (previous.isEmpty() ? QStringLiteral("/") : previous + QLatin1Char('/')) + dir;
    dir = QDir::cleanPath(dir);
    return containerChange(dir, [dir](ContainerConfig &cc) -> Status {
        cc.workingDir = dir;
        return {};
    });
}

// USER, STOPSIGNAL, EXPOSE and VOLUME: as `commit --change` applies them.
ConfigChange dockerfileChange(InstructionKind kind, const DockerfileVariables::Expanded &ex) {
    const QString text = ex.words.join(QLatin1Char(' '));
    const QString keyword = instructionKeyword(kind);
    const QString change =
        keyword + QLatin1Char(' ') + (kind == InstructionKind::Volume ? jsonText(ex.words) : text);
    return containerChange(text, [change](ContainerConfig &cc) -> Status {
        return applyDockerfileChange(cc, change);
    });
}

ConfigChange maintainerChange(const QString &author) {
    return {author, [author](ImageConfig &c, QJsonObject &) -> Status {
                QJsonObject all = c.json();
                all.insert(QStringLiteral("author"), author);
                auto parsed = ImageConfig::parse(QJsonDocument(all).toJson(QJsonDocument::Compact));
                if (!parsed)
                    return fail(parsed.error());
                c = *parsed;
                return {};
            }};
}

ConfigChange shellChange(const QStringList &shell) {
    return {jsonText(shell), [shell](ImageConfig &, QJsonObject &raw) -> Status {
                raw.insert(QStringLiteral("Shell"), QJsonArray::fromStringList(shell));
                return {};
            }};
}

ConfigChange onBuildChange(const QString &trigger) {
    return {trigger, [trigger](ImageConfig &, QJsonObject &raw) -> Status {
                QJsonArray a = raw.value(QStringLiteral("OnBuild")).toArray();
                a.append(trigger);
                raw.insert(QStringLiteral("OnBuild"), a);
                return {};
            }};
}

ConfigChange healthcheckChange(const DockerfileInstruction &ins) {
    QJsonObject hc;
    QString text;
    if (ins.healthcheckType == QLatin1String("NONE")) {
        hc.insert(QStringLiteral("Test"), QJsonArray{QStringLiteral("NONE")});
        text = QStringLiteral("NONE");
    } else {
        const QStringList test = ins.json ? QStringList{QStringLiteral("CMD")} + ins.jsonArgs
                                          : QStringList{QStringLiteral("CMD-SHELL"), ins.args};
        hc.insert(QStringLiteral("Test"), QJsonArray::fromStringList(test));
        static const QMap<QString, QString> keys{
            {QStringLiteral("interval"), QStringLiteral("Interval")},
            {QStringLiteral("timeout"), QStringLiteral("Timeout")},
            {QStringLiteral("start-period"), QStringLiteral("StartPeriod")},
            {QStringLiteral("start-interval"), QStringLiteral("StartInterval")}};
        for (const auto &[k, v] : ins.flags) {
            if (k == QLatin1String("retries"))
                hc.insert(QStringLiteral("Retries"), v.toInt());
            else if (auto d = parseDockerDuration(v))
                hc.insert(keys.value(k), double(*d));
        }
        text = jsonText(test);
    }
    return {text, [hc](ImageConfig &, QJsonObject &raw) -> Status {
                raw.insert(QStringLiteral("Healthcheck"), hc);
                return {};
            }};
}

// How often a RUN step's wait looks at the build's cancel flag.
constexpr int kCancelCheckMs = 250;

// A COPY/ADD with its flags substituted and checked.
struct CopyPlan {
    bool isAdd = false;
    QString from; // --from: a stage or an image; empty: the context
    int uid = -1; // --chown, as numbers; -1: unchanged
    int gid = -1;
    int chmod = -1; // --chmod; -1: unchanged
    QStringList excludePatterns;
    DockerIgnore excludeRules;
    bool parents = false;
    QString checksum;    // ADD --checksum
    QStringList words;   // sources and destination, substituted
    QStringList sources; // the words but the last
    QString dest;        // absolute
    bool destIsDir = false;
};

// COPY/ADD sources by kind.
struct CopySources {
    QList<QPair<QString, QByteArray>> heredocs; // name, content
    QStringList paths;                          // in the context, a stage or an image
    QStringList urls;
    QList<GitContextSpec> repositories;
};

// The files a COPY/ADD writes (path in the layer, source), and what holds them on disk.
struct CopyFiles {
    QList<QPair<QString, SourceEntry>> files;
    std::list<DownloadedFile> downloads;
    std::list<std::unique_ptr<GitCheckout>> checkouts;
};

// The tar stream of a COPY/ADD layer. Each path is written once; its parent directories come
// first, with the attributes they have in the image (as Docker does), else 0755 root.
class CopyLayer {
public:
    using StatInState = std::function<std::optional<struct stat>(const QString &)>;
    CopyLayer(BlobWriter *writer, const CopyPlan &plan, StatInState statInState)
        : m_tar([writer](const char *d, qint64 n) { return writer->write(d, n); })
        , m_plan(plan)
        , m_statInState(std::move(statInState)) {}

    Status parents(const QString &path) {
        const QStringList parts = path.split(QLatin1Char('/'));
        QString p;
        for (int k = 0; k + 1 < parts.size(); ++k) {
            p = p.isEmpty() ? parts[k] : p + QLatin1Char('/') + parts[k];
            if (m_done.contains(p))
                continue;
            m_done.insert(p);
            const auto st = m_statInState(p);
            TarWriter::Meta m{0755, 0, 0, 0};
            if (st && S_ISDIR(st->st_mode))
                m = {int(st->st_mode & 07777), qint64(st->st_mtime), int(st->st_uid),
                     int(st->st_gid)};
            if (auto s = m_tar.addDirectory(p, m); !s)
                return s;
        }
        return {};
    }

    Status add(const QString &path, const SourceEntry &e) {
        if (path.isEmpty())
            return {};
        if (auto s = parents(path); !s)
            return s;
        // A path comes once, the first source's; an archive's entries come every time (of
        // two archives unpacked to one place, the later one wins, as when unpacked in turn).
        if (m_done.contains(path) && !e.archived)
            return {};
        m_done.insert(path);
        const TarWriter::Meta m = metaOf(e);
        if (S_ISDIR(e.st.st_mode))
            return m_tar.addDirectory(path, m);
        if (S_ISLNK(e.st.st_mode)) {
            QByteArray buf(4096, '\0');
            const ssize_t n = ::readlink(QFile::encodeName(e.hostPath), buf.data(), buf.size());
            return m_tar.addSymlink(path, QString::fromLocal8Bit(buf.left(qMax<ssize_t>(n, 0))), m);
        }
        if (e.hostPath.startsWith(QLatin1String("heredoc:")))
            return m_tar.addFile(path, e.hostPath.mid(8).toUtf8(), m);
        if (S_ISREG(e.st.st_mode))
            return addFileContent(path, e, m);
        return {}; // sockets, FIFOs and devices are not copied
    }

    // A second name of a file already written at `target`.
    Status addHardlink(const QString &path, const QString &target, const SourceEntry &e) {
        if (auto s = parents(path); !s)
            return s;
        m_done.insert(path);
        return m_tar.addHardlink(path, target, metaOf(e));
    }

    Status finish() { return m_tar.finish(); }

private:
    // --chmod and --chown win; files of the context belong to root, files of a stage, an
    // image or an archive keep their owner.
    TarWriter::Meta metaOf(const SourceEntry &e) const {
        const bool rootOwned = m_plan.from.isEmpty() && !e.archived;
        const int mode =
            m_plan.chmod >= 0 && !e.archived ? m_plan.chmod : int(e.st.st_mode & 07777);
        return {mode, qint64(e.st.st_mtime),
                m_plan.uid >= 0 ? m_plan.uid : (rootOwned ? 0 : int(e.st.st_uid)),
                m_plan.gid >= 0 ? m_plan.gid : (rootOwned ? 0 : int(e.st.st_gid))};
    }

    Status addFileContent(const QString &path, const SourceEntry &e, const TarWriter::Meta &m) {
        QFile f(e.hostPath);
        if (!f.open(QIODevice::ReadOnly))
            return fail(ErrorKind::Internal,
                        QStringLiteral("read %1: %2").arg(e.hostPath, f.errorString()));
        if (auto s = m_tar.beginFile(path, e.st.st_size, m); !s)
            return s;
        qint64 left = e.st.st_size;
        while (left > 0) {
            const QByteArray chunk = f.read(qMin<qint64>(left, 1 << 20));
            if (chunk.isEmpty())
                return fail(ErrorKind::Internal,
                            QStringLiteral("read %1: file changed while read").arg(e.hostPath));
            if (auto s = m_tar.writeData(chunk.constData(), chunk.size()); !s)
                return s;
            left -= chunk.size();
        }
        return {};
    }

    TarWriter m_tar;
    const CopyPlan &m_plan;
    StatInState m_statInState;
    QSet<QString> m_done;
};

} // namespace

Builder::Builder(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
                 ImageStore &images, ContainerRuntime &containers)
    : m_paths(paths)
    , m_content(content)
    , m_snapshots(snapshots)
    , m_images(images)
    , m_containers(containers) {}

namespace {

class BuildRun {
public:
    BuildRun(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
             ImageStore &images, ContainerRuntime &containers,
             const std::function<void(const QString &)> &output,
             const std::function<void(const BuildStepEvent &)> &steps,
             const std::function<void(const QString &, const QString &)> &dockerfile,
             const BuildOptions &options, const std::atomic<bool> &cancelled)
        : m_paths(paths)
        , m_content(content)
        , m_snapshots(snapshots)
        , m_images(images)
        , m_containers(containers)
        , m_output(output)
        , m_steps(steps)
        , m_dockerfileHandler(dockerfile)
        , m_options(options)
        , m_cancelled(cancelled)
        , m_contextDir(options.context)
        , m_labels(options.labels) {}

    Result<BuildResult> run();
    ~BuildRun() { cleanup(); }

private:
    // One stage as its instructions run.
    struct StageScope {
        int index = 0;
        DockerfileVariables &vars;
        bool cmdSetHere = false; // a CMD in this stage: a later ENTRYPOINT keeps it
    };

    // The build's parts, in order.
    Status checkoutGitContext();
    Result<QString> readDockerfile();
    Result<int> targetStage() const;
    QList<bool> neededStages(int target) const;
    Result<State> buildStage(int index, int target, DockerfileVariables &vars);
    Result<State> fromStep(int index, int target, DockerfileVariables &vars);
    Result<QList<QPair<DockerfileInstruction, QString>>> stageWork(int index, State &state);
    Result<State> instruction(const State &state, const DockerfileInstruction &ins,
                              const QString &position, StageScope &scope);
    Result<State> configStep(const State &state, const DockerfileInstruction &ins,
                             const QString &position, const StageScope &scope,
                             const ConfigChange &change);
    Result<State> labelStep(const State &state, int target);
    Result<BuildResult> finish(const State &state, const DockerfileVariables &vars);
    // RUN
    Result<State> runInstruction(const State &state, const ImageConfig &cfg,
                                 const DockerfileInstruction &ins, const QString &position,
                                 const StageScope &scope);
    // COPY and ADD
    Result<State> copyInstruction(const State &state, const ImageConfig &cfg,
                                  const DockerfileInstruction &ins,
                                  const DockerfileVariables::Expanded &ex, const QString &position,
                                  const StageScope &scope);
    Result<CopyPlan> copyPlan(const State &state, const ImageConfig &cfg,
                              const DockerfileInstruction &ins,
                              const DockerfileVariables::Expanded &ex,
                              const DockerfileVariables &vars);
    Result<CopySources> classifySources(const DockerfileInstruction &ins, const CopyPlan &plan,
                                        const DockerfileVariables &vars);
    Status collectCopyFiles(const DockerfileInstruction &ins, const CopyPlan &plan,
                            const DockerfileVariables &vars, CopyFiles &out);
    Status addDownloads(const DockerfileInstruction &ins, const CopyPlan &plan,
                        const QStringList &urls, CopyFiles &out);
    Status addRepositories(const DockerfileInstruction &ins, const CopyPlan &plan,
                           const QList<GitContextSpec> &repositories, CopyFiles &out);
    Result<BuildStepInputs> copyInputs(const DockerfileInstruction &ins, const CopyPlan &plan,
                                       const QList<QPair<QString, SourceEntry>> &files);
    Result<QPair<Digest, qint64>> writeCopyLayer(const State &state, const CopyPlan &plan,
                                                 const QList<QPair<QString, SourceEntry>> &files);
    Status extractArchive(CopyLayer &layer, const QString &dir, const SourceEntry &archive);

    void say(const QString &line) {
        if (m_output)
            m_output(line);
    }
    void cleanup();
    Result<ImageRecord> install(const State &state, const QList<Reference> &tags);
    Result<State> stageBase(int index, const QString &base);
    // Announces a step ("Step 2/5 : RUN ...") to the output and the step handler.
    void begin(const BuildStepRecord &record);
    // Runs one step: a cache lookup, else `make` (which returns the new state). `position`
    // says where the step is in the Dockerfile, for finding its previous run's inputs.
    Result<State> step(const State &state, const DockerfileInstruction &ins, int stage,
                       const QString &position, BuildStepInputs inputs,
                       const std::function<Result<State>()> &make);
    Result<State> withConfig(const State &state, const QString &createdBy,
                             const std::function<Status(ImageConfig &, QJsonObject &)> &change);
    Result<State> withLayer(const State &state, const QString &createdBy, const Digest &diffId,
                            qint64 size);
    Result<State> runStep(const State &state, const DockerfileInstruction &ins,
                          const QStringList &argv, const QStringList &env);
    Result<Digest> layerFromUpper(const QString &upper, qint64 &size);
    Result<SourceTree> sourceTree(const QString &from, const DockerfileInstruction &ins);
    struct CopyRules {
        const DockerIgnore *exclude = nullptr; // --exclude
        bool parents = false;                  // --parents
    };
    Result<QList<QPair<QString, SourceEntry>>> resolveCopy(const DockerfileInstruction &ins,
                                                           const SourceTree &tree,
                                                           const QStringList &sources,
                                                           const QString &dest, QString &destDir,
                                                           const CopyRules &rules);
    // The file at `path` in the state's layers (topmost wins, whiteouts respected).
    std::optional<QByteArray> readInState(const State &state, const QString &path);
    // --chown=USER[:GROUP] as numbers, names looked up in the state's /etc/passwd and
    // /etc/group; (-1, -1) when `spec` is empty.
    Result<QPair<int, int>> resolveOwner(const State &state, const DockerfileInstruction &ins,
                                         const QString &spec);
    std::optional<struct stat> statInState(const State &state, const QString &path);

    const StorePaths &m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    ContainerRuntime &m_containers;
    const std::function<void(const QString &)> &m_output;
    const std::function<void(const BuildStepEvent &)> &m_steps;
    const std::function<void(const QString &, const QString &)> &m_dockerfileHandler;
    const BuildOptions &m_options;
    BuildCache m_cache{m_paths, m_content};
    QString m_provenanceContext;    // the context as provenance names it
    QString m_provenanceDockerfile; // the Dockerfile, relative to the context when inside
    const std::atomic<bool> &m_cancelled;
    QString m_contextDir;            // the context directory (a git checkout's, for git)
    QMap<QString, QString> m_labels; // --label plus a git context's revision and source
    std::unique_ptr<GitCheckout> m_checkout;
    std::unique_ptr<BuildLease> m_lease; // held from the start of run() to the end
    Dockerfile m_df;
    QList<State> m_stageStates;
    QList<bool> m_stageBuilt;
    QList<Digest> m_intermediates; // images this build added to run RUN steps on
    QString m_currentContainer;
    QList<BuildStepRecord> m_records;
    QString m_dockerfilePath;
    QString m_gitCommit;                  // for a git context: the commit being built
    QHash<int, QString> m_stageBaseNames; // stage -> its FROM image after substitution
    int m_stepNo = 0;
    int m_stepCount = 0;
    std::optional<SourceTree> m_context;
};

void BuildRun::cleanup() {
    if (!m_currentContainer.isEmpty())
        (void)m_containers.remove(m_currentContainer, ContainerRuntime::Force::Yes);
    m_currentContainer.clear();
    for (const Digest &id : std::as_const(m_intermediates)) {
        auto rec = m_images.get(id);
        if (rec && rec->tags.isEmpty())
            (void)m_images.remove(id);
    }
    m_intermediates.clear();
}

Result<ImageRecord> BuildRun::install(const State &state, const QList<Reference> &tags) {
    auto configDigest = m_content.write(state.config);
    if (!configDigest)
        return fail(configDigest.error());
    const bool existed = m_images.get(*configDigest).has_value();
    if (!existed && tags.isEmpty())
        if (auto st = m_lease->addImage(*configDigest); !st)
            return fail(st.error());
    Manifest manifest;
    manifest.mediaType = MediaType::OciManifest;
    manifest.config = {MediaType::OciConfig, *configDigest, state.config.size(), {}, {}, {}};
    for (const LayerRecord &l : state.layers)
        manifest.layers.append(l.blob);
    ImageInstaller installer(m_content, m_snapshots, m_images);
    auto rec = installer.install(manifest.toJson(), tags);
    if (rec && !existed && tags.isEmpty())
        m_intermediates.append(rec->id);
    return rec;
}

void BuildRun::begin(const BuildStepRecord &record) {
    ++m_stepNo;
    say(QStringLiteral("Step %1/%2 : %3").arg(m_stepNo).arg(m_stepCount).arg(record.instruction));
    if (m_steps)
        m_steps({BuildStepEvent::Kind::Started, m_stepNo, m_stepCount, record});
}

Result<State> BuildRun::step(const State &state, const DockerfileInstruction &ins, int stage,
                             const QString &position, BuildStepInputs inputs,
                             const std::function<Result<State>()> &make) {
    inputs.parent = state.id();
    const Digest key = inputs.cacheKey();
    const Digest stepId =
        Digest::ofData((QStringLiteral("berth-build-step-v1\n%1\n%2\n%3")
                            .arg(m_provenanceContext, m_provenanceDockerfile, position))
                           .toUtf8());
    BuildStepRecord rec;
    rec.stage = stage;
    rec.instruction = ins.original;
    rec.firstLine = ins.line;
    rec.lastLine = ins.endLine;
    rec.trigger = position.contains(QLatin1String("trigger"));
    begin(rec);
    State next;
    std::optional<BuildCache::Entry> hit;
    if (!m_options.noCache)
        hit = m_cache.get(key);
    if (hit) {
        say(QStringLiteral(" ---> Using cache"));
        next = State{hit->config, hit->layers};
        rec.cached = true;
        if (!m_cache.lastInputs(stepId))
            m_cache.putInputs(stepId, inputs, m_provenanceContext);
    } else {
        const auto before = m_cache.lastInputs(stepId);
        using Kind = BuildRerunReason::Kind;
        if (m_options.noCache)
            rec.reasons = {{Kind::NoCache, {}}};
        else if (!before)
            rec.reasons = {{Kind::FirstBuild, {}}};
        else if (rec.reasons = inputs.changesSince(*before); rec.reasons.isEmpty())
            rec.reasons = {{Kind::CacheRemoved, {}}};
        if (before && !m_options.noCache)
            say(QStringLiteral(" ---> Cache miss: %1")
                    .arg(rec.reasonTexts().join(QStringLiteral("; "))));
        auto made = make();
        if (!made)
            return made;
        next = *made;
        m_cache.put(key, {next.config, next.layers});
        m_cache.putInputs(stepId, inputs, m_provenanceContext);
    }
    // Later steps read the layers (COPY --from, parents' attributes): unpack what is missing.
    for (const LayerRecord &l : std::as_const(next.layers)) {
        if (m_snapshots.exists(l.chainId))
            continue;
        const Digest parent = &l == &next.layers.first() ? Digest() : (&l - 1)->chainId;
        if (auto s = m_snapshots.unpack(m_content.blobPath(l.blob.digest), parent, l.diffId); !s)
            return fail(s.error());
    }
    rec.emptyLayer = next.layers.size() == state.layers.size();
    if (!rec.emptyLayer)
        rec.diffId = next.layers.last().diffId;
    rec.imageId = next.id();
    if (auto cfg = ImageConfig::parse(next.config))
        rec.historyIndex = int(cfg->history().size()) - 1;
    m_records.append(rec);
    say(QStringLiteral(" ---> %1").arg(shortHex(rec.imageId)));
    if (m_steps)
        m_steps({BuildStepEvent::Kind::Finished, m_stepNo, m_stepCount, rec});
    return next;
}

Result<State>
BuildRun::withConfig(const State &state, const QString &createdBy,
                     const std::function<Status(ImageConfig &, QJsonObject &)> &change) {
    auto cfg = ImageConfig::parse(state.config);
    if (!cfg)
        return fail(cfg.error());
    QJsonObject raw = cfg->json().value(QStringLiteral("config")).toObject();
    if (auto st = change(*cfg, raw); !st)
        return fail(st.error());
    QJsonObject all = cfg->json();
    QJsonObject merged = all.value(QStringLiteral("config")).toObject();
    for (auto it = raw.begin(); it != raw.end(); ++it)
        if (!merged.contains(it.key()))
            merged.insert(it.key(), it.value());
    // Keys the change removed from `raw` (Healthcheck NONE keeps a value, so only extras).
    for (const QString &k :
         {QStringLiteral("Healthcheck"), QStringLiteral("Shell"), QStringLiteral("OnBuild")})
        if (raw.contains(k))
            merged.insert(k, raw.value(k));
    all.insert(QStringLiteral("config"), merged);
    auto updated = ImageConfig::parse(QJsonDocument(all).toJson(QJsonDocument::Compact));
    if (!updated)
        return fail(updated.error());
    const QDateTime now = QDateTime::currentDateTimeUtc();
    updated->setCreated(now);
    auto history = updated->history();
    HistoryEntry h;
    h.created = now;
    h.createdBy = createdBy;
    h.emptyLayer = true;
    history.append(h);
    updated->setHistory(history);
    State next = state;
    next.config = updated->toJson();
    return next;
}

Result<State> BuildRun::withLayer(const State &state, const QString &createdBy,
                                  const Digest &diffId, qint64 size) {
    auto cfg = ImageConfig::parse(state.config);
    if (!cfg)
        return fail(cfg.error());
    LayerRecord layer;
    layer.diffId = diffId;
    layer.chainId = chainIdOf(state.topChain(), diffId);
    layer.blob = {MediaType::OciLayer, diffId, size, {}, {}, {}};
    auto diffIds = cfg->diffIds();
    diffIds.append(diffId);
    cfg->setDiffIds(diffIds);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    cfg->setCreated(now);
    auto history = cfg->history();
    HistoryEntry h;
    h.created = now;
    h.createdBy = createdBy;
    history.append(h);
    cfg->setHistory(history);
    State next = state;
    next.layers.append(layer);
    next.config = cfg->toJson();
    return next;
}

// The read-write layer as an OCI layer tar: overlay whiteouts (0:0 char devices, opaque
// xattrs) become `.wh.` entries, and what runc creates for its own mounts is left out.
// (ContainerFilesystem::commit in engine/runtime does the same for `commit`; merge when it
// lands.)
Result<Digest> BuildRun::layerFromUpper(const QString &upper, qint64 &size) {
    auto writer = m_content.openWriter(uniqueTempName(QStringLiteral("build-layer")));
    if (!writer)
        return fail(writer.error());
    BlobWriter *w = writer->get();
    TarWriter tar([w](const char *data, qint64 n) { return w->write(data, n); });
    static const QSet<QString> runtimeFiles = {QStringLiteral("etc/hosts"),
                                               QStringLiteral("etc/hostname"),
                                               QStringLiteral("etc/resolv.conf")};
    static const QSet<QString> runtimeDirs = {QStringLiteral("proc"), QStringLiteral("sys"),
                                              QStringLiteral("dev")};
    std::function<Status(const QString &)> walk = [&](const QString &rel) -> Status {
        const QString dirPath = rel.isEmpty() ? upper : upper + QLatin1Char('/') + rel;
        const QStringList names = QDir(dirPath).entryList(
            QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &name : names) {
            const QString r = rel.isEmpty() ? name : rel + QLatin1Char('/') + name;
            const QString host = upper + QLatin1Char('/') + r;
            const QByteArray hostC = QFile::encodeName(host);
            struct stat st {};
            if (::lstat(hostC.constData(), &st) != 0)
                return failErrno(QStringLiteral("stat %1").arg(host), errno);
            TarWriter::Meta meta{int(st.st_mode & 07777), qint64(st.st_mtime), int(st.st_uid),
                                 int(st.st_gid)};
            if (S_ISCHR(st.st_mode) && st.st_rdev == 0) {
                if (auto s = tar.addFile((rel.isEmpty() ? QString() : rel + QLatin1Char('/')) +
                                             Whiteout::Prefix + name,
                                         {}, TarWriter::Meta{0644, qint64(st.st_mtime), 0, 0});
                    !s)
                    return s;
                continue;
            }
            if (S_ISDIR(st.st_mode)) {
                if (runtimeDirs.contains(r) &&
                    QDir(host).isEmpty(QDir::AllEntries | QDir::Hidden | QDir::System |
                                       QDir::NoDotAndDotDot))
                    continue;
                if (auto s = tar.addDirectory(r, meta); !s)
                    return s;
                char value[4] = {};
                const ssize_t n = ::lgetxattr(hostC.constData(), Whiteout::overlayOpaqueXattr(),
                                              value, sizeof value);
                if (n == 1 && value[0] == 'y')
                    if (auto s = tar.addFile(r + QLatin1Char('/') + Whiteout::OpaqueMarker, {},
                                             TarWriter::Meta{0644, qint64(st.st_mtime), 0, 0});
                        !s)
                        return s;
                if (auto s = walk(r); !s)
                    return s;
            } else if (S_ISLNK(st.st_mode)) {
                const QString target =
                    QFile::symLinkTarget(host).isEmpty() ? QString() : QString::fromLocal8Bit([&] {
                        QByteArray buf(4096, '\0');
                        const ssize_t n = ::readlink(hostC.constData(), buf.data(), buf.size());
                        return n > 0 ? buf.left(n) : QByteArray();
                    }());
                if (auto s = tar.addSymlink(r, target, meta); !s)
                    return s;
            } else if (S_ISREG(st.st_mode)) {
                if (runtimeFiles.contains(r) && st.st_size == 0)
                    continue;
                QFile f(host);
                if (!f.open(QIODevice::ReadOnly))
                    return fail(ErrorKind::Internal,
                                QStringLiteral("read %1: %2").arg(host, f.errorString()));
                if (auto s = tar.beginFile(r, st.st_size, meta); !s)
                    return s;
                qint64 left = st.st_size;
                QByteArray buf(1 << 20, Qt::Uninitialized);
                while (left > 0) {
                    const qint64 n = f.read(buf.data(), qMin<qint64>(left, buf.size()));
                    if (n <= 0)
                        return fail(ErrorKind::Internal,
                                    QStringLiteral("read %1: file changed while read").arg(host));
                    if (auto s = tar.writeData(buf.constData(), n); !s)
                        return s;
                    left -= n;
                }
            }
            // Sockets, FIFOs and device nodes a RUN made are not carried into the layer.
        }
        return {};
    };
    if (auto s = walk(QString()); !s) {
        w->abort();
        return fail(s.error());
    }
    if (auto s = tar.finish(); !s) {
        w->abort();
        return fail(s.error());
    }
    size = w->offset();
    return w->commit();
}

Result<State> BuildRun::runStep(const State &state, const DockerfileInstruction &ins,
                                const QStringList &argv, const QStringList &env) {
    auto image = install(state, {});
    if (!image)
        return fail(image.error());
    auto cfg = ImageConfig::parse(state.config);
    CreateRequest req;
    req.spec.image = image->id.toString();
    req.spec.cmd = argv;
    req.entrypointSet = true;
    req.spec.env = env;
    req.spec.workingDir = cfg ? cfg->config().workingDir : QString();
    req.spec.user = cfg ? cfg->config().user : QString();
    req.spec.labels.insert(QLatin1String(BuildLease::Label), m_lease->id());
    auto created = m_containers.create(req);
    if (!created)
        return fail(created.error());
    m_currentContainer = created->id;
    say(QStringLiteral(" ---> Running in %1").arg(created->shortId()));
    auto started = m_containers.start(created->id);
    if (!started)
        return fail(started.error());
    LogReader logs(m_containers.logPath(created->id));
    QByteArray pending;
    auto pump = [&](const QList<LogEntry> &entries) {
        for (const LogEntry &e : entries) {
            pending += e.text;
            qsizetype nl;
            while ((nl = pending.indexOf('\n')) >= 0) {
                say(QString::fromUtf8(pending.left(nl)));
                pending.remove(0, nl + 1);
            }
        }
    };
    if (auto first = logs.read({}); first)
        pump(*first);
    int exitCode = 0;
    const DirectoryWatch watch(m_containers.directory(created->id));
    for (;;) {
        auto rec = m_containers.get(created->id);
        if (!rec)
            return fail(rec.error());
        pump(logs.follow());
        if (!rec->isRunning()) {
            exitCode = rec->exitCode;
            break;
        }
        if (m_cancelled.load())
            return fail(ErrorKind::Cancelled, QStringLiteral("build cancelled"));
        watch.wait(kCancelCheckMs);
    }
    pump(logs.follow());
    if (!pending.isEmpty())
        say(QString::fromUtf8(pending));
    if (exitCode != 0)
        return fail(m_df.errorAt(ins, QStringLiteral("the command '%1' returned a non-zero "
                                                     "code: %2")
                                          .arg(argv.join(QLatin1Char(' ')))
                                          .arg(exitCode)));
    qint64 size = 0;
    auto diffId = layerFromUpper(m_containers.upperDir(created->id), size);
    if (!diffId)
        return fail(diffId.error());
    (void)m_containers.remove(created->id, ContainerRuntime::Force::Yes);
    m_currentContainer.clear();
    return withLayer(state, createdByOf(ins, argv.join(QLatin1Char(' '))), *diffId, size);
}

Result<State> BuildRun::stageBase(int index, const QString &base) {
    const int ref = m_df.stageIndex(base);
    if (ref >= 0 && ref < index && !base.contains(QLatin1Char(':')) &&
        (!m_df.stages[ref].name.isEmpty() || ref == base.toInt())) {
        if (!m_stageBuilt.value(ref))
            return fail(ErrorKind::Internal, QStringLiteral("stage %1 not built").arg(base));
        return m_stageStates[ref];
    }
    if (base == QLatin1String("scratch")) {
        const Platform host = Platform::host();
        QJsonObject o{{QStringLiteral("architecture"), host.architecture},
                      {QStringLiteral("os"), QStringLiteral("linux")},
                      {QStringLiteral("rootfs"),
                       QJsonObject{{QStringLiteral("type"), QStringLiteral("layers")},
                                   {QStringLiteral("diff_ids"), QJsonArray()}}},
                      {QStringLiteral("config"), QJsonObject()}};
        if (!host.variant.isEmpty())
            o.insert(QStringLiteral("variant"), host.variant);
        return State{QJsonDocument(o).toJson(QJsonDocument::Compact), {}};
    }
    auto image = m_images.resolve(base);
    if (!image && image.error().kind == ErrorKind::NotFound) {
        // Not in the store: pull it, as `docker build` does.
        auto ref = Reference::parse(base);
        if (!ref)
            return fail(m_df.errorAt(m_df.stages[index].from, ref.error().message));
        say(QStringLiteral("Pulling %1").arg(ref->familiarString()));
        Puller puller(m_paths, m_content, m_snapshots, m_images);
        PullOptions pullOptions;
        pullOptions.cancel = &m_cancelled;
        image = puller.pull(*ref, pullOptions);
        if (!image && image.error().kind == ErrorKind::Cancelled)
            return fail(image.error());
        if (!image)
            return fail(m_df.errorAt(m_df.stages[index].from,
                                     QStringLiteral("FROM %1: not in the store, and the pull "
                                                    "failed: %2")
                                         .arg(base, image.error().message)));
    }
    if (!image)
        return fail(m_df.errorAt(m_df.stages[index].from,
                                 QStringLiteral("FROM %1: %2").arg(base, image.error().message)));
    auto raw = m_images.rawConfig(*image);
    if (!raw)
        return fail(raw.error());
    return State{*raw, image->layers};
}

// The topmost entry for `path` in the state's layers (whiteouts respected only at the path).
std::optional<struct stat> BuildRun::statInState(const State &state, const QString &path) {
    for (qsizetype i = state.layers.size() - 1; i >= 0; --i) {
        const QString root = m_snapshots.filesPath(state.layers[i].chainId);
        const QString host = root + QLatin1Char('/') + path;
        struct stat st {};
        if (::lstat(QFile::encodeName(host).constData(), &st) == 0) {
            if (S_ISCHR(st.st_mode) && st.st_rdev == 0)
                return std::nullopt;
            return st;
        }
        const QFileInfo fi(host);
        if (QFileInfo::exists(fi.path() + QLatin1Char('/') + Whiteout::Prefix + fi.fileName()))
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<QByteArray> BuildRun::readInState(const State &state, const QString &path) {
    for (qsizetype i = state.layers.size() - 1; i >= 0; --i) {
        const QString host =
            m_snapshots.filesPath(state.layers[i].chainId) + QLatin1Char('/') + path;
        struct stat st {};
        if (::lstat(QFile::encodeName(host).constData(), &st) == 0) {
            if (!S_ISREG(st.st_mode))
                return std::nullopt; // a whiteout, or not a plain file
            auto data = readFileLimited(host, 16 << 20);
            return data ? std::optional<QByteArray>(*data) : std::nullopt;
        }
        const QFileInfo fi(host);
        if (QFileInfo::exists(fi.path() + QLatin1Char('/') + Whiteout::Prefix + fi.fileName()))
            return std::nullopt;
    }
    return std::nullopt;
}

Result<QPair<int, int>> BuildRun::resolveOwner(const State &state, const DockerfileInstruction &ins,
                                               const QString &spec) {
    if (spec.isEmpty())
        return QPair<int, int>{-1, -1};
    // name -> (id, primary group) from a passwd- or group-style file of the image.
    auto lookup = [&](const QString &file, const QString &name) -> std::optional<int> {
        const auto data = readInState(state, file);
        if (!data)
            return std::nullopt;
        for (const QByteArray &line : data->split('\n')) {
            const QList<QByteArray> fields = line.split(':');
            if (fields.size() >= 3 && QString::fromUtf8(fields[0]) == name) {
                bool ok = false;
                const int id = fields[2].toInt(&ok);
                if (ok)
                    return id;
            }
        }
        return std::nullopt;
    };
    const QString user = spec.section(QLatin1Char(':'), 0, 0);
    const QString group =
        spec.contains(QLatin1Char(':')) ? spec.section(QLatin1Char(':'), 1) : QString();
    if (user.isEmpty() || (spec.contains(QLatin1Char(':')) && group.isEmpty()))
        return fail(m_df.errorAt(
            ins, QStringLiteral("--chown=%1: expected USER[:GROUP] (names or numbers)").arg(spec)));
    bool numeric = false;
    int uid = user.toInt(&numeric);
    if (!numeric || uid < 0) {
        const auto id = lookup(QStringLiteral("etc/passwd"), user);
        if (!id)
            return fail(m_df.errorAt(
                ins, QStringLiteral("--chown=%1: no user \"%2\" in the image's /etc/passwd")
                         .arg(spec, user)));
        uid = *id;
    }
    // Docker: a user without a group means the same number as the GID.
    int gid = uid;
    if (!group.isEmpty()) {
        gid = group.toInt(&numeric);
        if (!numeric || gid < 0) {
            const auto id = lookup(QStringLiteral("etc/group"), group);
            if (!id)
                return fail(m_df.errorAt(
                    ins, QStringLiteral("--chown=%1: no group \"%2\" in the image's /etc/group")
                             .arg(spec, group)));
            gid = *id;
        }
    }
    return QPair<int, int>{uid, gid};
}

Result<SourceTree> BuildRun::sourceTree(const QString &from, const DockerfileInstruction &ins) {
    SourceTree tree;
    if (from.isEmpty()) {
        if (m_context)
            return *m_context;
        DockerIgnore ignore;
        if (auto text = readFileLimited(m_contextDir + QStringLiteral("/.dockerignore"), 1 << 20))
            ignore = DockerIgnore::parse(QString::fromUtf8(*text));
        if (auto st = walkDir(m_contextDir, QString(), tree, &ignore, false); !st)
            return fail(st.error());
        m_context = tree;
        return tree;
    }
    QList<LayerRecord> layers;
    const int ref = m_df.stageIndex(from);
    if (ref >= 0) {
        if (!m_stageBuilt.value(ref))
            return fail(m_df.errorAt(ins, QStringLiteral("--from=%1: the stage must come before "
                                                         "this one")
                                              .arg(from)));
        layers = m_stageStates[ref].layers;
    } else {
        auto image = m_images.resolve(from);
        if (!image)
            return fail(m_df.errorAt(
                ins, QStringLiteral("--from=%1: no such stage, and no such image in the store")
                         .arg(from)));
        layers = image->layers;
    }
    for (const LayerRecord &l : layers)
        if (auto st = walkDir(m_snapshots.filesPath(l.chainId), QString(), tree, nullptr, true);
            !st)
            return fail(st.error());
    return tree;
}

// Docker's COPY rules: a directory source copies its contents; a file goes to DEST when DEST
// names a file, else to DEST/<name>; several sources or a wildcard need DEST to be a directory.
// --exclude patterns match paths relative to each source; --parents keeps each source's path
// (below a `/./` pivot when there is one) under DEST. Entries named directly (not found inside
// a directory source) are marked `direct`: ADD extracts those that are tar archives.
Result<QList<QPair<QString, SourceEntry>>>
BuildRun::resolveCopy(const DockerfileInstruction &ins, const SourceTree &tree,
                      const QStringList &sources, const QString &dest, QString &destDir,
                      const CopyRules &rules) {
    QList<QPair<QString, SourceEntry>> out;
    const bool many =
        sources.size() > 1 ||
        std::any_of(sources.begin(), sources.end(), [](const QString &s) { return hasGlob(s); });
    const bool destIsDir = many || rules.parents || dest.endsWith(QLatin1Char('/')) ||
                           dest.endsWith(QLatin1String("/.")) || dest == QLatin1String(".");
    destDir = cleanRelative(dest);
    auto excluded = [&](const QString &relative) {
        return rules.exclude && !relative.isEmpty() && rules.exclude->excludes(relative);
    };
    auto under = [&](const QString &a, const QString &b) {
        return cleanRelative(a.isEmpty() ? b : b.isEmpty() ? a : a + QLatin1Char('/') + b);
    };
    for (const QString &source : sources) {
        // --parents: the part of the source path before "/./" is not kept.
        QString pivot;
        if (rules.parents) {
            const qsizetype at = source.indexOf(QLatin1String("/./"));
            if (at >= 0)
                pivot = cleanRelative(source.left(at));
        }
        const QString src = cleanRelative(source);
        auto kept = [&](const QString &root) {
            if (!rules.parents)
                return QString();
            return pivot.isEmpty() ? root : cleanRelative(root.mid(pivot.size()));
        };
        QStringList roots;
        if (hasGlob(src)) {
            const QRegularExpression re(QStringLiteral("^") + globToRegex(src) +
                                        QStringLiteral("$"));
            for (auto it = tree.cbegin(); it != tree.cend(); ++it)
                if (re.match(it.key()).hasMatch())
                    roots.append(it.key());
        } else if (src.isEmpty() || tree.contains(src)) {
            roots.append(src);
        }
        if (roots.isEmpty())
            return fail(m_df.errorAt(ins, QStringLiteral("%1 failed: \"%2\" not found in the "
                                                         "build context (or excluded by "
                                                         ".dockerignore)")
                                              .arg(ins.keyword(), source)));
        for (const QString &root : std::as_const(roots)) {
            const bool isDir = root.isEmpty() || S_ISDIR(tree.value(root).st.st_mode);
            if (isDir) {
                const QString prefix = root.isEmpty() ? QString() : root + QLatin1Char('/');
                const QString target = under(destDir, kept(root));
                for (auto it = tree.cbegin(); it != tree.cend(); ++it) {
                    if (!root.isEmpty() && !it.key().startsWith(prefix))
                        continue;
                    const QString relative = it.key().mid(prefix.size());
                    if (!excluded(relative))
                        out.append({under(target, relative), it.value()});
                }
            } else {
                const QString name = root.section(QLatin1Char('/'), -1);
                if (excluded(name))
                    continue;
                SourceEntry e = tree.value(root);
                e.direct = true;
                const QString path = rules.parents ? under(destDir, kept(root))
                                     : destIsDir   ? under(destDir, name)
                                                   : destDir;
                out.append({path, e});
            }
        }
    }
    if (!destIsDir)
        destDir = destDir.section(QLatin1Char('/'), 0, -2);
    return out;
}

// ---- the build, stage by stage ----

Result<BuildResult> BuildRun::run() {
    // What builds killed earlier left (their containers and images) goes first; this build
    // owns what it adds by its lease until it ends.
    (void)removeBuildLeftovers(m_paths, m_containers, m_images);
    auto lease = BuildLease::take(m_paths);
    if (!lease)
        return fail(lease.error());
    m_lease = std::move(*lease);
    if (auto st = checkoutGitContext(); !st)
        return fail(st.error());
    auto text = readDockerfile();
    if (!text)
        return fail(text.error());
    auto df = Dockerfile::parse(*text, QFileInfo(m_dockerfilePath).fileName());
    if (!df)
        return fail(df.error());
    m_df = *df;
    DockerfileVariables vars(m_df, m_options.buildArgs);
    auto target = targetStage();
    if (!target)
        return fail(target.error());
    const QList<bool> needed = neededStages(*target);
    for (int i = 0; i <= *target; ++i)
        if (needed[i])
            m_stepCount += 1 + int(m_df.stages[i].instructions.size());
    if (!m_labels.isEmpty())
        ++m_stepCount;
    m_stageStates.resize(m_df.stages.size());
    m_stageBuilt.fill(false, m_df.stages.size());

    State state;
    for (int i = 0; i <= *target; ++i) {
        if (!needed[i])
            continue;
        auto built = buildStage(i, *target, vars);
        if (!built)
            return fail(built.error());
        state = *built;
        m_stageStates[i] = state;
        m_stageBuilt[i] = true;
    }
    if (!m_labels.isEmpty()) {
        auto labelled = labelStep(state, *target);
        if (!labelled)
            return fail(labelled.error());
        state = *labelled;
    }
    return finish(state, vars);
}

// A git context is cloned first: the build then reads its checkout like a directory.
Status BuildRun::checkoutGitContext() {
    const auto git = GitContextSpec::parse(m_options.context);
    if (!git)
        return {};
    auto checkout = GitCheckout::clone(
        *git, m_paths.tmp(), [this](const QString &line) { say(line); }, &m_cancelled);
    if (!checkout)
        return fail(checkout.error());
    m_checkout = std::move(*checkout);
    m_contextDir = m_checkout->contextDir();
    m_gitCommit = m_checkout->commit();
    // What the user labels explicitly wins.
    if (!m_labels.contains(QStringLiteral("org.opencontainers.image.revision")))
        m_labels.insert(QStringLiteral("org.opencontainers.image.revision"), m_gitCommit);
    if (!m_labels.contains(QStringLiteral("org.opencontainers.image.source")))
        m_labels.insert(QStringLiteral("org.opencontainers.image.source"), git->publicUrl());
    return {};
}

// The Dockerfile's text; also fixes where the build's steps are remembered (provenance).
Result<QString> BuildRun::readDockerfile() {
    m_dockerfilePath =
        m_options.dockerfile.isEmpty() ? QStringLiteral("Dockerfile") : m_options.dockerfile;
    if (QFileInfo(m_dockerfilePath).isRelative())
        m_dockerfilePath = m_contextDir + QLatin1Char('/') + m_dockerfilePath;
    if (!QFileInfo(m_contextDir).isDir())
        return fail(ErrorKind::NotFound,
                    QStringLiteral("build context %1: not a directory").arg(m_options.context));
    if (m_checkout) {
        // A repository's Dockerfile (or a symlink in it) must not read outside the checkout.
        const QString root = QFileInfo(m_checkout->root()).canonicalFilePath();
        const QString real = QFileInfo(m_dockerfilePath).canonicalFilePath();
        if (!real.isEmpty() && !real.startsWith(root + QLatin1Char('/')))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("Dockerfile %1 is outside the git context")
                            .arg(m_options.dockerfile.isEmpty() ? QStringLiteral("Dockerfile")
                                                                : m_options.dockerfile));
    }
    auto text = readFileLimited(m_dockerfilePath, 4 << 20);
    if (!text)
        return fail(text.error().withContext(QStringLiteral("read Dockerfile")));
    // Where steps are remembered between builds (for "why did this step run"): the context's
    // directory or repository URL and the Dockerfile's place in it.
    if (m_checkout) {
        const GitContextSpec git = *GitContextSpec::parse(m_options.context);
        m_provenanceContext =
            git.publicUrl() + (git.subdir.isEmpty() ? QString() : QLatin1Char('#') + git.subdir);
    } else {
        m_provenanceContext = QFileInfo(m_contextDir).absoluteFilePath();
    }
    const QString relative = QDir(m_contextDir).relativeFilePath(m_dockerfilePath);
    m_provenanceDockerfile = relative.startsWith(QLatin1String("../"))
                                 ? QFileInfo(m_dockerfilePath).absoluteFilePath()
                                 : relative;
    const QString content = QString::fromUtf8(*text);
    if (m_dockerfileHandler)
        m_dockerfileHandler(QFileInfo(m_dockerfilePath).fileName(), content);
    return content;
}

Result<int> BuildRun::targetStage() const {
    if (m_options.target.isEmpty())
        return int(m_df.stages.size()) - 1;
    const int target = m_df.stageIndex(m_options.target);
    if (target < 0)
        return fail(ErrorKind::InvalidArgument,
                    QStringLiteral("target stage \"%1\" could not be found").arg(m_options.target));
    return target;
}

// Only the stages the target needs (FROM <stage>, COPY --from=<stage>).
QList<bool> BuildRun::neededStages(int target) const {
    QList<bool> needed(m_df.stages.size(), false);
    needed[target] = true;
    for (int i = target; i >= 0; --i) {
        if (!needed[i])
            continue;
        QStringList refs{m_df.stages[i].base};
        for (const auto &ins : m_df.stages[i].instructions)
            if (ins.hasFlag(QStringLiteral("from")))
                refs.append(ins.flag(QStringLiteral("from")));
        for (const QString &r : std::as_const(refs)) {
            const int j = m_df.stageIndex(r);
            if (j >= 0 && j < i)
                needed[j] = true;
        }
    }
    return needed;
}

Result<State> BuildRun::buildStage(int index, int target, DockerfileVariables &vars) {
    auto base = fromStep(index, target, vars);
    if (!base)
        return fail(base.error());
    State state = *base;
    auto work = stageWork(index, state);
    if (!work)
        return fail(work.error());
    StageScope scope{index, vars};
    for (const auto &[ins, position] : std::as_const(*work)) {
        if (m_cancelled.load())
            return fail(ErrorKind::Cancelled, QStringLiteral("build cancelled"));
        auto next = instruction(state, ins, position, scope);
        if (!next)
            return fail(next.error());
        state = *next;
    }
    return state;
}

// FROM: the stage's base (an earlier stage, scratch, or an image, pulled when missing).
Result<State> BuildRun::fromStep(int index, int target, DockerfileVariables &vars) {
    const DockerfileStage &stage = m_df.stages[index];
    BuildStepRecord rec;
    rec.stage = index;
    rec.instruction = stage.from.original;
    rec.firstLine = stage.from.line;
    rec.lastLine = stage.from.endLine;
    begin(rec);
    auto base = vars.expandFrom(stage);
    if (!base)
        return fail(base.error());
    auto platform = vars.expandPlatform(stage);
    if (!platform)
        return fail(platform.error());
    if (!platform->isEmpty()) {
        auto p = Platform::parse(*platform);
        if (!p || !p->matches(Platform::host()))
            return fail(m_df.errorAt(stage.from, QStringLiteral("--platform=%1: only the host's "
                                                                "platform (%2) can be built")
                                                     .arg(*platform, Platform::host().toString())));
    }
    auto state = stageBase(index, *base);
    if (!state)
        return fail(state.error());
    if (index == target)
        m_records.clear();
    rec.imageId = state->id();
    m_records.append(rec);
    say(QStringLiteral(" ---> %1").arg(shortHex(state->id())));
    if (m_steps)
        m_steps({BuildStepEvent::Kind::Finished, m_stepNo, m_stepCount, rec});
    auto baseCfg = ImageConfig::parse(state->config);
    if (!baseCfg)
        return fail(baseCfg.error());
    vars.beginStage(baseCfg->config().env);
    m_stageBaseNames.insert(index, *base);
    return state;
}

// The stage's instructions with where they are (for their previous run's inputs): first the
// base image's ONBUILD triggers, which run here and are not passed on (removed from `state`).
Result<QList<QPair<DockerfileInstruction, QString>>> BuildRun::stageWork(int index, State &state) {
    const DockerfileStage &stage = m_df.stages[index];
    QList<QPair<DockerfileInstruction, QString>> work;
    auto baseCfg = ImageConfig::parse(state.config);
    if (!baseCfg)
        return fail(baseCfg.error());
    QJsonObject all = baseCfg->json();
    QJsonObject config = all.value(QStringLiteral("config")).toObject();
    const QJsonArray triggers = config.value(QStringLiteral("OnBuild")).toArray();
    if (!triggers.isEmpty()) {
        config.remove(QStringLiteral("OnBuild"));
        all.insert(QStringLiteral("config"), config);
        auto cleared = ImageConfig::parse(QJsonDocument(all).toJson(QJsonDocument::Compact));
        if (!cleared)
            return fail(cleared.error());
        state.config = cleared->toJson();
        say(QStringLiteral("# Executing %1 build trigger%2")
                .arg(triggers.size())
                .arg(triggers.size() == 1 ? QString() : QStringLiteral("s")));
        m_stepCount += int(triggers.size());
    }
    for (int k = 0; k < triggers.size(); ++k) {
        const QString text = triggers[k].toString();
        auto parsed = Dockerfile::parse(QStringLiteral("FROM scratch\n") + text);
        if (!parsed || parsed->stages.value(0).instructions.size() != 1)
            return fail(m_df.errorAt(stage.from,
                                     QStringLiteral("ONBUILD trigger \"%1\" of %2: %3")
                                         .arg(text, m_stageBaseNames.value(index),
                                              parsed ? QStringLiteral("expected one instruction")
                                                     : parsed.error().message)));
        DockerfileInstruction trigger = parsed->stages[0].instructions[0];
        // Errors point at the FROM that brought the trigger in.
        trigger.line = trigger.endLine = stage.from.line;
        trigger.column = stage.from.column;
        work.append({trigger, QStringLiteral("%1/trigger/%2").arg(index).arg(k)});
    }
    for (int k = 0; k < stage.instructions.size(); ++k)
        work.append({stage.instructions[k], QStringLiteral("%1/%2").arg(index).arg(k)});
    return work;
}

// One instruction after FROM: one function per kind.
Result<State> BuildRun::instruction(const State &state, const DockerfileInstruction &ins,
                                    const QString &position, StageScope &scope) {
    auto ex = scope.vars.evaluate(ins);
    if (!ex)
        return fail(ex.error());
    auto cfg = ImageConfig::parse(state.config);
    if (!cfg)
        return fail(cfg.error());
    using Kind = InstructionKind;
    Result<ConfigChange> change = ConfigChange{};
    switch (ins.kind) {
    case Kind::Run:
        return runInstruction(state, *cfg, ins, position, scope);
    case Kind::Copy:
    case Kind::Add:
        return copyInstruction(state, *cfg, ins, *ex, position, scope);
    case Kind::Env:
        change = envChange(*ex, scope.vars.env());
        break;
    case Kind::Label:
        change = labelChange(*ex);
        break;
    case Kind::Arg:
        change = argChange(*ex);
        break;
    case Kind::Cmd:
        change = cmdChange(commandOf(ins, *cfg));
        scope.cmdSetHere = true;
        break;
    case Kind::Entrypoint:
        change = entrypointChange(commandOf(ins, *cfg), scope.cmdSetHere);
        break;
    case Kind::Workdir:
        change = workdirChange(*ex, cfg->config().workingDir);
        break;
    case Kind::User:
    case Kind::StopSignal:
    case Kind::Expose:
    case Kind::Volume:
        change = dockerfileChange(ins.kind, *ex);
        break;
    case Kind::Maintainer:
        change = maintainerChange(ins.args);
        break;
    case Kind::Shell:
        change = shellChange(ins.jsonArgs);
        break;
    case Kind::OnBuild:
        change = onBuildChange(ins.onbuild);
        break;
    case Kind::Healthcheck:
        change = healthcheckChange(ins);
        break;
    case Kind::From:
        return fail(m_df.errorAt(ins, QStringLiteral("FROM inside a stage")));
    }
    if (!change)
        return fail(change.error());
    return configStep(state, ins, position, scope, *change);
}

// A step that changes only the config (an empty_layer history entry).
Result<State> BuildRun::configStep(const State &state, const DockerfileInstruction &ins,
                                   const QString &position, const StageScope &scope,
                                   const ConfigChange &change) {
    const QString createdBy = createdByOf(ins, change.text);
    BuildStepInputs inputs;
    inputs.instruction = ins.keyword() + QLatin1Char(' ') + change.text;
    return step(state, ins, scope.index, position, inputs,
                [&]() { return withConfig(state, createdBy, change.apply); });
}

// --label and a git context's labels: one step after the target stage's last.
Result<State> BuildRun::labelStep(const State &state, int target) {
    DockerfileInstruction synthetic;
    synthetic.kind = InstructionKind::Label;
    QStringList parts;
    for (auto it = m_labels.cbegin(); it != m_labels.cend(); ++it)
        parts.append(it.key() + QLatin1Char('=') + it.value());
    synthetic.original = QStringLiteral("LABEL ") + parts.join(QLatin1Char(' '));
    const auto labels = m_labels;
    BuildStepInputs inputs;
    inputs.instruction = QStringLiteral("LABEL ") + parts.join(QLatin1Char('\n'));
    return step(state, synthetic, target, QStringLiteral("labels"), inputs, [&]() {
        return withConfig(state, createdByOf(synthetic, parts.join(QLatin1Char(' '))),
                          [labels](ImageConfig &c, QJsonObject &) -> Status {
                              ContainerConfig cc = c.config();
                              for (auto it = labels.cbegin(); it != labels.cend(); ++it)
                                  cc.labels.insert(it.key(), it.value());
                              c.setConfig(cc);
                              return {};
                          });
    });
}

// The final image, tagged, with its provenance.
Result<BuildResult> BuildRun::finish(const State &state, const DockerfileVariables &vars) {
    QList<Reference> tags;
    for (const QString &t : m_options.tags) {
        auto r = Reference::parse(t);
        if (!r)
            return fail(r.error().withContext(QStringLiteral("tag %1").arg(t)));
        tags.append(*r);
    }
    auto image = install(state, tags);
    if (!image)
        return fail(image.error());
    m_intermediates.removeAll(image->id);
    (void)m_lease->forget(image->id);
    say(QStringLiteral("Successfully built %1").arg(image->id.shortId()));
    for (const Reference &r : std::as_const(tags))
        say(QStringLiteral("Successfully tagged %1").arg(r.familiarString()));
    for (const QString &unused : vars.unusedBuildArgs())
        say(QStringLiteral("[Warning] One or more build-args [%1] were not consumed").arg(unused));

    BuildProvenance provenance;
    provenance.context = m_provenanceContext;
    provenance.dockerfile = m_provenanceDockerfile;
    provenance.gitCommit = m_gitCommit;
    provenance.steps = m_records;
    if (auto s = m_cache.putProvenance(image->id, provenance); !s)
        say(QStringLiteral("[Warning] the build provenance was not saved: %1")
                .arg(s.error().message));
    BuildResult result;
    result.image = *image;
    result.steps = m_records;
    result.gitCommit = m_gitCommit;
    return result;
}

// ---- RUN ----

Result<State> BuildRun::runInstruction(const State &state, const ImageConfig &cfg,
                                       const DockerfileInstruction &ins, const QString &position,
                                       const StageScope &scope) {
    if (ins.hasFlag(QStringLiteral("mount")) || ins.hasFlag(QStringLiteral("security")) ||
        (ins.hasFlag(QStringLiteral("network")) &&
         ins.flag(QStringLiteral("network")) != QLatin1String("default")))
        return fail(m_df.errorAt(ins, QStringLiteral("RUN --mount, --network and --security are "
                                                     "not supported yet")));
    const QStringList argv = commandOf(ins, cfg);
    BuildStepInputs inputs;
    inputs.instruction = QStringLiteral("RUN ") + jsonText(argv);
    inputs.args = scope.vars.argValues();
    const QStringList env = scope.vars.runEnvironment();
    return step(state, ins, scope.index, position, inputs,
                [&]() { return runStep(state, ins, argv, env); });
}

// ---- COPY and ADD ----

Result<State> BuildRun::copyInstruction(const State &state, const ImageConfig &cfg,
                                        const DockerfileInstruction &ins,
                                        const DockerfileVariables::Expanded &ex,
                                        const QString &position, const StageScope &scope) {
    auto plan = copyPlan(state, cfg, ins, ex, scope.vars);
    if (!plan)
        return fail(plan.error());
    CopyFiles files;
    if (auto st = collectCopyFiles(ins, *plan, scope.vars, files); !st)
        return fail(st.error());
    auto inputs = copyInputs(ins, *plan, files.files);
    if (!inputs)
        return fail(inputs.error());
    return step(state, ins, scope.index, position, *inputs, [&]() -> Result<State> {
        auto layer = writeCopyLayer(state, *plan, files.files);
        if (!layer)
            return fail(layer.error());
        const QString from =
            plan->from.isEmpty() ? QString() : QStringLiteral("--from=") + plan->from + u' ';
        return withLayer(state, createdByOf(ins, from + ex.words.join(QLatin1Char(' '))),
                         layer->first, layer->second);
    });
}

// The flags and destination of a COPY/ADD, substituted and checked.
Result<CopyPlan> BuildRun::copyPlan(const State &state, const ImageConfig &cfg,
                                    const DockerfileInstruction &ins,
                                    const DockerfileVariables::Expanded &ex,
                                    const DockerfileVariables &vars) {
    CopyPlan plan;
    plan.isAdd = ins.kind == InstructionKind::Add;
    plan.from = ex.flags.value(QStringLiteral("from"));
    auto owner = resolveOwner(state, ins, ex.flags.value(QStringLiteral("chown")));
    if (!owner)
        return fail(owner.error());
    plan.uid = owner->first;
    plan.gid = owner->second;
    if (ex.flags.contains(QStringLiteral("chmod"))) {
        bool ok = false;
        plan.chmod = ex.flags.value(QStringLiteral("chmod")).toInt(&ok, 8);
        if (!ok || plan.chmod < 0 || plan.chmod > 07777)
            return fail(m_df.errorAt(ins, QStringLiteral("--chmod=%1: expected an octal mode")
                                              .arg(ex.flags.value(QStringLiteral("chmod")))));
    }
    if (ins.hasFlag(QStringLiteral("keep-git-dir")))
        return fail(m_df.errorAt(ins, QStringLiteral("ADD --keep-git-dir is not supported: "
                                                     "Berth copies a repository without its "
                                                     ".git")));
    // Every --exclude (a flag that may repeat), substituted.
    for (const auto &[name, value] : ins.flags) {
        if (name != QLatin1String("exclude"))
            continue;
        auto pattern = expandWord(
            value, [&](const QString &n) { return vars.value(n); }, m_df.escape);
        if (!pattern)
            return fail(m_df.errorAt(ins, pattern.error().message));
        plan.excludePatterns << *pattern;
    }
    plan.excludeRules = DockerIgnore::parse(plan.excludePatterns.join(QLatin1Char('\n')));
    plan.parents = ins.hasFlag(QStringLiteral("parents"));
    plan.checksum = ex.flags.value(QStringLiteral("checksum"));
    plan.sources = ex.words;
    plan.dest = plan.sources.takeLast();
    const QString workdir = cfg.config().workingDir;
    if (!plan.dest.startsWith(QLatin1Char('/')))
        plan.dest =
            (workdir.isEmpty() ? QStringLiteral("/") : workdir + QLatin1Char('/')) + plan.dest;
    plan.destIsDir = plan.sources.size() > 1 || plan.dest.endsWith(QLatin1Char('/'));
    plan.words = ex.words;
    return plan;
}

// Heredoc sources become files of their own; ADD also takes URLs (downloaded, never
// extracted) and git repositories (their files at a ref). Everything else is a path in the
// context or in --from's stage or image.
Result<CopySources> BuildRun::classifySources(const DockerfileInstruction &ins,
                                              const CopyPlan &plan,
                                              const DockerfileVariables &vars) {
    CopySources out;
    for (const QString &w : plan.sources) {
        bool isHeredoc = false;
        for (const DockerfileHeredoc &h : ins.heredocs) {
            if (!w.startsWith(QLatin1String("<<")) || !w.endsWith(h.name))
                continue;
            QString content = h.content;
            if (h.expand) {
                auto e = expandWord(
                    QString(content).replace(QLatin1Char('"'), QStringLiteral("\\\"")),
                    [&](const QString &n) { return vars.value(n); }, m_df.escape);
                if (e)
                    content = *e;
            }
            out.heredocs.append({h.name, content.toUtf8()});
            isHeredoc = true;
        }
        if (isHeredoc)
            continue;
        const bool remote = w.contains(QLatin1String("://")) || w.startsWith(QLatin1String("git@"));
        if (remote && !plan.isAdd)
            return fail(m_df.errorAt(
                ins, QStringLiteral("COPY cannot copy from a URL (\"%1\"): use ADD").arg(w)));
        if (remote && !plan.from.isEmpty())
            return fail(
                m_df.errorAt(ins, QStringLiteral("--from cannot be used with a URL source")));
        const auto git = remote ? GitContextSpec::parse(w) : std::nullopt;
        if (git)
            out.repositories.append(*git);
        else if (remote && (w.startsWith(QLatin1String("http://")) ||
                            w.startsWith(QLatin1String("https://"))))
            out.urls.append(w);
        else if (remote)
            return fail(m_df.errorAt(ins, QStringLiteral("ADD: unsupported URL \"%1\": expected "
                                                         "http(s) or a git repository")
                                              .arg(w)));
        else
            out.paths.append(w);
    }
    if (!plan.checksum.isEmpty() && (out.urls.size() != 1 || plan.sources.size() != 1))
        return fail(m_df.errorAt(ins, QStringLiteral("--checksum needs exactly one source, an "
                                                     "http(s) URL")));
    return out;
}

// Every file the step copies, with its path in the layer.
Status BuildRun::collectCopyFiles(const DockerfileInstruction &ins, const CopyPlan &plan,
                                  const DockerfileVariables &vars, CopyFiles &out) {
    auto sources = classifySources(ins, plan, vars);
    if (!sources)
        return fail(sources.error());
    SourceTree tree;
    if (!sources->paths.isEmpty()) {
        auto t = sourceTree(plan.from, ins);
        if (!t)
            return fail(t.error());
        tree = *t;
    }
    QString destDir;
    auto files = resolveCopy(
        ins, tree, sources->paths, plan.dest, destDir,
        CopyRules{plan.excludePatterns.isEmpty() ? nullptr : &plan.excludeRules, plan.parents});
    if (!files)
        return fail(files.error());
    out.files = *files;
    // ADD unpacks a local tar archive (plain, gzip, bzip2, xz, zstd) named as a source into
    // the destination directory.
    if (plan.isAdd)
        for (auto &[path, e] : out.files)
            if (e.direct && S_ISREG(e.st.st_mode) && TarReader::isTarArchive(e.hostPath)) {
                e.extract = true;
                path = cleanRelative(plan.dest);
            }
    for (const auto &[name, content] : std::as_const(sources->heredocs)) {
        SourceEntry e;
        e.st.st_mode = S_IFREG | 0644;
        e.st.st_size = content.size();
        e.hostPath = QStringLiteral("heredoc:") + QString::fromUtf8(content);
        e.rel = QStringLiteral("<<") + name;
        out.files.append({plan.destIsDir || sources->heredocs.size() > 1
                              ? cleanRelative(plan.dest + QLatin1Char('/') + name)
                              : cleanRelative(plan.dest),
                          e});
    }
    if (auto st = addDownloads(ins, plan, sources->urls, out); !st)
        return st;
    return addRepositories(ins, plan, sources->repositories, out);
}

// ADD's URLs: mode 0600, mtime from Last-Modified (as Docker does).
Status BuildRun::addDownloads(const DockerfileInstruction &ins, const CopyPlan &plan,
                              const QStringList &urls, CopyFiles &out) {
    for (const QString &url : urls) {
        say(QStringLiteral("Downloading %1").arg(QUrl(url).toString(QUrl::RemoveUserInfo)));
        auto file = downloadUrl(QUrl(url), m_paths.tmp(), &m_cancelled);
        if (!file)
            return fail(m_df.errorAt(ins, file.error().message));
        if (!plan.checksum.isEmpty() && file->digest.toString() != plan.checksum)
            return fail(m_df.errorAt(ins, QStringLiteral("--checksum=%1: the download has %2")
                                              .arg(plan.checksum, file->digest.toString())));
        if (plan.destIsDir && file->fileName.isEmpty())
            return fail(m_df.errorAt(ins, QStringLiteral("ADD %1: the URL names no file; give "
                                                         "the destination a file name")
                                              .arg(url)));
        SourceEntry e;
        e.hostPath = file->path;
        e.st.st_mode = S_IFREG | 0600;
        e.st.st_size = file->size;
        e.st.st_mtime =
            file->lastModified.isValid() ? time_t(file->lastModified.toSecsSinceEpoch()) : 0;
        e.rel = QUrl(url).toString(QUrl::RemoveUserInfo);
        out.files.append({plan.destIsDir
                              ? cleanRelative(plan.dest + QLatin1Char('/') + file->fileName)
                              : cleanRelative(plan.dest),
                          e});
        out.downloads.push_back(std::move(*file));
    }
    return {};
}

// ADD's git repositories: their files at the ref, without .git, into DEST.
Status BuildRun::addRepositories(const DockerfileInstruction &ins, const CopyPlan &plan,
                                 const QList<GitContextSpec> &repositories, CopyFiles &out) {
    for (const GitContextSpec &git : repositories) {
        auto checkout = GitCheckout::clone(
            git, m_paths.tmp(), [this](const QString &line) { say(line); }, &m_cancelled);
        if (!checkout)
            return fail(m_df.errorAt(ins, checkout.error().message));
        SourceTree repoTree;
        if (auto st = walkDir((*checkout)->contextDir(), QString(), repoTree, nullptr, false); !st)
            return fail(st.error());
        for (auto it = repoTree.begin(); it != repoTree.end(); ++it) {
            it->rel = git.publicUrl() + QLatin1Char('#') + (*checkout)->commit() +
                      QLatin1Char(':') + it.key();
            out.files.append({cleanRelative(plan.dest + QLatin1Char('/') + it.key()), *it});
        }
        out.checkouts.push_back(std::move(*checkout));
    }
    return {};
}

// The step's cache inputs: each copied file's digest over its destination, type, mode, owner
// and bytes, not its mtime; keyed by where it comes from, so a rerun can name the file.
Result<BuildStepInputs> BuildRun::copyInputs(const DockerfileInstruction &ins, const CopyPlan &plan,
                                             const QList<QPair<QString, SourceEntry>> &files) {
    BuildStepInputs inputs;
    for (const auto &[path, e] : files) {
        Sha256 hash;
        hash.add(path.toUtf8() + '\0');
        hash.add(QByteArray::number(e.st.st_mode) + ' ' +
                 QByteArray::number(plan.uid >= 0 ? plan.uid : int(e.st.st_uid)) + ' ' +
                 QByteArray::number(plan.gid >= 0 ? plan.gid : int(e.st.st_gid)) +
                 (e.extract ? " extract" : "") + '\0');
        if (e.hostPath.startsWith(QLatin1String("heredoc:"))) {
            hash.add(e.hostPath.toUtf8());
        } else if (S_ISLNK(e.st.st_mode)) {
            hash.add(QFile::encodeName(QFile::symLinkTarget(e.hostPath)));
        } else if (S_ISREG(e.st.st_mode)) {
            QFile f(e.hostPath);
            if (!f.open(QIODevice::ReadOnly))
                return fail(m_df.errorAt(
                    ins, QStringLiteral("read %1: %2").arg(e.hostPath, f.errorString())));
            while (!f.atEnd())
                hash.add(f.read(1 << 20));
        }
        const bool named = e.rel.startsWith(QLatin1String("<<")) ||
                           e.rel.contains(QLatin1String("://")) || plan.from.isEmpty();
        const QString source = named ? e.rel : plan.from + QStringLiteral(":/") + e.rel;
        const QString digest = hash.finish().hex();
        QString &slot = inputs.files[source];
        slot = slot.isEmpty() ? digest : slot + QLatin1Char(' ') + digest;
    }
    inputs.instruction = QStringLiteral("%1 %2 from=%3 chown=%4:%5 chmod=%6 exclude=%7 parents=%8")
                             .arg(ins.keyword(), jsonText(plan.words), plan.from)
                             .arg(plan.uid)
                             .arg(plan.gid)
                             .arg(plan.chmod)
                             .arg(jsonText(plan.excludePatterns))
                             .arg(plan.parents);
    return inputs;
}

// The files as one layer (diff ID, size). ADD's archives are unpacked by the layer unpacker
// (snapshots/unpacker: nothing lands outside its directory) and copied from there.
Result<QPair<Digest, qint64>>
BuildRun::writeCopyLayer(const State &state, const CopyPlan &plan,
                         const QList<QPair<QString, SourceEntry>> &files) {
    auto writer = m_content.openWriter(uniqueTempName(QStringLiteral("build-copy")));
    if (!writer)
        return fail(writer.error());
    BlobWriter *w = writer->get();
    CopyLayer layer(w, plan, [&](const QString &p) { return statInState(state, p); });
    auto add = [&]() -> Status {
        for (const auto &[path, e] : files) {
            Status s = e.extract ? extractArchive(layer, path, e) : layer.add(path, e);
            if (!s)
                return s;
        }
        return layer.finish();
    };
    if (auto s = add(); !s) {
        w->abort();
        return fail(s.error());
    }
    const qint64 size = w->offset();
    auto diffId = w->commit();
    if (!diffId)
        return fail(diffId.error());
    return QPair<Digest, qint64>{*diffId, size};
}

// An archive ADD unpacks: its entries below `dir`, names kept inside. The layer unpacker
// refuses entries that leave the directory; whiteouts in it are not carried over (they would
// delete files of lower layers), nor are devices and FIFOs.
Status BuildRun::extractArchive(CopyLayer &layer, const QString &dir, const SourceEntry &archive) {
    const QString root =
        m_paths.tmp() + QLatin1Char('/') + uniqueTempName(QStringLiteral("build-add"));
    if (auto s = makeDirectories(root); !s)
        return s;
    const auto removeScratch = qScopeGuard([&] { (void)removeTree(root); });
    UnpackOptions options;
    options.preserveOwnership = ::geteuid() == 0;
    options.cancel = &m_cancelled;
    if (auto unpacked = unpackLayer(archive.hostPath, root, options); !unpacked)
        return fail(unpacked.error().withContext(QStringLiteral("ADD %1").arg(archive.rel)));
    SourceTree tree;
    if (auto st = walkDir(root, QString(), tree, nullptr, false); !st)
        return st;
    if (!dir.isEmpty())
        if (auto s = layer.parents(dir + QStringLiteral("/x")); !s)
            return s;
    QHash<QPair<dev_t, ino_t>, QString> written; // files with several names: the first one
    for (auto it = tree.cbegin(); it != tree.cend(); ++it) {
        if (it.key().section(QLatin1Char('/'), -1).startsWith(Whiteout::Prefix))
            continue;
        SourceEntry e = it.value();
        e.archived = true;
        const QString path = dir.isEmpty() ? it.key() : dir + QLatin1Char('/') + it.key();
        const QPair<dev_t, ino_t> inode{e.st.st_dev, e.st.st_ino};
        const bool linked = S_ISREG(e.st.st_mode) && e.st.st_nlink > 1;
        const Status s = linked && written.contains(inode)
                             ? layer.addHardlink(path, written.value(inode), e)
                             : layer.add(path, e);
        if (!s)
            return s;
        if (linked && !written.contains(inode))
            written.insert(inode, path);
    }
    return {};
}

} // namespace

Result<BuildResult> Builder::build(const BuildOptions &options) {
    static const std::atomic<bool> never{false};
    BuildRun run(m_paths, m_content, m_snapshots, m_images, m_containers, m_output, m_steps,
                 m_dockerfile, options, options.cancel ? *options.cancel : never);
    return run.run();
}

} // namespace Berth::Engine
