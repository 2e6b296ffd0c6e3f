#include "notificationscheduler.h"

#include <QLoggingCategory>

#include <algorithm>
#include <functional>

namespace {
Q_LOGGING_CATEGORY(lcNotify, "spawnai.app.notify")

bool isLive(SessionState state)
{
    return state == SessionState::Running || state == SessionState::Expiring;
}

// The states a deploy walks through before the session answers: seeing one of them is what makes a later
// Running a "just went live" rather than "was already live when we started watching".
bool isDeploying(SessionState state)
{
    return state == SessionState::Provisioning || state == SessionState::Uploading ||
           state == SessionState::Starting;
}

// The whole lifetime, extensions included; what a lead is compared with to decide whether it applies.
qint64 lifetimeSeconds(const Session &session)
{
    if (session.startedAt.isValid() && session.expiresAt.isValid())
        return session.startedAt.secsTo(session.expiresAt);
    return session.ttlSeconds;
}

bool endedExpired(const Session &session)
{
    if (!session.expiresAt.isValid())
        return false;
    const QDateTime end = session.endedAt.isValid() ? session.endedAt : QDateTime::currentDateTimeUtc();
    return end >= session.expiresAt;
}
} // namespace

NotificationScheduler::NotificationScheduler(QObject *parent)
    : QObject(parent)
{}

void NotificationScheduler::setLeadTimes(const QList<qint64> &seconds)
{
    QList<qint64> leads;
    for (qint64 lead : seconds) {
        if (lead > 0)
            leads.append(lead);
    }
    std::sort(leads.begin(), leads.end(), std::greater<>());
    leads.erase(std::unique(leads.begin(), leads.end()), leads.end());
    m_leads = leads;
}

void NotificationScheduler::sessionChanged(const Session &session)
{
    const auto it = m_sessions.find(session.id);
    if (SessionStates::isTerminal(session.state)) {
        if (it == m_sessions.end())
            return;
        const bool wasLive = it->phase == Phase::Live;
        m_sessions.erase(it); // terminal states are final: nothing more to say about it
        if (wasLive) {
            const bool expired = endedExpired(session);
            qCDebug(lcNotify) << "ended" << session.id << (expired ? "expired" : "before expiry");
            emit ended(session, expired);
        }
        return;
    }
    if (isLive(session.state)) {
        if (it == m_sessions.end()) {
            m_sessions.insert(session.id, Tracked{Phase::Live, {}});
        } else if (it->phase == Phase::Deploying) {
            it->phase = Phase::Live;
            qCDebug(lcNotify) << "live" << session.id;
            emit live(session);
        }
        return;
    }
    if (isDeploying(session.state) && it == m_sessions.end())
        m_sessions.insert(session.id, Tracked{Phase::Deploying, {}});
}

void NotificationScheduler::tick(const QList<Session> &liveSessions, const QDateTime &now)
{
    for (const Session &session : liveSessions) {
        if (!isLive(session.state) || !session.expiresAt.isValid())
            continue;
        auto it = m_sessions.find(session.id);
        if (it == m_sessions.end()) // ticked before any change reached us: live, unannounced
            it = m_sessions.insert(session.id, Tracked{Phase::Live, {}});
        checkLeads(session, *it, now);
    }
}

void NotificationScheduler::checkLeads(const Session &session, Tracked &tracked, const QDateTime &now)
{
    const qint64 left = session.secondsLeft(now);
    // An extension took the session back above a lead: warn again when it gets there.
    tracked.firedLeads.removeIf([left](qint64 lead) { return left > lead; });

    const qint64 lifetime = lifetimeSeconds(session);
    qint64 nearest = 0;
    for (qint64 lead : std::as_const(m_leads)) { // largest first
        if (lead > lifetime || left > lead || tracked.firedLeads.contains(lead))
            continue;
        tracked.firedLeads.append(lead); // the larger crossed ones are passed over, never announced late
        nearest = lead;
    }
    if (nearest > 0 && left > 0) {
        qCDebug(lcNotify) << "lead" << nearest << "reached for" << session.id << "with" << left << "s left";
        emit leadReached(session, nearest);
    }
}
