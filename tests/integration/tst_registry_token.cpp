// SPDX-License-Identifier: GPL-3.0-or-later
// The Bearer token flow against docker-registry with "auth: token" and a token server the test
// runs: anonymous pull of a public repository, credentials for a private one (also through
// berthctl login), one token per scope for the whole process, renewal after expiry, one retry
// with a new token on a 401; and redirects of blob downloads, which keep the registry's
// Authorization header on the registry's host only.
#include "engine/enginestores.h"
#include "engine/registry/browse.h"
#include "engine/registry/puller.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"
#include "tests/support/tokenserver.h"

#include <QDir>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Berth;
using namespace Berth::Engine;
using namespace Berth::Test;

namespace {

QByteArray randomBytes(qint64 size, quint32 seed) {
    QRandomGenerator gen(seed);
    QByteArray out(size, Qt::Uninitialized);
    gen.fillRange(reinterpret_cast<quint32 *>(out.data()), size / 4);
    return out;
}

ImageFixture appImage() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/base", "base layer\n"),
              LayerBuilder::Compression::Gzip);
    img.layer(LayerBuilder().dir("data").file("data/big", randomBytes(2 << 20, 11)),
              LayerBuilder::Compression::Gzip);
    img.layer(LayerBuilder().dir("app").file("app/run", "#!/bin/sh\necho hi\n", 0755),
              LayerBuilder::Compression::Gzip);
    img.cmd({"sh"});
    return img;
}

const Credentials kAlice{"alice", "s3cret"};

} // namespace

class TestRegistryToken : public QObject {
    Q_OBJECT

private:
    TokenServer m_tokens;
    RegistryServer m_registry; // auth: token
    std::unique_ptr<FaultProxy> m_proxy;
    RegistryServer m_storage; // plain, the target of cross-host redirects
    std::unique_ptr<FaultProxy> m_storageProxy;
    TestStore m_store;
    QTemporaryDir m_home{scratchBase() + QStringLiteral("/berth-home-XXXXXX")};

    Reference ref(const QString &repoTag) const {
        return *Reference::parse(m_proxy->address() + QLatin1Char('/') + repoTag);
    }
    static PullOptions options(const Credentials &creds) {
        PullOptions o;
        o.registry.initialBackoffMs = 50;
        o.registry.maxAttempts = 3;
        o.registry.stallTimeoutMs = 5000;
        o.credentials = creds;
        return o;
    }
    static Result<ImageRecord> pull(TestStore &store, const Reference &reference,
                                    const Credentials &creds) {
        Engine::Engine &e = store.engine();
        return Puller(e.paths(), EngineStores(e).content(), EngineStores(e).snapshots(),
                      EngineStores(e).images())
            .pull(reference, options(creds));
    }
    Status push(const Reference &target, const Credentials &creds) {
        Engine::Engine &e = m_store.engine();
        PushOptions o;
        o.credentials = creds;
        auto pushed = Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                          .push("app:1", target, o);
        if (!pushed)
            return fail(pushed.error());
        return {};
    }
    QString bigLayer() const { return appImage().layerBlobs()[1].descriptor.digest.toString(); }
    // berthctl with a private HOME/XDG config, no D-Bus session and no Docker config.
    QProcessEnvironment env(const TestStore &store) const {
        QProcessEnvironment e = store.environment();
        e.insert("HOME", m_home.path());
        e.insert("XDG_CONFIG_HOME", m_home.path() + "/config");
        e.insert("XDG_RUNTIME_DIR", m_home.path() + "/run");
        e.insert("DOCKER_CONFIG", m_home.path() + "/docker");
        e.remove("DBUS_SESSION_BUS_ADDRESS");
        return e;
    }

private Q_SLOTS:
    void initTestCase() {
        BERTH_REQUIRE_TOOL("docker-registry");
        m_tokens.setUsers({{"alice", "s3cret"}});
        QVERIFY2(m_tokens.start(), qPrintable(m_tokens.errorString()));
        m_registry.setTokenAuth(m_tokens.registryAuth());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        QVERIFY2(m_storage.start(), qPrintable(m_storage.errorString()));
        m_storageProxy = std::make_unique<FaultProxy>(m_storage.port());
        QVERIFY(m_storageProxy->start());
        QDir().mkpath(m_home.path() + "/run");

        BERTH_VERIFY_OK(appImage().install(m_store, {"app:1"}));
        BERTH_VERIFY_OK(push(ref("public/app:1"), kAlice));
        BERTH_VERIFY_OK(push(ref("private/app:1"), kAlice));
        BERTH_VERIFY_OK(push(*Reference::parse(m_storage.address() + "/storage/app:1"), {}));
    }

    void init() {
        clearRegistryAuthCache();
        m_tokens.setExpiresIn(300);
        m_tokens.clearRequests();
        m_proxy->clearRules();
        m_proxy->clearRequests();
        m_storageProxy->clearRequests();
    }

    void anonymousBearerPull() {
        TestStore store;
        auto record = pull(store, ref("public/app:1"), {});
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, appImage().id());
        QCOMPARE(m_tokens.count("repository:public/app:pull"), 1);
        for (const TokenServer::Request &r : m_tokens.requests())
            QVERIFY2(r.account.isEmpty() && r.status == 200, qPrintable(r.account));
        int blobs = 0;
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.path.contains("/blobs/")) {
                ++blobs;
                QVERIFY2(r.authorization.startsWith("Bearer "), r.authorization.constData());
            }
        QCOMPARE(blobs, 4);
    }

    void anonymousPrivatePullIsRefused() {
        TestStore store;
        auto record = pull(store, ref("private/app:1"), {});
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        QVERIFY2(record.error().message.contains("berthctl login"),
                 qPrintable(record.error().message));
        QVERIFY(EngineStores(store.engine()).images().list().isEmpty());
    }

    void wrongPasswordIsRefusedByTheTokenServer() {
        TestStore store;
        auto record = pull(store, ref("private/app:1"), {"alice", "wrong"});
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        QVERIFY2(record.error().message.contains("rejected the username or password"),
                 qPrintable(record.error().message));
        auto st = checkCredentials(m_proxy->address(), RegistryOptions(), {"alice", "wrong"});
        QVERIFY(!st);
        QVERIFY2(st.error().message.contains("rejected the username or password"),
                 qPrintable(st.error().message));
        BERTH_VERIFY_OK(checkCredentials(m_proxy->address(), RegistryOptions(), kAlice));
    }

    void tokenIsFetchedOncePerScope() {
        const QString scope = "repository:private/app:pull";
        TestStore first;
        BERTH_VERIFY_OK(pull(first, ref("private/app:1"), kAlice));
        QCOMPARE(m_tokens.count(scope), 1);
        // A second operation in the same process, and browsing with the same scope, reuse it.
        TestStore second;
        BERTH_VERIFY_OK(pull(second, ref("private/app:1"), kAlice));
        auto tags = listTags(*Reference::parseRepository(ref("private/app").toString()),
                             RegistryOptions(), kAlice);
        BERTH_VERIFY_OK(tags);
        QCOMPARE(*tags, QStringList{"1"});
        QCOMPARE(m_tokens.count(scope), 1);
        QCOMPARE(m_tokens.total(), 1);
        // Two pulls and a listing: one challenge in all, the rest carried the token from the
        // start (manifest, config, 3 layers for the first store; the manifest for the second).
        int challenged = 0;
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.status == 401)
                ++challenged;
        QCOMPARE(challenged, 1);
        QVERIFY(m_proxy->count("GET", "/blobs/") >= 4);
        // Other credentials are another cache entry.
        TestStore third;
        BERTH_VERIFY_OK(pull(third, ref("public/app:1"), {}));
        QCOMPARE(m_tokens.count("repository:public/app:pull"), 1);
    }

    void expiredTokenIsRenewed() {
        m_tokens.setExpiresIn(1);
        const QString scope = "repository:private/app:pull";
        auto tags = listTags(*Reference::parseRepository(ref("private/app").toString()),
                             RegistryOptions(), kAlice);
        BERTH_VERIFY_OK(tags);
        const int before = m_tokens.count(scope);
        QCOMPARE(before, 1);
        QThread::msleep(1500); // past expires_in
        tags = listTags(*Reference::parseRepository(ref("private/app").toString()),
                        RegistryOptions(), kAlice);
        BERTH_VERIFY_OK(tags);
        QCOMPARE(m_tokens.count(scope), before + 1);
    }

    void unauthorizedMidOperationRetriesOnceWithANewToken() {
        const QString scope = "repository:private/app:pull";
        const QByteArray challenge =
            "WWW-Authenticate: Bearer realm=\"" + m_tokens.realm().toUtf8() + "\",service=\"" +
            m_tokens.service().toUtf8() + "\",scope=\"" + scope.toUtf8() + "\"\r\n";
        FaultProxy::Rule once{FaultProxy::Fault::Status, "GET", bigLayer(), 1};
        once.status = 401;
        once.extraHeaders = challenge;
        m_proxy->addRule(once);
        TestStore store;
        BERTH_VERIFY_OK(pull(store, ref("private/app:1"), kAlice));
        QCOMPARE(m_tokens.count(scope), 2);
        QList<QByteArray> sent;
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.path.contains(bigLayer()))
                sent.append(r.authorization);
        QCOMPARE(sent.size(), 2);
        QVERIFY(sent[0].startsWith("Bearer ") && sent[1].startsWith("Bearer "));
        QVERIFY2(sent[0] != sent[1], "the retry must carry the new token");

        // A registry that keeps refusing: one new token, one retry, then a clear error.
        m_proxy->clearRequests();
        FaultProxy::Rule always = once;
        always.times = -1;
        m_proxy->addRule(always);
        TestStore other;
        auto record = pull(other, ref("private/app:1"), kAlice);
        QVERIFY(!record);
        QCOMPARE(record.error().kind, ErrorKind::PermissionDenied);
        QCOMPARE(m_tokens.count(scope), 3);
        QCOMPARE(m_proxy->count("GET", bigLayer()), 2);
    }

    void berthctlLoginThenPushAndPull() {
        const QString registry = m_proxy->address();
        const ProcessResult wrong =
            run(QStringLiteral(BERTH_BERTHCTL),
                {"login", registry, "-u", "alice", "--password-stdin", "--insecure-file-store"},
                env(m_store), 120000, "nope\n");
        QCOMPARE(wrong.exitCode, 1);
        QVERIFY2(wrong.err.contains("rejected the username or password"), wrong.err.constData());
        const ProcessResult login =
            run(QStringLiteral(BERTH_BERTHCTL),
                {"login", registry, "-u", "alice", "--password-stdin", "--insecure-file-store"},
                env(m_store), 120000, "s3cret\n");
        QVERIFY2(login.exitCode == 0 && login.out.contains("Login Succeeded"),
                 qPrintable(login.describe()));
        BERTH_VERIFY_OK(EngineStores(m_store.engine())
                            .images()
                            .tag(appImage().id(), *Reference::parse(registry + "/private/cli:1")));
        const ProcessResult pushed = run(QStringLiteral(BERTH_BERTHCTL),
                                         {"push", registry + "/private/cli:1"}, env(m_store));
        QVERIFY2(pushed.exitCode == 0, qPrintable(pushed.describe()));
        TestStore other;
        const ProcessResult pulled =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", registry + "/private/cli:1"}, env(other));
        QVERIFY2(pulled.exitCode == 0, qPrintable(pulled.describe()));
        auto image = EngineStores(other.engine()).images().resolve(registry + "/private/cli:1");
        BERTH_VERIFY_OK(image);
        QCOMPARE(image->id, appImage().id());
        bool pushToken = false;
        for (const TokenServer::Request &r : m_tokens.requests())
            if (r.account == "alice" && r.status == 200 &&
                r.scopes.contains("repository:private/cli:pull,push"))
                pushToken = true;
        QVERIFY2(pushToken, "expected a push token for alice");
        const ProcessResult logout =
            run(QStringLiteral(BERTH_BERTHCTL), {"logout", registry}, env(m_store));
        QVERIFY2(logout.exitCode == 0, qPrintable(logout.describe()));
        TestStore third;
        const ProcessResult denied =
            run(QStringLiteral(BERTH_BERTHCTL), {"pull", registry + "/private/cli:1"}, env(third));
        QCOMPARE(denied.exitCode, 1);
        QVERIFY2(denied.err.contains("berthctl login"), denied.err.constData());
    }

    void redirectToAnotherHostDropsAuthorization() {
        const QByteArray location = "http://" + m_storageProxy->address().toUtf8() +
                                    "/v2/storage/app/blobs/" + bigLayer().toUtf8();
        m_proxy->addRule(
            FaultProxy::respond("GET", bigLayer(), 307, {}, {}, "Location: " + location + "\r\n"));
        TestStore store;
        auto record = pull(store, ref("private/app:1"), kAlice);
        BERTH_VERIFY_OK(record);
        QCOMPARE(record->id, appImage().id());
        const QList<FaultProxy::Request> atTarget = m_storageProxy->requests();
        QCOMPARE(atTarget.size(), 1);
        QCOMPARE(atTarget[0].method, QByteArray("GET"));
        QVERIFY(atTarget[0].path.contains(bigLayer()));
        QCOMPARE(atTarget[0].status, 200);
        QVERIFY2(atTarget[0].authorization.isEmpty(), atTarget[0].authorization.constData());
        // The registry itself got the token, the redirecting request included.
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.path.contains(bigLayer()))
                QVERIFY(r.authorization.startsWith("Bearer "));
    }

    void sameHostRedirectKeepsAuthorization() {
        const QByteArray location =
            "/v2/private/app/blobs/" + bigLayer().toUtf8() + "?redirected=1";
        m_proxy->addRule(
            FaultProxy::respond("GET", bigLayer(), 307, {}, {}, "Location: " + location + "\r\n"));
        TestStore store;
        BERTH_VERIFY_OK(pull(store, ref("private/app:1"), kAlice));
        bool followed = false;
        for (const FaultProxy::Request &r : m_proxy->requests())
            if (r.path.contains("redirected=1")) {
                followed = true;
                QCOMPARE(r.status, 200);
                QVERIFY2(r.authorization.startsWith("Bearer "), r.authorization.constData());
            }
        QVERIFY(followed);
        QCOMPARE(m_storageProxy->requests().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestRegistryToken)
#include "tst_registry_token.moc"
