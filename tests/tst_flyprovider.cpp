// The Fly.io adapter against the fake Machines API, GraphQL and the apps' public hosts on 127.0.0.1: deploys,
// serves, extends, destroys, lists, and the faults of the issue end with a clear message and nothing left.
#include "fakefly.h"
#include "fly/flyprovider.h"
#include "http/apicall.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace {

const QString kToken = u"FlyV1 fm2_lJPECAAAAAAAAFakeMacaroon,fm2_lJPETWOPIECE"_s;
const QString kInstall = u"install-5678"_s;

FakeHttpResponse flyError(int status, const QString &error)
{
    return FakeHttpResponse::json(status, QJsonObject{{u"error"_s, error}});
}

} // namespace

class TestFlyProvider : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void authorizationFollowsTheTokenKind();
    void appNamesCarryTheSession();
    void deployServesTheApp();
    void machineEndsByItselfAtItsDeadline();
    void extendMovesTheDeadline();
    void destroyIsIdempotent();
    void listShowsSpawnAIsApps();
    void redeployUpdatesTheMachineInPlace();
    void ipsFallBackToGraphql();
    void badTokenIsExplained();
    void noCapacityIsExplained();
    void appLimitIsExplained();
    void createAppDroppedAfterItWasDoneIsAdopted();
    void createMachine5xxAlthoughCreatedIsAdopted();
    void machineThatNeverStartsFailsAndIsDeleted();
    void appThatNeverListensFailsAndIsDeleted();
    void waitBeyondFlysCapIsRepeated();
    void cancelDeletesTheApp();

private:
    DeployRequest request(qint64 ttl = 600) const;
    int liveApps() const;

    std::unique_ptr<FakeFlyServer> m_fake;
    std::unique_ptr<QNetworkAccessManager> m_network;
    std::unique_ptr<FlyProvider> m_provider;
};

void TestFlyProvider::init()
{
    m_fake = std::make_unique<FakeFlyServer>();
    QVERIFY(m_fake->listen());
    m_fake->setToken(u"fm2_lJPECAAAAAAAAFakeMacaroon,fm2_lJPETWOPIECE"_s);
    m_network = std::make_unique<QNetworkAccessManager>();
    FlyOptions options;
    options.api.service = u"Fly.io"_s;
    options.api.authHeader = "Authorization";
    options.api.baseUrl = m_fake->apiUrl();
    options.api.retryBaseMs = 20;
    options.api.timeoutMs = 3000;
    options.graphqlUrl = m_fake->graphqlUrl();
    options.domain = m_fake->domain();
    options.startTimeoutMs = 4000;
    options.pollIntervalMs = 20;
    m_provider = std::make_unique<FlyProvider>(m_network.get(), options);
    m_provider->setApiKey(kToken);
}

void TestFlyProvider::cleanup()
{
    m_provider.reset();
    m_network.reset();
    m_fake.reset();
}

DeployRequest TestFlyProvider::request(qint64 ttl) const
{
    DeployRequest r;
    r.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    r.installId = kInstall;
    r.name = u"Pomodoro"_s;
    r.bundle = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "<h1>Pomodoro</h1>"}});
    r.expiresAt = QDateTime::currentDateTimeUtc().addSecs(ttl);
    r.size = u"shared-cpu-1x-256mb"_s;
    return r;
}

int TestFlyProvider::liveApps() const
{
    return int(m_fake->apps().size());
}

void TestFlyProvider::authorizationFollowsTheTokenKind()
{
    QCOMPARE(FlyApi::authorization(u"FlyV1 fm2_abc,fm2_def"_s), QByteArray("FlyV1 fm2_abc,fm2_def"));
    QCOMPARE(FlyApi::authorization(u"fm2_abc"_s), QByteArray("FlyV1 fm2_abc"));
    QCOMPARE(FlyApi::authorization(u"Bearer fm1r_x"_s), QByteArray("FlyV1 fm1r_x"));
    QCOMPARE(FlyApi::authorization(u"  personal-oauth-token "_s), QByteArray("Bearer personal-oauth-token"));
}

void TestFlyProvider::appNamesCarryTheSession()
{
    const QString session = u"0f8fad5b-d9cb-469f-a165-70867728950e"_s;
    const QString name = FlyApi::appName(session);
    QCOMPARE(name, u"spawnai-0f8fad5bd9cb469fa16570867728950e"_s);
    QVERIFY(name.size() <= 63);
    QCOMPARE(FlyApi::sessionOf(name), session);
    QVERIFY(FlyApi::sessionOf(u"my-own-app"_s).isEmpty());
}

void TestFlyProvider::deployServesTheApp()
{
    const DeployRequest r = request(1800);
    QStringList created;
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(r), &created);
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(result.resourceId, FlyApi::appName(r.sessionId));
    QCOMPARE(created, QStringList{result.resourceId}); // recorded before the create was sent
    QCOMPARE(result.url.toString(), u"http://%1.%2/"_s.arg(result.resourceId, m_fake->domain()));
    QCOMPARE(TestSupport::getApp(*m_network, result.url), QByteArray("<h1>Pomodoro</h1>"));

    const auto app = m_fake->app(result.resourceId);
    QVERIFY(app);
    QCOMPARE(app->ips.size(), 2); // shared IPv4 and IPv6: A and AAAA records
    QCOMPARE(app->machines.size(), 1);
    const FakeFlyServer::Machine &machine = app->machines.first();
    QCOMPARE(machine.state, u"started"_s);
    QCOMPARE(machine.metadata.value(u"spawnai_session"_s), r.sessionId);
    QCOMPARE(machine.metadata.value(u"spawnai_install"_s), kInstall);
    QCOMPARE(machine.config.value(u"auto_destroy"_s).toBool(), true);
    QCOMPARE(machine.config.value(u"restart"_s).toObject().value(u"policy"_s).toString(), u"no"_s);
    // The in-machine deadline is the session's lifetime: the machine ends even if SpawnAI is gone.
    QVERIFY2(qAbs(machine.deadlineSeconds - 1800) <= 2, qPrintable(QString::number(machine.deadlineSeconds)));
    QCOMPARE(machine.files.value(u"/app/index.html"_s), QByteArray("<h1>Pomodoro</h1>"));
    const QJsonArray ports =
        machine.config.value(u"services"_s).toArray().first().toObject().value(u"ports"_s).toArray();
    QCOMPARE(ports.first().toObject().value(u"port"_s).toInt(), 443);
}

void TestFlyProvider::machineEndsByItselfAtItsDeadline()
{
    // Nothing of SpawnAI's is involved after the deploy: the deadline inside the machine and auto_destroy.
    DeployRequest r = request(1);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const QString id = m_fake->app(result.resourceId)->machines.first().id;
    QCOMPARE(m_fake->machine(result.resourceId, id)->deadlineSeconds, 60); // never shorter than a minute
    QVERIFY(m_fake->killMachine(result.resourceId, 124));                  // as `timeout` ends it
    QTRY_COMPARE(m_fake->machine(result.resourceId, id)->state, u"destroyed"_s);
}

void TestFlyProvider::extendMovesTheDeadline()
{
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request(600)));
    QVERIFY2(result.ok(), qPrintable(result.message));
    const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(3 * 3600);
    const ProviderOutcome extended = TestSupport::runJob(m_provider->extend(result.resourceId, later));
    QVERIFY2(extended.ok(), qPrintable(extended.message));
    const FakeFlyServer::Machine machine = m_fake->app(result.resourceId)->machines.first();
    QVERIFY2(qAbs(machine.deadlineSeconds - 3 * 3600) <= 2,
             qPrintable(QString::number(machine.deadlineSeconds)));
    QCOMPARE(machine.metadata.value(u"spawnai_expires"_s), later.toString(Qt::ISODate));
    QTRY_COMPARE(TestSupport::getApp(*m_network, result.url),
                 QByteArray("<h1>Pomodoro</h1>")); // back after the restart
}

void TestFlyProvider::destroyIsIdempotent()
{
    const DeployRequest r = request();
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QVERIFY(TestSupport::runJob(m_provider->destroy(result.resourceId, r.sessionId)).ok());
    QCOMPARE(liveApps(), 0);
    QVERIFY(
        TestSupport::runJob(m_provider->destroy(result.resourceId, r.sessionId)).ok()); // 404: already gone
    QVERIFY(TestSupport::runJob(m_provider->destroy({}, r.sessionId)).ok()); // by the session's name
}

void TestFlyProvider::listShowsSpawnAIsApps()
{
    const DeployRequest r = request();
    const DeployResult mine = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY(mine.ok());
    // Someone's own app in the same organisation is not SpawnAI's.
    auto *call = new ApiCall(m_network.get(), m_provider->options().api,
                             FlyApi::createApp(m_provider->options(), u"my-blog"_s), nullptr);
    QSignalSpy created(call, &ApiCall::finished);
    call->start();
    QVERIFY(created.wait(5000));

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

void TestFlyProvider::redeployUpdatesTheMachineInPlace()
{
    DeployRequest r = request();
    const DeployResult first = TestSupport::runDeploy(m_provider->deploy(r));
    QVERIFY2(first.ok(), qPrintable(first.message));
    r.bundle = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "<h1>Version 2</h1>"}});
    const DeployResult second = TestSupport::runDeploy(m_provider->redeploy(first.resourceId, r));
    QVERIFY2(second.ok(), qPrintable(second.message));
    QCOMPARE(second.url, first.url);
    QTRY_COMPARE(TestSupport::getApp(*m_network, second.url), QByteArray("<h1>Version 2</h1>"));
    QCOMPARE(m_fake->appsCreated(), 1);
    QCOMPARE(m_fake->machinesCreated(), 1);
}

void TestFlyProvider::ipsFallBackToGraphql()
{
    m_fake->setIpAssignmentsRestAvailable(false);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->app(result.resourceId)->ips.size(), 2);
    QCOMPARE(m_fake->count("POST", QRegularExpression(u"^/graphql$"_s)), 2);
}

void TestFlyProvider::badTokenIsExplained()
{
    m_provider->setApiKey(u"FlyV1 fm2_wrongwrongwrong"_s);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::BadKey);
    QVERIFY2(result.message.contains(u"Settings → Keys"_s), qPrintable(result.message));
    QVERIFY2(!result.message.contains(u"wrongwrong"_s), qPrintable(result.message));
    QCOMPARE(m_fake->appsCreated(), 0);
}

void TestFlyProvider::noCapacityIsExplained()
{
    m_fake->setNoCapacity(true);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::ProviderUnavailable);
    QVERIFY2(result.message.contains(u"capacity"_s), qPrintable(result.message));
    QCOMPARE(liveApps(), 0); // the app made before the machine was refused is deleted
}

void TestFlyProvider::appLimitIsExplained()
{
    m_fake->setMaxApps(0);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::ProviderLimit);
    QVERIFY2(result.message.contains(u"limit"_s), qPrintable(result.message));
}

void TestFlyProvider::createAppDroppedAfterItWasDoneIsAdopted()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"^/v1/apps$"_s),
                      .kind = FakeFault::Kind::DropAfterHandling});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->appsCreated(), 1); // names are unique: a resend is refused, not duplicated
    QCOMPARE(m_fake->machinesCreated(), 1);
}

void TestFlyProvider::createMachine5xxAlthoughCreatedIsAdopted()
{
    m_fake->addFault({.method = "POST",
                      .path = QRegularExpression(u"/machines$"_s),
                      .kind = FakeFault::Kind::AnswerAfterHandling,
                      .response = flyError(500, u"internal error"_s)});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->machinesCreated(), 1);
    const QStringList log = m_fake->requestLog();
    const qsizetype create = log.indexOf(QRegularExpression(u"^POST /v1/apps/.*/machines$"_s));
    const qsizetype look = log.indexOf(QRegularExpression(u"^GET /v1/apps/.*/machines$"_s));
    QVERIFY(create >= 0 && look > create);
}

void TestFlyProvider::machineThatNeverStartsFailsAndIsDeleted()
{
    m_fake->setMachinesNeverStart(true);
    FlyOptions options = m_provider->options();
    options.startTimeoutMs = 1500;
    m_provider->setOptions(options);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::AppNeverAnswered);
    QVERIFY2(result.message.contains(u"did not start"_s), qPrintable(result.message));
    QCOMPARE(liveApps(), 0);
}

void TestFlyProvider::appThatNeverListensFailsAndIsDeleted()
{
    m_fake->setAppNeverListens(true);
    FlyOptions options = m_provider->options();
    options.startTimeoutMs = 800;
    m_provider->setOptions(options);
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QCOMPARE(result.failure, FailureReason::AppNeverAnswered);
    QVERIFY2(result.message.contains(u"port 8000"_s), qPrintable(result.message));
    QVERIFY(result.resourceId.isEmpty());
    QCOMPARE(liveApps(), 0);
}

void TestFlyProvider::waitBeyondFlysCapIsRepeated()
{
    m_fake->addFault(
        {.method = "GET",
         .path = QRegularExpression(u"/wait$"_s),
         .response = flyError(408, u"deadline_exceeded: machine failed to reach desired state"_s),
         .times = 2});
    const DeployResult result = TestSupport::runDeploy(m_provider->deploy(request()));
    QVERIFY2(result.ok(), qPrintable(result.message));
    QCOMPARE(m_fake->count("GET", QRegularExpression(u"/wait$"_s)), 3);
}

void TestFlyProvider::cancelDeletesTheApp()
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
    QCOMPARE(liveApps(), 0);
}

QTEST_GUILESS_MAIN(TestFlyProvider)
#include "tst_flyprovider.moc"
