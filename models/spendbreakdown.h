#pragma once

#include "ledgerentry.h"
#include "session.h"

#include <QDate>
#include <QDateTime>
#include <QHash>
#include <QList>
#include <QStringList>

#include <vector>

// Money spent per local calendar day and provider over a range of days, from ledger lines (what was spent)
// and sessions still running (what they have run up so far, not yet in the ledger). A run is split over the
// days it ran on, in proportion to its seconds, so a session across midnight or a month's end counts in both.
// Generations count under the provider "claude". Extension lines are commitments, not spend: not counted.
class SpendBreakdown
{
public:
    SpendBreakdown() = default;
    SpendBreakdown(QDate first, QDate last); // inclusive, local days

    QDate first() const { return m_first; }
    QDate last() const { return m_last; }

    void add(const LedgerEntry &line);
    // A session that has not ended: its runtime from its start up to `now` (CostMeter::runtimeAt). Ended
    // sessions are skipped: their Runtime line says what they cost.
    void addRunning(const Session &session, const QDateTime &now);

    // Totals over the inclusive local days [from, to], clamped to the range.
    double total(QDate from, QDate to) const;
    double total(const QString &provider, QDate from, QDate to) const;
    double onDay(QDate day) const { return total(day, day); }
    // Per day from `from` to `to`, oldest first.
    QList<double> daily(QDate from, QDate to) const;
    QStringList providers() const; // those with any line or run in the range, sorted

private:
    // Adds `usd` for a run of `seconds` from `start`, split over local days.
    void addRun(const QString &provider, const QDateTime &start, qint64 seconds, double usd);
    void addAt(const QString &provider, const QDateTime &at, double usd);
    std::vector<double> &row(const QString &provider);

    QDate m_first;
    QDate m_last;
    // The local midnights from m_first to the day after m_last, in ms since the epoch: worked out once, so
    // splitting a run is integer arithmetic (time zone conversions per line made a month of 10,000 lines cost
    // 60 ms).
    std::vector<qint64> m_midnightsMs;
    QHash<QString, std::vector<double>> m_byProvider; // provider → usd per day, index 0 = m_first
};
