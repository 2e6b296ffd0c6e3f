// The lifecycle state machine of DESIGN.md, row by row.
#include "sessionstate.h"

#include <QTest>

using S = SessionState;

class TestSessionState : public QObject
{
    Q_OBJECT

private:
    static QList<S> allStates()
    {
        QList<S> states;
        for (int i = 0; SessionStates::fromInt(i); ++i)
            states << *SessionStates::fromInt(i);
        return states;
    }

private slots:
    void transitions_data()
    {
        QTest::addColumn<S>("from");
        QTest::addColumn<S>("to");
        QTest::addColumn<bool>("allowed");

        // The main path of a deploy.
        QTest::newRow("draft→generating") << S::Draft << S::Generating << true;
        QTest::newRow("draft→ready (loaded from a folder)") << S::Draft << S::Ready << true;
        QTest::newRow("generating→ready") << S::Generating << S::Ready << true;
        QTest::newRow("generating→draft (cancelled)") << S::Generating << S::Draft << true;
        QTest::newRow("ready→provisioning") << S::Ready << S::Provisioning << true;
        QTest::newRow("ready→generating (refine)") << S::Ready << S::Generating << true;
        QTest::newRow("provisioning→uploading") << S::Provisioning << S::Uploading << true;
        QTest::newRow("uploading→starting") << S::Uploading << S::Starting << true;
        QTest::newRow("starting→running") << S::Starting << S::Running << true;
        QTest::newRow("running→expiring") << S::Running << S::Expiring << true;
        QTest::newRow("expiring→running (extended)") << S::Expiring << S::Running << true;
        QTest::newRow("running→uploading (redeploy in place)") << S::Running << S::Uploading << true;
        QTest::newRow("expiring→uploading (redeploy in place)") << S::Expiring << S::Uploading << true;
        QTest::newRow("running→stopping") << S::Running << S::Stopping << true;
        QTest::newRow("expiring→stopping") << S::Expiring << S::Stopping << true;
        QTest::newRow("stopping→ended") << S::Stopping << S::Ended << true;
        // Stopping a deploy half way.
        QTest::newRow("provisioning→stopping") << S::Provisioning << S::Stopping << true;
        QTest::newRow("uploading→stopping") << S::Uploading << S::Stopping << true;
        QTest::newRow("starting→stopping") << S::Starting << S::Stopping << true;
        // Failing is possible from every live state, including a stop that failed.
        QTest::newRow("provisioning→failed") << S::Provisioning << S::Failed << true;
        QTest::newRow("running→failed") << S::Running << S::Failed << true;
        QTest::newRow("stopping→failed") << S::Stopping << S::Failed << true;
        QTest::newRow("generating→failed") << S::Generating << S::Failed << true;
        // What must never happen.
        QTest::newRow("ready→running (skips the deploy)") << S::Ready << S::Running << false;
        QTest::newRow("provisioning→running") << S::Provisioning << S::Running << false;
        QTest::newRow("starting→ended (skips the destroy)") << S::Starting << S::Ended << false;
        QTest::newRow("running→ended (skips the destroy)") << S::Running << S::Ended << false;
        QTest::newRow("stopping→running") << S::Stopping << S::Running << false;
        QTest::newRow("ended→running") << S::Ended << S::Running << false;
        QTest::newRow("ended→failed") << S::Ended << S::Failed << false;
        QTest::newRow("failed→provisioning") << S::Failed << S::Provisioning << false;
        QTest::newRow("failed→failed") << S::Failed << S::Failed << false;
        QTest::newRow("running→running") << S::Running << S::Running << false;
        QTest::newRow("draft→provisioning") << S::Draft << S::Provisioning << false;
    }

    void transitions()
    {
        QFETCH(S, from);
        QFETCH(S, to);
        QFETCH(bool, allowed);
        QCOMPARE(SessionStates::canTransition(from, to), allowed);
    }

    void terminalStatesLeadNowhere()
    {
        for (S from : {S::Ended, S::Failed}) {
            QVERIFY(SessionStates::isTerminal(from));
            for (S to : allStates())
                QVERIFY(!SessionStates::canTransition(from, to));
        }
    }

    void everyLiveStateCanBeStoppedOrFailed()
    {
        for (S state : allStates()) {
            if (!SessionStates::holdsResource(state))
                continue;
            QVERIFY(SessionStates::canTransition(state, S::Failed));
            // Whatever holds a resource has a way to give it back.
            QVERIFY(state == S::Stopping ? SessionStates::canTransition(state, S::Ended)
                                         : SessionStates::canTransition(state, S::Stopping));
        }
    }

    void resourceStates()
    {
        const QList<S> holding = {S::Provisioning, S::Uploading, S::Starting,
                                  S::Running,      S::Expiring,  S::Stopping};
        for (S state : allStates())
            QCOMPARE(SessionStates::holdsResource(state), holding.contains(state));
    }

    void namesRoundTripAndAreStable()
    {
        QCOMPARE(allStates().size(), 11);
        for (S state : allStates()) {
            QCOMPARE(SessionStates::fromName(SessionStates::name(state)), state);
            QVERIFY(!SessionStates::label(state).isEmpty());
        }
        // Stored and printed by `spawnai list --json`: renaming breaks users' scripts and old databases.
        QCOMPARE(SessionStates::name(S::Running), QStringLiteral("running"));
        QCOMPARE(int(S::Failed), 10);
        QVERIFY(!SessionStates::fromName(QStringLiteral("exploded")));
        QVERIFY(!SessionStates::fromInt(11));
        QVERIFY(!SessionStates::fromInt(-1));
    }
};

QTEST_GUILESS_MAIN(TestSessionState)
#include "tst_sessionstate.moc"
