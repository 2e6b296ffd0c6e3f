// SSE parse throughput benchmark (DESIGN.md target: SSE parsing > 100 MB/s). Prints figures; not a test.
// Run it from a Release build.
//   bench_sse [--megabytes N] [--runs N] [--chunk BYTES]
// Generates a Messages stream shaped like Claude's answer to a write_app request (anthropic.md §5.1): a
// thinking block, a short text block, then one tool_use block whose input arrives as input_json_delta
// fragments of 10-60 bytes, with the odd ping. The stream is fed in network-sized chunks to (a) SseParser
// alone and (b) ClaudeStream (SSE + event decoding + block accumulation), and each result is checked against
// what was generated, so a fast but wrong parser cannot post a figure.

#include "claude/claudestream.h"
#include "claude/sseparser.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {

// Lines of the kind of code Claude writes for a small web app: quotes, backslashes, tabs, template
// strings and some non-ASCII, so the nested JSON escaping is as dense as in real answers.
const char *const kCodeLines[] = {
    "<!doctype html>",
    "<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pomodoro — focus</title>",
    "  <link rel=\"stylesheet\" href=\"style.css\">",
    "\t<script src=\"app.js\" defer></script>",
    "body { font-family: system-ui, sans-serif; background: #111; color: #eee; }",
    "const label = document.querySelector('#time');",
    "let seconds = 25 * 60; // 25 minutes ⏱",
    "setInterval(() => { seconds--; label.textContent = `${(seconds / 60) | 0}:${String(seconds % "
    "60).padStart(2, '0')}`; }, 1000);",
    "const re = /\\d+\\.\\d+/g; console.log(\"matched:\", re.test(\"3.14\"));",
    "def handler(request):",
    "    return {\"status\": 200, \"body\": f\"Héllo {request['name']}!\\n\"}",
    "print(\"Ready on port\", os.environ.get(\"PORT\", \"8000\"))",
    "    path = \"C:\\\\Users\\\\app\\\\data.json\"  # Windows paths appear too",
    "<p class=\"hint\">Press <kbd>Space</kbd> to start · 日本語 ok</p>",
    "",
};

QString codeFile(QRandomGenerator &random, int lines)
{
    QString text;
    for (int i = 0; i < lines; ++i) {
        text += QString::fromUtf8(kCodeLines[random.bounded(int(std::size(kCodeLines)))]);
        text += u'\n';
    }
    return text;
}

QByteArray eventBytes(const char *name, const QJsonObject &data)
{
    return "event: "_ba + name + "\ndata: "_ba + QJsonDocument(data).toJson(QJsonDocument::Compact) +
           "\n\n"_ba;
}

// A JSON string literal, quotes included.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.sliced(1, array.size() - 2);
}

// Deltas keep the API's key order (QJsonObject would sort the keys), as ClaudeStream sees them in practice.
QByteArray deltaEvent(int index, const char *type, const char *field, const QString &value)
{
    return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":"_ba +
           QByteArray::number(index) + ",\"delta\":{\"type\":\"" + type + "\",\"" + field +
           "\":" + jsonString(value) + "}}\n\n";
}

struct Generated
{
    QByteArray stream;
    QByteArray toolInput; // what the tool block's fragments add up to
    QString text;
    qsizetype events = 0;
    qsizetype fragments = 0;
};

// A stream of about targetBytes. The tool input is a real write_app object, serialised and cut into
// fragments of 10-60 characters on character boundaries (as the API does).
Generated generate(qsizetype targetBytes)
{
    QRandomGenerator random(20261128);
    Generated out;
    QByteArray &s = out.stream;
    s.reserve(targetBytes + 64 * 1024);
    const auto add = [&](const QByteArray &event) {
        s += event;
        ++out.events;
    };
    add(eventBytes("message_start",
                   {{u"type"_s, u"message_start"_s},
                    {u"message"_s, QJsonObject{{u"id"_s, u"msg_bench"_s},
                                               {u"type"_s, u"message"_s},
                                               {u"role"_s, u"assistant"_s},
                                               {u"model"_s, u"claude-sonnet-5-5"_s},
                                               {u"content"_s, QJsonArray()},
                                               {u"usage"_s, QJsonObject{{u"input_tokens"_s, 312},
                                                                        {u"output_tokens"_s, 2}}}}}}));
    add(eventBytes("content_block_start",
                   {{u"type"_s, u"content_block_start"_s},
                    {u"index"_s, 0},
                    {u"content_block"_s, QJsonObject{{u"type"_s, u"thinking"_s}, {u"thinking"_s, u""_s}}}}));
    add(deltaEvent(0, "thinking_delta", "thinking", u"A static page fits: index.html plus app.js."_s));
    add(deltaEvent(0, "signature_delta", "signature", u"EqQBCkYIBhgCIkB2c2lnbmF0dXJl"_s));
    add(eventBytes("content_block_stop", {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, 0}}));
    add(eventBytes("content_block_start",
                   {{u"type"_s, u"content_block_start"_s},
                    {u"index"_s, 1},
                    {u"content_block"_s, QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, u""_s}}}}));
    for (const QString &piece : {u"Here is your "_s, u"pomodoro timer: "_s, u"a single static page."_s}) {
        add(deltaEvent(1, "text_delta", "text", piece));
        out.text += piece;
    }
    add(eventBytes("content_block_stop", {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, 1}}));
    add(eventBytes("content_block_start", {{u"type"_s, u"content_block_start"_s},
                                           {u"index"_s, 2},
                                           {u"content_block"_s, QJsonObject{{u"type"_s, u"tool_use"_s},
                                                                            {u"id"_s, u"toolu_bench"_s},
                                                                            {u"name"_s, u"write_app"_s},
                                                                            {u"input"_s, QJsonObject()}}}}));

    // Each fragment costs about 5 times its size on the wire (event line, envelope, escaping).
    QJsonArray files;
    qsizetype inputSize = 0;
    for (int n = 0; inputSize < targetBytes / 5; ++n) {
        const QString content = codeFile(random, 400);
        files.append(QJsonObject{{u"path"_s, u"src/file%1.js"_s.arg(n)}, {u"content"_s, content}});
        inputSize += content.toUtf8().size();
    }
    const QJsonObject input{{u"title"_s, u"Pomodoro Timer"_s},
                            {u"runtime"_s, u"static"_s},
                            {u"start_command"_s, u""_s},
                            {u"port"_s, 80},
                            {u"files"_s, files}};
    const QString inputJson = QString::fromUtf8(QJsonDocument(input).toJson(QJsonDocument::Compact));
    out.toolInput = inputJson.toUtf8();

    qsizetype at = 0;
    while (at < inputJson.size()) {
        qsizetype length = std::min<qsizetype>(10 + random.bounded(51), inputJson.size() - at);
        if (at + length < inputJson.size() && inputJson.at(at + length).isLowSurrogate())
            ++length; // keep surrogate pairs whole, as the API does
        add(deltaEvent(2, "input_json_delta", "partial_json", inputJson.mid(at, length)));
        ++out.fragments;
        if (random.bounded(2000) == 0)
            add(eventBytes("ping", {{u"type"_s, u"ping"_s}}));
        at += length;
    }
    add(eventBytes("content_block_stop", {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, 2}}));
    add(eventBytes("message_delta", {{u"type"_s, u"message_delta"_s},
                                     {u"delta"_s, QJsonObject{{u"stop_reason"_s, u"tool_use"_s},
                                                              {u"stop_sequence"_s, QJsonValue()}}},
                                     {u"usage"_s, QJsonObject{{u"output_tokens"_s, 123456}}}}));
    add(eventBytes("message_stop", {{u"type"_s, u"message_stop"_s}}));
    return out;
}

struct Figures
{
    double median = 0, min = 0, max = 0;
};

Figures figures(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    const double median = n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
    return {median, values.first(), values.last()};
}

double megabytesPerSecond(qsizetype bytes, qint64 nanoseconds)
{
    return double(bytes) / (1024.0 * 1024.0) / (double(std::max<qint64>(nanoseconds, 1)) / 1e9);
}

// (a) The SSE layer alone, taking events as a network reader would after each chunk.
double runParser(const Generated &g, qsizetype chunk, bool *ok)
{
    SseParser parser;
    qsizetype events = 0;
    QElapsedTimer timer;
    timer.start();
    for (qsizetype at = 0; at < g.stream.size(); at += chunk) {
        parser.feed(QByteArrayView(g.stream).sliced(at, std::min(chunk, g.stream.size() - at)));
        events += parser.take().size();
    }
    const qint64 ns = timer.nsecsElapsed();
    *ok = events == g.events && !parser.hasError() && !parser.hasPartialEvent();
    return megabytesPerSecond(g.stream.size(), ns);
}

// (b) The whole decoder, with a callback attached as the generation job does.
double runStream(const Generated &g, qsizetype chunk, bool *ok)
{
    ClaudeStream stream;
    qsizetype callbackBytes = 0;
    ClaudeStream::Callbacks callbacks;
    callbacks.toolInputAppended = [&](int, const QString &, const QByteArray &fragment) {
        callbackBytes += fragment.size();
    };
    stream.setCallbacks(std::move(callbacks));
    QElapsedTimer timer;
    timer.start();
    for (qsizetype at = 0; at < g.stream.size(); at += chunk)
        stream.feed(QByteArrayView(g.stream).sliced(at, std::min(chunk, g.stream.size() - at)));
    stream.endOfInput();
    const qint64 ns = timer.nsecsElapsed();
    const auto &blocks = stream.blocks();
    *ok = stream.state() == ClaudeStream::State::Complete && blocks.size() == 3 &&
          blocks.at(1).text == g.text && blocks.at(2).inputJson == g.toolInput && blocks.at(2).inputValid &&
          callbackBytes == g.toolInput.size() && stream.deltaCount() == g.fragments + 5 &&
          stream.pings() == g.events - g.fragments - 14;
    if (!*ok) {
        std::fprintf(stderr, "  ClaudeStream result differs: state %d, %lld blocks, error \"%s\"\n",
                     int(stream.state()), qlonglong(blocks.size()), qPrintable(stream.errorMessage()));
    }
    return megabytesPerSecond(g.stream.size(), ns);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser options;
    options.setApplicationDescription(
        u"Measures SseParser and ClaudeStream throughput on a generated Messages stream."_s);
    options.addHelpOption();
    options.addOption({u"megabytes"_s, u"Size of the generated stream."_s, u"n"_s, u"64"_s});
    options.addOption({u"runs"_s, u"Measured runs per case (the median is reported)."_s, u"n"_s, u"7"_s});
    options.addOption(
        {u"chunk"_s, u"Bytes per feed() call; 0 measures 1 KiB, 16 KiB and 64 KiB."_s, u"bytes"_s, u"0"_s});
    options.process(app);
    const qsizetype megabytes = std::max(1, options.value(u"megabytes"_s).toInt());
    const int runs = std::max(1, options.value(u"runs"_s).toInt());
    QList<qsizetype> chunks = {1024, 16 * 1024, 64 * 1024};
    if (const int chunk = options.value(u"chunk"_s).toInt(); chunk > 0)
        chunks = {chunk};

    QElapsedTimer generation;
    generation.start();
    const Generated g = generate(megabytes * 1024 * 1024);
    std::printf(
        "stream: %.1f MB, %lld events (%lld input_json_delta fragments, %.1f bytes of tool input each "
        "on average), generated in %lld ms\n",
        double(g.stream.size()) / (1024.0 * 1024.0), qlonglong(g.events), qlonglong(g.fragments),
        double(g.toolInput.size()) / double(std::max<qsizetype>(g.fragments, 1)),
        qlonglong(generation.elapsed()));
#ifdef QT_DEBUG
    std::printf("note: this is a Debug build; figures are only meaningful from a Release build\n");
#endif

    bool allOk = true;
    for (const qsizetype chunk : chunks) {
        for (const bool full : {false, true}) {
            QList<double> rates;
            bool ok = true;
            (full ? runStream : runParser)(g, chunk, &ok); // warm-up (page faults, allocator)
            for (int r = 0; r < runs; ++r) {
                bool runOk = false;
                rates.append((full ? runStream : runParser)(g, chunk, &runOk));
                ok = ok && runOk;
            }
            allOk = allOk && ok;
            const Figures f = figures(rates);
            std::printf("%-26s chunk %6lld B: median %7.1f MB/s  (min %.1f, max %.1f, %d runs)%s\n",
                        full ? "SseParser+ClaudeStream" : "SseParser", qlonglong(chunk), f.median, f.min,
                        f.max, runs, ok ? "" : "  WRONG RESULT");
            std::fflush(stdout);
        }
    }
    // Part of (b): at content_block_stop ClaudeStream parses the joined tool input once with QJsonDocument.
    // Its cost grows with the answer, not with the number of events, so it is shown on its own.
    QList<double> parseMs;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer timer;
        timer.start();
        const bool parsed = QJsonDocument::fromJson(g.toolInput).isObject();
        parseMs.append(double(timer.nsecsElapsed()) / 1e6);
        allOk = allOk && parsed;
    }
    std::printf(
        "SseParser+ClaudeStream includes, once per answer, the QJsonDocument parse of the %.1f MB tool "
        "input at content_block_stop: median %.0f ms of it\n",
        double(g.toolInput.size()) / (1024.0 * 1024.0), figures(parseMs).median);

    return allOk ? 0 : 1;
}
