#pragma once

#include <QDate>
#include <QString>

// The user's budget: a target per session and a monthly budget (0: none), and the decisions made from them.
// Amounts are USD. Comparisons allow a millionth of a dollar for rounding, so "exactly at" counts as reached.
namespace Budget {

constexpr double kTolerance = 1e-6;

// A quote above the per-session target is flagged before anything is spent. At the target is fine.
bool exceedsTarget(double quoteUsd, double targetUsd);

// What the month would come to if something costing `quoteUsd` more ran in full.
struct Projection
{
    double spentUsd = 0;     // this month so far, running sessions included
    double committedUsd = 0; // what running sessions will still cost if they run to their expiry
    double quoteUsd = 0;     // the deploy or extension about to be made
    double budgetUsd = 0;

    double totalUsd() const { return spentUsd + committedUsd + quoteUsd; }
    // Asked about only when it is the new spending that takes the month over: once the month is over budget
    // every further deploy would ask, so it is asked about too.
    bool crossesBudget() const { return budgetUsd > 0 && totalUsd() > budgetUsd + kTolerance; }
};

} // namespace Budget

// When to tell the user how the month's spend stands against the monthly budget: once at 80 % and once at
// 100 %, per calendar month. Pure logic, fed the month's spend (every second is fine); the caller keeps
// state() (in the settings) so a restart does not repeat a notice.
class BudgetAlerts
{
public:
    static constexpr int kThresholds[] = {80, 100}; // percent, ascending

    // The threshold (percent) to announce now, or 0. When several are reached at once only the highest is
    // announced: one notice, not a burst. A new month starts again from none.
    int check(double monthSpendUsd, double budgetUsd, QDate today);

    QString state() const; // "2026-11:80": the month and the highest threshold announced in it
    void restore(const QString &state);

private:
    QString m_month; // "yyyy-MM"
    int m_announced = 0;
};
