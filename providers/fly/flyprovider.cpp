#include "flyprovider.h"

#include "flydeployjob.h"
#include "flyjobs.h"
#include "http/redactor.h"

using namespace Qt::StringLiterals;

FlyProvider::FlyProvider(QNetworkAccessManager *network, FlyOptions options, QObject *parent)
    : Provider(parent)
    , m_network(network)
    , m_options(std::move(options))
{}

void FlyProvider::setApiKey(const QString &token)
{
    Redactor::addSecret(token);
    m_options.api.authValue = token.trimmed().isEmpty() ? QByteArray() : FlyApi::authorization(token);
}

ProviderCapabilities FlyProvider::capabilities() const
{
    ProviderCapabilities caps;
    caps.key = kKey;
    caps.displayName = u"Fly.io"_s;
    caps.maxLifetimeSeconds = kMaxLifetimeSeconds;
    caps.runtimes = {Runtime::Static, Runtime::Python, Runtime::Node};
    caps.canExtend = true;
    caps.serverSideTtl = true;
    caps.outlivesSpawnAI = true;
    caps.pricingKey = kKey;
    caps.sizes = {u"shared-cpu-1x-256mb"_s, u"shared-cpu-1x-1gb"_s};
    caps.defaultSize = u"shared-cpu-1x-256mb"_s;
    return caps;
}

QString FlyProvider::setupProblem() const
{
    if (!hasKey())
        return tr("Fly.io needs an org token (fly tokens create org): add it in Settings → Keys (or run "
                  "`spawnai key set fly`).");
    return m_options.api.problem();
}

DeployJob *FlyProvider::deploy(const DeployRequest &request)
{
    return new FlyDeployJob(m_network, m_options, request, false, this);
}

DeployJob *FlyProvider::redeploy(const QString &, const DeployRequest &request)
{
    return new FlyDeployJob(m_network, m_options, request, true, this);
}

ProviderJob *FlyProvider::destroy(const QString &resourceId, const QString &sessionId)
{
    return new FlyDestroyJob(m_network, m_options,
                             resourceId.isEmpty() ? FlyApi::appName(sessionId) : resourceId, this);
}

ProviderJob *FlyProvider::extend(const QString &resourceId, const QDateTime &newExpiresAt)
{
    return new FlyExtendJob(m_network, m_options, resourceId, newExpiresAt, this);
}

ListJob *FlyProvider::list(const QString &)
{
    return new FlyListJob(m_network, m_options, this);
}
