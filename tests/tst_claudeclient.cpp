// The Claude HTTP client (ClaudeJob, ClaudeMessagesJob, ClaudeModelsJob) against the fake Anthropic server on
// 127.0.0.1: headers, streaming at every chunk size, the retry policy, timeouts, cancel, refusals that send
// nothing, redirects, paging and the content cap.
#include "claude/claudeconfig.h"
#include "claude/claudemessagesjob.h"
#include "claude/claudemodelsjob.h"
#include "fakeanthropic.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QPointer>
#include <QTest>

#include <functional>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-ant-api03-test-key"_s;

QJsonObject simpleBody()
{
    return {{u"model"_s, u"claude-sonnet-5-5"_s},
            {u"max_tokens"_s, 1024},
            {u"messages"_s,
             QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"A pomodoro timer"_s}}}}};
}

// Resident memory of this process, in bytes (Linux).
qint64 residentBytes()
{
    QFile status(u"/proc/self/status"_s);
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    }
    return -1;
}

// Position just after the event that contains `needle` (the stream's own bytes, so offsets are exact).
qsizetype afterEventContaining(const QByteArray &stream, const QByteArray &needle)
{
    const qsizetype at = stream.indexOf(needle);
    Q_ASSERT(at >= 0);
    return stream.indexOf("\n\n", at) + 2;
}

QList<std::pair<QByteArray, QByteArray>> fastRetry()
{
    return {{"retry-after-ms", "20"}};
}

} // namespace

class TestClaudeClient : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    // Pieces of the policy on their own.
    void baseUrlProblem_data();
    void baseUrlProblem();
    void endpoint_data();
    void endpoint();
    void retryAfter_data();
    void retryAfter();
    void backoff_data();
    void backoff();
    void describeHttpError_data();
    void describeHttpError();

    // Against the fake server.
    void sendsHeadersAndStreamingBody();
    void reassemblesToolAnswer_data();
    void reassemblesToolAnswer();
    void fakeRejectsLikeTheApi_data();
    void fakeRejectsLikeTheApi();
    void badKeyIsNotRetried();
    void rateLimitHonoursRetryAfterSeconds();
    void retryAfterBeyondCapFailsAtOnce();
    void spendLimitIsNotRetried();
    void overloadedThreeTimes();
    void shouldRetryFalseStopsRetry();
    void shouldRetryTrueRetriesA400();
    void serverErrorThenSuccessWithBackoff();
    void errorEventAfterTextKeepsContent();
    void overloadedEventBeforeContentIsRetried();
    void dropMidToolInputIsTruncated();
    void dropBeforeContentIsRetried();
    void stallEndsByIdleTimeout();
    void noHeadersEndsByConnectTimeout();
    void connectTimeoutIsRetried();
    void connectionRefusedNamesHost();
    void cancelMidStream();
    void cancelWhileWaitingToRetry();
    void noKeySendsNothing();
    void remoteHttpIsRefused();
    void redirectToAnotherOriginIsNotFollowed();
    void nonEventStream200IsProtocol();
    void malformedStreamIsProtocol();
    void promptTooLong();
    void modelsInTwoPages();
    void modelsRetriedAfterDrop();
    void modelsBadKey();
    void hugeAnswerIsCapped();

private:
    struct MessagesRun
    {
        ClaudeResult result;
        int finishedCount = 0;
        bool contentShown = false;
        QString text;
        QString thinking;
        QByteArray toolInput;
        QList<std::tuple<int, int, QString>> retries;
        int signalsAfterCancel = 0;
        qint64 elapsedMs = 0;
        bool startedAsynchronously = true; // finished did not come inside start()
    };

    ClaudeConfig config() const;
    MessagesRun runMessages(const ClaudeConfig &config, const QJsonObject &body = simpleBody(),
                            const std::function<void(ClaudeMessagesJob &)> &prepare = {},
                            int timeoutMs = 20000);
    ClaudeModelsResult runModels(const ClaudeConfig &config, int *finishedCount);

    QNetworkAccessManager *m_network = nullptr;
    FakeAnthropicServer *m_server = nullptr;
    QList<QPointer<ClaudeJob>> m_jobs;
};

void TestClaudeClient::init()
{
    m_network = new QNetworkAccessManager(this);
    m_server = new FakeAnthropicServer(this);
    m_server->setApiKey(kKey);
    QVERIFY(m_server->listen());
    m_jobs.clear();
}

void TestClaudeClient::cleanup()
{
    // Every job deletes itself after its one finished signal.
    for (const QPointer<ClaudeJob> &job : std::as_const(m_jobs))
        QTRY_VERIFY(job.isNull());
    delete m_server;
    m_server = nullptr;
    delete m_network;
    m_network = nullptr;
}

ClaudeConfig TestClaudeClient::config() const
{
    ClaudeConfig c;
    c.baseUrl = m_server->baseUrl();
    c.apiKey = kKey;
    c.connectTimeout = std::chrono::seconds(5);
    c.idleTimeout = std::chrono::seconds(5);
    return c;
}

TestClaudeClient::MessagesRun
TestClaudeClient::runMessages(const ClaudeConfig &config, const QJsonObject &body,
                              const std::function<void(ClaudeMessagesJob &)> &prepare, int timeoutMs)
{
    MessagesRun run;
    auto *job = new ClaudeMessagesJob(m_network, config, body, this);
    m_jobs.append(job);
    QEventLoop loop;
    // A cancel() from a prepared slot finishes the job: nothing may be emitted after that.
    connect(job, &ClaudeMessagesJob::textAppended, this, [&, job](int, const QString &text) {
        run.text += text;
        run.signalsAfterCancel += job->isFinished();
    });
    connect(job, &ClaudeMessagesJob::thinkingAppended, this, [&, job](int, const QString &thinking) {
        run.thinking += thinking;
        run.signalsAfterCancel += job->isFinished();
    });
    connect(job, &ClaudeMessagesJob::toolInputAppended, this,
            [&, job](int, const QString &tool, const QByteArray &fragment) {
                QCOMPARE(tool, u"write_app"_s);
                run.toolInput += fragment;
                run.signalsAfterCancel += job->isFinished();
            });
    connect(job, &ClaudeJob::retrying, this, [&](int attempt, int delayMs, const QString &reason) {
        run.retries.append({attempt, delayMs, reason});
    });
    connect(job, &ClaudeMessagesJob::finished, this, [&, job](const ClaudeResult &result) {
        run.result = result;
        run.contentShown = job->contentShown();
        ++run.finishedCount;
        loop.quit();
    });
    if (prepare)
        prepare(*job);

    QElapsedTimer clock;
    clock.start();
    job->start();
    run.startedAsynchronously = run.finishedCount == 0;
    if (run.finishedCount == 0) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    run.elapsedMs = clock.elapsed();
    // Nothing may follow finished: give stray signals a chance to show up.
    QTest::qWait(20);
    return run;
}

ClaudeModelsResult TestClaudeClient::runModels(const ClaudeConfig &config, int *finishedCount)
{
    ClaudeModelsResult out;
    auto *job = new ClaudeModelsJob(m_network, config, this);
    m_jobs.append(job);
    QEventLoop loop;
    *finishedCount = 0;
    connect(job, &ClaudeModelsJob::finished, this, [&](const ClaudeModelsResult &result) {
        out = result;
        ++*finishedCount;
        loop.quit();
    });
    job->start();
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    loop.exec();
    QTest::qWait(20);
    return out;
}

// ---------------------------------------------------------------------------------------------------------

void TestClaudeClient::baseUrlProblem_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("usable");

    QTest::newRow("default https") << u"https://api.anthropic.com"_s << true;
    QTest::newRow("gateway with path") << u"https://gateway.example.org/anthropic/"_s << true;
    QTest::newRow("http loopback v4") << u"http://127.0.0.1:8123"_s << true;
    QTest::newRow("http loopback v4 other") << u"http://127.0.0.2:8123"_s << true;
    QTest::newRow("http loopback v6") << u"http://[::1]:8123"_s << true;
    QTest::newRow("http localhost") << u"http://localhost:8123"_s << true;
    QTest::newRow("http remote name") << u"http://api.anthropic.com"_s << false;
    QTest::newRow("http LAN address") << u"http://192.168.1.10:8080"_s << false;
    QTest::newRow("http name ending in localhost-ish") << u"http://localhost.example.com"_s << false;
    QTest::newRow("ftp") << u"ftp://api.anthropic.com"_s << false;
    QTest::newRow("no scheme") << u"api.anthropic.com"_s << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("credentials in URL") << u"https://user:pw@api.anthropic.com"_s << false;
}

void TestClaudeClient::baseUrlProblem()
{
    QFETCH(QString, url);
    QFETCH(bool, usable);
    ClaudeConfig c;
    c.baseUrl = QUrl(url);
    QCOMPARE(c.baseUrlProblem().isEmpty(), usable);
    if (!usable)
        QVERIFY(c.baseUrlProblem().contains(u"Settings"_s));
}

void TestClaudeClient::endpoint_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << u"https://api.anthropic.com"_s << u"/v1/messages"_s
                           << u"https://api.anthropic.com/v1/messages"_s;
    QTest::newRow("trailing slash") << u"https://api.anthropic.com/"_s << u"/v1/models"_s
                                    << u"https://api.anthropic.com/v1/models"_s;
    QTest::newRow("gateway prefix kept") << u"https://gw.example.org/proxy/anthropic/"_s << u"/v1/messages"_s
                                         << u"https://gw.example.org/proxy/anthropic/v1/messages"_s;
    QTest::newRow("query and fragment dropped")
        << u"http://127.0.0.1:9/x?a=b#c"_s << u"/v1/messages"_s << u"http://127.0.0.1:9/x/v1/messages"_s;
    QTest::newRow("path without slash")
        << u"https://api.anthropic.com"_s << u"v1/messages"_s << u"https://api.anthropic.com/v1/messages"_s;
}

void TestClaudeClient::endpoint()
{
    QFETCH(QString, base);
    QFETCH(QString, path);
    QFETCH(QString, expected);
    ClaudeConfig c;
    c.baseUrl = QUrl(base);
    QCOMPARE(c.endpoint(path).toString(), expected);
}

void TestClaudeClient::retryAfter_data()
{
    QTest::addColumn<QByteArray>("ms");
    QTest::addColumn<QByteArray>("seconds");
    QTest::addColumn<qint64>("expected");

    QTest::newRow("none") << QByteArray() << QByteArray() << qint64(-1);
    QTest::newRow("ms") << QByteArray("1500") << QByteArray() << qint64(1500);
    QTest::newRow("fractional ms rounds up") << QByteArray("250.2") << QByteArray() << qint64(251);
    QTest::newRow("ms wins over seconds") << QByteArray("40") << QByteArray("7") << qint64(40);
    QTest::newRow("invalid ms falls back to seconds")
        << QByteArray("soon") << QByteArray("7") << qint64(7000);
    QTest::newRow("seconds") << QByteArray() << QByteArray("7") << qint64(7000);
    QTest::newRow("fractional seconds") << QByteArray() << QByteArray("1.5") << qint64(1500);
    QTest::newRow("zero") << QByteArray() << QByteArray("0") << qint64(0);
    QTest::newRow("negative seconds") << QByteArray() << QByteArray("-3") << qint64(-1);
    QTest::newRow("HTTP-date 90 s ahead")
        << QByteArray() << QByteArray("Fri, 20 Nov 2026 12:01:30 GMT") << qint64(90'000);
    QTest::newRow("HTTP-date in the past")
        << QByteArray() << QByteArray("Fri, 20 Nov 2026 11:00:00 GMT") << qint64(0);
    QTest::newRow("garbage") << QByteArray() << QByteArray("whenever") << qint64(-1);
    QTest::newRow("absurd is clamped")
        << QByteArray("1e300") << QByteArray() << qint64(365LL * 24 * 3600 * 1000);
}

void TestClaudeClient::retryAfter()
{
    QFETCH(QByteArray, ms);
    QFETCH(QByteArray, seconds);
    QFETCH(qint64, expected);
    const QDateTime now = QDateTime(QDate(2026, 11, 20), QTime(12, 0, 0), Qt::UTC);
    QCOMPARE(ClaudeJob::retryAfterMs(ms, seconds, now), expected);
}

void TestClaudeClient::backoff_data()
{
    QTest::addColumn<int>("retriesTaken");
    QTest::addColumn<double>("random");
    QTest::addColumn<int>("expected");

    // min(0.5·2^n, 8) s × (1 − 0.25·random)
    QTest::newRow("first, no jitter") << 0 << 0.0 << 500;
    QTest::newRow("first, most jitter") << 0 << 1.0 << 375;
    QTest::newRow("second") << 1 << 0.0 << 1000;
    QTest::newRow("third, half jitter") << 2 << 0.5 << 1750;
    QTest::newRow("fifth reaches the cap") << 4 << 0.0 << 8000;
    QTest::newRow("sixth stays at the cap") << 5 << 0.0 << 8000;
    QTest::newRow("many, most jitter") << 30 << 1.0 << 6000;
}

void TestClaudeClient::backoff()
{
    QFETCH(int, retriesTaken);
    QFETCH(double, random);
    QFETCH(int, expected);
    QCOMPARE(ClaudeJob::backoffMs(retriesTaken, random), expected);
}

void TestClaudeClient::describeHttpError_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<qint64>("retryAfter");
    QTest::addColumn<ClaudeFailure>("failure");
    QTest::addColumn<QString>("errorType");
    QTest::addColumn<QString>("says");

    using F = ClaudeFailure;
    const auto body = [](const char *type, const char *message, const QJsonObject &details = {}) {
        return FakeStreams::errorBody(QString::fromLatin1(type), QString::fromLatin1(message), details);
    };
    QTest::newRow("401") << 401 << body("authentication_error", "invalid x-api-key") << qint64(-1)
                         << F::BadKey << u"authentication_error"_s << u"Open Settings → Keys"_s;
    QTest::newRow("402") << 402 << body("billing_error", "credit balance too low") << qint64(-1) << F::Billing
                         << u"billing_error"_s << u"credit balance too low"_s;
    QTest::newRow("403") << 403 << body("permission_error", "no access to model") << qint64(-1)
                         << F::Forbidden << u"permission_error"_s << u"model access"_s;
    QTest::newRow("404") << 404 << body("not_found_error", "model: claude-x") << qint64(-1) << F::BadRequest
                         << u"not_found_error"_s << u"model: claude-x"_s;
    QTest::newRow("413") << 413 << body("request_too_large", "too big") << qint64(-1) << F::TooLarge
                         << u"request_too_large"_s << u"32 MB"_s;
    QTest::newRow("429 with wait") << 429 << body("rate_limit_error", "slow down") << qint64(7000)
                                   << F::RateLimited << u"rate_limit_error"_s << u"Try again in 7 seconds"_s;
    QTest::newRow("429 long wait") << 429 << body("rate_limit_error", "slow down") << qint64(7 * 60'000)
                                   << F::RateLimited << u"rate_limit_error"_s << u"Try again in 7 minutes"_s;
    QTest::newRow("429 no wait") << 429 << body("rate_limit_error", "slow down") << qint64(-1)
                                 << F::RateLimited << u"rate_limit_error"_s << u"Try again in a minute"_s;
    QTest::newRow("429 spend limit") << 429
                                     << body(
                                            "rate_limit_error", "spend limit",
                                            QJsonObject{{u"error_code"_s, u"enforced_spend_limit_reached"_s}})
                                     << qint64(-1) << F::SpendLimit << u"rate_limit_error"_s
                                     << u"monthly spend limit"_s;
    QTest::newRow("529") << 529 << body("overloaded_error", "Overloaded") << qint64(-1) << F::Overloaded
                         << u"overloaded_error"_s << u"overloaded"_s;
    QTest::newRow("500") << 500 << body("api_error", "Internal server error") << qint64(-1) << F::Server
                         << u"api_error"_s << u"internal error"_s;
    QTest::newRow("504") << 504 << body("timeout_error", "Gateway timeout") << qint64(-1) << F::Server
                         << u"timeout_error"_s << u"gateway timed out"_s;
    QTest::newRow("502 HTML from a proxy") << 502 << QByteArray("<html>Bad gateway</html>") << qint64(-1)
                                           << F::Server << QString() << u"HTTP 502"_s;
    QTest::newRow("400") << 400 << body("invalid_request_error", "max_tokens: Field required") << qint64(-1)
                         << F::BadRequest << u"invalid_request_error"_s << u"max_tokens: Field required"_s;
    QTest::newRow("400 context window")
        << 400 << body("invalid_request_error", "prompt is too long: 250000 tokens > 200000 maximum")
        << qint64(-1) << F::BadRequest << u"invalid_request_error"_s
        << u"(250000 tokens) are larger than the model's context window (200000 tokens)"_s;
    QTest::newRow("422") << 422 << QByteArray() << qint64(-1) << F::BadRequest << QString() << u"HTTP 422"_s;
}

void TestClaudeClient::describeHttpError()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(qint64, retryAfter);
    QFETCH(ClaudeFailure, failure);
    QFETCH(QString, errorType);
    QFETCH(QString, says);
    const ClaudeOutcome outcome = ClaudeJob::describeHttpError(status, body, retryAfter);
    QCOMPARE(outcome.failure, failure);
    QCOMPARE(outcome.errorType, errorType);
    QCOMPARE(outcome.httpStatus, status);
    QVERIFY2(outcome.message.contains(says, Qt::CaseInsensitive), qPrintable(outcome.message));
}

// ---------------------------------------------------------------------------------------------------------

void TestClaudeClient::sendsHeadersAndStreamingBody()
{
    m_server->enqueue({.body = FakeStreams::textAnswer(u"Hello there, this is Claude speaking."_s)});
    QJsonObject body = simpleBody();
    body.insert(u"system"_s, u"You generate small web apps."_s);
    const MessagesRun run = runMessages(config(), body);

    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.finishedCount, 1);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(run.result.httpStatus, 200);
    QCOMPARE(run.result.text(), u"Hello there, this is Claude speaking."_s);
    QCOMPARE(run.text, run.result.text());
    QCOMPARE(run.result.stopReason, u"end_turn"_s);
    QCOMPARE(run.result.model, u"claude-sonnet-5-5"_s);
    QVERIFY(run.result.messageId.startsWith(u"msg_"_s));
    QCOMPARE(run.result.usage.inputTokens, qint64(312));
    QCOMPARE(run.result.usage.cacheReadTokens, qint64(1850));

    QCOMPARE(m_server->requests().size(), 1);
    const FakeAnthropicServer::Request request = m_server->requests().constFirst();
    QCOMPARE(request.method, "POST");
    QCOMPARE(request.path, "/v1/messages");
    QCOMPARE(request.headers.value("x-api-key"), kKey.toLatin1());
    QCOMPARE(request.headers.value("anthropic-version"), QByteArray(ClaudeConfig::kApiVersion));
    QCOMPARE(request.headers.value("anthropic-version"), "2026-10-21");
    QCOMPARE(request.headers.value("user-agent"), "SpawnAI/" SPAWNAI_VERSION);
    QCOMPARE(request.headers.value("content-type"), "application/json");
    QCOMPARE(request.headers.value("accept"), "text/event-stream, application/json"); // errors come as JSON
    QCOMPARE(request.headers.value("x-stainless-retry-count"), "0");
    QVERIFY(!request.headers.contains("authorization"));
    // The body as given, plus "stream": true, and nothing else (no sampling parameters).
    QJsonObject expected = body;
    expected.insert(u"stream"_s, true);
    QCOMPARE(request.json, expected);
    for (const QString &sampling : {u"temperature"_s, u"top_p"_s, u"top_k"_s})
        QVERIFY(!request.json.contains(sampling));
    QVERIFY(!request.body.contains(kKey.toLatin1()));
    // request-id of the response reaches the result.
    QVERIFY2(run.result.requestId.startsWith(u"req_011CFake"_s), qPrintable(run.result.requestId));
}

void TestClaudeClient::reassemblesToolAnswer_data()
{
    QTest::addColumn<int>("chunkSize");
    QTest::addColumn<int>("fragmentBytes");
    QTest::addColumn<bool>("thinking");

    QTest::newRow("whole body at once") << 0 << 37 << false;
    QTest::newRow("1-byte chunks") << 1 << 37 << true;
    QTest::newRow("2-byte chunks, 1-byte fragments") << 2 << 1 << false;
    QTest::newRow("7-byte chunks") << 7 << 37 << true;
    QTest::newRow("64-byte chunks, 5-byte fragments") << 64 << 5 << true;
    QTest::newRow("1000-byte chunks, big fragments") << 1000 << 400 << false;
}

void TestClaudeClient::reassemblesToolAnswer()
{
    QFETCH(int, chunkSize);
    QFETCH(int, fragmentBytes);
    QFETCH(bool, thinking);

    const QJsonObject app = FakeStreams::sampleApp();
    const QByteArray inputJson = FakeStreams::toolInputJson(app);
    FakeStreams::Options options;
    options.thinking = thinking;
    options.fragmentBytes = fragmentBytes;
    options.usage.outputTokens = 1234;
    const QString commentary = u"Here is your pomodoro timer — with a dark theme. 🍅 Enjoy!"_s;
    const QByteArray stream = FakeStreams::toolAnswer(commentary, app, options);
    // The fixture really is awkward: escapes and multi-byte characters cross fragment boundaries.
    const QList<QByteArray> fragments = FakeStreams::toolInputFragments(inputJson, fragmentBytes);
    QCOMPARE(fragments.join(), inputJson);
    if (fragmentBytes < 100)
        QVERIFY(std::any_of(fragments.cbegin(), fragments.cend(),
                            [](const QByteArray &f) { return f.endsWith('\\'); }));
    QVERIFY(inputJson.contains("\\n") && inputJson.contains("\\\"") && inputJson.contains("🍅"));

    m_server->enqueue({.body = stream, .chunkSize = chunkSize});
    const MessagesRun run = runMessages(config());

    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(run.result.stopReason, u"tool_use"_s);
    QVERIFY(run.result.stopProblem().isEmpty());
    QCOMPARE(run.result.usage.outputTokens, qint64(1234));
    QVERIFY(run.contentShown);
    // Signals and result agree, byte for byte.
    QCOMPARE(run.toolInput, inputJson);
    QCOMPARE(run.text, commentary);
    QCOMPARE(run.result.text(), commentary);
    const ClaudeContentBlock *tool = run.result.toolUse(u"write_app"_s);
    QVERIFY(tool);
    QVERIFY(tool->complete);
    QCOMPARE(tool->inputJson, inputJson);
    QVERIFY2(tool->inputValid, qPrintable(tool->inputError));
    QCOMPARE(tool->input, app);
    QVERIFY(tool->toolId.startsWith(u"toolu_"_s));
    QCOMPARE(run.result.content.size(), thinking ? 3 : 2);
    if (thinking) {
        QCOMPARE(run.result.content.constFirst().kind, ClaudeContentBlock::Kind::Thinking);
        QCOMPARE(run.thinking, run.result.content.constFirst().text);
        QVERIFY(!run.result.content.constFirst().signature.isEmpty());
    } else {
        QVERIFY(run.thinking.isEmpty());
    }
    QCOMPARE(m_server->bodyBytesSent(), qint64(stream.size()));
}

void TestClaudeClient::fakeRejectsLikeTheApi_data()
{
    QTest::addColumn<QString>("remove");
    QTest::addColumn<QJsonObject>("add");
    QTest::addColumn<QString>("says");

    QTest::newRow("temperature under 2026-10-21") << QString() << QJsonObject{{u"temperature"_s, 1.0}}
                                                  << u"temperature: This parameter is not supported"_s;
    QTest::newRow("top_p") << QString() << QJsonObject{{u"top_p"_s, 0.9}} << u"top_p:"_s;
    QTest::newRow("top_k") << QString() << QJsonObject{{u"top_k"_s, 40}} << u"top_k:"_s;
    QTest::newRow("tool_choice any") << QString()
                                     << QJsonObject{{u"tool_choice"_s, QJsonObject{{u"type"_s, u"any"_s}}}}
                                     << u"forced tool use ('any')"_s;
    QTest::newRow("tool_choice tool")
        << QString()
        << QJsonObject{{u"tool_choice"_s, QJsonObject{{u"type"_s, u"tool"_s}, {u"name"_s, u"write_app"_s}}}}
        << u"forced tool use ('tool')"_s;
    QTest::newRow("no model") << u"model"_s << QJsonObject() << u"model: Field required"_s;
    QTest::newRow("no max_tokens") << u"max_tokens"_s << QJsonObject() << u"max_tokens: Field required"_s;
    QTest::newRow("no messages") << u"messages"_s << QJsonObject() << u"messages: Field required"_s;
    QTest::newRow("bad role") << QString()
                              << QJsonObject{{u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"robot"_s},
                                                                                    {u"content"_s, u"x"_s}}}}}
                              << u"messages.0.role"_s;
}

void TestClaudeClient::fakeRejectsLikeTheApi()
{
    QFETCH(QString, remove);
    QFETCH(QJsonObject, add);
    QFETCH(QString, says);
    QJsonObject body = simpleBody();
    body.remove(remove);
    for (auto it = add.constBegin(); it != add.constEnd(); ++it)
        body.insert(it.key(), it.value());

    const MessagesRun run = runMessages(config(), body);
    QCOMPARE(run.result.failure, ClaudeFailure::BadRequest);
    QCOMPARE(run.result.httpStatus, 400);
    QCOMPARE(run.result.errorType, u"invalid_request_error"_s);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY2(run.result.message.contains(says), qPrintable(run.result.message));
    QVERIFY(run.result.requestId.startsWith(u"req_"_s));
    QCOMPARE(m_server->queuedReplies(), 0);
}

void TestClaudeClient::badKeyIsNotRetried()
{
    ClaudeConfig c = config();
    c.apiKey = u"sk-ant-api03-wrong"_s;
    const MessagesRun run = runMessages(c);
    QCOMPARE(run.result.failure, ClaudeFailure::BadKey);
    QCOMPARE(run.result.httpStatus, 401);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(run.result.errorType, u"authentication_error"_s);
    QVERIFY(run.result.message.contains(u"Settings → Keys"_s));
    QVERIFY(!run.result.message.contains(c.apiKey));
    QVERIFY(run.result.requestId.startsWith(u"req_"_s));
    QVERIFY(run.retries.isEmpty());
    QCOMPARE(m_server->requests().size(), 1);
}

void TestClaudeClient::rateLimitHonoursRetryAfterSeconds()
{
    m_server->enqueue(FakeStreams::errorReply(429, u"rate_limit_error"_s,
                                              u"Number of request tokens has exceeded "
                                              u"your per-minute rate limit"_s,
                                              {{"retry-after", "1"}}));
    m_server->enqueue({.body = FakeStreams::textAnswer(u"Second time lucky."_s)});
    const MessagesRun run = runMessages(config());

    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(run.result.text(), u"Second time lucky."_s);
    QVERIFY2(run.elapsedMs >= 950, qPrintable(QString::number(run.elapsedMs)));
    QCOMPARE(run.retries.size(), 1);
    QCOMPARE(std::get<0>(run.retries.constFirst()), 2);
    QCOMPARE(std::get<1>(run.retries.constFirst()), 1000);
    QVERIFY(std::get<2>(run.retries.constFirst()).contains(u"rate limit"_s));
    QCOMPARE(m_server->requests().size(), 2);
    QCOMPARE(m_server->requests().at(0).headers.value("x-stainless-retry-count"), "0");
    QCOMPARE(m_server->requests().at(1).headers.value("x-stainless-retry-count"), "1");
    QCOMPARE(m_server->requests().at(1).body, m_server->requests().at(0).body);
}

void TestClaudeClient::retryAfterBeyondCapFailsAtOnce()
{
    m_server->enqueue(
        FakeStreams::errorReply(429, u"rate_limit_error"_s, u"rate limited"_s, {{"retry-after", "120"}}));
    ClaudeConfig c = config();
    c.maxRetryWait = std::chrono::seconds(60);
    const MessagesRun run = runMessages(c);
    QCOMPARE(run.result.failure, ClaudeFailure::RateLimited);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(run.result.retryAfterMs, 120'000);
    QVERIFY2(run.result.message.contains(u"2 minutes"_s), qPrintable(run.result.message));
    QVERIFY(run.retries.isEmpty());
    QVERIFY(run.elapsedMs < 5000);
}

void TestClaudeClient::spendLimitIsNotRetried()
{
    FakeReply reply = FakeStreams::errorReply(
        429, u"rate_limit_error"_s, u"You have reached your spend limit"_s, {{"retry-after-ms", "10"}});
    reply.body = FakeStreams::errorBody(u"rate_limit_error"_s, u"You have reached your spend limit"_s,
                                        {{u"error_code"_s, u"enforced_spend_limit_reached"_s}});
    m_server->enqueue(reply);
    m_server->enqueue({.body = FakeStreams::textAnswer(u"never sent"_s)});
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::SpendLimit);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY(run.retries.isEmpty());
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(run.result.message.contains(u"spend limit"_s));
}

void TestClaudeClient::overloadedThreeTimes()
{
    for (int i = 0; i < 3; ++i)
        m_server->enqueue(FakeStreams::errorReply(529, u"overloaded_error"_s, u"Overloaded"_s, fastRetry()));
    m_server->enqueue({.body = FakeStreams::textAnswer(u"never reached"_s)});
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::Overloaded);
    QCOMPARE(run.result.httpStatus, 529);
    QCOMPARE(run.result.attempts, 3);
    QCOMPARE(run.retries.size(), 2);
    QCOMPARE(std::get<0>(run.retries.at(1)), 3);
    QCOMPARE(std::get<1>(run.retries.at(1)), 20);
    QCOMPARE(m_server->requests().size(), 3);
    QCOMPARE(m_server->queuedReplies(), 1);
    QVERIFY(run.result.message.contains(u"overloaded"_s));
}

void TestClaudeClient::shouldRetryFalseStopsRetry()
{
    m_server->enqueue(FakeStreams::errorReply(500, u"api_error"_s, u"Internal server error"_s,
                                              {{"x-should-retry", "false"}, {"retry-after-ms", "10"}}));
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::Server);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestClaudeClient::shouldRetryTrueRetriesA400()
{
    m_server->enqueue(FakeStreams::errorReply(400, u"invalid_request_error"_s, u"transient"_s,
                                              {{"x-should-retry", "true"}, {"retry-after-ms", "10"}}));
    m_server->enqueue({.body = FakeStreams::textAnswer(u"ok now"_s)});
    const MessagesRun run = runMessages(config());
    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(m_server->requests().size(), 2);
}

void TestClaudeClient::serverErrorThenSuccessWithBackoff()
{
    m_server->enqueue(FakeStreams::errorReply(500, u"api_error"_s, u"Internal server error"_s));
    m_server->enqueue({.body = FakeStreams::textAnswer(u"recovered"_s)});
    const MessagesRun run = runMessages(config());
    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(run.retries.size(), 1);
    // No retry-after: the SDK's first backoff, 0.5 s less up to 25 % jitter.
    const int delay = std::get<1>(run.retries.constFirst());
    QVERIFY2(delay >= 375 && delay <= 500, qPrintable(QString::number(delay)));
    QVERIFY(run.elapsedMs >= delay);
}

void TestClaudeClient::errorEventAfterTextKeepsContent()
{
    const QByteArray full =
        FakeStreams::textAnswer(u"The first words of a long answer that never ends well."_s);
    const QByteArray prefix = full.left(afterEventContaining(full, "text_delta"));
    m_server->enqueue({.body = FakeStreams::withErrorEvent(prefix, u"overloaded_error"_s, u"Overloaded"_s)});
    m_server->enqueue({.body = FakeStreams::textAnswer(u"must not be fetched"_s)});
    const MessagesRun run = runMessages(config());

    QCOMPARE(run.result.failure, ClaudeFailure::Overloaded);
    QCOMPARE(run.result.errorType, u"overloaded_error"_s);
    QCOMPARE(run.result.httpStatus, 200);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY(run.contentShown);
    QVERIFY(!run.text.isEmpty());
    QCOMPARE(run.result.text(), run.text);
    QVERIFY(run.result.message.contains(u"stopped part-way"_s));
    QCOMPARE(m_server->requests().size(), 1);
}

void TestClaudeClient::overloadedEventBeforeContentIsRetried()
{
    const QByteArray full = FakeStreams::textAnswer(u"unused"_s);
    m_server->enqueue({.body = FakeStreams::withErrorEvent(FakeStreams::firstEvents(full, 1),
                                                           u"overloaded_error"_s, u"Overloaded"_s)});
    m_server->enqueue({.body = FakeStreams::textAnswer(u"the retry worked"_s)});
    ClaudeConfig c = config();
    const MessagesRun run = runMessages(c);
    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(run.text, u"the retry worked"_s); // nothing of the failed attempt leaked into the answer
    QCOMPARE(run.result.text(), u"the retry worked"_s);
}

void TestClaudeClient::dropMidToolInputIsTruncated()
{
    const QJsonObject app = FakeStreams::sampleApp();
    const QByteArray stream = FakeStreams::toolAnswer(u"Here it comes."_s, app);
    // Cut inside the last input_json_delta event: the tool input is then unfinished.
    const qsizetype cut = stream.lastIndexOf("input_json_delta");
    QVERIFY(cut > 0);
    m_server->enqueue({.body = stream, .chunkSize = 512, .dropAt = cut});
    m_server->enqueue({.body = FakeStreams::textAnswer(u"must not be fetched"_s)});
    const MessagesRun run = runMessages(config());

    QCOMPARE(run.result.failure, ClaudeFailure::Truncated);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(m_server->requests().size(), 1);
    QVERIFY(run.result.message.contains(u"cut off"_s));
    const ClaudeContentBlock *tool = run.result.toolUse(u"write_app"_s);
    QVERIFY(tool);
    QVERIFY(!tool->complete);
    QVERIFY(!tool->inputValid);
    QVERIFY(!tool->inputError.isEmpty());
    QVERIFY(!tool->inputJson.isEmpty());
    QCOMPARE(tool->inputJson, run.toolInput);
    const QByteArray whole = FakeStreams::toolInputJson(app);
    QVERIFY(whole.startsWith(tool->inputJson));
    QVERIFY(tool->inputJson.size() < whole.size());
    QVERIFY(tool->inputJson.contains("index.html"));
    QCOMPARE(run.result.text(), u"Here it comes."_s);
    QVERIFY(run.result.stopReason.isEmpty());
}

void TestClaudeClient::dropBeforeContentIsRetried()
{
    const QByteArray first = FakeStreams::textAnswer(u"dropped"_s);
    m_server->enqueue({.body = first, .dropAt = first.indexOf("content_block_start")});
    m_server->enqueue({.body = FakeStreams::textAnswer(u"second attempt"_s)});
    const MessagesRun run = runMessages(config());
    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(run.result.text(), u"second attempt"_s);
    QCOMPARE(run.retries.size(), 1);
}

void TestClaudeClient::stallEndsByIdleTimeout()
{
    const QByteArray stream = FakeStreams::textAnswer(u"Some words, then silence for ever."_s);
    m_server->enqueue({.body = stream, .stallAt = afterEventContaining(stream, "text_delta")});
    ClaudeConfig c = config();
    c.idleTimeout = std::chrono::milliseconds(300);
    const MessagesRun run = runMessages(c);

    QCOMPARE(run.result.failure, ClaudeFailure::Timeout);
    QVERIFY2(run.result.message.contains(u"Claude stopped answering"_s), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 1); // content was shown: no retry
    QVERIFY(!run.text.isEmpty());
    QCOMPARE(run.result.text(), run.text);
    QVERIFY2(run.elapsedMs >= 300 && run.elapsedMs < 3000, qPrintable(QString::number(run.elapsedMs)));
    QTRY_COMPARE(m_server->openConnections(), 0); // the stalled connection was closed by the client
}

void TestClaudeClient::noHeadersEndsByConnectTimeout()
{
    m_server->enqueue({.silent = true});
    ClaudeConfig c = config();
    c.connectTimeout = std::chrono::milliseconds(300);
    c.maxRetries = 0;
    const MessagesRun run = runMessages(c);
    QCOMPARE(run.result.failure, ClaudeFailure::Timeout);
    QCOMPARE(run.result.httpStatus, 0);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY2(run.result.message.contains(m_server->baseUrl().authority()), qPrintable(run.result.message));
    QVERIFY2(run.elapsedMs >= 300 && run.elapsedMs < 3000, qPrintable(QString::number(run.elapsedMs)));
}

void TestClaudeClient::connectTimeoutIsRetried()
{
    m_server->enqueue({.silent = true});
    m_server->enqueue({.body = FakeStreams::textAnswer(u"awake now"_s)});
    ClaudeConfig c = config();
    c.connectTimeout = std::chrono::milliseconds(200);
    const MessagesRun run = runMessages(c);
    QVERIFY2(run.result.ok(), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 2);
    QCOMPARE(run.retries.size(), 1);
    QVERIFY(std::get<2>(run.retries.constFirst()).contains(u"did not answer"_s));
}

void TestClaudeClient::connectionRefusedNamesHost()
{
    // A port nothing listens on: take a free one and give it back.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    ClaudeConfig c = config();
    c.baseUrl = QUrl(u"http://127.0.0.1:%1"_s.arg(port));
    c.maxRetries = 1;
    const MessagesRun run = runMessages(c);
    QCOMPARE(run.result.failure, ClaudeFailure::Network);
    QCOMPARE(run.result.attempts, 2); // connection errors are retried
    QVERIFY2(run.result.message.contains(u"127.0.0.1:%1"_s.arg(port)), qPrintable(run.result.message));
    QVERIFY(run.result.message.contains(u"refused"_s));
}

void TestClaudeClient::cancelMidStream()
{
    const QByteArray stream =
        FakeStreams::toolAnswer(u"Working on it, please hold on."_s, FakeStreams::sampleApp());
    m_server->enqueue({.body = stream, .chunkSize = 100, .chunkDelayMs = 5});
    const MessagesRun run = runMessages(config(), simpleBody(), [this](ClaudeMessagesJob &job) {
        connect(&job, &ClaudeMessagesJob::toolInputAppended, &job, [&job] { job.cancel(); });
    });
    QCOMPARE(run.result.failure, ClaudeFailure::Cancelled);
    QCOMPARE(run.finishedCount, 1);
    QCOMPARE(run.result.attempts, 1);
    QCOMPARE(run.signalsAfterCancel, 0);
    QVERIFY(run.contentShown);
    QCOMPARE(run.result.text(), u"Working on it, please hold on."_s); // what arrived is kept
    QVERIFY(!run.toolInput.isEmpty());
    QVERIFY(m_server->bodyBytesSent() < stream.size()); // the client hung up; the server stopped writing
    QTRY_COMPARE(m_server->openConnections(), 0);
}

void TestClaudeClient::cancelWhileWaitingToRetry()
{
    m_server->enqueue(
        FakeStreams::errorReply(529, u"overloaded_error"_s, u"Overloaded"_s, {{"retry-after", "30"}}));
    const MessagesRun run = runMessages(config(), simpleBody(), [this](ClaudeMessagesJob &job) {
        connect(&job, &ClaudeJob::retrying, &job, [&job] { job.cancel(); });
    });
    QCOMPARE(run.result.failure, ClaudeFailure::Cancelled);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY(run.elapsedMs < 5000);
    QCOMPARE(m_server->requests().size(), 1);
}

void TestClaudeClient::noKeySendsNothing()
{
    ClaudeConfig c = config();
    c.apiKey = u"   "_s;
    const MessagesRun run = runMessages(c);
    QVERIFY(run.startedAsynchronously);
    QCOMPARE(run.finishedCount, 1);
    QCOMPARE(run.result.failure, ClaudeFailure::NoKey);
    QCOMPARE(run.result.attempts, 0);
    QVERIFY(run.result.message.contains(u"No Anthropic API key is set. Open Settings → Keys"_s));
    QCOMPARE(m_server->requests().size(), 0);
}

void TestClaudeClient::remoteHttpIsRefused()
{
    // The fake listens on loopback only, so nothing could reach it anyway: attempts == 0 is the proof that
    // the job did not even try, and the fake's log that no request slipped through another route.
    ClaudeConfig c = config();
    c.baseUrl = QUrl(u"http://api.anthropic.com:%1"_s.arg(m_server->port()));
    const MessagesRun run = runMessages(c);
    QVERIFY(run.startedAsynchronously);
    QCOMPARE(run.result.failure, ClaudeFailure::Network);
    QCOMPARE(run.result.attempts, 0);
    QVERIFY(run.result.message.contains(u"https://"_s));
    QCOMPARE(m_server->requests().size(), 0);
}

void TestClaudeClient::redirectToAnotherOriginIsNotFollowed()
{
    FakeAnthropicServer elsewhere;
    QVERIFY(elsewhere.listen());
    QUrl target = elsewhere.baseUrl();
    target.setPath(u"/v1/messages"_s);
    m_server->enqueue({.redirectTo = target});
    const MessagesRun run = runMessages(config());

    QCOMPARE(run.result.failure, ClaudeFailure::Network);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY2(run.result.message.contains(u"redirected"_s), qPrintable(run.result.message));
    QCOMPARE(m_server->requests().size(), 1);
    QTest::qWait(100);
    QCOMPARE(elsewhere.requests().size(), 0); // the key never reached the other origin
}

void TestClaudeClient::nonEventStream200IsProtocol()
{
    m_server->enqueue({.body = "{\"type\":\"message\",\"content\":[]}", .contentType = "application/json"});
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::Protocol);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY2(run.result.message.contains(u"application/json"_s), qPrintable(run.result.message));
}

void TestClaudeClient::malformedStreamIsProtocol()
{
    const QByteArray full = FakeStreams::textAnswer(u"fine so far"_s);
    const QByteArray body =
        full.left(afterEventContaining(full, "text_delta")) +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\n\n";
    m_server->enqueue({.body = body});
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::Protocol);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY(!run.result.text().isEmpty());
}

void TestClaudeClient::promptTooLong()
{
    m_server->enqueue(FakeStreams::errorReply(400, u"invalid_request_error"_s,
                                              u"prompt is too long: 250000 tokens > 200000 maximum"_s));
    const MessagesRun run = runMessages(config());
    QCOMPARE(run.result.failure, ClaudeFailure::BadRequest);
    QCOMPARE(run.result.attempts, 1);
    QVERIFY2(run.result.message.contains(u"context window"_s), qPrintable(run.result.message));
    QVERIFY(run.result.message.contains(u"250000"_s) && run.result.message.contains(u"200000"_s));
}

void TestClaudeClient::modelsInTwoPages()
{
    const QJsonArray models = FakeStreams::defaultModels();
    QCOMPARE(models.size(), 5);
    m_server->setModels(models);
    m_server->setModelsPageLimit(3);
    int finishedCount = 0;
    const ClaudeModelsResult result = runModels(config(), &finishedCount);

    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(finishedCount, 1);
    QCOMPARE(result.models.size(), 5);
    for (qsizetype i = 0; i < models.size(); ++i)
        QCOMPARE(result.models.at(i).id, models.at(i).toObject().value(u"id"_s).toString());
    QCOMPARE(result.models.constFirst().displayName, u"Claude Fable 5.2"_s);
    QCOMPARE(result.models.constFirst().createdAt, QDateTime(QDate(2026, 11, 9), QTime(0, 0), Qt::UTC));
    QCOMPARE(result.models.constLast().maxInputTokens, qint64(200000));
    QCOMPARE(result.models.constLast().maxTokens, qint64(64000));
    QCOMPARE(result.attempts, 2);

    const QList<FakeAnthropicServer::Request> requests = m_server->requests();
    QCOMPARE(requests.size(), 2);
    for (const FakeAnthropicServer::Request &request : requests) {
        QCOMPARE(request.method, "GET");
        QCOMPARE(request.path, "/v1/models");
        QCOMPARE(request.query.queryItemValue(u"limit"_s), u"1000"_s);
        QCOMPARE(request.headers.value("x-api-key"), kKey.toLatin1());
        QCOMPARE(request.headers.value("accept"), "application/json");
        QVERIFY(!request.headers.contains("content-type"));
    }
    QVERIFY(!requests.at(0).query.hasQueryItem(u"after_id"_s));
    QCOMPARE(requests.at(1).query.queryItemValue(u"after_id"_s),
             models.at(2).toObject().value(u"id"_s).toString());
}

void TestClaudeClient::modelsRetriedAfterDrop()
{
    // A GET may simply be asked again: after a 500, and after a page cut off mid-body.
    m_server->enqueueModelsReply(
        FakeStreams::errorReply(500, u"api_error"_s, u"Internal server error"_s, fastRetry()));
    const QByteArray page =
        "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-5-5\"}],\"has_more\":false}";
    m_server->enqueueModelsReply({.body = page, .contentType = "application/json", .dropAt = 20});
    ClaudeConfig c = config();
    c.maxRetries = 3;
    int finishedCount = 0;
    const ClaudeModelsResult result = runModels(c, &finishedCount);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(finishedCount, 1);
    QCOMPARE(result.attempts, 3);
    QCOMPARE(result.models.size(), FakeStreams::defaultModels().size());
    QCOMPARE(m_server->requests().size(), 3);
}

void TestClaudeClient::modelsBadKey()
{
    ClaudeConfig c = config();
    c.apiKey = u"sk-ant-wrong"_s;
    int finishedCount = 0;
    const ClaudeModelsResult result = runModels(c, &finishedCount);
    QCOMPARE(finishedCount, 1);
    QCOMPARE(result.failure, ClaudeFailure::BadKey);
    QCOMPARE(result.attempts, 1);
    QVERIFY(result.models.isEmpty());
}

void TestClaudeClient::hugeAnswerIsCapped()
{
    // ~100 MB of text deltas, made by the server as it sends them; the client refuses past 4 MB of content.
    const QByteArray start =
        FakeStreams::firstEvents(FakeStreams::textAnswer(u"x"_s), 2); // message + block start
    const QByteArray delta =
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
        "\"delta\":{\"type\":\"text_delta\",\"text\":\"" +
        QByteArray(1000, 'a') + "\"}}\n\n";
    FakeReply reply;
    reply.body = start;
    reply.repeat = delta;
    reply.repeatCount = 100LL * 1024 * 1024 / delta.size();
    reply.tail = FakeStreams::textAnswer(u"x"_s).mid(
        FakeStreams::firstEvents(FakeStreams::textAnswer(u"x"_s), 3).size());
    QVERIFY(reply.bodySize() > 100'000'000);
    m_server->enqueue(reply);

    const qint64 before = residentBytes();
    qsizetype received = 0;
    const MessagesRun run = runMessages(config(), simpleBody(), [&received](ClaudeMessagesJob &job) {
        job.setMaxContentBytes(4 * 1024 * 1024);
        QObject::connect(&job, &ClaudeMessagesJob::textAppended, &job,
                         [&received](int, const QString &text) { received += text.size(); });
    });
    const qint64 after = residentBytes();

    QCOMPARE(run.result.failure, ClaudeFailure::Protocol);
    QVERIFY2(run.result.message.contains(u"larger than 4 MB"_s), qPrintable(run.result.message));
    QCOMPARE(run.result.attempts, 1);
    QVERIFY(received <= 4 * 1024 * 1024);
    QVERIFY(received > 3 * 1024 * 1024);
    // The server stopped once the client hung up: far from the 100 MB it had to send.
    QVERIFY2(m_server->bodyBytesSent() < 40'000'000, qPrintable(QString::number(m_server->bodyBytesSent())));
    // Memory: the 4 MB kept (as UTF-16 twice over: signals and result) plus buffers, not 100 MB.
    qInfo("RSS before %lld MB, after %lld MB, body bytes sent %lld", before >> 20, after >> 20,
          m_server->bodyBytesSent());
    QVERIFY2(after - before < 64LL * 1024 * 1024, qPrintable(QString::number((after - before) >> 20)));
    QTRY_COMPARE(m_server->openConnections(), 0);
}

QTEST_GUILESS_MAIN(TestClaudeClient)
#include "tst_claudeclient.moc"
