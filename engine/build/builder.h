// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/images/imagestore.h"
#include "engine/runtime/containerruntime.h"
#include "engine/snapshots/snapshotstore.h"

#include <QMap>
#include <QRegularExpression>
#include <QStringList>
#include <functional>

namespace Berth::Engine {

struct BuildOptions {
    QString context;    // a directory
    QString dockerfile; // path; empty: <context>/Dockerfile
    QStringList tags;   // "name[:tag]"
    QMap<QString, QString> buildArgs;
    QString target; // stage name or index; empty: the last stage
    bool noCache = false;
    QMap<QString, QString> labels; // added to the final image
};

// Where one step of the build came from and what it made: the layer explorer's provenance.
struct BuildStepRecord {
    int stage = 0;
    QString instruction; // as written (continuations joined)
    int firstLine = 0;   // Dockerfile line range
    int lastLine = 0;
    bool cached = false;
    bool emptyLayer = true;
    Digest diffId;  // the layer it made (invalid for config-only steps)
    Digest imageId; // the state after the step (Docker's intermediate image ID)
};

struct BuildResult {
    ImageRecord image;
    QList<BuildStepRecord> steps; // the target stage's steps (with FROM)
};

// Builds an image from a Dockerfile and a context directory, like the classic `docker build`.
//
// Each stage starts from its FROM image (from the store, pulled when missing) or from an
// earlier stage. RUN runs a container (through ContainerRuntime, so runc on overlayfs) on the
// current layers with the stage's env/workdir/user/shell; its read-write layer becomes a new
// layer (overlay whiteouts written back as OCI `.wh.` entries). COPY/ADD write a layer straight
// from the context (minus .dockerignore) or from another stage or image. The other
// instructions change the config and add an empty_layer history entry.
//
// Cache: every step is keyed on the config digest of the state before it (which covers the
// layer chain, env, workdir, user, shell), the instruction after substitution, the ARG values a
// RUN sees and, for COPY/ADD, a hash of the copied files' content, modes and owners (not their
// mtimes). A hit reuses the stored state, so a rebuild with nothing changed yields the same
// image ID and no new layer. Entries live in <store>/cache/build/<key>.json; an entry whose
// layer blobs were garbage-collected is a miss.
//
// Provenance (Dockerfile lines, cache hit or not) is kept beside the image in
// <store>/cache/build/provenance/<image-hex>.json rather than in the config: the config must
// not change on a cache hit, and lines move when a Dockerfile is edited above a step.
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
    Result<BuildResult> build(const BuildOptions &options);

    // The provenance recorded by the build that made `imageId`; NotFound when none.
    static Result<QList<BuildStepRecord>> provenance(const StorePaths &paths,
                                                     const Digest &imageId);

private:
    StorePaths m_paths;
    ContentStore &m_content;
    SnapshotStore &m_snapshots;
    ImageStore &m_images;
    ContainerRuntime &m_containers;
    std::function<void(const QString &)> m_output;
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
