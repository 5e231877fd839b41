// SPDX-License-Identifier: GPL-3.0-or-later
// PushJob, the GUI's push: signals arrive in the job's thread in order (compressing, uploading,
// done, then finished once), the event loop never blocks, a second push reports every blob as
// already there, cancel() ends with Cancelled and no tag in the registry, and deleting a running
// job is safe.
#include "engine/enginestores.h"
#include "engine/registry/puller.h"
#include "engine/registry/pushjob.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <QTimer>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

// Uncompressed layers, as loaded or committed images have them: the push gzips them first.
ImageFixture image() {
    QRandomGenerator gen(7);
    QByteArray big(3 << 20, Qt::Uninitialized);
    gen.fillRange(reinterpret_cast<quint32 *>(big.data()), big.size() / 4);
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/pushed", "pushed by a job\n"),
              LayerBuilder::Compression::None);
    img.layer(LayerBuilder().dir("data").file("data/big", big), LayerBuilder::Compression::None);
    return img;
}

PushOptions options() {
    PushOptions o;
    o.registry.initialBackoffMs = 50;
    o.registry.maxAttempts = 3;
    o.credentials = Credentials{};
    return o;
}

} // namespace

class TestRegistryPushJob : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;

    Reference ref(const QString &repoTag) const {
        return *Reference::parse(m_proxy->address() + "/" + repoTag);
    }
    static std::unique_ptr<PushJob> jobFor(TestStore &store) {
        return std::unique_ptr<PushJob>(store.engine().createPushJob(nullptr));
    }
    int manifestStatus(const QString &repo, const QString &tag) const {
        return httpStatus(m_registry.port(), "GET", ("/v2/" + repo + "/manifests/" + tag).toUtf8(),
                          "Accept: application/vnd.oci.image.manifest.v1+json\r\n");
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
    }

    void init() {
        m_proxy->clearRules();
        m_proxy->clearRequests();
    }

    void signalsArriveInOrderInTheJobsThread() {
        TestStore store;
        BERTH_VERIFY_OK(image().install(store, {"job:1"}));
        auto job = jobFor(store);
        QStringList phases;
        QList<PushProgress> progress;
        bool allInMainThread = true;
        std::optional<Result<PushResult>> result;
        int finishedCount = 0;
        connect(job.get(), &PushJob::progressChanged, this, [&](const PushProgress &p) {
            allInMainThread = allInMainThread && QThread::currentThread() == thread();
            const QString phase = p.phase == PushProgress::Phase::Compressing ? "compressing"
                                  : p.phase == PushProgress::Phase::Uploading ? "uploading"
                                                                              : "done";
            if (phases.isEmpty() || phases.last() != phase)
                phases.append(phase);
            progress.append(p);
        });
        connect(job.get(), &PushJob::succeeded, this, [&](const PushResult &r) {
            allInMainThread = allInMainThread && QThread::currentThread() == thread();
            phases.append("finished");
            result = r;
            ++finishedCount;
        });
        connect(job.get(), &PushJob::failed, this, [&](const Error &error) {
            phases.append("finished");
            result = fail(error);
            ++finishedCount;
        });
        // The event loop keeps turning while the push runs.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(10);
        job->start("job:1", ref("test/job:1"), options());
        QVERIFY(job->isRunning());
        QCOMPARE(job->source(), QStringLiteral("job:1"));
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 120000);
        QTest::qWait(50); // nothing more may come
        QCOMPARE(finishedCount, 1);
        QVERIFY(!job->isRunning());
        BERTH_VERIFY_OK(*result);
        QVERIFY(job->result() && *job->result());
        QCOMPARE((*result)->uploaded, 3);
        QVERIFY(allInMainThread);
        QCOMPARE(phases, (QStringList{"compressing", "uploading", "done", "finished"}));
        QVERIFY(ticks > 0);
        // Compressing counts the uncompressed bytes, and ends complete.
        const ImageFixture img = image();
        qint64 uncompressed = 0;
        for (const ImageFixture::Blob &b : img.layerBlobs())
            uncompressed += b.descriptor.size;
        const auto lastCompressing =
            std::find_if(progress.rbegin(), progress.rend(), [](const PushProgress &p) {
                return p.phase == PushProgress::Phase::Compressing;
            });
        QCOMPARE(lastCompressing->totalBytes, uncompressed);
        QCOMPARE(lastCompressing->doneBytes, uncompressed);
        const PushProgress &last = progress.last();
        QCOMPARE(last.blobs.size(), 3); // two layers, then the config
        QCOMPARE(last.blobs.last().digest, img.id());
        QCOMPARE(last.doneBytes, last.totalBytes);
        for (const PushProgress::Blob &b : last.blobs) {
            QCOMPARE(b.state, PushProgress::BlobState::Pushed);
            QCOMPARE(b.done, b.size);
        }
        QCOMPARE(manifestStatus("test/job", "1"), 200);

        // Pulled back, it is the same image.
        TestStore other;
        Engine::Engine &e = other.engine();
        PullOptions pullOptions;
        pullOptions.credentials = Credentials{};
        auto pulled = Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                             EngineStores(e).images())
                          .pull(ref("test/job:1"), pullOptions);
        BERTH_VERIFY_OK(pulled);
        QCOMPARE(pulled->id, img.id());

        // Again: every blob is already there, and says so.
        auto again = jobFor(store);
        QList<PushProgress> seen;
        connect(again.get(), &PushJob::progressChanged, this,
                [&](const PushProgress &p) { seen.append(p); });
        QSignalSpy done(again.get(), &PushJob::succeeded);
        connect(again.get(), &PushJob::failed, this,
                [](const Error &e) { qWarning("%s", qPrintable(e.message)); });
        again->start("job:1", ref("test/job:1"), options());
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QCOMPARE(done.first().first().value<PushResult>().existing, 3);
        QCOMPARE(seen.last().phase, PushProgress::Phase::Done);
        for (const PushProgress::Blob &b : seen.last().blobs)
            QCOMPARE(b.state, PushProgress::BlobState::Exists);
    }

    void cancelEndsWithCancelledAndNoTag() {
        TestStore store;
        BERTH_VERIFY_OK(image().install(store, {"job:2"}));
        // Uploads hang in the proxy, so the job is cancelled mid-upload.
        FaultProxy::Rule hold;
        hold.fault = FaultProxy::Fault::Delay;
        hold.method = "PUT";
        hold.pathContains = "/blobs/uploads/";
        hold.times = -1;
        hold.delayMs = 120000;
        m_proxy->addRule(hold);
        auto job = jobFor(store);
        QSignalSpy failed(job.get(), &PushJob::failed);
        QSignalSpy succeeded(job.get(), &PushJob::succeeded);
        connect(job.get(), &PushJob::progressChanged, job.get(), [&](const PushProgress &p) {
            for (const PushProgress::Blob &b : p.blobs)
                if (b.state == PushProgress::BlobState::Uploading)
                    job->cancel();
        });
        job->start("job:2", ref("test/cancelled:1"), options());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 60000);
        QCOMPARE(succeeded.size(), 0);
        QCOMPARE(failed.first().first().value<Error>().kind, ErrorKind::Cancelled);
        QCOMPARE(job->result()->error().kind, ErrorKind::Cancelled);
        QCOMPARE(m_proxy->count("PUT", "/manifests/"), 0);
        QCOMPARE(manifestStatus("test/cancelled", "1"), 404);
    }
    void unknownImageFails() {
        TestStore store;
        auto job = jobFor(store);
        QSignalSpy failed(job.get(), &PushJob::failed);
        job->start("nothing:here", ref("test/nothing:1"), options());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 30000);
        QCOMPARE(failed.first().first().value<Error>().kind, ErrorKind::NotFound);
        QCOMPARE(m_proxy->requests().size(), 0);
    }

    void deletingARunningJobIsSafe() {
        TestStore store;
        BERTH_VERIFY_OK(image().install(store, {"job:3"}));
        FaultProxy::Rule hold;
        hold.fault = FaultProxy::Fault::Delay;
        hold.method = "PUT";
        hold.pathContains = "/blobs/uploads/";
        hold.times = -1;
        hold.delayMs = 120000;
        m_proxy->addRule(hold);
        auto job = jobFor(store);
        bool uploading = false;
        connect(job.get(), &PushJob::progressChanged, this, [&](const PushProgress &p) {
            uploading = uploading || p.phase == PushProgress::Phase::Uploading;
        });
        job->start("job:3", ref("test/deleted:1"), options());
        QTRY_VERIFY_WITH_TIMEOUT(uploading, 60000);
        job.reset(); // cancels; the worker ends on its own
        QTRY_COMPARE_WITH_TIMEOUT(store.engine().pool()->activeThreadCount(), 0, 60000);
        QTest::qWait(50);
        QCOMPARE(manifestStatus("test/deleted", "1"), 404);
    }
};

QTEST_GUILESS_MAIN(TestRegistryPushJob)
#include "tst_registry_pushjob.moc"
