// When the user hears about a session: live, 10 min and 1 min before expiry, at the end. Pure logic driven
// by made-up clocks, row by row.
#include "notificationscheduler.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using S = SessionState;

namespace {

const QDateTime kStart = QDateTime(QDate(2026, 11, 28), QTime(12, 0), Qt::UTC);

Session running(qint64 lifetime, const QString &id = u"5b0e6c1d-0000-4000-8000-000000000001"_s)
{
    Session s;
    s.id = id;
    s.name = u"pomodoro"_s;
    s.state = S::Running;
    s.ttlSeconds = lifetime;
    s.createdAt = kStart.addSecs(-5);
    s.startedAt = kStart;
    s.expiresAt = kStart.addSecs(lifetime);
    return s;
}

} // namespace

class TestNotificationScheduler : public QObject
{
    Q_OBJECT

private slots:
    void defaults()
    {
        NotificationScheduler scheduler;
        QCOMPARE(scheduler.leadTimes(), (QList<qint64>{600, 60}));
        scheduler.setLeadTimes({60, 300, 300, 0, -5});
        QCOMPARE(scheduler.leadTimes(), (QList<qint64>{300, 60}));
    }

    // A script of ticks ("t <seconds since start>") and extensions ("x <seconds added>") against one
    // running session; the expected leadReached signals as "<tick>:<lead>".
    void leads_data()
    {
        QTest::addColumn<qint64>("lifetime");
        QTest::addColumn<QList<qint64>>("leads");
        QTest::addColumn<QStringList>("script");
        QTest::addColumn<QStringList>("expected");
        const QList<qint64> standard{600, 60};

        QTest::newRow("2 h: at 10 min and 1 min left, not a second early")
            << qint64(7200) << standard << QStringList{u"t 0"_s,    u"t 6599"_s, u"t 6600"_s, u"t 6601"_s,
                                                       u"t 7139"_s, u"t 7140"_s, u"t 7141"_s, u"t 7199"_s}
            << QStringList{u"6600:600"_s, u"7140:60"_s};
        QTest::newRow("once per lead, however many ticks")
            << qint64(7200) << standard
            << QStringList{u"t 6600"_s, u"t 6600"_s, u"t 6700"_s, u"t 6900"_s, u"t 7150"_s, u"t 7160"_s}
            << QStringList{u"6600:600"_s, u"7150:60"_s};
        QTest::newRow("a lead longer than the lifetime is skipped")
            << qint64(300) << standard
            << QStringList{u"t 0"_s, u"t 100"_s, u"t 239"_s, u"t 240"_s, u"t 250"_s}
            << QStringList{u"240:60"_s};
        QTest::newRow("a lead as long as the lifetime is not longer: at once")
            << qint64(600) << standard << QStringList{u"t 0"_s, u"t 540"_s}
            << QStringList{u"0:600"_s, u"540:60"_s};
        QTest::newRow("a lifetime shorter than every lead: none")
            << qint64(45) << standard << QStringList{u"t 0"_s, u"t 20"_s, u"t 44"_s} << QStringList{};
        QTest::newRow("leads crossed together (suspend): only the nearest")
            << qint64(7200) << standard << QStringList{u"t 100"_s, u"t 7150"_s, u"t 7160"_s}
            << QStringList{u"7150:60"_s};
        QTest::newRow("nothing with 0 s left: the end notice follows")
            << qint64(7200) << standard << QStringList{u"t 6000"_s, u"t 7200"_s, u"t 7300"_s}
            << QStringList{};
        QTest::newRow("an extension re-arms the lead")
            << qint64(1200) << standard
            << QStringList{u"t 600"_s, u"x 1800"_s, u"t 601"_s, u"t 2399"_s, u"t 2400"_s}
            << QStringList{u"600:600"_s, u"2400:600"_s};
        QTest::newRow("an extension re-arms only the leads it clears")
            << qint64(1200) << standard
            << QStringList{u"t 1140"_s, u"x 300"_s, u"t 1141"_s, u"t 1200"_s, u"t 1440"_s}
            << QStringList{u"1140:60"_s, u"1440:60"_s};
        QTest::newRow("an extension makes a skipped lead apply")
            << qint64(300) << standard << QStringList{u"t 0"_s, u"x 1800"_s, u"t 1"_s, u"t 1500"_s}
            << QStringList{u"1500:600"_s};
        QTest::newRow("extended before the lead: nothing early")
            << qint64(1200) << standard << QStringList{u"t 100"_s, u"x 1800"_s, u"t 600"_s, u"t 2399"_s}
            << QStringList{};
        QTest::newRow("custom leads, unsorted, duplicates and nonsense dropped")
            << qint64(3600) << QList<qint64>{60, 300, 300, 0, -5}
            << QStringList{u"t 3299"_s, u"t 3300"_s, u"t 3540"_s} << QStringList{u"3300:300"_s, u"3540:60"_s};
        QTest::newRow("no leads: silence")
            << qint64(3600) << QList<qint64>{} << QStringList{u"t 3000"_s, u"t 3599"_s} << QStringList{};
    }

    void leads()
    {
        QFETCH(qint64, lifetime);
        QFETCH(QList<qint64>, leads);
        QFETCH(QStringList, script);
        QFETCH(QStringList, expected);

        NotificationScheduler scheduler;
        scheduler.setLeadTimes(leads);
        Session session = running(lifetime);
        QStringList got;
        qint64 now = 0;
        connect(&scheduler, &NotificationScheduler::leadReached, this,
                [&](const Session &reached, qint64 lead) {
                    QCOMPARE(reached.id, session.id);
                    got << u"%1:%2"_s.arg(now).arg(lead);
                });
        for (const QString &step : std::as_const(script)) {
            const qint64 value = step.mid(2).toLongLong();
            if (step.startsWith(u't')) {
                now = value;
                scheduler.tick({session}, kStart.addSecs(now));
            } else {
                session.expiresAt = session.expiresAt.addSecs(value);
                session.ttlSeconds += value;
            }
        }
        QCOMPARE(got, expected);
    }

    void leadsPerSession()
    {
        NotificationScheduler scheduler;
        QSignalSpy reached(&scheduler, &NotificationScheduler::leadReached);
        const Session shortOne = running(900, u"a"_s);
        const Session longOne = running(7200, u"b"_s);
        scheduler.tick({shortOne, longOne}, kStart.addSecs(300)); // a: 600 left
        QCOMPARE(reached.size(), 1);
        QCOMPARE(reached.at(0).at(0).value<Session>().id, u"a"_s);
        QCOMPARE(reached.at(0).at(1).toLongLong(), 600);
        scheduler.tick({longOne}, kStart.addSecs(6600)); // b: 600 left; a missing from one tick is fine
        scheduler.tick({shortOne, longOne}, kStart.addSecs(6601));
        QCOMPARE(reached.size(), 2);
        QCOMPARE(reached.at(1).at(0).value<Session>().id, u"b"_s);
    }

    void leadsOnlyForLiveSessions()
    {
        NotificationScheduler scheduler;
        QSignalSpy reached(&scheduler, &NotificationScheduler::leadReached);
        Session stopping = running(900);
        stopping.state = S::Stopping;
        Session noExpiry = running(900, u"b"_s);
        noExpiry.expiresAt = QDateTime();
        scheduler.tick({stopping, noExpiry}, kStart.addSecs(880));
        QCOMPARE(reached.size(), 0);
    }

    // The states one session goes through, fed in order; when it ends, endedAt is its expiry plus
    // endOffset seconds.
    void liveAndEnded_data()
    {
        QTest::addColumn<QList<S>>("states");
        QTest::addColumn<qint64>("endOffset");
        QTest::addColumn<int>("lives");
        QTest::addColumn<int>("ends");
        QTest::addColumn<bool>("expired");

        const QList<S> deploy{S::Ready, S::Provisioning, S::Uploading, S::Starting};
        QTest::newRow("deployed, stopped early")
            << (deploy + QList<S>{S::Running, S::Stopping, S::Ended}) << qint64(-1) << 1 << 1 << false;
        QTest::newRow("deployed, expired: ended at its expiry")
            << (deploy + QList<S>{S::Running, S::Expiring, S::Stopping, S::Ended}) << qint64(0) << 1 << 1
            << true;
        QTest::newRow("deployed, expired: the destroy took a while")
            << (deploy + QList<S>{S::Running, S::Expiring, S::Stopping, S::Ended}) << qint64(3) << 1 << 1
            << true;
        QTest::newRow("short session: straight to Expiring is live too")
            << (deploy + QList<S>{S::Expiring, S::Stopping, S::Ended}) << qint64(0) << 1 << 1 << true;
        QTest::newRow("extended: Expiring → Running is not a new live")
            << (deploy + QList<S>{S::Running, S::Expiring, S::Running, S::Expiring, S::Stopping, S::Ended})
            << qint64(1) << 1 << 1 << true;
        QTest::newRow("redeployed in place: not announced twice")
            << (deploy + QList<S>{S::Running, S::Uploading, S::Starting, S::Running, S::Stopping, S::Ended})
            << qint64(-600) << 1 << 1 << false;
        QTest::newRow("failed while running, before expiry")
            << (deploy + QList<S>{S::Running, S::Failed}) << qint64(-100) << 1 << 1 << false;
        QTest::newRow("deploy failed: never live, nothing to end")
            << (deploy + QList<S>{S::Failed}) << qint64(-7000) << 0 << 0 << false;
        QTest::newRow("deploy stopped half way")
            << (deploy + QList<S>{S::Stopping, S::Ended}) << qint64(-7000) << 0 << 0 << false;
        QTest::newRow("ended twice: one notice")
            << (deploy + QList<S>{S::Running, S::Stopping, S::Ended, S::Ended}) << qint64(0) << 1 << 1
            << true;
        QTest::newRow("first seen running (restored): no live, but its end")
            << QList<S>{S::Running, S::Expiring, S::Stopping, S::Ended} << qint64(0) << 0 << 1 << true;
        QTest::newRow("first seen ended (history): nothing")
            << QList<S>{S::Ended} << qint64(0) << 0 << 0 << false;
        QTest::newRow("first seen stopping: nothing")
            << QList<S>{S::Stopping, S::Ended} << qint64(0) << 0 << 0 << false;
        QTest::newRow("drafts only: nothing")
            << QList<S>{S::Draft, S::Generating, S::Ready, S::Failed} << qint64(0) << 0 << 0 << false;
    }

    void liveAndEnded()
    {
        QFETCH(QList<S>, states);
        QFETCH(qint64, endOffset);
        QFETCH(int, lives);
        QFETCH(int, ends);
        QFETCH(bool, expired);

        NotificationScheduler scheduler;
        QSignalSpy live(&scheduler, &NotificationScheduler::live);
        QSignalSpy ended(&scheduler, &NotificationScheduler::ended);
        Session session = running(7200);
        for (S state : std::as_const(states)) {
            session.state = state;
            if (SessionStates::isTerminal(state))
                session.endedAt = session.expiresAt.addSecs(endOffset);
            scheduler.sessionChanged(session);
        }
        QCOMPARE(live.size(), lives);
        QCOMPARE(ended.size(), ends);
        if (lives > 0) {
            const Session announced = live.at(0).at(0).value<Session>();
            QCOMPARE(announced.id, session.id);
            QVERIFY(announced.state == S::Running || announced.state == S::Expiring);
        }
        if (ends > 0) {
            QCOMPARE(ended.at(0).at(0).value<Session>().id, session.id);
            QCOMPARE(ended.at(0).at(1).toBool(), expired);
        }
    }

    void endedWithoutEndTimeUsesNow()
    {
        NotificationScheduler scheduler;
        QSignalSpy ended(&scheduler, &NotificationScheduler::ended);
        // No endedAt stored (a failure before the end was recorded): the wall clock decides.
        Session past = running(60, u"past"_s);
        past.startedAt = QDateTime::currentDateTimeUtc().addSecs(-120);
        past.expiresAt = past.startedAt.addSecs(60);
        Session future = running(3600, u"future"_s);
        future.startedAt = QDateTime::currentDateTimeUtc();
        future.expiresAt = future.startedAt.addSecs(3600);
        for (Session *s : {&past, &future}) {
            scheduler.sessionChanged(*s); // Running: tracked
            s->state = S::Failed;         // no endedAt
            scheduler.sessionChanged(*s);
        }
        QCOMPARE(ended.size(), 2);
        QCOMPARE(ended.at(0).at(1).toBool(), true);
        QCOMPARE(ended.at(1).at(1).toBool(), false);
    }

    void tickedSessionEndsWithNotice()
    {
        // A session the scheduler only ever saw in a tick (the window started after it went live).
        NotificationScheduler scheduler;
        QSignalSpy ended(&scheduler, &NotificationScheduler::ended);
        QSignalSpy live(&scheduler, &NotificationScheduler::live);
        Session session = running(7200);
        scheduler.tick({session}, kStart.addSecs(10));
        session.state = S::Ended;
        session.endedAt = session.expiresAt;
        scheduler.sessionChanged(session);
        QCOMPARE(live.size(), 0);
        QCOMPARE(ended.size(), 1);
        QCOMPARE(ended.at(0).at(1).toBool(), true);
    }
};

QTEST_GUILESS_MAIN(TestNotificationScheduler)
#include "tst_notificationscheduler.moc"
