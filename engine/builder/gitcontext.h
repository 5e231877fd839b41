// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/core/result.h"

#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Berth::Engine {

// A build context in a git repository, as `docker build` takes it: `URL#REF:SUBDIR`.
struct GitContextSpec {
    QString url;    // what libgit2 clones: https://, http://, git://, ssh://, file:// or a path
    QString ref;    // branch, tag, full ref or commit; empty: the remote's HEAD
    QString subdir; // the context inside the repository; empty: its root

    // Docker's rules: git://, git@host:, ssh://, http(s) URLs whose path ends in .git (before
    // the fragment), github.com/...; file:// URLs; and local paths that are a git repository
    // when they name a ref (`repo#v1`) or are bare. A plain directory, even a git work tree,
    // stays a directory context. std::nullopt when `context` is not a git context.
    static std::optional<GitContextSpec> parse(const QString &context);
    // The URL without credentials, for the image's org.opencontainers.image.source label.
    QString publicUrl() const;
};

// A commit of a git repository checked out (with its submodules) into a temporary directory,
// without the .git directories, as BuildKit's git source does. The directory is removed when
// the checkout is destroyed. Cloning goes through libgit2; `cancelled` is polled while objects
// are received and makes the clone fail with ErrorKind::Cancelled.
class GitCheckout {
public:
    ~GitCheckout();
    GitCheckout(const GitCheckout &) = delete;
    GitCheckout &operator=(const GitCheckout &) = delete;

    static Result<std::unique_ptr<GitCheckout>>
    clone(const GitContextSpec &spec, const QString &parentDir,
          const std::function<void(const QString &)> &say = {},
          const std::atomic<bool> *cancelled = nullptr);

    QString root() const { return m_root; }
    // root() + the spec's subdir, checked to stay inside the checkout.
    QString contextDir() const { return m_contextDir; }
    QString commit() const { return m_commit; } // 40 hex digits

private:
    GitCheckout() = default;
    QString m_tempDir;
    QString m_root;
    QString m_contextDir;
    QString m_commit;
};

} // namespace Berth::Engine
