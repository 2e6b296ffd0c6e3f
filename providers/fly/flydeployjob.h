#pragma once

#include "cloud/clouddeployjob.h"
#include "flyapi.h"

#include <QElapsedTimer>
#include <QPointer>

#include <functional>

class ApiCall;

// A deploy to Fly.io Machines (fly.md §1): an app named after the session, a shared IPv4 and an IPv6, one
// machine with the bundle as files, HTTPS on 443 and a deadline inside it (`timeout`) with auto_destroy, so
// it ends by itself at expiry; then wait until started and until https://<app>.fly.dev serves the app. A
// redeploy updates the machine in place (same app, same URL).
//
// The app's name is known before anything is created, so it is recorded first: a crash at any point leaves
// a name reconciliation can find. Creates that may have happened without an answer are checked (app by
// name, machines by listing) before they are sent once more; a failed deploy deletes the app.
class FlyDeployJob final : public CloudDeployJob
{
    Q_OBJECT
public:
    FlyDeployJob(QNetworkAccessManager *network, FlyOptions options, DeployRequest request, bool redeploy,
                 QObject *parent);
    ~FlyDeployJob() override;

    void start() override;
    void cancel() override;

private:
    void createApp(bool secondTry);
    void allocateIps(const QStringList &types);
    void allocateIpGraphql(const QStringList &types);
    void createMachine(bool secondTry);
    void findMachine(const std::function<void(const QString &machineId)> &found,
                     const std::function<void()> &none);
    void updateMachine();
    void waitStarted();
    void waitForUrl();
    void fail(FailureReason reason, const QString &message) override;
    void failWith(const ApiReply &reply, const QString &what);
    ApiCall *call(const ApiRequest &request);
    qint64 deadlineSeconds() const;

    FlyOptions m_options;
    DeployRequest m_request;
    QString m_app;
    QString m_machineId;
    QString m_instanceId;
    bool m_redeploy = false;
    bool m_appCreatedHere = false;
    QElapsedTimer m_clock;
};
