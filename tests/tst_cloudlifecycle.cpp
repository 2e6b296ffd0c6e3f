// The session controller with the real store and the cloud providers against the fake E2B and Fly.io
// servers: deploy → the URL serves the app → extend → expiry → the provider shows the resource gone; and
// reconciliation after a SpawnAI that died: adopt, destroy leftovers and duplicates, show orphans, notice a
// sandbox that ended by itself.
#include "e2b/e2bprovider.h"
#include "fakee2b.h"
#include "fakefly.h"
#include "fly/flyprovider.h"
#include "http/apicall.h"
#include "instancelock.h"
#include "ledgerentry.h"
#include "pricingcatalogue.h"
#include "sessioncontroller.h"
#include "store.h"
#include "testsupport.h"

#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;

class TestCloudLifecycle : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    FakeE2bServer m_e2b;
    FakeFlyServer m_fly;
    QNetworkAccessManager m_network;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<InstanceLock> m_instance;
    PricingCatalogue m_pricing = PricingCatalogue::shipped();
    SessionController *m_controller = nullptr;
    E2bProvider *m_e2bProvider = nullptr;
    FlyProvider *m_flyProvider = nullptr;

    void startController()
    {
        auto instance = InstanceLock::acquire(m_dir.path());
        QVERIFY2(instance.ok(), qPrintable(instance.error()));
        m_instance = std::move(*instance);
        m_controller = new SessionController(*m_store, *m_instance, m_pricing);

        E2bOptions e2b;
        e2b.api = {
            .service = u"E2B"_s, .baseUrl = m_e2b.apiUrl(), .authHeader = "X-API-Key", .authValue = {}};
        e2b.api.retryBaseMs = 20;
        e2b.domain = m_e2b.domain();
        e2b.plan = E2bPlan::Pro;
        e2b.pollIntervalMs = 20;
        m_e2bProvider = new E2bProvider(&m_network, e2b);
        m_e2bProvider->setApiKey(u"e2b_00112233445566778899aabbccddeeff00112233"_s);
        m_controller->addProvider(m_e2bProvider);

        FlyOptions fly;
        fly.api = {.service = u"Fly.io"_s,
                   .baseUrl = m_fly.apiUrl(),
                   .authHeader = "Authorization",
                   .authValue = {}};
        fly.api.retryBaseMs = 20;
        fly.graphqlUrl = m_fly.graphqlUrl();
        fly.domain = m_fly.domain();
        fly.pollIntervalMs = 20;
        m_flyProvider = new FlyProvider(&m_network, fly);
        m_flyProvider->setApiKey(u"fm2_lJPECAAAAAAAAFlyLifecycle"_s);
        m_controller->addProvider(m_flyProvider);
    }

    // As if SpawnAI had been killed: nothing is stopped, the instance lock is released.
    void killController()
    {
        delete m_controller;
        m_controller = nullptr;
        m_instance.reset();
    }

    QString deploy(const QString &provider, qint64 ttlSeconds)
    {
        DeployOptions options;
        options.provider = provider;
        options.ttlSeconds = ttlSeconds;
        auto id = m_controller->deploy(
            TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "<h1>cloud lifecycle</h1>"}}), options);
        if (!id) {
            qWarning() << id.error();
            return {};
        }
        return *id;
    }

    Session stored(const QString &id) const { return m_store->session(id).value(); }

    bool waitForState(const QString &id, SessionState state, int timeoutMs = 10'000)
    {
        const bool reached = QTest::qWaitFor(
            [&] {
                const SessionState now = stored(id).state;
                return now == state || (state == SessionState::Running && now == SessionState::Expiring);
            },
            timeoutMs);
        if (!reached)
            qWarning() << "session is" << SessionStates::name(stored(id).state) << stored(id).failureMessage;
        return reached;
    }

    int liveResources(const QString &provider) const
    {
        if (provider == u"e2b")
            return m_e2b.aliveCount();
        int live = 0;
        for (const FakeFlyServer::App &app : m_fly.apps())
            live += app.name.startsWith(u"spawnai-"_s);
        return live;
    }

    bool recover()
    {
        QSignalSpy finished(m_controller, &SessionController::recoveryFinished);
        m_controller->recover();
        return finished.wait(10'000);
    }

    // A resource someone else made with SpawnAI's tags (a lost store, a resent create).
    QString createTagged(const QString &provider, const QString &sessionId, const QDateTime &expiresAt)
    {
        DeployRequest request;
        request.sessionId = sessionId;
        request.installId = m_store->installId();
        request.bundle = TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "tagged"}});
        request.expiresAt = expiresAt;
        request.size = provider == u"e2b" ? u"base"_s : u"shared-cpu-1x-256mb"_s;
        Provider *target = m_controller->provider(provider);
        DeployJob *job = target->deploy(request);
        QSignalSpy finished(job, &DeployJob::finished);
        job->start();
        if (!finished.wait(10'000))
            return {};
        return finished.first().first().value<DeployResult>().resourceId;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_DATA_HOME", m_dir.filePath(u"data"_s).toUtf8());
        QVERIFY(m_e2b.listen());
        QVERIFY(m_fly.listen());
        m_e2b.setApiKey(u"e2b_00112233445566778899aabbccddeeff00112233"_s);
        m_fly.setToken(u"fm2_lJPECAAAAAAAAFlyLifecycle"_s);
    }

    void init()
    {
        auto store = Store::open(m_dir.filePath(u"spawnai.db"_s));
        QVERIFY2(store.ok(), qPrintable(store.error()));
        m_store = std::move(*store);
        startController();
    }

    void cleanup()
    {
        killController();
        m_store.reset();
        QFile::remove(m_dir.filePath(u"spawnai.db"_s));
        for (const auto &sandbox : m_e2b.sandboxes())
            m_e2b.killSandbox(sandbox.id);
    }

    void deployServesExtendsAndExpires_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::newRow("e2b") << u"e2b"_s;
        QTest::newRow("fly") << u"fly"_s;
    }

    void deployServesExtendsAndExpires()
    {
        QFETCH(QString, provider);
        const QString id = deploy(provider, 3);
        QVERIFY(!id.isEmpty());
        QVERIFY(waitForState(id, SessionState::Running));
        const Session running = stored(id);
        QCOMPARE(TestSupport::getApp(m_network, running.url), QByteArray("<h1>cloud lifecycle</h1>"));
        QCOMPARE(liveResources(provider), 1);

        QVERIFY(m_controller->extend(id, 2).ok());
        const Session extended = stored(id);
        QCOMPARE(extended.expiresAt, running.expiresAt.addSecs(2));
        // The provider's own deadline moved too (the session's plus SpawnAI's grace).
        const QDateTime serverSide = extended.expiresAt.addSecs(SessionController::kServerSideGraceSeconds);
        if (provider == u"e2b") {
            QTRY_VERIFY(qAbs(m_e2b.sandbox(running.resourceId)->endAt.secsTo(serverSide)) <= 2);
        } else {
            QTRY_COMPARE(m_fly.app(running.resourceId)->machines.first().metadata.value(u"spawnai_expires"_s),
                         serverSide.toString(Qt::ISODate));
        }

        QVERIFY(waitForState(id, SessionState::Ended, 15'000));
        QVERIFY(stored(id).endedAt >= extended.expiresAt);
        QTRY_COMPARE(liveResources(provider), 0); // the fake shows it gone
        QVERIFY(TestSupport::getApp(m_network, running.url).isEmpty());
    }

    void reconciliationAfterACrash_data() { deployServesExtendsAndExpires_data(); }

    void reconciliationAfterACrash()
    {
        QFETCH(QString, provider);
        const QString known = deploy(provider, 3600);
        QVERIFY(waitForState(known, SessionState::Running));
        const Session before = stored(known);
        // An ended session whose resource is still there, and a second resource for the running session.
        const QString ended = deploy(provider, 3600);
        QVERIFY(waitForState(ended, SessionState::Running));
        QVERIFY(m_controller->stop(ended).ok());
        QVERIFY(waitForState(ended, SessionState::Ended));
        const QDateTime later = QDateTime::currentDateTimeUtc().addSecs(3600);
        const QString leftover = createTagged(provider, ended, later);
        QVERIFY(!leftover.isEmpty());
        QString duplicate;
        if (provider == u"e2b") { // Fly's app names are unique per session: a duplicate cannot exist there
            duplicate = createTagged(provider, known, later);
            QVERIFY(!duplicate.isEmpty());
        }
        const QString orphanSession = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString orphan = createTagged(provider, orphanSession, later);
        QVERIFY(!orphan.isEmpty());

        killController();
        startController();
        QVERIFY(recover());

        const auto adopted = m_controller->ownedSession(known);
        QVERIFY(adopted);
        QCOMPARE(adopted->state, before.state);
        QCOMPARE(adopted->resourceId, before.resourceId);
        QCOMPARE(adopted->expiresAt, before.expiresAt); // the countdown resumes from the stored expiry
        QCOMPARE(TestSupport::getApp(m_network, before.url), QByteArray("<h1>cloud lifecycle</h1>"));

        // The orphan is shown as a session, with one-click destroy (Stop).
        const QList<Session> sessions = m_store->sessions().value();
        const auto shown = std::find_if(sessions.cbegin(), sessions.cend(),
                                        [&](const Session &s) { return s.resourceId == orphan; });
        QVERIFY(shown != sessions.cend());
        QVERIFY2(shown->name.startsWith(u"Unknown "_s), qPrintable(shown->name));
        QCOMPARE(shown->state, SessionState::Running);
        QTRY_COMPARE(liveResources(provider), 2); // the known one and the orphan; leftover and duplicate gone
        if (provider == u"e2b")
            QVERIFY(!m_e2b.sandbox(duplicate)->alive);

        QVERIFY(m_controller->stop(shown->id).ok());
        QVERIFY(waitForState(shown->id, SessionState::Ended));
        QVERIFY(m_controller->stop(known).ok());
        QVERIFY(waitForState(known, SessionState::Ended));
        QTRY_COMPARE(liveResources(provider), 0);
    }

    // The Runtime ledger line of a run that SpawnAI was killed in the middle of and restarted for equals that
    // of an uninterrupted run (< 1 %); a wall clock stepped back while a session runs takes nothing off.
    void ledgerContinuesAcrossACrashAndClockJumps()
    {
        const QString steady = deploy(u"e2b"_s, 4);
        const QString crashed = deploy(u"e2b"_s, 4);
        QVERIFY(waitForState(steady, SessionState::Running));
        QVERIFY(waitForState(crashed, SessionState::Running));
        QTest::qWait(1000);
        killController(); // SpawnAI dies with both running
        startController();
        QVERIFY(recover());
        QVERIFY(waitForState(steady, SessionState::Ended, 15'000));
        QVERIFY(waitForState(crashed, SessionState::Ended, 15'000));
        for (const QString &id : {steady, crashed}) {
            const QList<LedgerEntry> lines = m_store->ledgerFor(id).value();
            QCOMPARE(lines.size(), 1);
            const Session session = stored(id);
            QCOMPARE(lines.first().kind, LedgerEntry::Kind::Runtime);
            QCOMPARE(lines.first().seconds, 4); // the lifetime, to the second, crash or not
            QVERIFY(qAbs(lines.first().usd - 4 * session.ratePerSecond) < 1e-12);
            QVERIFY(!session.rateBasis.how.isEmpty());
            QCOMPARE(lines.first().basis.how, session.rateBasis.how);
        }

        // The wall clock steps back an hour (NTP, the user) while sessions run: one runs to its expiry, one
        // is stopped after about 2 s. Both are billed the seconds they really ran.
        qint64 offsetSeconds = 0;
        m_controller->setWallClockForTesting(
            [&offsetSeconds] { return QDateTime::currentDateTimeUtc().addSecs(offsetSeconds); });
        const QString expiring = deploy(u"e2b"_s, 4);
        const QString stopped = deploy(u"e2b"_s, 3600);
        QVERIFY(waitForState(expiring, SessionState::Running));
        QVERIFY(waitForState(stopped, SessionState::Running));
        QTest::qWait(2000);
        offsetSeconds = -3600;
        QVERIFY(m_controller->stop(stopped).ok());
        QVERIFY(waitForState(stopped, SessionState::Ended));
        QVERIFY(waitForState(expiring, SessionState::Ended, 15'000));
        QCOMPARE(m_store->ledgerFor(expiring).value().last().seconds, 4);
        const qint64 ran = m_store->ledgerFor(stopped).value().last().seconds;
        QVERIFY2(ran >= 2 && ran <= 4, qPrintable(QString::number(ran)));
    }

    void resourceEndingByItselfFailsTheSession_data() { deployServesExtendsAndExpires_data(); }

    void resourceEndingByItselfFailsTheSession()
    {
        QFETCH(QString, provider);
        const QString id = deploy(provider, 3600);
        QVERIFY(waitForState(id, SessionState::Running));
        const Session running = stored(id);
        if (provider == u"e2b")
            QVERIFY(m_e2b.killSandbox(running.resourceId));
        else
            QVERIFY(m_fly.killMachine(running.resourceId));
        QTRY_COMPARE(liveResources(provider) - (provider == u"fly" ? 1 : 0),
                     0); // a Fly app outlives its machine
        QTest::qWait(50);
        m_controller->reconcile();
        QVERIFY(waitForState(id, SessionState::Failed));
        const Session failed = stored(id);
        QCOMPARE(failed.failure, FailureReason::SandboxLost);
        QVERIFY2(failed.failureMessage.contains(u"ended the sandbox by itself"_s),
                 qPrintable(failed.failureMessage));
    }

    void refusedExtensionKeepsTheOldExpiry()
    {
        const QString id = deploy(u"e2b"_s, 3600);
        QVERIFY(waitForState(id, SessionState::Running));
        const Session before = stored(id);
        m_e2b.addFault({.method = "POST",
                        .path = QRegularExpression(u"/timeout$"_s),
                        .response = FakeHttpResponse::json(
                            500, QJsonObject{{u"code"_s, 500}, {u"message"_s, u"internal error"_s}}),
                        .times = 10});
        QSignalSpy failed(m_controller, &SessionController::extendFailed);
        QVERIFY(m_controller->extend(id, 1800).ok());
        QCOMPARE(stored(id).expiresAt, before.expiresAt.addSecs(1800)); // at once, as the user asked
        QVERIFY(failed.wait(10'000));
        QCOMPARE(failed.first().at(0).toString(), id);
        QVERIFY2(failed.first().at(1).toString().contains(u"E2B"_s),
                 qPrintable(failed.first().at(1).toString()));
        // E2B still ends it at the old time, and so does the countdown.
        QCOMPARE(stored(id).expiresAt, before.expiresAt);
        QCOMPARE(m_controller->ownedSession(id)->expiresAt, before.expiresAt);
        m_e2b.clearFaults();
        QVERIFY(m_controller->stop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended));
    }

    void providerWithoutKeyRefusesToDeploy()
    {
        m_e2bProvider->setApiKey({});
        DeployOptions options;
        options.provider = u"e2b"_s;
        options.ttlSeconds = 600;
        auto id =
            m_controller->deploy(TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "x"}}), options);
        QVERIFY(!id.ok());
        QVERIFY2(id.error().contains(u"Settings → Keys"_s), qPrintable(id.error()));
        QCOMPARE(m_store->sessions().value().size(), 0); // nothing recorded
    }

    void planCapsTheLifetime()
    {
        E2bOptions options = m_e2bProvider->options();
        options.plan = E2bPlan::Hobby;
        m_e2bProvider->setOptions(options);
        DeployOptions deployOptions;
        deployOptions.provider = u"e2b"_s;
        deployOptions.ttlSeconds = 2 * 3600;
        auto id = m_controller->deploy(TestSupport::bundle(Runtime::Static, {{u"index.html"_s, "x"}}),
                                       deployOptions);
        QVERIFY(!id.ok());
        QVERIFY2(id.error().contains(u"Hobby plan"_s) && id.error().contains(u"1 h"_s),
                 qPrintable(id.error()));
    }
};

QTEST_GUILESS_MAIN(TestCloudLifecycle)
#include "tst_cloudlifecycle.moc"
