#include "duration.h"

#include <QTest>

using namespace Qt::StringLiterals;

class TestDuration : public QObject
{
    Q_OBJECT

private slots:
    void parseAccepted_data();
    void parseAccepted();
    void parseRejected_data();
    void parseRejected();
    void formatCountdown_data();
    void formatCountdown();
    void formatDuration_data();
    void formatDuration();
    void formatThenParse_data();
    void formatThenParse();
    void checkLifetime_data();
    void checkLifetime();
};

void TestDuration::parseAccepted_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");

    QTest::newRow("hours") << u"2h"_s << qint64(7200);
    QTest::newRow("minutes") << u"90m"_s << qint64(5400);
    QTest::newRow("seconds") << u"45s"_s << qint64(45);
    QTest::newRow("hours and minutes") << u"1h30m"_s << qint64(5400);
    QTest::newRow("decimal hours") << u"1.5h"_s << qint64(5400);
    QTest::newRow("space between parts") << u"2h 15m"_s << qint64(8100);
    QTest::newRow("all three parts") << u"1h30m15s"_s << qint64(5415);
    QTest::newRow("zero part in the middle") << u"1h 0m 5s"_s << qint64(3605);
    QTest::newRow("surrounding spaces") << u"  2h  "_s << qint64(7200);
    QTest::newRow("upper case") << u"2H"_s << qint64(7200);
    QTest::newRow("formatDuration's own form") << u"1 h 30 min"_s << qint64(5400);
    QTest::newRow("long units") << u"2 hours 15 minutes"_s << qint64(8100);
    QTest::newRow("hr and sec") << u"1hr 10sec"_s << qint64(3610);
    QTest::newRow("singular unit") << u"1 hour"_s << qint64(3600);
    QTest::newRow("half a minute") << u"0.5m"_s << qint64(30);
    QTest::newRow("leading dot") << u".5h"_s << qint64(1800);
    QTest::newRow("quarter minutes") << u"1.25m"_s << qint64(75);
    QTest::newRow("zero hours then minutes") << u"0h30m"_s << qint64(1800);
    QTest::newRow("a day") << u"24h"_s << qint64(86400);
    QTest::newRow("one second") << u"1s"_s << qint64(1);
    QTest::newRow("longest accepted: 366 days") << u"8784h"_s << qint64(31'622'400);
}

void TestDuration::parseAccepted()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    const Result<qint64> parsed = parseDuration(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(*parsed, seconds);
}

void TestDuration::parseRejected_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message"); // a part of the error that says what is wrong and what to write

    QTest::newRow("empty") << QString() << u"No lifetime given. Write a lifetime with units, such as 2h"_s;
    QTest::newRow("blank") << u"   "_s << u"No lifetime given."_s;
    QTest::newRow("bare zero") << u"0"_s << u"“0” is zero; a lifetime must be longer than zero. Write"_s;
    QTest::newRow("zero hours") << u"0h"_s << u"“0h” is zero"_s;
    QTest::newRow("zero in parts") << u"0m 0s"_s << u"“0m 0s” is zero"_s;
    QTest::newRow("negative") << u"-2h"_s << u"“-2h” is negative; a lifetime must be longer than zero."_s;
    QTest::newRow("negative bare number") << u"-5"_s << u"is negative"_s;
    QTest::newRow("bare number is ambiguous")
        << u"120"_s << u"“120” has no unit: write 120m for minutes, 120s for seconds or 120h for hours."_s;
    QTest::newRow("bare decimal") << u"1.5"_s << u"“1.5” has no unit: write 1.5m"_s;
    QTest::newRow("garbage") << u"abc"_s << u"“abc” is not a lifetime: “abc” is not understood. Write"_s;
    QTest::newRow("unit without number") << u"h"_s << u"is not understood"_s;
    QTest::newRow("plus sign") << u"+2h"_s << u"is not understood"_s;
    QTest::newRow("comma between parts") << u"2h, 15m"_s << u"“, 15m” is not understood"_s;
    QTest::newRow("unknown unit") << u"2x"_s
                                  << u"“x” is not a unit of time. Use h (hours), m (minutes) or s"_s;
    QTest::newRow("days are not a unit") << u"1d"_s << u"“d” is not a unit of time"_s;
    QTest::newRow("exponent") << u"1e3h"_s << u"“e” is not a unit of time"_s;
    QTest::newRow("trailing number") << u"1h30"_s << u"“1h30” has a number without a unit (30)."_s;
    QTest::newRow("two dots") << u"1.2.3h"_s << u"has a number without a unit (1.2)"_s;
    QTest::newRow("smaller unit first") << u"30m1h"_s << u"give hours, then minutes, then seconds"_s;
    QTest::newRow("unit twice") << u"1h 1h"_s << u"each at most once, as in 1h30m15s"_s;
    QTest::newRow("fractional seconds") << u"1.5s"_s << u"“1.5s” is not a whole number of seconds"_s;
    QTest::newRow("fraction of a second from hours") << u"0.0001h"_s << u"not a whole number of seconds"_s;
    QTest::newRow("too many decimals") << u"1.1234567h"_s << u"too many decimals"_s;
    QTest::newRow("overflow") << u"99999999999999999999h"_s << u"is too long: lifetimes go up to 366 days"_s;
    QTest::newRow("just over a leap year") << u"8785h"_s << u"is too long"_s;
    QTest::newRow("over a year in minutes") << u"600000m"_s << u"is too long"_s;
}

void TestDuration::parseRejected()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Result<qint64> parsed = parseDuration(text);
    QVERIFY2(!parsed.ok(), qPrintable(u"accepted as %1 s"_s.arg(parsed.ok() ? *parsed : 0)));
    QVERIFY2(parsed.error().contains(message), qPrintable(parsed.error()));
}

void TestDuration::formatCountdown_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");

    QTest::newRow("just under two hours") << qint64(7198) << u"1:59:58"_s;
    QTest::newRow("minutes and seconds") << qint64(245) << u"4:05"_s;
    QTest::newRow("ten minutes") << qint64(600) << u"10:00"_s;
    QTest::newRow("under a minute") << qint64(59) << u"0:59"_s;
    QTest::newRow("zero") << qint64(0) << u"0:00"_s;
    QTest::newRow("negative shows zero") << qint64(-5) << u"0:00"_s;
    QTest::newRow("exactly an hour") << qint64(3600) << u"1:00:00"_s;
    QTest::newRow("last second of a day") << qint64(86399) << u"23:59:59"_s;
    QTest::newRow("more than a day") << qint64(90000) << u"25:00:00"_s;
}

void TestDuration::formatCountdown()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(::formatCountdown(seconds), text);
}

void TestDuration::formatDuration_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");

    QTest::newRow("hours") << qint64(7200) << u"2 h"_s;
    QTest::newRow("hours and minutes") << qint64(5400) << u"1 h 30 min"_s;
    QTest::newRow("seconds") << qint64(45) << u"45 s"_s;
    QTest::newRow("minutes") << qint64(60) << u"1 min"_s;
    QTest::newRow("zero minutes left out") << qint64(3605) << u"1 h 5 s"_s;
    QTest::newRow("all parts") << qint64(5415) << u"1 h 30 min 15 s"_s;
    QTest::newRow("a day") << qint64(86400) << u"24 h"_s;
    QTest::newRow("zero") << qint64(0) << u"0 s"_s;
    QTest::newRow("negative") << qint64(-3) << u"0 s"_s;
}

void TestDuration::formatDuration()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);
    QCOMPARE(::formatDuration(seconds), text);
}

void TestDuration::formatThenParse_data()
{
    QTest::addColumn<qint64>("seconds");
    for (const qint64 seconds : {qint64(1), qint64(59), qint64(60), qint64(3599), qint64(3605), qint64(5415),
                                 qint64(7200), qint64(86400)})
        QTest::addRow("%lld s", seconds) << seconds;
}

void TestDuration::formatThenParse()
{
    // What the UI shows, a user can type back.
    QFETCH(qint64, seconds);
    const Result<qint64> parsed = parseDuration(::formatDuration(seconds));
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(*parsed, seconds);
}

void TestDuration::checkLifetime_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<qint64>("maxSeconds");
    QTest::addColumn<QString>("provider");
    QTest::addColumn<QString>("message"); // empty: accepted

    QTest::newRow("well inside") << qint64(7200) << qint64(86400) << u"E2B"_s << QString();
    QTest::newRow("exactly the cap") << qint64(86400) << qint64(86400) << u"E2B"_s << QString();
    QTest::newRow("one second over") << qint64(86401) << qint64(86400) << u"E2B"_s
                                     << u"E2B can run at most 24 h; choose a shorter --ttl."_s;
    QTest::newRow("hobby plan cap") << qint64(7200) << qint64(3600) << u"E2B"_s
                                    << u"E2B can run at most 1 h; choose a shorter --ttl."_s;
    QTest::newRow("cap with minutes") << qint64(7200) << qint64(5400) << u"Modal"_s
                                      << u"Modal can run at most 1 h 30 min; choose a shorter --ttl."_s;
    QTest::newRow("no cap") << qint64(30 * 86400) << qint64(0) << u"Local"_s << QString();
    QTest::newRow("zero") << qint64(0) << qint64(86400) << u"E2B"_s
                          << u"A lifetime must be longer than zero."_s;
    QTest::newRow("negative") << qint64(-60) << qint64(86400) << u"E2B"_s << u"longer than zero"_s;
}

void TestDuration::checkLifetime()
{
    QFETCH(qint64, seconds);
    QFETCH(qint64, maxSeconds);
    QFETCH(QString, provider);
    QFETCH(QString, message);
    const Result<qint64> checked = ::checkLifetime(seconds, maxSeconds, provider);
    if (message.isEmpty()) {
        QVERIFY2(checked.ok(), qPrintable(checked.error()));
        QCOMPARE(*checked, seconds);
    } else {
        QVERIFY(!checked.ok());
        QVERIFY2(checked.error().contains(message), qPrintable(checked.error()));
    }
}

QTEST_GUILESS_MAIN(TestDuration)
#include "tst_duration.moc"
