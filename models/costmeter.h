#pragma once

#include "pricingcatalogue.h"
#include "result.h"
#include "session.h"

#include <QDateTime>
#include <QHash>
#include <QString>

// What a lifetime on a provider size would cost, before anything runs.
struct Quote
{
    QString provider;
    QString size; // resolved: the provider's default when none was asked for
    qint64 seconds = 0;
    double usd = 0;
    Rate rate;
    bool minimumApplied = false; // the provider's minimum charge is more than seconds × rate
};

// Money a session costs, from its stored start, rate and end (times are the stored UTC ones, so the figure
// survives restarts). Billing starts when the session became Running (startedAt) and stops at endedAt; while
// it runs it is capped at expiresAt, because every provider SpawnAI drives ends the resource by then. Local
// always costs $0, whatever rate was stored.
class CostMeter
{
public:
    // Seconds billed up to `now`: 0 before Running and never negative. An ended (or failed) session's
    // seconds are fixed by its stored times and do not depend on `now`.
    static qint64 billableSeconds(const Session &session, const QDateTime &now);
    // seconds × rate, raised to the minimum charge once anything has run.
    static double charge(double ratePerSecond, qint64 seconds, const MinimumCharge &minimum = {});
    static double accruedAt(const Session &session, const QDateTime &now, const MinimumCharge &minimum = {});
    // An empty size means the provider's default.
    static Result<Quote> quote(const PricingCatalogue &catalogue, const QString &provider,
                               const QString &size, qint64 lifetimeSeconds);

    // accruedAt, but never less than this meter reported before for the same run of the same session:
    // a wall clock stepped backwards (NTP, the user) must not make a live cost go down.
    double accrued(const Session &session, const QDateTime &now, const MinimumCharge &minimum = {});
    void forget(const QString &sessionId);

private:
    struct Mark
    {
        qint64 startedAtMs = 0; // which run the mark belongs to
        qint64 seconds = 0;     // the most seconds reported for it
    };
    QHash<QString, Mark> m_marks;
};

// "$0.17" from a cent up, "$0.0042" below a cent, "<$0.0001" for less than that, "$0.00" for nothing.
QString formatUsd(double usd);
