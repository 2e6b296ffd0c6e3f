#pragma once

#include "e2bapi.h"
#include "provider.h"

#include <QPointer>
#include <QTimer>

class ApiCall;
class QNetworkAccessManager;
class ReadinessProbe;

// A deploy to E2B (e2b.md §1): create a sandbox whose timeout is the session's lifetime, upload the bundle
// through envd, start the app with no command deadline, wait until its port serves. A redeploy reuses the
// sandbox: the old app is killed and the new revision started from a fresh folder.
//
// A create that may have happened without an answer (dropped connection, 5xx, a broken body) is looked for
// by its metadata tags before it is sent once more. Whatever fails after the sandbox exists kills it, so
// nothing is left billing.
class E2bDeployJob final : public DeployJob
{
    Q_OBJECT
public:
    E2bDeployJob(QNetworkAccessManager *network, E2bOptions options, DeployRequest request,
                 QString existingSandboxId, QObject *parent);
    ~E2bDeployJob() override;

    void start() override;
    void cancel() override;

private:
    void create();
    void lookForCreatedSandbox(const ApiReply &createReply);
    void adopt(const QString &sandboxId);
    void upload();
    void startApp();
    void onStreamBytes(const QByteArray &bytes);
    void waitForUrl();
    void succeed();
    // Kills the sandbox when this job made it, then finishes with the failure.
    void fail(FailureReason reason, const QString &message);
    void failWith(const ApiReply &reply, const QString &what);
    void finish(const DeployResult &result);
    ApiCall *call(const ApiEndpoint &endpoint, const ApiRequest &request);

    QNetworkAccessManager *m_network;
    E2bOptions m_options;
    DeployRequest m_request;
    E2bApi::Sandbox m_sandbox;
    ApiEndpoint m_envd;
    QString m_folder;
    bool m_redeploy = false;
    int m_creates = 0;
    bool m_finished = false;
    QPointer<ApiCall> m_current;
    QPointer<ApiCall> m_stream;
    QPointer<ReadinessProbe> m_probe;
    QByteArray m_frames;
    QByteArray m_output; // the app's stdout and stderr while it starts, for failure messages
};
