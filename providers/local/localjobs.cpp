#include "localjobs.h"

#include "localprocesses.h"
#include "localprovider.h"
#include "localsandbox.h"
#include "providerlogging.h"

#include <QCoreApplication>
#include <QDir>

LocalDestroyJob::LocalDestroyJob(LocalProvider *provider, const QString &sessionId)
    : ProviderJob(provider)
    , m_provider(provider)
    , m_sessionId(sessionId)
{}

void LocalDestroyJob::start()
{
    LocalSandbox *sandbox = m_provider ? m_provider->sandbox(m_sessionId) : nullptr;
    if (sandbox && sandbox->isRunning()) {
        connect(sandbox, &LocalSandbox::exited, this, [this] { finish({}); });
        sandbox->kill();
        return;
    }
    QMetaObject::invokeMethod(
        this, [this] { finish({}); }, Qt::QueuedConnection);
}

void LocalDestroyJob::finish(const ProviderOutcome &outcome)
{
    ProviderOutcome result = outcome;
    if (m_provider) {
        const QString runDir = m_provider->options().runDir;
        // Leftovers of a SpawnAI that died (or an opted-out app that escaped its process group).
        if (!LocalProcesses::killSession(runDir, m_sessionId)) {
            result.failure = FailureReason::ProviderError;
            result.message = QCoreApplication::translate(
                "LocalDestroyJob", "Some processes of the session could not be stopped.");
        }
        QDir(m_provider->sessionDir(m_sessionId)).removeRecursively();
    }
    qCDebug(lcLocal) << "destroyed session" << m_sessionId << (result.ok() ? "" : "with leftovers");
    emit finished(result);
    deleteLater();
}

LocalListJob::LocalListJob(LocalProvider *provider, QObject *parent)
    : ListJob(parent)
    , m_provider(provider)
{}

void LocalListJob::start()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            QList<RemoteResource> resources;
            if (m_provider) {
                for (const LocalProcesses::Entry &entry :
                     LocalProcesses::find(m_provider->options().runDir)) {
                    const bool known =
                        std::any_of(resources.cbegin(), resources.cend(),
                                    [&](const RemoteResource &r) { return r.sessionId == entry.sessionId; });
                    if (!known)
                        resources.append({QString::number(entry.pid), entry.sessionId, {}, {}});
                }
            }
            emit finished({}, resources);
            deleteLater();
        },
        Qt::QueuedConnection);
}
