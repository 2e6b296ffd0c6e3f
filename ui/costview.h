#pragma once

#include "session.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QWidget>

struct Session;

class CostSummaryModel;
class CostTracker;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;
class SessionFilterProxy;
class SessionTableModel;
class SpendChart;

// The Costs tab beside the session table: totals (running now, today, this month against the budget), the
// unended sessions with their countdown, cost so far, lifetime quote and generation cost, spend per provider,
// and a chart of the last 30 days. Reads everything from the CostTracker and the session model; refresh()
// once a second while it is visible.
class CostView final : public QWidget
{
    Q_OBJECT
public:
    CostView(CostTracker &tracker, SessionTableModel *sessions, QWidget *parent = nullptr);

    // After CostTracker::update() with the same `unended` sessions: the figures as of `now`. Provider keys
    // are shown by `names`.
    void refresh(const QDateTime &now, const QList<Session> &unended, const QHash<QString, QString> &names);

    QString selectedSessionId() const;
    CostSummaryModel *summaryModel() const { return m_summary; }
    QTableView *sessionsView() const { return m_sessionsView; }
    SpendChart *chart() const { return m_chart; }

signals:
    void explainRequested(const QString &sessionId);
    void compareRequested();
    void exportRequested();

private:
    QLabel *addFigure(class QGridLayout *grid, int column, const QString &caption, const QString &name);
    void updateButtons();

    CostTracker &m_tracker;
    SessionTableModel *m_sessions;
    SessionFilterProxy *m_unended = nullptr;
    CostSummaryModel *m_summary = nullptr;
    QLabel *m_running = nullptr;
    QLabel *m_today = nullptr;
    QLabel *m_month = nullptr;
    QLabel *m_budgetText = nullptr;
    QProgressBar *m_budget = nullptr;
    QTableView *m_sessionsView = nullptr;
    QTableView *m_providersView = nullptr;
    SpendChart *m_chart = nullptr;
    QPushButton *m_explain = nullptr;
};
