#include "localsandbox.h"

#include "providerlogging.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <csignal>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {

// Limits every sandboxed app gets (reliability.md §1.6); inherited through bwrap.
constexpr rlim_t kMaxOpenFiles = 1024;
constexpr rlim_t kMaxFileBytes = 256ull << 20;
constexpr rlim_t kMaxAddressSpace = 4ull << 30;

void setLimit(int resource, rlim_t value)
{
    const rlimit limit{value, value};
    ::setrlimit(resource, &limit);
}

// Runs in the child between fork and exec: only async-signal-safe calls.
void prepareChild(int listenFd)
{
    ::setsid(); // out of the terminal's process group: Ctrl-C reaches SpawnAI, which stops the app itself
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (listenFd == 3)
        ::fcntl(3, F_SETFD, 0);
    else
        ::dup2(listenFd, 3); // the copy loses FD_CLOEXEC
    // Nothing else of SpawnAI's may reach the app, even if some library forgot O_CLOEXEC.
    if (::syscall(SYS_close_range, 4u, ~0u, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 4; fd < 4096; ++fd)
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    setLimit(RLIMIT_NOFILE, kMaxOpenFiles);
    setLimit(RLIMIT_FSIZE, kMaxFileBytes);
    setLimit(RLIMIT_CORE, 0);
#ifndef __SANITIZE_ADDRESS__ // an ASan build's helper reserves terabytes of shadow address space
    setLimit(RLIMIT_AS, kMaxAddressSpace);
#endif
}

} // namespace

LocalSandbox::LocalSandbox(const QString &sessionId, const QString &logPath, QObject *parent)
    : QObject(parent)
    , m_sessionId(sessionId)
    , m_logPath(logPath)
{}

LocalSandbox::~LocalSandbox()
{
    if (m_process) {
        m_process->disconnect(this);
        kill();
        m_process->waitForFinished(2000);
    }
}

Result<void> LocalSandbox::start(const LaunchCommand &command, ListeningSocket socket,
                                 const QString &workingDir)
{
    Q_ASSERT(!m_process);
    if (!QDir().mkpath(QFileInfo(m_logPath).absolutePath()))
        return Error{QCoreApplication::translate("LocalSandbox", "Cannot create the log folder for %1.")
                         .arg(m_logPath)};
    appendToLog(u"--- SpawnAI %1: starting %2"_s.arg(
        QDateTime::currentDateTimeUtc().toString(Qt::ISODate),
        command.arguments.value(command.arguments.indexOf(u"--"_s) + 1)));

    m_process = new QProcess(this);
    QProcessEnvironment environment; // empty: nothing of SpawnAI's environment (keys, tokens) reaches the app
    for (const QString &variable : command.environment) {
        const qsizetype eq = variable.indexOf(u'=');
        environment.insert(variable.left(eq), variable.mid(eq + 1));
    }
    m_process->setProcessEnvironment(environment);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->setStandardOutputFile(m_logPath, QIODevice::Append);
    m_process->setWorkingDirectory(workingDir);
    const int listenFd = socket.fd();
    m_process->setChildProcessModifier([listenFd] { prepareChild(listenFd); });
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        m_socket.close(); // the port closes with the app (unless a successor took the socket)
        appendToLog(u"--- SpawnAI %1: %2"_s.arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate),
                                                describeExit(exitCode, status)));
        emit exited(exitCode, status);
    });

    m_process->start(command.program, command.arguments);
    m_socket = std::move(socket);
    if (!m_process->waitForStarted(5000)) {
        const QString why = m_process->errorString();
        return Error{
            QCoreApplication::translate("LocalSandbox", "Cannot start %1: %2.").arg(command.program, why)};
    }
    qCDebug(lcLocal) << "session" << m_sessionId << "started as pid" << m_process->processId();
    return {};
}

void LocalSandbox::kill()
{
    if (!isRunning())
        return;
    m_killed = true;
    const qint64 group = m_process->processId();
    // The child leads its own process group (setsid); bwrap's sandbox dies with it (--die-with-parent).
    if (group > 0)
        ::kill(pid_t(-group), SIGKILL);
    m_process->kill();
}

ListeningSocket LocalSandbox::takeSocket()
{
    return std::move(m_socket);
}

qint64 LocalSandbox::pid() const
{
    return m_process ? m_process->processId() : 0;
}

bool LocalSandbox::isRunning() const
{
    return m_process && m_process->state() != QProcess::NotRunning;
}

QString LocalSandbox::logTail(int maxLines) const
{
    QFile log(m_logPath);
    if (!log.open(QIODevice::ReadOnly))
        return {};
    constexpr qint64 kTailBytes = 8192;
    if (log.size() > kTailBytes)
        log.seek(log.size() - kTailBytes);
    QStringList lines = QString::fromUtf8(log.readAll()).split(u'\n', Qt::SkipEmptyParts);
    lines.removeIf([](const QString &line) { return line.startsWith(u"--- SpawnAI "_s); });
    if (lines.size() > maxLines)
        lines = lines.mid(lines.size() - maxLines);
    return lines.join(u'\n');
}

QString LocalSandbox::describeExit(int exitCode, QProcess::ExitStatus status)
{
    // Inside the sandbox the helper reports a signal as 128 + n, like a shell.
    if (status == QProcess::CrashExit)
        return QCoreApplication::translate("LocalSandbox", "the sandbox was killed");
    if (exitCode > 128 && exitCode < 160)
        return QCoreApplication::translate("LocalSandbox", "the app was killed by signal %1 (%2)")
            .arg(exitCode - 128)
            .arg(QString::fromLatin1(sigabbrev_np(exitCode - 128) ? sigabbrev_np(exitCode - 128) : "?"));
    return QCoreApplication::translate("LocalSandbox", "the app exited with code %1").arg(exitCode);
}

void LocalSandbox::appendToLog(const QString &line) const
{
    QFile log(m_logPath);
    if (log.open(QIODevice::WriteOnly | QIODevice::Append))
        log.write(line.toUtf8() + '\n');
}
