#pragma once

#include "cloud/clouddeployjob.h"
#include "e2bapi.h"

#include <QPointer>

#include <functional>

class ApiCall;

// A deploy to E2B (e2b.md §1): create a sandbox whose timeout is the session's lifetime, upload the bundle
// through envd, start the app with no command deadline, wait until its port serves. A redeploy reuses the
// sandbox: the old app is killed and the new revision started from a fresh folder.
//
// A create that may have happened without an answer (dropped connection, 5xx, a broken body) is looked for
// by its metadata tags before it is sent once more. Whatever fails after the sandbox exists kills it, so
// nothing is left billing.
class E2bDeployJob final : public CloudDeployJob
{
    Q_OBJECT
public:
    E2bDeployJob(QNetworkAccessManager *network, E2bOptions options, DeployRequest request,
                 QString existingSandboxId, QObject *parent);
    ~E2bDeployJob() override;

    void start() override;

private:
    void create();
    void lookForCreatedSandbox(const ApiReply &createReply);
    void adopt(const QString &sandboxId);
    // GET /sandboxes/{id}: its envd token and domain, then `then`; a sandbox that is gone fails the deploy.
    void lookUpSandbox(const std::function<void()> &then);
    QUrl appUrl() const;
    void upload();
    void startApp();
    void onStreamBytes(const QByteArray &bytes);
    void waitForUrl();
    void succeed();
    // Kills the sandbox when there is one, then finishes with the failure.
    void fail(FailureReason reason, const QString &message) override;
    void failWith(const ApiReply &reply, const QString &what);

    E2bOptions m_options;
    DeployRequest m_request;
    E2bApi::Sandbox m_sandbox;
    ApiEndpoint m_envd;
    QString m_folder;
    bool m_redeploy = false;
    int m_creates = 0;
    QPointer<ApiCall> m_stream;
    bool m_waiting = false; // the app started: its URL is being polled
    QByteArray m_frames;
    QByteArray m_output; // the app's stdout and stderr while it starts, for failure messages
};
