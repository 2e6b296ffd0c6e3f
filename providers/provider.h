#pragma once

#include "appbundle.h"
#include "failurereason.h"

#include <QDateTime>
#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

struct ProviderCapabilities
{
    QString key; // "local", "e2b", ...; also the store's provider column
    QString displayName;
    qint64 maxLifetimeSeconds = 0;
    QList<Runtime> runtimes;
    bool canExtend = false;
    bool serverSideTtl = false;  // the provider ends the resource by itself at expiry
    bool outlivesSpawnAI = true; // keeps running (and billing) when SpawnAI exits; Local sandboxes do not
    QString pricingKey;          // provider key in pricing.json
    QStringList sizes;           // size keys; empty where the provider has none
    QString defaultSize;
};

enum class DeployStage { Provisioning, Uploading, Starting, WaitingForUrl };

struct DeployRequest
{
    QString sessionId;
    QString installId;
    QString name;
    AppBundle bundle;
    QDateTime expiresAt; // UTC; providers with a server-side TTL set it from this
    QString size;
    quint16 hostPort = 0; // Local: the port on 127.0.0.1, 0 picks a free one
    QString logPath;      // the app's stdout and stderr
};

// The outcome of any provider operation: ok, or a typed reason with an actionable message.
struct ProviderOutcome
{
    FailureReason failure = FailureReason::None;
    QString message;
    bool ok() const { return failure == FailureReason::None; }
};

struct DeployResult : ProviderOutcome
{
    QUrl url;
    QString resourceId;
    bool unsandboxed = false;
};

// Something a provider runs for SpawnAI, as its list shows it (tags/names decoded).
struct RemoteResource
{
    QString resourceId;
    QString sessionId;
    QString installId;
    QDateTime expiresAt;
    bool running = true; // false: only remains are left (a Fly app whose machine ended), still to delete
};

// Each job emits finished exactly once, then deletes itself.
class DeployJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void start() = 0;
    // Stops the deploy, removes what it created and finishes with FailureReason::Cancelled.
    virtual void cancel() = 0;

signals:
    void stageChanged(DeployStage stage, const QString &detail);
    // Emitted as soon as the provider has something that may bill, so it can be stored before going on.
    void resourceCreated(const QString &resourceId);
    void finished(const DeployResult &result);
};

class ProviderJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void start() = 0;

signals:
    void finished(const ProviderOutcome &outcome);
};

class ListJob : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void start() = 0;

signals:
    void finished(const ProviderOutcome &outcome, const QList<RemoteResource> &resources);
};

class Provider : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual ProviderCapabilities capabilities() const = 0;
    // Why it cannot be used right now (no API key yet), for people; empty when it can.
    virtual QString setupProblem() const { return {}; }
    virtual DeployJob *deploy(const DeployRequest &request) = 0;
    // Puts a new revision onto a running resource in place: same URL, same lifetime.
    virtual DeployJob *redeploy(const QString &resourceId, const DeployRequest &request) = 0;
    // Idempotent: a resource that is already gone counts as destroyed.
    virtual ProviderJob *destroy(const QString &resourceId, const QString &sessionId) = 0;
    virtual ProviderJob *extend(const QString &resourceId, const QDateTime &newExpiresAt) = 0;
    // What this installation has running on the provider, for reconciliation.
    virtual ListJob *list(const QString &installId) = 0;

signals:
    // A running resource ended by itself (app crashed, sandbox killed).
    void resourceLost(const QString &sessionId, FailureReason reason, const QString &message);
};

Q_DECLARE_METATYPE(DeployResult)
Q_DECLARE_METATYPE(ProviderOutcome)
