// SPDX-License-Identifier: GPL-3.0-or-later
// LogReader over a log written the way berth-shim writes it (JSON lines, rotated into
// ctr.log.1, ctr.log.2): order across the files, --tail/--since/--until, timestamps, escapes,
// lines still being written, and following through a rotation.
#include "engine/runtime/containerlogs.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Berth::Engine;

namespace {

// Line i of the test log: written at 2024-01-01T00:00:<i>.<i>Z.
qint64 timeOf(int i) {
    return (1704067200LL + i) * 1000000000LL + i;
}

QByteArray jsonLine(int i, const QByteArray &stream, const QByteArray &escapedText) {
    return "{\"time\":\"2024-01-01T00:00:" + QByteArray::number(i).rightJustified(2, '0') + "." +
           QByteArray::number(i).rightJustified(9, '0') + "Z\",\"stream\":\"" + stream +
           "\",\"log\":\"" + escapedText + "\"}\n";
}

QByteArray plainLine(int i) {
    return jsonLine(i, i % 3 == 2 ? "stderr" : "stdout", "line" + QByteArray::number(i) + "\\n");
}

void append(const QString &path, const QByteArray &data) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Append));
    QCOMPARE(f.write(data), data.size());
}

QByteArrayList texts(const QList<LogEntry> &entries) {
    QByteArrayList out;
    for (const LogEntry &e : entries)
        out.append(e.text);
    return out;
}

QByteArrayList expected(int from, int to) {
    QByteArrayList out;
    for (int i = from; i < to; ++i)
        out.append("line" + QByteArray::number(i) + "\n");
    return out;
}

} // namespace

class TestContainerLogs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void readsRotatedFilesInOrder();
    void tailCountsAcrossFiles();
    void sinceAndUntilFilter();
    void timestampsAreDockers();
    void decodesEscapesAndSkipsGarbage();
    void longLinesAndPartialLines();
    void followFinishesTheRotatedFile();
    void parsesUserTimes();

private:
    QTemporaryDir m_dir;
    QString m_log;
};

// Lines 0-2 in ctr.log.2, 3-5 in ctr.log.1, 6-8 in ctr.log (every third on stderr).
void TestContainerLogs::init() {
    QVERIFY(m_dir.isValid());
    for (const QString &name : QDir(m_dir.path()).entryList(QDir::Files))
        QFile::remove(m_dir.filePath(name));
    m_log = m_dir.filePath(QStringLiteral("ctr.log"));
    for (int i = 0; i < 9; ++i) {
        const QString file = i < 3 ? m_log + ".2" : i < 6 ? m_log + ".1" : m_log;
        append(file, plainLine(i));
    }
}

void TestContainerLogs::readsRotatedFilesInOrder() {
    LogReader reader(m_log);
    auto all = reader.read(LogQuery{});
    QVERIFY(all.has_value());
    QCOMPARE(texts(*all), expected(0, 9));
    for (int i = 0; i < 9; ++i) {
        QCOMPARE(all->at(i).timeNs, timeOf(i));
        QCOMPARE(all->at(i).stream,
                 i % 3 == 2 ? QStringLiteral("stderr") : QStringLiteral("stdout"));
    }
    // A sink that says stop gets no more.
    int seen = 0;
    QVERIFY(reader.read(LogQuery{}, [&](const LogEntry &) { return ++seen < 4; }).has_value());
    QCOMPARE(seen, 4);
}

void TestContainerLogs::tailCountsAcrossFiles() {
    LogReader reader(m_log);
    for (int tail : {0, 1, 3, 4, 6, 7, 9, 50}) {
        auto lines = reader.read(LogQuery{tail, 0, 0});
        QVERIFY(lines.has_value());
        QCOMPARE(texts(*lines), expected(qMax(0, 9 - tail), 9));
    }
    // --tail 0 then follow: only what comes after.
    QVERIFY(reader.read(LogQuery{0, 0, 0}).has_value());
    append(m_log, plainLine(9));
    QCOMPARE(texts(reader.follow()), expected(9, 10));
}

void TestContainerLogs::sinceAndUntilFilter() {
    LogReader reader(m_log);
    auto since = reader.read(LogQuery{-1, timeOf(4), 0});
    QVERIFY(since.has_value());
    QCOMPARE(texts(*since), expected(4, 9));
    auto until = reader.read(LogQuery{-1, 0, timeOf(4)});
    QVERIFY(until.has_value());
    QCOMPARE(texts(*until), expected(0, 4)); // until is exclusive
    auto both = reader.read(LogQuery{-1, timeOf(2), timeOf(7)});
    QVERIFY(both.has_value());
    QCOMPARE(texts(*both), expected(2, 7));
    // The tail is taken first, then filtered (as Docker does).
    auto tailSince = reader.read(LogQuery{5, timeOf(2), 0});
    QVERIFY(tailSince.has_value());
    QCOMPARE(texts(*tailSince), expected(4, 9));
    auto tailUntil = reader.read(LogQuery{5, 0, timeOf(2)});
    QVERIFY(tailUntil.has_value());
    QVERIFY(tailUntil->isEmpty());
}

void TestContainerLogs::timestampsAreDockers() {
    LogReader reader(m_log);
    auto lines = reader.read(LogQuery{1, 0, 0});
    QVERIFY(lines.has_value());
    QCOMPARE(lines->size(), 1);
    QCOMPARE(lines->first().timestamp(), QStringLiteral("2024-01-01T00:00:08.000000008Z"));
    QByteArray out;
    appendLogTimestamp(out, timeOf(59));
    appendLogTimestamp(out, timeOf(0) + 999999999);
    appendLogTimestamp(out, 0);
    QCOMPARE(out, QByteArray("2024-01-01T00:00:59.000000059Z"
                             "2024-01-01T00:00:00.999999999Z"
                             "1970-01-01T00:00:00.000000000Z"));
    // An offset in the log is honoured; a time without one is not an entry.
    LogEntry e;
    QVERIFY(
        parseLogLine(R"({"time":"2024-01-01T01:00:08.5+01:00","stream":"stdout","log":"x"})", e));
    QCOMPARE(e.timeNs, (1704067200LL + 8) * 1000000000LL + 500000000);
    QVERIFY(!parseLogLine(R"({"time":"2024-01-01T01:00:08","stream":"stdout","log":"x"})", e));
    QVERIFY(!parseLogLine(R"({"time":"2024-02-30T01:00:08Z","stream":"stdout","log":"x"})", e));
}

void TestContainerLogs::decodesEscapesAndSkipsGarbage() {
    QFile::remove(m_log + ".1");
    QFile::remove(m_log + ".2");
    QFile::remove(m_log);
    append(m_log,
           jsonLine(1, "stdout", R"(\u001b[31mred\u001b[0m\t\"q\" \\ \/ \u00e9 \ud83d\ude00\r\n)"));
    append(m_log, "not json at all\n");
    append(m_log, "{\"time\":\"2024-01-01T00:00:02Z\",\"stream\":\"stdout\",\"log\":\"cut\n");
    append(m_log, "\n");
    // Keys in another order, spaces, an extra field: still an entry.
    append(m_log, R"( { "log" : "raw )"
                  "\xff"
                  R"( bytes\n", "attrs": {"a": [1, "}"]}, "stream": "stderr", )"
                  R"("time": "2024-01-01T00:00:03.25Z" } )"
                  "\n");
    LogReader reader(m_log);
    auto lines = reader.read(LogQuery{});
    QVERIFY(lines.has_value());
    QCOMPARE(lines->size(), 2);
    QCOMPARE(lines->at(0).text,
             QByteArray("\x1b[31mred\x1b[0m\t\"q\" \\ / \xc3\xa9 \xf0\x9f\x98\x80\r\n"));
    QCOMPARE(lines->at(1).text, QByteArray("raw \xff bytes\n"));
    QCOMPARE(lines->at(1).stream, QStringLiteral("stderr"));
    QCOMPARE(lines->at(1).timeNs, (1704067200LL + 3) * 1000000000LL + 250000000);
}

void TestContainerLogs::longLinesAndPartialLines() {
    QFile::remove(m_log + ".1");
    QFile::remove(m_log + ".2");
    QFile::remove(m_log);
    const QByteArray big(3 << 20, 'x'); // longer than a read block
    append(m_log, plainLine(0));
    append(m_log, jsonLine(1, "stdout", big));
    append(m_log, plainLine(2));
    const QByteArray partial = plainLine(3);
    append(m_log, partial.left(20)); // the shim is still writing this one
    LogReader reader(m_log);
    auto lines = reader.read(LogQuery{});
    QVERIFY(lines.has_value());
    QCOMPARE(lines->size(), 3);
    QCOMPARE(lines->at(1).text, big);
    QCOMPARE(lines->at(2).text, QByteArray("line2\n"));
    auto tail = reader.read(LogQuery{2, 0, 0});
    QVERIFY(tail.has_value());
    QCOMPARE(tail->size(), 2);
    QCOMPARE(tail->at(0).text, big);
    // The rest of the line arrives: follow() gives it whole, once.
    append(m_log, partial.mid(20));
    QCOMPARE(texts(reader.follow()), expected(3, 4));
    QVERIFY(reader.follow().isEmpty());
}

void TestContainerLogs::followFinishesTheRotatedFile() {
    LogReader reader(m_log);
    QVERIFY(reader.read(LogQuery{}).has_value());
    // A line lands in ctr.log, then it rotates twice before the next look (as the shim
    // rotates with max-file 3: .1 -> .2, ctr.log -> .1, a new ctr.log).
    const auto rotate = [&] {
        QFile::remove(m_log + ".2");
        QVERIFY(QFile::rename(m_log + ".1", m_log + ".2"));
        QVERIFY(QFile::rename(m_log, m_log + ".1"));
    };
    append(m_log, plainLine(9));
    rotate();
    append(m_log, plainLine(10));
    rotate();
    append(m_log, plainLine(11));
    QCOMPARE(texts(reader.follow()), expected(9, 12));
    QVERIFY(reader.follow().isEmpty());
    // max-file 1: the shim truncates the file in place.
    QFile f(m_log);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.close();
    append(m_log, plainLine(12));
    QCOMPARE(texts(reader.follow()), expected(12, 13));
}

void TestContainerLogs::parsesUserTimes() {
    const QDateTime now = QDateTime::fromSecsSinceEpoch(1704067200, Qt::UTC);
    QCOMPARE(parseLogTime(QStringLiteral("2024-01-01T00:00:00Z"), now).value(),
             1704067200LL * 1000000000LL);
    QCOMPARE(parseLogTime(QStringLiteral("2024-01-01T02:00:00.5+02:00"), now).value(),
             1704067200LL * 1000000000LL + 500000000);
    QCOMPARE(parseLogTime(QStringLiteral("1704067200.25"), now).value(),
             1704067200LL * 1000000000LL + 250000000);
    QCOMPARE(parseLogTime(QStringLiteral("1h30m"), now).value(),
             (1704067200LL - 5400) * 1000000000LL);
    QVERIFY(!parseLogTime(QStringLiteral("yesterday"), now).has_value());
}

QTEST_GUILESS_MAIN(TestContainerLogs)
#include "tst_containerlogs.moc"
