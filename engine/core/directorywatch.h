// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <memory>

namespace Berth::Engine {

// Waits for the entries of one directory to change, with inotify: the kernel wakes the waiter,
// whichever process made the change. For what has no notification of its own: a container's
// directory (its log grows or rotates, its shim writes exit.json, or closes shim.lock as it
// exits) and the store's root (a commit of the database changes berth.db or its -wal file, so
// the events journal or a container's row may have changed). Subdirectories are not watched.
//
// A wake says "look again", never what changed: callers re-read what they wait for and loop.
// Without inotify (no watches left), wait() returns after at most 100 ms, so such loops work,
// only polling. Owned by one thread at a time; not copyable.
class DirectoryWatch {
public:
    explicit DirectoryWatch(const QString &directory);
    // Watches the directory `file` is in: wakes when the file or a sibling changes, e.g. the
    // database (a commit writes its -wal beside it) or a container's log (rotated beside it).
    static std::unique_ptr<DirectoryWatch> ofFile(const QString &file);
    ~DirectoryWatch();
    DirectoryWatch(const DirectoryWatch &) = delete;
    DirectoryWatch &operator=(const DirectoryWatch &) = delete;

    enum class Woke { Changed, HungUp, Interrupted, TimedOut };
    // Returns once the directory changed (its events consumed), `hangUpFd` (when >= 0; a
    // socket or pipe) was hung up entirely by its peer, a signal arrived, or `timeoutMs` passed
    // (-1: no limit), whichever comes first. Neither data waiting on `hangUpFd` nor a peer that
    // only ended its input (shut its writing half) wakes it.
    Woke wait(int timeoutMs, int hangUpFd = -1) const;

private:
    int m_fd = -1;
};

} // namespace Berth::Engine
