#include "budget.h"

namespace Budget {

bool exceedsTarget(double quoteUsd, double targetUsd)
{
    return targetUsd > 0 && quoteUsd > targetUsd + kTolerance;
}

} // namespace Budget

int BudgetAlerts::check(double monthSpendUsd, double budgetUsd, QDate today)
{
    const QString month = today.toString(u"yyyy-MM");
    if (month != m_month) {
        m_month = month;
        m_announced = 0;
    }
    if (budgetUsd <= 0)
        return 0;
    int reached = 0;
    for (const int percent : kThresholds) {
        if (monthSpendUsd + Budget::kTolerance >= budgetUsd * percent / 100.0)
            reached = percent;
    }
    if (reached <= m_announced)
        return 0;
    m_announced = reached;
    return reached;
}

QString BudgetAlerts::state() const
{
    return m_month.isEmpty() ? QString() : m_month + u':' + QString::number(m_announced);
}

void BudgetAlerts::restore(const QString &state)
{
    const QString month = state.section(u':', 0, 0);
    bool ok = false;
    const int announced = state.section(u':', 1, 1).toInt(&ok);
    if (!QDate::fromString(month + u"-01", u"yyyy-MM-dd").isValid() || !ok)
        return;
    m_month = month;
    m_announced = announced;
}
