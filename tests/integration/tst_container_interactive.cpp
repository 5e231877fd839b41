// SPDX-License-Identifier: GPL-3.0-or-later
// Interactive containers with real runc, driven like a user would: berthctl on a pseudo-
// terminal opened here (run -it: type, see the output, resize, exit with a code), piped stdin
// with run -i, attaching to a running container and leaving it with ctrl-p ctrl-q, create -it
// then start -ai. The container's terminal is held by its berth-shim, which serves the attach
// socket these sessions go through.
#include "engine/runtime/containerattach.h"
#include "tests/support/containertesting.h"
#include "tests/support/imagefixture.h"
#include "tests/support/ptysession.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Berth::Engine;
using namespace Berth::Test;

class TestContainerInteractive : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void runItIsAnInteractiveShell();
    void runInteractiveTakesPipedStdin();
    void attachToARunningShellAndDetach();
    void createItThenStartAi();
    void detachKeysAreConfigurable();

private:
    std::unique_ptr<TestStore> m_store;
};

void TestContainerInteractive::init() {
    BERTH_REQUIRE_ROOT();
    BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
    BERTH_REQUIRE_TOOL("runc");
    m_store = std::make_unique<TestStore>();
    BERTH_VERIFY_OK(installBusyboxImage(*m_store, {"stty", "wc", "head", "tr", "test", "tty"}));
}

void TestContainerInteractive::runItIsAnInteractiveShell() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    // The prompt comes from the container's shell, on the terminal its shim holds; what is
    // typed is computed there ($((...))), so the output is not just the terminal's echo.
    const PtyResult r = berthctlInPty(
        store, {"run", "-it", "--name", "shell", "busybox", "sh"},
        {{"/ # ", "echo typed-$((40+2)); tty; stty size\r"},
         // The user's terminal is resized; the container's follows before the next command.
         {"30 90", "stty size\r", winsize{41, 123, 0, 0}},
         {"41 123", "exit 3\r"}},
        winsize{30, 90, 0, 0});
    QVERIFY2(!r.timedOut, r.out.constData());
    QVERIFY2(r.exitCode == 3, r.out.constData());
    QVERIFY2(r.out.contains("typed-42\r\n"), r.out.constData());
    QVERIFY2(r.out.contains("/dev/pts/0\r\n"), r.out.constData());
    QVERIFY2(r.out.contains("41 123\r\n"), r.out.constData());

    // The session went to the log too, and the container is reported with its exit code.
    ContainerRuntime &rt = store.engine().containers();
    auto record = rt.get("shell");
    BERTH_VERIFY_OK(record);
    QCOMPARE(record->state, ContainerState::Exited);
    QCOMPARE(record->exitCode, 3);
    const ProcessResult logs = berthctl(store, {"logs", "shell"});
    QVERIFY2(logs.out.contains("typed-42"), qPrintable(logs.describe()));
    // Docker's rule: a terminal session that reads stdin needs a terminal on stdin.
    const ProcessResult piped =
        run(BERTH_BERTHCTL, {"run", "-it", "busybox", "true"}, store.environment(), 300000, "x");
    QVERIFY2(piped.exitCode != 0 && piped.err.contains("the input device is not a TTY"),
             qPrintable(piped.describe()));
}

void TestContainerInteractive::runInteractiveTakesPipedStdin() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = run(BERTH_BERTHCTL, {"run", "-i", "--rm", "busybox", "cat"},
                          store.environment(), 300000, "hi\n");
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("hi\n"));
    // The end of the input ends the container's stdin; its output and exit code come back.
    r = run(BERTH_BERTHCTL,
            {"run", "-i", "--rm", "busybox", "sh", "-c", "wc -c; echo eof >&2; exit 7"},
            store.environment(), 300000, QByteArray(3 * 1000 * 1000, 'x'));
    QVERIFY2(r.exitCode == 7, qPrintable(r.describe()));
    QCOMPARE(r.out.trimmed(), QByteArray("3000000"));
    QCOMPARE(r.err, QByteArray("eof\n"));
    // Without -i the container's stdin is empty, whatever berthctl is given.
    r = run(BERTH_BERTHCTL, {"run", "--rm", "busybox", "sh", "-c", "cat; echo done"},
            store.environment(), 300000, "not for the container\n");
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("done\n"));
    // Everything printed before berthctl attached is shown, also more than the shim keeps
    // for it (the container waits until berthctl reads).
    r = berthctl(store, {"run", "--rm", "busybox", "sh", "-c",
                         "head -c 3000000 /dev/zero | tr '\\0' x; echo; echo end"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe().left(2000)));
    QCOMPARE(r.out.size(), qsizetype(3000000 + 5));
    QCOMPARE(r.out.count('x'), qsizetype(3000000));
    QVERIFY(r.out.endsWith("x\nend\n"));
}

void TestContainerInteractive::attachToARunningShellAndDetach() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-dit", "--name", "bg", "busybox", "sh"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    ContainerRuntime &rt = store.engine().containers();
    // Typing into the running shell, then ctrl-p ctrl-q: berthctl leaves, the shell stays.
    PtyResult session =
        berthctlInPty(store, {"attach", "bg"},
                      {{"", "x=kept; echo attached-$((1+2))\r"}, {"attached-3\r\n", "\x10\x11"}});
    QVERIFY2(!session.timedOut, session.out.constData());
    QVERIFY2(session.exitCode == 0, session.out.constData());
    QCOMPARE(session.stepsDone, 2);
    auto record = rt.get("bg");
    BERTH_VERIFY_OK(record);
    QVERIFY(record->isRunning());
    // The shell kept its state (a variable set in the first session) for the next one, whose
    // `exit` ends the container and the attach with its code.
    session =
        berthctlInPty(store, {"attach", "bg"},
                      {{"", "echo again-$x\r"}, {"again-kept\r\n", "echo still-$x; exit 4\r"}});
    QVERIFY2(!session.timedOut, session.out.constData());
    QVERIFY2(session.exitCode == 4, session.out.constData());
    record = rt.get("bg");
    BERTH_VERIFY_OK(record);
    QCOMPARE(record->state, ContainerState::Exited);
    QCOMPARE(record->exitCode, 4);
    // Nothing to attach to any more.
    r = berthctl(store, {"attach", "bg"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("stopped container"), qPrintable(r.describe()));

    // A container without a terminal: attach -i feeds its stdin (detach keys are for people
    // typing at a terminal, so piped bytes pass untouched), and gets stdout/stderr apart.
    r = berthctl(store, {"run", "-di", "--name", "piped", "busybox", "sh", "-c",
                         "read line; echo got-$line; echo err >&2; exit 6"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = run(BERTH_BERTHCTL, {"attach", "piped"}, store.environment(), 300000,
            "a\x10\x11"
            "b\n");
    QVERIFY2(r.exitCode == 6, qPrintable(r.describe()));
    QCOMPARE(r.out, QByteArray("got-a\x10\x11"
                               "b\n"));
    QCOMPARE(r.err, QByteArray("err\n"));
}

void TestContainerInteractive::createItThenStartAi() {
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"create", "-it", "--name", "later", "busybox", "sh"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    auto record = store.engine().containers().get("later");
    BERTH_VERIFY_OK(record);
    QVERIFY(record->spec.tty);
    QVERIFY(record->spec.openStdin);
    const QJsonObject inspect = [&] {
        const ProcessResult i = berthctl(store, {"inspect", "later"});
        return QJsonDocument::fromJson(i.out).array().first().toObject();
    }();
    QCOMPARE(inspect.value("Config").toObject().value("Tty").toBool(), true);
    QCOMPARE(inspect.value("Config").toObject().value("OpenStdin").toBool(), true);

    // The shell's first prompt, printed before berthctl attached, is not lost.
    const PtyResult session =
        berthctlInPty(store, {"start", "-ai", "later"},
                      {{"/ # ", "echo started-$((3+3))\r"}, {"started-6\r\n", "exit 5\r"}});
    QVERIFY2(!session.timedOut, session.out.constData());
    QVERIFY2(session.exitCode == 5, session.out.constData());
    // Started again later, it is the same container with the same terminal settings.
    const PtyResult again = berthctlInPty(store, {"start", "-ai", "later"},
                                          {{"/ # ", "test -t 0 && echo on-a-tty; exit 0\r"}});
    QVERIFY2(again.exitCode == 0, again.out.constData());
    QVERIFY2(again.out.contains("on-a-tty"), again.out.constData());
}

void TestContainerInteractive::detachKeysAreConfigurable() {
    QCOMPARE(parseDetachKeys(DefaultDetachKeys).value_or(QByteArray()), QByteArray("\x10\x11"));
    QCOMPARE(parseDetachKeys("ctrl-a,x,ctrl-@,ctrl-_").value_or(QByteArray()),
             QByteArray("\x01x\x00\x1f", 4));
    QVERIFY(parseDetachKeys("").value_or(QByteArray("x")).isEmpty());
    for (const char *bad : {"ctrl-", "ctrl-1", "ab", "ctrl-p,,ctrl-q", "alt-x"})
        QVERIFY2(!parseDetachKeys(bad), bad);

    // A partial sequence that turns out to be something else is passed on, in order.
    DetachKeyMatcher matcher(QByteArray("\x10\x11"));
    QByteArray passed;
    QVERIFY(!matcher.feed("a\x10", 2, passed));
    QCOMPARE(passed, QByteArray("a")); // the \x10 waits to see what follows
    QVERIFY(!matcher.feed("\x10", 1, passed));
    QCOMPARE(passed, QByteArray("a\x10"));
    QVERIFY(matcher.feed("\x11zz", 3, passed));
    QCOMPARE(passed, QByteArray("a\x10"));

    // With other keys on a real session.
    TestStore &store = *m_store;
    ContainerCleanup cleanup(store);
    ProcessResult r = berthctl(store, {"run", "-dit", "--name", "keys", "busybox", "sh"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const PtyResult session = berthctlInPty(store, {"attach", "--detach-keys", "ctrl-x,e", "keys"},
                                            {{"", "echo in-$((7*6))\r"},
                                             {"in-42\r\n", "\x18"
                                                           "e"}});
    QVERIFY2(!session.timedOut && session.exitCode == 0, session.out.constData());
    QVERIFY(store.engine().containers().get("keys").value_or(ContainerRecord()).isRunning());
    r = berthctl(store, {"attach", "--detach-keys", "ctrl-1", "keys"});
    QVERIFY2(r.exitCode != 0 && r.err.contains("invalid detach keys"), qPrintable(r.describe()));
}

QTEST_GUILESS_MAIN(TestContainerInteractive)
#include "tst_container_interactive.moc"
