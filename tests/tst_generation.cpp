// The GenerationController end to end against the fake Anthropic server: the key from the real keyring (on
// the test session's private D-Bus), the real store, the real request builder, validator and stream reader.
#include "appsettings.h"
#include "claude/appgenerationrequest.h"
#include "fakeanthropic.h"
#include "generationcontroller.h"
#include "pricingcatalogue.h"
#include "secretstore.h"
#include "store.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"sk-ant-api03-generation-test-key"_s;
constexpr int kTimeoutMs = 20'000;

QJsonObject appWithFile(const QString &path, const QString &content)
{
    QJsonObject app = FakeStreams::sampleApp();
    QJsonArray files = app.value(u"files"_s).toArray();
    files.append(QJsonObject{{u"path"_s, path}, {u"content"_s, content}});
    app.insert(u"files"_s, files);
    return app;
}

FakeReply streamReply(const QByteArray &body, int chunkSize = 0)
{
    FakeReply reply;
    reply.body = body;
    reply.chunkSize = chunkSize;
    return reply;
}

// A tool_use stream whose input is `rawInput` as it is, valid JSON or not.
QByteArray rawToolStream(const QByteArray &rawInput)
{
    QByteArray out;
    auto event = [&out](const char *name, const QJsonObject &data) {
        out += "event: " + QByteArray(name) +
               "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
    };
    event("message_start",
          {{u"type"_s, u"message_start"_s},
           {u"message"_s,
            QJsonObject{{u"id"_s, u"msg_raw"_s},
                        {u"type"_s, u"message"_s},
                        {u"role"_s, u"assistant"_s},
                        {u"model"_s, u"claude-sonnet-5-5"_s},
                        {u"content"_s, QJsonArray()},
                        {u"usage"_s, QJsonObject{{u"input_tokens"_s, 100}, {u"output_tokens"_s, 1}}}}}});
    event("content_block_start", {{u"type"_s, u"content_block_start"_s},
                                  {u"index"_s, 0},
                                  {u"content_block"_s, QJsonObject{{u"type"_s, u"tool_use"_s},
                                                                   {u"id"_s, u"toolu_raw"_s},
                                                                   {u"name"_s, u"write_app"_s},
                                                                   {u"input"_s, QJsonObject()}}}});
    event("content_block_delta",
          {{u"type"_s, u"content_block_delta"_s},
           {u"index"_s, 0},
           {u"delta"_s, QJsonObject{{u"type"_s, u"input_json_delta"_s},
                                    {u"partial_json"_s, QString::fromUtf8(rawInput)}}}});
    event("content_block_stop", {{u"type"_s, u"content_block_stop"_s}, {u"index"_s, 0}});
    event("message_delta", {{u"type"_s, u"message_delta"_s},
                            {u"delta"_s, QJsonObject{{u"stop_reason"_s, u"tool_use"_s}}},
                            {u"usage"_s, QJsonObject{{u"output_tokens"_s, 50}}}});
    event("message_stop", {{u"type"_s, u"message_stop"_s}});
    return out;
}

} // namespace

class TestGeneration : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<AppSettings> m_settings;
    PricingCatalogue m_pricing = PricingCatalogue::shipped();
    SecretStore *m_secrets = nullptr;
    FakeAnthropicServer *m_fake = nullptr;
    GenerationController *m_controller = nullptr;

    // Streamed while the generation ran.
    QString m_commentary;
    QMap<QString, QString> m_streamed;
    int m_fileUpdates = 0;

    void setKey(bool present)
    {
        bool done = false;
        SecretResult result;
        auto answer = [&](const SecretResult &r) {
            result = r;
            done = true;
        };
        if (present)
            m_secrets->write(u"anthropic"_s, kKey, this, answer);
        else
            m_secrets->remove(u"anthropic"_s, this, answer);
        QTRY_VERIFY_WITH_TIMEOUT(done, kTimeoutMs);
        QVERIFY2(result.ok() || result.status == SecretStatus::NotFound, qPrintable(result.message));
    }

    std::optional<GenerationOutcome> run(const GenerationRequest &request)
    {
        m_commentary.clear();
        m_streamed.clear();
        m_fileUpdates = 0;
        std::optional<GenerationOutcome> outcome;
        const QMetaObject::Connection done = connect(m_controller, &GenerationController::finished, this,
                                                     [&outcome](const GenerationOutcome &o) { outcome = o; });
        if (auto started = m_controller->generate(request); !started) {
            disconnect(done);
            qWarning() << started.error();
            return std::nullopt;
        }
        if (!QTest::qWaitFor([&] { return outcome.has_value(); }, kTimeoutMs))
            qWarning() << "no outcome within" << kTimeoutMs << "ms";
        disconnect(done);
        return outcome;
    }

    static GenerationRequest ask(const QString &prompt)
    {
        GenerationRequest request;
        request.prompt = prompt;
        return request;
    }

    static AppBundle bundleOf(const QJsonObject &app)
    {
        AppBundle bundle;
        bundle.manifest.title = app.value(u"title"_s).toString();
        bundle.manifest.runtime = Runtime::Static;
        bundle.manifest.port = 8000;
        for (const QJsonValue &file : app.value(u"files"_s).toArray())
            bundle.files.insert(file[u"path"_s].toString(), file[u"content"_s].toString().toUtf8());
        return bundle;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto store = Store::open(m_dir.filePath(u"spawnai.db"_s));
        QVERIFY2(store.ok(), qPrintable(store.error()));
        m_store = std::move(*store);
        m_fake = new FakeAnthropicServer(this);
        QVERIFY(m_fake->listen());
        m_fake->setApiKey(kKey);
        m_settings = std::make_unique<AppSettings>(m_dir.filePath(u"spawnai.conf"_s));
        QVERIFY(m_settings->setValue(u"anthropic.base-url"_s, m_fake->baseUrl().toString()).ok());
        m_secrets = new SecretStore(this);
        setKey(true);
        m_controller = new GenerationController(*m_store, m_pricing, *m_settings, *m_secrets, this);
        connect(m_controller, &GenerationController::commentaryAppended, this,
                [this](const QString &text) { m_commentary += text; });
        connect(m_controller, &GenerationController::fileStreaming, this,
                [this](const QString &path, const QString &content) {
                    m_streamed.insert(path, content);
                    ++m_fileUpdates;
                });
    }

    // The keyring is shared by the whole test session: leave it as found.
    void cleanupTestCase() { setKey(false); }

    void init() { m_fake->clearRequests(); }

    void firstGenerationStreamsValidatesAndStores()
    {
        const QJsonObject app = FakeStreams::sampleApp();
        FakeStreams::Options options;
        options.thinking = true;
        m_fake->enqueue(streamReply(
            FakeStreams::toolAnswer(u"A pomodoro timer, all in the browser."_s, app, options), 7));
        const auto outcome = run(ask(u"a pomodoro timer"_s));
        QVERIFY(outcome);
        QVERIFY2(outcome->ok, qPrintable(outcome->message));

        // The answer, validated and stored.
        const AppBundle expected = bundleOf(app);
        QCOMPARE(outcome->bundle.files, expected.files);
        QCOMPARE(outcome->bundle.manifest.title, u"Pomodoro Timer"_s);
        QCOMPARE(m_commentary, u"A pomodoro timer, all in the browser."_s);
        QCOMPARE(outcome->commentary, m_commentary);
        // What streamed is a preview of it: a prefix of each file.
        for (auto it = m_streamed.cbegin(); it != m_streamed.cend(); ++it)
            QVERIFY(expected.files.value(it.key()).startsWith(it.value().toUtf8()));
        auto stored = m_store->revision(outcome->revisionId);
        QVERIFY(stored.ok());
        QCOMPARE(stored->files, expected.files);

        // The record: tokens as the stream reported them, priced from pricing.json.
        auto generations = m_store->generationsFor(outcome->revisionId);
        QVERIFY(generations.ok());
        QCOMPARE(generations->size(), 1);
        const Generation &record = generations->constFirst();
        QCOMPARE(record.prompt, u"a pomodoro timer"_s);
        QCOMPARE(record.stopReason, u"tool_use"_s);
        QCOMPARE(record.usage.inputTokens, options.usage.inputTokens);
        QCOMPARE(record.usage.outputTokens, options.usage.outputTokens);
        QCOMPARE(record.usage.cacheReadTokens, options.usage.cacheReadTokens);
        QVERIFY(record.costUsd > 0);
        QCOMPARE(record.costUsd, m_pricing.generationCost(u"claude-sonnet-5-5"_s, options.usage));
        QVERIFY(record.failure.isEmpty());

        // The request: the key in its header only, the model from the settings, the write_app tool.
        QCOMPARE(m_fake->requests().size(), 1);
        const FakeAnthropicServer::Request request = m_fake->requests().constFirst();
        QCOMPARE(request.headers.value("x-api-key"), kKey.toUtf8());
        QCOMPARE(request.json.value(u"model"_s).toString(), m_settings->claudeModel());
        QCOMPARE(request.json.value(u"max_tokens"_s).toInt(), m_settings->claudeMaxTokens());
        QCOMPARE(request.json.value(u"tools"_s).toArray().at(0)[u"name"_s].toString(), u"write_app"_s);
        QVERIFY(!request.body.contains(kKey.toUtf8()));
        // The prompt went into the history.
        auto prompts = m_store->prompts(1);
        QVERIFY(prompts.ok() && !prompts->isEmpty());
        QCOMPARE(prompts->constFirst().text, u"a pomodoro timer"_s);
    }

    void refineSendsTheEditedFilesAndLinksTheRevisions()
    {
        AppBundle current = bundleOf(FakeStreams::sampleApp());
        current.files.insert(u"index.html"_s,
                             "<!doctype html><h1>edited by hand</h1><script src=app.js></script>\n");
        const QJsonObject answer = appWithFile(u"style.css"_s, u"body { background: #111; }\n"_s);
        m_fake->enqueue(streamReply(FakeStreams::toolAnswer(u"Added a dark style."_s, answer)));
        GenerationRequest request = ask(u"make it dark"_s);
        request.currentApp = current;
        const auto outcome = run(request);
        QVERIFY(outcome);
        QVERIFY2(outcome->ok, qPrintable(outcome->message));
        QVERIFY(outcome->bundle.files.contains(u"style.css"_s));

        // The edited files travelled with the prompt.
        const QByteArray sent = QJsonDocument(m_fake->requests().constFirst().json).toJson();
        QVERIFY(sent.contains("edited by hand"));
        QVERIFY(sent.contains("make it dark"));

        // The revision before the answer is the user's edit; the answer's parent is it.
        const QString parent = *m_store->saveRevision(current);
        auto generations = m_store->generationsFor(outcome->revisionId);
        QVERIFY(generations.ok());
        QCOMPARE(generations->constFirst().parentRevisionId, parent);
        auto history = m_store->revisionHistory(outcome->revisionId);
        QVERIFY(history.ok());
        QVERIFY(history->size() >= 2);
        QCOMPARE(history->at(1).id, parent);
        QCOMPARE(history->at(0).prompt, u"make it dark"_s);
    }

    void failuresAreExplainedAndRecorded_data()
    {
        QTest::addColumn<QList<FakeReply>>("replies");
        QTest::addColumn<int>("failure");
        QTest::addColumn<bool>("canFix");
        QTest::addColumn<bool>("partial");
        QTest::addColumn<QString>("says");
        QTest::addColumn<int>("attempts");

        const auto none = int(ClaudeFailure::None);
        QTest::newRow("wrong key") << QList<FakeReply>{FakeStreams::errorReply(401, u"authentication_error"_s,
                                                                               u"invalid x-api-key"_s)}
                                   << int(ClaudeFailure::BadKey) << false << false << u"Settings"_s << 1;
        QTest::newRow("answer without a tool call")
            << QList<FakeReply>{streamReply(FakeStreams::textAnswer(u"Here is the code: <html>…"_s))} << none
            << true << false << u"without writing an app"_s << 1;
        QTest::newRow("tool input that is not JSON")
            << QList<FakeReply>{streamReply(rawToolStream(R"({"title": "x", "files": [{"path": )"))} << none
            << true << false << u"JSON"_s << 1;
        QTest::newRow("a path out of the bundle") << QList<FakeReply>{streamReply(FakeStreams::toolAnswer(
                                                         u"Done."_s, appWithFile(u"../../x"_s, u"owned"_s)))}
                                                  << none << true << true << u"../../x"_s << 1;
        FakeStreams::Options cut;
        cut.stopReason = u"max_tokens"_s;
        QTest::newRow("cut off by max_tokens") << QList<FakeReply>{streamReply(FakeStreams::toolAnswer(
                                                      u"Big app."_s, FakeStreams::sampleApp(), cut))}
                                               << none << true << true << u"limit"_s << 1;
        FakeReply dropped = streamReply(FakeStreams::toolAnswer(u"Writing."_s, FakeStreams::sampleApp()), 64);
        dropped.dropAt = dropped.body.size() * 2 / 3;
        QTest::newRow("connection dropped mid-file")
            << QList<FakeReply>{dropped} << int(ClaudeFailure::Truncated) << false << true << u"cut off"_s
            << 1;
        const QList<std::pair<QByteArray, QByteArray>> fast = {{"retry-after-ms", "20"}};
        const FakeReply overloaded =
            FakeStreams::errorReply(529, u"overloaded_error"_s, u"Overloaded"_s, fast);
        QTest::newRow("overloaded three times")
            << QList<FakeReply>{overloaded, overloaded, overloaded} << int(ClaudeFailure::Overloaded) << false
            << false << u"overloaded"_s << 3;
        QTest::newRow("prompt over the context window")
            << QList<FakeReply>{FakeStreams::errorReply(
                   400, u"invalid_request_error"_s, u"prompt is too long: 250000 tokens > 200000 maximum"_s)}
            << int(ClaudeFailure::BadRequest) << false << false << u"context"_s << 1;
    }

    void failuresAreExplainedAndRecorded()
    {
        QFETCH(QList<FakeReply>, replies);
        QFETCH(int, failure);
        QFETCH(bool, canFix);
        QFETCH(bool, partial);
        QFETCH(QString, says);
        QFETCH(int, attempts);
        for (const FakeReply &reply : replies)
            m_fake->enqueue(reply);
        const auto outcome = run(ask(u"an app that will not work out"_s));
        QVERIFY(outcome);
        QVERIFY(!outcome->ok);
        QCOMPARE(int(outcome->failure), failure);
        QVERIFY2(outcome->message.contains(says, Qt::CaseInsensitive), qPrintable(outcome->message));
        QCOMPARE(outcome->canAskToFix, canFix);
        QCOMPARE(outcome->partialFiles, partial);
        QVERIFY(outcome->revisionId.isEmpty());
        if (canFix)
            QVERIFY(outcome->fixMessage.contains(u"write_app"_s));
        QCOMPARE(m_fake->requests().size(), attempts);
        // Recorded, failure and all: money may have been spent.
        auto recent = m_store->recentGenerations(1);
        QVERIFY(recent.ok() && !recent->isEmpty());
        QCOMPARE(recent->constFirst().failure, outcome->message);
        QVERIFY(recent->constFirst().revisionId.isEmpty());
        QCOMPARE(m_fake->queuedReplies(), 0);
    }

    void rateLimitedThenServed()
    {
        m_fake->enqueue(FakeStreams::errorReply(429, u"rate_limit_error"_s, u"Number of requests exceeded"_s,
                                                {{"retry-after-ms", "50"}}));
        m_fake->enqueue(streamReply(FakeStreams::toolAnswer(u"Ok."_s, FakeStreams::sampleApp())));
        int retries = 0;
        const auto counted = connect(m_controller, &GenerationController::retrying, this, [&] { ++retries; });
        const auto outcome = run(ask(u"a timer"_s));
        disconnect(counted);
        QVERIFY(outcome);
        QVERIFY2(outcome->ok, qPrintable(outcome->message));
        QCOMPARE(retries, 1);
        QCOMPARE(m_fake->requests().size(), 2);
    }

    void askingClaudeToFixSendsTheProblem()
    {
        m_fake->enqueue(
            streamReply(FakeStreams::toolAnswer(u"Done."_s, appWithFile(u"/etc/passwd"_s, u"root"_s))));
        const auto failed = run(ask(u"a timer"_s));
        QVERIFY(failed && !failed->ok && failed->canAskToFix);

        m_fake->enqueue(streamReply(FakeStreams::toolAnswer(u"Fixed."_s, FakeStreams::sampleApp())));
        GenerationRequest fix = failed->request;
        fix.fixMessage = failed->fixMessage;
        const auto fixed = run(fix);
        QVERIFY(fixed);
        QVERIFY2(fixed->ok, qPrintable(fixed->message));
        const QByteArray sent = QJsonDocument(m_fake->requests().constLast().json).toJson();
        QVERIFY(sent.contains("/etc/passwd"));
        QVERIFY(sent.contains("a timer"));
    }

    void noKeyMeansNothingIsSent()
    {
        setKey(false);
        const auto outcome = run(ask(u"a timer"_s));
        setKey(true);
        QVERIFY(outcome);
        QCOMPARE(outcome->failure, ClaudeFailure::NoKey);
        QVERIFY2(outcome->message.contains(u"Settings → Keys"_s), qPrintable(outcome->message));
        QCOMPARE(m_fake->requests().size(), 0);
    }

    void stopKeepsWhatArrived()
    {
        FakeReply slow = streamReply(FakeStreams::toolAnswer(u"Slowly."_s, FakeStreams::sampleApp()), 40);
        slow.chunkDelayMs = 30;
        m_fake->enqueue(slow);
        const auto cancelOnFirstFile =
            connect(m_controller, &GenerationController::fileStreaming, m_controller,
                    &GenerationController::cancel, Qt::QueuedConnection);
        const auto outcome = run(ask(u"a timer"_s));
        disconnect(cancelOnFirstFile);
        QVERIFY(outcome);
        QCOMPARE(outcome->failure, ClaudeFailure::Cancelled);
        QVERIFY(outcome->partialFiles);
        QCOMPARE(outcome->commentary, u"Slowly."_s);
        QVERIFY(!m_streamed.isEmpty());
    }

    void fastStreamsReachTheUiCoalesced()
    {
        // 50 KB of code in 20-byte fragments, sent as fast as the socket takes it.
        QString code;
        for (int line = 0; code.size() < 50 * 1024; ++line)
            code += u"function f%1(x) { return x * %1 + \"\\u00e9\"; }\n"_s.arg(line);
        FakeStreams::Options options;
        options.fragmentBytes = 20;
        const QJsonObject app = appWithFile(u"big.js"_s, code);
        m_fake->enqueue(streamReply(FakeStreams::toolAnswer(u"Big."_s, app, options)));
        const auto outcome = run(ask(u"a big app"_s));
        QVERIFY(outcome);
        QVERIFY2(outcome->ok, qPrintable(outcome->message));
        // The preview showed a prefix of the file (the validated answer then replaces it whole).
        QCOMPARE(outcome->bundle.files.value(u"big.js"_s), code.toUtf8());
        QVERIFY(code.startsWith(m_streamed.value(u"big.js"_s)));
        const qsizetype fragments =
            FakeStreams::toolInputFragments(FakeStreams::toolInputJson(app), 20).size();
        QVERIFY2(m_fileUpdates * 20 < fragments,
                 qPrintable(u"%1 UI updates for %2 fragments"_s.arg(m_fileUpdates).arg(fragments)));
    }

    void estimateGrowsWithTheAppSent()
    {
        const double fresh = m_controller->estimateUsd(ask(u"a timer"_s));
        QVERIFY(fresh > 0);
        GenerationRequest refine = ask(u"a timer"_s);
        refine.currentApp = bundleOf(appWithFile(u"big.txt"_s, QString(200'000, u'x')));
        QVERIFY(m_controller->estimateUsd(refine) > fresh * 5);
    }

    void oneAtATime()
    {
        FakeReply slow = streamReply(FakeStreams::toolAnswer(u"Slowly."_s, FakeStreams::sampleApp()), 200);
        slow.chunkDelayMs = 20;
        m_fake->enqueue(slow);
        std::optional<GenerationOutcome> outcome;
        const auto done = connect(m_controller, &GenerationController::finished, this,
                                  [&outcome](const GenerationOutcome &o) { outcome = o; });
        QVERIFY(m_controller->generate(ask(u"first"_s)).ok());
        QVERIFY(!m_controller->generate(ask(u"second"_s)).ok());
        QVERIFY(QTest::qWaitFor([&] { return outcome.has_value(); }, kTimeoutMs));
        disconnect(done);
        QVERIFY(outcome->ok);
    }
};

QTEST_MAIN(TestGeneration)
#include "tst_generation.moc"
