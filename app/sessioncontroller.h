#pragma once

#include "provider.h"
#include "result.h"
#include "session.h"

#include <QDeadlineTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <functional>

class InstanceLock;
class PricingCatalogue;
class Store;

struct DeployOptions
{
    QString provider;
    QString size; // empty: the provider's default
    qint64 ttlSeconds = 0;
    QString name;         // empty: the app's title
    quint16 hostPort = 0; // Local: 0 picks a free port
    // USD: what generating this app cost (Claude's tokens), counted in the session's cost.
    double generationCostUsd = 0;
};

// The session lifecycle: the deploy pipeline, expiry on a monotonic clock, stop and extend, and recovery of
// what SpawnAI processes that died left behind. Every transition is committed to the store before the side
// effect it announces, so a crash at any point can be reconciled.
class SessionController final : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kExpiringLeadSeconds = 10 * 60;
    // Slack between the provider-side deadline and the session's, for the time the deploy itself takes.
    static constexpr qint64 kServerSideGraceSeconds = 5 * 60;

    SessionController(Store &store, const InstanceLock &instance, const PricingCatalogue &pricing,
                      QObject *parent = nullptr);
    ~SessionController() override;

    void addProvider(Provider *provider); // takes ownership
    Provider *provider(const QString &key) const;
    QStringList providerKeys() const;

    // Checks the request, records the session (intent first) and starts deploying. The new session's id, or
    // why nothing was started (nothing is recorded then).
    Result<QString> deploy(const AppBundle &bundle, const DeployOptions &options);
    // Puts a new revision onto a running session in place: same URL, the lifetime runs on. The revision is
    // stored (with the session's current one as its parent) before anything changes. What generating it cost
    // is added to the session's cost.
    Result<void> redeploy(const QString &sessionId, const AppBundle &bundle, double generationCostUsd = 0);
    // Stops a deploying or running session. A session another live SpawnAI process runs is asked to stop.
    Result<void> stop(const QString &sessionId);
    Result<void> extend(const QString &sessionId, qint64 seconds);

    // Tests step the wall clock with this (a clock jump); the monotonic deadlines run on.
    void setWallClockForTesting(std::function<QDateTime()> clock);

    // Destroys what dead SpawnAI processes left behind: their expired or unadoptable sessions and orphaned
    // resources. Emits recoveryFinished when every destroy has been answered. Then reconciles every few
    // minutes.
    void recover();
    // Lists what each configured cloud provider runs for this installation: adopts what the store knows,
    // destroys duplicates, leftovers of ended sessions and expired unknown resources, shows unknown ones as
    // sessions, and fails running sessions whose resource is gone.
    void reconcile();

    // The sessions this process drives, as last committed.
    QList<Session> ownedSessions() const;
    std::optional<Session> ownedSession(const QString &sessionId) const;

signals:
    void sessionChanged(const Session &session);
    void deployProgress(const QString &sessionId, DeployStage stage, const QString &detail);
    void recoveryFinished(int cleanedUp);
    // The provider refused an extension (the session keeps its old expiry); `message` says why.
    void extendFailed(const QString &sessionId, const QString &message);
    // The store refused a write (disk full, read-only): shown to the user, the affected resource is
    // destroyed.
    void storageFailed(const QString &message);

private:
    Result<void> commit(Session &session, SessionState to, const QString &detail);
    void runDeployJob(const QString &sessionId, DeployJob *job);
    void onDeployStage(const QString &sessionId, DeployStage stage, const QString &detail);
    void onDeployFinished(const QString &sessionId, const DeployResult &result);
    void onResourceLost(const QString &sessionId, FailureReason reason, const QString &message);
    void destroyResource(const QString &sessionId, SessionState endState, const QString &detail,
                         int attempt = 0);
    void endSession(Session &session, SessionState endState, const QString &detail);
    void armDeadline(const QString &sessionId, qint64 msLeft, bool reschedule = true);
    QDateTime nowUtc() const;
    // Now, for billing a session: proof against a wall clock stepped backwards while it ran.
    QDateTime sessionNow(const Session &session) const;
    void onExpiryTimer();
    void rescheduleExpiryTimer();
    void pollStopRequests();
    // Adopts a dead owner's session or starts destroying it; true when a destroy was started.
    bool recoverSession(Session session, bool reschedule = true);
    void reconcileProvider(Provider *provider, bool duringRecovery);
    void applyListing(Provider *provider, const QList<RemoteResource> &resources, const QDateTime &listedAt,
                      bool duringRecovery);
    // True when any was adopted (the caller reschedules the expiry timer once).
    bool adoptOrphans(const ProviderCapabilities &caps, const QList<RemoteResource> &resources);
    void recoveryJobDone();

    Store &m_store;
    const InstanceLock &m_instance;
    const PricingCatalogue &m_pricing;
    QHash<QString, Provider *> m_providers;
    QHash<QString, Session> m_owned;
    QHash<QString, QPointer<DeployJob>> m_deploys;
    QHash<QString, QDeadlineTimer> m_deadlines;
    std::function<QDateTime()> m_wallClock; // empty: the system's
    QSet<QString> m_recovering;
    QTimer m_expiryTimer;
    QTimer m_pollTimer;
    QTimer m_reconcileTimer;
    int m_recoveryJobs = 0;
    int m_recoveryCleaned = 0;
};
