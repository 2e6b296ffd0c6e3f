#include "localprocesses.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <csignal>

using namespace Qt::StringLiterals;

namespace LocalProcesses {

namespace {

// "<runDir>/<session id>/..." → session id; empty if `path` is not inside a session folder.
QString sessionOfPath(const QString &runDir, const QString &path)
{
    const QString prefix = runDir + u'/';
    const qsizetype start = path.indexOf(prefix);
    if (start < 0)
        return {};
    const qsizetype idStart = start + prefix.size();
    const qsizetype idEnd = path.indexOf(u'/', idStart);
    return path.mid(idStart, idEnd < 0 ? -1 : idEnd - idStart);
}

// Only bwrap and SpawnAI's own helper count: an editor or shell that happens to be in a run folder is the
// user's.
bool isSandboxProgram(const QString &pidDir)
{
    const QString exe = QFileInfo(QFileInfo(pidDir + u"/exe"_s).symLinkTarget()).fileName();
    return exe == u"bwrap" || exe == u"spawnai-sandbox";
}

QString sessionOfProcess(const QString &runDir, const QString &pidDir)
{
    if (!isSandboxProgram(pidDir))
        return {};
    QFile cmdline(pidDir + u"/cmdline"_s);
    if (cmdline.open(QIODevice::ReadOnly)) {
        const QList<QByteArray> args = cmdline.readAll().split('\0');
        for (const QByteArray &arg : args) {
            const QString session = sessionOfPath(runDir, QString::fromLocal8Bit(arg));
            if (!session.isEmpty())
                return session;
        }
    }
    return sessionOfPath(runDir, QFileInfo(pidDir + u"/cwd"_s).symLinkTarget());
}

} // namespace

QList<Entry> find(const QString &runDir)
{
    const QString root = QDir(runDir).absolutePath();
    QList<Entry> found;
    const QStringList pids = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &name : pids) {
        bool numeric = false;
        const qint64 pid = name.toLongLong(&numeric);
        if (!numeric || pid == QCoreApplication::applicationPid())
            continue;
        const QString session = sessionOfProcess(root, u"/proc/"_s + name);
        if (!session.isEmpty())
            found.append({pid, session});
    }
    return found;
}

QList<qint64> pidsOfSession(const QString &runDir, const QString &sessionId)
{
    QList<qint64> pids;
    for (const Entry &entry : find(runDir)) {
        if (entry.sessionId == sessionId)
            pids.append(entry.pid);
    }
    return pids;
}

bool killSession(const QString &runDir, const QString &sessionId, int timeoutMs)
{
    constexpr int kPollMs = 20;
    for (int waited = 0;; waited += kPollMs) {
        const QList<qint64> pids = pidsOfSession(runDir, sessionId);
        if (pids.isEmpty())
            return true;
        if (waited >= timeoutMs)
            return false;
        for (qint64 pid : pids)
            ::kill(pid_t(pid), SIGKILL);
        QThread::msleep(kPollMs);
    }
}

} // namespace LocalProcesses
