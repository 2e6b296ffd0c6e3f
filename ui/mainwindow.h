#pragma once

#include "costmeter.h"
#include "session.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class AppCore;
class AppPane;
class CostPanel;
class DeployBar;
class DesktopIntegration;
class GenerationController;
class GenerationFlow;
class PromptPane;
class QTabWidget;
class RevisionsPanel;
class LogPane;
class NotificationScheduler;
class QLabel;
class QLineEdit;
class QMenu;
class QTableView;
class SecretStore;
class SessionFeed;
class SessionFilterProxy;
class SessionTableModel;

// The control panel: the app pane with its editor and the deploy bar, the session table with its log, the
// status bar, menus and shortcuts; the tray and notifications through DesktopIntegration.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(AppCore &core, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads the sessions and starts following them, the countdown and recovery. Call once, after show().
    void start();

    SessionTableModel *sessionModel() const { return m_model; }
    QTableView *sessionView() const { return m_view; }
    AppPane *appPane() const { return m_appPane; }
    CostPanel *costPanel() const { return m_costs; }
    QTabWidget *sessionTabs() const { return m_sessionTabs; }

public slots:
    void deploy();
    void bringToFront();
    // Quits, asking first when sessions are running.
    void requestQuit();

signals:
    void settingsApplied();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void refreshProviders();
    void buildMenus();
    void buildSessionActions();
    void tick();
    void updateStatusBar(const QDateTime &now);
    void updateActions();
    void onSessionChanged(const Session &session);
    void onSelectionChanged();
    void showContextMenu(const QPoint &pos);
    std::optional<Session> selectedSession() const;

    void openUrl(const QString &sessionId);
    void copyUrl();
    void extend(const QString &sessionId, qint64 seconds);
    void extendCustom();
    void stop(const QString &sessionId);
    void redeploy();
    // Generate & Deploy: a refine of the app a running session runs goes onto that session in place.
    void deployGenerated();
    void showFiles();
    // Loads a stored revision into the editor; what the editor held is kept as a revision first.
    void loadRevision(const QString &revisionId, const QString &source);
    void removeFromHistory();
    void openSettings();
    void applySettings();
    // Stops what this window runs and quits once all of it has ended.
    void stopAllAndQuit();

    AppCore &m_core;
    SecretStore *m_secrets = nullptr;
    SessionFeed *m_feed = nullptr;
    SessionTableModel *m_model = nullptr;
    SessionFilterProxy *m_proxy = nullptr;
    AppPane *m_appPane = nullptr;
    PromptPane *m_promptPane = nullptr;
    GenerationController *m_generation = nullptr;
    GenerationFlow *m_flow = nullptr;
    DeployBar *m_deployBar = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    LogPane *m_log = nullptr;
    RevisionsPanel *m_revisions = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    QTabWidget *m_sessionTabs = nullptr; // Sessions | Costs
    CostPanel *m_costs = nullptr;
    QLabel *m_status = nullptr;
    DesktopIntegration *m_desktop = nullptr;
    NotificationScheduler *m_scheduler = nullptr;
    QTimer m_ticker;
    CostMeter m_meter;
    QString m_deployingId;  // the deploy started from the deploy bar, whose stages the bar shows
    QString m_appSessionId; // the session last deployed from (or shown in) the editor: a refine updates it
    bool m_quitting = false;
    bool m_trayHintShown = false;

    QAction *m_deployAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_copyUrlAction = nullptr;
    QAction *m_extendAction = nullptr;
    QAction *m_extendHourAction = nullptr;
    QAction *m_extendCustomAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_redeployAction = nullptr;
    QAction *m_showFilesAction = nullptr;
    QAction *m_showLogAction = nullptr;
    QAction *m_removeAction = nullptr;
    QAction *m_explainCostAction = nullptr;
};
