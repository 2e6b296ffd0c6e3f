// The session lifecycle controller with the real store and real Local sandboxes: deploy, expiry on the
// monotonic clock, stop, extend, stop requests from another process, and recovery after a SpawnAI that died.
#include "instancelock.h"
#include "local/localprocesses.h"
#include "local/localprovider.h"
#include "pricingcatalogue.h"
#include "sessioncontroller.h"
#include "store.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace TestSupport;

class TestLifecycle : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<InstanceLock> m_instance;
    PricingCatalogue m_pricing = PricingCatalogue::shipped();
    SessionController *m_controller = nullptr;
    QList<SessionState> m_seen; // states of every sessionChanged, in order

    QString runDir() const { return m_dir.filePath(u"run"_s); }

    static AppBundle staticApp()
    {
        return bundle(Runtime::Static, {{u"index.html"_s, "<h1>lifecycle</h1>"}});
    }

    QString deploy(qint64 ttlSeconds, const AppBundle &app = staticApp())
    {
        DeployOptions options;
        options.provider = u"local"_s;
        options.ttlSeconds = ttlSeconds;
        auto id = m_controller->deploy(app, options);
        if (!id) {
            qWarning() << id.error();
            return {};
        }
        return *id;
    }

    Session stored(const QString &id) const { return m_store->session(id).value(); }

    bool waitForState(const QString &id, SessionState state, int timeoutMs = 10'000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            const SessionState now = stored(id).state;
            // Running and Expiring are both "live": a session shorter than the lead time is Expiring at once.
            if (now == state || (state == SessionState::Running && now == SessionState::Expiring))
                return true;
            QTest::qWait(20);
        }
        qWarning() << "session is" << SessionStates::name(stored(id).state) << "not"
                   << SessionStates::name(state);
        return false;
    }

    QList<SessionState> transitions(const QString &id) const
    {
        QList<SessionState> states;
        for (const SessionEvent &event : m_store->events(id).value()) {
            if (event.kind == u"transition")
                states << event.to;
        }
        return states;
    }

    // A session as a SpawnAI process that has since died left it in the store.
    Session leftBehind(SessionState state, const QDateTime &expiresAt)
    {
        Session session;
        session.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        session.name = u"left behind"_s;
        session.provider = u"local"_s;
        session.state = SessionState::Ready;
        session.ttlSeconds = 3600;
        session.createdAt = QDateTime::currentDateTimeUtc().addSecs(-7200);
        session.owner = QUuid::createUuid().toString(QUuid::WithoutBraces); // no such process
        if (!m_store->insertSession(session))
            return {};
        for (SessionState step : {SessionState::Provisioning, SessionState::Uploading, SessionState::Starting,
                                  SessionState::Running}) {
            if (!SessionStates::holdsResource(state) || int(step) > int(state))
                break;
            if (step == SessionState::Running) {
                session.startedAt = expiresAt.addSecs(-3600);
                session.expiresAt = expiresAt;
                session.url = QUrl(u"http://127.0.0.1:1/"_s);
            }
            if (!m_store->transition(session, step))
                return {};
        }
        return session;
    }

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        qputenv("XDG_DATA_HOME", m_dir.filePath(u"data"_s).toUtf8()); // the session logs
        auto store = Store::open(m_dir.filePath(u"spawnai.db"_s));
        QVERIFY2(store.ok(), qPrintable(store.error()));
        m_store = std::move(*store);
        auto instance = InstanceLock::acquire(m_dir.path());
        QVERIFY2(instance.ok(), qPrintable(instance.error()));
        m_instance = std::move(*instance);
        m_controller = new SessionController(*m_store, *m_instance, m_pricing);
        m_controller->addProvider(new LocalProvider(LocalProviderOptions::fromEnvironment(runDir())));
        m_seen.clear();
        connect(m_controller, &SessionController::sessionChanged, this,
                [this](const Session &session) { m_seen << session.state; });
    }

    void cleanup()
    {
        delete m_controller;
        m_controller = nullptr;
        m_instance.reset();
        m_store.reset();
        QVERIFY2(LocalProcesses::find(runDir()).isEmpty(), "a sandbox was left behind");
        QDir(m_dir.path()).removeRecursively();
        QVERIFY(QDir().mkpath(m_dir.path()));
    }

    void deployRunsThenExpiresOnItsOwn_data()
    {
        QTest::addColumn<AppBundle>("app");
        QTest::newRow("static") << staticApp();
        QTest::newRow("python") << bundle(Runtime::Python, {{u"app.py"_s, R"(
import os
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"python")
HTTPServer((os.environ["HOST"], int(os.environ["PORT"])), H).serve_forever()
)"}},
                                          u"python3 app.py"_s);
        QTest::newRow("node") << bundle(Runtime::Node, {{u"server.js"_s, R"(
require('http').createServer((q, r) => r.end('node')).listen(Number(process.env.PORT), process.env.HOST);
)"}},
                                        u"node server.js"_s);
    }

    void deployRunsThenExpiresOnItsOwn()
    {
        QFETCH(AppBundle, app);
        const QString id = deploy(2, app);
        QVERIFY(!id.isEmpty());
        QVERIFY(waitForState(id, SessionState::Running));
        const Session running = stored(id);
        QVERIFY(running.url.isValid());
        QCOMPARE(httpGet(quint16(running.url.port())).status, 200);
        QCOMPARE(running.expiresAt, running.startedAt.addSecs(2));
        QVERIFY(!running.resourceId.isEmpty());
        QCOMPARE(running.owner, m_instance->id());
        QVERIFY(!running.revisionId.isEmpty());

        QVERIFY(waitForState(id, SessionState::Ended, 6000));
        const Session ended = stored(id);
        QVERIFY(ended.endedAt >= ended.expiresAt);
        QVERIFY2(ended.startedAt.msecsTo(ended.endedAt) < 3500, "expiry fired late");
        QVERIFY(waitForPortClosed(quint16(running.url.port())));
        // Intent first: every state is in the log, in order; a session shorter than the lead goes Expiring at
        // once.
        QCOMPARE(transitions(id),
                 (QList<SessionState>{SessionState::Provisioning, SessionState::Uploading,
                                      SessionState::Starting, SessionState::Running, SessionState::Expiring,
                                      SessionState::Stopping, SessionState::Ended}));
        QCOMPARE(m_seen.constLast(), SessionState::Ended);
    }

    void stopEndsARunningSession()
    {
        const QString id = deploy(3600);
        QVERIFY(waitForState(id, SessionState::Running));
        const quint16 port = quint16(stored(id).url.port());
        QVERIFY(m_controller->stop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended));
        QVERIFY(waitForPortClosed(port));
        QCOMPARE(transitions(id).mid(3),
                 (QList<SessionState>{SessionState::Running, SessionState::Stopping, SessionState::Ended}));
        QVERIFY(!m_controller->stop(id).ok()); // already ended: says so
    }

    void stopDuringDeployCancelsIt()
    {
        const QString id =
            deploy(3600, bundle(Runtime::Python, {{u"app.py"_s, "import time\ntime.sleep(60)\n"}},
                                u"python3 app.py"_s));
        QVERIFY(waitForState(id, SessionState::Starting));
        QVERIFY(m_controller->stop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended));
        QTRY_VERIFY(LocalProcesses::pidsOfSession(runDir(), id).isEmpty());
    }

    void redeployPutsANewRevisionOntoTheRunningSession()
    {
        const QString id = deploy(3600);
        QVERIFY(waitForState(id, SessionState::Running));
        const Session before = stored(id);
        const AppBundle next = bundle(Runtime::Static, {{u"index.html"_s, "<h1>revision two</h1>"}});
        QVERIFY(m_controller->redeploy(id, next).ok());
        QCOMPARE(stored(id).state, SessionState::Uploading); // recorded before anything changed
        QVERIFY(waitForState(id, SessionState::Running));
        const Session after = stored(id);
        QCOMPARE(after.url, before.url);
        QCOMPARE(after.startedAt, before.startedAt); // the lifetime runs on
        QCOMPARE(after.expiresAt, before.expiresAt);
        QVERIFY(after.revisionId != before.revisionId);
        QCOMPARE(m_store->revision(after.revisionId)->files, next.files);
        QCOMPARE(httpGet(quint16(after.url.port())).body, QByteArray("<h1>revision two</h1>"));
        QCOMPARE(transitions(id).mid(4), (QList<SessionState>{SessionState::Uploading, SessionState::Starting,
                                                              SessionState::Running}));
        QVERIFY(!m_controller->redeploy(u"no-such-session"_s, next).ok());
        QVERIFY(m_controller->stop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended));
    }

    void extendMovesTheExpiry()
    {
        const QString id = deploy(2);
        QVERIFY(waitForState(id, SessionState::Running));
        const QDateTime firstExpiry = stored(id).expiresAt;
        QVERIFY(m_controller->extend(id, 2).ok());
        QCOMPARE(stored(id).expiresAt, firstExpiry.addSecs(2));
        QCOMPARE(stored(id).ttlSeconds, 4);
        QTest::qWait(2500);
        QVERIFY2(stored(id).isActive(), "ended at the old expiry");
        QVERIFY(waitForState(id, SessionState::Ended, 4000));
        const QList<SessionEvent> events = m_store->events(id).value();
        QVERIFY(std::any_of(events.cbegin(), events.cend(),
                            [](const SessionEvent &e) { return e.kind == u"extended"; }));
    }

    void extendBeyondTheCapIsRefused()
    {
        const QString id = deploy(23 * 3600);
        QVERIFY(waitForState(id, SessionState::Running));
        const auto refused = m_controller->extend(id, 2 * 3600);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().contains(u"at most"_s), qPrintable(refused.error()));
        QVERIFY(m_controller->extend(id, 3600).ok());
        QVERIFY(m_controller->stop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended));
    }

    void badLifetimesRecordNothing_data()
    {
        QTest::addColumn<qint64>("ttl");
        QTest::newRow("zero") << qint64(0);
        QTest::newRow("negative") << qint64(-60);
        QTest::newRow("above the cap") << qint64(LocalProvider::kMaxLifetimeSeconds + 1);
    }

    void badLifetimesRecordNothing()
    {
        QFETCH(qint64, ttl);
        DeployOptions options;
        options.provider = u"local"_s;
        options.ttlSeconds = ttl;
        const auto result = m_controller->deploy(staticApp(), options);
        QVERIFY(!result.ok());
        QVERIFY(!result.error().isEmpty());
        QVERIFY(m_store->sessions().value().isEmpty());
    }

    void unknownProviderIsNamed()
    {
        DeployOptions options;
        options.provider = u"nowhere"_s;
        options.ttlSeconds = 60;
        const auto result = m_controller->deploy(staticApp(), options);
        QVERIFY(!result.ok());
        QVERIFY(result.error().contains(u"nowhere"_s) && result.error().contains(u"local"_s));
    }

    void appCrashWhileRunningFailsTheSession()
    {
        const QString id = deploy(3600, bundle(Runtime::Python, {{u"app.py"_s, R"(
import os, socket, sys, time
s = socket.socket(); s.bind((os.environ["HOST"], int(os.environ["PORT"]))); s.listen()
c, _ = s.accept(); c.recv(1000); c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"); c.close()
time.sleep(0.5)
sys.exit("fatal: out of cheese")
)"}},
                                               u"python3 app.py"_s));
        QVERIFY(waitForState(id, SessionState::Failed));
        const Session failed = stored(id);
        QCOMPARE(failed.failure, FailureReason::AppExited);
        QVERIFY2(failed.failureMessage.contains(u"out of cheese"_s), qPrintable(failed.failureMessage));
        QVERIFY(failed.endedAt.isValid());
    }

    void recoveryEndsWhatADeadSpawnAILeft()
    {
        const Session expired =
            leftBehind(SessionState::Running, QDateTime::currentDateTimeUtc().addSecs(-60));
        const Session interrupted = leftBehind(SessionState::Starting, QDateTime());
        const Session cutShort =
            leftBehind(SessionState::Running, QDateTime::currentDateTimeUtc().addSecs(600));
        QVERIFY(!expired.id.isEmpty() && !interrupted.id.isEmpty() && !cutShort.id.isEmpty());

        QSignalSpy recovered(m_controller, &SessionController::recoveryFinished);
        m_controller->recover();
        QVERIFY(recovered.wait(10'000));
        QCOMPARE(recovered.constFirst().constFirst().toInt(), 3);

        QCOMPARE(stored(expired.id).state, SessionState::Ended);
        QCOMPARE(m_store->events(expired.id).value().constLast().detail,
                 u"expired while SpawnAI was closed"_s);
        QCOMPARE(stored(interrupted.id).state, SessionState::Failed);
        QCOMPARE(stored(interrupted.id).failure, FailureReason::Interrupted);
        QCOMPARE(stored(cutShort.id).state, SessionState::Ended); // a local app does not outlive SpawnAI
        QVERIFY(m_store->activeSessions().value().isEmpty());
    }

    void sessionsOfALiveProcessAreLeftAloneAndAskedToStop()
    {
        auto other = InstanceLock::acquire(m_dir.path()); // another SpawnAI, alive
        QVERIFY(other.ok());
        Session theirs = leftBehind(SessionState::Running, QDateTime::currentDateTimeUtc().addSecs(600));
        theirs.owner = (*other)->id();
        QVERIFY(m_store->updateSession(theirs).ok());

        QSignalSpy recovered(m_controller, &SessionController::recoveryFinished);
        m_controller->recover();
        QVERIFY(recovered.wait(10'000));
        QCOMPARE(recovered.constFirst().constFirst().toInt(), 0);
        QCOMPARE(stored(theirs.id).state, SessionState::Running);

        QVERIFY(m_controller->stop(theirs.id).ok());
        QVERIFY(stored(theirs.id).stopRequested);
        QCOMPARE(m_store->stopRequests((*other)->id()).value(), QStringList{theirs.id});
    }

    void stopRequestFromAnotherProcessIsHonoured()
    {
        const QString id = deploy(3600);
        QVERIFY(waitForState(id, SessionState::Running));
        // `spawnai stop` in another terminal: its own connection to the same database.
        auto otherStore = Store::open(m_dir.filePath(u"spawnai.db"_s));
        QVERIFY(otherStore.ok());
        QVERIFY((*otherStore)->requestStop(id).ok());
        QVERIFY(waitForState(id, SessionState::Ended, 4000));
    }

    void orphanedSandboxesAreDestroyed()
    {
        // A sandbox nobody in the store knows about (a session row lost, or created by another build).
        LocalProvider stray(LocalProviderOptions::fromEnvironment(runDir()));
        DeployRequest request;
        request.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        request.bundle = staticApp();
        request.logPath = m_dir.filePath(u"stray.log"_s);
        DeployJob *job = stray.deploy(request);
        QSignalSpy deployed(job, &DeployJob::finished);
        job->start();
        QVERIFY(deployed.wait(10'000));
        const quint16 port = quint16(deployed.constFirst().constFirst().value<DeployResult>().url.port());
        QVERIFY(portAcceptsConnections(port));

        QSignalSpy recovered(m_controller, &SessionController::recoveryFinished);
        m_controller->recover();
        QVERIFY(recovered.wait(10'000));
        QCOMPARE(recovered.constFirst().constFirst().toInt(), 1);
        QVERIFY(waitForPortClosed(port));
    }
};

QTEST_GUILESS_MAIN(TestLifecycle)
#include "tst_lifecycle.moc"
