#include "costtracker.h"

#include "costmeter.h"
#include "store.h"

CostTracker::CostTracker(Store &store, QObject *parent)
    : QObject(parent)
    , m_store(store)
{}

QDate CostTracker::firstDay(QDate today)
{
    return std::min(today.addDays(1 - kChartDays), QDate(today.year(), today.month(), 1));
}

Result<void> CostTracker::update(const QList<Session> &unended, const QDateTime &now)
{
    const QDate today = now.toLocalTime().date();
    const QDate first = firstDay(today);
    Result<void> read;
    if (m_stale || today != m_today) {
        // To the end of today: a line recorded "later" by a clock ahead of ours still counts.
        auto lines = m_store.ledger(first.startOfDay().toUTC(), today.addDays(1).startOfDay().toUTC());
        if (lines) {
            m_stale = false;
            m_ledgerSpend = SpendBreakdown(first, today);
            for (const LedgerEntry &line : std::as_const(*lines))
                m_ledgerSpend.add(line);
        } else {
            read = Error{lines.error()};
            m_stale = true; // try again next time
        }
        m_today = today;
    }
    // The ledger's part is worked out once per read; only what unended sessions ran up changes every second.
    m_spend = m_ledgerSpend;
    m_committedUsd = 0;
    for (const Session &session : unended) {
        m_spend.addRunning(session, now);
        m_committedUsd += CostMeter::stillToRun(session, now);
    }
    if (const int percent = m_alerts.check(monthUsd(), m_monthlyBudgetUsd, today))
        emit budgetReached(percent, monthUsd(), m_monthlyBudgetUsd);
    return read;
}

double CostTracker::todayUsd() const
{
    return m_spend.onDay(m_today);
}

double CostTracker::monthUsd() const
{
    return m_spend.total(QDate(m_today.year(), m_today.month(), 1), m_today);
}

void CostTracker::setBudget(double monthlyUsd, double sessionTargetUsd)
{
    m_monthlyBudgetUsd = std::max(0.0, monthlyUsd);
    m_sessionTargetUsd = std::max(0.0, sessionTargetUsd);
}

Budget::Projection CostTracker::projection(double quoteUsd) const
{
    return {.spentUsd = monthUsd(),
            .committedUsd = m_committedUsd,
            .quoteUsd = quoteUsd,
            .budgetUsd = m_monthlyBudgetUsd};
}
