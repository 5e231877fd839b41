// SPDX-License-Identifier: GPL-3.0-or-later
// Pull, push and registries in the real window against Debian's docker-registry: the pull box
// shows the plan (only the missing layer travels), a total bar that moves, per-layer detail and
// the new image selected in the table; cancel; the Push action with its progress; the
// Registries page lists tags (and pulls one), logs in with the credentials checked and kept in
// the system keychain (gnome-keyring in a private D-Bus session), and logs out. The item models
// pass QAbstractItemModelTester.
#include "engine/enginestores.h"
#include "engine/registry/pusher.h"
#include "tests/support/faultproxy.h"
#include "tests/support/imagefixture.h"
#include "tests/support/registryserver.h"
#include "tests/support/testsupport.h"
#include "ui/mainwindow.h"
#include "ui/models/imagesmodel.h"
#include "ui/models/registriesmodel.h"
#include "ui/models/transfermodel.h"
#include "ui/pages/imagespage.h"
#include "ui/pages/registriespage.h"
#include "ui/widgets/pullbox.h"
#include "ui/widgets/transferpanel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStringListModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

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

ImageFixture baseImage() {
    ImageFixture img;
    img.layer(LayerBuilder().dir("etc").file("etc/base", "the shared base layer\n"),
              LayerBuilder::Compression::Gzip, "ADD base");
    return img;
}

// The base layer and a big one on top.
ImageFixture appImage() {
    ImageFixture img = baseImage();
    img.layer(LayerBuilder().dir("data").file("data/big", randomBytes(4 << 20, 21)),
              LayerBuilder::Compression::Gzip, "ADD big");
    return img;
}

PushOptions pushOptions() {
    PushOptions o;
    o.credentials = Credentials{};
    return o;
}

template <typename T> T *find(QWidget *root, const char *name) {
    T *w = root->findChild<T *>(QString::fromLatin1(name));
    if (!w)
        qWarning("no %s named %s", T::staticMetaObject.className(), name);
    return w;
}

} // namespace

class TestRegistriesGui : public QObject {
    Q_OBJECT

private:
    RegistryServer m_registry;
    std::unique_ptr<FaultProxy> m_proxy;

    QString ref(const QString &repoTag) const { return m_proxy->address() + "/" + repoTag; }
    Descriptor bigLayer() const { return appImage().layerBlobs()[1].descriptor; }

private Q_SLOTS:
    void initTestCase() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            return; // only the keychain test runs in here; see loginKeepsCredentialsInKeychain
        BERTH_REQUIRE_TOOL("docker-registry");
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
        m_proxy = std::make_unique<FaultProxy>(m_registry.port());
        QVERIFY(m_proxy->start());
        TestStore source;
        BERTH_VERIFY_OK(appImage().install(source, {"app:1"}));
        Engine::Engine &e = source.engine();
        for (const QString &tag : {QString("gui/app:1"), QString("gui/app:2")})
            BERTH_VERIFY_OK(Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                                .push("app:1", *Reference::parse(ref(tag)), pushOptions()));
        // The stall in the pull test ends after this long; the client then resumes.
        qputenv("BERTH_REGISTRY_STALL_TIMEOUT_MS", "1500");
        qputenv("BERTH_REGISTRY_BACKOFF_MS", "50");
    }

    void init() {
        if (m_proxy) {
            m_proxy->clearRules();
            m_proxy->clearRequests();
        }
        clearRegistryAuthCache();
    }

    void transferModelIsSound() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        Gui::TransferModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QList<ImageFixture::Blob> blobs = appImage().layerBlobs();
        PullPlan plan;
        for (int i = 0; i < blobs.size(); ++i) {
            PullLayerPlan l;
            l.blob = blobs[i].descriptor;
            l.present = i == 0;
            plan.layers.append(l);
        }
        model.setPullPlan(plan);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, Gui::TransferModel::State).data().toString(),
                 QString("Already here"));
        QCOMPARE(model.index(0, Gui::TransferModel::Transferred).data().toString(),
                 QString("100 %"));
        PullProgress progress;
        for (const PullLayerPlan &l : plan.layers)
            progress.layers.append({l.blob.digest, l.blob.size, l.present ? l.blob.size : 0,
                                    l.present ? PullProgress::LayerState::Present
                                              : PullProgress::LayerState::Downloading});
        progress.layers[1].done = progress.layers[1].size / 4;
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.setPullProgress(progress);
        QCOMPARE(reset.size(), 0); // same layers: cells change, rows stay
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model.index(1, Gui::TransferModel::Transferred).data().toString(),
                 QString("25 %"));
        QCOMPARE(model.index(1, Gui::TransferModel::State).data().toString(),
                 QString("Downloading"));
        PushProgress push;
        push.blobs.append({blobs[1].descriptor.digest, 10, 10, PushProgress::BlobState::Mounted});
        push.blobs.append({appImage().id(), 5, 0, PushProgress::BlobState::Waiting});
        model.setPushProgress(push);
        QCOMPARE(reset.size(), 1);
        QVERIFY(model.index(1, Gui::TransferModel::Layer).data().toString().endsWith("(config)"));
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void registriesModelIsSound() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        Gui::RegistriesModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setEntries({{"docker.io", "bob", CredentialStore::Source::DockerConfig},
                          {"localhost:5000", "alice", CredentialStore::Source::Keychain}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(1, Gui::RegistriesModel::KeptIn).data().toString(),
                 QString("System keychain"));
        model.setEntries({});
        QCOMPARE(model.rowCount(), 0);
    }

    void pullBoxShowsPlanProgressAndTheNewImage() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        TestStore store;
        BERTH_VERIFY_OK(baseImage().install(store, {"base:1"}));
        // Half the big layer arrives, then the registry stalls until the client resumes.
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", bigLayer().digest.toString(), 1,
                          bigLayer().size / 2});
        Gui::MainWindow window(store.engine());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
        Gui::ImagesPage *page = window.imagesPage();
        Gui::TransferPanel *panel = page->pullBox()->transferPanel();
        QAbstractItemModelTester tester(panel->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto *bar = find<QProgressBar>(panel, "transferProgress");
        QList<int> values;
        connect(bar, &QProgressBar::valueChanged, this, [&](int v) { values.append(v); });

        QTest::keyClicks(find<QLineEdit>(page, "pullName"), ref("gui/app:1"));
        QTest::mouseClick(find<QPushButton>(page, "pullButton"), Qt::LeftButton);
        QVERIFY(panel->isVisible());
        QVERIFY(!find<QPushButton>(page, "pullButton")->isEnabled());
        auto *plan = find<QLabel>(panel, "transferPlan");
        // Only the missing layer travels, and the plan says so before it does.
        QTRY_VERIFY_WITH_TIMEOUT(plan->text().startsWith("2 layers, 1 already here,"), 30000);
        QVERIFY2(plan->text().endsWith(" to download"), qPrintable(plan->text()));
        // Mid-way (the stall), the bar stands between empty and full, with the bytes said.
        auto *status = find<QLabel>(panel, "transferStatus");
        QTRY_VERIFY_WITH_TIMEOUT(bar->value() > 0 && bar->value() < 1000, 30000);
        QVERIFY2(status->text().contains(" of "), qPrintable(status->text()));
        // The layers are shown, and hidden with one click.
        auto *layers = find<QTableView>(panel, "transferLayers");
        QVERIFY(layers->isVisible());
        QTest::mouseClick(find<QToolButton>(panel, "transferLayersButton"), Qt::LeftButton);
        QVERIFY(!layers->isVisible());
        QTest::mouseClick(find<QToolButton>(panel, "transferLayersButton"), Qt::LeftButton);
        QVERIFY(layers->isVisible());
        QCOMPARE(panel->model()->rowCount(), 2);
        QCOMPARE(panel->model()->index(0, Gui::TransferModel::State).data().toString(),
                 QString("Already here"));

        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 60000);
        QVERIFY2(status->text().startsWith("Pulled " + ref("gui/app:1")),
                 qPrintable(status->text()));
        QCOMPARE(bar->value(), 1000);
        QCOMPARE(panel->model()->index(1, Gui::TransferModel::State).data().toString(),
                 QString("Ready"));
        // The bar moved through the middle, not just from empty to full.
        QVERIFY(
            std::any_of(values.cbegin(), values.cend(), [](int v) { return v > 0 && v < 1000; }));
        // The base layer was not downloaded again; the big one resumed where it stopped.
        QCOMPARE(m_proxy->count("GET", appImage().layerBlobs()[0].descriptor.digest.toString()), 0);
        // The new image is in the table, selected.
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(page->selectedImage().id, appImage().id(), 10000);
        QVERIFY(find<QPushButton>(page, "pullButton")->isEnabled());
    }

    void cancelStopsThePull() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        TestStore store;
        BERTH_VERIFY_OK(baseImage().install(store, {"base:1"}));
        qputenv("BERTH_REGISTRY_STALL_TIMEOUT_MS", "60000");
        m_proxy->addRule({FaultProxy::Fault::Stall, "GET", bigLayer().digest.toString(), 1, 1000});
        Gui::MainWindow window(store.engine());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
        Gui::TransferPanel *panel = window.imagesPage()->pullBox()->transferPanel();
        window.imagesPage()->pull(ref("gui/app:2"));
        QTRY_VERIFY_WITH_TIMEOUT(find<QLabel>(panel, "transferPlan")->text().contains("1 already"),
                                 30000);
        QTest::mouseClick(find<QPushButton>(panel, "transferCancelButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 30000);
        qputenv("BERTH_REGISTRY_STALL_TIMEOUT_MS", "1500");
        QVERIFY2(find<QLabel>(panel, "transferStatus")->text().startsWith("Cancelled."),
                 qPrintable(find<QLabel>(panel, "transferStatus")->text()));
        QTest::qWait(600); // a refresh would show a new image by now
        QCOMPARE(window.imagesModel()->rowCount(), 1);
    }

    void pushActionUploadsWithProgress() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        TestStore store;
        // Uncompressed layers (as loaded images have them): the push compresses them first.
        ImageFixture img;
        img.layer(LayerBuilder().dir("etc").file("etc/pushed", "pushed from the window\n"),
                  LayerBuilder::Compression::None);
        BERTH_VERIFY_OK(img.install(store, {"local/pushed:1"}));
        Gui::MainWindow window(store.engine());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
        Gui::ImagesPage *page = window.imagesPage();
        QTRY_VERIFY_WITH_TIMEOUT(page->selectRow("local/pushed:1"), 5000);
        QTest::mouseClick(find<QToolButton>(page, "pushButton"), Qt::LeftButton);
        QInputDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<QInputDialog *>("pushDialog")), 5000);
        QCOMPARE(dialog->textValue(), QString("local/pushed:1")); // its own name, to start with
        dialog->setTextValue(ref("gui/pushed:7"));
        dialog->accept();
        Gui::TransferPanel *panel = page->pullBox()->transferPanel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->isVisible(), 5000);
        QCOMPARE(find<QLabel>(panel, "transferTitle")->text(), "Pushing " + ref("gui/pushed:7"));
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isRunning(), 60000);
        auto *status = find<QLabel>(panel, "transferStatus");
        QVERIFY2(status->text().startsWith("Pushed " + ref("gui/pushed:7")),
                 qPrintable(status->text()));
        QCOMPARE(panel->model()->rowCount(), 2); // the layer and the config
        QCOMPARE(panel->model()->index(0, Gui::TransferModel::State).data().toString(),
                 QString("Pushed"));
        QCOMPARE(httpStatus(m_registry.port(), "GET", "/v2/gui/pushed/manifests/7",
                            "Accept: application/vnd.oci.image.manifest.v1+json\r\n"),
                 200);
    }

    void registriesPageListsTagsAndPullsOne() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        TestStore store;
        BERTH_VERIFY_OK(baseImage().install(store, {"base:1"}));
        Gui::MainWindow window(store.engine());
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 1, 10000);
        // Ctrl+6 opens the Registries page.
        window.showPage(Gui::MainWindow::Page::Registries);
        Gui::RegistriesPage *page = window.registriesPage();
        QCOMPARE(window.currentPage(), page);
        QTest::keyClicks(find<QLineEdit>(page, "tagsRepository"), ref("gui/app"));
        QTest::mouseClick(find<QPushButton>(page, "listTagsButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page->tagsModel()->stringList(), QStringList({"1", "2"}), 30000);
        QVERIFY2(page->tagsStatus()->text().contains("has 2 tags"),
                 qPrintable(page->tagsStatus()->text()));
        auto *tags = find<QListView>(page, "tagsView");
        tags->setCurrentIndex(tags->model()->index(1, 0));
        QTest::mouseClick(find<QPushButton>(page, "pullTagButton"), Qt::LeftButton);
        // The pull runs on the Images page, where its progress is.
        QTRY_COMPARE_WITH_TIMEOUT(window.currentPage(), window.imagesPage(), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(window.imagesModel()->rowCount(), 2, 60000);
        QVERIFY(EngineStores(store.engine()).images().resolve(ref("gui/app:2")).has_value());

        // A repository that does not exist: said in words, no tags shown.
        window.showPage(Gui::MainWindow::Page::Registries);
        find<QLineEdit>(page, "tagsRepository")->setText(ref("gui/nothing"));
        QTest::mouseClick(find<QPushButton>(page, "listTagsButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->tagsStatus()->text().startsWith("The tags of"), 30000);
        QCOMPARE(page->tagsModel()->rowCount(), 0);
        // The technical detail is one click away.
        QVERIFY2(page->tagsStatus()->text().contains("<a href=\"details\">Details…</a>"),
                 qPrintable(page->tagsStatus()->text()));
        Q_EMIT page->tagsStatus()->linkActivated("details");
        auto *details = page->findChild<QMessageBox *>("errorDetails");
        QVERIFY(details);
        QVERIFY2(details->text().startsWith("not found: "), qPrintable(details->text()));
    }

    void loginWithoutKeychainUsesPrivateFile() {
        if (qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING"))
            QSKIP("runs outside the keyring session");
        RegistryServer secured;
        secured.setUsers({{"bob", "hunter2"}});
        QVERIFY2(secured.start(), qPrintable(secured.errorString()));
        TestStore source;
        BERTH_VERIFY_OK(baseImage().install(source, {"base:1"}));
        Engine::Engine &e = source.engine();
        PushOptions o;
        o.credentials = Credentials{"bob", "hunter2"};
        BERTH_VERIFY_OK(
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push("base:1", *Reference::parse(secured.address() + "/private/base:1"), o));
        clearRegistryAuthCache();
        // No session bus, so no keychain; the file store in a private config directory.
        QTemporaryDir home;
        const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
        const QByteArray oldRuntime = qgetenv("XDG_RUNTIME_DIR");
        const QByteArray oldBus = qgetenv("DBUS_SESSION_BUS_ADDRESS");
        auto restore = qScopeGuard([&] {
            auto put = [](const char *name, const QByteArray &value) {
                value.isNull() ? qunsetenv(name) : qputenv(name, value);
            };
            put("XDG_CONFIG_HOME", oldConfig);
            put("XDG_RUNTIME_DIR", oldRuntime);
            put("DBUS_SESSION_BUS_ADDRESS", oldBus);
        });
        qputenv("XDG_CONFIG_HOME", (home.path() + "/config").toUtf8());
        qputenv("XDG_RUNTIME_DIR", home.path().toUtf8());
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");

        TestStore store;
        BERTH_VERIFY_OK(baseImage().install(store, {"base:1"}));
        Gui::MainWindow window(store.engine());
        window.show();
        window.showPage(Gui::MainWindow::Page::Registries);
        Gui::RegistriesPage *page = window.registriesPage();
        find<QLineEdit>(page, "loginRegistry")->setText(secured.address());
        find<QLineEdit>(page, "loginUser")->setText("bob");
        auto *password = find<QLineEdit>(page, "loginPassword");
        // Without a keychain: said so, and where the way out is. (Enter logs in too.)
        password->setText("hunter2");
        QTest::keyClick(password, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(page->loginStatus()->text().startsWith("Could not log in"), 30000);
        QVERIFY2(page->loginStatus()->text().contains("No system keychain is running"),
                 qPrintable(page->loginStatus()->text()));
        const QString file = home.path() + "/config/berth/credentials.json";
        QVERIFY(!QFile::exists(file));

        find<QCheckBox>(page, "loginFileStore")->setChecked(true);
        QTest::mouseClick(find<QPushButton>(page, "loginButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->loginStatus()->text().startsWith("Logged in"), 30000);
        QVERIFY2(page->loginStatus()->text().contains("a file only you can read"),
                 qPrintable(page->loginStatus()->text()));
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 1, 30000);
        QCOMPARE(page->model()->index(0, Gui::RegistriesModel::KeptIn).data().toString(),
                 QString("Private file"));
        QVERIFY(QFile::exists(file));
        QCOMPARE(QFile::permissions(file) & (QFile::ReadGroup | QFile::ReadOther), 0);
        // The private repository's tags, with those credentials.
        find<QLineEdit>(page, "tagsRepository")->setText(secured.address() + "/private/base");
        QTest::mouseClick(find<QPushButton>(page, "listTagsButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page->tagsModel()->stringList(), QStringList({"1"}), 30000);
        // Log out forgets them.
        find<QTableView>(page, "registriesView")->selectRow(0);
        QTest::mouseClick(find<QToolButton>(page, "logoutButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 0, 30000);
    }

    void loginKeepsCredentialsInKeychain() {
        if (!qEnvironmentVariableIsSet("BERTH_GUI_IN_KEYRING")) {
            // The test itself again, inside a private D-Bus session with gnome-keyring.
            BERTH_REQUIRE_TOOL("dbus-run-session");
            BERTH_REQUIRE_TOOL("gnome-keyring-daemon");
            BERTH_REQUIRE_TOOL("docker-registry");
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("BERTH_GUI_IN_KEYRING", "1");
            const ProcessResult r =
                run(QStringLiteral("/bin/sh"),
                    {QStringLiteral(BERTH_SOURCE_DIR "/tests/support/with-keyring.sh"),
                     QCoreApplication::applicationFilePath(), "loginKeepsCredentialsInKeychain"},
                    env, 300000);
            QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
            QVERIFY2(r.out.contains("PASS   : TestRegistriesGui::loginKeepsCredentialsInKeychain"),
                     qPrintable(r.describe()));
            return;
        }
        RegistryServer secured;
        secured.setUsers({{"alice", "s3cret"}});
        QVERIFY2(secured.start(), qPrintable(secured.errorString()));
        TestStore source;
        BERTH_VERIFY_OK(baseImage().install(source, {"base:1"}));
        Engine::Engine &e = source.engine();
        PushOptions o;
        o.credentials = Credentials{"alice", "s3cret"};
        BERTH_VERIFY_OK(
            Pusher(e.paths(), EngineStores(e).content(), EngineStores(e).images())
                .push("base:1", *Reference::parse(secured.address() + "/private/base:1"), o));
        clearRegistryAuthCache();

        TestStore store;
        BERTH_VERIFY_OK(baseImage().install(store, {"base:1"}));
        Gui::MainWindow window(store.engine());
        window.show();
        window.showPage(Gui::MainWindow::Page::Registries);
        Gui::RegistriesPage *page = window.registriesPage();
        QAbstractItemModelTester tester(page->model(),
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto *registry = find<QLineEdit>(page, "loginRegistry");
        registry->setText(secured.address());
        find<QLineEdit>(page, "loginUser")->setText("alice");
        auto *password = find<QLineEdit>(page, "loginPassword");
        QCOMPARE(password->echoMode(), QLineEdit::Password);

        // Wrong password: refused, nothing stored.
        password->setText("wrong");
        QTest::mouseClick(find<QPushButton>(page, "loginButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->loginStatus()->text().startsWith("Could not log in"), 30000);
        QVERIFY2(page->loginStatus()->text().contains("refused access"),
                 qPrintable(page->loginStatus()->text()));
        QCOMPARE(page->model()->rowCount(), 0);

        // Marked insecure as it logs in: remembered in the config directory for every command.
        QTemporaryDir config;
        qputenv("BERTH_CONFIG_DIR", config.path().toUtf8());
        auto restoreConfig = qScopeGuard([] { qunsetenv("BERTH_CONFIG_DIR"); });
        find<QCheckBox>(page, "loginInsecure")->setChecked(true);
        password->setText("s3cret");
        QTest::mouseClick(find<QPushButton>(page, "loginButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->loginStatus()->text().startsWith("Logged in"), 30000);
        QCOMPARE(savedInsecureRegistries(), QStringList{secured.address()});
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 1, 30000);
        QCOMPARE(page->model()->index(0, Gui::RegistriesModel::Registry).data().toString(),
                 secured.address());
        QCOMPARE(page->model()->index(0, Gui::RegistriesModel::KeptIn).data().toString(),
                 QString("System keychain"));
        QVERIFY(password->text().isEmpty());
        // Never a plain file.
        QVERIFY(
            !QFile::exists(qEnvironmentVariable("XDG_CONFIG_HOME") + "/berth/credentials.json"));

        // The private repository's tags, with the keychain's credentials.
        find<QLineEdit>(page, "tagsRepository")->setText(secured.address() + "/private/base");
        QTest::mouseClick(find<QPushButton>(page, "listTagsButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page->tagsModel()->stringList(), QStringList({"1"}), 30000);

        // Log out: the row goes, and the registry refuses again.
        auto *view = find<QTableView>(page, "registriesView");
        view->selectRow(0);
        QTest::mouseClick(find<QToolButton>(page, "logoutButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(page->model()->rowCount(), 0, 30000);
        page->tagsModel()->setStringList({});
        QTest::mouseClick(find<QPushButton>(page, "listTagsButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(page->tagsStatus()->text().contains("refused access"), 30000);
    }
};

QTEST_MAIN(TestRegistriesGui)
#include "tst_registries.moc"
