// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/content/contentstore.h"
#include "engine/core/digest.h"
#include "engine/core/storepaths.h"
#include "engine/images/imagestore.h"

#include <QList>
#include <QMap>
#include <QPair>
#include <QSet>
#include <QStringList>
#include <optional>

namespace Berth::Engine {

// One reason why a build step ran instead of coming from the cache.
struct BuildRerunReason {
    enum class Kind {
        FirstBuild,   // no earlier run of the step at this place of this Dockerfile and context
        NoCache,      // --no-cache
        CacheRemoved, // the same inputs, but the cached result is gone (garbage-collected)
        Instruction,  // the instruction (after substitution) changed
        BuildArgs,    // the values of `names` changed
        FilesChanged, // copied files `names` changed (content, mode or owner)
        FilesAdded,
        FilesRemoved,
        Download, // an ADD URL's content changed
        Parent,   // the state before the step changed (an earlier step ran)
    };
    Kind kind = Kind::FirstBuild;
    QStringList names;

    // In English, as berthctl prints it ("b.txt changed", "build arg HOW changed").
    QString text() const;
    static QString kindName(Kind kind); // for the provenance file: "files-changed"
    static std::optional<Kind> kindFromName(const QString &name);
    bool operator==(const BuildRerunReason &) const = default;
};

// Where one step of a build came from and what it made: the layer explorer's provenance.
struct BuildStepRecord {
    int stage = 0;
    QString instruction; // as written (continuations joined); ONBUILD triggers as stored
    int firstLine = 0;   // Dockerfile line range (a trigger has its FROM line)
    int lastLine = 0;
    bool trigger = false; // an ONBUILD trigger of the base image
    bool cached = false;
    bool emptyLayer = true;
    // Why the step ran instead of coming from the cache (empty when cached, and for FROM).
    QList<BuildRerunReason> reasons;
    int historyIndex = -1; // its entry in the image config's history; -1 for FROM
    Digest diffId;         // the layer it made (invalid for config-only steps)
    Digest imageId;        // the state after the step (Docker's intermediate image ID)

    QStringList reasonTexts() const;
};

// What an image's build recorded, beside the image (see BuildCache).
struct BuildProvenance {
    QString context;              // the directory or the git URL (without credentials)
    QString dockerfile;           // its path, relative to the context when inside it
    QString gitCommit;            // for a git context
    QList<BuildStepRecord> steps; // the target stage's steps, FROM first
};

// The inputs a step's cache key covers, kept per step so a rerun can say which one changed.
struct BuildStepInputs {
    Digest parent;                       // the state before the step
    QString instruction;                 // after substitution, with the flags that matter
    QList<QPair<QString, QString>> args; // ARG values a RUN sees
    QMap<QString, QString> files;        // COPY/ADD: source -> digest of what was copied
    QString extra;                       // anything else the key covers (a download's digest)

    Digest cacheKey() const;
    // What differs from `before` (empty when nothing does).
    QList<BuildRerunReason> changesSince(const BuildStepInputs &before) const;
};

// The build's side data under <store>/cache/build:
//   <key-hex>.json             the state a cache key produced (config and layers)
//   steps/<step-hex>.json      the inputs of a step's last run, keyed by where the step is
//                              (context, Dockerfile, stage, position)
//   provenance/<image-hex>.json the BuildProvenance of an image Berth built
// None of it keeps anything alive: a cache entry whose layer blobs were collected is a miss, and
// collectGarbage() removes it, the provenance of removed images, and step inputs whose cache
// entry or context directory is gone.
class BuildCache {
public:
    BuildCache(const StorePaths &paths, ContentStore &content);

    struct Entry {
        QByteArray config;
        QList<LayerRecord> layers;
    };
    std::optional<Entry> get(const Digest &key) const;
    void put(const Digest &key, const Entry &entry);

    std::optional<BuildStepInputs> lastInputs(const Digest &stepId) const;
    // `context` is the step's build context (a directory, or a git URL): inputs of a directory
    // that is gone (a temporary one, an API build's) are collected.
    void putInputs(const Digest &stepId, const BuildStepInputs &inputs, const QString &context);

    Status putProvenance(const Digest &imageId, const BuildProvenance &provenance);
    static Result<BuildProvenance> provenance(const StorePaths &paths, const Digest &imageId);

    // Removes what no live image needs any more (see above); returns the bytes freed. Called by
    // garbage collection, which holds the store's lock exclusively.
    static qint64 collectGarbage(const StorePaths &paths, const ContentStore &content,
                                 const QSet<Digest> &liveImages);

private:
    QString dir() const;
    StorePaths m_paths;
    ContentStore &m_content;
};

} // namespace Berth::Engine
