// SPDX-License-Identifier: GPL-3.0-or-later
#include "engine/builder/gitcontext.h"

#include "engine/core/fileutil.h"

#include <QDir>
#include <QFileInfo>
#include <QUrl>

#include <git2.h>
#include <mutex>

namespace Berth::Engine {
namespace {

bool isBareRepository(const QString &path) {
    const QDir dir(path);
    return QFileInfo(dir.filePath(QStringLiteral("HEAD"))).isFile() &&
           QFileInfo(dir.filePath(QStringLiteral("objects"))).isDir() &&
           QFileInfo(dir.filePath(QStringLiteral("refs"))).isDir();
}

bool isRepository(const QString &path) {
    return QDir(path).exists(QStringLiteral(".git")) || isBareRepository(path);
}

} // namespace

std::optional<GitContextSpec> GitContextSpec::parse(const QString &context) {
    QString base = context;
    QString fragment;
    const qsizetype hash = context.indexOf(QLatin1Char('#'));
    if (hash >= 0) {
        base = context.left(hash);
        fragment = context.mid(hash + 1);
    }
    GitContextSpec spec;
    const auto starts = [&](const char *prefix) {
        return base.startsWith(QLatin1String(prefix), Qt::CaseInsensitive);
    };
    if (starts("git://") || starts("git@") || starts("ssh://")) {
        spec.url = base;
    } else if (starts("github.com/")) {
        spec.url = QStringLiteral("https://") + base;
    } else if (starts("http://") || starts("https://")) {
        if (!QUrl(base).path().endsWith(QLatin1String(".git")))
            return std::nullopt; // a plain URL (a tarball or a Dockerfile), not a repository
        spec.url = base;
    } else if (starts("file://")) {
        spec.url = QUrl(base).toLocalFile();
        if (spec.url.isEmpty())
            return std::nullopt;
    } else {
        // A local repository: only when a ref is asked for, or when it has no work tree.
        if (base.isEmpty() || !QFileInfo(base).isDir() || !isRepository(base))
            return std::nullopt;
        if (hash < 0 && !isBareRepository(base))
            return std::nullopt;
        spec.url = QFileInfo(base).absoluteFilePath();
    }
    spec.ref = fragment.section(QLatin1Char(':'), 0, 0);
    spec.subdir = fragment.section(QLatin1Char(':'), 1);
    return spec;
}

QString GitContextSpec::publicUrl() const {
    if (url.startsWith(QLatin1Char('/')))
        return url;
    const QUrl parsed(url);
    if (!parsed.isValid() || parsed.scheme().isEmpty())
        return url; // scp-like git@host:path
    return parsed.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveFragment).toString();
}

namespace {

void initLibgit2() {
    static std::once_flag once;
    std::call_once(once, [] { git_libgit2_init(); });
}

QString lastGitError() {
    const git_error *e = git_error_last();
    return e && e->message ? QString::fromUtf8(e->message).trimmed()
                           : QStringLiteral("unknown libgit2 error");
}

struct CloneState {
    const std::function<void(const QString &)> *say = nullptr;
    const std::atomic<bool> *cancelled = nullptr;
    QUrl credentials; // user and password given in the URL
    bool triedCredentials = false;
    int lastPercent = -1;
};

int onTransfer(const git_indexer_progress *stats, void *payload) {
    auto *state = static_cast<CloneState *>(payload);
    if (state->cancelled && state->cancelled->load())
        return GIT_EUSER;
    if (stats->total_objects > 0 && state->say && *state->say) {
        const int percent = int(100.0 * stats->received_objects / stats->total_objects);
        // Every 25 %: enough to see a large clone move, little enough for a log.
        if (percent / 25 != state->lastPercent / 25 || percent == 100) {
            if (percent != state->lastPercent)
                (*state->say)(QStringLiteral("Receiving objects: %1% (%2/%3)")
                                  .arg(percent)
                                  .arg(stats->received_objects)
                                  .arg(stats->total_objects));
            state->lastPercent = percent;
        }
    }
    return 0;
}

int onCredentials(git_credential **out, const char *, const char *, unsigned int allowed,
                  void *payload) {
    auto *state = static_cast<CloneState *>(payload);
    if (state->triedCredentials || state->credentials.userName().isEmpty() ||
        !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
        return GIT_PASSTHROUGH;
    state->triedCredentials = true;
    return git_credential_userpass_plaintext_new(
        out, state->credentials.userName().toUtf8().constData(),
        state->credentials.password().toUtf8().constData());
}

void setCallbacks(git_remote_callbacks &callbacks, CloneState &state) {
    callbacks.transfer_progress = onTransfer;
    callbacks.credentials = onCredentials;
    callbacks.payload = &state;
}

template <typename T, void (*Free)(T *)> struct GitPtr {
    T *p = nullptr;
    ~GitPtr() {
        if (p)
            Free(p);
    }
};

// The commit `ref` names: a tag, a branch of origin, a full ref, or a commit (also abbreviated).
// A ref the clone did not bring (refs/pull/1/head) is fetched.
Result<git_oid> resolveRef(git_repository *repo, const QString &ref, CloneState &state) {
    QStringList candidates;
    if (ref.isEmpty()) {
        candidates << QStringLiteral("HEAD");
    } else {
        candidates << QStringLiteral("refs/tags/") + ref
                   << QStringLiteral("refs/remotes/origin/") + ref << ref;
    }
    for (const QString &spec : std::as_const(candidates)) {
        GitPtr<git_object, git_object_free> obj;
        if (git_revparse_single(&obj.p, repo, spec.toUtf8().constData()) != 0)
            continue;
        GitPtr<git_object, git_object_free> commit;
        if (git_object_peel(&commit.p, obj.p, GIT_OBJECT_COMMIT) != 0)
            continue;
        return *git_object_id(commit.p);
    }
    // Not among the cloned refs: ask the remote for it.
    GitPtr<git_remote, git_remote_free> remote;
    if (git_remote_lookup(&remote.p, repo, "origin") == 0) {
        const QByteArray refspec = QStringLiteral("+%1:refs/berth/wanted").arg(ref).toUtf8();
        char *specs[] = {const_cast<char *>(refspec.constData())};
        const git_strarray array{specs, 1};
        git_fetch_options fetch = GIT_FETCH_OPTIONS_INIT;
        setCallbacks(fetch.callbacks, state);
        if (git_remote_fetch(remote.p, &array, &fetch, nullptr) == 0) {
            GitPtr<git_object, git_object_free> commit;
            if (git_revparse_single(&commit.p, repo, "refs/berth/wanted^{commit}") == 0)
                return *git_object_id(commit.p);
        } else if (state.cancelled && state.cancelled->load()) {
            return fail(ErrorKind::Cancelled, QStringLiteral("cancelled"));
        }
    }
    return fail(ErrorKind::NotFound,
                QStringLiteral("no branch, tag or commit \"%1\" in the repository").arg(ref));
}

Status updateSubmodules(git_repository *repo, CloneState &state);

int onSubmodule(git_submodule *sm, const char *, void *payload) {
    auto *args = static_cast<std::pair<CloneState *, Status *> *>(payload);
    git_submodule_update_options options = GIT_SUBMODULE_UPDATE_OPTIONS_INIT;
    options.checkout_opts.checkout_strategy = GIT_CHECKOUT_FORCE;
    setCallbacks(options.fetch_opts.callbacks, *args->first);
    const QString path = QString::fromUtf8(git_submodule_path(sm));
    if (git_submodule_update(sm, 1, &options) != 0) {
        *args->second = fail(ErrorKind::Unavailable,
                             QStringLiteral("submodule %1: %2").arg(path, lastGitError()));
        return -1;
    }
    GitPtr<git_repository, git_repository_free> sub;
    if (git_submodule_open(&sub.p, sm) == 0)
        if (auto s = updateSubmodules(sub.p, *args->first); !s) {
            *args->second = fail(s.error().withContext(QStringLiteral("submodule %1").arg(path)));
            return -1;
        }
    return 0;
}

Status updateSubmodules(git_repository *repo, CloneState &state) {
    Status status;
    std::pair<CloneState *, Status *> args{&state, &status};
    const int rc = git_submodule_foreach(repo, onSubmodule, &args);
    if (!status)
        return status;
    if (rc != 0)
        return fail(ErrorKind::Internal, QStringLiteral("submodules: %1").arg(lastGitError()));
    return {};
}

// The .git directories (and a submodule's .git file) are not part of the context.
void removeGitDirs(const QString &root) {
    QList<QString> pending{root};
    while (!pending.isEmpty()) {
        const QString dir = pending.takeLast();
        const QString git = dir + QStringLiteral("/.git");
        const QFileInfo info(git);
        if (info.isSymLink() || info.isFile())
            QFile::remove(git);
        else if (info.isDir())
            (void)removeTree(git);
        const QStringList subdirs = QDir(dir).entryList(QDir::Dirs | QDir::Hidden |
                                                        QDir::NoDotAndDotDot | QDir::NoSymLinks);
        for (const QString &s : subdirs)
            pending.append(dir + QLatin1Char('/') + s);
    }
}

} // namespace

GitCheckout::~GitCheckout() {
    if (!m_tempDir.isEmpty())
        (void)removeTree(m_tempDir);
}

Result<std::unique_ptr<GitCheckout>>
GitCheckout::clone(const GitContextSpec &spec, const QString &parentDir,
                   const std::function<void(const QString &)> &say,
                   const std::atomic<bool> *cancelled) {
    initLibgit2();
    std::unique_ptr<GitCheckout> checkout(new GitCheckout);
    checkout->m_tempDir =
        parentDir + QLatin1Char('/') + uniqueTempName(QStringLiteral("build-git"));
    checkout->m_root = checkout->m_tempDir + QStringLiteral("/src");
    if (auto s = makeDirectories(checkout->m_tempDir); !s)
        return fail(s.error());
    const QString where = spec.publicUrl();
    auto gitFail = [&](ErrorKind kind, const QString &what) {
        if (cancelled && cancelled->load())
            return fail(ErrorKind::Cancelled,
                        QStringLiteral("git context %1: cancelled").arg(where));
        return fail(kind,
                    QStringLiteral("git context %1: %2: %3").arg(where, what, lastGitError()));
    };

    CloneState state;
    state.say = &say;
    state.cancelled = cancelled;
    state.credentials = QUrl(spec.url);
    if (say)
        say(QStringLiteral("Cloning %1").arg(where));
    git_clone_options options = GIT_CLONE_OPTIONS_INIT;
    options.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
    options.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL;
    setCallbacks(options.fetch_opts.callbacks, state);
    GitPtr<git_repository, git_repository_free> repo;
    if (git_clone(&repo.p, spec.url.toUtf8().constData(),
                  QFile::encodeName(checkout->m_root).constData(), &options) != 0)
        return gitFail(ErrorKind::Unavailable, QStringLiteral("clone"));

    auto oid = resolveRef(repo.p, spec.ref, state);
    if (!oid)
        return fail(oid.error().withContext(QStringLiteral("git context %1").arg(where)));
    GitPtr<git_commit, git_commit_free> commit;
    if (git_commit_lookup(&commit.p, repo.p, &*oid) != 0)
        return gitFail(ErrorKind::Corrupt, QStringLiteral("commit"));
    git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
    co.checkout_strategy = GIT_CHECKOUT_FORCE;
    if (git_checkout_tree(repo.p, reinterpret_cast<git_object *>(commit.p), &co) != 0 ||
        git_repository_set_head_detached(repo.p, &*oid) != 0)
        return gitFail(ErrorKind::Internal, QStringLiteral("checkout"));
    if (auto s = updateSubmodules(repo.p, state); !s) {
        if (cancelled && cancelled->load())
            return fail(ErrorKind::Cancelled,
                        QStringLiteral("git context %1: cancelled").arg(where));
        return fail(s.error().withContext(QStringLiteral("git context %1").arg(where)));
    }
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &*oid);
    checkout->m_commit = QString::fromLatin1(hex);
    repo = {};
    removeGitDirs(checkout->m_root);

    // The subdirectory must stay inside the checkout, also through symlinks.
    const QString rootCanonical = QFileInfo(checkout->m_root).canonicalFilePath();
    QString dir = checkout->m_root;
    if (!spec.subdir.isEmpty()) {
        const QString clean = QDir::cleanPath(spec.subdir);
        if (clean.startsWith(QLatin1Char('/')) || clean == QLatin1String("..") ||
            clean.startsWith(QLatin1String("../")))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("git context %1: subdirectory \"%2\" leaves the repository")
                            .arg(where, spec.subdir));
        dir = checkout->m_root + QLatin1Char('/') + clean;
        const QString canonical = QFileInfo(dir).canonicalFilePath();
        if (canonical.isEmpty() || !QFileInfo(canonical).isDir())
            return fail(ErrorKind::NotFound,
                        QStringLiteral("git context %1: no directory \"%2\" at %3")
                            .arg(where, spec.subdir,
                                 spec.ref.isEmpty() ? QStringLiteral("HEAD") : spec.ref));
        if (canonical != rootCanonical && !canonical.startsWith(rootCanonical + QLatin1Char('/')))
            return fail(ErrorKind::InvalidArgument,
                        QStringLiteral("git context %1: subdirectory \"%2\" leaves the repository")
                            .arg(where, spec.subdir));
    }
    checkout->m_contextDir = dir;
    if (say)
        say(QStringLiteral("Checked out %1 at %2")
                .arg(spec.ref.isEmpty() ? QStringLiteral("HEAD") : spec.ref,
                     checkout->m_commit.left(12)));
    return checkout;
}

} // namespace Berth::Engine
