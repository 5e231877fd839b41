// SPDX-License-Identifier: GPL-3.0-or-later
// Interop acceptance: an image pushed with `berthctl push` to Debian's docker-registry is pulled
// by podman and runs there, printing what the image says. podman gets a private configuration in
// a temporary directory (runc, cgroupfs, file events, ulimits this machine allows, its own
// graphroot/runroot on vfs, the test registry marked insecure), so the host's podman setup is
// neither used nor touched.
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <sys/resource.h>
#include <unistd.h>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// busybox (gzip, as pulled images have it) under an uncompressed layer (as loaded or committed
// images have it: Berth gzips it for the registry), and an entrypoint whose output shows the
// command line podman gave it.
ImageFixture greetingImage() {
    ImageFixture img;
    img.layer(busyboxLayer(), LayerBuilder::Compression::Gzip, "ADD busybox /")
        .layer(LayerBuilder().dir("etc").file("etc/greeting", "hello from a Berth push\n"),
               LayerBuilder::Compression::None, "COPY greeting /etc/greeting")
        .entrypoint({"/bin/sh", "-c", "cat /etc/greeting; echo \"argument: $0\""})
        .cmd({"default"});
    return img;
}

bool writeFile(const QString &path, const QByteArray &data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

rlim_t hardLimit(int resource) {
    rlimit limit{};
    ::getrlimit(resource, &limit);
    return limit.rlim_max;
}

} // namespace

class TestRegistryPodman : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    QTemporaryDir m_podmanDir{scratchBase() + QStringLiteral("/berth-podman-XXXXXX")};
    QProcessEnvironment m_podmanEnv;

    ProcessResult podman(const QStringList &args) const {
        return run(findTool(QStringLiteral("podman")), args, m_podmanEnv);
    }

    // podman's configuration for this machine, in files of its own (see the file comment).
    bool configurePodman() {
        const QString dir = m_podmanDir.path();
        // The runtime may not raise a hard limit (no CAP_SYS_RESOURCE here), and podman lowers
        // its own RLIMIT_NPROC to 32768 before it starts conmon, so the container's limits
        // must fit under both.
        const QByteArray nofile = QByteArray::number(quint64(hardLimit(RLIMIT_NOFILE)));
        const QByteArray nproc = QByteArray::number(quint64(qMin<rlim_t>(
            hardLimit(RLIMIT_NPROC) == RLIM_INFINITY ? 32768 : hardLimit(RLIMIT_NPROC), 32768)));
        const QByteArray containers = "[containers]\n"
                                      "default_ulimits = [\"nofile=" +
                                      nofile + ":" + nofile + "\", \"nproc=" + nproc + ":" + nproc +
                                      "\"]\n\n"
                                      "[engine]\n"
                                      "runtime = \"runc\"\n"
                                      "cgroup_manager = \"cgroupfs\"\n"
                                      "events_logger = \"file\"\n"
                                      "events_logfile_path = \"" +
                                      dir.toUtf8() + "/events.log\"\n";
        const QByteArray storage = "[storage]\n"
                                   "driver = \"vfs\"\n"
                                   "runroot = \"" +
                                   dir.toUtf8() +
                                   "/runroot\"\n"
                                   "graphroot = \"" +
                                   dir.toUtf8() + "/graphroot\"\n";
        const QByteArray registries = "unqualified-search-registries = []\n\n"
                                      "[[registry]]\n"
                                      "location = \"" +
                                      m_registry.address().toUtf8() +
                                      "\"\n"
                                      "insecure = true\n";
        if (!writeFile(dir + "/containers.conf", containers) ||
            !writeFile(dir + "/storage.conf", storage) ||
            !writeFile(dir + "/registries.conf", registries))
            return false;
        m_podmanEnv = QProcessEnvironment::systemEnvironment();
        m_podmanEnv.insert("CONTAINERS_CONF", dir + "/containers.conf");
        m_podmanEnv.insert("CONTAINERS_STORAGE_CONF", dir + "/storage.conf");
        m_podmanEnv.insert("CONTAINERS_REGISTRIES_CONF", dir + "/registries.conf");
        return true;
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_ROOT(); // podman's rootful store and runc
        BERTH_REQUIRE_TOOL("docker-registry");
        BERTH_REQUIRE_TOOL("podman");
        BERTH_REQUIRE_TOOL("runc");
        BERTH_REQUIRE(QFile::exists("/bin/busybox"), "needs busybox-static (/bin/busybox)");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        QVERIFY(m_podmanDir.isValid());
        QVERIFY(configurePodman());
    }

    void cleanupTestCase() {
        if (m_podmanEnv.isEmpty())
            return;
        // Containers are gone (--rm); this drops podman's images and its lock files.
        podman({"system", "reset", "--force"});
    }

    void pushedWithBerthPulledAndRunByPodman() {
        const ImageFixture img = greetingImage();
        const QString ref = m_registry.address() + "/berth/greeting:1";
        TestStore store;
        BERTH_VERIFY_OK(img.install(store, {ref}));

        const ProcessResult pushed = berthctl(store, {"push", ref});
        QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.describe()));

        const ProcessResult pulled = podman({"pull", "-q", ref});
        QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.describe()));
        // podman names images by their config digest, which Berth pushed unchanged.
        QCOMPARE(QString::fromUtf8(pulled.out.trimmed()), img.id().hex());
        const ProcessResult diffIds =
            podman({"image", "inspect", "--format", "{{range .RootFS.Layers}}{{.}} {{end}}", ref});
        QVERIFY2(diffIds.exitCode == 0, qPrintable(diffIds.describe()));
        QStringList expected;
        for (const Digest &d : img.diffIds())
            expected.append(d.toString());
        QCOMPARE(QString::fromUtf8(diffIds.out.trimmed()).split(' ', Qt::SkipEmptyParts), expected);

        const ProcessResult ran = podman({"run", "--rm", "--network", "none", ref});
        QVERIFY2(ran.exitCode == 0, qPrintable(ran.describe()));
        QCOMPARE(ran.out, QByteArray("hello from a Berth push\nargument: default\n"));
        const ProcessResult withArgument =
            podman({"run", "--rm", "--network", "none", ref, "given"});
        QVERIFY2(withArgument.exitCode == 0, qPrintable(withArgument.describe()));
        QCOMPARE(withArgument.out, QByteArray("hello from a Berth push\nargument: given\n"));
    }
};

QTEST_GUILESS_MAIN(TestRegistryPodman)
#include "tst_registry_podman.moc"
