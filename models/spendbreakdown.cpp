#include "spendbreakdown.h"

#include "costmeter.h"

#include <QTimeZone>

#include <algorithm>

SpendBreakdown::SpendBreakdown(QDate first, QDate last)
    : m_first(first)
    , m_last(std::max(first, last))
{}

void SpendBreakdown::add(const LedgerEntry &line)
{
    switch (line.kind) {
    case LedgerEntry::Kind::Generation:
        addOn(line.provider, line.at.toLocalTime().date(), line.usd);
        return;
    case LedgerEntry::Kind::Runtime:
        addRun(line.provider, line.startedAt.isValid() ? line.startedAt : line.at, line.seconds, line.usd);
        return;
    case LedgerEntry::Kind::Extension:
        return;
    }
}

void SpendBreakdown::addRunning(const Session &session, const QDateTime &now)
{
    if (SessionStates::isTerminal(session.state) || !session.startedAt.isValid())
        return;
    addRun(session.provider, session.startedAt, CostMeter::billableSeconds(session, now),
           CostMeter::runtimeAt(session, now));
}

void SpendBreakdown::addRun(const QString &provider, const QDateTime &start, qint64 seconds, double usd)
{
    if (usd == 0)
        return;
    const QDateTime localStart = start.toLocalTime();
    if (seconds <= 0) {
        addOn(provider, localStart.date(), usd);
        return;
    }
    const QDateTime end = localStart.addSecs(seconds);
    QDateTime from = localStart;
    while (from < end) {
        const QDateTime midnight = from.date().addDays(1).startOfDay();
        const QDateTime to = std::min(midnight, end);
        addOn(provider, from.date(), usd * double(from.secsTo(to)) / double(seconds));
        from = to;
    }
}

void SpendBreakdown::addOn(const QString &provider, QDate day, double usd)
{
    if (!m_first.isValid() || day < m_first || day > m_last)
        return;
    row(provider)[m_first.daysTo(day)] += usd;
}

std::vector<double> &SpendBreakdown::row(const QString &provider)
{
    auto it = m_byProvider.find(provider);
    if (it == m_byProvider.end())
        it = m_byProvider.insert(provider, std::vector<double>(m_first.daysTo(m_last) + 1, 0.0));
    return *it;
}

double SpendBreakdown::total(QDate from, QDate to) const
{
    double sum = 0;
    for (auto it = m_byProvider.cbegin(); it != m_byProvider.cend(); ++it)
        sum += total(it.key(), from, to);
    return sum;
}

double SpendBreakdown::total(const QString &provider, QDate from, QDate to) const
{
    const auto it = m_byProvider.constFind(provider);
    if (it == m_byProvider.cend() || !m_first.isValid())
        return 0;
    from = std::max(from, m_first);
    to = std::min(to, m_last);
    double sum = 0;
    for (QDate day = from; day <= to; day = day.addDays(1))
        sum += (*it)[m_first.daysTo(day)];
    return sum;
}

QList<double> SpendBreakdown::daily(QDate from, QDate to) const
{
    QList<double> days;
    for (QDate day = from; day <= to; day = day.addDays(1))
        days << onDay(day);
    return days;
}

QStringList SpendBreakdown::providers() const
{
    QStringList keys = m_byProvider.keys();
    keys.sort();
    return keys;
}
