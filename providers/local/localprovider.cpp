#include "localprovider.h"

#include "localdeployjob.h"
#include "localjobs.h"
#include "localsandbox.h"
#include "providerlogging.h"
#include "resolvedjob.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

LocalProviderOptions LocalProviderOptions::fromEnvironment(const QString &runDir)
{
    LocalProviderOptions options;
    options.runDir = runDir;
    options.bwrapPath = qEnvironmentVariable("SPAWNAI_BWRAP");
    if (options.bwrapPath.isEmpty())
        options.bwrapPath = QStandardPaths::findExecutable(u"bwrap"_s);
    options.helperPath = qEnvironmentVariable("SPAWNAI_SANDBOX_HELPER");
    if (options.helperPath.isEmpty())
        options.helperPath = QCoreApplication::applicationDirPath() + u"/spawnai-sandbox"_s;
    return options;
}

LocalProvider::LocalProvider(const LocalProviderOptions &options, QObject *parent)
    : Provider(parent)
    , m_options(options)
{}

LocalProvider::~LocalProvider()
{
    // Sandboxes are children and die with the provider; make sure their run folders go too.
    for (auto it = m_sandboxes.cbegin(); it != m_sandboxes.cend(); ++it) {
        delete it.value();
        QDir(sessionDir(it.key())).removeRecursively();
    }
}

ProviderCapabilities LocalProvider::capabilities() const
{
    ProviderCapabilities caps;
    caps.key = kKey;
    caps.displayName = tr("Local (this computer)");
    caps.maxLifetimeSeconds = kMaxLifetimeSeconds;
    caps.runtimes = {Runtime::Static, Runtime::Python, Runtime::Node};
    caps.canExtend = true;
    caps.serverSideTtl = false;
    caps.outlivesSpawnAI = false;
    caps.pricingKey = kKey;
    return caps;
}

DeployJob *LocalProvider::deploy(const DeployRequest &request)
{
    return new LocalDeployJob(this, request);
}

DeployJob *LocalProvider::redeploy(const QString &resourceId, const DeployRequest &request)
{
    Q_UNUSED(resourceId) // the session's sandbox is found by its session
    return new LocalDeployJob(this, request, sandbox(request.sessionId));
}

ProviderJob *LocalProvider::destroy(const QString &resourceId, const QString &sessionId)
{
    Q_UNUSED(resourceId) // processes are found by session: a pid alone could have been reused
    return new LocalDestroyJob(this, sessionId);
}

ProviderJob *LocalProvider::extend(const QString &resourceId, const QDateTime &newExpiresAt)
{
    Q_UNUSED(resourceId)
    Q_UNUSED(newExpiresAt) // SpawnAI's own timer is the only deadline a local app has
    return new ResolvedJob({}, this);
}

ListJob *LocalProvider::list(const QString &installId)
{
    Q_UNUSED(installId) // the run folder belongs to this installation
    return new LocalListJob(this, this);
}

void LocalProvider::checkSandbox(QObject *context, std::function<void(const SandboxSupport &)> done)
{
    if (m_support && m_support->available) {
        QMetaObject::invokeMethod(
            context, [support = *m_support, done] { done(support); }, Qt::QueuedConnection);
        return;
    }
    if (!m_probe) {
        m_probe = new BwrapProbe(m_options.bwrapPath, this);
        connect(m_probe, &BwrapProbe::finished, this, [this](const SandboxSupport &support) {
            m_support = support;
            m_probe->deleteLater();
        });
        QMetaObject::invokeMethod(m_probe, &BwrapProbe::start, Qt::QueuedConnection);
    }
    connect(
        m_probe, &BwrapProbe::finished, context, [done](const SandboxSupport &support) { done(support); },
        Qt::SingleShotConnection);
}

void LocalProvider::adopt(LocalSandbox *sandbox)
{
    sandbox->setParent(this);
    const QString sessionId = sandbox->sessionId();
    m_sandboxes.insert(sessionId, sandbox);
    connect(sandbox, &LocalSandbox::exited, this,
            [this, sandbox, sessionId](int exitCode, QProcess::ExitStatus status) {
                m_sandboxes.remove(sessionId);
                sandbox->deleteLater();
                if (sandbox->wasKilled())
                    return;
                QDir(sessionDir(sessionId)).removeRecursively();
                qCInfo(lcLocal) << "session" << sessionId
                                << "ended by itself:" << LocalSandbox::describeExit(exitCode, status);
                const QString tail = sandbox->logTail(8);
                emit resourceLost(
                    sessionId, FailureReason::AppExited,
                    tr("The app stopped: %1.%2")
                        .arg(LocalSandbox::describeExit(exitCode, status),
                             tail.isEmpty() ? QString() : tr(" Its last output:\n%1").arg(tail)));
            });
}

LocalSandbox *LocalProvider::sandbox(const QString &sessionId) const
{
    return m_sandboxes.value(sessionId);
}

QString LocalProvider::sessionDir(const QString &sessionId) const
{
    return m_options.runDir + u'/' + sessionId;
}
