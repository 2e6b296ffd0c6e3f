#pragma once

#include "http/apitypes.h"
#include "provider.h"

#include <QPointer>

#include <optional>

class ApiCall;
class QNetworkAccessManager;
class ReadinessProbe;

// What the cloud deploy jobs share: the call in flight (cancelled with the job), the readiness probe, and
// finishing exactly once — after removing what the job created when it failed, so nothing keeps billing.
class CloudDeployJob : public DeployJob
{
    Q_OBJECT
public:
    // Stops the deploy: the call in flight is cancelled and fail() cleans up.
    void cancel() override;

protected:
    CloudDeployJob(QNetworkAccessManager *network, QObject *parent);

    // Finished, or cleaning up before it finishes: handlers of late answers return.
    bool isDone() const { return m_done; }
    QNetworkAccessManager *network() const { return m_network; }
    // Makes the call the one in flight (started by the caller).
    ApiCall *call(const ApiEndpoint &endpoint, const ApiRequest &request);
    ReadinessProbe *probe(const QUrl &url);

    virtual void fail(FailureReason reason, const QString &message) = 0;
    void succeed(const QUrl &url, const QString &resourceId);
    // Reports the failure; first sends `cleanup` (deleting what this job made) when there is one. When the
    // provider confirms it gone, the result names no resource left for the caller to destroy.
    void failAfter(DeployResult result, const ApiEndpoint &endpoint, std::optional<ApiRequest> cleanup);

private:
    void finish(const DeployResult &result);

    QNetworkAccessManager *m_network;
    QPointer<ApiCall> m_current;
    QPointer<ReadinessProbe> m_probe;
    bool m_done = false;
};
