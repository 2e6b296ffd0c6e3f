#pragma once

#include "budget.h"
#include "result.h"
#include "session.h"
#include "spendbreakdown.h"

#include <QDate>
#include <QList>
#include <QObject>

class Store;

// The money side of the window, without widgets: the cost ledger of the days the cost view shows (read from
// the store again when it may have changed: a session ended or was extended, a generation was recorded,
// another SpawnAI process wrote), what unended sessions add to it, the budget's decisions and its notices.
class CostTracker final : public QObject
{
    Q_OBJECT
public:
    static constexpr int kChartDays = 30;

    explicit CostTracker(Store &store, QObject *parent = nullptr);

    // The first day the view needs: 30 days back, or the first of the month if that is earlier.
    static QDate firstDay(QDate today);

    // The ledger is read again on the next update().
    void invalidate() { m_stale = true; }
    // Re-reads the ledger if it is stale or the day changed, then works out the spend with `unended`
    // sessions' runs so far and checks the month against the budget (budgetReached). The error says why the
    // ledger could not be read; the last lines read are kept.
    Result<void> update(const QList<Session> &unended, const QDateTime &now);

    const SpendBreakdown &spend() const { return m_spend; }
    QDate today() const { return m_today; }
    double todayUsd() const;
    double monthUsd() const;
    // What `unended` sessions will still cost if they run until they expire (as of the last update).
    double committedUsd() const { return m_committedUsd; }

    void setBudget(double monthlyUsd, double sessionTargetUsd);
    double monthlyBudgetUsd() const { return m_monthlyBudgetUsd; }
    double sessionTargetUsd() const { return m_sessionTargetUsd; }
    // The month if something costing `quoteUsd` more ran in full.
    Budget::Projection projection(double quoteUsd) const;

    // The notices already given this month, as the settings keep them across restarts.
    QString alertState() const { return m_alerts.state(); }
    void restoreAlertState(const QString &state) { m_alerts.restore(state); }

signals:
    // The month's spend reached `percent` (80, 100) of the monthly budget: once per threshold and month.
    void budgetReached(int percent, double monthUsd, double budgetUsd);

private:
    Store &m_store;
    SpendBreakdown m_ledgerSpend; // the ledger lines alone, as last read
    SpendBreakdown m_spend;       // and what unended sessions ran up, as of the last update
    QDate m_today;
    bool m_stale = true;
    double m_committedUsd = 0;
    double m_monthlyBudgetUsd = 0;
    double m_sessionTargetUsd = 0;
    BudgetAlerts m_alerts;
};
