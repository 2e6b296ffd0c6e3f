#pragma once

#include <QDateTime>
#include <QHash>
#include <QObject>

class AppCore;
class CostTracker;
class CostView;
class DeployBar;
class DesktopIntegration;
class SessionTableModel;
class QWidget;

// The window's money side, out of MainWindow: the Costs tab and its dialogs (How is this computed?, Compare
// providers, Export ledger), the monthly budget's questions before spending and its tray notices.
class CostPanel final : public QObject
{
    Q_OBJECT
public:
    CostPanel(AppCore &core, SessionTableModel *sessions, DeployBar *deployBar, DesktopIntegration *desktop,
              QWidget *window);

    CostView *view() const { return m_view; }
    CostTracker *tracker() const { return m_tracker; }

    // Once a second: the tracker's figures, and the view's when it is shown.
    void tick(const QDateTime &now);
    // The ledger may have changed (a session changed, a generation was recorded).
    void invalidate();
    void applySettings();
    void setProviderNames(const QHash<QString, QString> &names);

    // Before a deploy or an extension costing `quoteUsd`: true to go ahead. Asks when it would take the month
    // over the monthly budget.
    bool confirmSpending(double quoteUsd, const QString &what);

    void explain(const QString &sessionId);
    void compareProviders();
    void exportLedger();

private:
    AppCore &m_core;
    SessionTableModel *m_sessions;
    DeployBar *m_deployBar;
    DesktopIntegration *m_desktop;
    QWidget *m_window;
    CostTracker *m_tracker;
    CostView *m_view;
    QHash<QString, QString> m_names; // every provider SpawnAI deploys to, and "claude"
    QString m_readError;             // the last ledger read error shown, so it is not repeated every second
};
