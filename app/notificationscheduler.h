#pragma once

#include "session.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

// Decides WHEN to tell the user about a session: when it goes live, when a lead time before its expiry is
// reached, when it ends. It says nothing about HOW (that is DesktopIntegration's job) and holds no timers:
// the window feeds it every session change and ticks it once a second, so it is pure logic and testable
// with made-up clocks.
class NotificationScheduler final : public QObject
{
    Q_OBJECT
public:
    explicit NotificationScheduler(QObject *parent = nullptr);

    // Seconds before expiry to warn at (AppSettings::notificationLeadSeconds()). Zero and negative values
    // are dropped, duplicates merged. Default {600, 60}.
    void setLeadTimes(const QList<qint64> &seconds);
    QList<qint64> leadTimes() const { return m_leads; } // largest first

    // Feed every change of every session. Emits live() once when a session this scheduler saw deploying
    // (Provisioning, Uploading, Starting) turns Running or Expiring. A session first seen already live
    // (restored at startup, adopted from a SpawnAI that died) is tracked without a live() — it was announced
    // when it went live — but still gets its lead warnings and ended(). A redeploy in place (Running →
    // Uploading → Running) is not announced again. Emits ended() once when a tracked live session reaches
    // Ended or Failed.
    void sessionChanged(const Session &session);

    // Call about once a second with the sessions that are live now (Running or Expiring). Emits
    // leadReached() once per session and lead when its seconds left drop to the lead or below:
    //  - a lead longer than the session's whole lifetime (start to expiry, extensions included) is skipped:
    //    a 5-minute session gets no "10 min left";
    //  - when several leads are crossed at once (a suspended laptop, a clock step, a session restored late)
    //    only the nearest one is announced: one notice, not a burst;
    //  - nothing is announced with 0 s left: ended() follows;
    //  - an extension that takes the seconds left back above a lead re-arms it.
    void tick(const QList<Session> &liveSessions, const QDateTime &now);

signals:
    void live(const Session &session);
    void leadReached(const Session &session, qint64 leadSeconds);
    // expired: the session ended at or after its expiry (not stopped early, not failed before it).
    void ended(const Session &session, bool expired);

private:
    enum class Phase { Deploying, Live };
    struct Tracked
    {
        Phase phase = Phase::Deploying;
        QList<qint64> firedLeads; // announced (or passed over), until an extension re-arms them
    };

    void checkLeads(const Session &session, Tracked &tracked, const QDateTime &now);

    QList<qint64> m_leads{600, 60};
    QHash<QString, Tracked> m_sessions;
};
