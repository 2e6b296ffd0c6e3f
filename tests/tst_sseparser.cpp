#include "claude/sseparser.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace {

// One event as "type|id|data": compact rows, and QCOMPARE shows the first event that differs.
QByteArrayList describe(const QList<SseEvent> &events)
{
    QByteArrayList out;
    for (const SseEvent &event : events)
        out.append(event.event + '|' + event.id + '|' + event.data);
    return out;
}

struct Outcome
{
    QByteArrayList events;
    bool partial = false;
    bool error = false;
    QByteArray lastEventId;
    int retryMs = -1;
    qint64 bytesFed = 0;

    bool operator==(const Outcome &other) const = default;
};

Outcome finish(SseParser &parser, QList<SseEvent> events)
{
    events += parser.take();
    // After an error the parser stops counting: how much it saw depends on where the chunks ended.
    return {describe(events),     parser.hasPartialEvent(), parser.hasError(),
            parser.lastEventId(), parser.retryMs(),         parser.hasError() ? -1 : parser.bytesFed()};
}

// Feeds input cut at the given offsets (ascending), taking events after every chunk as a reader would.
Outcome parseChunks(QByteArrayView input, const QList<qsizetype> &cuts, qsizetype maxEventSize)
{
    SseParser parser(maxEventSize);
    QList<SseEvent> events;
    qsizetype from = 0;
    for (const qsizetype cut : cuts) {
        parser.feed(input.sliced(from, cut - from));
        events += parser.take();
        from = cut;
    }
    parser.feed(input.sliced(from));
    return finish(parser, std::move(events));
}

QByteArray cutsText(const QList<qsizetype> &cuts)
{
    QByteArrayList parts;
    for (const qsizetype cut : cuts)
        parts.append(QByteArray::number(cut));
    return "cut at " + parts.join(',');
}

// The same outcome whether the input comes whole, byte by byte, in two chunks cut at every offset, or (for
// short inputs) in three chunks cut at every pair of offsets.
void verifyEveryChunking(QByteArrayView input, const Outcome &expected, qsizetype maxEventSize)
{
    const qsizetype n = input.size();
    const auto check = [&](const QList<qsizetype> &cuts) {
        const Outcome got = parseChunks(input, cuts, maxEventSize);
        if (got == expected)
            return true;
        qWarning("%s: events %s, partial %d, error %d, lastEventId %s", cutsText(cuts).constData(),
                 got.events.join(" / ").toPercentEncoding(" |/:").constData(), got.partial, got.error,
                 got.lastEventId.constData());
        return false;
    };
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < n; ++i)
        everyByte.append(i);
    QVERIFY2(check(everyByte), "byte by byte");
    for (qsizetype i = 0; i <= n; ++i)
        QVERIFY2(check({i}), cutsText({i}).constData());
    if (n > 80)
        return;
    for (qsizetype i = 1; i < n; ++i) {
        for (qsizetype j = i + 1; j < n; ++j)
            QVERIFY2(check({i, j}), cutsText({i, j}).constData());
    }
}

} // namespace

class TestSseParser : public QObject
{
    Q_OBJECT

private slots:
    void events_data();
    void events();
    void retryField_data();
    void retryField();
    void crAtChunkEndThenLf();
    void maxEventSize_data();
    void maxEventSize();
    void errorStopsInput();
    void partialEvent();
    void reset();
    void largeEventAcrossManyChunks();
};

void TestSseParser::events_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArrayList>("expected"); // "type|id|data"
    QTest::addColumn<bool>("partial");            // hasPartialEvent() at the end
    QTest::addColumn<QByteArray>("lastEventId");

    const QByteArray none;
    QTest::newRow("lf") << "data: hello\n\n"_ba << QByteArrayList{"message||hello"} << false << none;
    QTest::newRow("crlf") << "data: hello\r\n\r\n"_ba << QByteArrayList{"message||hello"} << false << none;
    QTest::newRow("cr") << "data: hello\r\r"_ba << QByteArrayList{"message||hello"} << false << none;
    QTest::newRow("mixed line ends") << "event: a\rdata: 1\r\ndata: 2\n\r\ndata: 3\r\r"_ba
                                     << QByteArrayList{"a||1\n2", "message||3"} << false << none;
    QTest::newRow("cr cr is two line ends")
        << "data: x\r\rdata: y\r\n\r\n"_ba << QByteArrayList{"message||x", "message||y"} << false << none;
    QTest::newRow("lf cr is two line ends")
        << "data: x\n\rdata: y\n\n"_ba << QByteArrayList{"message||x", "message||y"} << false << none;
    QTest::newRow("crlf crlf between events")
        << "data: a\r\n\r\ndata: b\r\n\r\n"_ba << QByteArrayList{"message||a", "message||b"} << false << none;

    const QByteArray bom = "\xEF\xBB\xBF"_ba;
    QTest::newRow("bom") << QByteArray(bom + "data: x\n\n") << QByteArrayList{"message||x"} << false << none;
    QTest::newRow("bom then crlf") << "\xEF\xBB\xBF\r\ndata: x\r\n\r\n"_ba << QByteArrayList{"message||x"}
                                   << false << none;
    QTest::newRow("bom only at the start")
        << QByteArray("data: a\n\n" + bom + "data: b\n\n") << QByteArrayList{"message||a"} << false << none;
    QTest::newRow("second bom is a field name")
        << QByteArray(bom + bom + "data: x\n\n") << QByteArrayList{} << false << none;
    QTest::newRow("half a bom is input")
        << QByteArray(bom.first(2) + "data: x\n\n") << QByteArrayList{} << false << none;
    QTest::newRow("half a bom as the data")
        << "data: \xEF\xBB\n\n"_ba << QByteArrayList{"message||\xEF\xBB"} << false << none;
    QTest::newRow("only half a bom") << "\xEF\xBB"_ba << QByteArrayList{} << true << none;

    QTest::newRow("comment") << ": keep-alive\n\ndata: x\n\n"_ba << QByteArrayList{"message||x"} << false
                             << none;
    QTest::newRow("comment inside an event")
        << "data: a\n: note\ndata: b\n\n"_ba << QByteArrayList{"message||a\nb"} << false << none;
    QTest::newRow("comment alone is no event") << ":\n\n:x\r\n\r\n"_ba << QByteArrayList{} << false << none;

    QTest::newRow("data without colon") << "data\n\n"_ba << QByteArrayList{"message||"} << false << none;
    QTest::newRow("two data without colon")
        << "data\ndata\n\n"_ba << QByteArrayList{"message||\n"} << false << none;
    QTest::newRow("event without colon")
        << "event\ndata: x\n\n"_ba << QByteArrayList{"message||x"} << false << none;
    QTest::newRow("empty data value") << "data:\n\n"_ba << QByteArrayList{"message||"} << false << none;

    QTest::newRow("no space") << "data:x\n\n"_ba << QByteArrayList{"message||x"} << false << none;
    QTest::newRow("only one space is removed")
        << "data:  x\n\n"_ba << QByteArrayList{"message|| x"} << false << none;
    QTest::newRow("tab is kept") << "data:\tx\n\n"_ba << QByteArrayList{"message||\tx"} << false << none;
    QTest::newRow("trailing space kept")
        << "data: x \n\n"_ba << QByteArrayList{"message||x "} << false << none;
    QTest::newRow("colon in value") << "data: a: b\n\n"_ba << QByteArrayList{"message||a: b"} << false
                                    << none;
    QTest::newRow("space before colon is another field")
        << "data : x\n\n"_ba << QByteArrayList{} << false << none;
    QTest::newRow("field names are case sensitive") << "Data: x\n\n"_ba << QByteArrayList{} << false << none;
    QTest::newRow("unknown field ignored")
        << "foo: bar\ndata: x\n\n"_ba << QByteArrayList{"message||x"} << false << none;

    QTest::newRow("multi-line data") << "data: a\ndata: b\ndata:\n\n"_ba << QByteArrayList{"message||a\nb\n"}
                                     << false << none;
    QTest::newRow("multi-line json") << "data: {\ndata: \"a\": 1\ndata: }\n\n"_ba
                                     << QByteArrayList{"message||{\n\"a\": 1\n}"} << false << none;

    QTest::newRow("no blank line: not dispatched") << "data: x\n"_ba << QByteArrayList{} << true << none;
    QTest::newRow("no line end: not dispatched") << "data: x"_ba << QByteArrayList{} << true << none;
    QTest::newRow("last event unfinished")
        << "data: a\n\ndata: b\n"_ba << QByteArrayList{"message||a"} << true << none;
    QTest::newRow("cr without the blank line") << "data: a\r"_ba << QByteArrayList{} << true << none;
    QTest::newRow("blank lines alone") << "\n\n\r\n\r"_ba << QByteArrayList{} << false << none;

    QTest::newRow("event type") << "event: ping\ndata: {}\n\n"_ba << QByteArrayList{"ping||{}"} << false
                                << none;
    QTest::newRow("empty event type means message")
        << "event:\ndata: x\n\n"_ba << QByteArrayList{"message||x"} << false << none;
    QTest::newRow("last event line wins")
        << "event: a\nevent: b\ndata: x\n\n"_ba << QByteArrayList{"b||x"} << false << none;
    QTest::newRow("type resets after dispatch")
        << "event: a\ndata: 1\n\ndata: 2\n\n"_ba << QByteArrayList{"a||1", "message||2"} << false << none;
    QTest::newRow("type of an event without data is dropped")
        << "event: a\n\ndata: x\n\n"_ba << QByteArrayList{"message||x"} << false << none;
    QTest::newRow("repeated type") << "event: a\ndata: 1\n\nevent: a\ndata: 2\n\nevent: b\ndata: 3\n\n"_ba
                                   << QByteArrayList{"a||1", "a||2", "b||3"} << false << none;

    QTest::newRow("id") << "id: 7\ndata: x\n\ndata: y\n\n"_ba << QByteArrayList{"message|7|x", "message|7|y"}
                        << false << "7"_ba;
    QTest::newRow("id after data") << "data: x\nid: 7\n\n"_ba << QByteArrayList{"message|7|x"} << false
                                   << "7"_ba;
    QTest::newRow("empty id resets") << "id: 7\ndata: x\n\nid\ndata: y\n\n"_ba
                                     << QByteArrayList{"message|7|x", "message||y"} << false << none;
    QTest::newRow("id with NUL ignored") << "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"_ba
                                         << QByteArrayList{"message|1|a", "message|1|b"} << false << "1"_ba;
    QTest::newRow("id set by an event without data")
        << "id: 5\n\ndata: x\n\n"_ba << QByteArrayList{"message|5|x"} << false << "5"_ba;
    QTest::newRow("id of an unfinished event does not count")
        << "id: 1\ndata: a\n\nid: 2\ndata: b\n"_ba << QByteArrayList{"message|1|a"} << true << "1"_ba;

    QTest::newRow("utf-8 multi-byte")
        << "data: h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82\n\n"_ba
        << QByteArrayList{"message||h\xC3\xA9llo \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x99\x82"} << false << none;
    QTest::newRow("invalid utf-8 passes through")
        << "data: \xFF\xC3\n\n"_ba << QByteArrayList{"message||\xFF\xC3"} << false << none;
    QTest::newRow("NUL in data") << "data: a\0b\n\n"_ba << QByteArrayList{"message||a\0b"_ba} << false
                                 << none;

    QTest::newRow("messages api shape")
        << "event: message_start\ndata: {\"type\":\"message_start\"}\n\nevent: ping\ndata: {\"type\": "
           "\"ping\"}\n\n"
           "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0}\n\n"_ba
        << QByteArrayList{"message_start||{\"type\":\"message_start\"}", "ping||{\"type\": \"ping\"}",
                          "content_block_delta||{\"type\":\"content_block_delta\",\"index\":0}"}
        << false << none;
}

void TestSseParser::events()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArrayList, expected);
    QFETCH(bool, partial);
    QFETCH(QByteArray, lastEventId);

    const Outcome whole = parseChunks(input, {}, SseParser::DefaultMaxEventSize);
    QCOMPARE(whole.events, expected);
    QCOMPARE(whole.partial, partial);
    QCOMPARE(whole.lastEventId, lastEventId);
    QVERIFY(!whole.error);
    QCOMPARE(whole.bytesFed, qint64(input.size()));
    verifyEveryChunking(input, whole, SseParser::DefaultMaxEventSize);
}

void TestSseParser::retryField_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("retryMs");

    QTest::newRow("none") << "data: x\n\n"_ba << -1;
    QTest::newRow("milliseconds") << "retry: 3000\n\n"_ba << 3000;
    QTest::newRow("zero") << "retry: 0\n"_ba << 0;
    QTest::newRow("no space") << "retry:250\n"_ba << 250;
    QTest::newRow("unit is not a number") << "retry: 3s\n"_ba << -1;
    QTest::newRow("negative") << "retry: -5\n"_ba << -1;
    QTest::newRow("empty") << "retry:\n"_ba << -1;
    QTest::newRow("without colon") << "retry\n"_ba << -1;
    QTest::newRow("too large for int") << "retry: 12345678901\n"_ba << -1;
    QTest::newRow("invalid keeps the last valid") << "retry: 100\nretry: x\n"_ba << 100;
    QTest::newRow("later valid wins") << "retry: 100\nretry: 200\n"_ba << 200;
    QTest::newRow("unfinished line not applied") << "retry: 100\nretry: 200"_ba << 100;
}

void TestSseParser::retryField()
{
    QFETCH(QByteArray, input);
    QFETCH(int, retryMs);
    const Outcome whole = parseChunks(input, {}, SseParser::DefaultMaxEventSize);
    QCOMPARE(whole.retryMs, retryMs);
    QVERIFY(whole.events.isEmpty() || input.startsWith("data"));
    verifyEveryChunking(input, whole, SseParser::DefaultMaxEventSize);
}

void TestSseParser::crAtChunkEndThenLf()
{
    // The CRLF split between two reads: the LF must not count as a second line end (which would dispatch
    // "a" alone and then "b" as its own event).
    SseParser parser;
    parser.feed("data: a\r");
    QVERIFY(!parser.hasEvents());
    parser.feed("\ndata: b\r");
    QVERIFY(!parser.hasEvents());
    parser.feed("\n\r");
    const QList<SseEvent> events = parser.take();
    QCOMPARE(describe(events), QByteArrayList{"message||a\nb"});
    parser.feed("\n"); // the end of the last CRLF: no further blank line
    parser.feed("data: c\n\n");
    QCOMPARE(describe(parser.take()), QByteArrayList{"message||c"});
    QVERIFY(!parser.hasPartialEvent());

    // An empty read between the CR and the LF changes nothing.
    SseParser second;
    second.feed("data: x\r");
    second.feed({});
    second.feed("\n");
    second.feed("\r\n");
    QCOMPARE(describe(second.take()), QByteArrayList{"message||x"});
}

void TestSseParser::maxEventSize_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<qsizetype>("maxEventSize");
    QTest::addColumn<QByteArrayList>("expected"); // the events before the error
    QTest::addColumn<bool>("error");

    const QByteArray x58(58, 'x'); // "data: " + 58 bytes = a 64-byte line
    QTest::newRow("line exactly at the limit") << QByteArray("data: " + x58 + "\n\n") << qsizetype(64)
                                               << QByteArrayList{QByteArray("message||" + x58)} << false;
    QTest::newRow("line one byte over")
        << QByteArray("data: " + x58 + "y\n\n") << qsizetype(64) << QByteArrayList{} << true;
    QTest::newRow("unfinished line over") << QByteArray("data: a\n\ndata: " + x58 + "yz") << qsizetype(64)
                                          << QByteArrayList{"message||a"} << true;
    QTest::newRow("data lines add up")
        << QByteArray("data: a\n\n" + QByteArray("data: 0123456789\n").repeated(6) + "\n") << qsizetype(64)
        << QByteArrayList{"message||a"} << true;
    QTest::newRow("data lines just fit")
        << QByteArray(QByteArray("data: 0123456789\n").repeated(4) + "\n") << qsizetype(64)
        << QByteArrayList{"message||0123456789\n0123456789\n0123456789\n0123456789"} << false;
    QTest::newRow("long comment") << QByteArray(":" + QByteArray(70, 'c') + "\ndata: b\n\n") << qsizetype(64)
                                  << QByteArrayList{} << true;
    QTest::newRow("events before the large one are kept")
        << QByteArray("data: 1\n\ndata: 2\n\ndata: " + QByteArray(100, 'z')) << qsizetype(64)
        << QByteArrayList{"message||1", "message||2"} << true;
    QTest::newRow("each event alone fits")
        << QByteArray("data: " + x58 + "\n\n").repeated(20) << qsizetype(64)
        << QByteArrayList(20, QByteArray("message||" + x58)) << false;
}

void TestSseParser::maxEventSize()
{
    QFETCH(QByteArray, input);
    QFETCH(qsizetype, maxEventSize);
    QFETCH(QByteArrayList, expected);
    QFETCH(bool, error);

    const Outcome whole = parseChunks(input, {}, maxEventSize);
    QCOMPARE(whole.events, expected);
    QCOMPARE(whole.error, error);
    verifyEveryChunking(input, whole, maxEventSize);

    if (error) {
        SseParser parser(maxEventSize);
        parser.feed(input);
        QVERIFY(parser.errorString().contains(u"larger than"_s));
    }
}

void TestSseParser::errorStopsInput()
{
    SseParser parser(32);
    parser.feed(QByteArray("data: " + QByteArray(40, 'a')));
    QVERIFY(parser.hasError());
    const qint64 fed = parser.bytesFed();
    parser.feed("\n\ndata: b\n\n");
    QVERIFY(!parser.hasEvents());
    QCOMPARE(parser.bytesFed(), fed);
    QVERIFY(!parser.hasPartialEvent()); // the unfinished line was dropped with the error
}

void TestSseParser::partialEvent()
{
    SseParser parser;
    QVERIFY(!parser.hasPartialEvent());
    parser.feed("\xEF");
    QVERIFY(parser.hasPartialEvent()); // the start of a BOM, or of a field name
    parser.feed("\xBB\xBF");
    QVERIFY(!parser.hasPartialEvent());
    parser.feed(": comment\n");
    QVERIFY(!parser.hasPartialEvent());
    parser.feed("event: x\n");
    QVERIFY(parser.hasPartialEvent());
    parser.feed("\n");
    QVERIFY(!parser.hasPartialEvent());
    QVERIFY(!parser.hasEvents()); // no data: nothing dispatched
    parser.feed("da");
    QVERIFY(parser.hasPartialEvent());
    parser.feed("ta: 1\n\n");
    QVERIFY(!parser.hasPartialEvent());
    QCOMPARE(parser.take().size(), 1);
}

void TestSseParser::reset()
{
    SseParser parser(16);
    parser.feed(QByteArray("id: 3\nretry: 10\ndata: " + QByteArray(20, 'a')));
    QVERIFY(parser.hasError());
    parser.reset();
    QVERIFY(!parser.hasError());
    QCOMPARE(parser.lastEventId(), QByteArray());
    QCOMPARE(parser.retryMs(), -1);
    QCOMPARE(parser.bytesFed(), 0);
    parser.feed("\xEF\xBB\xBF"
                "data: ok\n\n"); // a new stream may start with a BOM again
    QCOMPARE(describe(parser.take()), QByteArrayList{"message||ok"});
}

void TestSseParser::largeEventAcrossManyChunks()
{
    // A 3 MB data line arriving in 1,000-byte reads stays one event and is not truncated.
    QByteArray payload(3 * 1024 * 1024, 'p');
    for (qsizetype i = 0; i < payload.size(); i += 997)
        payload[i] = char('a' + i % 26);
    const QByteArray input = "event: big\ndata: " + payload + "\r\n\r\n";
    SseParser parser;
    for (qsizetype at = 0; at < input.size(); at += 1000)
        parser.feed(QByteArrayView(input).sliced(at, std::min<qsizetype>(1000, input.size() - at)));
    const QList<SseEvent> events = parser.take();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().event, "big"_ba);
    QVERIFY(events.first().data == payload);
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
