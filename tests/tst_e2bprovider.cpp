// The E2B adapter against the fake E2B (control plane, envd, per-port proxy) on 127.0.0.1: deploys, serves,
// extends, destroys, lists, and every fault of the issue ends with a clear message and nothing left running.
#include "e2b/e2bprovider.h"
#include "fakee2b.h"
#include "http/apicall.h"
#include "testsupport.h"

#include <QJsonObject>

#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace {

const QString kKey = u"e2b_0123456789abcdef0123456789abcdef01234567"_s;
const QString kInstall = u"install-1234"_s;

} // namespace

class TestE2bProvider : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void deployServesTheApp();
    void extendMovesTheServerSideTimeout();
    void destroyIsIdempotent();
    void destroyWithoutIdFindsTheSessionsSandboxes();
    void listShowsThisInstallationsSandboxes();
    void listFollowsPages();
    void hobbyPlanCapsTheTimeout();
    void redeployReplacesTheAppInPlace();
    void badKeyIsExplained();
    void missingKeyIsASetupProblem();
    void rateLimitedCreateIsRetried();
    void concurrencyLimitIsExplained();
    void createWithServerErrorAlthoughCreatedIsAdopted();
    void createDroppedAfterItWasDoneIsAdopted();
    void createRefusedWith5xxIsSentOnceMore();
    void malformedCreateAnswerIsAdopted();
    void appThatNeverListensFailsAndIsKilled();
    void appThatExitsFailsWithItsOutput();
    void stalledUploadTimesOutAndKills();
    void sandboxDyingWhileStartingIsReported();
    void cancelKillsTheSandbox();
    void probesNeverLookLikeABrowser();

private:
    DeployRequest request(const QString &sessionId = {}, qint64 ttl = 600) const;

    std::unique_ptr<FakeE2bServer> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<E2bProvider> m_provider;
};

void TestE2bProvider::init()
{
    m_fake = std::make_unique<FakeE2bServer>();
    QVERIFY(m_fake->listen());
    m_fake->setApiKey(kKey);
    m_network = std::make_unique<QNetworkAccessManager>();
    E2bOptions options;
    options.api.service = u"E2B"_s;
    options.api.authHeader = "X-API-Key";
    options.api.baseUrl = m_fake->apiUrl();
    options.api.retryBaseMs = 20;
    options.api.timeoutMs = 3000;
    options.domain = m_fake->domain();
    options.plan = E2bPlan::Pro;
    options.startTimeoutMs = 4000;
    options.pollIntervalMs = 20;
    m_provider = std::make_unique<E2bProvider>(m_network.get(), options);
    m_provider->setApiKey(kKey);
}

void TestE2bProvider::cleanup()
{
    m_provider.reset();
    m_network.reset();
    m_fake.reset();
}

DeployRequest TestE2bProvider::request(const QString &sessionId, qint64 ttl) const
{
    DeployRequest r;
    r.sessionId = sessionId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : sessionId;
    r.installId = kInstall;
    r.name = u"Pomodoro"_s;
    r.bundle = TestSupport::bundle(Runtime::Static,
                                   {{u"index.html"_s, "<h1>Pomodoro</h1>"}, {u"css/app.css"_s, "h1{}"}});
    r.expiresAt = QDateTime::currentDateTimeUtc().addSecs(ttl);
    r.size = u"base"_s;
    return r;
}

void TestE2bProvider::deployServesTheApp()
{
    const DeployRequest r = request({}, 1800);
    QStringList created;
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(r), &created);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(created, QStringList{result.resourceId});
    QCOMPARE(result.url.toString(), u"http://8000-%1.%2/"_s.arg(result.resourceId, m_fake->domain()));
    QCOMPARE(TestSupport::getApp(*m_network, result.url), QByteArray("<h1>Pomodoro</h1>"));

    const auto sandbox = m_fake->sandbox(result.resourceId);
    QVERIFY(sandbox && sandbox->alive);
    QCOMPARE(sandbox->templateID.isEmpty(), false);
    QCOMPARE(sandbox->metadata.value(u"spawnai-session"_s), r.sessionId);
    QCOMPARE(sandbox->metadata.value(u"spawnai-install"_s), kInstall);
    // The server-side lifetime is the session's: E2B ends it even if SpawnAI is gone.
    QVERIFY(qAbs(sandbox->endAt.secsTo(r.expiresAt)) <= 2);
    QCOMPARE(sandbox->processes.size(), 1);
    const FakeE2bServer::Process &process = sandbox->processes.first();
    QCOMPARE(process.connectTimeoutMs, -1); // no command deadline: the SDK's 60 s default kills servers
    QCOMPARE(process.envs.value(u"PORT"_s), u"8000"_s);
    QVERIFY(process.args.last().contains(u"http.server 8000 --bind 0.0.0.0"_s));
    QVERIFY(sandbox->files.contains(process.workdir + u"/css/app.css"_s));
    QVERIFY(!sandbox->accessToken.isEmpty()); // secure: envd wanted the token, and got it
}

void TestE2bProvider::extendMovesTheServerSideTimeout()
{
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request({}, 600)));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(3 * 3600);
    QVERIFY(TestSupport::runJob(m_provider->extend(result.resourceId, later)).ok());
    QVERIFY(qAbs(m_fake->sandbox(result.resourceId)->endAt.secsTo(later)) <= 2);

    m_fake->killSandbox(result.resourceId);
    const ProviderOutcome gone = TestSupport::runJob(m_provider->extend(result.resourceId, later));
    QCOMPARE(gone.failure, FailureReason::ProviderError);
    QVERIFY2(gone.message.contains(u"E2B"_s), qPrintable(gone.message));
}

void TestE2bProvider::destroyIsIdempotent()
{
    const DeployRequest r = request();
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QVERIFY(TestSupport::runJob(m_provider->destroy(result.resourceId, r.sessionId)).ok());
    QCOMPARE(m_fake->aliveCount(), 0);
    QVERIFY(
        TestSupport::runJob(m_provider->destroy(result.resourceId, r.sessionId)).ok()); // 404: already gone
    QVERIFY(TestSupport::getApp(*m_network, result.url).isEmpty());
}

void TestE2bProvider::destroyWithoutIdFindsTheSessionsSandboxes()
{
    const DeployRequest r = request();
    QVERIFY(TestSupport::runDeploy(m_provider->deploy(r)).ok());
    const DeployResult other = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY(other.ok());
    QVERIFY(TestSupport::runJob(m_provider->destroy({}, r.sessionId)).ok());
    QCOMPARE(m_fake->aliveCount(), 1);
    QVERIFY(m_fake->sandbox(other.resourceId)->alive);
}

void TestE2bProvider::listShowsThisInstallationsSandboxes()
{
    const DeployRequest r = request();
    const DeployResult mine = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY(mine.ok());
    DeployRequest foreign = request();
    foreign.installId = u"someone-else"_s;
    QVERIFY(TestSupport::runDeploy(m_provider->deploy(foreign)).ok());

    ListJob *job = m_provider->list(kInstall);
    QSignalSpy finished(job, &ListJob::finished);
    job->start();
    QVERIFY(finished.wait(5000));
    QVERIFY(finished.first().at(0).value<ProviderOutcome>().ok());
    const auto resources = finished.first().at(1).value<QList<RemoteResource>>();
    QCOMPARE(resources.size(), 1);
    QCOMPARE(resources.first().resourceId, mine.resourceId);
    QCOMPARE(resources.first().sessionId, r.sessionId);
    QCOMPARE(resources.first().installId, kInstall);
    QVERIFY(qAbs(resources.first().expiresAt.secsTo(r.expiresAt)) <= 2);
}

void TestE2bProvider::listFollowsPages()
{
    // 250 sandboxes: three pages of at most 100.
    m_fake->setMaxConcurrent(1000);
    for (int i = 0; i < 250; ++i) {
        auto *call = new ApiCall(m_network.get(), m_provider->options().api,
                                 E2bApi::createSandbox(m_provider->options().api, u"base"_s, 600,
                                                       E2bApi::tags(kInstall, u"s%1"_s.arg(i))),
                                 nullptr);
        QSignalSpy done(call, &ApiCall::finished);
        call->start();
        QVERIFY(done.wait(5000));
        QCOMPARE(done.first().first().value<ApiReply>().status, 201);
    }
    ListJob *job = m_provider->list(kInstall);
    QSignalSpy finished(job, &ListJob::finished);
    job->start();
    QVERIFY(finished.wait(10000));
    QCOMPARE(finished.first().at(1).value<QList<RemoteResource>>().size(), 250);
    QCOMPARE(m_fake->count("GET", QRegularExpression(u"^/v2/sandboxes$"_s)), 3);
}

void TestE2bProvider::hobbyPlanCapsTheTimeout()
{
    E2bOptions options = m_provider->options();
    options.plan = E2bPlan::Hobby;
    m_provider->setOptions(options);
    m_fake->setPlan(FakeE2bServer::Plan::Hobby);
    QCOMPARE(m_provider->capabilities().maxLifetimeSeconds, 3600);
    // A full hour plus SpawnAI's grace would be refused by E2B: the timeout stays within the plan's cap.
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request({}, 3600 + 300)));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const auto sandbox = m_fake->sandbox(result.resourceId);
    QVERIFY(sandbox->startedAt.secsTo(sandbox->endAt) <= 3600);
}

void TestE2bProvider::redeployReplacesTheAppInPlace()
{
    DeployRequest r = request();
    const DeployResult first = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY2(first.ok(), qPrintable(first.message));
    r.bundle = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "<h1>Version 2</h1>"}});
    const DeployResult second = TestSupport::runDeploy(m_provider->redeploy(first.resourceId, r));
    QVERIFY2(second.ok(), qPrintable(second.message));
    QCOMPARE(second.url, first.url);
    QCOMPARE(second.resourceId, first.resourceId);
    QCOMPARE(TestSupport::getApp(*m_network, second.url), QByteArray("<h1>Version 2</h1>"));
    const auto sandbox = m_fake->sandbox(first.resourceId);
    QCOMPARE(sandbox->processes.size(), 2);
    QVERIFY(!sandbox->processes.first().running); // the old revision was killed
    QCOMPARE(m_fake->createdCount(), 1);
}

void TestE2bProvider::badKeyIsExplained()
{
    m_provider->setApiKey(u"e2b_ffffffffffffffffffffffffffffffffffffffff"_s);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::BadKey);
    QVERIFY2(result.message.contains(u"Settings → Keys"_s), qPrintable(result.message));
    QVERIFY2(!result.message.contains(u"ffffffff"_s), qPrintable(result.message));
    QCOMPARE(m_fake->createdCount(), 0);
}

void TestE2bProvider::missingKeyIsASetupProblem()
{
    E2bOptions options = m_provider->options();
    options.api.authValue.clear();
    E2bProvider unconfigured(m_network.get(), options);
    QVERIFY(unconfigured.setupProblem().contains(u"Settings → Keys"_s));
    QVERIFY(m_provider->setupProblem().isEmpty());
}

void TestE2bProvider::rateLimitedCreateIsRetried()
{
    FakeHttpResponse limited =
        FakeHttpResponse::json(429, QJsonObject{{u"code"_s, 429}, {u"message"_s, u"Rate limit exceeded"_s}});
    limited.headers.append(std::pair<QByteArray, QByteArray>("Retry-After", "1"));
    m_fake->addFault({.method = "POST", .path = QRegularExpression(u"^/sandboxes$"_s), .response = limited});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->createdCount(), 1);
    QCOMPARE(m_fake->count("POST", QRegularExpression(u"^/sandboxes$"_s)), 2);
}

void TestE2bProvider::concurrencyLimitIsExplained()
{
    m_fake->setMaxConcurrent(1);
    QVERIFY(TestSupport::runDeploy(m_provider->deploy(request())).ok());
    const DeployResult second = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(second.failure, FailureReason::ProviderLimit);
    QVERIFY2(second.message.contains(u"concurrent"_s), qPrintable(second.message));
    QCOMPARE(m_fake->aliveCount(), 1);
}

void TestE2bProvider::createWithServerErrorAlthoughCreatedIsAdopted()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"^/sandboxes$"_s),
                      .kind = FakeFault::Kind::AnswerAfterHandling,
                      .response = FakeHttpResponse::json(
                          500, QJsonObject{{u"code"_s, 500}, {u"message"_s, u"internal"_s}})});
    QStringList created;
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()), &created);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->createdCount(), 1); // looked for, found, adopted: no second create
    QCOMPARE(m_fake->count("POST", QRegularExpression(u"^/sandboxes$"_s)), 1);
    const QStringList log = m_fake->requestLog();
    QVERIFY(log.indexOf(u"POST /sandboxes"_s) < log.indexOf(u"GET /v2/sandboxes"_s));
    QCOMPARE(created, QStringList{result.resourceId});
    QCOMPARE(TestSupport::getApp(*m_network, result.url), QByteArray("<h1>Pomodoro</h1>"));
}

void TestE2bProvider::createDroppedAfterItWasDoneIsAdopted()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"^/sandboxes$"_s),
                      .kind = FakeFault::Kind::DropAfterHandling});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    // Qt may have resent the POST on its own (reliability.md §3.2): then two exist, and the session runs on
    // one of them; reconciliation removes the other (tested with the controller).
    QVERIFY(m_fake->createdCount() >= 1);
    QVERIFY(m_fake->sandbox(result.resourceId)->alive);
}

void TestE2bProvider::createRefusedWith5xxIsSentOnceMore()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"^/sandboxes$"_s),
                      .response = FakeHttpResponse::json(
                          503, QJsonObject{{u"code"_s, 503}, {u"message"_s, u"unavailable"_s}})});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->createdCount(), 1);
    // Listed twice (the second after a pause for a create still in flight) before the one further create.
    QCOMPARE(m_fake->count("GET", QRegularExpression(u"^/v2/sandboxes$"_s)), 2);
    QCOMPARE(m_fake->count("POST", QRegularExpression(u"^/sandboxes$"_s)), 2);
}

void TestE2bProvider::malformedCreateAnswerIsAdopted()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"^/sandboxes$"_s),
                      .kind = FakeFault::Kind::MalformedAfterHandling});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->createdCount(), 1);
}

void TestE2bProvider::appThatNeverListensFailsAndIsKilled()
{
    m_fake->setAppNeverListens(true);
    E2bOptions options = m_provider->options();
    options.startTimeoutMs = 600;
    m_provider->setOptions(options);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::AppNeverAnswered);
    QVERIFY2(result.message.contains(u"never opened port 8000"_s), qPrintable(result.message));
    QVERIFY(result.resourceId.isEmpty()); // killed: nothing left for the caller to destroy
    QCOMPARE(m_fake->aliveCount(), 0);
}

void TestE2bProvider::appThatExitsFailsWithItsOutput()
{
    m_fake->setAppExitsImmediately(true);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::AppCrashed);
    QVERIFY2(result.message.contains(u"exit status 1"_s), qPrintable(result.message));
    QCOMPARE(m_fake->aliveCount(), 0);
}

void TestE2bProvider::stalledUploadTimesOutAndKills()
{
    E2bOptions options = m_provider->options();
    options.api.timeoutMs = 400;
    options.api.maxRetries = 0;
    m_provider->setOptions(options);
    m_fake->addFault(
        {.method = "POST", .path = QRegularExpression(u"^/files$"_s), .kind = FakeFault::Kind::Stall});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::ProviderUnavailable);
    QVERIFY2(result.message.contains(u"timed out"_s), qPrintable(result.message));
    QCOMPARE(m_fake->aliveCount(), 0);
}

void TestE2bProvider::sandboxDyingWhileStartingIsReported()
{
    m_fake->setAppStartDelayMs(3000);
    connect(m_fake.get(), &FakeHttpServer::requestReceived, this, [this](const FakeHttpRequest &r) {
        if (r.path == "/process.Process/Start")
            QTimer::singleShot(100, this, [this] {
                for (const auto &sandbox : m_fake->sandboxes())
                    m_fake->killSandbox(sandbox.id);
            });
    });
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::SandboxLost);
    QVERIFY2(result.message.contains(u"ended"_s), qPrintable(result.message));
}

void TestE2bProvider::cancelKillsTheSandbox()
{
    m_fake->setAppStartDelayMs(5000);
    DeployJob *job = m_provider->deploy(request());
    QSignalSpy finished(job, &DeployJob::finished);
    QSignalSpy stages(job, &DeployJob::stageChanged);
    job->start();
    QTRY_VERIFY(std::any_of(stages.cbegin(), stages.cend(), [](const QList<QVariant> &args) {
        return args.first().value<DeployStage>() == DeployStage::WaitingForUrl;
    }));
    job->cancel();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.first().first().value<DeployResult>().failure, FailureReason::Cancelled);
    QCOMPARE(m_fake->aliveCount(), 0);
}

void TestE2bProvider::probesNeverLookLikeABrowser()
{
    QVERIFY(TestSupport::runDeploy(m_provider->deploy(request())).ok());
    for (const FakeHttpRequest &r : m_fake->requests()) {
        QVERIFY(!r.header("user-agent").contains("Mozilla"));
        QCOMPARE(r.header("accept"), QByteArray("application/json"));
    }
}

QTEST_GUILESS_MAIN(TestE2bProvider)
#include "tst_e2bprovider.moc"
