#pragma once

#include "provider.h"

#include <QPointer>

class LocalProvider;

// Kills a session's sandbox — the one this process runs, or leftovers found in /proc — and removes its run
// folder. A session with nothing left counts as destroyed.
class LocalDestroyJob final : public ProviderJob
{
    Q_OBJECT
public:
    LocalDestroyJob(LocalProvider *provider, const QString &sessionId);
    void start() override;

private:
    void finish(const ProviderOutcome &outcome);

    QPointer<LocalProvider> m_provider;
    QString m_sessionId;
};

// Local sandboxes on this machine, found in /proc.
class LocalListJob final : public ListJob
{
    Q_OBJECT
public:
    LocalListJob(LocalProvider *provider, QObject *parent);
    void start() override;

private:
    QPointer<LocalProvider> m_provider;
};
