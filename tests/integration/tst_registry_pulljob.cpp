// SPDX-License-Identifier: GPL-3.0-or-later
// PullJob, the GUI's pull: signals arrive in the job's thread in order (planned, progress,
// finished once), the event loop never blocks, cancel() ends with Cancelled and resumable data,
// and deleting a running job is safe.
#include "engine/enginestores.h"
#include "engine/registry/pulljob.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"

#include <QFileInfo>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

ImageFixture image() {
    QRandomGenerator gen(5);
    QByteArray big(3 << 20, Qt::Uninitialized);
    gen.fillRange(reinterpret_cast<quint32 *>(big.data()), big.size() / 4);
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/job", "pulled by a job\n"),
              LayerBuilder::Compression::Gzip);
    img.layer(LayerBuilder().dir("data").file("data/big", big), LayerBuilder::Compression::Gzip);
    return img;
}

PullOptions options() {
    PullOptions o;
    o.registry.initialBackoffMs = 50;
    o.registry.maxAttempts = 3;
    o.registry.stallTimeoutMs = 60000;
    o.credentials = Credentials{};
    return o;
}

} // namespace

class TestRegistryPullJob : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;
    QThreadPool m_pool;

    Reference ref() const { return *Reference::parse(m_proxy->address() + "/test/job:1"); }
    std::unique_ptr<PullJob> jobFor(TestStore &store) {
        Engine::Engine &e = store.engine();
        return std::make_unique<PullJob>(e.paths(), EngineStores(e).content(),
                                         EngineStores(e).snapshots(), EngineStores(e).images(),
                                         &e.events(), &m_pool);
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        TestStore source;
        BERTH_VERIFY_OK(image().install(source, {"job:1"}));
        Engine::Engine &e = source.engine();
        PushOptions o;
        o.credentials = Credentials{};
        BERTH_VERIFY_OK(Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                            .push("job:1", ref(), o));
    }

    void init() {
        m_proxy->clearRules();
        m_proxy->clearRequests();
    }

    void signalsArriveInOrderInTheJobsThread() {
        TestStore store;
        auto job = jobFor(store);
        QStringList order;
        QList<PullProgress> progress;
        bool allInMainThread = true;
        std::optional<Result<ImageRecord>> result;
        int finishedCount = 0;
        connect(job.get(), &PullJob::planned, this, [&](const PullPlan &plan) {
            allInMainThread = allInMainThread && QThread::currentThread() == thread();
            order.append("planned");
            QCOMPARE(plan.layersToDownload, 2);
        });
        connect(job.get(), &PullJob::progressChanged, this, [&](const PullProgress &p) {
            allInMainThread = allInMainThread && QThread::currentThread() == thread();
            if (order.isEmpty() || order.last() != "progress")
                order.append("progress");
            progress.append(p);
        });
        connect(job.get(), &PullJob::succeeded, this, [&](const ImageRecord &image) {
            allInMainThread = allInMainThread && QThread::currentThread() == thread();
            order.append("finished");
            result = image;
            ++finishedCount;
        });
        connect(job.get(), &PullJob::failed, this, [&](const Error &error) {
            order.append("finished");
            result = fail(error);
            ++finishedCount;
        });
        // The event loop keeps turning while the pull runs.
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
        ticker.start(10);
        job->start(ref(), options());
        QVERIFY(job->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(result.has_value(), 120000);
        QTest::qWait(50); // nothing more may come
        QCOMPARE(finishedCount, 1);
        QVERIFY(!job->isRunning());
        BERTH_VERIFY_OK(*result);
        QVERIFY(job->result() && *job->result());
        QCOMPARE((*result)->id, image().id());
        QVERIFY(allInMainThread);
        QCOMPARE(order, (QStringList{"planned", "progress", "finished"}));
        QVERIFY(ticks > 0);
        const PullProgress &last = progress.last();
        QCOMPARE(last.phase, PullProgress::Phase::Done);
        QCOMPARE(last.doneBytes, last.totalBytes);
        QCOMPARE(last.layers.size(), 2);
        for (const PullProgress::Layer &l : last.layers)
            QCOMPARE(l.done, l.size);
    }

    void cancelEndsWithCancelledAndKeepsPartialData() {
        TestStore store;
        const Descriptor big = image().layerBlobs()[1].descriptor;
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), 1, 200000});
        auto job = jobFor(store);
        QSignalSpy failed(job.get(), &PullJob::failed);
        QSignalSpy succeeded(job.get(), &PullJob::succeeded);
        connect(job.get(), &PullJob::progressChanged, job.get(), [&](const PullProgress &p) {
            for (const PullProgress::Layer &l : p.layers)
                if (l.digest == big.digest && l.done >= 200000)
                    job->cancel();
        });
        job->start(ref(), options());
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 120000);
        QCOMPARE(succeeded.size(), 0);
        QCOMPARE(failed.first().first().value<Error>().kind, ErrorKind::Cancelled);
        QVERIFY(QFileInfo(store.paths().ingest() + "/" + big.digest.hex() + "/data").size() >=
                200000);
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void deletingARunningJobIsSafe() {
        TestStore store;
        const Descriptor big = image().layerBlobs()[1].descriptor;
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", big.digest.toString(), 1, 100000});
        auto job = jobFor(store);
        bool started = false;
        connect(job.get(), &PullJob::planned, this, [&] { started = true; });
        job->start(ref(), options());
        QTRY_VERIFY_WITH_TIMEOUT(started, 60000);
        job.reset(); // cancels; the worker ends on its own
        QTRY_COMPARE_WITH_TIMEOUT(m_pool.activeThreadCount(), 0, 60000);
        QTest::qWait(50);
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestRegistryPullJob)
#include "tst_registry_pulljob.moc"
