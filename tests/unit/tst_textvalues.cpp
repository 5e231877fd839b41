// SPDX-License-Identifier: GPL-3.0-or-later
// The value grammars every face of the engine shares: sizes ("-m 1t" in berthctl and "1t" in
// the Run dialog mean the same bytes) and environment merging.
#include "engine/core/textvalues.h"
#include "tests/support/testsupport.h"

using namespace Berth::Engine;

class TestTextValues : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sizes_data();
    void sizes();
    void environmentOverridesInPlace();
};

void TestTextValues::sizes_data() {
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<qint64>("bytes");
    QTest::newRow("plain") << "100" << true << qint64(100);
    QTest::newRow("bytes") << "100b" << true << qint64(100);
    QTest::newRow("k binary") << "512k" << true << qint64(512) * 1024;
    QTest::newRow("m binary") << "300m" << true << (qint64(300) << 20);
    QTest::newRow("t binary") << "1t" << true << (qint64(1) << 40);
    QTest::newRow("T upper") << "2T" << true << (qint64(2) << 40);
    QTest::newRow("gib always binary") << "1.5GiB" << false << qint64(1.5 * (1 << 30));
    QTest::newRow("mb decimal") << "20MB" << false << qint64(20000000);
    QTest::newRow("spaces") << " 4 k " << false << qint64(4000);
    QTest::newRow("unknown unit") << "12x" << true << qint64(-1);
    QTest::newRow("empty") << "" << true << qint64(-1);
    QTest::newRow("negative") << "-1m" << true << qint64(-1);
}

void TestTextValues::sizes() {
    QFETCH(QString, text);
    QFETCH(bool, binary);
    QFETCH(qint64, bytes);
    QCOMPARE(parseByteSize(text, binary ? SizeUnits::Binary : SizeUnits::Decimal), bytes);
}

void TestTextValues::environmentOverridesInPlace() {
    QCOMPARE(mergeEnvironment({"PATH=/bin", "A=1", "B=2"}, {"A=3", "C=4"}),
             QStringList({"PATH=/bin", "A=3", "B=2", "C=4"}));
    QCOMPARE(mergeEnvironment({}, {"X="}), QStringList({"X="}));
}

QTEST_GUILESS_MAIN(TestTextValues)
#include "tst_textvalues.moc"
