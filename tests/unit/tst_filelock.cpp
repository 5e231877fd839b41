// SPDX-License-Identifier: GPL-3.0-or-later
// The engine's one file lock: shared holders coexist, an exclusive one excludes them (also
// within one process), Try never waits, a blocked waiter gets the lock when the holder lets go,
// probes see only what conflicts, and a waiter can tell that its file was renamed away.
#include "engine/core/filelock.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QtConcurrent/QtConcurrentRun>
#include <atomic>
#include <unistd.h>

using namespace Berth::Engine;

class TestFileLock : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sharedCoexistExclusiveExcludes();
    void blockedWaiterGetsTheLockOnRelease();
    void probesSeeOnlyConflictingHolders();
    void existingFileOnly();
    void renamedFileIsNoLongerAtThePath();
};

void TestFileLock::sharedCoexistExclusiveExcludes() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("store.lock"));
    auto a = FileLock::acquire(path, FileLock::Mode::Shared);
    auto b = FileLock::acquire(path, FileLock::Mode::Shared, FileLock::Wait::Try);
    BERTH_VERIFY_OK(a);
    BERTH_VERIFY_OK(b);
    auto c = FileLock::acquire(path, FileLock::Mode::Exclusive, FileLock::Wait::Try);
    QVERIFY(!c);
    QCOMPARE(c.error().kind, ErrorKind::Unavailable);
    *a = std::move(*b); // the first shared lock is released, the second moved into it
    QVERIFY(!FileLock::acquire(path, FileLock::Mode::Exclusive, FileLock::Wait::Try));
    a = FileLock::acquire(dir.filePath(QStringLiteral("other")), FileLock::Mode::Shared);
    BERTH_VERIFY_OK(FileLock::acquire(path, FileLock::Mode::Exclusive, FileLock::Wait::Try));
}

void TestFileLock::blockedWaiterGetsTheLockOnRelease() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("op.lock"));
    auto held = FileLock::acquire(path, FileLock::Mode::Exclusive);
    BERTH_VERIFY_OK(held);
    std::atomic<bool> got{false};
    auto waiter = QtConcurrent::run([&] {
        auto lock = FileLock::acquire(path, FileLock::Mode::Exclusive);
        got = bool(lock);
        return bool(lock);
    });
    QVERIFY(!got);
    { FileLock release = std::move(*held); } // the holder lets go
    QVERIFY(waiter.result());
}

void TestFileLock::probesSeeOnlyConflictingHolders() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shim.lock"));
    QVERIFY(!FileLock::isBusy(path, FileLock::Mode::Exclusive)); // missing: free
    QVERIFY(!QFile::exists(path));                               // and not created
    {
        auto shared = FileLock::acquire(path, FileLock::Mode::Shared);
        BERTH_VERIFY_OK(shared);
        QVERIFY(!FileLock::isBusy(path, FileLock::Mode::Shared));
        QVERIFY(FileLock::isBusy(path, FileLock::Mode::Exclusive));
    }
    auto exclusive = FileLock::acquire(path, FileLock::Mode::Exclusive);
    BERTH_VERIFY_OK(exclusive);
    QVERIFY(FileLock::isBusy(path, FileLock::Mode::Shared));
}

void TestFileLock::existingFileOnly() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("shim.lock"));
    auto missing = FileLock::acquireExisting(path, FileLock::Mode::Shared);
    QVERIFY(!missing);
    QCOMPARE(missing.error().kind, ErrorKind::NotFound);
    QVERIFY(!QFile::exists(path));
    BERTH_VERIFY_OK(FileLock::acquire(path, FileLock::Mode::Exclusive));
    BERTH_VERIFY_OK(FileLock::acquireExisting(path, FileLock::Mode::Shared));
}

void TestFileLock::renamedFileIsNoLongerAtThePath() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("data"));
    auto lock = FileLock::acquire(path, FileLock::Mode::Exclusive);
    BERTH_VERIFY_OK(lock);
    QVERIFY(lock->isStillAt(path));
    QVERIFY(QFile::rename(path, dir.filePath(QStringLiteral("committed"))));
    QVERIFY(!lock->isStillAt(path));
    // The lock goes with the descriptor handed out.
    const int fd = std::move(*lock).intoDescriptor();
    QVERIFY(fd >= 0);
    QVERIFY(FileLock::isBusy(dir.filePath(QStringLiteral("committed")), FileLock::Mode::Shared));
    ::close(fd);
    QVERIFY(!FileLock::isBusy(dir.filePath(QStringLiteral("committed")), FileLock::Mode::Shared));
}

QTEST_GUILESS_MAIN(TestFileLock)
#include "tst_filelock.moc"
