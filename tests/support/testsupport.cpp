// SPDX-License-Identifier: GPL-3.0-or-later
#include "tests/support/testsupport.h"

#include <QDir>
#include <QStandardPaths>
#include <QThread>

namespace Berth::Test {

bool requireAllTests() {
    return qEnvironmentVariable("BERTH_REQUIRE_ALL_TESTS") == QLatin1String("1");
}

QString findTool(const QString &name) {
    QString found = QStandardPaths::findExecutable(name);
    if (found.isEmpty())
        found = QStandardPaths::findExecutable(
            name, {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    return found;
}

QString scratchBase() {
    // /var/tmp is on the disk (overlayfs cannot use tmpfs lower dirs with trusted xattrs on
    // some kernels, and big test data should not fill RAM).
    const QString base = qEnvironmentVariable("BERTH_TEST_TMP", QStringLiteral("/var/tmp"));
    QDir().mkpath(base);
    return base;
}

TestStore::TestStore()
    : m_dir(scratchBase() + QStringLiteral("/berth-test-XXXXXX")) {}

TestStore::~TestStore() {
    m_engine.reset();
    // Work the GUI under test started may still be finishing in the store (its last file
    // goes a moment later): a removal that found the directory not empty is tried again, so
    // no empty store directory is left behind.
    for (int attempt = 0; attempt < 50 && !m_dir.remove(); ++attempt)
        QThread::msleep(100);
}

Engine::StorePaths TestStore::paths() const {
    return Engine::StorePaths(m_dir.path());
}

Engine::Engine &TestStore::engine() {
    if (!m_engine) {
        auto e = Engine::Engine::open(paths());
        if (!e)
            qFatal("cannot open test store: %s", qPrintable(e.error().message));
        m_engine = std::move(*e);
    }
    return *m_engine;
}

QProcessEnvironment TestStore::environment() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("BERTH_ROOT"), m_dir.path());
    return env;
}

QString ProcessResult::describe() const {
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
        .arg(exitCode)
        .arg(QString::fromUtf8(out.left(4000)), QString::fromUtf8(err.left(4000)));
}

ProcessResult run(const QString &program, const QStringList &args, const QProcessEnvironment &env,
                  int timeoutMs, const QByteArray &input) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(30000)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out\n" + p.readAllStandardError();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

ProcessResult berthctl(const TestStore &store, const QStringList &args, int timeoutMs) {
    return run(QStringLiteral(BERTH_BERTHCTL), args, store.environment(), timeoutMs);
}

} // namespace Berth::Test
