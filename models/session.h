#pragma once

#include "failurereason.h"
#include "ratebasis.h"
#include "sessionstate.h"

#include <QDateTime>
#include <QString>
#include <QUrl>

// One deployment of one app revision on one provider, as stored. Times are UTC.
struct Session
{
    QString id; // UUID without braces
    QString name;
    QString provider; // provider key: "local", "e2b", ...
    QString size;     // provider size key; empty where the provider has none
    SessionState state = SessionState::Draft;
    FailureReason failure = FailureReason::None;
    QString failureMessage; // what happened and what to do, shown to the user

    qint64 ttlSeconds = 0; // lifetime asked for, including extensions
    QDateTime createdAt;
    QDateTime startedAt; // became Running; the cost meter starts here
    QDateTime expiresAt; // stored UTC expiry, used after a restart
    QDateTime endedAt;

    QUrl url;
    QString resourceId;       // the provider's handle for what it created
    QString revisionId;       // content-addressed code revision
    double ratePerSecond = 0; // USD per second, the rate used when it was deployed
    RateBasis rateBasis;      // where that rate came from
    bool unsandboxed = false; // Local without bubblewrap, by the user's explicit opt-in
    // USD: what generating the code this session runs cost (Claude's tokens). Counted in the session's cost
    // (CostMeter) on top of what the provider bills, so a free Local run of a generated app is not free.
    double generationCostUsd = 0;

    QString owner;              // the SpawnAI instance driving it (see InstanceLock)
    bool stopRequested = false; // another process asked the owner to stop it

    bool isActive() const { return SessionStates::isActive(state); }
    qint64 secondsLeft(const QDateTime &now) const
    {
        return expiresAt.isValid() ? std::max<qint64>(0, now.secsTo(expiresAt)) : 0;
    }
};
