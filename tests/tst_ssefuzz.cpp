// Deterministic random-input tests for SseParser and ClaudeStream: random bytes, mutated valid streams and
// random delta strings, each fed whole and cut at random points. Nothing may crash or assert, results may
// not depend on the chunking or on which decoding path read a delta, and nothing may grow past its cap.
// The seed and the amount of work can be changed for a longer local run:
//   SPAWNAI_FUZZ_SEED=123 SPAWNAI_FUZZ_SCALE=20 tst_ssefuzz

#include "claudestreamdigest.h"

#include "claude/claudestream.h"
#include "claude/sseparser.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace {

quint32 seed()
{
    bool ok = false;
    const quint32 fromEnv = qEnvironmentVariable("SPAWNAI_FUZZ_SEED").toUInt(&ok);
    return ok ? fromEnv : 20261128u;
}

int scaled(int iterations)
{
    const int scale = qEnvironmentVariableIntValue("SPAWNAI_FUZZ_SCALE");
    return iterations * std::max(scale, 1);
}

QByteArray streamFile(const char *name)
{
    QFile file(QStringLiteral(SPAWNAI_STREAMS_DIR "/") + QLatin1StringView(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return file.readAll();
}

// Sorted random cut points inside [1, size).
QList<qsizetype> randomCuts(QRandomGenerator &random, qsizetype size, int count)
{
    QList<qsizetype> cuts;
    if (size < 2)
        return cuts;
    for (int i = 0; i < count; ++i)
        cuts.append(1 + qsizetype(random.bounded(quint32(size - 1))));
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    return cuts;
}

QList<qsizetype> everyByte(qsizetype size)
{
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < size; ++i)
        cuts.append(i);
    return cuts;
}

struct ParserOutcome
{
    QList<SseEvent> events;
    bool error = false;
    bool partial = false;
    QByteArray lastEventId;
    int retryMs = -1;

    bool operator==(const ParserOutcome &other) const = default;
};

ParserOutcome parse(QByteArrayView bytes, const QList<qsizetype> &cuts, qsizetype maxEventSize)
{
    SseParser parser(maxEventSize);
    ParserOutcome out;
    qsizetype from = 0;
    const auto feed = [&](qsizetype to) {
        parser.feed(bytes.sliced(from, to - from));
        out.events += parser.take();
        from = to;
    };
    for (const qsizetype cut : cuts)
        feed(cut);
    feed(bytes.size());
    out.error = parser.hasError();
    out.partial = !out.error && parser.hasPartialEvent();
    out.lastEventId = parser.lastEventId();
    out.retryMs = parser.retryMs();
    return out;
}

QStringList decode(QByteArrayView bytes, const QList<qsizetype> &cuts, qsizetype maxContentBytes)
{
    RecordingStream recorder(maxContentBytes);
    recorder.feed(bytes, cuts);
    recorder.stream().endOfInput();
    return recorder.digest();
}

// What must hold for any input, however broken.
bool invariantsHold(const RecordingStream &recorder, qsizetype maxContentBytes, QByteArray *why)
{
    const ClaudeStream &stream = recorder.stream();
    qsizetype content = 0;
    QByteArray allInput;
    for (const ClaudeContentBlock &block : stream.blocks()) {
        content += block.text.size() + block.signature.size() + block.inputJson.size();
        allInput += block.inputJson;
        if (block.complete && !block.type.isEmpty() &&
            (block.kind == ClaudeContentBlock::Kind::ToolUse ||
             block.kind == ClaudeContentBlock::Kind::ServerToolUse)) {
            const bool parses =
                block.inputJson.trimmed().isEmpty() || QJsonDocument::fromJson(block.inputJson).isObject();
            if (block.inputValid != parses) {
                *why = "inputValid does not match the input";
                return false;
            }
        }
    }
    if (content > maxContentBytes) {
        *why =
            "content " + QByteArray::number(content) + " over the cap " + QByteArray::number(maxContentBytes);
        return false;
    }
    if (recorder.toolInputFromCallbacks() != allInput) {
        *why = "toolInputAppended did not report what was appended";
        return false;
    }
    if (stream.state() == ClaudeStream::State::ErrorEvent && stream.errorType().isEmpty()) {
        *why = "error event without a type";
        return false;
    }
    if (stream.state() == ClaudeStream::State::ProtocolError && stream.errorMessage().isEmpty()) {
        *why = "protocol error without a message";
        return false;
    }
    return true;
}

// Pieces SSE and JSON are made of, so random input forms fields, events and near-valid JSON often.
const QByteArrayList kSseTokens = {
    "data:",
    "data: ",
    "event: ",
    "event:ping",
    "id: ",
    "id:\0"_ba,
    "retry: ",
    "retry: 10",
    ":",
    ": comment",
    "\n",
    "\n",
    "\n",
    "\r",
    "\r\n",
    "\n\n",
    "\r\r",
    " ",
    "x",
    "{",
    "}",
    "\"",
    "\\",
    "\xEF\xBB\xBF",
    "\xEF",
    "\xC3\xA9",
    "\xF0\x9F\x99\x82",
    "\x80",
    "event: content_block_delta\n",
    "event: message_start\n",
    "event: error\n",
    "data: {\"type\":\"message_start\",\"message\":{}}\n\n",
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\"}}\n\n",
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"",
    "\"}}\n\n",
    "data: {\"type\":\"message_stop\"}\n\n",
};

QByteArray randomSse(QRandomGenerator &random)
{
    QByteArray out;
    const int pieces = random.bounded(60);
    for (int i = 0; i < pieces; ++i) {
        if (random.bounded(4) == 0)
            out += char(random.bounded(256));
        else
            out += kSseTokens.at(random.bounded(int(kSseTokens.size())));
    }
    return out;
}

QByteArray sseEvent(const QByteArray &name, const QByteArray &json)
{
    return "event: " + name + "\ndata: " + json + "\n\n";
}

QByteArray canonicalDelta(int index, const QByteArray &type, const QByteArray &field, const QByteArray &body)
{
    return sseEvent("content_block_delta",
                    "{\"type\":\"content_block_delta\",\"index\":" + QByteArray::number(index) +
                        ",\"delta\":{\"type\":\"" + type + "\",\"" + field + "\":\"" + body + "\"}}");
}

// The same delta in a form only the general path reads (a space after the first colon).
QByteArray generalDelta(const QByteArray &canonicalEvent)
{
    QByteArray copy = canonicalEvent;
    const qsizetype data = copy.indexOf("data: ");
    copy.insert(copy.indexOf(':', data + 6) + 1, ' ');
    return copy;
}

// The body of a JSON string made of random pieces, mostly valid, sometimes not (raw quotes, control
// characters, bad escapes, lone surrogates, invalid UTF-8).
QByteArray randomStringBody(QRandomGenerator &random, bool allowInvalid = true)
{
    static const QByteArrayList valid = {
        "a",
        "Hello",
        " ",
        "{\\\"",
        "\\\":",
        "\\\\",
        "\\\\n",
        "\\n",
        "\\t",
        "\\r",
        "\\b",
        "\\f",
        "\\/",
        "\\\"",
        "\xC3\xA9",
        "\xE2\x98\x95",
        "\xF0\x9F\x99\x82",
        "\\u00e9",
        "\\u0000",
        "\\u001f",
        "\\ud83d\\ude42",
        "\\uD83D",
        "\\uDE42",
        "\\uFFFF",
        "<div class=\\\"x\\\">",
        "\\\\u00",
        "e9",
        "/",
    };
    static const QByteArrayList invalid = {
        "\"",
        "\x01",
        "\t",
        "\\x",
        "\\u12",
        "\\",
        "\xC3",
        "\x80",
        "\xED\xA0\x80",
        "\xC0\xAF",
        "\xF4\x90\x80\x80",
        "\xFF",
    };
    QByteArray out;
    const int pieces = random.bounded(12);
    for (int i = 0; i < pieces; ++i) {
        const bool bad = allowInvalid && random.bounded(40) == 0;
        const QByteArrayList &from = bad ? invalid : valid;
        out += from.at(random.bounded(int(from.size())));
    }
    return out;
}

// Random edits of a valid stream.
QByteArray mutate(QRandomGenerator &random, QByteArray bytes)
{
    static const QByteArrayList inserts = {
        "\n",
        "\n\n",
        "\r",
        "\"",
        "}",
        "{",
        "\\",
        "\\u",
        "\xF0\x9F",
        ":",
        "data: x\n",
        "event: ping\n",
        "event: error\ndata: "
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
        "event: future\ndata: {}\n\n",
        "\xEF\xBB\xBF",
    };
    const int edits = 1 + random.bounded(4);
    for (int i = 0; i < edits && !bytes.isEmpty(); ++i) {
        const qsizetype at = random.bounded(int(bytes.size()));
        switch (random.bounded(6)) {
        case 0:
            bytes[at] = char(random.bounded(256));
            break;
        case 1:
            bytes.remove(at, 1 + random.bounded(20));
            break;
        case 2:
            bytes.insert(at, inserts.at(random.bounded(int(inserts.size()))));
            break;
        case 3: {
            const QByteArray range = bytes.mid(at, 1 + random.bounded(200));
            bytes.insert(random.bounded(int(bytes.size())), range);
            break;
        }
        case 4:
            bytes.truncate(at);
            break;
        case 5: // a digit changed: indexes and token counts
            if (const qsizetype digit = bytes.indexOf(QByteArray::number(random.bounded(10)), at); digit >= 0)
                bytes[digit] = char('0' + random.bounded(10));
            break;
        }
    }
    return bytes;
}

// A valid stream whose tool input arrives in random fragments (cut on character boundaries, as the API
// does), with text, thinking and pings around it.
QByteArray randomValidStream(QRandomGenerator &random)
{
    QByteArray s =
        sseEvent("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_f\",\"model\":\"m\","
                                  "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}");
    int index = 0;
    if (random.bounded(2)) {
        s +=
            sseEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
                                            "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}");
        for (int i = random.bounded(4); i > 0; --i)
            s += canonicalDelta(0, "thinking_delta", "thinking", randomStringBody(random, false));
        s += canonicalDelta(0, "signature_delta", "signature", "c2ln");
        s += sseEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
        index = 1;
    }
    s += sseEvent("content_block_start",
                  "{\"type\":\"content_block_start\",\"index\":" + QByteArray::number(index) +
                      ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"w\","
                      "\"input\":{}}}");
    QString input = u"{\"title\":\"Caf\u00e9 \U0001F642\",\"files\":[{\"path\":\"a.js\",\"content\":\""_s;
    for (int i = random.bounded(30); i > 0; --i)
        input +=
            QStringList{u"x"_s, u"\\n"_s, u"\\\""_s, u"\\\\"_s, u"\\u00e9"_s, u"é"_s, u"🙂"_s, u"<p>"_s}.at(
                random.bounded(8));
    input += u"\"}]}"_s;
    for (qsizetype at = 0; at < input.size();) {
        qsizetype length = std::min<qsizetype>(1 + random.bounded(12), input.size() - at);
        if (at + length < input.size() && input.at(at + length).isLowSurrogate())
            ++length;
        const QByteArray json =
            QJsonDocument(QJsonArray{input.mid(at, length)}).toJson(QJsonDocument::Compact);
        s += canonicalDelta(index, "input_json_delta", "partial_json", json.sliced(2, json.size() - 4));
        if (random.bounded(10) == 0)
            s += sseEvent("ping", "{\"type\": \"ping\"}");
        at += length;
    }
    s += sseEvent("content_block_stop",
                  "{\"type\":\"content_block_stop\",\"index\":" + QByteArray::number(index) + "}");
    s += sseEvent("message_delta",
                  "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":"
                  "{\"output_tokens\":9}}");
    s += sseEvent("message_stop", "{\"type\":\"message_stop\"}");
    return s;
}

qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * 4096 : 0;
}

} // namespace

class TestSseFuzz : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void randomBytes();
    void mutatedStreams();
    void fastPathMatchesGeneralPath();
    void boundedGrowth();
};

void TestSseFuzz::initTestCase()
{
    qInfo("seed %u (set SPAWNAI_FUZZ_SEED to replay another)", seed());
}

void TestSseFuzz::randomBytes()
{
    QRandomGenerator random(seed());
    for (int iteration = 0, n = scaled(10000); iteration < n; ++iteration) {
        const QByteArray bytes = randomSse(random);
        const qsizetype maxEventSize = 8 + random.bounded(400);

        const ParserOutcome whole = parse(bytes, {}, maxEventSize);
        for (const SseEvent &event : whole.events)
            QVERIFY(event.data.size() <= maxEventSize);
        const QList<qsizetype> cuts = iteration % 8 == 0
                                          ? everyByte(bytes.size())
                                          : randomCuts(random, bytes.size(), 1 + random.bounded(8));
        const ParserOutcome chunked = parse(bytes, cuts, maxEventSize);
        if (!(chunked == whole)) {
            qWarning() << "iteration" << iteration << "input" << bytes.toPercentEncoding() << "cuts" << cuts;
            QFAIL("SseParser gave different events for a different chunking");
        }

        const QStringList decoded = decode(bytes, {}, ClaudeStream::DefaultMaxContentBytes);
        const QStringList decodedChunked = decode(bytes, cuts, ClaudeStream::DefaultMaxContentBytes);
        if (decoded != decodedChunked) {
            qWarning() << "iteration" << iteration << "input" << bytes.toPercentEncoding() << "cuts" << cuts;
            QCOMPARE(decodedChunked, decoded);
        }
    }
}

void TestSseFuzz::mutatedStreams()
{
    QRandomGenerator random(seed() + 1);
    const QByteArrayList documented = {streamFile("write_app.sse"), streamFile("text_answer.sse")};
    for (int iteration = 0, n = scaled(4000); iteration < n; ++iteration) {
        const QByteArray valid =
            random.bounded(3) == 0 ? documented.at(random.bounded(2)) : randomValidStream(random);
        const QByteArray bytes = iteration % 10 == 0 ? valid : mutate(random, valid);
        const qsizetype cap =
            random.bounded(4) == 0 ? 1 + random.bounded(600) : ClaudeStream::DefaultMaxContentBytes;

        RecordingStream whole(cap);
        whole.feed(bytes);
        whole.stream().endOfInput();
        QByteArray why;
        if (!invariantsHold(whole, cap, &why)) {
            qWarning() << "iteration" << iteration << "input" << bytes.toPercentEncoding();
            QFAIL(why.constData());
        }
        if (iteration % 10 == 0 && cap == ClaudeStream::DefaultMaxContentBytes)
            QVERIFY2(whole.stream().state() ==
                         ClaudeStream::State::Complete, // the unmutated streams are fine
                     qPrintable(whole.stream().errorMessage()));

        const QList<qsizetype> cuts = iteration % 25 == 0
                                          ? everyByte(bytes.size())
                                          : randomCuts(random, bytes.size(), 1 + random.bounded(10));
        const QStringList chunked = decode(bytes, cuts, cap);
        if (chunked != whole.digest()) {
            qWarning() << "iteration" << iteration << "input" << bytes.toPercentEncoding() << "cuts" << cuts;
            QCOMPARE(chunked, whole.digest());
        }
    }
}

void TestSseFuzz::fastPathMatchesGeneralPath()
{
    // Deltas in the API's canonical shape are decoded without QJsonDocument; the same delta with one extra
    // space goes through QJsonDocument. Whatever the string holds, both must come out the same, errors
    // included.
    QRandomGenerator random(seed() + 2);
    static const struct
    {
        QByteArray type, field;
    } kinds[] = {
        {"text_delta", "text"}, {"thinking_delta", "thinking"}, {"input_json_delta", "partial_json"}};
    static const QByteArrayList blocks = {
        "{\"type\":\"text\",\"text\":\"\"}",
        "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}",
        "{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"w\",\"input\":{}}",
    };
    int fastPathDeltas = 0;
    for (int iteration = 0, n = scaled(6000); iteration < n; ++iteration) {
        const int blockKind = random.bounded(int(blocks.size()));
        QByteArray canonical =
            sseEvent("message_start", "{\"type\":\"message_start\",\"message\":{}}") +
            sseEvent("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                                            "\"content_block\":" +
                                                blocks.at(blockKind) + "}");
        QByteArray general = canonical;
        const int deltas = 1 + random.bounded(5);
        for (int d = 0; d < deltas; ++d) {
            // Mostly the delta type that fits the block; sometimes one that does not, or a wrong index.
            const auto &kind = kinds[random.bounded(8) == 0 ? random.bounded(3) : blockKind];
            const int index = random.bounded(30) == 0 ? 1 : 0;
            QByteArray event = canonicalDelta(index, kind.type, kind.field, randomStringBody(random));
            if (random.bounded(30) == 0)
                event.insert(event.size() - 2, "  \r"); // trailing whitespace: still canonical
            canonical += event;
            general += generalDelta(event);
        }
        const QByteArray stop =
            sseEvent("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}") +
            sseEvent("message_stop", "{\"type\":\"message_stop\"}");
        canonical += stop;
        general += stop;

        const QStringList fast = decode(canonical, {}, ClaudeStream::DefaultMaxContentBytes);
        const QStringList slow = decode(general, {}, ClaudeStream::DefaultMaxContentBytes);
        if (fast != slow) {
            qWarning() << "iteration" << iteration << "canonical" << canonical.toPercentEncoding(" :{}\",");
            QCOMPARE(fast, slow);
        }
        fastPathDeltas += fast.filter(u"call "_s).size();
    }
    QVERIFY(fastPathDeltas > 1000); // the comparison did exercise decoded deltas, not only errors
}

void TestSseFuzz::boundedGrowth()
{
    // Hostile or broken servers: a line that never ends, an event that never ends, an answer that never
    // ends, and endless pings. Each must stop at its cap or keep memory flat.
    const QByteArray chunk(64 * 1024, 'a');
    {
        SseParser parser(1024 * 1024);
        parser.feed("data: ");
        for (int i = 0; i < 512 && !parser.hasError(); ++i) // up to 32 MB
            parser.feed(chunk);
        QVERIFY(parser.hasError());
        QVERIFY(parser.bytesFed() <= 1024 * 1024 + chunk.size() + 6);
    }
    {
        SseParser parser(1024 * 1024);
        const QByteArray lines = QByteArray("data: " + QByteArray(1000, 'b') + "\n").repeated(64);
        for (int i = 0; i < 512 && !parser.hasError(); ++i)
            parser.feed(lines);
        QVERIFY(parser.hasError());
        QVERIFY(parser.bytesFed() <= 1024 * 1024 + lines.size());
        QVERIFY(!parser.hasEvents());
    }
    {
        const qsizetype cap = 1024 * 1024;
        ClaudeStream stream(cap);
        stream.feed(sseEvent("message_start", "{\"type\":\"message_start\",\"message\":{}}"));
        stream.feed(
            sseEvent("content_block_start",
                     "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\"}}"));
        const QByteArray deltas = canonicalDelta(0, "text_delta", "text", QByteArray(1000, 'c')).repeated(64);
        for (int i = 0; i < 512 && !stream.isFinished(); ++i)
            stream.feed(deltas);
        QCOMPARE(stream.state(), ClaudeStream::State::ProtocolError);
        QVERIFY(stream.blocks().first().text.size() <= cap);
    }
    {
        ClaudeStream stream;
        stream.feed(sseEvent("message_start", "{\"type\":\"message_start\",\"message\":{}}"));
        const QByteArray pings = QByteArray(sseEvent("ping", "{\"type\": \"ping\"}") + ": keep-alive\n\n" +
                                            sseEvent("future_event", "{}"))
                                     .repeated(2000);
        const qint64 before = residentBytes();
        for (int i = 0; i < 200; ++i)
            stream.feed(pings);
        const qint64 grown = residentBytes() - before;
        QCOMPARE(stream.state(), ClaudeStream::State::Streaming);
        QCOMPARE(stream.pings(), 400'000);
        QCOMPARE(stream.unknownEvents(), 400'000);
        QVERIFY2(grown < 8 * 1024 * 1024, QByteArray::number(grown).constData());
    }
}

QTEST_GUILESS_MAIN(TestSseFuzz)
#include "tst_ssefuzz.moc"
