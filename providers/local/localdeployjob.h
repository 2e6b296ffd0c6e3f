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
// answer.
class LocalDeployJob final : public DeployJob
{
    Q_OBJECT
public:
    LocalDeployJob(LocalProvider *provider, const DeployRequest &request);
    void start() override;
    void cancel() override;

private:
    void onSandboxChecked(const SandboxSupport &support);
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
    QTimer m_deadline;
    QElapsedTimer m_elapsed;
};
