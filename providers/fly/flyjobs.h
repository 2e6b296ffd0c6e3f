#pragma once

#include "flyapi.h"
#include "provider.h"

class QNetworkAccessManager;

// Deletes the session's app with force (its machines and IPs go with it); 404 counts as done.
class FlyDestroyJob final : public ProviderJob
{
    Q_OBJECT
public:
    FlyDestroyJob(QNetworkAccessManager *network, FlyOptions options, QString appName, QObject *parent);
    void start() override;

private:
    QNetworkAccessManager *m_network;
    FlyOptions m_options;
    QString m_app;
};

// Moves the in-machine deadline: the machine is updated with a new `timeout`, which restarts the app (a few
// seconds; in-memory state is lost). Fly has no other way to lengthen a running machine's own deadline.
class FlyExtendJob final : public ProviderJob
{
    Q_OBJECT
public:
    FlyExtendJob(QNetworkAccessManager *network, FlyOptions options, QString appName, QDateTime expiresAt,
                 QObject *parent);
    void start() override;

private:
    void done(const ApiReply &reply, const QString &what);

    QNetworkAccessManager *m_network;
    FlyOptions m_options;
    QString m_app;
    QDateTime m_expiresAt;
};

// SpawnAI's apps in the organisation, with their machines' tags. An app whose machine destroyed itself is
// listed without an installation (only its name says which session it was).
class FlyListJob final : public ListJob
{
    Q_OBJECT
public:
    FlyListJob(QNetworkAccessManager *network, FlyOptions options, QObject *parent);
    void start() override;

private:
    void finishIfDone();

    QNetworkAccessManager *m_network;
    FlyOptions m_options;
    QList<RemoteResource> m_resources;
    ProviderOutcome m_outcome;
    int m_pending = 0;
};
