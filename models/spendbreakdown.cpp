#include "spendbreakdown.h"

#include "costmeter.h"

#include <algorithm>

SpendBreakdown::SpendBreakdown(QDate first, QDate last)
    : m_first(first)
    , m_last(std::max(first, last))
{
    for (QDate day = m_first; day <= m_last.addDays(1); day = day.addDays(1))
        m_midnightsMs.push_back(day.startOfDay().toMSecsSinceEpoch());
}

void SpendBreakdown::add(const LedgerEntry &line)
{
    switch (line.kind) {
    case LedgerEntry::Kind::Generation:
        addAt(line.provider, line.at, line.usd);
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
    if (seconds <= 0) {
        addAt(provider, start, usd);
        return;
    }
    const qint64 startMs = start.toMSecsSinceEpoch();
    const qint64 endMs = startMs + seconds * 1000;
    if (m_midnightsMs.size() < 2 || endMs <= m_midnightsMs.front() || startMs >= m_midnightsMs.back())
        return;
    // The first day the run touches, then each following day while it lasts.
    auto day = std::upper_bound(m_midnightsMs.cbegin(), m_midnightsMs.cend(), startMs);
    std::size_t index = day == m_midnightsMs.cbegin() ? 0 : std::size_t(day - m_midnightsMs.cbegin()) - 1;
    for (; index + 1 < m_midnightsMs.size() && m_midnightsMs[index] < endMs; ++index) {
        const qint64 from = std::max(startMs, m_midnightsMs[index]);
        const qint64 to = std::min(endMs, m_midnightsMs[index + 1]);
        if (to > from)
            row(provider)[index] += usd * double(to - from) / double(endMs - startMs);
    }
}

void SpendBreakdown::addAt(const QString &provider, const QDateTime &at, double usd)
{
    const qint64 ms = at.toMSecsSinceEpoch();
    if (m_midnightsMs.size() < 2 || ms < m_midnightsMs.front() || ms >= m_midnightsMs.back())
        return;
    const auto next = std::upper_bound(m_midnightsMs.cbegin(), m_midnightsMs.cend(), ms);
    row(provider)[std::size_t(next - m_midnightsMs.cbegin()) - 1] += usd;
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
