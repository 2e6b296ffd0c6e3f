#pragma once

#include "bwrapprobe.h"
#include "listeningsocket.h"
#include "provider.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QProcess>
#include <QTimer>

class LocalProvider;
class LocalSandbox;

// Provisioning (sandbox check, port) → Uploading (app files) → Starting (bwrap) → waiting for the first
// answer. With `replacing`, a redeploy in place: the running sandbox hands over its port and is stopped
// before the new files go in, so the URL stays the same.
class LocalDeployJob final : public DeployJob
{
    Q_OBJECT
public:
    LocalDeployJob(LocalProvider *provider, const DeployRequest &request, LocalSandbox *replacing = nullptr);
    void start() override;
    void cancel() override;

private:
    void onSandboxChecked(const SandboxSupport &support);
    void uploadAndLaunch();
    Result<void> writeSessionFiles();
    void launch(ListeningSocket socket);
    void probe();
    void onProbeFinished(int statusCode, const QString &error);
    void onSandboxExited(int exitCode, QProcess::ExitStatus status);
    void fail(FailureReason reason, const QString &message);
    void succeed();

    QPointer<LocalProvider> m_provider;
    DeployRequest m_request;
    QString m_sessionDir;
    bool m_unsandboxed = false;
    bool m_done = false;
    quint16 m_port = 0;
    QUrl m_url;
    QPointer<LocalSandbox> m_sandbox;
    QPointer<LocalSandbox> m_replacing;
    ListeningSocket m_socket;
    QTimer m_deadline;
    QElapsedTimer m_elapsed;
};
