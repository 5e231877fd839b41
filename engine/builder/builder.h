// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/builder/buildcache.h"
#include "engine/content/contentstore.h"
#include "engine/images/imagestore.h"
#include "engine/runtime/containerruntime.h"
#include "engine/snapshots/snapshotstore.h"

#include <QMap>
#include <QRegularExpression>
#include <QStringList>
#include <atomic>
#include <functional>

namespace Berth::Engine {

struct BuildOptions {
    // A directory, or a git repository (see GitContextSpec: `https://host/repo.git#ref:subdir`,
    // git://, file://, a local repository with `#ref`), checked out into a temporary directory
    // that is removed after the build; its commit becomes the org.opencontainers.image.revision
    // label and its URL the org.opencontainers.image.source label.
    QString context;
    // Path; empty: <context>/Dockerfile. A relative path is inside the context (for a git
    // context, that is the only place a Dockerfile can be).
    QString dockerfile;
    QStringList tags; // "name[:tag]"
    QMap<QString, QString> buildArgs;
    QString target; // stage name or index; empty: the last stage
    bool noCache = false;
    QMap<QString, QString> labels; // added to the final image
    // Polled between steps, while a RUN step runs (its container is then killed), while a git
    // context is cloned and while a URL is downloaded: the build then fails with
    // ErrorKind::Cancelled and leaves nothing behind but cache entries of finished steps.
    const std::atomic<bool> *cancel = nullptr;
};

// What the builder reports as it goes, for a live view (the GUI's Build page): a step starts
// (record has the stage, instruction and lines) and finishes (record complete).
struct BuildStepEvent {
    enum class Kind { Started, Finished };
    Kind kind = Kind::Started;
    int number = 0; // 1-based, as in "Step 2/5"
    int total = 0;
    BuildStepRecord record;
};

struct BuildResult {
    ImageRecord image;
    QList<BuildStepRecord> steps; // the target stage's steps (with FROM)
    QString gitCommit;            // for a git context: the commit that was built
};

// Builds an image from a Dockerfile and a context directory, like the classic `docker build`.
//
// Each stage starts from its FROM image (from the store, pulled when missing) or from an
// earlier stage. RUN runs a container (through ContainerRuntime, so runc on overlayfs) on the
// current layers with the stage's env/workdir/user/shell; its read-write layer becomes a new
// layer (overlay whiteouts written back as OCI `.wh.` entries). COPY/ADD write a layer straight
// from the context (minus .dockerignore) or from another stage or image, with --chown (names
// from the image's /etc/passwd and /etc/group), --chmod, --exclude and --parents; ADD also
// unpacks a local tar archive (any compression) named as a source, downloads http(s) URLs
// (never unpacked; --checksum) and copies git repositories at a ref. ONBUILD triggers of a base
// image run right after its FROM and are not inherited. The other instructions change the
// config and add an empty_layer history entry.
//
// Cache: every step is keyed on the config digest of the state before it (which covers the
// layer chain, env, workdir, user, shell), the instruction after substitution, the ARG values a
// RUN sees and, for COPY/ADD, a hash of each copied file's content, mode and owner (not its
// mtime). A hit reuses the stored state, so a rebuild with nothing changed yields the same
// image ID and no new layer. Entries live in BuildCache; an entry whose layer blobs were
// garbage-collected is a miss.
//
// Provenance (Dockerfile lines, cache hit or not, and for a step that ran, which of its inputs
// changed since the step at the same place of the same Dockerfile and context last ran) is kept
// beside the image by BuildCache rather than in the config: the config must not change on a
// cache hit, and lines move when a Dockerfile is edited above a step.
//
// Intermediate images (what each RUN runs on) are recorded in the image store while needed and
// removed at the end unless they existed before. The caller holds the store's write lock.
class Builder {
public:
    Builder(const StorePaths &paths, ContentStore &content, SnapshotStore &snapshots,
            ImageStore &images, ContainerRuntime &containers);
    // Receives the build's output, line by line (without the newline), as the classic builder
    // prints it: "Step 2/5 : RUN ...", " ---> Using cache", the output of RUN steps.
    void setOutputHandler(std::function<void(const QString &)> handler) {
        m_output = std::move(handler);
    }
    // Receives the Dockerfile as read (its name and text), before the first step; for a git
    // context, the checkout's.
    void setDockerfileHandler(std::function<void(const QString &, const QString &)> handler) {
        m_dockerfile = std::move(handler);
    }
    // Receives each step's start and end (called on the building thread).
    void setStepHandler(std::function<void(const BuildStepEvent &)> handler) {
        m_steps = std::move(handler);
    }
    Result<BuildResult> build(const BuildOptions &options);

private:
    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    ContainerRuntime &m_containers;
    std::function<void(const QString &)> m_output;
    std::function<void(const BuildStepEvent &)> m_steps;
    std::function<void(const QString &, const QString &)> m_dockerfile;
};

// .dockerignore rules: patterns with *, ?, ** and [..], `!` exceptions, last match wins; a
// pattern that matches a directory excludes everything below it.
class DockerIgnore {
public:
    static DockerIgnore parse(const QString &text);
    bool excludes(const QString &relativePath) const;
    bool hasExceptions() const;

private:
    struct Rule {
        QRegularExpression re;
        bool exception = false;
    };
    QList<Rule> m_rules;
};

} // namespace Berth::Engine
