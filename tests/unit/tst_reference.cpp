// SPDX-License-Identifier: GPL-3.0-or-later
// Image references are normalised exactly like Docker does it.
#include "engine/images/reference.h"
#include "tests/support/testsupport.h"

using namespace Berth::Engine;

class TestReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void normalises_data();
    void normalises();
    void rejects_data();
    void rejects();
    void familiarForm();
};

void TestReference::normalises_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("full");
    QTest::addColumn<QString>("domain");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("tag");
    const QString dg = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    QTest::newRow("short") << "busybox"
                           << "docker.io/library/busybox:latest"
                           << "docker.io"
                           << "library/busybox"
                           << "latest";
    QTest::newRow("tag") << "busybox:1.36"
                         << "docker.io/library/busybox:1.36"
                         << "docker.io"
                         << "library/busybox"
                         << "1.36";
    QTest::newRow("user") << "user/app"
                          << "docker.io/user/app:latest"
                          << "docker.io"
                          << "user/app"
                          << "latest";
    QTest::newRow("index.docker.io") << "index.docker.io/library/busybox"
                                     << "docker.io/library/busybox:latest"
                                     << "docker.io"
                                     << "library/busybox"
                                     << "latest";
    QTest::newRow("docker.io single") << "docker.io/busybox"
                                      << "docker.io/library/busybox:latest"
                                      << "docker.io"
                                      << "library/busybox"
                                      << "latest";
    QTest::newRow("port") << "localhost:5000/a/b:c"
                          << "localhost:5000/a/b:c"
                          << "localhost:5000"
                          << "a/b"
                          << "c";
    QTest::newRow("localhost") << "localhost/app"
                               << "localhost/app:latest"
                               << "localhost"
                               << "app"
                               << "latest";
    QTest::newRow("host") << "quay.io/podman/stable"
                          << "quay.io/podman/stable:latest"
                          << "quay.io"
                          << "podman/stable"
                          << "latest";
    QTest::newRow("ip port") << "127.0.0.1:5000/x"
                             << "127.0.0.1:5000/x:latest"
                             << "127.0.0.1:5000"
                             << "x"
                             << "latest";
    QTest::newRow("digest") << ("busybox@" + dg) << ("docker.io/library/busybox@" + dg)
                            << "docker.io"
                            << "library/busybox"
                            << "";
    QTest::newRow("tag+digest") << ("busybox:1@" + dg) << ("docker.io/library/busybox:1@" + dg)
                                << "docker.io"
                                << "library/busybox"
                                << "1";
    QTest::newRow("separators") << "a__b/c-d.e_f:T_1.x-y"
                                << "docker.io/a__b/c-d.e_f:T_1.x-y"
                                << "docker.io"
                                << "a__b/c-d.e_f"
                                << "T_1.x-y";
    QTest::newRow("uppercase host") << "Example.COM/x"
                                    << "Example.COM/x:latest"
                                    << "Example.COM"
                                    << "x"
                                    << "latest";
}

void TestReference::normalises() {
    QFETCH(QString, input);
    QFETCH(QString, full);
    QFETCH(QString, domain);
    QFETCH(QString, path);
    QFETCH(QString, tag);
    auto ref = Reference::parse(input);
    QVERIFY2(ref.has_value(), qPrintable(ref ? QString() : ref.error().message));
    QCOMPARE(ref->toString(), full);
    QCOMPARE(ref->domain(), domain);
    QCOMPARE(ref->path(), path);
    QCOMPARE(ref->tag(), tag);
}

void TestReference::rejects_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << ""
                           << "empty";
    QTest::newRow("uppercase repo") << "Busybox"
                                    << "lowercase";
    QTest::newRow("uppercase path") << "docker.io/User/app"
                                    << "lowercase";
    QTest::newRow("bad tag") << "busybox:-bad"
                             << "invalid tag";
    QTest::newRow("long tag") << ("busybox:" + QString(129, QLatin1Char('a'))) << "invalid tag";
    QTest::newRow("bad digest") << "busybox@sha256:abc"
                                << "invalid sha256";
    QTest::newRow("md5") << ("busybox@md5:" + QString(32, QLatin1Char('a')))
                         << "unsupported digest algorithm";
    QTest::newRow("hex name") << QString(64, QLatin1Char('a')) << "64-byte hexadecimal";
    QTest::newRow("double slash") << "a//b"
                                  << "invalid repository path component";
    QTest::newRow("trailing sep") << "a-/b"
                                  << "invalid repository path component";
    QTest::newRow("too long") << QString(256, QLatin1Char('a')) << "255";
    QTest::newRow("space") << "bus box"
                           << "invalid repository path component";
}

void TestReference::rejects() {
    QFETCH(QString, input);
    QFETCH(QString, reason);
    auto ref = Reference::parse(input);
    QVERIFY2(!ref.has_value(), qPrintable(input));
    QCOMPARE(ref.error().kind, ErrorKind::InvalidArgument);
    QVERIFY2(ref.error().message.contains(reason), qPrintable(ref.error().message));
}

void TestReference::familiarForm() {
    QCOMPARE(Reference::parse(QStringLiteral("docker.io/library/busybox:latest"))->familiarString(),
             QStringLiteral("busybox:latest"));
    QCOMPARE(Reference::parse(QStringLiteral("user/app:1"))->familiarString(),
             QStringLiteral("user/app:1"));
    QCOMPARE(Reference::parse(QStringLiteral("localhost:5000/x"))->familiarName(),
             QStringLiteral("localhost:5000/x"));
    QVERIFY(Reference::parseRepository(QStringLiteral("busybox"))->tag().isEmpty());
}

QTEST_GUILESS_MAIN(TestReference)
#include "tst_reference.moc"
