#include "claudestreamdigest.h"

#include "claude/clauderesult.h"
#include "claude/claudestream.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

QByteArray streamFile(const char *name)
{
    QFile file(QStringLiteral(SPAWNAI_STREAMS_DIR "/") + QLatin1StringView(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(file.fileName()));
    return file.readAll();
}

QByteArray sseEvent(const QByteArray &name, const QByteArray &json)
{
    return "event: " + name + "\ndata: " + json + "\n\n";
}

QByteArray messageStart(const QByteArray &usage = "{\"input_tokens\":10,\"output_tokens\":1}")
{
    return sseEvent("message_start",
                    "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_test\",\"type\":\"message\","
                    "\"role\":\"assistant\",\"model\":\"claude-sonnet-5-5\",\"content\":[],"
                    "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":" +
                        usage + "}}");
}

QByteArray blockStart(int index, const QByteArray &contentBlock)
{
    return sseEvent("content_block_start",
                    "{\"type\":\"content_block_start\",\"index\":" + QByteArray::number(index) +
                        ",\"content_block\":" + contentBlock + "}");
}

QByteArray textStart(int index)
{
    return blockStart(index, "{\"type\":\"text\",\"text\":\"\"}");
}

QByteArray toolStart(int index)
{
    return blockStart(index,
                      "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"write_app\",\"input\":{}}");
}

QByteArray delta(int index, const QByteArray &deltaJson)
{
    return sseEvent("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" +
                                               QByteArray::number(index) + ",\"delta\":" + deltaJson + "}");
}

// The body of a JSON string (no quotes) for UTF-8 text, escaped the way the API does: quotes, backslashes
// and control characters; everything else raw.
QByteArray jsonBody(QByteArrayView utf8)
{
    QByteArray out;
    for (const char c : utf8) {
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (uchar(c) < 0x20)
                out += "\\u00" + QByteArray::number(uchar(c), 16).rightJustified(2, '0');
            else
                out += c;
        }
    }
    return out;
}

QByteArray textDelta(int index, const QByteArray &utf8)
{
    return delta(index, "{\"type\":\"text_delta\",\"text\":\"" + jsonBody(utf8) + "\"}");
}

// partialJsonBody is already the body of the JSON string (escaped).
QByteArray inputDelta(int index, const QByteArray &partialJsonBody)
{
    return delta(index, "{\"type\":\"input_json_delta\",\"partial_json\":\"" + partialJsonBody + "\"}");
}

QByteArray blockStop(int index)
{
    return sseEvent("content_block_stop",
                    "{\"type\":\"content_block_stop\",\"index\":" + QByteArray::number(index) + "}");
}

QByteArray messageDelta(const QByteArray &stopReason, const QByteArray &usage = "{\"output_tokens\":20}",
                        const QByteArray &extra = {})
{
    return sseEvent("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" +
                                         stopReason + "\",\"stop_sequence\":null" + extra +
                                         "},\"usage\":" + usage + "}");
}

QByteArray messageStop()
{
    return sseEvent("message_stop", "{\"type\":\"message_stop\"}");
}

QByteArray ping()
{
    return sseEvent("ping", "{\"type\": \"ping\"}");
}

QByteArray toolStream(const QByteArrayList &partialJsonBodies)
{
    QByteArray s = messageStart() + toolStart(0);
    for (const QByteArray &body : partialJsonBodies)
        s += inputDelta(0, body);
    return s + blockStop(0) + messageDelta("tool_use") + messageStop();
}

QByteArray textStream(const QByteArrayList &pieces)
{
    QByteArray s = messageStart() + textStart(0);
    for (const QByteArray &piece : pieces)
        s += textDelta(0, piece);
    return s + blockStop(0) + messageDelta("end_turn") + messageStop();
}

QByteArray errorEvent(const QByteArray &type, const QByteArray &message)
{
    return sseEvent("error", "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":\"" +
                                 message + "\"},\"request_id\":\"req_011CZtest\"}");
}

// The same events, every JSON payload re-serialised by QJsonDocument (sorted keys, so no delta has the
// API's canonical shape and all take the general decoding path). Payloads that do not survive the round
// trip unchanged (malformed, lone surrogates) stay as they are.
QByteArray reserialized(const QByteArray &stream)
{
    QByteArrayList lines = stream.split('\n');
    for (QByteArray &line : lines) {
        if (!line.startsWith("data: "))
            continue;
        const QJsonDocument document = QJsonDocument::fromJson(line.sliced(6));
        if (!document.isObject() || line.contains("\\u"))
            continue;
        const QByteArray again = document.toJson(QJsonDocument::Compact);
        if (QJsonDocument::fromJson(again) == document)
            line = "data: " + again;
    }
    return lines.join('\n');
}

// The same events without their "event:" lines: the JSON "type" names them.
QByteArray withoutEventLines(const QByteArray &stream)
{
    QByteArrayList lines = stream.split('\n');
    lines.removeIf([](const QByteArray &line) { return line.startsWith("event: "); });
    return lines.join('\n');
}

QStringList run(const QByteArray &bytes, const QList<qsizetype> &cuts = {}, bool end = true,
                qsizetype maxContentBytes = ClaudeStream::DefaultMaxContentBytes)
{
    RecordingStream recorder(maxContentBytes);
    recorder.feed(bytes, cuts);
    if (end)
        recorder.stream().endOfInput();
    return recorder.digest();
}

ClaudeResult resultOf(const ClaudeStream &stream)
{
    ClaudeResult result;
    result.stopReason = stream.stopReason();
    result.stopSequence = stream.stopSequence();
    result.stopDetails = stream.stopDetails();
    result.usage = stream.usage();
    result.content = stream.blocks();
    return result;
}

} // namespace

class TestClaudeStream : public QObject
{
    Q_OBJECT

private slots:
    void textAnswer();
    void documentedToolCall();
    void toolInputFragments_data();
    void toolInputFragments();
    void redactedThinking();
    void pingsAndUnknownsAreSkipped();
    void errorEventKeepsContent();
    void stopReasons_data();
    void stopReasons();
    void usage_data();
    void usage();
    void protocolErrors_data();
    void protocolErrors();
    void cutOffStream();
    void contentCap_data();
    void contentCap();
    void sameResultForEveryChunkingAndPath_data();
    void sameResultForEveryChunkingAndPath();
};

void TestClaudeStream::textAnswer()
{
    RecordingStream recorder;
    recorder.feed(streamFile("text_answer.sse"));
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QVERIFY(stream.isFinished());
    QCOMPARE(stream.messageId(), u"msg_01TextAnswer"_s);
    QCOMPARE(stream.model(), u"claude-haiku-4-5"_s);
    QCOMPARE(stream.stopReason(), u"end_turn"_s);
    QCOMPARE(stream.blocks().size(), 1);
    const ClaudeContentBlock &block = stream.blocks().first();
    QCOMPARE(block.kind, ClaudeContentBlock::Kind::Text);
    QVERIFY(block.complete);
    QCOMPARE(block.text, u"Hello, café ☕ — a \"quoted\" line\nand a second 🙂"_s);
    QCOMPARE(stream.pings(), 1);
    QCOMPARE(stream.deltaCount(), 3);
    QVERIFY(stream.receivedContent());
    QCOMPARE(stream.usage().inputTokens, 25);
    QCOMPARE(stream.usage().outputTokens, 15);
    QCOMPARE(recorder.calls(), (QStringList{u"text 0: Hello"_s, u"text 0: , café ☕ — "_s,
                                            u"text 0: a \"quoted\" line\nand a second 🙂"_s, u"stop 0"_s}));
    QCOMPARE(resultOf(stream).text(), block.text);
    QCOMPARE(resultOf(stream).stopProblem(), QString());
}

void TestClaudeStream::documentedToolCall()
{
    // anthropic.md §5.1, byte for byte: thinking with a signature, then the write_app call.
    RecordingStream recorder;
    recorder.feed(streamFile("write_app.sse"));
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QCOMPARE(stream.stopReason(), u"tool_use"_s);
    QCOMPARE(stream.blocks().size(), 2);

    const ClaudeContentBlock &thinking = stream.blocks().at(0);
    QCOMPARE(thinking.kind, ClaudeContentBlock::Kind::Thinking);
    QCOMPARE(thinking.text, u"A single static page fits: index.html plus app.js, no server needed."_s);
    QCOMPARE(thinking.signature, u"EqQBCkYIBhgCIkB2c2lnbmF0dXJlLWJsb2I..."_s);
    QVERIFY(thinking.complete);

    const ClaudeContentBlock &tool = stream.blocks().at(1);
    QCOMPARE(tool.kind, ClaudeContentBlock::Kind::ToolUse);
    QCOMPARE(tool.toolId, u"toolu_01A7bC9dEfGh2iJkLmNoPq3r"_s);
    QCOMPARE(tool.toolName, u"write_app"_s);
    QVERIFY2(tool.inputValid, qPrintable(tool.inputError));
    QCOMPARE(tool.input.value(u"title"_s).toString(), u"Pomodoro Timer"_s);
    QCOMPARE(tool.input.value(u"runtime"_s).toString(), u"static"_s);
    QCOMPARE(tool.input.value(u"port"_s).toInt(), 80);
    const QJsonArray files = tool.input.value(u"files"_s).toArray();
    QCOMPARE(files.size(), 2);
    QCOMPARE(files.at(0).toObject().value(u"path"_s).toString(), u"index.html"_s);
    QVERIFY(files.at(0).toObject().value(u"content"_s).toString().startsWith(u"<!doctype html>\n<html>"_s));
    QVERIFY(
        files.at(0).toObject().value(u"content"_s).toString().contains(u"<script src=\"app.js\" defer>"_s));
    QCOMPARE(files.at(1).toObject().value(u"path"_s).toString(), u"app.js"_s);
    QVERIFY(files.at(1).toObject().value(u"content"_s).toString().contains(u"padStart(2,'0')"_s));
    QCOMPARE(recorder.toolInputFromCallbacks(), tool.inputJson);
    const ClaudeResult result = resultOf(stream);
    QVERIFY(result.toolUse(u"write_app"_s));
    QCOMPARE(result.toolUse(u"write_app"_s)->toolId, tool.toolId);
    QVERIFY(!result.toolUse(u"other_tool"_s));
    QCOMPARE(result.text(), QString()); // no text block: the thinking is not part of the text

    QCOMPARE(stream.pings(), 1);
    QCOMPARE(stream.deltaCount(), 7); // thinking, signature, 5 input fragments (the first one empty)
    QCOMPARE(stream.usage().inputTokens, 312);
    QCOMPARE(stream.usage().cacheReadTokens, 1850);
    QCOMPARE(stream.usage().outputTokens, 298);
    QCOMPARE(recorder.calls().first(),
             u"thinking 0: A single static page fits: index.html plus app.js, no server needed."_s);
    QCOMPARE(recorder.calls().last(), u"stop 1"_s);
}

void TestClaudeStream::toolInputFragments_data()
{
    QTest::addColumn<QByteArrayList>("fragments"); // partial_json values as JSON string bodies (escaped)
    QTest::addColumn<QByteArray>("inputJson");     // what they add up to, as UTF-8
    QTest::addColumn<QString>("title");            // the parsed input's "title"; null when it must not parse

    const auto body = [](QByteArrayView utf8) { return jsonBody(utf8); };

    QTest::newRow("split inside a \\u escape")
        << QByteArrayList{"", body("{\"title\":\"Caf\\u00"), body("e9\",\"port\":80}")}
        << "{\"title\":\"Caf\\u00e9\",\"port\":80}"_ba << u"Café"_s;
    QTest::newRow("split inside a \\u escape after the u")
        << QByteArrayList{body("{\"title\":\"\\u"), body("263A\"}")} << "{\"title\":\"\\u263A\"}"_ba
        << u"☺"_s;
    QTest::newRow("split between backslash and n")
        << QByteArrayList{body("{\"title\":\"a\\"), body("nb\"}")} << "{\"title\":\"a\\nb\"}"_ba << u"a\nb"_s;
    QTest::newRow("split between backslash and quote")
        << QByteArrayList{body("{\"title\":\"say \\"), body("\"hi\\\"\"}")}
        << "{\"title\":\"say \\\"hi\\\"\"}"_ba << u"say \"hi\""_s;
    QTest::newRow("split inside an escaped backslash")
        << QByteArrayList{body("{\"title\":\"C:\\"), body("\\dir\"}")} << "{\"title\":\"C:\\\\dir\"}"_ba
        << u"C:\\dir"_s;
    QTest::newRow("split inside a key")
        << QByteArrayList{body("{\"ti"), body("tle\":\"x\"}")} << "{\"title\":\"x\"}"_ba << u"x"_s;
    QTest::newRow("multi-byte characters (streams are also cut inside them)")
        << QByteArrayList{body("{\"title\":\"日本"), body("語 🙂 é\"}")}
        << "{\"title\":\"日本語 🙂 é\"}"_ba << u"日本語 🙂 é"_s;
    QTest::newRow("surrogate pair split between fragments")
        << QByteArrayList{body("{\"title\":\"a"), "\\ud83d", "\\ude42b\\\"}"} << "{\"title\":\"a🙂b\"}"_ba
        << u"a🙂b"_s;
    QTest::newRow("surrogate pair split around an empty fragment")
        << QByteArrayList{body("{\"title\":\"") + "\\ud83d", "", "\\ude42" + body("\"}")}
        << "{\"title\":\"🙂\"}"_ba << u"🙂"_s;
    QTest::newRow("surrogate pair split, second half then plain text")
        << QByteArrayList{body("{\"title\":\"x") + "\\uD83D", "\\uDE00" + body(" ok\"}")}
        << "{\"title\":\"x😀 ok\"}"_ba << u"x😀 ok"_s;
    QTest::newRow("surrogate pair inside one fragment")
        << QByteArrayList{body("{\"title\":\"") + "\\ud83d\\ude42" + body("\"}")} << "{\"title\":\"🙂\"}"_ba
        << u"🙂"_s;
    QTest::newRow("lone high surrogate before plain text")
        << QByteArrayList{body("{\"title\":\"") + "\\ud83d", body("x\"}")} << "{\"title\":\"?x\"}"_ba
        << u"?x"_s;
    QTest::newRow("lone high surrogate at the block's end")
        << QByteArrayList{body("{\"title\":\"") + "\\ud83d"} << "{\"title\":\"?"_ba << QString();
    QTest::newRow("escaped control character in the outer string")
        << QByteArrayList{body("{\"title\":\"a"), "\\u0009" + body("b\"}")} << "{\"title\":\"a\tb\"}"_ba
        << u"a\tb"_s;
    QTest::newRow("outer escapes of every kind")
        << QByteArrayList{"{\\\"title\\\":\\\"\\/\\b\\f\\r\\t", "\\\\\\\\\\\"}"}
        << "{\"title\":\"/\b\f\r\t\\\\\"}"_ba << u"/\b\f\r\t\\"_s;
    QTest::newRow("no input at all") << QByteArrayList{""} << QByteArray() << QString();
    QTest::newRow("not JSON when joined")
        << QByteArrayList{body("{\"title\":"), body("}")} << "{\"title\":}"_ba << QString();

    QByteArrayList perCharacter;
    const QString text = u"{\"title\":\"é\\n🙂 \\u00e9\"}"_s;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const qsizetype n = text.at(i).isHighSurrogate() ? 2 : 1;
        perCharacter.append(body(text.mid(i, n).toUtf8()));
        i += n - 1;
    }
    QTest::newRow("one character per fragment") << perCharacter << text.toUtf8() << u"é\n🙂 é"_s;
}

void TestClaudeStream::toolInputFragments()
{
    QFETCH(QByteArrayList, fragments);
    QFETCH(QByteArray, inputJson);
    QFETCH(QString, title);

    const QByteArray bytes = toolStream(fragments);
    RecordingStream recorder;
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QCOMPARE(stream.blocks().size(), 1);
    const ClaudeContentBlock &tool = stream.blocks().first();
    QCOMPARE(tool.inputJson, inputJson);
    QCOMPARE(recorder.toolInputFromCallbacks(), inputJson);
    QCOMPARE(stream.deltaCount(), fragments.size());
    if (title.isNull()) {
        QCOMPARE(tool.inputValid, inputJson.isEmpty()); // no fragment at all is an empty input object
        QCOMPARE(tool.inputError.isEmpty(), inputJson.isEmpty());
    } else {
        QVERIFY2(tool.inputValid, qPrintable(tool.inputError));
        QCOMPARE(tool.input.value(u"title"_s).toString(), title);
    }

    // Cut anywhere on the wire (inside a multi-byte character, between an escape's bytes): same result.
    const QStringList whole = recorder.digest();
    for (qsizetype cut = 1; cut < bytes.size(); ++cut) {
        RecordingStream split;
        split.feed(bytes, {cut});
        QCOMPARE(split.digest(), whole);
    }
}

void TestClaudeStream::redactedThinking()
{
    const QByteArray bytes =
        messageStart() +
        blockStart(0, "{\"type\":\"redacted_thinking\",\"data\":\"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT\"}") +
        blockStop(0) + textStart(1) + textDelta(1, "Done.") + blockStop(1) + messageDelta("end_turn") +
        messageStop();
    RecordingStream recorder;
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QCOMPARE(stream.blocks().size(), 2);
    const ClaudeContentBlock &redacted = stream.blocks().at(0);
    QCOMPARE(redacted.kind, ClaudeContentBlock::Kind::RedactedThinking);
    QCOMPARE(redacted.type, u"redacted_thinking"_s);
    QVERIFY(redacted.complete);
    QCOMPARE(redacted.text, QString());
    // The opaque data must go back unchanged on the next turn: it is kept in the skeleton.
    QCOMPARE(redacted.start.value(u"data"_s).toString(), u"EmwKAhgBEgy3va3pzix/LafPsn4aDFIT"_s);
    QCOMPARE(stream.blocks().at(1).text, u"Done."_s);
    QCOMPARE(recorder.calls(), (QStringList{u"stop 0"_s, u"text 1: Done."_s, u"stop 1"_s}));

    // A thinking delta for it is a protocol error, not silently dropped.
    RecordingStream wrong;
    wrong.feed(QByteArray(messageStart() + blockStart(0, "{\"type\":\"redacted_thinking\",\"data\":\"x\"}") +
                          delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"no\"}")));
    QCOMPARE(wrong.stream().state(), ClaudeStream::State::ProtocolError);
}

void TestClaudeStream::pingsAndUnknownsAreSkipped()
{
    const QByteArray bytes = ping() + messageStart() + ping() +
                             sseEvent("future_event", "{\"type\":\"future_event\"}") + textStart(0) +
                             textDelta(0, "a") + delta(0, "{\"type\":\"future_delta\",\"payload\":[1,2]}") +
                             ping() + textDelta(0, "b") + sseEvent("message", "{\"type\":\"ping\"}") +
                             sseEvent("message", "{\"type\":\"another_future_event\"}") +
                             sseEvent("content_block_magic", "not even JSON") + blockStop(0) +
                             messageDelta("end_turn") + messageStop();
    RecordingStream recorder;
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QCOMPARE(stream.blocks().first().text, u"ab"_s);
    QCOMPARE(stream.pings(), 4);
    QCOMPARE(stream.unknownEvents(), 3);
    QCOMPARE(stream.unknownDeltas(), 1);
    QCOMPARE(stream.deltaCount(), 2);
}

void TestClaudeStream::errorEventKeepsContent()
{
    // The stream started with 200 and then the API ran out of capacity (the streaming twin of a 529).
    const QByteArray bytes = messageStart() + textStart(0) + textDelta(0, "Here is") +
                             textDelta(0, " your app") + errorEvent("overloaded_error", "Overloaded") +
                             textDelta(0, " ignored") + messageStop();
    RecordingStream recorder;
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::ErrorEvent);
    QVERIFY(stream.isFinished());
    QCOMPARE(stream.errorType(), u"overloaded_error"_s);
    QCOMPARE(stream.errorMessage(), u"Overloaded"_s);
    QCOMPARE(stream.requestId(), u"req_011CZtest"_s);
    QVERIFY(stream.receivedContent());
    QCOMPARE(stream.blocks().first().text, u"Here is your app"_s);
    QVERIFY(!stream.blocks().first().complete);
    QCOMPARE(recorder.calls().size(), 2);

    // Before message_start too (nothing shown yet), and without an error type.
    RecordingStream early;
    early.feed(sseEvent("error", "{\"type\":\"error\",\"error\":{\"message\":\"Internal\"}}"));
    QCOMPARE(early.stream().state(), ClaudeStream::State::ErrorEvent);
    QCOMPARE(early.stream().errorType(), u"api_error"_s);
    QVERIFY(!early.stream().receivedContent());
}

void TestClaudeStream::stopReasons_data()
{
    QTest::addColumn<QByteArray>("stopReason");
    QTest::addColumn<QByteArray>("extra");         // more of message_delta.delta
    QTest::addColumn<QStringList>("problemParts"); // what stopProblem() says; empty: no problem

    QTest::newRow("end_turn") << "end_turn"_ba << QByteArray() << QStringList();
    QTest::newRow("tool_use") << "tool_use"_ba << QByteArray() << QStringList();
    QTest::newRow("stop_sequence") << "stop_sequence"_ba << QByteArray() << QStringList();
    QTest::newRow("max_tokens") << "max_tokens"_ba << QByteArray()
                                << QStringList{u"max_tokens"_s, u"cut off"_s, u"raise the output limit"_s};
    QTest::newRow("refusal with details")
        << "refusal"_ba
        << ",\"stop_details\":{\"type\":\"refusal\",\"category\":\"cyber\",\"explanation\":\"This looks like "
           "malware.\"}"_ba
        << QStringList{u"Claude declined this request (cyber)."_s, u"This looks like malware."_s,
                       u"Rephrase the prompt"_s};
    QTest::newRow("refusal without details")
        << "refusal"_ba << QByteArray() << QStringList{u"Claude declined this request."_s, u"Rephrase"_s};
    QTest::newRow("context window") << "model_context_window_exceeded"_ba << QByteArray()
                                    << QStringList{u"context window"_s};
    QTest::newRow("pause_turn") << "pause_turn"_ba << QByteArray() << QStringList{u"paused"_s};
}

void TestClaudeStream::stopReasons()
{
    QFETCH(QByteArray, stopReason);
    QFETCH(QByteArray, extra);
    QFETCH(QStringList, problemParts);

    const QByteArray bytes = messageStart() + textStart(0) + textDelta(0, "partial answer") + blockStop(0) +
                             messageDelta(stopReason, "{\"output_tokens\":7}", extra) + messageStop();
    RecordingStream recorder;
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Complete);
    QCOMPARE(stream.stopReason(), QString::fromLatin1(stopReason));
    const QString problem = resultOf(stream).stopProblem();
    QCOMPARE(problem.isEmpty(), problemParts.isEmpty());
    for (const QString &part : problemParts)
        QVERIFY2(problem.contains(part), qPrintable(problem));
    if (stopReason == "refusal" && !extra.isEmpty())
        QCOMPARE(stream.stopDetails().value(u"category"_s).toString(), u"cyber"_s);
}

void TestClaudeStream::usage_data()
{
    QTest::addColumn<QByteArray>("startUsage");
    QTest::addColumn<QByteArrayList>("deltaUsages"); // one message_delta each
    QTest::addColumn<QList<qint64>>("expected");     // in, out, 5m write, 1h write, read

    QTest::newRow("documented (§5.1)")
        << "{\"input_tokens\":312,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":1850,"
           "\"output_tokens\":2,\"service_tier\":\"standard\"}"_ba
        << QByteArrayList{"{\"output_tokens\":298}"} << QList<qint64>{312, 298, 0, 0, 1850};
    QTest::newRow("message_delta usage is cumulative, not added")
        << "{\"input_tokens\":50,\"output_tokens\":1}"_ba
        << QByteArrayList{"{\"output_tokens\":100}", "{\"output_tokens\":298}"}
        << QList<qint64>{50, 298, 0, 0, 0};
    QTest::newRow("message_delta updates input and cache counts")
        << "{\"input_tokens\":50,\"cache_creation_input_tokens\":10,\"output_tokens\":1}"_ba
        << QByteArrayList{"{\"input_tokens\":60,\"cache_creation_input_tokens\":12,\"cache_read_input_"
                          "tokens\":"
                          "3,\"output_tokens\":9}"}
        << QList<qint64>{60, 9, 12, 0, 3};
    QTest::newRow("null fields leave the value")
        << "{\"input_tokens\":50,\"cache_read_input_tokens\":7,\"output_tokens\":1}"_ba
        << QByteArrayList{"{\"input_tokens\":null,\"cache_read_input_tokens\":null,\"output_tokens\":5}"}
        << QList<qint64>{50, 5, 0, 0, 7};
    QTest::newRow("5m and 1h split") << "{\"input_tokens\":5,\"cache_creation_input_tokens\":300,\"cache_"
                                        "creation\":{\"ephemeral_5m_input_tokens\":"
                                        "100,\"ephemeral_1h_input_tokens\":200},\"output_tokens\":1}"_ba
                                     << QByteArrayList{"{\"output_tokens\":40}"}
                                     << QList<qint64>{5, 40, 100, 200, 0};
    QTest::newRow("a later total keeps the earlier split")
        << "{\"input_tokens\":5,\"cache_creation_input_tokens\":300,\"cache_creation\":{\"ephemeral_5m_input_"
           "tokens\":"
           "100,\"ephemeral_1h_input_tokens\":200},\"output_tokens\":1}"_ba
        << QByteArrayList{"{\"cache_creation_input_tokens\":300,\"output_tokens\":40}"}
        << QList<qint64>{5, 40, 100, 200, 0};
    QTest::newRow("a smaller total than the 1h part")
        << "{\"cache_creation\":{\"ephemeral_1h_input_tokens\":200}}"_ba
        << QByteArrayList{"{\"cache_creation_input_tokens\":50}"} << QList<qint64>{0, 0, 50, 0, 0};
    QTest::newRow("no message_delta")
        << "{\"input_tokens\":8,\"output_tokens\":1}"_ba << QByteArrayList{} << QList<qint64>{8, 1, 0, 0, 0};
}

void TestClaudeStream::usage()
{
    QFETCH(QByteArray, startUsage);
    QFETCH(QByteArrayList, deltaUsages);
    QFETCH(QList<qint64>, expected);

    QByteArray bytes = messageStart(startUsage) + textStart(0) + textDelta(0, "x") + blockStop(0);
    for (const QByteArray &usage : deltaUsages)
        bytes += messageDelta("end_turn", usage);
    bytes += messageStop();
    RecordingStream recorder;
    recorder.feed(bytes);
    QCOMPARE(recorder.stream().state(), ClaudeStream::State::Complete);
    const TokenUsage u = recorder.stream().usage();
    QCOMPARE((QList<qint64>{u.inputTokens, u.outputTokens, u.cacheWriteTokens, u.cacheWrite1hTokens,
                            u.cacheReadTokens}),
             expected);
}

void TestClaudeStream::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("messagePart");
    QTest::addColumn<QString>("textKept"); // block 0's text when the error came

    const QByteArray start = messageStart() + textStart(0) + textDelta(0, "kept");
    QTest::newRow("malformed JSON in a delta")
        << start + sseEvent("content_block_delta",
                            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                            "\"text_delta\",\"text\":\"x\"}") // one brace short
        << u"not a JSON object"_s << u"kept"_s;
    QTest::newRow("malformed JSON in message_start")
        << sseEvent("message_start", "{\"type\":\"message_start\",") << u"message_start"_s << QString();
    QTest::newRow("JSON array instead of an object")
        << start + sseEvent("content_block_stop", "[0]") << u"not an object"_s << u"kept"_s;
    QTest::newRow("invalid UTF-8 in a delta")
        << start + sseEvent("content_block_delta",
                            "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                            "\"text_delta\",\"text\":\"\xF0\x9F\"}}")
        << u"not a JSON object"_s << u"kept"_s;
    QTest::newRow("delta for a block never started")
        << start + textDelta(1, "x") << u"never started"_s << u"kept"_s;
    QTest::newRow("delta with a negative index")
        << start + textDelta(-1, "x") << u"never started"_s << u"kept"_s;
    QTest::newRow("delta with a fractional index")
        << start + sseEvent("content_block_delta",
                            "{\"type\":\"content_block_delta\",\"index\":0.5,\"delta\":{\"type\":"
                            "\"text_delta\",\"text\":\"x\"}}")
        << u"never started"_s << u"kept"_s;
    QTest::newRow("delta with a leading zero index")
        << start + sseEvent("content_block_delta",
                            "{\"type\":\"content_block_delta\",\"index\":00,\"delta\":{\"type\":"
                            "\"text_delta\",\"text\":\"x\"}}")
        << u"not a JSON object"_s << u"kept"_s;
    QTest::newRow("delta after the block stopped")
        << start + blockStop(0) + textDelta(0, "late") << u"after it ended"_s << u"kept"_s;
    QTest::newRow("stop for a block never started")
        << start + blockStop(3) << u"never started"_s << u"kept"_s;
    QTest::newRow("block started out of order") << start + textStart(2) << u"started block 2"_s << u"kept"_s;
    QTest::newRow("block index repeated") << start + textStart(0) << u"started block 0"_s << u"kept"_s;
    QTest::newRow("content before message_start") << textStart(0) << u"before message_start"_s << QString();
    QTest::newRow("second message_start") << start + messageStart() << u"second message_start"_s << u"kept"_s;
    QTest::newRow("text delta for a tool block") << messageStart() + toolStart(0) + textDelta(0, "x")
                                                 << u"text_delta for a tool_use block"_s << QString();
    QTest::newRow("tool input for a text block")
        << start + inputDelta(0, "{") << u"input_json_delta"_s << u"kept"_s;
    QTest::newRow("signature for a text block")
        << start + delta(0, "{\"type\":\"signature_delta\",\"signature\":\"x\"}") << u"signature_delta"_s
        << u"kept"_s;
    QTest::newRow("thinking for a text block")
        << start + delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"x\"}") << u"thinking_delta"_s
        << u"kept"_s;
}

void TestClaudeStream::protocolErrors()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, messagePart);
    QFETCH(QString, textKept);

    // What follows the error is ignored, even a proper end.
    const QByteArray full = bytes + textDelta(0, " more") + messageDelta("end_turn") + messageStop();
    RecordingStream recorder;
    recorder.feed(full);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::ProtocolError);
    QVERIFY(stream.isFinished());
    QVERIFY2(stream.errorMessage().contains(messagePart), qPrintable(stream.errorMessage()));
    QCOMPARE(stream.stopReason(), QString());
    if (textKept.isNull())
        QVERIFY(stream.blocks().isEmpty() || stream.blocks().first().text.isEmpty());
    else
        QCOMPARE(stream.blocks().first().text, textKept);
}

void TestClaudeStream::cutOffStream()
{
    // The connection drops in the middle of the tool input, mid-event.
    const QByteArray head = messageStart() + textStart(0) + textDelta(0, "Writing it.") + blockStop(0) +
                            toolStart(1) + inputDelta(1, "") + inputDelta(1, jsonBody("{\"title\":\"Pomo")) +
                            inputDelta(1, jsonBody("doro\",\"files\":[{\"path\":\"index.html\""));
    const QByteArray bytes = head + "event: content_block_delta\ndata: {\"type\":\"content_bl";
    RecordingStream recorder;
    recorder.feed(bytes);
    ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), ClaudeStream::State::Streaming);
    QVERIFY(!stream.isFinished());
    QVERIFY(stream.hasPartialEvent());
    stream.endOfInput();
    QCOMPARE(stream.state(), ClaudeStream::State::Streaming); // the caller calls it truncated
    QCOMPARE(stream.blocks().size(), 2);
    QVERIFY(stream.blocks().at(0).complete);
    const ClaudeContentBlock &tool = stream.blocks().at(1);
    QVERIFY(!tool.complete);
    QVERIFY(!tool.inputValid);
    QVERIFY2(tool.inputError.contains(u"cut off"_s), qPrintable(tool.inputError));
    QCOMPARE(tool.inputJson,
             "{\"title\":\"Pomodoro\",\"files\":[{\"path\":\"index.html\""_ba); // kept for the user
    QCOMPARE(recorder.toolInputFromCallbacks(), tool.inputJson);

    // Cut at a clean event boundary, nothing partial.
    RecordingStream clean;
    clean.feed(head);
    clean.stream().endOfInput();
    QVERIFY(!clean.stream().hasPartialEvent());
    QVERIFY(!clean.stream().blocks().at(1).inputValid);
    QVERIFY(clean.stream().blocks().at(0).inputError.isEmpty()); // text blocks have no input to cut
}

void TestClaudeStream::contentCap_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<qsizetype>("cap");
    QTest::addColumn<bool>("refused");

    QByteArrayList pieces(30, QByteArray(10, 'x'));
    QTest::newRow("text under the cap") << textStream(pieces) << qsizetype(400) << false;
    QTest::newRow("text over the cap") << textStream(pieces) << qsizetype(250) << true;
    QByteArrayList fragments(30, "0123456789");
    QTest::newRow("tool input over the cap") << toolStream(fragments) << qsizetype(250) << true;
    QTest::newRow("tool input under the cap") << toolStream(fragments) << qsizetype(500) << false;
    QByteArray starts = messageStart();
    for (int i = 0; i < 20; ++i)
        starts +=
            blockStart(i, "{\"type\":\"server_tool_result\",\"content\":\"" + QByteArray(100, 'r') + "\"}") +
            blockStop(i);
    QTest::newRow("block skeletons count too") << starts + messageStop() << qsizetype(1000) << true;
    QByteArray citations = messageStart() + textStart(0);
    for (int i = 0; i < 20; ++i)
        citations += delta(0, "{\"type\":\"citations_delta\",\"citation\":{\"cited_text\":\"" +
                                  QByteArray(100, 'c') + "\"}}");
    QTest::newRow("citations count too")
        << citations + blockStop(0) + messageStop() << qsizetype(1000) << true;
}

void TestClaudeStream::contentCap()
{
    QFETCH(QByteArray, bytes);
    QFETCH(qsizetype, cap);
    QFETCH(bool, refused);

    RecordingStream recorder(cap);
    recorder.feed(bytes);
    const ClaudeStream &stream = recorder.stream();
    QCOMPARE(stream.state(), refused ? ClaudeStream::State::ProtocolError : ClaudeStream::State::Complete);
    qsizetype kept = 0;
    for (const ClaudeContentBlock &block : stream.blocks())
        kept += block.text.size() + block.inputJson.size();
    QVERIFY(kept <= cap);
    if (refused) {
        QVERIFY2(stream.errorMessage().contains(u"larger than"_s), qPrintable(stream.errorMessage()));
        QVERIFY(stream.deltaCount() > 0 || !stream.blocks().isEmpty()); // what came before the cap is kept
    }
}

void TestClaudeStream::sameResultForEveryChunkingAndPath_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>(
        "variants"); // also compare the general decoding path and event-less lines (LF only)

    QTest::newRow("text answer") << streamFile("text_answer.sse") << true;
    QTest::newRow("documented tool call") << streamFile("write_app.sse") << true;
    QTest::newRow("documented tool call, CRLF") << streamFile("write_app.sse").replace("\n", "\r\n") << true;
    QTest::newRow("documented tool call, CR") << streamFile("write_app.sse").replace("\n", "\r") << false;
    QTest::newRow("error mid-stream") << messageStart() + textStart(0) + textDelta(0, "é🙂") +
                                             errorEvent("overloaded_error", "Overloaded")
                                      << true;
    QTest::newRow("thinking and tool")
        << messageStart() + blockStart(0, "{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}") +
               delta(0, "{\"type\":\"thinking_delta\",\"thinking\":\"Plan: \\\"one\\\" file ✓\"}") +
               delta(0, "{\"type\":\"signature_delta\",\"signature\":\"c2ln\"}") + blockStop(0) +
               toolStart(1) + inputDelta(1, "") + inputDelta(1, jsonBody("{\"title\":\"a\\")) +
               inputDelta(1, jsonBody("nb\"}")) + blockStop(1) + messageDelta("tool_use") + messageStop()
        << true;
    QTest::newRow("surrogates split across fragments")
        << toolStream({jsonBody("{\"t\":\"") + "\\ud83d", "\\ude42" + jsonBody("\"}")}) << true;
    QTest::newRow("protocol error") << messageStart() + textStart(0) + textDelta(0, "x") + textDelta(4, "y")
                                    << false;
    QTest::newRow("cut mid-event") << messageStart() + toolStart(0) + inputDelta(0, jsonBody("{\"a\":1")) +
                                          "event: content_block_delta\ndata: {\"ty"
                                   << true;
}

void TestClaudeStream::sameResultForEveryChunkingAndPath()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, variants);

    const QStringList whole = run(bytes);
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < bytes.size(); ++i)
        everyByte.append(i);
    QCOMPARE(run(bytes, everyByte), whole);
    for (qsizetype cut = 0; cut <= bytes.size(); ++cut)
        QCOMPARE(run(bytes, {cut}), whole);
    for (qsizetype first = 1; first < bytes.size(); first += 97) {
        for (qsizetype second = first + 1; second < bytes.size(); second += 31)
            QCOMPARE(run(bytes, {first, second}), whole);
    }

    if (variants) {
        const QByteArray general = reserialized(bytes);
        QVERIFY(general != bytes || !bytes.contains("content_block_delta"));
        QCOMPARE(run(general), whole);
        QCOMPARE(run(withoutEventLines(bytes)), whole);
    }
}

QTEST_GUILESS_MAIN(TestClaudeStream)
#include "tst_claudestream.moc"
