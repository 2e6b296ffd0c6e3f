#pragma once

#include "e2bapi.h"
#include "provider.h"

class QNetworkAccessManager;

// Kills a sandbox; 404 counts as done. Without a sandbox id (a create whose answer was lost) it kills every
// sandbox tagged with the session.
class E2bDestroyJob final : public ProviderJob
{
    Q_OBJECT
public:
    E2bDestroyJob(QNetworkAccessManager *network, E2bOptions options, QString sandboxId, QString sessionId,
                  QObject *parent);
    void start() override;

private:
    void kill(QStringList ids);
    void done(const ProviderOutcome &outcome);

    QNetworkAccessManager *m_network;
    E2bOptions m_options;
    QString m_sandboxId;
    QString m_sessionId;
    ProviderOutcome m_outcome;
    int m_pending = 0;
};

// Moves the sandbox's server-side expiry: POST /sandboxes/{id}/timeout.
class E2bExtendJob final : public ProviderJob
{
    Q_OBJECT
public:
    E2bExtendJob(QNetworkAccessManager *network, E2bOptions options, QString sandboxId, QDateTime expiresAt,
                 QObject *parent);
    void start() override;

private:
    QNetworkAccessManager *m_network;
    E2bOptions m_options;
    QString m_sandboxId;
    QDateTime m_expiresAt;
};

// Every running or paused sandbox tagged with this installation, all pages.
class E2bListJob final : public ListJob
{
    Q_OBJECT
public:
    E2bListJob(QNetworkAccessManager *network, E2bOptions options, QString installId, QObject *parent);
    void start() override;

private:
    void fetch(const QString &nextToken);

    QNetworkAccessManager *m_network;
    E2bOptions m_options;
    QString m_installId;
    QList<RemoteResource> m_resources;
};
