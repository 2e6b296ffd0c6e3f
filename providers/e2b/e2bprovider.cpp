#include "e2bprovider.h"

#include "e2bdeployjob.h"
#include "e2bjobs.h"
#include "http/redactor.h"

using namespace Qt::StringLiterals;

E2bProvider::E2bProvider(QNetworkAccessManager *network, E2bOptions options, QObject *parent)
    : Provider(parent)
    , m_network(network)
    , m_options(std::move(options))
{}

void E2bProvider::setApiKey(const QString &key)
{
    Redactor::addSecret(key);
    m_options.api.authValue = key.trimmed().toLatin1();
}

ProviderCapabilities E2bProvider::capabilities() const
{
    ProviderCapabilities caps;
    caps.key = kKey;
    // The plan caps the lifetime; naming it explains the cap where it is refused.
    caps.displayName = m_options.plan == E2bPlan::Pro ? tr("E2B (Pro plan)") : tr("E2B (Hobby plan)");
    caps.maxLifetimeSeconds = E2bOptions::maxLifetimeSeconds(m_options.plan);
    caps.runtimes = {Runtime::Static, Runtime::Python, Runtime::Node};
    caps.canExtend = true;
    caps.serverSideTtl = true;
    caps.outlivesSpawnAI = true;
    caps.pricingKey = kKey;
    caps.sizes = {u"base"_s, u"2cpu-2gib"_s};
    caps.defaultSize = u"base"_s;
    return caps;
}

QString E2bProvider::setupProblem() const
{
    if (!hasKey())
        return tr("E2B needs an API key: add it in Settings → Keys (or run `spawnai key set e2b`).");
    return m_options.api.problem();
}

DeployJob *E2bProvider::deploy(const DeployRequest &request)
{
    return new E2bDeployJob(m_network, m_options, request, {}, this);
}

DeployJob *E2bProvider::redeploy(const QString &resourceId, const DeployRequest &request)
{
    return new E2bDeployJob(m_network, m_options, request, resourceId, this);
}

ProviderJob *E2bProvider::destroy(const QString &resourceId, const QString &sessionId)
{
    return new E2bDestroyJob(m_network, m_options, resourceId, sessionId, this);
}

ProviderJob *E2bProvider::extend(const QString &resourceId, const QDateTime &newExpiresAt)
{
    return new E2bExtendJob(m_network, m_options, resourceId, newExpiresAt, this);
}

ListJob *E2bProvider::list(const QString &installId)
{
    return new E2bListJob(m_network, m_options, installId, this);
}
