#include "bwrapprobe.h"

#include "providerlogging.h"
#include "sandboxcommand.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTimer>

using namespace Qt::StringLiterals;

BwrapProbe::BwrapProbe(const QString &bwrapPath, QObject *parent)
    : QObject(parent)
    , m_bwrapPath(bwrapPath)
{
    m_support.bwrapPath = bwrapPath;
}

void BwrapProbe::start()
{
    const QFileInfo info(m_bwrapPath);
    if (m_bwrapPath.isEmpty() || !info.isFile() || !info.isExecutable()) {
        SandboxSupport missing = m_support;
        missing.problem = m_bwrapPath.isEmpty() ? tr("bubblewrap (bwrap) is not installed.")
                                                : tr("bubblewrap was not found at %1.").arg(m_bwrapPath);
        missing.fix = tr("Install it with \"sudo apt install bubblewrap\" (Debian/Ubuntu) or "
                         "\"sudo dnf install bubblewrap\" (Fedora), then try again.");
        QMetaObject::invokeMethod(
            this, [this, missing] { finish(missing); }, Qt::QueuedConnection);
        return;
    }
    runVersion();
}

void BwrapProbe::runVersion()
{
    m_process = new QProcess(this);
    m_process->setProcessEnvironment(QProcessEnvironment());
    connect(m_process, &QProcess::finished, this, [this] {
        const QString output = QString::fromLocal8Bit(m_process->readAllStandardOutput());
        m_process->deleteLater();
        m_support.version = parseVersion(output);
        if (m_support.version.isNull() || m_support.version < kMinimumVersion) {
            SandboxSupport old = m_support;
            old.problem =
                tr("bubblewrap %1 is too old; SpawnAI needs %2 or newer.")
                    .arg(m_support.version.isNull() ? output.trimmed() : m_support.version.toString(),
                         kMinimumVersion.toString());
            old.fix = tr("Update the bubblewrap package.");
            finish(old);
            return;
        }
        runTrial();
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        SandboxSupport broken = m_support;
        broken.problem = tr("bubblewrap could not be started: %1").arg(m_process->errorString());
        broken.fix = tr("Reinstall the bubblewrap package.");
        finish(broken);
    });
    m_process->start(m_bwrapPath, {u"--version"_s});
}

void BwrapProbe::runTrial()
{
    m_process = new QProcess(this);
    m_process->setProcessEnvironment(QProcessEnvironment());
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        const QString err = QString::fromLocal8Bit(m_process->readAllStandardError());
        m_process->deleteLater();
        if (status == QProcess::NormalExit && exitCode == 0) {
            SandboxSupport ok = m_support;
            ok.available = true;
            finish(ok);
            return;
        }
        SandboxSupport failed =
            status == QProcess::CrashExit
                ? diagnose(m_bwrapPath,
                           tr("a trial sandbox did not finish within %1 s").arg(m_timeoutMs / 1000.0),
                           exitCode)
                : diagnose(m_bwrapPath, err, exitCode);
        failed.version = m_support.version;
        finish(failed);
    });
    const LaunchCommand trial = SandboxCommand::trial(m_bwrapPath);
    m_process->start(trial.program, trial.arguments);
    QTimer::singleShot(m_timeoutMs, m_process, [this] { m_process->kill(); }); // ends as CrashExit
}

void BwrapProbe::finish(SandboxSupport support)
{
    if (support.available)
        qCInfo(lcLocal) << "bubblewrap" << support.version.toString() << "works";
    else
        qCWarning(lcLocal) << "sandbox unavailable:" << support.problem;
    emit finished(support);
}

QVersionNumber BwrapProbe::parseVersion(const QString &versionOutput)
{
    static const QRegularExpression pattern(u"bubblewrap\\s+(\\d+(?:\\.\\d+)*)"_s);
    const QRegularExpressionMatch match = pattern.match(versionOutput);
    return match.hasMatch() ? QVersionNumber::fromString(match.captured(1)) : QVersionNumber();
}

SandboxSupport BwrapProbe::diagnose(const QString &bwrapPath, const QString &stderrText, int exitCode)
{
    SandboxSupport support;
    support.bwrapPath = bwrapPath;
    const QString said = stderrText.trimmed().isEmpty() ? tr("(exit code %1, no message)").arg(exitCode)
                                                        : stderrText.trimmed();
    support.problem = tr("bubblewrap cannot create a sandbox here: %1").arg(said);
    if (said.contains(u"setting up uid map"_s) || said.contains(u"RTM_NEWADDR"_s)) {
        support.fix =
            tr("This system (for example Ubuntu 23.10 or later) restricts unprivileged user namespaces "
               "with AppArmor. Allow bwrap with an AppArmor profile (see the README), or run "
               "\"sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0\".");
    } else if (said.contains(u"No permissions to"_s) || said.contains(u"non-privileged user namespaces"_s) ||
               said.contains(u"Operation not permitted"_s)) {
        support.fix = tr("Unprivileged user namespaces are disabled. Enable them with "
                         "\"sudo sysctl kernel.unprivileged_userns_clone=1\" (Debian) or "
                         "\"sudo sysctl user.max_user_namespaces=15000\".");
    } else if (said.contains(u"nesting depth"_s) || said.contains(u"ENOSPC"_s)) {
        support.fix =
            tr("SpawnAI is itself running in a sandbox or container that forbids nested user "
               "namespaces (Flatpak, Docker). Run SpawnAI directly on the host, or use a cloud provider.");
    } else {
        support.fix =
            tr("Check that bubblewrap works: \"bwrap --ro-bind /usr /usr --unshare-all -- /usr/bin/true\".");
    }
    return support;
}
