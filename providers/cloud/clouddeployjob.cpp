#include "clouddeployjob.h"

#include "http/apicall.h"
#include "providerlogging.h"
#include "readinessprobe.h"

CloudDeployJob::CloudDeployJob(QNetworkAccessManager *network, QObject *parent)
    : DeployJob(parent)
    , m_network(network)
{}

void CloudDeployJob::cancel()
{
    if (m_done)
        return;
    if (m_current)
        m_current->cancel();
    fail(FailureReason::Cancelled, tr("Deploy cancelled."));
}

ApiCall *CloudDeployJob::call(const ApiEndpoint &endpoint, const ApiRequest &request)
{
    m_current = new ApiCall(m_network, endpoint, request, this);
    return m_current;
}

ReadinessProbe *CloudDeployJob::probe(const QUrl &url)
{
    m_probe = new ReadinessProbe(m_network, url, this);
    return m_probe;
}

void CloudDeployJob::succeed(const QUrl &url, const QString &resourceId)
{
    DeployResult result;
    result.url = url;
    result.resourceId = resourceId;
    finish(result);
}

void CloudDeployJob::failAfter(DeployResult result, const ApiEndpoint &endpoint,
                               std::optional<ApiRequest> cleanup)
{
    if (m_done)
        return;
    if (m_probe)
        m_probe->stop();
    if (!cleanup) {
        finish(result);
        return;
    }
    m_done = true;
    auto *remove = new ApiCall(m_network, endpoint, *cleanup, this);
    connect(remove, &ApiCall::finished, this, [this, result](const ApiReply &reply) {
        DeployResult final = result;
        if (reply.ok() || reply.error == ApiError::NotFound)
            final.resourceId.clear(); // gone: nothing for the caller to destroy
        else
            qCWarning(lcHttp) << "could not remove" << result.resourceId
                              << "after a failed deploy:" << reply.message;
        m_done = false;
        finish(final);
    });
    remove->start();
}

void CloudDeployJob::finish(const DeployResult &result)
{
    if (m_done)
        return;
    m_done = true;
    if (m_probe)
        m_probe->stop();
    QMetaObject::invokeMethod(
        this,
        [this, result] {
            emit finished(result);
            deleteLater();
        },
        Qt::QueuedConnection);
}
