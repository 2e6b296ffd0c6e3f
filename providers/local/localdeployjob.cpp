#include "localdeployjob.h"

#include "bundlefolder.h"
#include "httpprobe.h"
#include "localprovider.h"
#include "localsandbox.h"
#include "providerlogging.h"
#include "sandboxcommand.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

constexpr int kRetryAfterNoAnswerMs = 20;
constexpr int kRetryAfterServerErrorMs = 200;

// What runtimes look for in /etc; the sandbox has no /etc of its own.
Result<void> writeEtc(const QString &etcDir)
{
    const uint uid = ::getuid();
    const uint gid = ::getgid();
    QByteArray passwd = "root:x:0:0:root:/tmp:/usr/sbin/nologin\n";
    QByteArray group = "root:x:0:\n";
    if (uid != 0)
        passwd += "app:x:" + QByteArray::number(uid) + ':' + QByteArray::number(gid) +
                  ":SpawnAI app:/tmp:/usr/sbin/nologin\n";
    if (gid != 0)
        group += "app:x:" + QByteArray::number(gid) + ":\n";
    const QList<std::pair<QString, QByteArray>> files = {
        {u"passwd"_s, passwd},
        {u"group"_s, group},
        {u"hosts"_s, "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n"},
        {u"nsswitch.conf"_s, "passwd: files\ngroup: files\nhosts: files\n"},
    };
    if (!QDir().mkpath(etcDir))
        return Error{QCoreApplication::translate("LocalDeployJob", "Cannot create %1.").arg(etcDir)};
    for (const auto &[name, content] : files) {
        QFile file(etcDir + u'/' + name);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(content) != content.size())
            return Error{QCoreApplication::translate("LocalDeployJob", "Cannot write %1: %2.")
                             .arg(file.fileName(), file.errorString())};
    }
    return {};
}

} // namespace

LocalDeployJob::LocalDeployJob(LocalProvider *provider, const DeployRequest &request, LocalSandbox *replacing)
    : DeployJob(provider)
    , m_provider(provider)
    , m_request(request)
    , m_sessionDir(provider->sessionDir(request.sessionId))
    , m_replacing(replacing)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(FailureReason::AppNeverAnswered,
             tr("The app did not answer at %1 within %2 s. Its log is %3.%4")
                 .arg(m_url.toString())
                 .arg(m_provider->options().startTimeoutMs / 1000.0)
                 .arg(m_request.logPath, m_sandbox && !m_sandbox->logTail().isEmpty()
                                             ? tr(" Its last output:\n%1").arg(m_sandbox->logTail())
                                             : QString()));
    });
}

void LocalDeployJob::start()
{
    m_elapsed.start();
    emit stageChanged(DeployStage::Provisioning, tr("Checking the sandbox"));
    m_provider->checkSandbox(this, [this](const SandboxSupport &support) { onSandboxChecked(support); });
}

void LocalDeployJob::cancel()
{
    fail(FailureReason::Cancelled, tr("Stopped before the app was running."));
}

void LocalDeployJob::onSandboxChecked(const SandboxSupport &support)
{
    if (m_done)
        return;
    if (!support.available) {
        if (!m_provider->options().allowUnsandboxed) {
            fail(FailureReason::SandboxUnavailable,
                 tr("%1\n%2\nSpawnAI runs nothing outside a sandbox unless you allow it explicitly "
                    "(setting local.allow-unsandboxed; not recommended for generated code).")
                     .arg(support.problem, support.fix));
            return;
        }
        qCWarning(lcLocal) << "running session" << m_request.sessionId
                           << "WITHOUT a sandbox, as the user allowed";
        m_unsandboxed = true;
    }
    if (m_replacing)
        m_socket = m_replacing->takeSocket();
    if (!m_socket.isValid()) {
        auto socket = ListeningSocket::bindLoopback(m_request.hostPort);
        if (!socket) {
            fail(FailureReason::PortInUse, socket.error());
            return;
        }
        m_socket = std::move(*socket);
    }
    m_port = m_socket.port();
    m_url = QUrl(u"http://127.0.0.1:%1/"_s.arg(m_port));

    if (m_replacing && m_replacing->isRunning()) {
        // The old app must be gone before its files are replaced; requests wait in the socket's backlog.
        connect(m_replacing, &LocalSandbox::exited, this, &LocalDeployJob::uploadAndLaunch);
        m_replacing->kill();
        return;
    }
    uploadAndLaunch();
}

void LocalDeployJob::uploadAndLaunch()
{
    if (m_done)
        return;
    const qsizetype fileCount = m_request.bundle.files.size();
    emit stageChanged(DeployStage::Uploading,
                      fileCount == 1 ? tr("Copying 1 file") : tr("Copying %1 files").arg(fileCount));
    if (auto written = writeSessionFiles(); !written) {
        fail(FailureReason::ProviderError, written.error());
        return;
    }
    launch(std::move(m_socket));
}

Result<void> LocalDeployJob::writeSessionFiles()
{
    QDir(m_sessionDir).removeRecursively();
    if (auto ok = BundleFolder::write(m_request.bundle, m_sessionDir + u"/app"_s); !ok)
        return ok;
    if (m_unsandboxed && !QDir().mkpath(m_sessionDir + u"/tmp"_s))
        return Error{tr("Cannot create %1.").arg(m_sessionDir + u"/tmp"_s)};
    return writeEtc(m_sessionDir + u"/etc"_s);
}

void LocalDeployJob::launch(ListeningSocket socket)
{
    const LocalProviderOptions &options = m_provider->options();
    const AppManifest &manifest = m_request.bundle.manifest;
    SandboxSpec spec;
    spec.bwrapPath = options.bwrapPath;
    spec.helperPath = options.helperPath;
    spec.appDir = m_sessionDir + u"/app"_s;
    spec.etcDir = m_sessionDir + u"/etc"_s;
    spec.tmpDir = m_sessionDir + u"/tmp"_s;
    spec.runtime = manifest.runtime;
    spec.start = manifest.start;
    spec.appPort = manifest.port;

    LaunchCommand command;
    if (m_unsandboxed) {
        // Without a network namespace the app binds the host's loopback itself, so it needs a free port
        // there.
        auto appPort = ListeningSocket::pickFreePort();
        if (!appPort) {
            fail(FailureReason::PortInUse, appPort.error());
            return;
        }
        command = SandboxCommand::unsandboxed(spec, *appPort);
    } else {
        command = SandboxCommand::sandboxed(spec);
    }
    emit stageChanged(DeployStage::Starting,
                      manifest.runtime == Runtime::Static ? tr("Serving the static files") : manifest.start);

    m_sandbox = new LocalSandbox(m_request.sessionId, m_request.logPath, this);
    if (auto started = m_sandbox->start(command, std::move(socket), spec.appDir); !started) {
        fail(FailureReason::SandboxUnavailable, started.error());
        return;
    }
    connect(m_sandbox, &LocalSandbox::exited, this, &LocalDeployJob::onSandboxExited);
    emit resourceCreated(QString::number(m_sandbox->pid()));

    emit stageChanged(DeployStage::WaitingForUrl, m_url.toString());
    m_deadline.start(options.startTimeoutMs);
    probe();
}

void LocalDeployJob::probe()
{
    if (m_done)
        return;
    auto *probe = new HttpProbe(m_port, this);
    connect(probe, &HttpProbe::finished, this, [this, probe](int statusCode, const QString &error) {
        probe->deleteLater();
        onProbeFinished(statusCode, error);
    });
    probe->start();
}

void LocalDeployJob::onProbeFinished(int statusCode, const QString &error)
{
    if (m_done)
        return;
    if (statusCode == 0) {
        // Nothing answered yet (the relay gave up on a connection while the app was starting): ask again.
        qCDebug(lcLocal) << "no answer yet:" << error;
        QTimer::singleShot(kRetryAfterNoAnswerMs, this, &LocalDeployJob::probe);
        return;
    }
    if (statusCode >= 500) {
        QTimer::singleShot(kRetryAfterServerErrorMs, this, &LocalDeployJob::probe);
        return;
    }
    succeed();
}

void LocalDeployJob::onSandboxExited(int exitCode, QProcess::ExitStatus status)
{
    if (m_done || !m_sandbox)
        return;
    const QString tail = m_sandbox->logTail();
    fail(FailureReason::AppCrashed,
         tr("The app stopped before it answered: %1.%2\nFull log: %3")
             .arg(LocalSandbox::describeExit(exitCode, status),
                  tail.isEmpty() ? tr(" It printed nothing.") : tr(" Its last output:\n%1").arg(tail),
                  m_request.logPath));
}

void LocalDeployJob::succeed()
{
    m_done = true;
    m_deadline.stop();
    disconnect(m_sandbox, nullptr, this, nullptr);
    m_provider->adopt(m_sandbox);
    qCInfo(lcLocal) << "session" << m_request.sessionId << "answers at" << m_url.toString() << "after"
                    << m_elapsed.elapsed() << "ms" << (m_unsandboxed ? "(UNSANDBOXED)" : "");
    DeployResult result;
    result.url = m_url;
    result.resourceId = QString::number(m_sandbox->pid());
    result.unsandboxed = m_unsandboxed;
    emit finished(result);
    deleteLater();
}

void LocalDeployJob::fail(FailureReason reason, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    if (m_sandbox) {
        disconnect(m_sandbox, nullptr, this, nullptr);
        m_sandbox->kill();
    }
    QDir(m_sessionDir).removeRecursively();
    qCInfo(lcLocal) << "deploy of session" << m_request.sessionId << "failed:" << message;
    DeployResult result;
    result.failure = reason;
    result.message = message;
    emit finished(result);
    deleteLater(); // the sandbox is a child: it goes (and is reaped) with the job
}
