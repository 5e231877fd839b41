// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "engine/engine.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

namespace Berth::Test {

// True when CI asked for every test to run (BERTH_REQUIRE_ALL_TESTS=1): then a missing
// prerequisite is a failure, not a skip.
bool requireAllTests();

// Skips the current test (or fails it under BERTH_REQUIRE_ALL_TESTS) when `condition` is false.
#define BERTH_REQUIRE(condition, reason)                                                           \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            if (::Berth::Test::requireAllTests())                                                  \
                QFAIL(qPrintable(                                                                  \
                    QStringLiteral("prerequisite missing (BERTH_REQUIRE_ALL_TESTS): ") +           \
                    QString(reason)));                                                             \
            QSKIP(qPrintable(QString(reason)));                                                    \
        }                                                                                          \
    } while (false)

#define BERTH_REQUIRE_ROOT() BERTH_REQUIRE(::geteuid() == 0, QStringLiteral("needs root"))
#define BERTH_REQUIRE_TOOL(tool)                                                                   \
    BERTH_REQUIRE(!::Berth::Test::findTool(QStringLiteral(tool)).isEmpty(),                        \
                  QStringLiteral("needs %1 installed").arg(QStringLiteral(tool)))

// What running containers in a test needs: root, busybox-static and an OCI runtime.
#define BERTH_REQUIRE_CONTAINERS()                                                                 \
    do {                                                                                           \
        BERTH_REQUIRE_ROOT();                                                                      \
        BERTH_REQUIRE(QFile::exists(QStringLiteral("/bin/busybox")),                               \
                      QStringLiteral("needs busybox-static (/bin/busybox)"));                      \
        BERTH_REQUIRE(!::Berth::Test::findTool(QStringLiteral("runc")).isEmpty() ||                \
                          !::Berth::Test::findTool(QStringLiteral("crun")).isEmpty(),              \
                      QStringLiteral("needs runc or crun installed"));                             \
    } while (false)

// Verifies a Result and prints its error on failure.
#define BERTH_VERIFY_OK(expr)                                                                      \
    do {                                                                                           \
        const auto &berthResult_ = (expr);                                                         \
        if (!berthResult_)                                                                         \
            QFAIL(qPrintable(QStringLiteral(#expr " failed: ") + berthResult_.error().message));   \
    } while (false)

QString findTool(const QString &name);

// A private store in a temporary directory, with an engine opened on it.
class TestStore {
public:
    TestStore();
    ~TestStore();
    QString root() const { return m_dir.path(); }
    Engine::StorePaths paths() const;
    Engine::Engine &engine();
    // Environment for child processes (berthctl) using this store.
    QProcessEnvironment environment() const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Engine::Engine> m_engine;
};

struct ProcessResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QString describe() const; // for failure messages
};

// Runs a program to completion (a test may block; the GUI never does).
ProcessResult run(const QString &program, const QStringList &args,
                  const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(),
                  int timeoutMs = 300000, const QByteArray &input = {});
// Runs berthctl on `store`.
ProcessResult berthctl(const TestStore &store, const QStringList &args, int timeoutMs = 300000);

// A temporary directory on the same filesystem as the stores (not tmpfs), for test data.
QString scratchBase();

} // namespace Berth::Test
